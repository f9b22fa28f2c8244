/* libstdc++ container shapes in a glibc core (cxxshapes.c): a naming pass
 * the core reader runs on the finished heap. */
#ifndef HEAPSCAN_FORMATS_CXXSHAPES_H
#define HEAPSCAN_FORMATS_CXXSHAPES_H

#include "elfcore.h"

/* Names the glibc chunks that are the bodies of std::vector and std::string,
 * map/set and unordered_map/set nodes and buckets, deque maps and blocks,
 * and objects inside make_shared control blocks. 0, or -1 with err (out of
 * memory). Does nothing for a process without libstdc++. */
int hs_cxx_name_shapes(const hs_core *c, hs_heap *h, hs_error *err);

#endif
