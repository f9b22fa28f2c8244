/* ELF core reader: x86-64 and aarch64 Linux cores (kernel or gdb gcore) to
 * the heap model. libelf gives the program headers; notes are parsed here
 * with explicit bounds; libdwfl reports the executable and shared libraries
 * (dwfl_core_file_report, or NT_FILE + --sysroot) for symbols. The memory
 * map is the PT_LOAD list sorted by address; a byte is readable only if its
 * segment really holds it in the file, so truncated cores and undumped pages
 * read as absent and are counted, never guessed. The allocator walkers
 * that recognise the process (walker.h) add the objects; this file adds
 * references and roots, scanning each object as its walker says. */
#include "elfcore.h"
#include "demangle.h"
#include "dwmod.h"
#include "walker.h"
#include "ctypes.h"
#include "cxxshapes.h"
#include "model/heap_build.h"
#include "model/mem.h"

#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif
#ifndef NT_SIGINFO
#define NT_SIGINFO 0x53494749
#endif

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int probe(const uint8_t *d, size_t n)
{
    if (n < 64 || memcmp(d, "\177ELF", 4) != 0) return 0;
    uint16_t type = (uint16_t)(d[16] | d[17] << 8);
    return type == ET_CORE ? 100 : 5;
}

/* ---- memory map ---- */

static int cmp_seg(const void *a, const void *b)
{
    const hs_core_seg *x = a, *y = b;
    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

uint32_t hs_core_seg_of(const hs_core *c, uint64_t addr)
{
    uint32_t lo = 0, hi = c->n_segs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->segs[mid].vaddr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return HS_NONE;
    const hs_core_seg *s = &c->segs[lo - 1];
    return addr - s->vaddr < s->memsz ? lo - 1 : HS_NONE;
}

const uint8_t *hs_core_ptr(const hs_core *c, uint64_t addr, uint64_t len)
{
    uint32_t i = hs_core_seg_of(c, addr);
    if (i == HS_NONE) return NULL;
    const hs_core_seg *s = &c->segs[i];
    uint64_t off = addr - s->vaddr;
    if (off > s->avail || len > s->avail - off) return NULL;
    return c->data + s->offset + off;
}

void hs_core_window_move_(const hs_core *c, hs_core_window *w, const uint8_t *p)
{
    if (!c->src || p < c->data || p > c->data + c->size) return;
    size_t off = (size_t)(p - c->data);
    if (off < w->mark) w->mark = off; /* another segment, earlier in the file */
    if (off - w->mark < HS_CORE_WINDOW) return;
    hs_source_release(c->src, w->mark, off - w->mark);
    w->mark = off;
}

void hs_core_release_all(const hs_core *c)
{
    if (c->src) hs_source_release(c->src, 0, c->size);
}

int hs_core_read64(const hs_core *c, uint64_t addr, uint64_t *out)
{
    const uint8_t *p = hs_core_ptr(c, addr, 8);
    if (!p) return -1;
    *out = le64(p);
    return 0;
}

int hs_core_read_mapped(const hs_core *c, uint64_t addr, void *buf, uint64_t len)
{
    const uint8_t *p = hs_core_ptr(c, addr, len);
    if (p) {
        memcpy(buf, p, len);
        return 0;
    }
    Dwfl_Module *m = c->dwfl ? dwfl_addrmodule(c->dwfl, addr) : NULL;
    Dwarf_Addr bias, a = addr;
    Elf_Scn *scn = m ? dwfl_module_address_section(m, &a, &bias) : NULL;
    GElf_Shdr sh;
    if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS) return -1;
    Elf_Data *d = elf_getdata(scn, NULL); /* a is now the offset in the section */
    if (!d || !d->d_buf || a > d->d_size || len > d->d_size - a) return -1;
    memcpy(buf, (const uint8_t *)d->d_buf + a, len);
    return 0;
}

static int read_segments(hs_core *c, Elf *elf, hs_error *err)
{
    size_t n;
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &n) != 0)
        return hs_error_set(err, c->name, 32, "cannot read program headers: %s", elf_errmsg(-1));
    if (eh.e_phnum != PN_XNUM) n = eh.e_phnum; /* libelf shrinks the count when cut */
    if (eh.e_phoff > c->size || n > (c->size - eh.e_phoff) / sizeof(Elf64_Phdr))
        return hs_error_set(err, c->name, eh.e_phoff,
                            "program headers cut off: %zu headers do not fit in %zu bytes "
                            "(core truncated)",
                            n, c->size);
    c->segs = calloc(n ? n : 1, sizeof *c->segs);
    if (!c->segs) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        hs_core_seg *s = &c->segs[c->n_segs++];
        s->vaddr = ph.p_vaddr;
        s->memsz = ph.p_memsz;
        s->offset = ph.p_offset;
        s->filesz = ph.p_filesz < ph.p_memsz ? ph.p_filesz : ph.p_memsz;
        s->avail = s->filesz;
        if (s->offset >= c->size)
            s->avail = 0;
        else if (s->filesz > c->size - s->offset)
            s->avail = c->size - s->offset;
        if (s->avail < s->filesz) {
            c->truncated_segs++;
            c->missing_bytes += s->filesz - s->avail;
        }
        s->flags = (ph.p_flags & PF_R ? HS_CORE_SEG_R : 0) |
                   (ph.p_flags & PF_W ? HS_CORE_SEG_W : 0) |
                   (ph.p_flags & PF_X ? HS_CORE_SEG_X : 0);
        s->file = HS_NONE;
    }
    if (c->n_segs > 1) qsort(c->segs, c->n_segs, sizeof *c->segs, cmp_seg);
    return 0;
}

