/* Symbol tables sorted by address with running maximum ends (symtab.h).
 * A lookup binary-searches the last symbol starting at or below the
 * address and walks back only while some symbol at or before the current
 * one still reaches past the address (max_end), so nested and overlapping
 * symbols cost a few steps and disjoint ones none. */
#include "symtab.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

enum {
    LABEL_STEPS = 64, /* how far back a sizeless label is looked for */
    SCAN_LOOKUPS = 8 /* lookups answered by a pass before the table is sorted */
};

void hs_symtab_init(hs_symtab *t)
{
    memset(t, 0, sizeof *t);
}

/* A module's symbol section read in place: libc's 8,000 symbols need not
 * be copied (140 fresh pages: a third of a small core's page faults) to
 * answer the one or two lookups most modules get. */
struct hs_symtab_raw {
    const Elf64_Sym *syms;
    uint32_t n; /* entries, the null one at 0 included */
    const char *strs;
    size_t strs_size;
    uint8_t *loaded; /* per section index: SHF_ALLOC (libdwfl biases only those) */
    size_t nsec;
    uint64_t bias;
};

static void raw_free(hs_symtab *t)
{
    if (t->raw) free(t->raw->loaded);
    free(t->raw);
    t->raw = NULL;
}

void hs_symtab_free(hs_symtab *t)
{
    free(t->syms);
    free(t->max_end);
    free(t->by_name);
    raw_free(t);
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

/* The symbol kept for sym, or 0 for one without a name, undefined, or not
 * an address of anything. */
static int keep(const GElf_Sym *sym, uint64_t addr, uint32_t index, const char *name, hs_sym *out)
{
    int kind = kind_of(GELF_ST_TYPE(sym->st_info)), bind = GELF_ST_BIND(sym->st_info);
    if (!name || !*name || sym->st_shndx == SHN_UNDEF || !kind) return 0;
    uint8_t rank = bind == STB_WEAK ? 1 : bind == STB_LOCAL ? 2 : 0;
    *out = (hs_sym){addr, sym->st_size, name, index, (uint8_t)kind, rank};
    return 1;
}

static int push(hs_symtab *t, const hs_sym *s)
{
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        hs_sym *v = realloc(t->syms, (size_t)cap * sizeof *v);
        if (!v) return -1;
        t->syms = v, t->cap = cap;
    }
    t->syms[t->n++] = *s;
    return 0;
}

int hs_symtab_add(hs_symtab *t, uint64_t addr, const GElf_Sym *sym, uint32_t index,
                  const char *name)
{
    hs_sym s;
    return keep(sym, addr, index, name, &s) ? push(t, &s) : 0;
}

/* Entry i of the section as hs_symtab_add would keep it, by libdwfl's rule
 * for addresses (symbols in a loaded section are biased; SHN_ABS,
 * SHN_COMMON and the like are not). A pass looking for symbols at or below
 * max_addr, or called name (if not NULL), skips the others first. */
static int raw_sym(const hs_symtab_raw *r, uint32_t i, uint64_t max_addr, const char *name,
                   hs_sym *out)
{
    const Elf64_Sym *e = &r->syms[i];
    uint64_t addr = e->st_value;
    if (e->st_shndx != SHN_UNDEF && e->st_shndx < SHN_LORESERVE &&
        (e->st_shndx >= r->nsec || r->loaded[e->st_shndx]))
        addr += r->bias;
    if (addr > max_addr || e->st_name >= r->strs_size) return 0;
    const char *s = r->strs + e->st_name;
    if (name && (s[0] != name[0] || strcmp(s, name) != 0)) return 0;
    return keep(e, addr, i, s, out);
}

/* The symbols still in the section copied into syms, in the file's order. */
static int materialize(hs_symtab *t)
{
    hs_symtab_raw *r = t->raw;
    if (!r) return 0;
    if (!t->syms) { /* one allocation instead of doublings */
        if (!(t->syms = malloc((size_t)r->n * sizeof *t->syms))) return -1;
        t->cap = r->n;
    }
    hs_sym s;
    for (uint32_t i = 1; i < r->n; i++)
        if (raw_sym(r, i, UINT64_MAX, NULL, &s) && push(t, &s)) {
            t->n = 0; /* still all in the section */
            return -1;
        }
    raw_free(t);
    return 0;
}

