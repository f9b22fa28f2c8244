/* Symbol tables sorted by address with running maximum ends (symtab.h).
 * A lookup binary-searches the last symbol starting at or below the
 * address and walks back only while some symbol at or before the current
 * one still reaches past the address (max_end), so nested and overlapping
 * symbols cost a few steps and disjoint ones none. */
#include "symtab.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

enum { LABEL_STEPS = 64 }; /* how far back a sizeless label is looked for */

void hs_symtab_init(hs_symtab *t)
{
    memset(t, 0, sizeof *t);
}

void hs_symtab_free(hs_symtab *t)
{
    free(t->syms);
    free(t->max_end);
    free(t->by_name);
    memset(t, 0, sizeof *t);
}

static int kind_of(int type)
{
    switch (type) {
    case STT_FUNC:
    case STT_GNU_IFUNC:
        return HS_SYM_FUNC;
    case STT_OBJECT:
    case STT_COMMON:
        return HS_SYM_DATA;
    case STT_NOTYPE:
        return HS_SYM_LABEL;
    default:
        return 0; /* sections, files, TLS offsets: not addresses of anything */
    }
}

int hs_symtab_add(hs_symtab *t, uint64_t addr, const GElf_Sym *sym, uint32_t index,
                  const char *name)
{
    int kind = kind_of(GELF_ST_TYPE(sym->st_info)), bind = GELF_ST_BIND(sym->st_info);
    if (!name || !*name || sym->st_shndx == SHN_UNDEF || !kind) return 0;
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        hs_sym *s = realloc(t->syms, (size_t)cap * sizeof *s);
        if (!s) return -1;
        t->syms = s, t->cap = cap;
    }
    uint8_t rank = bind == STB_WEAK ? 1 : bind == STB_LOCAL ? 2 : 0;
    t->syms[t->n++] = (hs_sym){addr, sym->st_size, name, index, (uint8_t)kind, rank};
    return 0;
}

int hs_symtab_add_module(hs_symtab *t, Dwfl_Module *mod)
{
    int n = dwfl_module_getsymtab(mod);
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
        if (hs_symtab_add(t, addr, &sym, (uint32_t)i, name)) return -1;
    }
    return 0;
}