/* ---- notes ---- */

static void note_prstatus(hs_core *c, const uint8_t *d, uint64_t n)
{
    unsigned nregs = c->machine == EM_X86_64 ? 27 : 34;
    if (n < 112 + 8 * (uint64_t)nregs) return;
    hs_core_thread *t = realloc(c->threads, (c->n_threads + 1) * sizeof *t);
    if (!t) return;
    c->threads = t;
    t = &c->threads[c->n_threads++];
    memset(t, 0, sizeof *t);
    t->tid = (int32_t)le32(d + 32);
    t->cursig = (int16_t)(d[12] | d[13] << 8);
    t->n_regs = nregs;
    for (unsigned i = 0; i < nregs; i++)
        t->regs[i] = le64(d + 112 + 8 * i);
    if (c->machine == EM_X86_64)
        t->pc = t->regs[16], t->sp = t->regs[19];
    else
        t->sp = t->regs[31], t->pc = t->regs[32];
}

static void note_file(hs_core *c, const uint8_t *d, uint64_t n)
{
    if (n < 16) return;
    uint64_t count = le64(d), page = le64(d + 8);
    if (count > (n - 16) / 24) return; /* each entry needs 24 bytes plus its name */
    c->files = calloc(count ? count : 1, sizeof *c->files);
    if (!c->files) return;
    const char *names = (const char *)d + 16 + 24 * count, *end = (const char *)d + n;
    for (uint64_t i = 0; i < count && names < end; i++) {
        const char *z = memchr(names, 0, (size_t)(end - names));
        if (!z) break;
        hs_core_file *f = &c->files[c->n_files++];
        f->start = le64(d + 16 + 24 * i);
        f->end = le64(d + 24 + 24 * i);
        f->file_offset = le64(d + 32 + 24 * i) * (page ? page : 1);
        f->name = names;
        names = z + 1;
    }
}

static void note_auxv(hs_core *c, const uint8_t *d, uint64_t n)
{
    for (uint64_t o = 0; o + 16 <= n; o += 16) {
        uint64_t t = le64(d + o), v = le64(d + o + 8);
        if (t == AT_NULL) break;
        if (t == AT_ENTRY) c->at_entry = v;
        if (t == AT_PHDR) c->at_phdr = v;
        if (t == AT_BASE) c->at_base = v;
        if (t == AT_PAGESZ) c->page_size = v;
        if (t == AT_EXECFN) c->at_execfn = v;
    }
}

static void copy_str(char *dst, const uint8_t *src, size_t n)
{
    memcpy(dst, src, n);
    dst[n] = 0;
    for (size_t i = n; i > 0 && (dst[i - 1] == ' ' || dst[i - 1] == 0); i--)
        dst[i - 1] = 0;
}

static void read_notes(hs_core *c, const uint8_t *p, uint64_t n)
{
    uint64_t o = 0;
    while (n - o >= 12) {
        uint32_t namesz = le32(p + o), descsz = le32(p + o + 4), type = le32(p + o + 8);
        uint64_t name_off = o + 12, desc_off = name_off + (((uint64_t)namesz + 3) & ~3ull);
        if (desc_off > n || descsz > n - desc_off) break;
        const uint8_t *d = p + desc_off;
        int core = namesz == 5 && memcmp(p + name_off, "CORE", 5) == 0;
        if (core && type == NT_PRSTATUS) note_prstatus(c, d, descsz);
        if (core && type == NT_PRPSINFO && descsz >= 136) {
            c->pid = (int32_t)le32(d + 24);
            copy_str(c->fname, d + 40, 16);
            copy_str(c->psargs, d + 56, 80);
        }
        if (core && type == NT_AUXV) note_auxv(c, d, descsz);
        if (core && type == NT_FILE && !c->files) note_file(c, d, descsz);
        if (core && type == NT_SIGINFO && descsz >= 24 && !c->signo) {
            c->signo = (int32_t)le32(d);
            c->sigcode = (int32_t)le32(d + 8);
            c->sigaddr = le64(d + 16);
        }
        o = desc_off + (((uint64_t)descsz + 3) & ~3ull);
    }
}

static void read_all_notes(hs_core *c, Elf *elf)
{
    size_t n;
    int seen = 0;
    if (elf_getphdrnum(elf, &n) != 0) return;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE) continue;
        seen = 1;
        if (ph.p_offset >= c->size || ph.p_filesz > c->size - ph.p_offset) {
            c->notes_missing = 1;
            continue;
        }
        read_notes(c, c->data + ph.p_offset, ph.p_filesz);
    }
    if (!seen) c->notes_missing = 1;
    /* Attach NT_FILE names to segments: the entry containing the segment start. */
    for (uint32_t s = 0; s < c->n_segs; s++)
        for (uint32_t f = 0; f < c->n_files; f++)
            if (c->segs[s].vaddr >= c->files[f].start && c->segs[s].vaddr < c->files[f].end)
                c->segs[s].file = f;
}

/* ---- modules (libdwfl) ---- */

