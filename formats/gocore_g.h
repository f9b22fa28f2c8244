/* The goroutines of a Go core as the goroutine model (gocore_g.c), called
 * by the Go walker (goheap.c) once it has scanned the stacks. */
#ifndef HEAPSCAN_FORMATS_GOCORE_G_H
#define HEAPSCAN_FORMATS_GOCORE_G_H

#include <elfutils/libdw.h>
#include <stdint.h>

#include "elfcore.h"

/* Reads every goroutine of runtime.allgs that Go's own dumps show into a
 * model attached to h (h->goroutines) and adds `info` lines (counts by
 * state). roots[i] is the heap root of allgs[i]'s stack (HS_NONE: none),
 * n the length of allgs. A damaged goroutine or a missing field is an info
 * line, never an error: -1 with err only when out of memory. */
int hs_gocore_goroutines(const hs_core *c, hs_heap *h, Dwarf *dw, uint64_t bias,
                         const uint32_t *roots, uint32_t n, hs_error *err);

#endif
