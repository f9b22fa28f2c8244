/* Decompression for the source layer (private to it): which compressor's
 * magic a buffer starts with, and decoding every member or frame of it into
 * one output. The output goes to memory, or, for an ELF file (a core) when
 * a temporary directory is given, to an unlinked temporary file that is
 * then mapped, so its pages can be released like a plain core's. Output is
 * bounded: by mem_limit while it is in memory, by file_limit in a file. */
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

/* "gzip", ... when data starts with that compressor's magic, else NULL. */
const char *hs_unpack_format(const uint8_t *data, size_t size);
/* Decode in[0, size) (which starts with a known magic) into out.
 * Errors name `name` and the offset in the compressed bytes. */
int hs_unpack(const char *name, const uint8_t *in, size_t size, const hs_unpack_limits *lim,
              hs_unpacked *out, hs_error *err);

#endif
