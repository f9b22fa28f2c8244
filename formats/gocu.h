/* Compile units of a Go executable by address (gocu.c). libdw 0.188 finds a
 * CU by address only through .debug_aranges, which Go does not write, so
 * the readers that map a pc to its function's DWARF (goroutine frames,
 * stack variables) index every CU's ranges once. */
#ifndef HEAPSCAN_FORMATS_GOCU_H
#define HEAPSCAN_FORMATS_GOCU_H

#include <elfutils/libdw.h>
#include <stdint.h>

typedef struct hs_gocu_range {
    uint64_t lo, hi;
    Dwarf_Off off; /* the CU's DIE */
} hs_gocu_range;

typedef struct hs_gocu_index {
    Dwarf *dw;
    hs_gocu_range *ranges; /* sorted by lo */
    uint32_t n;
} hs_gocu_index;

/* Every CU's ranges; an empty index when out of memory (nothing found). */
void hs_gocu_build(hs_gocu_index *x, Dwarf *dw);
void hs_gocu_free(hs_gocu_index *x);
/* The CU holding the DWARF address a into *out; -1 when none. */
int hs_gocu_at(const hs_gocu_index *x, uint64_t a, Dwarf_Die *out);
/* The subprogram (not an inlined copy) of cu whose code holds a; -1 when none. */
int hs_gocu_function(Dwarf_Die *cu, uint64_t a, Dwarf_Die *out);

#endif
