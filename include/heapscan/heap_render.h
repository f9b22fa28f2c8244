/* Small formatting helpers for the heap reports (sizes in binary units,
 * JSON/CSV/DOT string quoting, size parsing). Local to the heap commands
 * until the shared renderer lands; every writer escapes every byte it does
 * not know to be safe, so names from a dump cannot break the output syntax. */
#ifndef HEAPSCAN_HEAP_RENDER_H
#define HEAPSCAN_HEAP_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "512 B", "1.50 KiB", "3.25 MiB", "1.00 GiB" ... into buf; returns buf. */
const char *hs_render_heap_bytes(char *buf, size_t n, uint64_t v);
/* As above with a sign: "+1.50 MiB", "-64 B", "0 B". */
const char *hs_render_heap_sbytes(char *buf, size_t n, int64_t v);
/* A JSON string literal with quotes. */
void hs_render_heap_json_str(FILE *fp, const char *s);
/* A CSV field, quoted when it holds a comma, quote or line break. */
void hs_render_heap_csv_str(FILE *fp, const char *s);
/* The inside of a DOT "..." string. */
void hs_render_heap_dot_str(FILE *fp, const char *s);
/* "4096", "64KiB", "1.5 MiB", "10MB" (binary, as pprof), "2G"; 0 ok, -1 bad. */
int hs_render_heap_parse_size(const char *s, uint64_t *out);

#endif
