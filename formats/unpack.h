/* Decompression for the source layer (private to it): which compressor's
 * magic a buffer starts with, and decoding every member or frame of it into
 * one output. The output goes to memory, or, for an ELF file (a core) when
 * a temporary directory is given, to an unlinked temporary file that is
 * then mapped, so its pages can be released like a plain core's. Output is
 * bounded: by mem_limit while it is in memory, by file_limit in a file.
 * unpack.c owns the output (the sink); codecs.c has one decoder per format. */
#ifndef HEAPSCAN_UNPACK_H
#define HEAPSCAN_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "heapscan/error.h"

typedef struct hs_unpack_limits {
    uint64_t mem_limit;      /* output bytes held in memory */
    const char *mem_hint;    /* how to change it, for the message; may be NULL */
    uint64_t file_limit;     /* output bytes in all (memory or file) */
    const char *file_hint;
    const char *tmpdir;      /* NULL: never a temporary file */
} hs_unpack_limits;

typedef struct hs_unpacked {
    uint8_t *buf; /* malloc'd output, or NULL when mapped */
    void *map;    /* the mapped temporary file, or NULL */
    size_t size;
} hs_unpacked;

/* For the codecs (codecs.c): the output they decode into. The decoder
 * calls hs_sink_room before each step, writes at most cap - len bytes at
 * buf + len and adds them to len. */
typedef struct hs_sink {
    const char *name; /* the input, for messages */
    const hs_unpack_limits *lim;
    uint8_t *buf;
    size_t cap, len;  /* buf holds len bytes of cap */
    int fd;           /* >= 0: buf is a window onto this temporary file */
    uint64_t flushed; /* bytes already written to fd */
    int may_switch;   /* ELF output is moved to a temporary file */
    int write_failed; /* the file could not be written (disk full, ...) */
    size_t first;     /* the memory buffer's first size */
} hs_sink;

/* Room for at least one more byte at buf + len, or -1 (a limit, no memory). */
int hs_sink_room(hs_sink *o, hs_error *err);

typedef struct hs_codec {
    const char *name;
    int (*match)(const uint8_t *d, size_t n); /* the magic */
    /* Every member/frame of in[0, size) into o; errors give the offset. */
    int (*decode)(const uint8_t *in, size_t size, hs_sink *o, hs_error *err);
    /* Optional: all of intact input into memory, faster; -1, no message, else. */
    int (*fast)(const uint8_t *in, size_t size, uint64_t limit, uint8_t **out, size_t *out_size);
    int (*starts_elf)(const uint8_t *in, size_t size); /* with fast: would go to a file */
} hs_codec;

/* The codecs, ending with a zeroed entry. */
extern const hs_codec hs_codecs[];

/* "gzip", ... when data starts with that compressor's magic, else NULL. */
const char *hs_unpack_format(const uint8_t *data, size_t size);
/* Decode in[0, size) (which starts with a known magic) into out.
 * Errors name `name` and the offset in the compressed bytes. */
int hs_unpack(const char *name, const uint8_t *in, size_t size, const hs_unpack_limits *lim,
              hs_unpacked *out, hs_error *err);

#endif
