/* heapscan error: the one error type of the library.
 * A failing function fills an hs_error (what went wrong, in which file, at
 * which byte offset) and returns -1; only the CLI prints it and picks the
 * exit status. Messages are one line, without a trailing period. */
#ifndef HEAPSCAN_ERROR_H
#define HEAPSCAN_ERROR_H

#include <stdint.h>

#define HS_NO_OFFSET UINT64_MAX

typedef struct hs_error {
    char file[512];   /* input name as the user gave it ("-" is "<stdin>") */
    uint64_t offset;  /* byte offset in the (decompressed) input, or HS_NO_OFFSET */
    char msg[512];
} hs_error;

/* Fill err (if non-NULL) and return -1. file may be NULL. */
int hs_error_set(hs_error *err, const char *file, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void hs_error_clear(hs_error *err);
/* "FILE: offset N: MSG" (or "FILE: MSG", or "MSG") into buf. */
const char *hs_error_format(const hs_error *err, char *buf, unsigned size);

#endif
