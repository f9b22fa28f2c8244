/* Types of Go heap objects that the runtime does not record (every object
 * before Go 1.22, the small ones since), found as viewcore finds them: from
 * the DWARF types of the executable's global variables, followed along
 * typed pointers, slices, arrays and struct fields. Used by the Go walker
 * (goheap.c) between finding the objects and adding them to the heap. */
#ifndef HEAPSCAN_FORMATS_GOTYPES_H
#define HEAPSCAN_FORMATS_GOTYPES_H

#include <elfutils/libdw.h>
#include <stdint.h>

#include "elfcore.h"

typedef struct hs_go_obj {
    uint64_t addr, size;
    uint32_t type;   /* heap type id */
    uint8_t untyped; /* named by size class only: may be given a DWARF type */
    uint8_t header;  /* typed by the runtime through an 8-byte malloc header */
} hs_go_obj;

/* objs sorted by addr. The walk starts at every global and at every object
 * the runtime typed (its type looked up in DWARF by name, the runtime's
 * type name and DWARF's being the same strings). An untyped object that a
 * typed pointer points at
 * (at its first byte, its type no larger than the object) gets that type's
 * name; a slice's backing array the name of its element type (as Go 1.22+
 * malloc headers name arrays). Returns how many objects were typed, or -1
 * with err (out of memory). */
int64_t hs_go_type_objects(const hs_core *c, hs_heap *h, Dwarf *dw, uint64_t bias, hs_go_obj *objs,
                           uint32_t n, hs_error *err);

#endif
