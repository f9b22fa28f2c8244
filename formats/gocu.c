/* Compile units of a Go executable by address (gocu.h): every CU's address
 * ranges (DW_AT_ranges or low/high pc, through dwarf_ranges) in one sorted
 * array, searched by binary search. */
#include "gocu.h"

#include <dwarf.h>
#include <stdlib.h>

static int cmp_range(const void *a, const void *b)
{
    const hs_gocu_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int push(hs_gocu_index *x, uint32_t *cap, hs_gocu_range r)
{
    if (x->n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 256;
        hs_gocu_range *n = c > *cap ? realloc(x->ranges, c * sizeof *n) : NULL;
        if (!n) return -1;
        x->ranges = n, *cap = c;
    }
    x->ranges[x->n++] = r;
    return 0;
}

void hs_gocu_build(hs_gocu_index *x, Dwarf *dw)
{
    *x = (hs_gocu_index){.dw = dw};
    Dwarf_Off off = 0, next;
    size_t hsize;
    uint32_t cap = 0;
    while (dw && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu;
        Dwarf_Addr base, lo, hi;
        ptrdiff_t it = 0;
        while (dwarf_offdie(dw, off + hsize, &cu) && (it = dwarf_ranges(&cu, it, &base, &lo, &hi)) > 0)
            if (push(x, &cap, (hs_gocu_range){lo, hi, off + hsize})) {
                hs_gocu_free(x);
                x->dw = dw;
                return;
            }
        off = next;
    }
    if (x->n) qsort(x->ranges, x->n, sizeof *x->ranges, cmp_range);
}

void hs_gocu_free(hs_gocu_index *x)
{
    free(x->ranges);
    *x = (hs_gocu_index){0};
}

int hs_gocu_at(const hs_gocu_index *x, uint64_t a, Dwarf_Die *out)
{
    uint32_t lo = 0, hi = x->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (x->ranges[mid].lo <= a) lo = mid + 1;
        else hi = mid;
    }
    if (!lo || a >= x->ranges[lo - 1].hi) return -1;
    return dwarf_offdie(x->dw, x->ranges[lo - 1].off, out) ? 0 : -1;
}

int hs_gocu_function(Dwarf_Die *cu, uint64_t a, Dwarf_Die *out)
{
    if (dwarf_child(cu, out) != 0) return -1;
    do {
        if (dwarf_tag(out) == DW_TAG_subprogram && dwarf_haspc(out, a) == 1) return 0;
    } while (dwarf_siblingof(out, out) == 0);
    return -1;
}
