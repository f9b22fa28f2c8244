/* The pc tables of a Go executable (gopclntab.c): which function holds a
 * pc, its frame size and stack map index there, and where its pointer maps
 * are, as the runtime's findfunc, pcvalue and funcdata read them. Used by
 * the precise goroutine stack scan (gostack.c). */
#ifndef HEAPSCAN_FORMATS_GOPCLNTAB_H
#define HEAPSCAN_FORMATS_GOPCLNTAB_H

#include <elfutils/libdw.h>
#include <stddef.h>
#include <stdint.h>

#include "elfcore.h"
#include "godwarf.h"

#define HS_GOPCLN_STACKMAP_INDEX 1 /* PCDATA_StackMapIndex */
#define HS_GOPCLN_ARGS_MAPS 0      /* FUNCDATA_ArgsPointerMaps */
#define HS_GOPCLN_LOCALS_MAPS 1    /* FUNCDATA_LocalsPointerMaps */
#define HS_GOPCLN_STACK_OBJECTS 2  /* FUNCDATA_StackObjects */
#define HS_GOPCLN_ARGS_UNKNOWN INT32_MIN /* abi.ArgsSizeUnknown */

/* The first module's tables, copied out of the core (or its executable). */
typedef struct hs_gopcln {
    uint8_t *pcln;  /* moduledata.pclntable: ftab, then the _func records */
    uint8_t *pctab; /* moduledata.pctab: the pcvalue tables */
    uint64_t n_pcln, n_pctab;
    uint32_t nftab; /* functions; ftab has one more entry (the end) */
    uint64_t text, minpc, maxpc, gofunc;
    uint32_t quantum; /* sys.PCQuantum: 1 on amd64, 4 on arm64 */
    uint32_t func_size; /* sizeof runtime._func: pcdata follows */
    hs_go_field f_entry, f_args, f_pcsp, f_npcdata, f_nfuncdata;
} hs_gopcln;

/* One function: its entry pc and the fields the stack scan reads. */
typedef struct hs_gopcln_func {
    uint64_t entry, end;
    int32_t args; /* stack argument bytes, HS_GOPCLN_ARGS_UNKNOWN */
    uint32_t pcsp, npcdata, nfuncdata;
    const uint8_t *tail; /* npcdata pcdata offsets, then nfuncdata funcdata ones */
} hs_gopcln_func;

/* Reads runtime.firstmoduledata's tables (Go 1.19: pcHeader magic
 * 0xfffffff0, 1.20+: 0xfffffff1), layouts from dw. 0, or -1 with why set
 * (nothing to free then). */
int hs_gopcln_open(hs_gopcln *t, const hs_core *c, Dwarf *dw, char *why, size_t n);
void hs_gopcln_close(hs_gopcln *t);
/* The function holding pc; -1 when none or its record is out of bounds. */
int hs_gopcln_find(const hs_gopcln *t, uint64_t pc, hs_gopcln_func *f);
/* The value of the pcvalue table p[0, n) (starting at entry, value -1) at
 * target; -1 when the table ends before it or is cut. */
int hs_gopcln_pcvalue(const uint8_t *p, uint64_t n, uint64_t entry, uint64_t target,
                      uint32_t quantum, int32_t *out);
/* The stack pointer delta of f at pc (pcsp); -1 when unknown. */
int hs_gopcln_spdelta(const hs_gopcln *t, const hs_gopcln_func *f, uint64_t pc, int32_t *out);
/* PCDATA table k of f at pc; *out = -1 when f has no such table. */
int hs_gopcln_pcdata(const hs_gopcln *t, const hs_gopcln_func *f, uint32_t k, uint64_t pc,
                     int32_t *out);
/* The address of FUNCDATA k of f, 0 when absent. */
uint64_t hs_gopcln_funcdata(const hs_gopcln *t, const hs_gopcln_func *f, uint32_t k);
/* Bitmap idx of the runtime.stackmap at addr (int32 n, int32 nbit, then n
 * bitmaps of (nbit + 7) / 8 bytes) into bits (cap bytes), its bit count
 * into *nbit. -1 when unreadable, idx out of range or too long. */
int hs_gopcln_stackmap(const hs_core *c, uint64_t addr, int32_t idx, uint8_t *bits, uint32_t cap,
                       uint32_t *nbit);

#endif
