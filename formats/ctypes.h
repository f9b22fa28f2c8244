/* Types of C and C++ heap objects from the program's DWARF (ctypes.c): a
 * naming pass the core reader runs on the finished heap of a glibc process,
 * before the container shapes (cxxshapes.h). */
#ifndef HEAPSCAN_FORMATS_CTYPES_H
#define HEAPSCAN_FORMATS_CTYPES_H

#include "elfcore.h"

/* Names the untyped glibc chunks that the executable's typed globals reach
 * through typed pointers ("struct session", "char[]"), when its DWARF is
 * found (in it, --debug-dir, or /usr/lib/debug/.build-id). 0, or -1 with
 * err (out of memory). */
int hs_c_type_objects(const hs_core *c, hs_heap *h, hs_error *err);

#endif
