/* Go runtime struct layouts from an executable's DWARF, by name: the
 * helpers of the Go walker (goheap.c) that the goroutine reader
 * (gocore_g.c) shares. A field is (offset, size); size 0 when absent. */
#ifndef HEAPSCAN_FORMATS_GODWARF_H
#define HEAPSCAN_FORMATS_GODWARF_H

#include <elfutils/libdw.h>
#include <stdint.h>

typedef struct hs_go_field {
    uint32_t off, size;
} hs_go_field;

/* The first DW_TAG_structure_type named names[t] of each t < n into
 * dies[t], found[t] set to 1 (left alone when absent). */
void hs_go_find_structs(Dwarf *dw, const char *const *names, int n, Dwarf_Die *dies, int *found);
/* The member `name` of struct st. */
hs_go_field hs_go_member(Dwarf_Die *st, const char *name);

#endif