static int report_from_files(hs_core *c, hs_dwmod *m, const hs_load_options *opt)
{
    int n = 0;
    for (uint32_t i = 0; i < c->n_files; i++) {
        const hs_core_file *f = &c->files[i];
        int dup = 0;
        for (uint32_t j = 0; j < i; j++)
            dup |= strcmp(c->files[j].name, f->name) == 0;
        if (dup || f->file_offset != 0) continue;
        int is_exe = c->at_entry >= f->start && c->at_entry < f->end;
        for (uint32_t j = 0; j < c->n_files && !is_exe; j++)
            is_exe = strcmp(c->files[j].name, f->name) == 0 && c->at_entry >= c->files[j].start &&
                     c->at_entry < c->files[j].end;
        n += hs_dwmod_report_mapped(m, opt, f->name, is_exe, f->start);
    }
    return n;
}

/* libdwfl opens the files a core names with a plain blocking open(); only
 * let it when each of them that exists is a regular file (a file's
 * mappings come one after another: each name is looked at once). */
static int named_files_are_regular(const hs_core *c)
{
    for (uint32_t i = 0; i < c->n_files; i++) {
        struct stat st;
        if (i && strcmp(c->files[i].name, c->files[i - 1].name) == 0) continue;
        if (stat(c->files[i].name, &st) == 0 && !S_ISREG(st.st_mode)) return 0;
    }
    return 1;
}

static void open_modules(hs_core *c, Elf *elf, const hs_load_options *opt)
{
    hs_dwmod *m = hs_dwmod_begin(opt);
    if (!m) return;
    Dwfl *dwfl = hs_dwmod_dwfl(m);
    dwfl_report_begin(dwfl);
    int n = 0;
    if (!opt->sysroot && named_files_are_regular(c))
        n = dwfl_core_file_report(dwfl, elf, opt->binary);
    if (n <= 0) {
        dwfl_report_begin(dwfl);
        n = report_from_files(c, m, opt);
    }
    hs_dwmod_report_end(m);
    c->dwfl = dwfl;
    c->dw_ctx_ = m;
    c->n_modules = n > 0 ? (uint32_t)n : 0;
}

const char *hs_core_symbol(const hs_core *c, uint64_t addr, uint64_t *start)
{
    const hs_sym *s = c->dw_ctx_ ? hs_dwmod_symbol_at(c->dw_ctx_, addr, HS_SYM_ANY) : NULL;
    if (!s || (s->size ? addr - s->addr >= s->size : addr != s->addr)) return NULL;
    if (start) *start = s->addr;
    return s->name;
}

uint64_t hs_core_lookup(const hs_core *c, const char *name)
{
    const hs_sym *s = c->dw_ctx_ ? hs_dwmod_named(c->dw_ctx_, name) : NULL;
    return s ? s->addr : 0;
}

uint64_t hs_core_lookup_at(const hs_core *c, uint64_t addr, const char *name)
{
    const hs_sym *s = c->dw_ctx_ && addr ? hs_dwmod_named_at(c->dw_ctx_, addr, name) : NULL;
    return s ? s->addr : 0;
}

uint64_t hs_core_lookup_exe(const hs_core *c, const char *name)
{
    return hs_core_lookup_at(c, c->at_entry, name);
}

/* Vtables by module, read on demand: every module's address range, each
 * marked once its _ZTV symbols are in vt (kept sorted by address; modules
 * do not overlap); a vptr is first looked up among the ranges, which most
 * heap words are not in. */
typedef struct hs_core_vtables {
    hs_heap *h;
    int raw_names; /* --demangle none: the vtable symbol as it is */
    int oom;
    hs_core_vtable *vt;
    uint32_t n, cap;
    struct vt_range {
        uint64_t lo, hi;
        Dwfl_Module *mod;
        int read; /* its vtables are in vt */
    } *ranges; /* every module's address range, sorted */
    uint32_t n_ranges, cap_ranges;
} hs_core_vtables;

static int vt_add(hs_core_vtables *v, const hs_sym *s)
{
    char buf[512];
    if (v->raw_names || hs_demangle_vtable(s->name, buf, sizeof buf))
        snprintf(buf, sizeof buf, "%s", s->name);
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 256;
        hs_core_vtable *n = realloc(v->vt, cap * sizeof *n);
        if (!n) return -1;
        v->vt = n, v->cap = cap;
    }
    uint32_t name = hs_heap_intern(v->h, buf, strlen(buf));
    if (name == HS_STR_NONE) return -1;
    v->vt[v->n++] = (hs_core_vtable){s->addr, s->size, name};
    return 0;
}

