/* A libdwfl session over files a process had mapped (see dwmod.h). The
 * load bias of a file is the distance between where its first page was
 * mapped and its lowest PT_LOAD address; ET_EXEC files are never moved. */
#include "dwmod.h"
#include "symtab.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libdwfl looks an address up by scanning the whole symbol table, which
 * for a profile's tens of thousands of addresses, or a core's thousands of
 * root words, in a program of thousands of symbols took seconds; each
 * module's symbols are sorted once into an hs_symtab instead (symtab.h),
 * built on the first lookup in that module. */
typedef struct dw_table {
    Dwfl_Module *mod;
    hs_symtab syms;
} dw_table;

struct hs_dwmod {
    Dwfl_Callbacks cb; /* dwfl keeps a pointer to it: lives as long as the Dwfl */
    char *debug_path;
    Dwfl *dwfl;
    dw_table **tables; /* each allocated alone: a table does not move */
    uint32_t n_tables, cap_tables;
};

/* Whether path opens a regular file other than the one with st (a
 * .gnu_debuglink may name its own file); its descriptor, else -1. */
static int open_other(const char *path, const struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat o;
    if (fd >= 0 && (fstat(fd, &o) != 0 || !S_ISREG(o.st_mode) ||
                    (st && o.st_dev == st->st_dev && o.st_ino == st->st_ino))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* The debug file called link for the file in directory dir, looked for
 * where libdwfl looks: for each entry E of the search path, dir/link when E
 * is empty, dir/E/link when E is relative, E/dir/link and E/link when it is
 * absolute. */
static int by_debuglink(const char *search, const char *dir, const char *link,
                        const struct stat *st, char **found)
{
    char path[4096];
    const char *e = *search == '-' ? search + 1 : search; /* '-': no CRC check */
    for (; e; e = strchr(e, ':') ? strchr(e, ':') + 1 : NULL) {
        int len = (int)strcspn(e, ":");
        for (int k = 0; k < (e[0] == '/' ? 2 : 1); k++) {
            if (e[0] == '/' && !k && dir[0] != '/') continue; /* E/dir needs an absolute dir */
            if (e[0] == '/')
                snprintf(path, sizeof path, "%.*s%s/%s", len, e, k ? "" : dir, link);
            else
                snprintf(path, sizeof path, "%s/%.*s%s%s", dir, len, e, len ? "/" : "", link);
            int fd = open_other(path, st);
            if (fd >= 0) {
                *found = strdup(path);
                return fd;
            }
        }
    }
    return -1;
}

/* libdwfl's find_debuginfo without its last step: debug files are looked
 * for on this machine only (by build ID under each debug directory, then
 * by .gnu_debuglink name next to the file and its resolved path).
 * dwfl_standard_find_debuginfo then asks debuginfod servers, and libdw
 * 0.188 loads libdebuginfod (libcurl, GnuTLS) as soon as one module has
 * no local debug file, servers or not: 15 ms of a small core's 35, and a
 * network fetch where DEBUGINFOD_URLS is set, while heapscan reads only
 * local files (README, Security). */
static int find_debuginfo(Dwfl_Module *mod, void **ud, const char *modname, GElf_Addr base,
                          const char *file, const char *link, GElf_Word crc, char **found)
{
    int fd = dwfl_build_id_find_debuginfo(mod, ud, modname, base, file, link, crc, found);
    const hs_dwmod *m = *ud; /* set by hs_dwmod_report_end */
    if (fd >= 0 || !m || !link || !file) return fd;
    struct stat st;
    int have = stat(file, &st) == 0;
    char *names[2] = {strdup(file), realpath(file, NULL)};
    for (int k = 0; k < 2 && fd < 0; k++) {
        char *slash = names[k] ? strrchr(names[k], '/') : NULL;
        if (!slash || (k && strcmp(names[0] ? names[0] : "", names[1]) == 0)) continue;
        *slash = 0;
        fd = by_debuglink(m->debug_path, names[k], link, have ? &st : NULL, found);
    }
    free(names[0]);
    free(names[1]);
    return fd;
}

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
    m->cb.find_debuginfo = find_debuginfo;
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

static int own_module(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
    *ud = arg;
    return DWARF_CB_OK;
}

void hs_dwmod_report_end(hs_dwmod *m)
{
    dwfl_report_end(m->dwfl, NULL, NULL);
    dwfl_getmodules(m->dwfl, own_module, m, 0);
}

void hs_dwmod_end(hs_dwmod *m)
{
    if (!m) return;
    dwfl_end(m->dwfl);
    for (uint32_t i = 0; i < m->n_tables; i++) {
        hs_symtab_free(&m->tables[i]->syms);
        free(m->tables[i]);
    }
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

hs_symtab *hs_dwmod_symtab(hs_dwmod *m, Dwfl_Module *mod)
{
    for (uint32_t i = 0; i < m->n_tables; i++)
        if (m->tables[i]->mod == mod) return &m->tables[i]->syms;
    if (m->n_tables == m->cap_tables) {
        uint32_t cap = m->cap_tables ? m->cap_tables * 2 : 8;
        dw_table **v = realloc(m->tables, (size_t)cap * sizeof *v);
        if (!v) return NULL;
        m->tables = v;
        m->cap_tables = cap;
    }
    dw_table *t = malloc(sizeof *t);
    if (!t) return NULL;
    t->mod = mod;
    hs_symtab_init(&t->syms);
    if (hs_symtab_add_module(&t->syms, mod)) {
        hs_symtab_free(&t->syms);
        free(t);
        return NULL;
    }
    m->tables[m->n_tables++] = t;
    return &t->syms;
}

/* The symbol table of the module holding addr, or NULL. */
static hs_symtab *table_at(hs_dwmod *m, uint64_t addr, Dwfl_Module **mod)
{
    *mod = dwfl_addrmodule(m->dwfl, addr);
    return *mod ? hs_dwmod_symtab(m, *mod) : NULL;
}

const hs_sym *hs_dwmod_symbol_at(hs_dwmod *m, uint64_t addr, unsigned mask)
{
    Dwfl_Module *mod;
    hs_symtab *t = table_at(m, addr, &mod);
    return t ? hs_symtab_lookup(t, addr, mask) : NULL;
}

typedef struct named_iter {
    hs_dwmod *m;
    const char *name;
    const hs_sym *found;
} named_iter;

static int named_in(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
    named_iter *it = arg;
    hs_symtab *t = hs_dwmod_symtab(it->m, mod);
    it->found = t ? hs_symtab_named(t, it->name) : NULL;
    return it->found ? DWARF_CB_ABORT : DWARF_CB_OK;
}

const hs_sym *hs_dwmod_named(hs_dwmod *m, const char *name)
{
    named_iter it = {m, name, NULL};
    dwfl_getmodules(m->dwfl, named_in, &it, 0);
    return it.found;
}

const hs_sym *hs_dwmod_named_at(hs_dwmod *m, uint64_t addr, const char *name)
{
    Dwfl_Module *mod = dwfl_addrmodule(m->dwfl, addr);
    hs_symtab *t = mod ? hs_dwmod_symtab(m, mod) : NULL;
    return t ? hs_symtab_named(t, name) : NULL;
}

int hs_dwmod_lookup(hs_dwmod *m, uint64_t addr, hs_dwmod_symbol *out)
{
    memset(out, 0, sizeof *out);
    Dwfl_Module *mod;
    hs_symtab *t = table_at(m, addr, &mod);
    const hs_sym *sym = t ? hs_symtab_lookup(t, addr, HS_SYM_ANY) : NULL;
    if (!sym) return 0;
    out->name = sym->name;
    Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
    if (line) out->file = dwfl_lineinfo(line, NULL, &out->line, NULL, NULL, NULL);
    if (!out->file) out->line = 0;
    return 1;
}
