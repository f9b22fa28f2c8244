/* A libdwfl session over files a process had mapped (see dwmod.h). The
 * load bias of a file is the distance between where its first page was
 * mapped and its lowest PT_LOAD address; ET_EXEC files are never moved. */
#include "dwmod.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libdwfl looks an address up by scanning the whole symbol table, which
 * for a profile's tens of thousands of addresses in a program of thousands
 * of functions took seconds; each module's sized function symbols are
 * sorted once here instead. Among symbols at one address a global one is
 * preferred, as libdwfl prefers it. */
typedef struct dw_sym {
    uint64_t addr, size;
    const char *name;
    uint32_t rank; /* 0 global, 1 weak, 2 local */
} dw_sym;

typedef struct dw_table {
    Dwfl_Module *mod;
    dw_sym *syms; /* by address, then rank; NULL: use libdwfl's lookup */
    uint32_t n;
} dw_table;

struct hs_dwmod {
    Dwfl_Callbacks cb; /* dwfl keeps a pointer to it: lives as long as the Dwfl */
    char *debug_path;
    Dwfl *dwfl;
    dw_table *tables;
    uint32_t n_tables, cap_tables;
};

hs_dwmod *hs_dwmod_begin(const hs_load_options *opt)
{
    hs_dwmod *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    const char *dd = opt && opt->debug_dir ? opt->debug_dir : "";
    size_t len = strlen(dd) + 64;
    m->debug_path = malloc(len);
    if (!m->debug_path) {
        free(m);
        return NULL;
    }
    snprintf(m->debug_path, len, "-:.debug:/usr/lib/debug%s%s", *dd ? ":" : "", dd);
    m->cb.find_elf = dwfl_build_id_find_elf;
    m->cb.find_debuginfo = dwfl_standard_find_debuginfo;
    m->cb.debuginfo_path = &m->debug_path;
    m->dwfl = dwfl_begin(&m->cb);
    if (!m->dwfl) {
        free(m->debug_path);
        free(m);
        return NULL;
    }
    return m;
}

Dwfl *hs_dwmod_dwfl(const hs_dwmod *m)
{
    return m->dwfl;
}

void hs_dwmod_end(hs_dwmod *m)
{
    if (!m) return;
    dwfl_end(m->dwfl);
    for (uint32_t i = 0; i < m->n_tables; i++)
        free(m->tables[i].syms);
    free(m->tables);
    free(m->debug_path);
    free(m);
}

/* The lowest PT_LOAD address of the ELF file on fd, and whether it is
 * ET_EXEC; -1 when it is not an ELF file with loadable segments. */
static int first_load(int fd, uint64_t *first, int *is_exec)
{
    Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    size_t np = 0;
    GElf_Ehdr eh;
    int ok = e && gelf_getehdr(e, &eh) && elf_getphdrnum(e, &np) == 0;
    *first = UINT64_MAX;
    for (size_t k = 0; ok && k < np; k++) {
        GElf_Phdr ph;
        if (gelf_getphdr(e, (int)k, &ph) && ph.p_type == PT_LOAD && ph.p_vaddr < *first)
            *first = ph.p_vaddr;
    }
    if (ok) *is_exec = eh.e_type == ET_EXEC;
    if (e) elf_end(e);
    return ok && *first != UINT64_MAX ? 0 : -1;
}

/* Report path with its first page at start, or as linked. */
static int report(hs_dwmod *m, const char *name, const char *path, int linked, uint64_t start)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    uint64_t first = 0;
    int is_exec = 0;
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && first_load(fd, &first, &is_exec) == 0;
    close(fd);
    if (!ok) return 0;
    uint64_t bias = is_exec || linked ? 0 : start - (first & ~0xfffull);
    return dwfl_report_elf(m->dwfl, name, path, -1, bias, false) != NULL;
}

int hs_dwmod_report_mapped(hs_dwmod *m, const hs_load_options *opt, const char *name,
                           int is_program, uint64_t start)
{
    char path[4096];
    if (is_program && opt->binary)
        snprintf(path, sizeof path, "%s", opt->binary);
    else
        snprintf(path, sizeof path, "%s%s", opt->sysroot ? opt->sysroot : "", name);
    const char *base = strrchr(name, '/');
    return report(m, base ? base + 1 : name, path, 0, start);
}

int hs_dwmod_report_linked(hs_dwmod *m, const char *name, const char *path)
{
    return report(m, name, path, 1, 0);
}

static int by_addr_rank(const void *a, const void *b)
{
    const dw_sym *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static void build_table(dw_table *t)
{
    int n = dwfl_module_getsymtab(t->mod);
    t->syms = n > 1 ? malloc((size_t)n * sizeof *t->syms) : NULL;
    if (!t->syms) return;
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(t->mod, i, &sym, &addr, NULL, NULL, NULL);
        int type = GELF_ST_TYPE(sym.st_info), bind = GELF_ST_BIND(sym.st_info);
        if (!name || !*name || sym.st_shndx == SHN_UNDEF || sym.st_size == 0 ||
            (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE))
            continue;
        uint32_t rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
        t->syms[t->n++] = (dw_sym){addr, sym.st_size, name, rank};
    }
    qsort(t->syms, t->n, sizeof *t->syms, by_addr_rank);
}

static dw_table *table_of(hs_dwmod *m, Dwfl_Module *mod)
{
    for (uint32_t i = 0; i < m->n_tables; i++)
        if (m->tables[i].mod == mod) return &m->tables[i];
    if (m->n_tables == m->cap_tables) {
        uint32_t cap = m->cap_tables ? m->cap_tables * 2 : 8;
        dw_table *t = realloc(m->tables, (size_t)cap * sizeof *t);
        if (!t) return NULL;
        m->tables = t;
        m->cap_tables = cap;
    }
    dw_table *t = &m->tables[m->n_tables++];
    *t = (dw_table){mod, NULL, 0};
    build_table(t);
    return t;
}

/* The best symbol starting at the last symbol address <= addr that holds
 * addr; NULL when that one does not (nested or no symbols: ask libdwfl). */
static const char *sorted_lookup(const dw_table *t, uint64_t addr)
{
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    uint32_t i = lo - 1;
    while (i > 0 && t->syms[i - 1].addr == t->syms[i].addr)
        i--;
    for (; i < t->n && t->syms[i].addr <= addr; i++)
        if (addr - t->syms[i].addr < t->syms[i].size) return t->syms[i].name;
    return NULL;
}

int hs_dwmod_lookup(hs_dwmod *m, uint64_t addr, hs_dwmod_symbol *out)
{
    memset(out, 0, sizeof *out);
    Dwfl_Module *mod = dwfl_addrmodule(m->dwfl, addr);
    if (!mod) return 0;
    const dw_table *t = table_of(m, mod);
    out->name = t && t->syms ? sorted_lookup(t, addr) : NULL;
    if (!out->name) {
        GElf_Off off;
        GElf_Sym sym;
        out->name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
    }
    if (!out->name) return 0;
    Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
    if (line) out->file = dwfl_lineinfo(line, NULL, &out->line, NULL, NULL, NULL);
    if (!out->file) out->line = 0;
    return 1;
}
