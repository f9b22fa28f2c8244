/* Contention profiles in text, as pprof reads them (legacy_profile.go
 * parseContention): C++'s "--- contentionz ..." and Go's mutex and block
 * profiles ("--- mutex:", "--- contention:", runtime/pprof with debug=1).
 * A header line, "key = value" attributes (cycles/second, sampling period,
 * ms since reset), then records "DELAY COUNT @ 0xPC ..." read by the Go
 * text reader (gotext.c), which also reads Go's "#" frame lines and a C++
 * profile's memory map. Java's "--- contentionz 1 ---" with "format = java"
 * is javaprof.c's. */
#ifndef HEAPSCAN_FORMATS_CONTENTION_H
#define HEAPSCAN_FORMATS_CONTENTION_H

#include <stdint.h>

#include "textscan.h"

typedef struct hs_contention {
    int64_t cpu_hz;         /* cycles/second, 0 when not given */
    int64_t period;         /* sampling period, 1 when not given */
    int64_t duration_nanos; /* ms since reset, 0 when not given */
    int go;                 /* Go's runtime/pprof wrote it, not C++'s contentionz */
} hs_contention;

/* The header and attributes from sc on (*ln the header line): 1 read (sc
 * left before the first record), 0 not this format (or Java's), -1 a
 * malformed or unknown attribute (*ln is its line). */
int hs_contention_header(hs_tx_scanner *sc, hs_tx_line *ln, hs_contention *c);

/* "DELAY COUNT" at f into pprof's values: contentions = COUNT * period,
 * delay in nanoseconds = DELAY cycles * period / (cycles/second / 1e9)
 * (unscaled without cycles/second). 0 when f does not start so. */
int hs_contention_values(hs_tx_field *f, const hs_contention *c, int64_t v[2]);

#endif