static int cmp_vt(const void *a, const void *b)
{
    const hs_core_vtable *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Reads the vtables of range r's module once. */
static void vt_module(const hs_core *c, hs_core_vtables *v, struct vt_range *r)
{
    if (r->read) return;
    r->read = 1;
    hs_symtab *t = hs_dwmod_symtab(c->dw_ctx_, r->mod);
    uint32_t n = 0, before = v->n;
    const hs_sym *syms = t ? hs_symtab_entries(t, &n) : NULL;
    if (!t) v->oom = 1;
    for (uint32_t i = 0; i < n && !v->oom; i++)
        if (syms[i].size >= 24 && strncmp(syms[i].name, "_ZTV", 4) == 0)
            v->oom = vt_add(v, &syms[i]) != 0;
    if (v->n > before) qsort(v->vt, v->n, sizeof *v->vt, cmp_vt);
}

static int vt_range(Dwfl_Module *m, void **ud, const char *name, Dwarf_Addr lo, void *arg)
{
    hs_core_vtables *v = arg;
    Dwarf_Addr start, end;
    (void)ud, (void)name, (void)lo;
    if (!dwfl_module_info(m, NULL, &start, &end, NULL, NULL, NULL, NULL) || end <= start)
        return DWARF_CB_OK;
    if (v->n_ranges == v->cap_ranges) {
        uint32_t cap = v->cap_ranges ? v->cap_ranges * 2 : 16;
        struct vt_range *n = realloc(v->ranges, cap * sizeof *n);
        if (!n) return v->oom = 1, DWARF_CB_ABORT;
        v->ranges = n, v->cap_ranges = cap;
    }
    v->ranges[v->n_ranges++] = (struct vt_range){start, end, m, 0};
    return DWARF_CB_OK;
}

static int cmp_range(const void *a, const void *b)
{
    const struct vt_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int hs_core_vtables_begin(hs_core *c, hs_heap *h, hs_error *err)
{
    if (!c->dwfl) return 0;
    hs_core_vtables *v = c->vt_ = calloc(1, sizeof *c->vt_);
    if (!v) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    v->h = h;
    v->raw_names = c->demangle == HS_DEMANGLE_NONE;
    dwfl_getmodules(c->dwfl, vt_range, v, 0);
    if (v->oom) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    if (v->n_ranges) qsort(v->ranges, v->n_ranges, sizeof *v->ranges, cmp_range);
    return 0;
}

/* The module range that holds a, or NULL. */
static struct vt_range *vt_range_at(const hs_core_vtables *v, uint64_t a)
{
    uint32_t lo = 0, hi = v->n_ranges;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->ranges[mid].lo <= a) lo = mid + 1;
        else hi = mid;
    }
    return lo && a < v->ranges[lo - 1].hi ? &v->ranges[lo - 1] : NULL;
}

int hs_core_vtables_oom(const hs_core *c)
{
    return c->vt_ && c->vt_->oom;
}

uint32_t hs_core_vtable_class(const hs_core *c, uint64_t vptr)
{
    hs_core_vtables *v = c->vt_;
    if (!v || (vptr & 7)) return HS_NONE;
    struct vt_range *r = vt_range_at(v, vptr); /* a vtable is in a module's .data.rel.ro */
    if (!r) return HS_NONE;
    vt_module(c, v, r);
    uint32_t lo = 0, hi = v->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->vt[mid].addr <= vptr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return HS_NONE;
    const hs_core_vtable *e = &v->vt[lo - 1];
    /* Past offset-to-top and typeinfo (and any virtual-base offsets), inside the object. */
    if (vptr < e->addr + 16 || vptr - e->addr >= e->size) return HS_NONE;
    return e->name;
}

/* ---- open / close ---- */

int hs_core_open(hs_core *c, const hs_source *src, const hs_load_options *opt, hs_error *err)
{
    memset(c, 0, sizeof *c);
    c->name = src->name;
    c->data = src->data;
    c->size = src->size;
    c->src = src;
    c->demangle = opt ? opt->demangle : HS_DEMANGLE_SHORT;
    if (src->size < 64 || memcmp(src->data, "\177ELF", 4) != 0)
        return hs_error_set(err, c->name, 0, "not an ELF file");
    if (src->data[EI_CLASS] != ELFCLASS64 || src->data[EI_DATA] != ELFDATA2LSB)
        return hs_error_set(err, c->name, EI_CLASS,
                            "unsupported ELF class or byte order (only 64-bit little-endian)");
    uint16_t type = (uint16_t)(src->data[16] | src->data[17] << 8);
    uint16_t mach = (uint16_t)(src->data[18] | src->data[19] << 8);
    if (type != ET_CORE)
        return hs_error_set(err, c->name, 16, "ELF file is not a core (e_type %u)", type);
    if (mach != EM_X86_64 && mach != EM_AARCH64)
        return hs_error_set(err, c->name, 18,
                            "unsupported architecture (e_machine %u; x86-64 and aarch64 are "
                            "supported)",
                            mach);
    c->machine = mach;
    elf_version(EV_CURRENT);
    Elf *elf = elf_memory((char *)src->data, src->size);
    if (!elf) return hs_error_set(err, c->name, 0, "cannot read ELF: %s", elf_errmsg(-1));
    c->elf = elf;
    if (read_segments(c, elf, err)) return -1;
    read_all_notes(c, elf);
    open_modules(c, elf, opt);
    return 0;
}

void hs_core_close(hs_core *c)
{
    for (uint32_t k = 0; k < 8 && hs_core_walkers[k]; k++)
        if (c->walker_state[k] && hs_core_walkers[k]->release)
            hs_core_walkers[k]->release(c->walker_state[k]);
    hs_dwmod_end(c->dw_ctx_); /* and its Dwfl, c->dwfl */
    if (c->elf) elf_end(c->elf);
    free(c->segs);
    free(c->threads);
    free(c->files);
    if (c->vt_) free(c->vt_->vt), free(c->vt_->ranges);
    free(c->vt_);
    memset(c, 0, sizeof *c);
}

/* ---- the heap graph: references and roots ---- */

/* The walker whose objects lie in the segment holding addr, cached per
 * segment: objects and the pointers to them come in runs. */
typedef struct owner_cache {
    uint64_t lo, hi;
    const hs_core_walker *w;
} owner_cache;

