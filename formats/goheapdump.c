/* Go heap dump reader: runtime/debug.WriteHeapDump files ("go1.7 heap dump\n",
 * also the identical go1.5/go1.6 layouts) into the heap model.
 * The format has no record lengths, so every record is parsed field by field
 * with a bounds-checked cursor, twice: pass 1 adds objects, validates every
 * field offset and collects params, profile buckets (as sites), finalizers,
 * goroutine ids and memstats; after hs_heap_index() pass 2 adds references,
 * roots (data/bss words or ELF symbols, stack frames, finalizers, defers,
 * panics) and applies alloc samples. Invariant: nothing is allocated from a
 * count in the file that the bytes left cannot hold; arrays grow by one
 * element per record read. */
#include "golines.h"
#include "heapscan/reader.h"
#include "symtab.h"
#include "model/heap_build.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    TAG_EOF = 0,
    TAG_OBJECT = 1,
    TAG_OTHERROOT = 2,
    TAG_TYPE = 3,
    TAG_GOROUTINE = 4,
    TAG_FRAME = 5,
    TAG_PARAMS = 6,
    TAG_FINALIZER = 7,
    TAG_ITAB = 8,
    TAG_OSTHREAD = 9,
    TAG_MEMSTATS = 10,
    TAG_QFINALIZER = 11,
    TAG_DATA = 12,
    TAG_BSS = 13,
    TAG_DEFER = 14,
    TAG_PANIC = 15,
    TAG_MEMPROF = 16,
    TAG_ALLOCSAMPLE = 17,
};

enum { FIELD_EOL = 0, FIELD_PTR = 1, FIELD_IFACE = 2, FIELD_EFACE = 3 };
enum { PASS_OBJECTS = 1, PASS_REFS = 2, PASS_LOCATE = 3 };
enum { N_MEMSTATS = 24, N_PAUSES = 256, HDR_LEN = 16 };

static const char *const memstat_names[N_MEMSTATS] = {
    "Alloc",       "TotalAlloc", "Sys",        "Lookups",   "Mallocs",      "Frees",
    "HeapAlloc",   "HeapSys",    "HeapIdle",   "HeapInuse", "HeapReleased", "HeapObjects",
    "StackInuse",  "StackSys",   "MSpanInuse", "MSpanSys",  "MCacheInuse",  "MCacheSys",
    "BuckHashSys", "GCSys",      "OtherSys",   "NextGC",    "LastGC",       "PauseTotalNs",
};

typedef struct gh_bucket {
    uint64_t id;
    uint32_t site;
} gh_bucket;

typedef struct gh_goroutine {
    uint64_t g, goid;
} gh_goroutine;

typedef struct gh_fin {
    uint64_t obj, fn, pc;
    uint32_t root;
} gh_fin;

typedef struct gh_wait {
    uint32_t status, reason; /* reason: string id */
    uint64_t count;
} gh_wait;

typedef struct gh {
    const hs_source *src;
    const hs_load_options *opt;
    hs_heap *h;
    hs_error *err;
    int pass;
    int have_params, big;
    unsigned ptr;
    char arch[64], version[64];
    uint64_t heap_start, heap_end, ncpu;

    gh_bucket *bk;
    uint32_t n_bk, cap_bk;
    gh_goroutine *gs;
    uint32_t n_gs, cap_gs;
    gh_fin *fin;
    uint32_t n_fin, cap_fin;
    gh_wait *wait;
    uint32_t n_wait, cap_wait;
    uint32_t *frames;
    uint32_t cap_frames;

    uint64_t memstats[N_MEMSTATS + 1];
    int have_memstats;
    uint64_t n_threads, n_qfin, n_types, n_itabs, n_samples, n_defers, n_panics;
    uint64_t data_addr, n_skipped_fields;
    int have_data;

    /* pass 2 state */
    uint32_t last_obj; /* id of the previous object record */
    uint64_t cur_goid;
    int have_goroutine;
    hs_goroutines *gm; /* the goroutines, handed to the heap at the end */
    uint32_t cur_rec;  /* the current goroutine's record, HS_NONE_GR: none */
    uint32_t wrapper;  /* the last wrapper frame elided from it (string id), 0: none */

    /* locating an object record after an index failure */
    uint64_t want_addr, want_nth, seen;
    int located;
    uint64_t *located_off;

    /* --binary */
    Elf *elf;
    void *elf_copy; /* its bytes when --binary was gzip'd */
    hs_symtab syms; /* of --binary: functions and sized data objects */
    uint64_t bias;
    Dwarf *dw;         /* of --binary, NULL without DWARF */
    hs_golines lines;  /* goroutine frames from dw, once the goroutines exist */
    int have_lines;
} gh;

/* ---- small helpers ----------------------------------------------------- */

static int grow_arr(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap) return 0;
    uint64_t n = *cap ? (uint64_t)*cap * 2 : 16;
    while (n < need)
        n *= 2;
    if (n > UINT32_MAX) n = UINT32_MAX;
    void *p = realloc(*arr, (size_t)n * elem);
    if (!p) return -1;
    *arr = p;
    *cap = (uint32_t)n;
    return 0;
}

static int oom(gh *g, const hs_cursor *c)
{
    return hs_cursor_fail(c, g->err, "out of memory");
}

static int uv(gh *g, hs_cursor *c, uint64_t *v)
{
    return hs_cursor_uvarint(c, v, g->err);
}

static int uvs(gh *g, hs_cursor *c, uint64_t *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (uv(g, c, &v[i])) return -1;
    return 0;
}

