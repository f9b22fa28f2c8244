/* heapscan source layer: bytes of one input, and a bounds-checked cursor.
 * A source is a whole file (or stdin) in memory: mapped read-only when it
 * is a plain regular file, decompressed into a buffer when its first bytes
 * are a compressor's magic (gzip; all concatenated members). Readers see
 * only data/size and parse with hs_cursor, which never reads past its end
 * and reports the offset of every failure. The layer reads no environment:
 * its limits and temporary directory come from hs_source_options. */
#ifndef HEAPSCAN_SOURCE_H
#define HEAPSCAN_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "heapscan/error.h"

/* What one input may cost. Zero fields take the defaults, so a zeroed
 * struct (or NULL) is always a safe choice. */
typedef struct hs_source_options {
    /* Bytes of one input held in memory: a stream (pipe, device, stdin)
     * read to its end, or data decompressed into memory. Reaching it stops
     * reading with an error. 0: hs_source_default_max_memory(). */
    uint64_t max_memory;
    /* Bytes a compressed input may decompress to, in memory or in a
     * temporary file (a decompression bomb's bound). 0: 64 GiB. */
    uint64_t max_unpack;
    /* Directory for the temporary file a compressed core is decompressed
     * into; NULL or "": /tmp. */
    const char *tmpdir;
    /* How the caller's user changes each limit, appended to the message
     * when it is reached (e.g. "HEAPSCAN_MAX_MEMORY=2GiB"); may be NULL. */
    const char *memory_hint;
    const char *unpack_hint;
    /* http(s):// inputs: seconds a request may take (0: 60), plus the N of
     * a ?seconds=N query (the server answers after N seconds). */
    unsigned http_timeout;
} hs_source_options;

#define HS_SOURCE_MAX_UNPACK ((uint64_t)64 << 30)

/* Half the machine's physical memory (1 GiB if it cannot be told). */
uint64_t hs_source_default_max_memory(void);

typedef struct hs_source {
    char name[512];          /* as given; "<stdin>" for "-" */
    const uint8_t *data;     /* decompressed bytes */
    size_t size;
    const char *compression; /* "gzip", ... if the input was compressed, else NULL */
    size_t raw_size;         /* bytes on disk */
    /* private */
    void *map_;
    size_t map_size_;
    uint8_t *owned_;
} hs_source;

/* Open a file ("-": standard input), or fetch an http:// or https:// URL
 * (libcurl; the body is held like a stream's, under max_memory). opt may
 * be NULL (defaults). */
int hs_source_open_with(hs_source *src, const char *path, const hs_source_options *opt,
                        hs_error *err);
int hs_source_open(hs_source *src, const char *path, hs_error *err);
/* Wrap bytes already in memory (copied if compressed, else borrowed). */
int hs_source_from_memory_with(hs_source *src, const char *name, const uint8_t *data,
                               size_t size, const hs_source_options *opt, hs_error *err);
int hs_source_from_memory(hs_source *src, const char *name, const uint8_t *data, size_t size,
                          hs_error *err);
void hs_source_close(hs_source *src);
/* Nonzero when path is an http:// or https:// URL. */
int hs_source_is_url(const char *path);
/* The body of an http(s):// URL as served (not decompressed), malloc'd into
 * *out; errors name the URL (HTTP status, timeout, connection, limit). */
int hs_source_fetch(const char *url, const hs_source_options *opt, uint8_t **out, size_t *size,
                    hs_error *err);
/* Lower memory use after reading data[off, off+len): when the source is a
 * mapped file, its whole pages in that range leave the process's resident
 * set (MADV_DONTNEED on a read-only private file mapping: touching them
 * again reads the file, so the bytes never change). A compressed core is
 * decompressed into a temporary file and mapped, so the same holds for it.
 * No-op for other compressed input and stdin, whose bytes exist only in
 * memory. */
void hs_source_release(const hs_source *src, size_t off, size_t len);
/* Nonzero if bytes look like gzip (1f 8b). */
int hs_is_gzip(const uint8_t *data, size_t size);
/* The compression the bytes start with ("gzip", ...), or NULL. */
const char *hs_source_compression(const uint8_t *data, size_t size);

/* A window [pos, end) over a buffer; offsets reported are base_off + pos. */
typedef struct hs_cursor {
    const uint8_t *buf;
    size_t pos;
    size_t end;
    uint64_t base_off; /* offset of buf[0] in the whole input */
    const char *name;  /* input name for errors */
} hs_cursor;

hs_cursor hs_cursor_make(const hs_source *src);
/* A sub-cursor over the next len bytes; advances c. Fails if len > remaining. */
int hs_cursor_sub(hs_cursor *c, uint64_t len, hs_cursor *out, hs_error *err);
static inline size_t hs_cursor_left(const hs_cursor *c) { return c->end - c->pos; }
static inline uint64_t hs_cursor_offset(const hs_cursor *c) { return c->base_off + c->pos; }
int hs_cursor_u8(hs_cursor *c, uint8_t *out, hs_error *err);
int hs_cursor_uvarint(hs_cursor *c, uint64_t *out, hs_error *err); /* LEB128, <= 10 bytes */
int hs_cursor_le32(hs_cursor *c, uint32_t *out, hs_error *err);
int hs_cursor_le64(hs_cursor *c, uint64_t *out, hs_error *err);
int hs_cursor_bytes(hs_cursor *c, uint64_t len, const uint8_t **out, hs_error *err);
int hs_cursor_skip(hs_cursor *c, uint64_t len, hs_error *err);
/* Fail with a message at the cursor's current offset; returns -1. */
int hs_cursor_fail(const hs_cursor *c, hs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