static const hs_core_walker *walker_at(const hs_core *c, owner_cache *oc, uint64_t addr)
{
    if (addr - oc->lo < oc->hi - oc->lo) return oc->w;
    uint32_t s = hs_core_seg_of(c, addr);
    if (s == HS_NONE) {
        *oc = (owner_cache){0, 0, NULL};
        return NULL;
    }
    const hs_core_seg *g = &c->segs[s];
    *oc = (owner_cache){g->vaddr, g->vaddr + g->memsz,
                        g->walker ? hs_core_walkers[g->walker - 1] : NULL};
    return oc->w;
}

/* Size of object i less the next block's header at its end (walker.h). */
static uint64_t object_end(const hs_core *c, const hs_heap *h, uint32_t i, owner_cache *oc)
{
    const hs_core_walker *w = walker_at(c, oc, hs_heap_addr(h, i));
    uint64_t size = hs_heap_size(h, i), tail = w ? w->tail : 0;
    return size > tail ? size - tail : size;
}

/* Object that a word in memory with value p refers to: p within
 * [address, address + size - tail), so that a pointer to a block's header
 * (bins, free lists, the top chunk) does not keep the block before alive. */
static uint32_t target(const hs_core *c, const hs_heap *h, uint64_t p, uint32_t *hint,
                       owner_cache *oc)
{
    uint32_t i = *hint; /* pointers often go to the same or a neighbouring block */
    if (i >= h->n_objects || p < hs_heap_addr(h, i) || p - hs_heap_addr(h, i) >= hs_heap_size(h, i)) {
        if (i + 1 < h->n_objects && p >= hs_heap_addr(h, i + 1) &&
            p - hs_heap_addr(h, i + 1) < hs_heap_size(h, i + 1))
            i++;
        else if (i > 0 && i < h->n_objects && p >= hs_heap_addr(h, i - 1) &&
                 p - hs_heap_addr(h, i - 1) < hs_heap_size(h, i - 1))
            i--;
        else
            i = hs_heap_find(h, p);
    }
    if (i != HS_NONE) *hint = i;
    if (i == HS_NONE) return HS_NONE;
    return p - hs_heap_addr(h, i) < object_end(c, h, i, oc) ? i : HS_NONE;
}

/* Object whose block [address - head, address + size - tail) holds a
 * register's value: a thread stopped inside malloc or free may hold only
 * a chunk's header address, and that keeps the block alive. */
static uint32_t register_target(const hs_core *c, const hs_heap *h, uint64_t v)
{
    owner_cache oc = {0, 0, NULL};
    for (uint32_t k = 0; hs_core_walkers[k]; k++) {
        uint64_t head = hs_core_walkers[k]->head;
        uint32_t i = v <= UINT64_MAX - head ? hs_heap_find(h, v + head) : HS_NONE;
        if (i != HS_NONE && walker_at(c, &oc, hs_heap_addr(h, i)) == hs_core_walkers[k] &&
            v + head - hs_heap_addr(h, i) < object_end(c, h, i, &oc) + head)
            return i;
    }
    uint32_t i = hs_heap_find(h, v); /* a block no walker claims: its own bytes */
    return i != HS_NONE && !walker_at(c, &oc, hs_heap_addr(h, i)) ? i : HS_NONE;
}

static int add_refs(const hs_core *c, hs_heap *h, hs_error *err)
{
    if (!h->n_objects) return 0;
    uint64_t lo = hs_heap_addr(h, 0), hi = hs_heap_addr(h, h->n_objects - 1) + hs_heap_size(h, h->n_objects - 1);
    uint32_t hint = 0;
    hs_core_window win = {0};
    owner_cache src = {0, 0, NULL}, dst = {0, 0, NULL};
    uint64_t *mask = NULL, mask_words = 0; /* pointer_words of the object at hand */
    for (uint32_t i = 0; i < h->n_objects; i++) {
        uint64_t a = hs_heap_addr(h, i), size = hs_heap_size(h, i);
        const hs_core_walker *w = walker_at(c, &src, a);
        uint64_t n = w ? w->user_bytes(c, a, size) : size; /* every word its user can write */
        const uint8_t *p = hs_core_ptr(c, a, n);
        if (p) hs_core_window_pass(c, &win, p);
        int masked = 0; /* the walker said which words may hold pointers */
        if (w && w->pointer_words && n >= 8) {
            if (n / 8 > mask_words * 64) {
                uint64_t *m = realloc(mask, (n / 8 + 63) / 64 * 8);
                if (!m) {
                    free(mask);
                    return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
                }
                mask = m, mask_words = (n / 8 + 63) / 64;
            }
            masked = w->pointer_words(c, a, size, mask, n / 8) == 0;
        }
        int row_open = 0; /* this object's row is begun on its first reference */
        for (uint64_t o = 0; o + 8 <= n; o += 8) {
            uint64_t v;
            if (masked && !(mask[o / 512] >> (o / 8 % 64) & 1)) continue;
            if (p)
                memcpy(&v, p + o, 8);
            else if (hs_core_read64(c, a + o, &v))
                continue;
            uint32_t to;
            if (v < lo || v >= hi || (to = target(c, h, v, &hint, &dst)) == HS_NONE) continue;
            if ((!row_open && hs_heap_begin_refs_of(h, i, err)) || hs_heap_add_ref_next(h, o, to, err)) {
                free(mask);
                return -1;
            }
            row_open = 1;
        }
    }
    free(mask);
    return 0;
}

typedef struct root_map {
    uint32_t *by_label; /* string id -> root id + 1 */
    uint32_t cap;
} root_map;

