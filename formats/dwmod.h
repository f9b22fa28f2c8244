/* Modules of a process found on disk: a libdwfl session to which readers
 * report the ELF files a process had mapped (named by a core's NT_FILE
 * note or a text profile's memory map), each at the address where its
 * first page was mapped, and then ask for the symbol and source line of an
 * address. Files are opened without blocking and only when regular: the
 * names come from the input, whoever wrote it. */
#ifndef HEAPSCAN_DWMOD_H
#define HEAPSCAN_DWMOD_H

#include <elfutils/libdwfl.h>
#include <stdint.h>

#include "heapscan/reader.h"
#include "symtab.h"

typedef struct hs_dwmod hs_dwmod;

/* A session that looks for separate debug info in .debug, /usr/lib/debug
 * and opt->debug_dir, by build ID and by .gnu_debuglink name, on this
 * machine only (never debuginfod); NULL when out of memory. */
hs_dwmod *hs_dwmod_begin(const hs_load_options *opt);
Dwfl *hs_dwmod_dwfl(const hs_dwmod *m);
/* dwfl_report_end, then every module is the session's: its separate debug
 * file is looked for on this machine only (no debuginfod). */
void hs_dwmod_report_end(hs_dwmod *m);
void hs_dwmod_end(hs_dwmod *m);

/* Report the ELF file a process mapped as `name` with its first page (file
 * offset 0) at start, read from opt->binary when it is the program, else
 * from name under opt->sysroot: 1 when reported, 0 when it cannot be
 * (missing, not a regular file, not ELF). Call between dwfl_report_begin
 * and _end. */
int hs_dwmod_report_mapped(hs_dwmod *m, const hs_load_options *opt, const char *name,
                           int is_program, uint64_t start);
/* Report the ELF file at path at the addresses it was linked for. */
int hs_dwmod_report_linked(hs_dwmod *m, const char *name, const char *path);

/* What an address names: the symbol containing it, and the source file
 * and line of its code when there is line info (file NULL, line 0 when
 * not). Returns 0 when no reported module has a symbol there. Strings
 * belong to the session. */
typedef struct hs_dwmod_symbol {
    const char *name, *file;
    int line;
} hs_dwmod_symbol;
int hs_dwmod_lookup(hs_dwmod *m, uint64_t addr, hs_dwmod_symbol *out);

/* The symbols of a reported module (built on first use, sorted on the
 * first lookup by address; NULL when out of memory); they live as long as
 * the session. */
hs_symtab *hs_dwmod_symtab(hs_dwmod *m, Dwfl_Module *mod);
/* The symbol of a kind in mask (HS_SYM_*) that names addr in the module
 * holding it, or NULL. */
const hs_sym *hs_dwmod_symbol_at(hs_dwmod *m, uint64_t addr, unsigned mask);
/* The first symbol called name, modules in libdwfl's order, or NULL. */
const hs_sym *hs_dwmod_named(hs_dwmod *m, const char *name);
/* The same in the module holding addr only (the executable: its entry
 * point), which reads no other module's symbols. */
const hs_sym *hs_dwmod_named_at(hs_dwmod *m, uint64_t addr, const char *name);

#endif
