/* Small readers of DWARF type DIEs shared by the type walkers (ctypes.c;
 * gotypes.c, goheap.c and glibc.c read the same attributes their own way). */
#ifndef HEAPSCAN_FORMATS_DWTYPE_H
#define HEAPSCAN_FORMATS_DWTYPE_H

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdint.h>

/* Size in bytes of a value of type d, 0 when unknown. */
static inline uint64_t hs_dw_size(Dwarf_Die *d)
{
    Dwarf_Word s;
    return dwarf_aggregate_size(d, &s) == 0 ? s : 0;
}

/* A member's byte offset in its struct, UINT64_MAX when it has none (a
 * bit field, a location expression). */
static inline uint64_t hs_dw_member_offset(Dwarf_Die *m)
{
    Dwarf_Attribute a;
    Dwarf_Word off;
    return dwarf_attr(m, DW_AT_data_member_location, &a) && dwarf_formudata(&a, &off) == 0
               ? off
               : UINT64_MAX;
}

#endif
