/* The frames a Go traceback shows for a pc, from the executable's DWARF
 * (golines.c): a pc splits into its inlined calls (DW_TAG_inlined_subroutine
 * scopes, innermost first, each called at the next one's call file and
 * line), then the function that holds them; runtime-internal frames and
 * compiler-made wrappers (DW_AT_trampoline) are hidden as the runtime's
 * showframe hides them. Used for goroutines of cores (gocore_g.c) and of
 * heap dumps with --binary (goheapdump.c). Each pc is worked out once:
 * most goroutines share their pcs. */
#ifndef HEAPSCAN_FORMATS_GOLINES_H
#define HEAPSCAN_FORMATS_GOLINES_H

#include <elfutils/libdw.h>
#include <stdint.h>

#include "gocu.h"
#include "heapscan/goroutines.h"
#include "heapscan/strtab.h"

typedef struct hs_golines_pc {
    uint64_t pc;
    uint32_t first, n; /* its frames: frames[first .. first + n) */
} hs_golines_pc;

typedef struct hs_golines {
    uint64_t bias;       /* process address - DWARF address */
    hs_strtab *strings;  /* where frames' names and files are interned */
    hs_gocu_index cus;   /* CUs by address (Go writes no .debug_aranges) */
    hs_golines_pc *pcs;  /* open addressing over the pcs seen */
    uint32_t n_pcs, cap_pcs;
    hs_gr_frame *frames;
    uint32_t n_frames, cap_frames;
} hs_golines;

/* Indexes dw's compile units (nothing found when out of memory). */
void hs_golines_init(hs_golines *x, Dwarf *dw, uint64_t bias, hs_strtab *strings);
void hs_golines_free(hs_golines *x);
/* The shown frames at pc (a return address already moved back into its
 * call) of the function fn, innermost first, into *frames (valid until the
 * next call) and *n (0: all hidden). -1 when out of memory. */
int hs_golines_at(hs_golines *x, uint64_t pc, const char *fn, const hs_gr_frame **frames,
                  uint32_t *n);
/* The file ("" when unknown) and *line (0) of the line-table row of pc. */
const char *hs_golines_src(const hs_golines *x, uint64_t pc, int *line);

#endif
