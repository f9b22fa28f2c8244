/* Types of Go heap objects that the runtime does not record (every object
 * before Go 1.22, the small ones since), found as viewcore finds them: from
 * the DWARF types of the executable's global variables and of the
 * goroutines' stack variables, followed along typed pointers, slices,
 * arrays and struct fields. Used by the Go walker
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

/* A goroutine's frame: a pc inside its function (a return address moved
 * back into its call) and its canonical frame address, the frame base of
 * Go's DWARF (DW_OP_call_frame_cfa), both as addresses of the core. */
typedef struct hs_go_frame {
    uint64_t pc, cfa;
} hs_go_frame;

/* How many objects each source typed. */
typedef struct hs_go_typed {
    int64_t globals, runtime, stack;
} hs_go_typed;

/* objs sorted by addr. The walk starts at every global, at every object
 * the runtime typed (its type looked up in DWARF by name, the runtime's
 * type name and DWARF's being the same strings), then at every variable
 * that frames' functions keep in their stack frame at their pc (location
 * lists say where a variable lives at each pc; a value in a register is
 * not followed). An untyped object that a typed pointer points at
 * (at its first byte, its type no larger than the object) gets that type's
 * name; a slice's backing array the name of its element type (as Go 1.22+
 * malloc headers name arrays). The earlier sources win: a stack slot may
 * hold a dead value. Returns 0, or -1 with err (out of memory). */
int hs_go_type_objects(const hs_core *c, hs_heap *h, Dwarf *dw, uint64_t bias, hs_go_obj *objs,
                       uint32_t n, const hs_go_frame *frames, uint32_t n_frames,
                       hs_go_typed *typed, hs_error *err);

#endif
