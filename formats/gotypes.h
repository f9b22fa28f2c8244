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

/* An object the walker found: 16 bytes, as a core holds millions of them
 * (the walker's table was the peak of `top` before its copy into the heap
 * model). The slot size is read with hs_go_obj_size: below 2^29 bytes as
 * is, else in whole 8 KiB pages (a large object, one span of whole pages;
 * hs_go_size_fits says which sizes can be held, up to 4 TiB). */
typedef struct hs_go_obj {
    uint64_t addr;
    uint32_t type;         /* heap type id */
    unsigned size_ : 30;   /* hs_go_obj_size */
    unsigned untyped : 1;  /* named by size class only: may be given a DWARF type */
    unsigned header : 1;   /* typed by the runtime through an 8-byte malloc header */
} hs_go_obj;

#define HS_GO_SIZE_PAGES (1u << 29) /* size_ holds 8 KiB pages */

static inline int hs_go_size_fits(uint64_t size)
{
    return size < HS_GO_SIZE_PAGES || (size % 8192 == 0 && size / 8192 < HS_GO_SIZE_PAGES);
}

/* An object of a size that hs_go_size_fits. */
static inline hs_go_obj hs_go_obj_make(uint64_t addr, uint64_t size, uint32_t type, int untyped,
                                       int header)
{
    uint32_t s = size < HS_GO_SIZE_PAGES ? (uint32_t)size : HS_GO_SIZE_PAGES | (uint32_t)(size / 8192);
    return (hs_go_obj){addr, type, s, (unsigned)!!untyped, (unsigned)!!header};
}

static inline uint64_t hs_go_obj_size(const hs_go_obj *o)
{
    return o->size_ < HS_GO_SIZE_PAGES ? o->size_ : (uint64_t)(o->size_ - HS_GO_SIZE_PAGES) * 8192;
}

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