/* Symbols one by one, wherever they are (*at = 0 to begin), NULL at the
 * end; from the section only those raw_sym's filter lets through. One from
 * the section lives in *tmp until the next call. */
static const hs_sym *next_sym(const hs_symtab *t, uint32_t *at, uint64_t max_addr,
                              const char *name, hs_sym *tmp)
{
    if (!t->raw) return *at < t->n ? &t->syms[(*at)++] : NULL;
    while (*at + 1 < t->raw->n)
        if (raw_sym(t->raw, ++*at, max_addr, name, tmp)) return tmp;
    return NULL;
}

const hs_sym *hs_symtab_entries(hs_symtab *t, uint32_t *n)
{
    *n = materialize(t) ? 0 : t->n;
    return *n ? t->syms : NULL;
}

/* The symbol table section of elf holding exactly n entries (libdwfl's
 * table when it has no auxiliary one), or NULL. */
static Elf_Scn *table_of(Elf *elf, int n)
{
    Elf_Scn *dyn = NULL;
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || sh.sh_size / sh.sh_entsize != (uint64_t)n)
            continue;
        if (sh.sh_type == SHT_SYMTAB) return scn;
        if (sh.sh_type == SHT_DYNSYM) dyn = scn;
    }
    return dyn;
}

/* Per section index: 1 if it is loaded (SHF_ALLOC), as libdwfl biases only
 * such symbols. NULL when out of memory. */
static uint8_t *alloc_sections(Elf *elf, size_t *nsec)
{
    if (elf_getshdrnum(elf, nsec) || !*nsec) return NULL;
    uint8_t *a = calloc(*nsec, 1);
    for (size_t i = 1; a && i < *nsec; i++) {
        GElf_Shdr sh;
        Elf_Scn *scn = elf_getscn(elf, i);
        a[i] = !scn || !gelf_getshdr(scn, &sh) || (sh.sh_flags & SHF_ALLOC);
    }
    return a;
}

/* libdwfl's dwfl_module_getsym_info costs ~300 instructions a symbol (a
 * section header looked up and an ebl hook called for each); libc has 8,000
 * symbols and a small core's lookups were half of heapscan's instructions.
 * Where libdwfl's table is one 64-bit section of a shared object or
 * executable (no minidebuginfo auxiliary table, no extended section
 * indices, a terminated string table), it is kept where it is (on x86-64
 * and aarch64 no symbol value needs resolving). */
int hs_symtab_add_module_direct(hs_symtab *t, Dwfl_Module *mod, int n)
{
    GElf_Sym first;
    GElf_Addr first_addr;
    Elf *elf = NULL;
    Dwarf_Addr bias = 0;
    if (t->n || t->raw || n < 2 ||
        !dwfl_module_getsym_info(mod, 1, &first, &first_addr, NULL, &elf, &bias) || !elf)
        return 0;
    GElf_Ehdr eh;
    Elf_Scn *scn = gelf_getehdr(elf, &eh) && gelf_getclass(elf) == ELFCLASS64 &&
                           (eh.e_type == ET_DYN || eh.e_type == ET_EXEC) &&
                           (eh.e_machine == EM_X86_64 || eh.e_machine == EM_AARCH64)
                       ? table_of(elf, n)
                       : NULL;
    GElf_Shdr sh;
    Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
    Elf_Scn *str = scn && gelf_getshdr(scn, &sh) ? elf_getscn(elf, sh.sh_link) : NULL;
    Elf_Data *strs = str ? elf_getdata(str, NULL) : NULL;
    if (!data || !strs || !strs->d_size || ((const char *)strs->d_buf)[strs->d_size - 1] ||
        data->d_size < (size_t)n * sizeof(Elf64_Sym))
        return 0;
    const Elf64_Sym *syms = data->d_buf;
    for (int i = 1; i < n; i++)
        if (syms[i].st_shndx == SHN_XINDEX) return 0; /* libdwfl's path knows these */
    hs_symtab_raw *r = calloc(1, sizeof *r);
    if (!r) return -1;
    *r = (hs_symtab_raw){syms, (uint32_t)n, strs->d_buf, strs->d_size, NULL, 0, bias};
    if (!(r->loaded = alloc_sections(elf, &r->nsec))) {
        free(r);
        return 0;
    }
    t->raw = r;
    return 1;
}

