/* Small readers of DWARF type DIEs shared by the type walkers (ctypes.c,
 * glibc.c, gotypes.c; goheap.c reads the same attributes its own way, and
 * can move to these). A type is used stripped: typedefs, const and
 * volatile removed, at most HS_DW_STRIP_MAX of them (DWARF from a hostile
 * file may loop). */
#ifndef HEAPSCAN_FORMATS_DWTYPE_H
#define HEAPSCAN_FORMATS_DWTYPE_H

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdint.h>

#define HS_DW_STRIP_MAX 16

static inline int hs_dw_is_qualifier(Dwarf_Die *d)
{
    int tag = dwarf_tag(d);
    return tag == DW_TAG_typedef || tag == DW_TAG_const_type || tag == DW_TAG_volatile_type;
}

/* d's target type (DW_AT_type) in *out, as written; -1 when it has none. */
static inline int hs_dw_target(Dwarf_Die *d, Dwarf_Die *out)
{
    Dwarf_Attribute a;
    return dwarf_attr_integrate(d, DW_AT_type, &a) && dwarf_formref_die(&a, out) ? 0 : -1;
}

/* Strips d in place; the innermost typedef's name goes to *alias when alias
 * is not NULL (an anonymous struct is called by it). -1 on a broken or too
 * long chain. */
static inline int hs_dw_strip(Dwarf_Die *d, const char **alias)
{
    for (int i = 0; i < HS_DW_STRIP_MAX; i++) {
        if (!hs_dw_is_qualifier(d)) return 0;
        if (alias && dwarf_tag(d) == DW_TAG_typedef) *alias = dwarf_diename(d);
        if (hs_dw_target(d, d)) return -1;
    }
    return hs_dw_is_qualifier(d) ? -1 : 0;
}

/* The stripped type of d (a variable, member, pointer or array) in *out. */
static inline int hs_dw_type_of(Dwarf_Die *d, Dwarf_Die *out, const char **alias)
{
    return hs_dw_target(d, out) || hs_dw_strip(out, alias) ? -1 : 0;
}

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