static int by_addr(const void *a, const void *b)
{
    const hs_sym *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Symbols are added in the file's order: then a stable sort by address
 * alone gives by_addr's order (ties by index). */
static int in_index_order(const hs_symtab *t)
{
    for (uint32_t i = 1; i < t->n; i++)
        if (t->syms[i].index <= t->syms[i - 1].index) return 0;
    return 1;
}

/* Stable radix sort by address, a byte a pass, skipping the bytes every
 * address shares (a module spans a few MiB: two or three passes). qsort's
 * calls through by_addr were 15 % of a small core's time (libc's 8,000
 * symbols sorted for one thread's PC). -1: no memory for the copy. */
static int radix_by_addr(hs_symtab *t)
{
    hs_sym *tmp = malloc((size_t)t->n * sizeof *tmp), *src = t->syms, *dst = tmp;
    if (!tmp) return -1;
    uint64_t any = 0, all = UINT64_MAX;
    for (uint32_t i = 0; i < t->n; i++)
        any |= t->syms[i].addr, all &= t->syms[i].addr;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        if (!((any ^ all) >> shift & 0xff)) continue;
        uint32_t at[257] = {0};
        for (uint32_t i = 0; i < t->n; i++)
            at[(src[i].addr >> shift & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            at[b + 1] += at[b];
        for (uint32_t i = 0; i < t->n; i++)
            dst[at[src[i].addr >> shift & 0xff]++] = src[i];
        hs_sym *x = src;
        src = dst, dst = x;
    }
    if (src != t->syms) memcpy(t->syms, src, (size_t)t->n * sizeof *src);
    free(tmp);
    return 0;
}

int hs_symtab_finish(hs_symtab *t)
{
    if (t->sorted || !t->n) return 0;
    free(t->by_name); /* points into the order before sorting */
    t->by_name = NULL;
    if (!in_index_order(t) || radix_by_addr(t)) qsort(t->syms, t->n, sizeof *t->syms, by_addr);
    t->max_end = malloc((size_t)t->n * sizeof *t->max_end);
    if (!t->max_end) return -1;
    uint64_t end = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        const hs_sym *s = &t->syms[i];
        uint64_t e = s->addr + s->size < s->addr ? UINT64_MAX : s->addr + s->size;
        if (s->size && e > end) end = e;
        t->max_end[i] = end;
    }
    t->sorted = 1;
    return 0;
}

/* Index of the first symbol starting above addr. */
static uint32_t upper(const hs_symtab *t, uint64_t addr)
{
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* libdwfl's preference: global and weak before local, then the nearest
 * start, then global before weak, then the first in the file. */
static int better(const hs_sym *s, const hs_sym *than)
{
    if ((s->rank == 2) != (than->rank == 2)) return than->rank == 2;
    if (s->addr != than->addr) return s->addr > than->addr;
    if (s->rank != than->rank) return s->rank < than->rank;
    return s->index < than->index;
}

/* The nearest sizeless symbol at or below addr (among those at one address,
 * the best) if no sized symbol starting at or below addr ends above it. */
static const hs_sym *label(const hs_symtab *t, uint32_t hi, uint64_t addr, unsigned mask)
{
    const hs_sym *best = NULL;
    for (uint32_t i = hi, steps = 0; i > 0 && steps < LABEL_STEPS; i--, steps++) {
        const hs_sym *s = &t->syms[i - 1];
        if (best && s->addr != best->addr) break;
        if (s->size || !(s->kind & mask)) continue;
        if (!best || better(s, best)) best = s;
    }
    return best && t->max_end[hi - 1] <= best->addr ? best : NULL;
}

const hs_sym *hs_symtab_at(const hs_symtab *t, uint64_t addr, unsigned mask)
{
    if (!t->sorted) return NULL;
    uint32_t hi = upper(t, addr);
    const hs_sym *best = NULL;
    for (uint32_t i = hi; i > 0 && t->max_end[i - 1] > addr; i--) {
        const hs_sym *s = &t->syms[i - 1];
        if ((s->kind & mask) && s->size && addr - s->addr < s->size && (!best || better(s, best)))
            best = s;
    }
    if (best || !hi) return best;
    const hs_sym *l = label(t, hi, addr, mask);
    /* A label names the code after it; data only exactly where it is. */
    return l && (l->addr == addr || (mask & (HS_SYM_FUNC | HS_SYM_LABEL))) ? l : NULL;
}

static int by_name(const void *a, const void *b)
{
    const hs_sym *x = *(const hs_sym *const *)a, *y = *(const hs_sym *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* The lowest-index symbol called name, by looking at each. */
static const hs_sym *scan_named(const hs_symtab *t, const char *name)
{
    const hs_sym *best = NULL;
    for (uint32_t i = 0; i < t->n; i++)
        if (strcmp(t->syms[i].name, name) == 0 && (!best || t->syms[i].index < best->index))
            best = &t->syms[i];
    return best;
}

const hs_sym *hs_symtab_named(hs_symtab *t, const char *name)
{
    if (!t->n) return NULL;
    /* A core asks for one or two names: sorting every name would cost more. */
    if (!t->by_name && ++t->named_lookups <= 4) return scan_named(t, name);
    if (!t->by_name) {
        t->by_name = malloc((size_t)t->n * sizeof *t->by_name);
        if (!t->by_name) return NULL;
        for (uint32_t i = 0; i < t->n; i++)
            t->by_name[i] = &t->syms[i];
        qsort(t->by_name, t->n, sizeof *t->by_name, by_name);
    }
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(t->by_name[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && strcmp(t->by_name[lo]->name, name) == 0 ? t->by_name[lo] : NULL;
}