int hs_symtab_add_module(hs_symtab *t, Dwfl_Module *mod)
{
    int n = dwfl_module_getsymtab(mod), direct = hs_symtab_add_module_direct(t, mod, n);
    if (direct) return direct < 0 ? -1 : 0;
    return hs_symtab_add_module_libdwfl(t, mod);
}

int hs_symtab_add_module_libdwfl(hs_symtab *t, Dwfl_Module *mod)
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
    if (materialize(t)) return -1;
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

/* hs_symtab_at's answer for HS_SYM_ANY by one pass over the symbols in
 * the order added, for the first few lookups of a table (most modules are
 * asked once or twice: a thread's PC, a root's name), where sorting costs
 * ~50 passes. The same rule: the best sized symbol containing addr; else,
 * if no sized symbol at or below addr ends above the highest address T at
 * or below it, the best of the (then sizeless) symbols at T. The sorted
 * walk looks at LABEL_STEPS of those at most: with more, -1 (undecided).
 * 1 with the answer in *out, 0 none. */
static int scan_at(const hs_symtab *t, uint64_t addr, hs_sym *out)
{
    hs_sym best = {0}, label = {0}, tmp;
    int have_best = 0, have_label = 0;
    uint64_t top = 0, max_end = 0;
    uint32_t at_top = 0, at = 0;
    for (const hs_sym *s; (s = next_sym(t, &at, addr, NULL, &tmp));) {
        if (s->addr > addr) continue;
        uint64_t e = s->addr + s->size < s->addr ? UINT64_MAX : s->addr + s->size;
        if (s->size) {
            if (e > max_end) max_end = e;
            if (addr - s->addr < s->size && (!have_best || better(s, &best))) best = *s, have_best = 1;
        }
        if (!at_top || s->addr > top) top = s->addr, at_top = 0, have_label = 0;
        if (s->addr != top) continue;
        at_top++;
        if (!s->size && (!have_label || better(s, &label))) label = *s, have_label = 1;
    }
    if (have_best) *out = best;
    if (have_best || !at_top || max_end > top) return have_best;
    if (at_top > LABEL_STEPS) return -1;
    *out = label;
    return have_label;
}

const hs_sym *hs_symtab_lookup(hs_symtab *t, uint64_t addr, unsigned mask)
{
    if (!t->sorted && mask == HS_SYM_ANY && t->scans < SCAN_LOOKUPS) {
        t->scans++;
        int r = scan_at(t, addr, &t->found);
        if (r >= 0) return r ? &t->found : NULL;
    }
    return hs_symtab_finish(t) == 0 ? hs_symtab_at(t, addr, mask) : NULL;
}

static int by_name(const void *a, const void *b)
{
    const hs_sym *x = *(const hs_sym *const *)a, *y = *(const hs_sym *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* The lowest-index symbol called name, by looking at each (into t->found). */
static const hs_sym *scan_named(hs_symtab *t, const char *name)
{
    hs_sym tmp;
    int have = 0;
    uint32_t at = 0;
    for (const hs_sym *s; (s = next_sym(t, &at, UINT64_MAX, name, &tmp));)
        if (strcmp(s->name, name) == 0 && (!have || s->index < t->found.index))
            t->found = *s, have = 1;
    return have ? &t->found : NULL;
}

const hs_sym *hs_symtab_named(hs_symtab *t, const char *name)
{
    if (!t->n && !t->raw) return NULL;
    /* A core asks for one or two names: sorting every name would cost more. */
    if (!t->by_name && ++t->named_lookups <= 4) return scan_named(t, name);
    if (materialize(t) || !t->n) return NULL;
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