static uint32_t root_for(hs_heap *h, root_map *m, hs_root_kind kind, const char *label)
{
    uint32_t sid = hs_heap_intern(h, label, strlen(label));
    if (sid == HS_STR_NONE) return HS_NONE;
    if (sid >= m->cap) {
        uint32_t cap = m->cap ? m->cap : 64;
        while (cap <= sid)
            cap *= 2;
        uint32_t *n = realloc(m->by_label, cap * sizeof *n);
        if (!n) return HS_NONE;
        memset(n + m->cap, 0, (cap - m->cap) * sizeof *n);
        m->by_label = n, m->cap = cap;
    }
    if (!m->by_label[sid]) {
        uint32_t r = hs_heap_add_root(h, kind, sid);
        if (r == HS_NONE) return HS_NONE;
        m->by_label[sid] = r + 1;
    }
    return m->by_label[sid] - 1;
}

int hs_core_register_root(const hs_core *c, hs_heap *h, uint32_t t, hs_error *err)
{
    char label[64];
    const hs_core_thread *th = &c->threads[t];
    snprintf(label, sizeof label, "thread %u registers", t + 1);
    uint32_t r = hs_heap_add_root(h, HS_ROOT_REGISTER, hs_heap_intern(h, label, strlen(label)));
    if (r == HS_NONE) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    for (uint32_t i = 0; i < th->n_regs; i++) {
        uint32_t obj = register_target(c, h, th->regs[i]);
        if (obj != HS_NONE && hs_heap_add_root_ref_id(h, r, HS_NONE, obj, err)) return -1;
    }
    return 0;
}

/* "g_registry", "libfoo.so .bss", or "anon 0x7f..." for a root word at addr. */
static void root_label(const hs_core *c, uint64_t addr, const hs_core_seg *g, char *buf, size_t n)
{
    const char *sym = hs_core_symbol(c, addr, NULL);
    if (sym) {
        if (hs_demangle(sym, c->demangle, buf, n)) snprintf(buf, n, "%s", sym);
        return;
    }
    Dwfl_Module *m = c->dwfl ? dwfl_addrmodule(c->dwfl, addr) : NULL;
    if (m) {
        const char *mod = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        const char *base = mod ? strrchr(mod, '/') : NULL;
        Dwarf_Addr bias, a = addr;
        Elf_Scn *scn = dwfl_module_address_section(m, &a, &bias);
        GElf_Shdr sh;
        size_t shstr;
        Elf *e = scn ? dwfl_module_getelf(m, &bias) : NULL;
        const char *sec = e && gelf_getshdr(scn, &sh) && elf_getshdrstrndx(e, &shstr) == 0
                              ? elf_strptr(e, shstr, sh.sh_name)
                              : NULL;
        snprintf(buf, n, "%s %s", base ? base + 1 : mod ? mod : "?", sec ? sec : "data");
        return;
    }
    if (g->file != HS_NONE) {
        const char *base = strrchr(c->files[g->file].name, '/');
        snprintf(buf, n, "%s data", base ? base + 1 : c->files[g->file].name);
        return;
    }
    snprintf(buf, n, "anon 0x%llx", (unsigned long long)g->vaddr);
}

/* A global word that the walkers in use know holds no pointer (a Go
 * integer that happens to look like an address). */
static int global_not_pointer(const hs_core *c, uint64_t addr)
{
    for (uint32_t k = 0; hs_core_walkers[k]; k++)
        if ((c->walkers_used >> k & 1) && hs_core_walkers[k]->global_word &&
            hs_core_walkers[k]->global_word(c, addr) == 0)
            return 1;
    return 0;
}

static int scan_range(const hs_core *c, hs_heap *h, root_map *m, uint64_t from, uint64_t to,
                      uint32_t fixed_root, const hs_core_seg *g, hs_error *err)
{
    if (!h->n_objects) return 0;
    uint64_t lo = hs_heap_addr(h, 0), hi = hs_heap_addr(h, h->n_objects - 1) + hs_heap_size(h, h->n_objects - 1);
    uint32_t hint = 0;
    hs_core_window win = {0};
    owner_cache oc = {0, 0, NULL};
    /* Words up to run_end are in one segment, whose bytes are contiguous in
     * the file: at file offset a + to_file (no lookup per word). */
    uint64_t run_end = 0, to_file = 0;
    for (uint64_t a = (from + 7) & ~7ull; a + 8 <= to; a += 8) {
        uint64_t v;
        if (a + 8 > run_end) {
            uint32_t i = hs_core_seg_of(c, a);
            const hs_core_seg *s = i == HS_NONE ? NULL : &c->segs[i];
            if (!s || a - s->vaddr + 8 > s->avail) {
                run_end = 0;
                continue;
            }
            to_file = s->offset - s->vaddr, run_end = s->vaddr + s->avail;
        }
        uint64_t lim = to < run_end ? to : run_end;
        uint64_t f = hs_mem_skip_zeros(c->data, a + to_file, lim + to_file);
        if (f + 8 > lim + to_file) { /* zeros to the end of the run */
            a = lim - 8;
            continue;
        }
        a = f - to_file;
        const uint8_t *p = c->data + f;
        hs_core_window_pass(c, &win, p);
        memcpy(&v, p, 8);
        uint32_t obj;
        if (v < lo || v >= hi || (obj = target(c, h, v, &hint, &oc)) == HS_NONE) continue;
        uint32_t r = fixed_root;
        if (r == HS_NONE) {
            if (hs_heap_find(h, a) != HS_NONE) continue; /* heap memory is not a root */
            if (global_not_pointer(c, a)) continue;
            char label[320];
            root_label(c, a, g, label, sizeof label);
            r = root_for(h, m, HS_ROOT_GLOBAL, label);
            if (r == HS_NONE) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
        }
        /* Offset within the scanned region (a stack: from SP). */
        if (hs_heap_add_root_ref_id(h, r, a - from, obj, err)) return -1;
    }
    return 0;
}

