/* Roots of a Go core kept in its spans' specials (gospecials.c), called by
 * the Go walker (goheap.c) with the spans that have any. */
#ifndef HEAPSCAN_FORMATS_GOSPECIALS_H
#define HEAPSCAN_FORMATS_GOSPECIALS_H

#include <elfutils/libdw.h>
#include <stdint.h>

#include "elfcore.h"

/* spans[0..n) are the addresses of in-use runtime.mspan structures whose
 * specials list is not empty. Adds a root per finalizer and per cleanup,
 * and an info line; what it cannot read is counted there, never an error:
 * -1 with err only when out of memory. */
int hs_gospecials_roots(const hs_core *c, hs_heap *h, Dwarf *dw, const uint64_t *spans, uint32_t n,
                        hs_error *err);

#endif