static int str(gh *g, hs_cursor *c, const uint8_t **p, uint64_t *len)
{
    if (uv(g, c, len)) return -1;
    return hs_cursor_bytes(c, *len, p, g->err);
}

static uint64_t word(const gh *g, const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned b = g->big ? i : 7 - i;
        v = (v << 8) | p[b];
    }
    return v;
}

static uint32_t intern(gh *g, const char *s)
{
    return hs_heap_intern(g->h, s, strlen(s));
}

static uint32_t internf(gh *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static uint32_t internf(gh *g, const char *fmt, ...)
{
    char buf[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return intern(g, buf);
}

/* ---- ELF symbols for --binary ------------------------------------------ */

/* --binary as one Elf for its symbols and its DWARF (the files and lines
 * of goroutine frames). libelf inflates compressed sections (Go's DWARF) in
 * place, so the Elf must be writable: a plain file is mapped copy-on-write,
 * a gzip'd one (read through the source layer, like any input) copied. */
static int elf_open(gh *g)
{
    const char *path = g->opt->binary;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return hs_error_set(g->err, path, HS_NO_OFFSET, "libelf initialisation failed");
    hs_source src;
    if (hs_source_open(&src, path, g->err)) return -1;
    int fd = src.size >= 4 && memcmp(src.data, "\177ELF", 4) == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        g->elf = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
        close(fd); /* the mapping stays */
    } else if ((g->elf_copy = malloc(src.size ? src.size : 1))) {
        memcpy(g->elf_copy, src.data, src.size);
        g->elf = elf_memory(g->elf_copy, src.size);
    }
    hs_source_close(&src);
    if (!g->elf || elf_kind(g->elf) != ELF_K_ELF)
        return hs_error_set(g->err, path, 0, "--binary is not an ELF file");
    Elf_Scn *scn = NULL, *best = NULL;
    GElf_Shdr sh, best_sh = {0};
    while ((scn = elf_nextscn(g->elf, scn))) {
        if (!gelf_getshdr(scn, &sh)) continue;
        if (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !best)) {
            best = scn;
            best_sh = sh;
        }
    }
    if (!best) return 0; /* stripped: globals keep data+0x… names */
    Elf_Data *d = elf_getdata(best, NULL);
    if (!d || !best_sh.sh_entsize) return 0;
    size_t n = best_sh.sh_size / best_sh.sh_entsize;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym s;
        if (!gelf_getsym(d, (int)i, &s)) break;
        int t = GELF_ST_TYPE(s.st_info);
        if ((t != STT_OBJECT && t != STT_FUNC) || (s.st_size == 0 && t == STT_OBJECT)) continue;
        if (hs_symtab_add(&g->syms, s.st_value, &s, (uint32_t)i,
                          elf_strptr(g->elf, best_sh.sh_link, s.st_name)))
            return hs_error_set(g->err, path, HS_NO_OFFSET, "out of memory reading symbols");
    }
    if (hs_symtab_finish(&g->syms))
        return hs_error_set(g->err, path, HS_NO_OFFSET, "out of memory reading symbols");
    g->dw = dwarf_begin_elf(g->elf, DWARF_C_READ, NULL); /* NULL: frames without lines */
    return 0;
}

/* The function (func) or data symbol containing the (unbiased) address a, or NULL. */
static const hs_sym *sym_find(const gh *g, uint64_t a, int func)
{
    return hs_symtab_at(&g->syms, a - g->bias, func ? HS_SYM_FUNC : HS_SYM_DATA);
}

/* Load bias: the dump's data segment start against the binary's runtime.data. */
static void elf_bias(gh *g)
{
    if (!g->have_data) return;
    const hs_sym *s = hs_symtab_named(&g->syms, "runtime.data");
    if (s) g->bias = g->data_addr - s->addr;
}

static void elf_close(gh *g)
{
    if (g->have_lines) hs_golines_free(&g->lines);
    if (g->dw) dwarf_end(g->dw);
    if (g->elf) elf_end(g->elf);
    free(g->elf_copy);
    g->elf = NULL, g->elf_copy = NULL, g->dw = NULL;
}

/* ---- field lists -------------------------------------------------------- */

/* Next pointer field: 1 with *off set, 0 at the end of the list, -1 on error.
 * Iface/Eface (go1.4 kinds) yield their data word. */
static int field_next(gh *g, hs_cursor *c, uint64_t *off, uint64_t *at)
{
    uint64_t kind;
    *at = hs_cursor_offset(c);
    if (uv(g, c, &kind)) return -1;
    if (kind == FIELD_EOL) return 0;
    if (kind > FIELD_EFACE)
        return hs_cursor_fail(c, g->err, "unknown field kind %llu", (unsigned long long)kind);
    *at = hs_cursor_offset(c);
    if (uv(g, c, off)) return -1;
    if (kind != FIELD_PTR) {
        if (*off > UINT64_MAX - 8) return hs_cursor_fail(c, g->err, "field offset overflows");
        *off += 8;
    }
    return 1;
}

static int beyond(const uint64_t off, uint64_t len)
{
    return off > len || len - off < 8;
}

/* ---- records ------------------------------------------------------------ */