void hs_core_claim(hs_core *c, uint32_t seg, uint64_t lo, uint64_t hi)
{
    if (seg >= c->n_segs) return;
    hs_core_seg *g = &c->segs[seg];
    if (lo < g->vaddr) lo = g->vaddr;
    if (hi > g->vaddr + g->memsz || hi < lo) hi = g->vaddr + g->memsz;
    if (hi <= lo) return;
    if (!hs_core_seg_claimed(g)) g->claim_lo = lo, g->claim_hi = hi;
    if (lo < g->claim_lo) g->claim_lo = lo;
    if (hi > g->claim_hi) g->claim_hi = hi;
}

/* Roots in a writable segment outside its claimed heap part. */
static int scan_segment(const hs_core *c, hs_heap *h, root_map *m, const hs_core_seg *g,
                        hs_error *err)
{
    uint64_t end = g->vaddr + g->avail;
    if (!hs_core_seg_claimed(g)) return scan_range(c, h, m, g->vaddr, end, HS_NONE, g, err);
    uint64_t lo = g->claim_lo < end ? g->claim_lo : end;
    if (scan_range(c, h, m, g->vaddr, lo, HS_NONE, g, err)) return -1;
    return g->claim_hi < end ? scan_range(c, h, m, g->claim_hi, end, HS_NONE, g, err) : 0;
}

/* Whether thread t's stack is segment s's, outside claimed heap memory. */
static int stack_in(const hs_core *c, uint32_t t, uint32_t s)
{
    const hs_core_seg *g = &c->segs[s];
    uint64_t sp = c->threads[t].sp;
    return sp - g->vaddr < g->memsz && !(sp >= g->claim_lo && sp < g->claim_hi);
}

int hs_core_seg_is_stack(const hs_core *c, uint32_t seg)
{
    for (uint32_t t = 0; t < c->n_threads; t++)
        if (stack_in(c, t, seg)) return 1;
    return 0;
}

uint64_t hs_core_live_from(const hs_core *c, uint32_t seg)
{
    const hs_core_seg *g = &c->segs[seg];
    uint64_t from = g->vaddr + g->memsz;
    for (uint32_t t = 0; t < c->n_threads; t++) {
        uint64_t sp = c->threads[t].sp;
        if (stack_in(c, t, seg) && sp < from) from = sp;
    }
    if (from == g->vaddr + g->memsz) return g->vaddr;
    return from >= g->vaddr + 128 ? from - 128 : g->vaddr; /* x86-64 red zone */
}

static int add_roots(const hs_core *c, hs_heap *h, hs_error *err)
{
    root_map m = {0};
    int rc = 0;
    char label[64];
    uint8_t *is_stack = calloc(c->n_segs ? c->n_segs : 1, 1);
    if (!is_stack) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    for (uint32_t t = 0; t < c->n_threads && !rc; t++) {
        const hs_core_thread *th = &c->threads[t];
        uint32_t s = hs_core_seg_of(c, th->sp), r;
        /* A thread whose stack is in memory a walker claimed (Go: goroutine
         * and g0 stacks) is the walker's: its stack, and its registers,
         * which it may take as roots (hs_core_register_root) or not. */
        if (s != HS_NONE && !stack_in(c, t, s)) continue;
        rc = hs_core_register_root(c, h, t, err);
        if (s == HS_NONE || rc) continue;
        is_stack[s] = 1;
        snprintf(label, sizeof label, "thread %u stack", t + 1);
        r = root_for(h, &m, HS_ROOT_STACK, label);
        const hs_core_seg *g = &c->segs[s];
        uint64_t from = th->sp >= g->vaddr + 128 ? th->sp - 128 : g->vaddr; /* x86-64 red zone */
        if (r != HS_NONE) rc = scan_range(c, h, &m, from, g->vaddr + g->avail, r, g, err);
    }
    for (uint32_t s = 0; s < c->n_segs && !rc; s++) {
        const hs_core_seg *g = &c->segs[s];
        if (!(g->flags & HS_CORE_SEG_W) || is_stack[s] || !g->avail) continue;
        rc = scan_segment(c, h, &m, g, err);
    }
    free(is_stack);
    free(m.by_label);
    for (uint32_t k = 0; hs_core_walkers[k] && !rc; k++)
        if ((c->walkers_used >> k & 1) && hs_core_walkers[k]->add_roots)
            rc = hs_core_walkers[k]->add_roots(c, h, err);
    return rc;
}

/* ---- info lines and the reader ---- */

