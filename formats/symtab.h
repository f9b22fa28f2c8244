/* One symbol lookup for every reader: a table of symbols sorted by address
 * (then by their index in the file), with the running maximum of their ends
 * so that an address inside a symbol that starts before a nested one is
 * still found by binary search and a short walk back. By name on first use
 * (a scan for the first few names, then an index sorted by name). The rule for an address is
 * libdwfl's: the sized symbol containing it with the nearest start, global
 * and weak ones before local ones, global before weak; else, for code, the
 * nearest sizeless label that no sized symbol passes over; for data only a
 * sizeless symbol exactly at the address. Names are not copied: they live
 * as long as the ELF data they came from. */
#ifndef HEAPSCAN_FORMATS_SYMTAB_H
#define HEAPSCAN_FORMATS_SYMTAB_H

#include <elfutils/libdwfl.h>
#include <stdint.h>

/* Kinds, as a mask for lookups. */
#define HS_SYM_FUNC 1u  /* STT_FUNC, STT_GNU_IFUNC */
#define HS_SYM_DATA 2u  /* STT_OBJECT, STT_COMMON */
#define HS_SYM_LABEL 4u /* STT_NOTYPE */
#define HS_SYM_ANY 7u

typedef struct hs_sym {
    uint64_t addr, size;
    const char *name;
    uint32_t index; /* in the file's table: ties go to the first */
    uint8_t kind;   /* HS_SYM_FUNC, _DATA or _LABEL */
    uint8_t rank;   /* 0 global, 1 weak, 2 local */
} hs_sym;

typedef struct hs_symtab_raw hs_symtab_raw;

typedef struct hs_symtab {
    hs_sym *syms; /* by address, then index, after hs_symtab_finish */
    uint64_t *max_end; /* max_end[i]: the largest end of a sized symbol among 0..i */
    const hs_sym **by_name; /* by name, then index; NULL until a few lookups by name */
    hs_symtab_raw *raw; /* a module's symbols still in its ELF section (not in syms, n) */
    hs_sym found;       /* the answer of a lookup by a pass */
    uint32_t n, cap;
    uint32_t named_lookups, scans;
    int sorted;
} hs_symtab;

void hs_symtab_init(hs_symtab *t);
void hs_symtab_free(hs_symtab *t);
/* Adds an ELF symbol at (biased) addr; symbols without a name, undefined
 * ones and sections, files and TLS are skipped. 0, or -1 out of memory. */
int hs_symtab_add(hs_symtab *t, uint64_t addr, const GElf_Sym *sym, uint32_t index,
                  const char *name);
/* Adds every symbol of a libdwfl module, at its load address: left in the
 * ELF section where that is plain (read there until the table is needed
 * whole or sorted), else copied through libdwfl. */
int hs_symtab_add_module(hs_symtab *t, Dwfl_Module *mod);
/* All symbols in the order added (a module's copied out of its section
 * now); NULL with *n = 0 when none or out of memory. */
const hs_sym *hs_symtab_entries(hs_symtab *t, uint32_t *n);
/* Its two paths, for tests: the section read directly (n: libdwfl's
 * dwfl_module_getsymtab; 1 done, 0 not applicable and nothing added, -1
 * out of memory), and every symbol through libdwfl (what the first must
 * equal). */
int hs_symtab_add_module_direct(hs_symtab *t, Dwfl_Module *mod, int n);
int hs_symtab_add_module_libdwfl(hs_symtab *t, Dwfl_Module *mod);
/* Sorts by address; call after the last add, before hs_symtab_at (again:
 * nothing). Until then the symbols are in the order added. 0, or -1 out
 * of memory. */
int hs_symtab_finish(hs_symtab *t);

/* The symbol of a kind in mask that names addr, or NULL. */
const hs_sym *hs_symtab_at(const hs_symtab *t, uint64_t addr, unsigned mask);
/* The same on a table finished or not: the first few lookups of any kind
 * are answered by a pass over the symbols, then the table is sorted (NULL
 * also when out of memory). The symbol returned by this and by
 * hs_symtab_named lasts until the next lookup in t; its name as long as t. */
const hs_sym *hs_symtab_lookup(hs_symtab *t, uint64_t addr, unsigned mask);
/* The first symbol (lowest index) called name, or NULL (also out of memory). */
const hs_sym *hs_symtab_named(hs_symtab *t, const char *name);

#endif