/* The root of the finalizer registered for the object at addr, or HS_NONE. */
static uint32_t fin_root_of(const gh *g, uint64_t addr)
{
    uint32_t lo = 0, hi = g->n_fin;
    while (lo < hi) { /* finalizers sorted by object address */
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->fin[mid].obj < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n_fin && g->fin[lo].obj == addr ? g->fin[lo].root : HS_NONE;
}

static int rec_object(gh *g, hs_cursor *c)
{
    uint64_t addr, len, off, at;
    const uint8_t *p;
    if (uv(g, c, &addr) || str(g, c, &p, &len)) return -1;
    if (g->pass == PASS_LOCATE && addr == g->want_addr && g->seen++ == g->want_nth) g->located = 1;
    if (g->pass == PASS_OBJECTS &&
        hs_heap_add_object(g->h, addr, len, HS_NONE, HS_NONE, 0, g->err)) {
        char msg[sizeof g->err->msg];
        memcpy(msg, g->err->msg, sizeof msg);
        return hs_cursor_fail(c, g->err, "%s", msg);
    }
    uint32_t id = HS_NONE, fin_root = HS_NONE;
    if (g->pass == PASS_REFS) {
        /* Runtimes dump spans in address order mostly: try the next id first. */
        uint32_t next = g->last_obj + 1;
        id = next < g->h->n_objects && hs_heap_addr(g->h, next) == addr ? next : hs_heap_find(g->h, addr);
        g->last_obj = id;
        fin_root = fin_root_of(g, addr);
    }
    int r;
    while ((r = field_next(g, c, &off, &at)) == 1) {
        if (g->pass == PASS_OBJECTS && beyond(off, len))
            return hs_error_set(g->err, c->name, at,
                                "pointer field at offset %llu beyond the %llu-byte object at "
                                "0x%llx",
                                (unsigned long long)off, (unsigned long long)len,
                                (unsigned long long)addr);
        if (g->pass != PASS_REFS || id == HS_NONE) continue;
        uint64_t w = word(g, p + off);
        if (hs_heap_add_ref_at(g->h, id, off, w, g->err)) return -1;
        if (fin_root != HS_NONE && hs_heap_add_root_ref_at(g->h, fin_root, off, w, g->err))
            return -1;
    }
    return r;
}

/* Global roots from a data or bss segment: one per symbol with --binary, else per word. */
static int rec_segment(gh *g, hs_cursor *c, const char *seg)
{
    uint64_t addr, len, off, at;
    const uint8_t *p;
    if (uv(g, c, &addr) || str(g, c, &p, &len)) return -1;
    if (g->pass == PASS_OBJECTS && !strcmp(seg, "data")) {
        g->data_addr = addr;
        g->have_data = 1;
    }
    const hs_sym *last = NULL;
    uint32_t last_root = HS_NONE;
    int r;
    while ((r = field_next(g, c, &off, &at)) == 1) {
        if (g->pass == PASS_OBJECTS && beyond(off, len))
            return hs_error_set(g->err, c->name, at,
                                "pointer field at offset %llu beyond the %llu-byte %s segment",
                                (unsigned long long)off, (unsigned long long)len, seg);
        if (g->pass != PASS_REFS) continue;
        uint64_t w = word(g, p + off);
        if (hs_heap_find(g->h, w) == HS_NONE) continue;
        const hs_sym *s = sym_find(g, addr + off, 0);
        uint32_t root = last_root;
        if (!s || s != last) {
            uint32_t label = s ? intern(g, s->name)
                               : internf(g, "%s+0x%llx", seg, (unsigned long long)off);
            root = hs_heap_add_root(g->h, HS_ROOT_GLOBAL, label);
            if (root == HS_NONE) return oom(g, c);
        }
        last = s;
        last_root = s ? root : HS_NONE;
        /* Offset inside the named variable, else the label already says where. */
        uint64_t at_off = s ? addr + off - g->bias - s->addr : 0;
        if (hs_heap_add_root_ref_at(g->h, root, at_off, w, g->err)) return -1;
    }
    return r;
}

static const char *status_name(uint64_t s)
{
    static const char *const names[] = {"idle",      "runnable", "running", "syscall",
                                        "waiting",   "moribund", "dead",    "enqueue",
                                        "copystack", "preempted"};
    s &= ~(uint64_t)0x1000; /* _Gscan */
    return s < sizeof names / sizeof *names ? names[s] : "unknown";
}

/* ---- goroutines (for `goroutines DUMP`) ---- */

static uint32_t gr_intern(gh *g, const char *s, size_t n)
{
    return hs_strtab_intern(&g->gm->strings, s, n);
}

/* The goroutine record v (g, sp, goid, gopc, status, is-system,
 * is-background, waitsince) as a record of the goroutine model, as Go's
 * dump would show it: system goroutines left out (the dump says which), a
 * waiting one's state its wait reason, the creator named through --binary
 * (the dump has no symbols). -1 when out of memory. */
/* The current record's frames are complete: a record whose only frame
 * was a wrapper (a go statement's closure inlined into its gowrap) shows
 * the wrapper rather than nothing; the dump has no inlining to show what
 * Go's dump shows, the closure. */
static int end_goroutine(gh *g)
{
    uint32_t w = g->wrapper;
    g->wrapper = 0;
    if (g->cur_rec == HS_NONE_GR || !w || g->gm->g[g->cur_rec].n_frames) return 0;
    return hs_goroutines_add_frame(g->gm, (hs_gr_frame){w, gr_intern(g, "", 0), 0});
}

static int add_goroutine(gh *g, const uint64_t *v, const uint8_t *reason, uint64_t rlen)
{
    if (g->gm && end_goroutine(g)) return -1;
    g->cur_rec = HS_NONE_GR;
    if (!g->gm) {
        if (!(g->gm = calloc(1, sizeof *g->gm))) return -1;
        hs_goroutines_init(g->gm, "go-heapdump");
        if (g->dw) hs_golines_init(&g->lines, g->dw, g->bias, &g->gm->strings), g->have_lines = 1;
    }
    uint64_t status = v[4] & ~(uint64_t)0x1000;
    if (v[5] || status == 0 || status == 6) return 0; /* system, idle, dead */
    const char *state = status_name(status);
    size_t n = strlen(state);
    if (status == 4 && rlen) state = (const char *)reason, n = rlen > 80 ? 80 : (size_t)rlen;
    hs_goroutine rec = {.id = v[2], .count = 1, .state = gr_intern(g, state, n),
                        .wait_minutes = HS_GR_WAIT_UNKNOWN};
    rec.created_by.function = HS_STR_NONE;
    const hs_sym *creator = g->syms.n && v[3] ? sym_find(g, v[3] - 1, 1) : NULL;
    if (creator && hs_goroutines_frame_shown(creator->name)) {
        int line = 0;
        const char *file = g->have_lines ? hs_golines_src(&g->lines, v[3] - 1, &line) : "";
        rec.created_by.function = gr_intern(g, creator->name, strlen(creator->name));
        rec.created_by.file = gr_intern(g, file, strlen(file));
        rec.created_by.line = line > 0 ? (uint32_t)line : 0;
    }
    if (rec.state == HS_STR_NONE || rec.created_by.file == HS_STR_NONE) return -1;
    g->cur_rec = hs_goroutines_add(g->gm, &rec);
    return g->cur_rec == HS_NONE_GR ? -1 : 0;
}

/* Whether fn is a wrapper the compiler made, which Go's traceback elides
 * (the dump does not say; a core's DWARF marks them DW_AT_trampoline): a go
 * or defer statement's (pkg.f.gowrap1, pkg.f.deferwrap1, Go 1.22+) and a
 * method value's (pkg.(*T).M-fm). */
static int compiler_wrapper(const char *fn, size_t n)
{
    static const char *const kinds[] = {".gowrap", ".deferwrap"};
    if (n > 3 && strcmp(fn + n - 3, "-fm") == 0) return 1;
    size_t d = n;
    while (d > 0 && fn[d - 1] >= '0' && fn[d - 1] <= '9')
        d--;
    for (unsigned k = 0; d < n && k < sizeof kinds / sizeof *kinds; k++) {
        size_t kl = strlen(kinds[k]);
        if (d >= kl && strncmp(fn + d - kl, kinds[k], kl) == 0) return 1;
    }
    return 0;
}

/* A frame of the current goroutine's record, shown as Go's dump shows
 * frames (runtime-internal ones and wrappers elided). The dump's frames are
 * physical, with no file or line: with --binary's DWARF they are split into
 * their inlined calls with files and lines (at pc less one, inside the call
 * a return address follows, as Go's traceback looks it up); else only
 * named, wrappers known by their names. */
static int add_goroutine_frame(gh *g, const uint8_t *name, uint64_t nlen, uint64_t entry,
                               uint64_t pc)
{
    char fn[400];
    size_t n = nlen < sizeof fn ? (size_t)nlen : sizeof fn - 1;
    memcpy(fn, name, n);
    fn[n] = 0;
    if (g->cur_rec == HS_NONE_GR) return 0;
    if (g->have_lines && pc) {
        const hs_gr_frame *f;
        uint32_t k;
        if (hs_golines_at(&g->lines, pc > entry ? pc - 1 : pc, fn, &f, &k)) return -1;
        for (uint32_t i = 0; i < k; i++)
            if (hs_goroutines_add_frame(g->gm, f[i])) return -1;
        return 0;
    }
    if (!hs_goroutines_frame_shown(fn)) return 0;
    if (compiler_wrapper(fn, n)) {
        g->wrapper = gr_intern(g, fn, n);
        return g->wrapper == HS_STR_NONE ? -1 : 0;
    }
    hs_gr_frame f = {gr_intern(g, fn, n), gr_intern(g, "", 0), 0};
    return f.function == HS_STR_NONE || f.file == HS_STR_NONE ? -1
                                                               : hs_goroutines_add_frame(g->gm, f);
}

static int rec_frame(gh *g, hs_cursor *c)
{
    uint64_t v[3], pcs[3], len, nlen, off, at;
    const uint8_t *p, *name;
    if (uvs(g, c, v, 3) || str(g, c, &p, &len) || uvs(g, c, pcs, 3) || str(g, c, &name, &nlen))
        return -1;
    uint32_t root = HS_NONE;
    int r;
    if (g->pass == PASS_REFS && add_goroutine_frame(g, name, nlen, pcs[0], pcs[1])) return oom(g, c);
    while ((r = field_next(g, c, &off, &at)) == 1) {
        /* Old runtimes attribute the goroutine's arguments to runtime.goexit's
         * one-word frame: fields outside the frame cannot be read; skip them. */
        if (beyond(off, len)) {
            g->n_skipped_fields += g->pass == PASS_OBJECTS;
            continue;
        }
        if (g->pass != PASS_REFS) continue;
        uint64_t w = word(g, p + off);
        if (hs_heap_find(g->h, w) == HS_NONE) continue;
        if (root == HS_NONE) {
            int n = nlen > 400 ? 400 : (int)nlen;
            uint32_t label = g->have_goroutine
                                 ? internf(g, "goroutine %llu %.*s",
                                           (unsigned long long)g->cur_goid, n, (const char *)name)
                                 : internf(g, "goroutine ? %.*s", n, (const char *)name);
            root = hs_heap_add_root(g->h, HS_ROOT_STACK, label);
            if (root == HS_NONE) return oom(g, c);
            if (g->have_goroutine && g->cur_rec != HS_NONE_GR &&
                hs_goroutines_add_root(g->gm, g->cur_rec, root))
                return oom(g, c);
        }
        if (hs_heap_add_root_ref_at(g->h, root, off, w, g->err)) return -1; /* from frame sp */
    }
    return r;
}

static int count_wait(gh *g, const hs_cursor *c, uint32_t status, uint32_t reason)
{
    for (uint32_t i = 0; i < g->n_wait; i++)
        if (g->wait[i].status == status && g->wait[i].reason == reason) {
            g->wait[i].count++;
            return 0;
        }
    if (grow_arr((void **)&g->wait, &g->cap_wait, g->n_wait + 1, sizeof *g->wait)) return oom(g, c);
    g->wait[g->n_wait++] = (gh_wait){status, reason, 1};
    return 0;
}

static int goid_of(const gh *g, uint64_t gaddr, uint64_t *goid)
{
    for (uint32_t i = 0; i < g->n_gs; i++)
        if (g->gs[i].g == gaddr) {
            *goid = g->gs[i].goid;
            return 1;
        }
    return 0;
}

static int rec_goroutine(gh *g, hs_cursor *c)
{
    uint64_t v[8], ctx[4], rlen;
    const uint8_t *reason;
    /* g, sp, goid, gopc, status, is-system, is-background, waitsince */
    if (uvs(g, c, v, 8) || str(g, c, &reason, &rlen) || uvs(g, c, ctx, 4)) return -1;
    if (g->pass == PASS_OBJECTS) {
        if (grow_arr((void **)&g->gs, &g->cap_gs, g->n_gs + 1, sizeof *g->gs)) return oom(g, c);
        g->gs[g->n_gs++] = (gh_goroutine){v[0], v[2]};
        uint32_t rid =
            (v[4] & ~0x1000ull) == 4 ? hs_heap_intern(g->h, (const char *)reason, rlen) : 0;
        if (count_wait(g, c, (uint32_t)(v[4] & ~0x1000ull), rid)) return -1;
        if (v[5] && count_wait(g, c, UINT32_MAX, 0)) return -1; /* system goroutines */
    }
    if (g->pass != PASS_REFS) return 0;
    g->cur_goid = v[2];
    g->have_goroutine = 1;
    if (add_goroutine(g, v, reason, rlen)) return oom(g, c);
    if (hs_heap_find(g->h, ctx[0]) != HS_NONE) { /* sched.ctxt: a closure context */
        uint32_t root = hs_heap_add_root(
            g->h, HS_ROOT_STACK, internf(g, "goroutine %llu context", (unsigned long long)v[2]));
        if (root == HS_NONE) return oom(g, c);
        if (hs_heap_add_root_ref(g->h, root, ctx[0], g->err)) return -1;
        if (g->cur_rec != HS_NONE_GR && hs_goroutines_add_root(g->gm, g->cur_rec, root))
            return oom(g, c);
    }
    return 0;
}

/* A root pointing at the heap values among ptrs, made only when one hits. */
static int root_refs(gh *g, hs_cursor *c, hs_root_kind kind, uint32_t label, const uint64_t *ptrs,
                     unsigned n)
{
    uint32_t root = HS_NONE;
    for (unsigned i = 0; i < n; i++) {
        if (hs_heap_find(g->h, ptrs[i]) == HS_NONE) continue;
        if (root == HS_NONE && (root = hs_heap_add_root(g->h, kind, label)) == HS_NONE)
            return oom(g, c);
        if (hs_heap_add_root_ref(g->h, root, ptrs[i], g->err)) return -1;
    }
    return 0;
}

static uint32_t goroutine_label(gh *g, uint64_t gaddr, const char *what)
{
    uint64_t goid;
    if (goid_of(g, gaddr, &goid))
        return internf(g, "goroutine %llu %s", (unsigned long long)goid, what);
    return internf(g, "goroutine 0x%llx %s", (unsigned long long)gaddr, what);
}

/* finalizer and queued finalizer: obj, funcval, fn entry PC, fint, ot */
static int rec_finalizer(gh *g, hs_cursor *c, int queued)
{
    uint64_t v[5];
    if (uvs(g, c, v, 5)) return -1;
    if (g->pass == PASS_OBJECTS) {
        if (queued) {
            g->n_qfin++;
            return 0;
        }
        if (grow_arr((void **)&g->fin, &g->cap_fin, g->n_fin + 1, sizeof *g->fin)) return oom(g, c);
        g->fin[g->n_fin++] = (gh_fin){v[0], v[1], v[2], HS_NONE};
        return 0;
    }
    if (g->pass != PASS_REFS || !queued) return 0;
    /* A queued object is the finalizer's argument: it and the funcval stay alive. */
    uint64_t ptrs[2] = {v[0], v[1]};
    return root_refs(g, c, HS_ROOT_FINALIZER,
                     internf(g, "queued finalizer 0x%llx", (unsigned long long)v[0]), ptrs, 2);
}

static int rec_params(gh *g, hs_cursor *c)
{
    uint64_t big, ptr, at, alen, vlen;
    const uint8_t *arch, *ver;
    if (uv(g, c, &big)) return -1;
    at = hs_cursor_offset(c);
    if (uv(g, c, &ptr)) return -1;
    if (ptr != 8)
        return hs_error_set(g->err, c->name, at, "pointer size %llu not supported (only 8)",
                            (unsigned long long)ptr);
    if (uv(g, c, &g->heap_start) || uv(g, c, &g->heap_end) || uv(g, c, &alen)) return -1;
    /* Early go1.5 runtimes wrote the arch as a uvarint "thechar" ('6' = amd64);
     * later ones a string. No arch name is 32 bytes long, so a value >= 32 is a char. */
    if (alen >= 32) {
        static const char *const chars = "056789", *const names[] = {"mips64", "arm", "amd64",
                                                                     "arm64",  "386", "ppc64"};
        const char *hit = alen < 128 ? strchr(chars, (int)alen) : NULL;
        arch = (const uint8_t *)(hit ? names[hit - chars] : "unknown");
        alen = strlen((const char *)arch);
    } else if (hs_cursor_bytes(c, alen, &arch, g->err)) {
        return -1;
    }
    if (str(g, c, &ver, &vlen) || uv(g, c, &g->ncpu)) return -1;
    g->big = big != 0;
    g->ptr = 8;
    g->have_params = 1;
    snprintf(g->arch, sizeof g->arch, "%.*s", (int)(alen > 60 ? 60 : alen), (const char *)arch);
    snprintf(g->version, sizeof g->version, "%.*s", (int)(vlen > 60 ? 60 : vlen),
             (const char *)ver);
    return 0;
}

static int rec_memprof(gh *g, hs_cursor *c)
{
    uint64_t id, size, n, at, line, counts[2];
    if (uv(g, c, &id) || uv(g, c, &size)) return -1;
    at = hs_cursor_offset(c);
    if (uv(g, c, &n)) return -1;
    if (n > hs_cursor_left(c) / 3 || n > UINT32_MAX / 2) /* a frame takes at least 3 bytes */
        return hs_error_set(g->err, c->name, at,
                            "memprof bucket claims %llu frames, more than "
                            "the %zu bytes left can hold",
                            (unsigned long long)n, hs_cursor_left(c));
    if (g->pass == PASS_OBJECTS &&
        grow_arr((void **)&g->frames, &g->cap_frames, (uint32_t)n, sizeof *g->frames))
        return oom(g, c);
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *fn, *file;
        uint64_t flen, filelen;
        if (str(g, c, &fn, &flen) || str(g, c, &file, &filelen) || uv(g, c, &line)) return -1;
        if (g->pass == PASS_OBJECTS &&
            (g->frames[i] = hs_heap_intern(g->h, (const char *)fn, flen)) == HS_STR_NONE)
            return oom(g, c);
    }
    if (uvs(g, c, counts, 2)) return -1;
    if (g->pass != PASS_OBJECTS) return 0;
    uint32_t site = hs_heap_add_site(g->h, g->frames, (uint32_t)n);
    if (site == HS_NONE || grow_arr((void **)&g->bk, &g->cap_bk, g->n_bk + 1, sizeof *g->bk))
        return oom(g, c);
    g->bk[g->n_bk++] = (gh_bucket){id, site};
    return 0;
}

