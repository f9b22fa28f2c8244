/* The table of allocator walkers the core reader asks in turn (walker.h).
 * A new allocator is a new file defining its hs_core_walker and one line
 * here; a process may be recognised by several (cgo: glibc and Go). */
#include "walker.h"

#include <stddef.h>

const hs_core_walker *const hs_core_walkers[] = {
    &hs_walker_glibc,
    &hs_walker_go,
    NULL,
};