static int module_info(Dwfl_Module *m, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
    hs_heap *h = arg;
    Dwarf_Addr low = 0, high = 0, bias = 0;
    const char *file = NULL, *debug = NULL;
    int has_elf = dwfl_module_getelf(m, &bias) != NULL;
    int has_syms = has_elf && dwfl_module_getsymtab(m) > 0;
    dwfl_module_info(m, NULL, &low, &high, NULL, NULL, &file, &debug);
    /* When libdwfl opened the file the core names itself (after matching its
     * build ID), it keeps no file name: that file is the module's name. */
    if (!file && has_elf && name && name[0] == '/') file = name;
    char key[300], v[1200];
    snprintf(key, sizeof key, "module %s", name ? name : "?");
    snprintf(v, sizeof v, "0x%llx-0x%llx bias 0x%llx %s%s%s", (unsigned long long)low,
             (unsigned long long)high, (unsigned long long)bias, file ? file : "(file not found)",
             debug ? " debug " : "", debug ? debug : "");
    if (!has_syms) strncat(v, " (no symbols)", sizeof v - strlen(v) - 1);
    hs_heap_add_info(h, key, v);
    return DWARF_CB_OK;
}

static void core_info(hs_core *c, hs_heap *h)
{
    char v[512];
    snprintf(v, sizeof v, "%d", c->pid);
    hs_heap_add_info(h, "pid", v);
    hs_heap_add_info(h, "command", c->psargs[0] ? c->psargs : c->fname);
    snprintf(v, sizeof v, "%s", c->machine == EM_X86_64 ? "x86-64" : "aarch64");
    hs_heap_add_info(h, "architecture", v);
    int sig = c->signo ? c->signo : c->n_threads ? c->threads[0].cursig : 0;
    snprintf(v, sizeof v, "%d", sig);
    hs_heap_add_info(h, "signal", v);
    snprintf(v, sizeof v, "%u", c->n_threads);
    hs_heap_add_info(h, "threads", v);
    for (uint32_t t = 0; t < c->n_threads; t++) {
        char key[32];
        const hs_sym *s = c->dw_ctx_ ? hs_dwmod_symbol_at(c->dw_ctx_, c->threads[t].pc, HS_SYM_ANY) : NULL;
        const char *sym = s ? s->name : NULL;
        snprintf(key, sizeof key, "thread %u", t + 1);
        snprintf(v, sizeof v, "tid %d pc 0x%llx %s", c->threads[t].tid,
                 (unsigned long long)c->threads[t].pc, sym ? sym : "?");
        hs_heap_add_info(h, key, v);
    }
    snprintf(v, sizeof v, "%u", c->n_modules);
    hs_heap_add_info(h, "modules", v);
    if (c->dwfl) dwfl_getmodules(c->dwfl, module_info, h, 0);
    uint64_t mem = 0, dumped = 0;
    for (uint32_t s = 0; s < c->n_segs; s++)
        mem += c->segs[s].memsz, dumped += c->segs[s].avail;
    snprintf(v, sizeof v, "%u segments, %llu bytes mapped, %llu in the core", c->n_segs,
             (unsigned long long)mem, (unsigned long long)dumped);
    hs_heap_add_info(h, "mappings", v);
    if (c->truncated_segs || c->notes_missing) {
        snprintf(v, sizeof v, "core is truncated: %llu bytes of %u segments missing%s",
                 (unsigned long long)c->missing_bytes, c->truncated_segs,
                 c->notes_missing ? "; notes (threads, files) missing" : "");
        hs_heap_add_info(h, "warning", v);
    }
}

/* Each walker that recognises the process adds its objects; a segment
 * holding an object belongs to the first walker that added one there. */
static int add_objects(hs_core *c, hs_heap *h, hs_error *err)
{
    for (uint32_t k = 0; hs_core_walkers[k]; k++) {
        const hs_core_walker *w = hs_core_walkers[k];
        if (k >= 32 || !w->recognise(c)) continue;
        c->walkers_used |= 1u << k;
        uint32_t n0 = h->n_objects, s = HS_NONE;
        if (w->add_objects(c, h, err)) return -1;
        for (uint32_t i = n0; i < h->n_objects; i++) {
            uint64_t a = hs_heap_addr(h, i);
            if (s == HS_NONE || a - c->segs[s].vaddr >= c->segs[s].memsz) s = hs_core_seg_of(c, a);
            if (s != HS_NONE && !c->segs[s].walker) c->segs[s].walker = (uint8_t)(k + 1);
        }
    }
    if (!c->walkers_used) hs_heap_add_info(h, "allocator", "none recognised");
    return 0;
}

/* Each phase reads the core once in address order; its pages are dropped
 * from memory behind it and again after it, so the peak holds the model
 * and a 32 MiB window of the core rather than the whole core. */
static int build(hs_core *c, hs_heap *h, hs_error *err)
{
    core_info(c, h);
    int rc = hs_core_vtables_begin(c, h, err) || add_objects(c, h, err);
    if (!rc && hs_core_vtables_oom(c))
        rc = hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory reading symbols");
    hs_core_release_all(c);
    rc = rc || hs_heap_index(h, err) || add_refs(c, h, err);
    hs_core_release_all(c);
    rc = rc || add_roots(c, h, err);
    hs_core_release_all(c);
    rc = rc || hs_heap_finish(h, err);
    /* Naming passes: DWARF types, then container shapes (they need the rows). */
    rc = rc || hs_c_type_objects(c, h, err) || hs_cxx_name_shapes(c, h, err);
    return rc ? -1 : 0;
}

static int load_heap(const hs_source *src, const hs_load_options *opt, hs_heap *h, hs_error *err)
{
    hs_core c;
    int rc = hs_core_open(&c, src, opt, err);
    if (!rc) rc = build(&c, h, err);
    hs_core_close(&c);
    return rc;
}

const hs_reader hs_reader_elfcore = {
    .name = "elf-core",
    .kind = HS_MODEL_HEAP,
    .probe = probe,
    .load_heap = load_heap,
};
