/* Splitting one loop over many items into parts run on threads.
 * The caller decides what a part is (a range of samples, say); this module
 * only says how many parts are worth having and runs them. Part 0 runs on
 * the calling thread, so a one-part run creates no thread at all. Parts must
 * not share mutable state; the caller merges their results in part order,
 * so the outcome (including which error is reported) is the serial one. */
/* Private to the library (src/model): not an embedder's API. */
#ifndef HEAPSCAN_PARALLEL_H
#define HEAPSCAN_PARALLEL_H

#include <stdint.h>

#define HS_PAR_MAX_PARTS 16u

/* How many parts to split n_items into: threads (1..16) when nonzero, the
 * caller's choice (the CLI's HEAPSCAN_THREADS), which also splits small
 * inputs (tests use it to exercise the merge); with 0, one per online CPU,
 * at most 4, and only when each part gets at least min_per_part items.
 * Never more parts than items; at least 1. The library reads no environment. */
unsigned hs_par_parts(uint64_t n_items, uint64_t min_per_part, unsigned threads);

/* Run fn(arg, part) for part = 0 .. n_parts-1, in parallel where threads
 * can be created (serially otherwise). Returns 0 when every part returned
 * 0, else the return of the lowest-numbered part that failed. */
int hs_par_run(unsigned n_parts, int (*fn)(void *arg, unsigned part), void *arg);

/* Item range [*begin, *end) of part `part` when n items are cut into
 * n_parts nearly equal runs. */
static inline void hs_par_range(uint64_t n, unsigned n_parts, unsigned part, uint64_t *begin,
                                uint64_t *end)
{
    *begin = n * part / n_parts;
    *end = n * (part + 1) / n_parts;
}

#endif
