/* C++ names for people: Itanium-ABI symbols (_Z...) demangled by
 * libiberty's cplus_demangle, the demangler binutils (c++filt) and gdb use,
 * linked statically so the output does not depend on the host's C++
 * runtime. Templates, substitutions and every other shape of the ABI are
 * handled there; a symbol it cannot read is kept as it is. */
#ifndef HEAPSCAN_FORMATS_DEMANGLE_H
#define HEAPSCAN_FORMATS_DEMANGLE_H

#include <stddef.h>

#include "heapscan/profile.h"
#include "heapscan/reader.h"

/* The demangled sym into buf, in one of the styles of hs_demangle_mode
 * (clone suffixes such as " [clone .constprop.0]" left out, as pprof does);
 * 0, or -1 when sym is not a mangled name libiberty reads, mode is
 * HS_DEMANGLE_NONE, or it does not fit in size bytes (buf is then ""). */
int hs_demangle(const char *sym, hs_demangle_mode mode, char *buf, size_t size);
/* The class of a vtable symbol (_ZTV6Button: Button); 0, or -1 when sym is
 * not a vtable symbol or does not fit. */
int hs_demangle_vtable(const char *sym, char *buf, size_t size);

/* Every function of p named as pprof names it after symbolizing: a
 * function whose name is its system name (or has none) and is mangled gets
 * the demangled name (the mangled one kept as system name); a name that
 * already looks like demangled C++ loses its parameters and template
 * arguments as the mode says. 0, or -1 with err (out of memory). */
int hs_demangle_profile(hs_profile *p, hs_demangle_mode mode, hs_error *err);

#endif
