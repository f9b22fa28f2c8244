/* A process's memory map at the end of a text heap profile (gperftools'
 * MAPPED_LIBRARIES, Go's old "--- Memory map: ---"): its executable entries
 * as a profile's mappings, and the names of addresses from the files it
 * maps (libdwfl, through dwmod), as pprof and jeprof name them. */
#ifndef HEAPSCAN_FORMATS_PROCMAP_H
#define HEAPSCAN_FORMATS_PROCMAP_H

#include <stdint.h>

#include "dwmod.h"
#include "heapscan/profile.h"
#include "idmap.h"
#include "heapscan/reader.h"
#include "textscan.h"

/* The map's lines from sc on into p's mappings ("START-END PERMS OFFSET DEV
 * INODE [PATH]", executable ones, sorted by start; other lines skipped).
 * -1 when out of memory. */
int hs_procmap_read(hs_tx_scanner sc, hs_profile *p);

/* The mapped files found on disk (under opt->sysroot; opt->binary for the
 * lowest, the program) or, without mappings, opt->binary at the addresses
 * it was linked for. NULL when no file could be read; hs_dwmod_end frees. */
hs_dwmod *hs_procmap_open(const hs_profile *p, const hs_load_options *opt);

/* The mapping of p holding addr, or HS_NONE. */
uint32_t hs_procmap_find(const hs_profile *p, uint64_t addr);

/* addr's symbol (without a version suffix "@@GLIBC_2.34" or Go's ".abi0"),
 * source file ("" when unknown) and line (0): 1, or 0 when none. The text
 * belongs to dw. */
int hs_procmap_symbol(hs_dwmod *dw, uint64_t addr, hs_tx_field *name, hs_tx_field *file, int *line);

/* The function named name in file: one per (name, file), keyed in fns by
 * the two string ids. HS_NONE when out of memory. */
uint32_t hs_procmap_function(hs_profile *p, hs_idmap *fns, hs_tx_field name, hs_tx_field file);

#endif