static int rec_sample(gh *g, hs_cursor *c)
{
    uint64_t addr, id, at = hs_cursor_offset(c);
    if (uv(g, c, &addr) || uv(g, c, &id)) return -1;
    if (g->pass == PASS_OBJECTS) g->n_samples++;
    if (g->pass != PASS_REFS) return 0;
    uint32_t lo = 0, hi = g->n_bk;
    while (lo < hi) { /* buckets sorted by id */
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->bk[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == g->n_bk || g->bk[lo].id != id)
        return hs_error_set(g->err, c->name, at, "alloc sample names unknown bucket 0x%llx",
                            (unsigned long long)id);
    uint32_t obj = hs_heap_find(g->h, addr);
    if (obj == HS_NONE) return 0; /* sampled object freed before the dump */
    return hs_heap_set_site(g->h, obj, g->bk[lo].site, g->err) ||
                   hs_heap_add_flags(g->h, obj, HS_OBJ_SAMPLED, g->err)
               ? -1
               : 0;
}

static const char *tag_name(uint64_t kind)
{
    static const char *const names[] = {
        "EOF",    "object",    "other root", "type",      "goroutine",      "stack frame",
        "params", "finalizer", "itab",       "OS thread", "memstats",       "queued finalizer",
        "data",   "bss",       "defer",      "panic",     "memprof bucket", "alloc sample"};
    return kind < sizeof names / sizeof *names ? names[kind] : "unknown";
}

static int record(gh *g, hs_cursor *c, uint64_t kind)
{
    uint64_t v[N_MEMSTATS + N_PAUSES + 1], len;
    const uint8_t *p;
    switch (kind) {
    case TAG_OBJECT:
        return rec_object(g, c);
    case TAG_OTHERROOT:
        if (str(g, c, &p, &len) || uv(g, c, &v[0])) return -1;
        if (g->pass != PASS_REFS) return 0;
        return root_refs(g, c, HS_ROOT_OTHER, hs_heap_intern(g->h, (const char *)p, len), v, 1);
    case TAG_TYPE:
        g->n_types += g->pass == PASS_OBJECTS;
        return uvs(g, c, v, 2) || str(g, c, &p, &len) || uv(g, c, &v[2]) ? -1 : 0;
    case TAG_GOROUTINE:
        return rec_goroutine(g, c);
    case TAG_FRAME:
        return rec_frame(g, c);
    case TAG_PARAMS:
        return rec_params(g, c);
    case TAG_FINALIZER:
        return rec_finalizer(g, c, 0);
    case TAG_QFINALIZER:
        return rec_finalizer(g, c, 1);
    case TAG_ITAB:
        g->n_itabs += g->pass == PASS_OBJECTS;
        return uvs(g, c, v, 2);
    case TAG_OSTHREAD:
        g->n_threads += g->pass == PASS_OBJECTS;
        return uvs(g, c, v, 3);
    case TAG_MEMSTATS:
        if (uvs(g, c, v, N_MEMSTATS + N_PAUSES + 1)) return -1;
        if (g->pass == PASS_OBJECTS) {
            memcpy(g->memstats, v, N_MEMSTATS * sizeof *v);
            g->memstats[N_MEMSTATS] = v[N_MEMSTATS + N_PAUSES];
            g->have_memstats = 1;
        }
        return 0;
    case TAG_DATA:
        return rec_segment(g, c, "data");
    case TAG_BSS:
        return rec_segment(g, c, "bss");
    case TAG_DEFER: /* addr, g, sp, pc, funcval, fn PC, link */
        if (uvs(g, c, v, 7)) return -1;
        g->n_defers += g->pass == PASS_OBJECTS;
        if (g->pass != PASS_REFS) return 0;
        /* the record itself (heap-allocated defers) and its funcval */
        return root_refs(g, c, HS_ROOT_OTHER, goroutine_label(g, v[1], "defer"),
                         (uint64_t[]){v[0], v[4]}, 2);
    case TAG_PANIC: /* addr, g, arg type, arg data, 0, link */
        if (uvs(g, c, v, 6)) return -1;
        g->n_panics += g->pass == PASS_OBJECTS;
        if (g->pass != PASS_REFS) return 0;
        return root_refs(g, c, HS_ROOT_OTHER, goroutine_label(g, v[1], "panic"),
                         (uint64_t[]){v[0], v[3]}, 2);
    case TAG_MEMPROF:
        return rec_memprof(g, c);
    case TAG_ALLOCSAMPLE:
        return rec_sample(g, c);
    default:
        return hs_cursor_fail(c, g->err, "internal: record kind %llu", (unsigned long long)kind);
    }
}

/* One pass over all records. Returns 0 at the EOF record. */
static int walk(gh *g, int pass)
{
    hs_cursor c = hs_cursor_make(g->src);
    c.pos = HDR_LEN;
    g->pass = pass;
    g->have_goroutine = 0;
    g->last_obj = UINT32_MAX;
    for (uint64_t n = 1;; n++) {
        uint64_t start = hs_cursor_offset(&c), kind;
        hs_load_progress(g->opt, n, pass == PASS_REFS ? "references" : "objects", start,
                         g->src->size);
        if (hs_cursor_left(&c) == 0)
            return hs_cursor_fail(&c, g->err, "truncated dump: no EOF record");
        if (uv(g, &c, &kind)) return -1;
        if (kind == TAG_EOF) return 0;
        if (kind > TAG_ALLOCSAMPLE)
            return hs_error_set(g->err, c.name, start, "unknown record kind %llu",
                                (unsigned long long)kind);
        if (!g->have_params && kind != TAG_PARAMS)
            return hs_error_set(g->err, c.name, start, "%s record before the dump params record",
                                tag_name(kind));
        if (record(g, &c, kind)) {
            if (strncmp(g->err->msg, "truncated", 9) == 0) {
                char tmp[sizeof g->err->msg + 64];
                snprintf(tmp, sizeof tmp, "%s (in the %s record at offset %llu)", g->err->msg,
                         tag_name(kind), (unsigned long long)start);
                snprintf(g->err->msg, sizeof g->err->msg, "%.*s", (int)sizeof g->err->msg - 1, tmp);
            }
            return -1;
        }
        if (pass == PASS_LOCATE && g->located) {
            *g->located_off = start;
            return 0;
        }
    }
}

/* ---- assembly ----------------------------------------------------------- */

static int cmp_bucket(const void *a, const void *b)
{
    const gh_bucket *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_fin(const void *a, const void *b)
{
    const gh_fin *x = a, *y = b;
    return x->obj < y->obj ? -1 : x->obj > y->obj;
}

/* hs_heap_index failed on a duplicate or overlap: name the record's offset. */
static int index_error(gh *g)
{
    hs_heap *h = g->h;
    hs_error saved = *g->err;
    uint64_t addr = 0, nth = 0;
    for (uint32_t i = 1; i < h->n_objects; i++) {
        if (hs_heap_addr(h, i) == hs_heap_addr(h, i - 1)) {
            addr = hs_heap_addr(h, i), nth = 1;
            break;
        }
        if (hs_heap_addr(h, i - 1) + hs_heap_size(h, i - 1) > hs_heap_addr(h, i)) {
            addr = hs_heap_addr(h, i), nth = 0;
            break;
        }
    }
    uint64_t off = HS_NO_OFFSET;
    g->want_addr = addr;
    g->want_nth = nth;
    g->seen = 0;
    g->located = 0;
    g->located_off = &off;
    if (walk(g, PASS_LOCATE) || !g->located) off = HS_NO_OFFSET;
    *g->err = saved;
    return hs_error_set(g->err, g->src->name, off, "%s", saved.msg);
}

static int infou(gh *g, const char *key, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return hs_heap_add_info(g->h, key, buf);
}

static int add_info(gh *g)
{
    int r = 0;
    int buildver = strncmp(g->version, "go", 2) == 0;
    r |= hs_heap_add_info(g->h, buildver ? "GoVersion" : "GOEXPERIMENT", g->version);
    r |= hs_heap_add_info(g->h, "Arch", g->arch);
    r |= infou(g, "PtrSize", g->ptr);
    r |= hs_heap_add_info(g->h, "ByteOrder", g->big ? "big-endian" : "little-endian");
    r |= infou(g, "NCPU", g->ncpu);
    if (g->have_memstats) {
        for (unsigned i = 0; i < N_MEMSTATS; i++)
            r |= infou(g, memstat_names[i], g->memstats[i]);
        r |= infou(g, "NumGC", g->memstats[N_MEMSTATS]);
    }
    r |= infou(g, "Goroutines", g->n_gs);
    static const char *const order[] = {"runnable", "running", "syscall", "waiting"};
    for (unsigned k = 0; k < 10; k++) { /* by status, then wait reasons */
        uint64_t n = 0;
        for (uint32_t i = 0; i < g->n_wait; i++)
            if (g->wait[i].status == k) n += g->wait[i].count;
        const char *nm = status_name(k);
        int common = 0;
        for (unsigned j = 0; j < 4; j++)
            common |= !strcmp(order[j], nm);
        if (!n && !common) continue;
        char key[96];
        snprintf(key, sizeof key, "Goroutines.%s", nm);
        r |= infou(g, key, n);
        for (uint32_t i = 0; k == 4 && i < g->n_wait; i++)
            if (g->wait[i].status == 4) {
                snprintf(key, sizeof key, "Goroutines.waiting.%.60s",
                         hs_heap_str(g->h, g->wait[i].reason));
                r |= infou(g, key, g->wait[i].count);
            }
    }
    for (uint32_t i = 0; i < g->n_wait; i++)
        if (g->wait[i].status == UINT32_MAX) r |= infou(g, "Goroutines.system", g->wait[i].count);
    r |= infou(g, "OSThreads", g->n_threads);
    r |= infou(g, "Finalizers", g->n_fin);
    r |= infou(g, "QueuedFinalizers", g->n_qfin);
    r |= infou(g, "MemProfBuckets", g->n_bk);
    r |= infou(g, "AllocSamples", g->n_samples);
    r |= infou(g, "ItabTypes", g->n_types);
    if (g->n_skipped_fields) r |= infou(g, "SkippedFrameFields", g->n_skipped_fields);
    return r ? hs_error_set(g->err, g->src->name, HS_NO_OFFSET, "out of memory") : 0;
}

/* Registered finalizers: a root per finalizer keeping its funcval and the
 * object's referents alive (not the object itself, as the GC does). */
static int finalizer_roots(gh *g)
{
    if (g->n_fin) qsort(g->fin, g->n_fin, sizeof *g->fin, cmp_fin);
    for (uint32_t i = 0; i < g->n_fin; i++) {
        const hs_sym *s = sym_find(g, g->fin[i].pc, 1);
        uint32_t label = s ? internf(g, "finalizer %s for 0x%llx", s->name,
                                     (unsigned long long)g->fin[i].obj)
                           : internf(g, "finalizer for 0x%llx", (unsigned long long)g->fin[i].obj);
        g->fin[i].root = hs_heap_add_root(g->h, HS_ROOT_FINALIZER, label);
        if (g->fin[i].root == HS_NONE ||
            hs_heap_add_root_ref(g->h, g->fin[i].root, g->fin[i].fn, g->err))
            return hs_error_set(g->err, g->src->name, HS_NO_OFFSET, "out of memory");
    }
    return 0;
}

static int header_version(const uint8_t *d, size_t n)
{
    static const char *const hdrs[] = {"go1.7 heap dump\n", "go1.6 heap dump\n",
                                       "go1.5 heap dump\n", "go1.4 heap dump\n",
                                       "go1.3 heap dump\n"};
    static const int vers[] = {7, 6, 5, 4, 3};
    if (n < HDR_LEN) return 0;
    for (unsigned i = 0; i < 5; i++)
        if (memcmp(d, hdrs[i], HDR_LEN) == 0) return vers[i];
    return 0;
}

static int probe(const uint8_t *data, size_t size)
{
    return header_version(data, size) ? 100 : 0;
}

static int load(gh *g)
{
    int ver = header_version(g->src->data, g->src->size);
    if (ver == 0) return hs_error_set(g->err, g->src->name, 0, "not a Go heap dump header");
    if (ver < 5)
        return hs_error_set(g->err, g->src->name, 0,
                            "go1.%d heap dumps are not supported (only go1.5 and later)", ver);
    if (g->opt->binary && elf_open(g)) return -1;
    if (walk(g, PASS_OBJECTS)) return -1;
    if (!g->have_params)
        return hs_error_set(g->err, g->src->name, HDR_LEN, "dump has no params record");
    if (g->n_bk) qsort(g->bk, g->n_bk, sizeof *g->bk, cmp_bucket);
    if (g->syms.n) elf_bias(g);
    if (add_info(g)) return -1;
    if (hs_heap_index(g->h, g->err)) return index_error(g);
    if (finalizer_roots(g)) return -1;
    g->cur_rec = HS_NONE_GR;
    if (walk(g, PASS_REFS)) return -1;
    if (g->gm && end_goroutine(g))
        return hs_error_set(g->err, g->src->name, HS_NO_OFFSET, "out of memory");
    g->h->goroutines = g->gm, g->gm = NULL;
    return hs_heap_finish(g->h, g->err);
}

static int load_heap(const hs_source *src, const hs_load_options *opt, hs_heap *out, hs_error *err)
{
    static const hs_load_options none;
    gh g;
    memset(&g, 0, sizeof g);
    g.src = src;
    g.opt = opt ? opt : &none;
    g.h = out;
    g.err = err;

    int r = load(&g);
    if (r && err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", src->name);
    elf_close(&g);
    free(g.bk);
    free(g.gs);
    free(g.fin);
    free(g.wait);
    free(g.frames);
    hs_symtab_free(&g.syms);
    if (g.gm) hs_goroutines_free(g.gm);
    free(g.gm);
    return r;
}

const hs_reader hs_reader_goheapdump = {
    .name = "go-heapdump",
    .kind = HS_MODEL_HEAP,
    .probe = probe,
    .load_profile = NULL,
    .load_heap = load_heap,
};
