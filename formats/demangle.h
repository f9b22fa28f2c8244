/* C++ names for people: Itanium-ABI symbols (_Z...) demangled by
 * libiberty's cplus_demangle, the demangler binutils (c++filt) and gdb use,
 * linked statically so the output does not depend on the host's C++
 * runtime. Templates, substitutions and every other shape of the ABI are
 * handled there; a symbol it cannot read is kept as it is. */
#ifndef HEAPSCAN_FORMATS_DEMANGLE_H
#define HEAPSCAN_FORMATS_DEMANGLE_H

#include <stddef.h>

typedef enum hs_demangle_style {
    HS_DEMANGLE_SHORT, /* pprof's style: alloc_b, std::vector<int>::push_back */
    HS_DEMANGLE_FULL,  /* with parameters: alloc_b(int) */
} hs_demangle_style;

/* The demangled sym into buf; 0, or -1 when sym is not a mangled name
 * libiberty reads, or it does not fit in size bytes (buf is then ""). */
int hs_demangle(const char *sym, hs_demangle_style style, char *buf, size_t size);
/* The class of a vtable symbol (_ZTV6Button: Button); 0, or -1 when sym is
 * not a vtable symbol or does not fit. */
int hs_demangle_vtable(const char *sym, char *buf, size_t size);

#endif
