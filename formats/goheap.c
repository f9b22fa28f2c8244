/* Go runtime walker for cores (Go 1.19 to 1.27). The runtime's own tables
 * say where every object is: runtime.mheap_.allspans lists the spans; a span
 * in use (mSpanInUse) of npages pages from startAddr holds nelems slots of
 * elemsize bytes, and slot j is allocated when j < freeindex (handed out
 * since the last sweep) or its allocBits bit is set (marked by the last GC):
 * the runtime's own mspan.isFree, which WriteHeapDump uses too. A large
 * object is a span of one slot; a tiny-allocator block is one 16-byte slot.
 * Struct layouts (mheap, mspan, g, m, moduledata, the type descriptor) come
 * from the executable's DWARF by field name, never from fixed offsets, so a
 * runtime whose fields are missing is refused with their names.
 * Types: since Go 1.22 an object over 512 bytes with pointers starts with a
 * malloc header (its *_type) and a large object's span has largeType; the
 * type's name is its nameOff into the module's types section. Others get
 * DWARF types from gotypes.c, else are named by size class. References
 * inside objects are precise (pointer_words): 1.22+ from the span's heap
 * bits or the type's pointer mask, 1.19 from the heap arena bitmap; 1.20
 * and 1.21 conservative. The roots this walker adds: every goroutine's
 * stack from its saved stack pointer (a running one from its thread's) to
 * stack.hi, frame by frame at the words the runtime's stack pointer maps
 * mark live (gostack.c, with the pc tables of gopclntab.c; amd64), from the
 * first frame that cannot be (running, in a system call, asynchronously
 * preempted, no map, a broken chain) to stack.hi conservatively, one root
 * per goroutine ("goroutine N FUNC", whose id the goroutine model keeps),
 * and the registers of the threads running goroutines; the Ms' g0 and
 * gsignal stacks are no roots, as for the runtime's collector (below,
 * "system stacks").
 * A pclntab that cannot be read makes every stack conservative, with an
 * info line ("go stacks") saying why. Data and bss are scanned by the core
 * reader, named by symbol (main.cache), and only at the words the module's
 * GC masks (gcdatamask, gcbssmask) mark as pointers; the runtime's off-heap
 * memory is claimed, not a root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "walker.h"
#include "elfcore.h"
#include "godwarf.h"
#include "gocore_g.h"
#include "gospecials.h"
#include "gopclntab.h"
#include "gostack.h"
#include "gotypes.h"
#include "model/heap_build.h"
#include "model/mem.h"

#define GO_PAGE 8192u
#define SPAN_IN_USE 1 /* runtime.mSpanInUse; mSpanManual (stacks) is 2 */
#define SPAN_MANUAL 2
#define G_STATUS_IDLE 0
#define G_STATUS_SYSCALL 3
#define G_STATUS_DEAD 6
#define G_STATUS_SCAN 0x1000
#define MALLOC_HEADER_MIN 512 /* objects larger than this carry a header (1.22+) */
#define MAX_SPANS ((uint64_t)1 << 28) /* 2 TiB of 8 KiB spans */
#define MAX_CLASS_PAGES 16   /* a small size class's span: at most 10 pages so far */
#define MAX_CLASS_SIZE 32768 /* the largest size class */
#define MAX_STRUCT (1u << 24) /* runtime.mheap is 93 KB */
#define TFLAG_EXTRA_STAR 2

/* A field of a runtime struct: offset and size, size 0 when absent. */
typedef hs_go_field field;

typedef struct layout {
    uint32_t mspan_size, g_size, m_size, type_size;
    field allspans;                                        /* mheap */
    field start, npages, state, spanclass, elemsize, nelems, freeindex, alloc_bits,
        large_type, specials;                              /* mspan */
    field stack, sched, syscallsp, syscallpc, syscallbp, status, goid, startpc;   /* g */
    field stack_lo, stack_hi, gobuf_sp, gobuf_pc, gobuf_bp;                      /* stack, gobuf */
    field g0, alllink, mid;                                /* m */
    field types, etypes;                                   /* moduledata */
    field md_data, md_edata, md_bss, md_ebss, md_gcdatamask, md_gcbssmask;
    field md_noptrdata, md_enoptrdata, md_noptrbss, md_enoptrbss;
    field bv_n, bv_bytedata; /* runtime.bitvector: the masks' length in bits, bytes */
    field type_str, type_tflag;                            /* _type */
    field type_size_f, type_ptrbytes, type_gcdata, type_kind;
    uint32_t inline_marks; /* sizeof runtime.spanInlineMarkBits (Green Tea GC), or 0 */
    field arenas, arena_bitmap; /* mheap.arenas, heapArena.bitmap (Go 1.19: 2 bits a word) */
} layout;

typedef struct span {
    uint64_t base, end, elem;
    uint64_t large_type; /* a large object's *_type (1.22+), or 0 */
    uint8_t noscan, cls;
} span;

typedef struct type_cache {
    uint64_t ptr;
    uint32_t id;
} type_cache;

/* A module section's GC mask: bit k set when word k of [lo, hi) is a pointer. */
typedef struct global_mask {
    uint64_t lo, hi;
    uint8_t *bits; /* (hi - lo) / 8 bits, copied from the core */
} global_mask;

typedef struct goheap {
    layout L;
    global_mask globals[2]; /* the first module's data and bss */
    uint64_t noptr[2][2];   /* its noptrdata and noptrbss: [lo, hi), no pointers */
    char version[48];
    int minor;   /* 19 for go1.19; 0 when unknown */
    int precise; /* 1.22+ heap bits: pointer words known for every object */
    uint64_t arena_l2;   /* Go 1.19: mheap_.arenas[0], the *heapArena array, or 0 */
    uint64_t arena_base; /* arenaBaseOffset: the address of arena index 0 */
    span *spans; /* in-use spans, sorted by base */
    uint32_t n_spans, cap_spans;
    uint64_t types, etypes; /* the first module's type section */
    type_cache *tc;         /* open addressing, power-of-two size */
    uint32_t tc_cap, tc_n;
    uint32_t class_type[2][256]; /* [noscan][size class] type id + 1 */
    hs_go_obj *objs; /* found by add_objects, added to the heap at its end */
    uint32_t n_objs, cap_objs;
    uint8_t *meta_seg; /* per core segment: holds span structures */
    uint64_t *special_spans; /* in-use spans with finalizers, cleanups ... */
    uint32_t n_special_spans, cap_special_spans;
    Dwarf *dw; /* the executable's, owned by the core's libdwfl session */
    uint64_t dw_bias;
} goheap;

/* ---- small readers ---- */

static uint64_t get_uint(const uint8_t *p, field f)
{
    uint64_t v = 0;
    if (f.size && f.size <= 8) memcpy(&v, p + f.off, f.size); /* little-endian */
    return v;
}

static int read_struct(const hs_core *c, uint64_t addr, uint32_t size, const uint8_t **out)
{
    *out = hs_core_ptr(c, addr, size);
    return *out ? 0 : -1;
}

static int self_index(void)
{
    for (int k = 0; hs_core_walkers[k]; k++)
        if (hs_core_walkers[k] == &hs_walker_go) return k;
    return 0;
}

/* ---- recognising a Go program ---- */

static const char buildinfo_magic[14] = "\xff Go buildinf:";

/* The .go.buildinfo section starts a writable segment of the executable:
 * magic, pointer size, flags; since Go 1.18 (flags & 2) the version string
 * follows at offset 32 as varint length + bytes. */
static int buildinfo_version(const hs_core *c, char *out, size_t n)
{
    for (uint32_t s = 0; s < c->n_segs; s++) {
        const uint8_t *p = hs_core_ptr(c, c->segs[s].vaddr, 64);
        if (!p || memcmp(p, buildinfo_magic, sizeof buildinfo_magic) != 0) continue;
        if (!(p[15] & 2) || p[32] >= 0x80 || p[32] > 31) return 1;
        snprintf(out, n, "%.*s", (int)p[32], (const char *)p + 33);
        return 1;
    }
    return 0;
}

/* The Go runtime is linked into the executable: its .go.buildinfo in the
 * core, else its symbols in the executable. A C process costs no library's
 * symbol table (all of them were read here before: a fifth of a small
 * core's time). Without an entry point, every module is asked. */
static int recognise(const hs_core *c)
{
    char v[48];
    if (buildinfo_version(c, v, sizeof v)) return 1;
    if (c->at_entry)
        return hs_core_lookup_exe(c, "runtime.mheap_") ||
               hs_core_lookup_exe(c, "runtime.buildVersion");
    return hs_core_lookup(c, "runtime.mheap_") || hs_core_lookup(c, "runtime.buildVersion");
}

/* The version from the core's .go.buildinfo, else from the string that the
 * symbol runtime.buildVersion names. Returns -1 when both exist and differ:
 * the symbols are another program's (a wrong --binary). */
static int read_version(const hs_core *c, goheap *g)
{
    uint64_t sym = hs_core_lookup(c, "runtime.buildVersion"), hdr[2];
    char by_sym[48] = "";
    snprintf(g->version, sizeof g->version, "Go (version unknown)");
    int in_core = buildinfo_version(c, g->version, sizeof g->version);
    if (sym && !hs_core_read_mapped(c, sym, hdr, sizeof hdr) && hdr[1] && hdr[1] < sizeof by_sym &&
        !hs_core_read_mapped(c, hdr[0], by_sym, hdr[1]))
        by_sym[hdr[1]] = 0;
    if (!in_core && by_sym[0]) snprintf(g->version, sizeof g->version, "%s", by_sym);
    return in_core && sym && strcmp(by_sym, g->version) != 0 ? -1 : 0;
}

/* ---- layouts from DWARF ---- */

enum { T_MHEAP, T_MSPAN, T_G, T_STACK, T_GOBUF, T_M, T_MODULE, T_TYPE, T_OLDTYPE, T_INLINE, T_ARENA,
       T_BITVECTOR, N_TYPES };
static const char *const type_names[N_TYPES] = {
    "runtime.mheap", "runtime.mspan",      "runtime.g",         "runtime.stack",  "runtime.gobuf",
    "runtime.m",     "runtime.moduledata", "internal/abi.Type", "runtime._type",
    "runtime.spanInlineMarkBits", /* optional: only with Green Tea GC (1.25+) */
    "runtime.heapArena",          /* optional: its bitmap is read for Go 1.19 */
    "runtime.bitvector",          /* optional: without it globals are scanned conservatively */
};

void hs_go_find_structs(Dwarf *dw, const char *const *names, int n_names, Dwarf_Die *dies,
                        int *found)
{
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu, d;
        if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) do {
                if (dwarf_tag(&d) != DW_TAG_structure_type) continue;
                const char *n = dwarf_diename(&d);
                for (int t = 0; n && t < n_names; t++)
                    if (!found[t] && strcmp(n, names[t]) == 0) dies[t] = d, found[t] = 1;
            } while (dwarf_siblingof(&d, &d) == 0);
        off = next;
    }
}

hs_go_field hs_go_member(Dwarf_Die *st, const char *name)
{
    Dwarf_Die m, t;
    if (dwarf_child(st, &m) != 0) return (field){0, 0};
    do {
        Dwarf_Attribute a;
        Dwarf_Word off;
        Dwarf_Word size;
        const char *n = dwarf_diename(&m);
        if (dwarf_tag(&m) != DW_TAG_member || !n || strcmp(n, name) != 0) continue;
        if (!dwarf_attr(&m, DW_AT_data_member_location, &a) || dwarf_formudata(&a, &off) != 0)
            return (field){0, 0};
        if (!dwarf_attr_integrate(&m, DW_AT_type, &a) || !dwarf_formref_die(&a, &t) ||
            dwarf_aggregate_size(&t, &size) != 0 || size == 0 || off > MAX_STRUCT)
            return (field){0, 0};
        return (field){(uint32_t)off, (uint32_t)size};
    } while (dwarf_siblingof(&m, &m) == 0);
    return (field){0, 0};
}

static field member(Dwarf_Die *st, const char *name)
{
    return hs_go_member(st, name);
}

static uint32_t struct_size(Dwarf_Die *d)
{
    Dwarf_Word s;
    return dwarf_aggregate_size(d, &s) == 0 && s <= MAX_STRUCT ? (uint32_t)s : 0;
}

/* First of the names that is a member (fields renamed between versions). */
static field member2(Dwarf_Die *st, const char *a, const char *b)
{
    field f = member(st, a);
    return f.size || !b ? f : member(st, b);
}

/* Fills g->L; on a missing struct or field, names it in why and returns -1. */
static int read_layout(const hs_core *c, goheap *g, char *why, size_t n)
{
    uint64_t mheap = hs_core_lookup(c, "runtime.mheap_");
    Dwfl_Module *mod = c->dwfl ? dwfl_addrmodule(c->dwfl, mheap) : NULL;
    Dwarf_Addr bias;
    Dwarf *dw = mod ? dwfl_module_getdwarf(mod, &bias) : NULL;
    if (!dw) {
        snprintf(why, n, "the executable has no DWARF (built with -ldflags=-w?)");
        return -1;
    }
    g->dw = dw, g->dw_bias = bias;
    Dwarf_Die d[N_TYPES];
    int found[N_TYPES] = {0};
    hs_go_find_structs(dw, type_names, N_TYPES, d, found);
    if (!found[T_TYPE] && found[T_OLDTYPE]) d[T_TYPE] = d[T_OLDTYPE], found[T_TYPE] = 1;
    for (int t = 0; t < T_OLDTYPE; t++) /* T_OLDTYPE and after: optional */
        if (!found[t]) {
            snprintf(why, n, "no struct %s in its DWARF", type_names[t]);
            return -1;
        }
    layout *L = &g->L;
    L->mspan_size = struct_size(&d[T_MSPAN]);
    L->g_size = struct_size(&d[T_G]);
    L->m_size = struct_size(&d[T_M]);
    L->type_size = struct_size(&d[T_TYPE]);
    L->allspans = member(&d[T_MHEAP], "allspans");
    L->start = member(&d[T_MSPAN], "startAddr");
    L->npages = member(&d[T_MSPAN], "npages");
    L->state = member(&d[T_MSPAN], "state");
    L->spanclass = member(&d[T_MSPAN], "spanclass");
    L->elemsize = member(&d[T_MSPAN], "elemsize");
    L->nelems = member(&d[T_MSPAN], "nelems");
    L->freeindex = member(&d[T_MSPAN], "freeindex");
    L->alloc_bits = member(&d[T_MSPAN], "allocBits");
    L->large_type = member(&d[T_MSPAN], "largeType"); /* 1.22+ */
    L->specials = member(&d[T_MSPAN], "specials");
    L->stack = member(&d[T_G], "stack");
    L->sched = member(&d[T_G], "sched");
    L->syscallsp = member(&d[T_G], "syscallsp");
    L->syscallpc = member(&d[T_G], "syscallpc");
    L->syscallbp = member(&d[T_G], "syscallbp"); /* 1.23+ */
    L->status = member(&d[T_G], "atomicstatus");
    L->goid = member(&d[T_G], "goid");
    L->startpc = member(&d[T_G], "startpc");
    L->stack_lo = member(&d[T_STACK], "lo");
    L->stack_hi = member(&d[T_STACK], "hi");
    L->gobuf_sp = member(&d[T_GOBUF], "sp");
    L->gobuf_pc = member(&d[T_GOBUF], "pc");
    L->gobuf_bp = member(&d[T_GOBUF], "bp");
    L->g0 = member(&d[T_M], "g0");
    L->alllink = member(&d[T_M], "alllink");
    L->mid = member(&d[T_M], "id");
    L->types = member(&d[T_MODULE], "types");
    L->etypes = member(&d[T_MODULE], "etypes");
    L->md_data = member(&d[T_MODULE], "data");
    L->md_edata = member(&d[T_MODULE], "edata");
    L->md_bss = member(&d[T_MODULE], "bss");
    L->md_ebss = member(&d[T_MODULE], "ebss");
    L->md_gcdatamask = member(&d[T_MODULE], "gcdatamask");
    L->md_gcbssmask = member(&d[T_MODULE], "gcbssmask");
    L->md_noptrdata = member(&d[T_MODULE], "noptrdata");
    L->md_enoptrdata = member(&d[T_MODULE], "enoptrdata");
    L->md_noptrbss = member(&d[T_MODULE], "noptrbss");
    L->md_enoptrbss = member(&d[T_MODULE], "enoptrbss");
    if (found[T_BITVECTOR]) {
        L->bv_n = member(&d[T_BITVECTOR], "n");
        L->bv_bytedata = member(&d[T_BITVECTOR], "bytedata");
    }
    L->type_str = member2(&d[T_TYPE], "Str", "str");
    L->type_tflag = member2(&d[T_TYPE], "TFlag", "tflag");
    L->type_size_f = member2(&d[T_TYPE], "Size_", "size");
    L->type_ptrbytes = member2(&d[T_TYPE], "PtrBytes", "ptrdata");
    L->type_gcdata = member2(&d[T_TYPE], "GCData", "gcdata");
    L->type_kind = member2(&d[T_TYPE], "Kind_", "kind");
    L->inline_marks = found[T_INLINE] ? struct_size(&d[T_INLINE]) : 0;
    L->arenas = member(&d[T_MHEAP], "arenas");
    if (found[T_ARENA]) L->arena_bitmap = member(&d[T_ARENA], "bitmap");
    static const struct {
        const char *name;
        size_t off;
    } need[] = {
        {"mheap.allspans", offsetof(layout, allspans)},   {"mspan.startAddr", offsetof(layout, start)},
        {"mspan.npages", offsetof(layout, npages)},       {"mspan.state", offsetof(layout, state)},
        {"mspan.spanclass", offsetof(layout, spanclass)}, {"mspan.elemsize", offsetof(layout, elemsize)},
        {"mspan.nelems", offsetof(layout, nelems)},       {"mspan.freeindex", offsetof(layout, freeindex)},
        {"mspan.allocBits", offsetof(layout, alloc_bits)}, {"g.stack", offsetof(layout, stack)},
        {"g.sched", offsetof(layout, sched)},             {"g.atomicstatus", offsetof(layout, status)},
        {"g.goid", offsetof(layout, goid)},               {"stack.lo", offsetof(layout, stack_lo)},
        {"stack.hi", offsetof(layout, stack_hi)},         {"gobuf.sp", offsetof(layout, gobuf_sp)},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        const field *f = (const field *)((const char *)L + need[i].off);
        if (!f->size) {
            snprintf(why, n, "no field runtime.%s in its DWARF", need[i].name);
            return -1;
        }
    }
    if (!L->mspan_size || !L->g_size || L->allspans.size != 24) {
        snprintf(why, n, "runtime.mspan, runtime.g or mheap.allspans has an unexpected size");
        return -1;
    }
    return 0;
}

/* ---- type names ---- */

static uint32_t class_type(hs_heap *h, goheap *g, uint32_t cls, uint64_t size, int noscan)
{
    uint32_t *slot = cls < 256 ? &g->class_type[noscan][cls] : NULL;
    if (slot && *slot) return *slot - 1;
    char name[64];
    if (cls == 0)
        snprintf(name, sizeof name, "large %llu B%s", (unsigned long long)size,
                 noscan ? " (no pointers)" : "");
    else
        snprintf(name, sizeof name, "size-class %llu B%s", (unsigned long long)size,
                 noscan ? " (no pointers)" : "");
    uint32_t t = hs_heap_add_type(h, name);
    if (slot && t != HS_NONE && cls) *slot = t + 1;
    return t;
}

/* The name of the type descriptor at tp: its Str nameOff into the module's
 * types section points at a name (flags byte, varint length, bytes). */
static int type_name(const hs_core *c, const goheap *g, uint64_t tp, char *out, size_t n)
{
    uint8_t t[256], nm[12];
    const layout *L = &g->L;
    if (tp < g->types || tp >= g->etypes || L->type_size > sizeof t ||
        hs_core_read_mapped(c, tp, t, L->type_size))
        return -1;
    int32_t off = (int32_t)get_uint(t, L->type_str);
    uint64_t a = g->types + (uint64_t)(int64_t)off;
    if (off < 0 || a >= g->etypes || hs_core_read_mapped(c, a, nm, sizeof nm)) return -1;
    uint64_t len = 0;
    int i = 1, shift = 0;
    for (; i < 11; i++, shift += 7) {
        len |= (uint64_t)(nm[i] & 0x7f) << shift;
        if (!(nm[i] & 0x80)) break;
    }
    if (i == 11 || len == 0 || len >= n || len > g->etypes - a) return -1;
    if (hs_core_read_mapped(c, a + (uint64_t)i + 1, out, len)) return -1;
    out[len] = 0;
    if ((get_uint(t, L->type_tflag) & TFLAG_EXTRA_STAR) && out[0] == '*')
        memmove(out, out + 1, len);
    return 0;
}

static int type_id(const hs_core *c, hs_heap *h, goheap *g, uint64_t tp, uint32_t *out)
{
    if (g->tc_n * 2 >= g->tc_cap) {
        uint32_t cap = g->tc_cap ? g->tc_cap * 2 : 1024;
        type_cache *n = calloc(cap, sizeof *n);
        if (!n) return -1;
        for (uint32_t i = 0; i < g->tc_cap; i++) {
            if (!g->tc[i].ptr) continue;
            uint32_t k = (uint32_t)(g->tc[i].ptr >> 3) & (cap - 1);
            while (n[k].ptr)
                k = (k + 1) & (cap - 1);
            n[k] = g->tc[i];
        }
        free(g->tc);
        g->tc = n, g->tc_cap = cap;
    }
    uint32_t k = (uint32_t)(tp >> 3) & (g->tc_cap - 1);
    while (g->tc[k].ptr && g->tc[k].ptr != tp)
        k = (k + 1) & (g->tc_cap - 1);
    if (!g->tc[k].ptr) {
        char name[512];
        uint32_t id = HS_NONE;
        if (!type_name(c, g, tp, name, sizeof name)) id = hs_heap_add_type(h, name);
        g->tc[k] = (type_cache){tp, id};
        g->tc_n++;
    }
    *out = g->tc[k].id;
    return 0;
}

/* ---- spans and objects ---- */

static int push_span(goheap *g, span sp)
{
    if (g->n_spans == g->cap_spans) {
        uint32_t cap = g->cap_spans ? g->cap_spans * 2 : 1024;
        span *n = realloc(g->spans, cap * sizeof *n);
        if (!n) return -1;
        g->spans = n, g->cap_spans = cap;
    }
    g->spans[g->n_spans++] = sp;
    return 0;
}

static void claim(hs_core *c, uint64_t lo, uint64_t hi)
{
    while (lo < hi) {
        uint32_t s = hs_core_seg_of(c, lo);
        if (s == HS_NONE) return;
        uint64_t end = c->segs[s].vaddr + c->segs[s].memsz;
        hs_core_claim(c, s, lo, hi < end ? hi : end);
        lo = end;
    }
}

static int push_obj(goheap *g, hs_go_obj o)
{
    if (g->n_objs == g->cap_objs) {
        if (g->cap_objs >= UINT32_MAX / 2) return -1;
        uint32_t cap = g->cap_objs ? g->cap_objs * 2 : 4096;
        hs_go_obj *n = hs_mem_realloc(g->objs, cap, sizeof *n);
        if (!n) return -1;
        g->objs = n, g->cap_objs = cap;
    }
    g->objs[g->n_objs++] = o;
    return 0;
}

static int cmp_obj(const void *a, const void *b)
{
    const hs_go_obj *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

typedef struct walk_stats {
    uint64_t objects, bytes, spans, large, typed, bad_spans, no_bits, overlaps;
} walk_stats;

/* The objects of one in-use span whose struct is at p. */
static int walk_span(hs_core *c, hs_heap *h, goheap *g, const uint8_t *p, walk_stats *st,
                     hs_error *err)
{
    const layout *L = &g->L;
    uint64_t base = get_uint(p, L->start), npages = get_uint(p, L->npages);
    uint64_t elem = get_uint(p, L->elemsize), nelems = get_uint(p, L->nelems);
    uint64_t freeindex = get_uint(p, L->freeindex), bits = get_uint(p, L->alloc_bits);
    uint32_t spc = (uint32_t)get_uint(p, L->spanclass), cls = spc >> 1;
    int noscan = spc & 1;
    if (!npages || npages > ((uint64_t)1 << 40) / GO_PAGE || (base & (GO_PAGE - 1)) || !elem ||
        nelems > npages * GO_PAGE / elem || (cls == 0 && nelems != 1) ||
        (cls && (npages > MAX_CLASS_PAGES || elem < 8 || elem > MAX_CLASS_SIZE)) ||
        !hs_go_size_fits(elem)) { /* a large span is whole pages: its size always fits */
        st->bad_spans++;
        return 0;
    }
    uint64_t end = base + npages * GO_PAGE;
    uint64_t lt = cls == 0 && L->large_type.size ? get_uint(p, L->large_type) : 0;
    if (push_span(g, (span){base, end, elem, lt, (uint8_t)noscan, (uint8_t)cls}))
        return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    claim(c, base, end);
    st->spans++;
    const uint8_t *ab = bits ? hs_core_ptr(c, bits, (nelems + 7) / 8) : NULL;
    if (!ab && freeindex < nelems) st->no_bits++; /* such slots count as allocated */
    uint32_t large_t = HS_NONE;
    if (cls == 0) {
        if (lt && type_id(c, h, g, lt, &large_t))
            return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
        st->large++;
    }
    int headers = L->large_type.size && cls && !noscan && elem > MALLOC_HEADER_MIN;
    for (uint64_t j = 0; j < nelems; j++) {
        if (j >= freeindex && ab && !(ab[j / 8] >> (j % 8) & 1)) continue;
        uint64_t a = base + j * elem, tp;
        uint32_t t = large_t;
        if (headers && !hs_core_read64(c, a, &tp) && tp && type_id(c, h, g, tp, &t))
            return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
        int untyped = t == HS_NONE;
        if (untyped)
            t = class_type(h, g, cls, elem, noscan);
        else
            st->typed++;
        if (push_obj(g, hs_go_obj_make(a, elem, t, untyped, headers && !untyped)))
            return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
        st->objects++, st->bytes += elem;
    }
    return 0;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/* An in-use span's address and its mspan struct's, to walk spans by address. */
typedef struct span_ref {
    uint64_t base, mspan;
} span_ref;

static int cmp_span_ref(const void *a, const void *b)
{
    const span_ref *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static int objs_sorted(const goheap *g)
{
    for (uint32_t i = 1; i < g->n_objs; i++)
        if (g->objs[i].addr < g->objs[i - 1].addr) return 0;
    return 1;
}

/* Objects sorted by address: those overlapping an earlier one (a damaged
 * core whose allspans lists a span twice, or spans that overlap) are
 * dropped, and taken off the counts. */
static void drop_overlaps(goheap *g, walk_stats *st)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < g->n_objs; i++) {
        if (!k || g->objs[i].addr >= g->objs[k - 1].addr + hs_go_obj_size(&g->objs[k - 1])) {
            g->objs[k++] = g->objs[i];
            continue;
        }
        st->overlaps++, st->objects--, st->bytes -= hs_go_obj_size(&g->objs[i]);
    }
    g->n_objs = k;
}

/* runtime.allgs: its array into *arr, its length (0 when unreadable). */
static uint64_t read_allgs(const hs_core *c, uint64_t *arr)
{
    uint64_t at = hs_core_lookup(c, "runtime.allgs"), len = 0;
    if (!at || hs_core_read64(c, at, arr) || hs_core_read64(c, at + 8, &len) ||
        len >= ((uint64_t)1 << 28))
        return 0;
    return len;
}

/* What the unwinder (gostack.c) needs of the G whose struct is at gp. */
static hs_gostack_g gostack_of(const layout *L, const uint8_t *gp, uint64_t lo, uint64_t hi)
{
    return (hs_gostack_g){lo, hi, (uint32_t)get_uint(gp, L->status) & ~(uint32_t)G_STATUS_SCAN,
                          get_uint(gp, (field){L->sched.off + L->gobuf_pc.off, L->gobuf_pc.size}),
                          get_uint(gp, (field){L->sched.off + L->gobuf_sp.off, L->gobuf_sp.size}),
                          get_uint(gp, (field){L->sched.off + L->gobuf_bp.off, L->gobuf_bp.size}),
                          get_uint(gp, L->syscallpc), get_uint(gp, L->syscallsp),
                          get_uint(gp, L->syscallbp), L->syscallbp.size != 0};
}

/* One G's frames along the frame-pointer chain: a return address's call
 * (pc - 1) and the CFA, 16 bytes above the saved frame pointer. The frame
 * a running thread stopped in is left out: its variables may live in
 * registers. */
static int push_frames(const hs_core *c, const layout *L, const uint8_t *gp, hs_go_frame **v,
                       uint32_t *n, uint32_t *cap)
{
    uint64_t lo = get_uint(gp, (field){L->stack.off + L->stack_lo.off, 8});
    uint64_t hi = get_uint(gp, (field){L->stack.off + L->stack_hi.off, 8});
    if (hi <= lo || hi - lo >= ((uint64_t)1 << 30)) return 0;
    hs_gostack_g sg = gostack_of(L, gp, lo, hi);
    hs_gostack_regs r = hs_gostack_start(c, &sg);
    for (int k = 0; k < 4096 && r.pc >= 4096; k++) {
        if (!r.trap && r.bp >= lo && r.bp + 16 <= hi) {
            if (*n == *cap) {
                uint32_t nc = *cap ? *cap * 2 : 1024;
                hs_go_frame *m = nc < (1u << 26) ? realloc(*v, nc * sizeof *m) : NULL;
                if (!m) return -1;
                *v = m, *cap = nc;
            }
            (*v)[(*n)++] = (hs_go_frame){r.pc - 1, r.bp + 16};
        }
        if (hs_gostack_next(c, &r, lo, hi)) break;
    }
    return 0;
}

/* The frames of every goroutine that is not dead, for the stack variables
 * gotypes.c types objects by; NULL (none) when there are none or memory
 * runs out, which only leaves those objects named by size class. */
static hs_go_frame *goroutine_frames(const hs_core *c, const goheap *g, uint32_t *n_out)
{
    const layout *L = &g->L;
    uint64_t arr = 0, len = read_allgs(c, &arr);
    hs_go_frame *v = NULL;
    uint32_t n = 0, cap = 0;
    *n_out = 0;
    if (!len || !L->g_size) return NULL;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t gaddr;
        const uint8_t *gp;
        if (hs_core_read64(c, arr + 8 * i, &gaddr) || read_struct(c, gaddr, L->g_size, &gp)) continue;
        uint32_t status = (uint32_t)get_uint(gp, L->status) & ~(uint32_t)G_STATUS_SCAN;
        if (status == G_STATUS_IDLE || status == G_STATUS_DEAD) continue;
        if (push_frames(c, L, gp, &v, &n, &cap)) {
            free(v);
            return NULL;
        }
    }
    *n_out = n;
    return v;
}

/* A span whose specials list gospecials.c reads for roots. */
static int note_special_span(goheap *g, uint64_t mspan)
{
    if (g->n_special_spans == g->cap_special_spans) {
        uint32_t cap = g->cap_special_spans ? 2 * g->cap_special_spans : 64;
        uint64_t *v = cap < (1u << 28) ? realloc(g->special_spans, cap * sizeof *v) : NULL;
        if (!v) return -1;
        g->special_spans = v, g->cap_special_spans = cap;
    }
    g->special_spans[g->n_special_spans++] = mspan;
    return 0;
}

static int walk_spans(hs_core *c, hs_heap *h, goheap *g, uint64_t mheap, hs_error *err)
{
    const layout *L = &g->L;
    uint64_t arr, len;
    walk_stats st = {0};
    if (hs_core_read64(c, mheap + L->allspans.off, &arr) ||
        hs_core_read64(c, mheap + L->allspans.off + 8, &len))
        return hs_error_set(err, c->name, HS_NO_OFFSET,
                            "%s core: runtime.mheap_ (0x%llx) is not in the core", g->version,
                            (unsigned long long)mheap);
    uint64_t missing = 0;
    g->meta_seg = calloc(c->n_segs ? c->n_segs : 1, 1);
    if (!g->meta_seg) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    if (len > MAX_SPANS)
        return hs_error_set(err, c->name, HS_NO_OFFSET,
                            "%s core: runtime.mheap_.allspans claims %llu spans (corrupt)",
                            g->version, (unsigned long long)len);
    span_ref *order = calloc(len ? len : 1, sizeof *order);
    if (!order) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    uint32_t n_order = 0;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t sp;
        const uint8_t *p;
        if (hs_core_read64(c, arr + 8 * i, &sp) || read_struct(c, sp, L->mspan_size, &p)) {
            missing++;
            continue;
        }
        uint32_t ms = hs_core_seg_of(c, sp);
        if (ms != HS_NONE) g->meta_seg[ms] = 1;
        uint8_t state = (uint8_t)get_uint(p, (field){L->state.off, 1});
        if (state == SPAN_MANUAL) { /* stacks: scanned as goroutine stacks, not roots */
            uint64_t base = get_uint(p, L->start), np = get_uint(p, L->npages);
            if (np < ((uint64_t)1 << 40) / GO_PAGE) claim(c, base, base + np * GO_PAGE);
        }
        if (state != SPAN_IN_USE) continue;
        order[n_order++] = (span_ref){get_uint(p, L->start), sp};
        if (L->specials.size == 8 && get_uint(p, L->specials) && note_special_span(g, sp)) {
            free(order);
            return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
        }
    }
    /* Spans walked by address give objects sorted by address (unless
     * damaged spans overlap), which spares sorting millions of them. */
    qsort(order, n_order, sizeof *order, cmp_span_ref);
    for (uint32_t i = 0; i < n_order; i++) {
        const uint8_t *p;
        if (!read_struct(c, order[i].mspan, L->mspan_size, &p) && walk_span(c, h, g, p, &st, err)) {
            free(order);
            return -1;
        }
    }
    free(order);
    if (!st.spans && !missing)
        return hs_error_set(err, c->name, HS_NO_OFFSET,
                            "%s core: runtime.mheap_ (0x%llx) lists no span in use: symbols from "
                            "another program (wrong --binary?)",
                            g->version, (unsigned long long)mheap);
    if (len && missing == len)
        return hs_error_set(err, c->name, HS_NO_OFFSET,
                            "%s core: none of the %llu spans of runtime.mheap_.allspans (at 0x%llx) "
                            "is in the core (truncated?)",
                            g->version, (unsigned long long)len, (unsigned long long)arr);
    if (g->n_spans) qsort(g->spans, g->n_spans, sizeof *g->spans, cmp_span);
    if (!objs_sorted(g)) qsort(g->objs, g->n_objs, sizeof *g->objs, cmp_obj);
    drop_overlaps(g, &st);
    uint32_t n_frames = 0;
    hs_go_frame *frames = goroutine_frames(c, g, &n_frames);
    hs_go_typed from_dwarf;
    int rc = hs_go_type_objects(c, h, g->dw, g->dw_bias, g->objs, g->n_objs, frames, n_frames,
                                &from_dwarf, err);
    free(frames);
    if (rc) return -1;
    for (uint32_t i = 0; i < g->n_objs; i++) {
        if (hs_heap_add_object(h, g->objs[i].addr, hs_go_obj_size(&g->objs[i]), g->objs[i].type, HS_NONE, 0,
                               err))
            return -1;
        if ((i + 1) % (1u << 20) == 0) /* copied: not resident beside the model */
            hs_mem_drop(g->objs, (size_t)g->cap_objs * sizeof *g->objs, 0, (size_t)(i + 1) * sizeof *g->objs);
    }
    free(g->objs);
    g->objs = NULL, g->n_objs = g->cap_objs = 0;
    hs_heap_add_infof(h, "allocator", "Go runtime (%s)", g->version);
    hs_heap_add_infof(h, "go spans in use", "%llu of %llu (%llu large objects)", (unsigned long long)st.spans,
         (unsigned long long)len, (unsigned long long)st.large);
    hs_heap_add_infof(h, "go heap objects", "%llu (%llu bytes)", (unsigned long long)st.objects,
         (unsigned long long)st.bytes);
    hs_heap_add_infof(h, "go types", "%llu objects typed by the runtime (%s); by DWARF types "
         "along pointers: %lld from globals, %lld from runtime-typed objects, %lld from stack "
         "variables of %u frames; others named by size class",
         (unsigned long long)st.typed,
         L->large_type.size ? "malloc headers of objects over 512 B with pointers, large objects"
                            : "none before Go 1.22",
         (long long)from_dwarf.globals, (long long)from_dwarf.runtime, (long long)from_dwarf.stack,
         n_frames);
    hs_heap_add_infof(h, "go references", "%s; goroutine stacks: see go stacks",
         g->precise     ? "precise in objects (span heap bits, type pointer masks)"
         : g->arena_l2 ? "precise in objects (heap arena bitmap)"
                       : "conservative in objects (every word of spans with pointers)");
    if (missing || st.bad_spans || st.no_bits || st.overlaps)
        hs_heap_add_infof(h, "warning", "Go heap: %llu spans missing from the core, %llu damaged, %llu without "
             "allocation bits (all slots counted), %llu objects overlapping others (dropped)",
             (unsigned long long)missing, (unsigned long long)st.bad_spans,
             (unsigned long long)st.no_bits, (unsigned long long)st.overlaps);
    return 0;
}

static void release(void *state)
{
    goheap *g = state;
    if (!g) return;
    free(g->special_spans);
    free(g->globals[0].bits);
    free(g->globals[1].bits);
    free(g->spans);
    free(g->tc);
    free(g->objs);
    free(g->meta_seg);
    free(g);
}

/* Memory that must not be scanned as roots: every segment holding a span
 * (heap arenas, free pages included), and in a pure Go process (no other
 * allocator recognised; with cgo only those holding span structures) every
 * other anonymous writable mapping that holds
 * no thread's stack pointer and is outside every module (bss): the
 * runtime's off-heap structures (spans, arena metadata, caches), whose
 * pointers to span starts would otherwise keep the first object of every
 * span alive. */
static void claim_runtime_memory(hs_core *c, hs_heap *h, const goheap *g)
{
    uint32_t sp = 0, k = (uint32_t)self_index(), n_off = 0;
    uint64_t off_bytes = 0;
    int pure = (c->walkers_used & ~(1u << k)) == 0;
    for (uint32_t s = 0; s < c->n_segs; s++) {
        hs_core_seg *seg = &c->segs[s];
        uint64_t end = seg->vaddr + seg->memsz;
        while (sp < g->n_spans && g->spans[sp].end <= seg->vaddr)
            sp++;
        if (sp < g->n_spans && g->spans[sp].base < end) {
            hs_core_claim(c, s, seg->vaddr, end);
            continue;
        }
        /* A module's range holds its bss, which maps no file. */
        if ((!pure && !g->meta_seg[s]) || seg->file != HS_NONE || !(seg->flags & HS_CORE_SEG_W) ||
            (c->dwfl && dwfl_addrmodule(c->dwfl, seg->vaddr)))
            continue;
        int stack = 0;
        for (uint32_t t = 0; t < c->n_threads; t++)
            stack |= c->threads[t].sp - seg->vaddr < seg->memsz;
        if (stack) continue;
        hs_core_claim(c, s, seg->vaddr, end);
        n_off++, off_bytes += seg->memsz;
    }
    if (n_off)
        hs_heap_add_infof(h, "go runtime memory", "%llu bytes in %u anonymous mappings outside the heap "
             "(span and arena metadata) not scanned as roots", (unsigned long long)off_bytes, n_off);
}

/* One GC mask of the first module (moduledata.gcdatamask or gcbssmask:
 * a bitvector of n bits, one per word of [lo, hi)), copied out of the core;
 * left empty when anything does not fit, and then its words are scanned
 * conservatively like any C global. */
static void read_global_mask(const hs_core *c, const layout *L, uint64_t md, field lo_f, field hi_f,
                             field mask_f, global_mask *out)
{
    const uint8_t *mdp, *bv, *bits;
    if (lo_f.size != 8 || hi_f.size != 8 || !mask_f.size || L->bv_n.size != 4 ||
        L->bv_bytedata.size != 8 || read_struct(c, md, mask_f.off + mask_f.size, &mdp))
        return;
    uint64_t lo = get_uint(mdp, lo_f), hi = get_uint(mdp, hi_f);
    bv = mdp + mask_f.off;
    uint64_t n = get_uint(bv, L->bv_n), data = get_uint(bv, L->bv_bytedata);
    /* n is the whole words of the section (edata need not be aligned) */
    if (hi <= lo || n != (hi - lo) / 8 || n > ((uint64_t)1 << 32) ||
        read_struct(c, data, (uint32_t)((n + 7) / 8), &bits))
        return;
    out->bits = malloc((n + 7) / 8);
    if (!out->bits) return;
    memcpy(out->bits, bits, (n + 7) / 8);
    out->lo = lo, out->hi = lo + 8 * n;
}

static void read_global_masks(const hs_core *c, goheap *g, uint64_t md)
{
    const layout *L = &g->L;
    read_global_mask(c, L, md, L->md_data, L->md_edata, L->md_gcdatamask, &g->globals[0]);
    read_global_mask(c, L, md, L->md_bss, L->md_ebss, L->md_gcbssmask, &g->globals[1]);
    const field bounds[2][2] = {{L->md_noptrdata, L->md_enoptrdata}, {L->md_noptrbss, L->md_enoptrbss}};
    const uint8_t *mdp;
    if (!g->globals[0].bits || !g->globals[1].bits || read_struct(c, md, L->md_gcbssmask.off, &mdp))
        return;
    for (int k = 0; k < 2; k++)
        if (bounds[k][0].size == 8 && bounds[k][1].size == 8 && bounds[k][0].off < L->md_gcbssmask.off &&
            bounds[k][1].off < L->md_gcbssmask.off) {
            g->noptr[k][0] = get_uint(mdp, bounds[k][0]);
            g->noptr[k][1] = get_uint(mdp, bounds[k][1]);
        }
}

static int add_objects(hs_core *c, hs_heap *h, hs_error *err)
{
    goheap *g = calloc(1, sizeof *g);
    if (!g) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    c->walker_state[self_index()] = g;
    int other_program = read_version(c, g);
    const char *v = strstr(g->version, "go1.");
    g->minor = v ? atoi(v + 4) : 0;
    uint64_t mheap = hs_core_lookup(c, "runtime.mheap_");
    if (!mheap)
        return hs_error_set(err, c->name, HS_NO_OFFSET,
                            "%s core: the executable's symbols are needed to walk the Go heap "
                            "(pass --binary PATH)",
                            g->version);
    if (other_program)
        return hs_error_set(err, c->name, HS_NO_OFFSET,
                            "%s core: the executable's runtime.buildVersion does not name this "
                            "version: symbols from another program (wrong --binary?)",
                            g->version);
    char why[160];
    if (read_layout(c, g, why, sizeof why))
        return hs_error_set(err, c->name, HS_NO_OFFSET, "%s heap layout not supported: %s",
                            g->version, why);
    uint64_t md = hs_core_lookup(c, "runtime.firstmoduledata");
    if (md && g->L.types.size == 8) {
        hs_core_read64(c, md + g->L.types.off, &g->types);
        hs_core_read64(c, md + g->L.etypes.off, &g->etypes);
    }
    if (md) read_global_masks(c, g, md);
    hs_heap_add_infof(h, "go globals", "%s",
                      g->globals[0].bits && g->globals[1].bits
                          ? "data and bss: pointer words by the module's GC masks (precise)"
                          : "data and bss scanned conservatively (no GC masks found)");
    const layout *L = &g->L;
    g->precise = L->large_type.size && g->minor >= 22 && L->type_size_f.size == 8 &&
                 L->type_ptrbytes.size == 8 && L->type_gcdata.size == 8 && L->type_kind.size == 1;
    /* Go 1.19: a byte of heapArena.bitmap per 4 words (heapArenaBytes / 32
     * bytes); one L1 entry on Linux; arenaBaseOffset 0xffff800000000000
     * on x86-64, 0 on arm64. 1.20 and 1.21 changed the bitmap: conservative. */
    if (g->minor == 19 && L->arenas.size == 8 && L->arena_bitmap.size >= 4096 &&
        !hs_core_read64(c, mheap + L->arenas.off, &g->arena_l2))
        g->arena_base = c->machine == EM_X86_64 ? 0xffff800000000000ull : 0;
    if (walk_spans(c, h, g, mheap, err)) return -1;
    claim_runtime_memory(c, h, g);
    return 0;
}

/* ---- references and roots ---- */

static const goheap *state_of(const hs_core *c)
{
    return c->walker_state[self_index()];
}

static const span *span_of(const goheap *g, uint64_t addr);

static uint64_t user_bytes(const hs_core *c, uint64_t addr, uint64_t size)
{
    const span *sp = span_of(state_of(c), addr);
    return sp && sp->noscan ? 0 : size;
}

/* The bitmap bytes [first bit, first bit + n bits) at addr into bits
 * (bit k of the result = bit first + k of the bitmap), ORed in at word
 * offset at. -1 when the bitmap is not readable. */
static int copy_bits(const hs_core *c, uint64_t addr, uint64_t first, uint64_t n, uint64_t *bits,
                     uint64_t at, uint64_t n_words)
{
    uint8_t buf[512];
    if (at >= n_words) return 0;
    if (n > n_words - at) n = n_words - at;
    for (uint64_t pos = first, end = first + n; pos < end;) {
        uint64_t b0 = pos / 8, b1 = (end + 7) / 8;
        if (b1 - b0 > sizeof buf) b1 = b0 + sizeof buf;
        if (hs_core_read_mapped(c, addr + b0, buf, b1 - b0)) return -1;
        for (; pos < end && pos < b1 * 8; pos++) {
            uint64_t w = at + pos - first;
            if (buf[pos / 8 - b0] >> (pos % 8) & 1 && w < n_words) bits[w / 64] |= 1ull << (w % 64);
        }
    }
    return 0;
}

/* What the pointer masks need of a runtime._type. */
typedef struct type_hdr {
    uint64_t size, ptrbytes, gcdata, tflag, kind;
} type_hdr;

static int read_type(const hs_core *c, const layout *L, uint64_t tp, type_hdr *out)
{
    uint8_t t[256];
    if (L->type_size > sizeof t || hs_core_read_mapped(c, tp, t, L->type_size)) return -1;
    *out = (type_hdr){get_uint(t, L->type_size_f), get_uint(t, L->type_ptrbytes),
                      get_uint(t, L->type_gcdata), get_uint(t, L->type_tflag),
                      get_uint(t, L->type_kind)};
    return out->ptrbytes > out->size ? -1 : 0;
}

#define TFLAG_GC_MASK_ON_DEMAND 16 /* Go 1.24+: GCData is a **byte */
#define KIND_MASK 31 /* abi.KindMask: the kind without its flag bits */
#define KIND_ARRAY 17
#define KIND_STRUCT 25
#define MAX_MASK_ITEMS (1u << 16)

/* A part of a type still to be put into a mask: count elements of type tp
 * from word `word` on, stride words apart. */
typedef struct mask_item {
    uint64_t tp, word, count, stride;
} mask_item;

typedef struct mask_list {
    mask_item *v;
    uint32_t n, cap;
} mask_list;

static int push_item(mask_list *l, mask_item it)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? 2 * l->cap : 64;
        mask_item *v = cap <= MAX_MASK_ITEMS ? realloc(l->v, cap * sizeof *v) : NULL;
        if (!v) return -1;
        l->v = v, l->cap = cap;
    }
    l->v[l->n++] = it;
    return 0;
}

/* One item's first element into mask (n_bits words): its own mask when the
 * compiler wrote one, else its elements or fields as new items. */
static int mask_part(const hs_core *c, const layout *L, mask_item it, uint64_t *mask,
                     uint64_t n_bits, mask_list *l)
{
    type_hdr t;
    if (read_type(c, L, it.tp, &t)) return -1;
    if (!t.ptrbytes) return 0;
    if (it.word > n_bits || t.ptrbytes / 8 > n_bits - it.word) return -1;
    if (!(t.tflag & TFLAG_GC_MASK_ON_DEMAND))
        return copy_bits(c, t.gcdata, 0, t.ptrbytes / 8, mask, it.word, n_bits);
    uint64_t a = it.tp + L->type_size, f[2], elem[2];
    if ((t.kind & KIND_MASK) == KIND_ARRAY) { /* abi.ArrayType: Type, Elem, Slice, Len */
        type_hdr e;
        if (hs_core_read_mapped(c, a, &elem[0], 8) || hs_core_read_mapped(c, a + 16, &elem[1], 8) ||
            read_type(c, L, elem[0], &e) || !e.size || e.size % 8)
            return -1;
        return push_item(l, (mask_item){elem[0], it.word, elem[1], e.size / 8});
    }
    /* abi.StructType: Type, PkgPath, Fields (abi.StructField: Name, Typ, Offset) */
    if ((t.kind & KIND_MASK) != KIND_STRUCT || hs_core_read_mapped(c, a + 8, f, sizeof f)) return -1;
    for (uint64_t k = 0; k < f[1]; k++) {
        type_hdr ft;
        if (hs_core_read_mapped(c, f[0] + 24 * k + 8, elem, sizeof elem)) return -1;
        if (elem[1] % 8 == 0) { /* else a field without pointers (int32 at 4) */
            if (push_item(l, (mask_item){elem[0], it.word + elem[1] / 8, 1, 0})) return -1;
        } else if (read_type(c, L, elem[0], &ft) || ft.ptrbytes)
            return -1;
    }
    return 0;
}

/* The mask of a type whose runtime builds it on first use (Go 1.24+, large
 * types: TFlagGCMaskOnDemand) when the runtime has not built it yet (no
 * collection has scanned an object of the type: *GCData is nil). Built as
 * the runtime's buildGCMask does (runtime/type.go): a type with a mask of
 * its own gives it, an array its element's at each element, a struct its
 * fields' at their offsets; iteratively, with a worklist. NULL when the
 * type cannot be read (then the object is scanned word by word). */
static uint64_t *build_mask(const hs_core *c, const layout *L, uint64_t tp, uint64_t n_bits)
{
    uint64_t *mask = calloc(n_bits / 64 + 1, 8);
    mask_list l = {0};
    int rc = mask ? push_item(&l, (mask_item){tp, 0, 1, 0}) : -1;
    for (uint64_t budget = 8 * n_bits + 4096; l.n && !rc; budget--) {
        mask_item it = l.v[--l.n];
        if (it.count > 1)
            rc = push_item(&l, (mask_item){it.tp, it.word + it.stride, it.count - 1, it.stride});
        if (!rc) rc = budget ? mask_part(c, L, it, mask, n_bits, &l) : -1;
    }
    free(l.v);
    if (!rc) return mask;
    free(mask);
    return NULL;
}

/* Pointer words of an object typed by tp, its data from word `from` on:
 * the type's mask (PtrBytes / 8 bits) repeated every Size_ bytes. */
static int type_mask(const hs_core *c, const goheap *g, uint64_t tp, uint64_t from,
                     uint64_t *bits, uint64_t n_words)
{
    type_hdr t;
    uint64_t *built = NULL, mask;
    if (!tp) return 0; /* not yet typed: no pointers (runtime's typePointersOf) */
    if (read_type(c, &g->L, tp, &t) || !t.size || t.size % 8) return -1;
    mask = t.gcdata;
    if (g->minor >= 24 && (t.tflag & TFLAG_GC_MASK_ON_DEMAND)) {
        if (hs_core_read_mapped(c, t.gcdata, &mask, 8)) return -1;
        if (!mask && !(built = build_mask(c, &g->L, tp, t.ptrbytes / 8))) return -1;
    } else if (g->minor < 24 && (t.kind & 64)) /* KindGCProg: a program, not a mask */
        return -1;
    if (!mask && !built) return -1;
    int rc = 0;
    for (uint64_t w = from; w < n_words && !rc; w += t.size / 8)
        if (built)
            for (uint64_t k = 0; k < t.ptrbytes / 8 && w + k < n_words; k++)
                bits[(w + k) / 64] |= (built[k / 64] >> (k % 64) & 1) << ((w + k) % 64);
        else
            rc = copy_bits(c, mask, 0, t.ptrbytes / 8, bits, w, n_words);
    free(built);
    return rc;
}

static const span *span_of(const goheap *g, uint64_t addr)
{
    uint32_t lo = 0, hi = g ? g->n_spans : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->spans[mid].base <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && addr < g->spans[lo - 1].end ? &g->spans[lo - 1] : NULL;
}

/* Go 1.19: 2 bits per word in the arena's bitmap, pointer (bit 0) and scan
 * (bit 4, shifted like it): a word whose scan bit is clear ends the
 * object's pointers (the runtime's scanobject). */
static int arena_bits(const hs_core *c, const goheap *g, uint64_t addr, uint64_t *bits,
                      uint64_t n_words)
{
    uint64_t bm_bytes = g->L.arena_bitmap.size, arena_bytes = bm_bytes * 32, idx = UINT64_MAX;
    const uint8_t *bm = NULL;
    memset(bits, 0, (n_words + 63) / 64 * 8);
    for (uint64_t k = 0; k < n_words; k++) {
        uint64_t a = addr + 8 * k, i = (a - g->arena_base) / arena_bytes, ha;
        if (i != idx) {
            idx = i;
            if (hs_core_read64(c, g->arena_l2 + 8 * i, &ha) || !ha ||
                !(bm = hs_core_ptr(c, ha + g->L.arena_bitmap.off, bm_bytes)))
                return -1;
        }
        uint32_t b = (uint32_t)bm[(a / 32) % bm_bytes] >> ((a / 8) & 3);
        if (!(b & 0x10)) break;
        if (b & 1) bits[k / 64] |= 1ull << (k % 64);
    }
    return 0;
}

/* Go 1.22+: objects of at most 512 bytes have one bit per word in the
 * span's heap bits (its last npages*8192/64 bytes, before the inline mark
 * bits under Green Tea GC); larger ones the mask of their type (malloc
 * header, or the span's largeType). */
static int pointer_words(const hs_core *c, uint64_t addr, uint64_t size, uint64_t *bits,
                         uint64_t n_words)
{
    const goheap *g = state_of(c);
    if (g && g->arena_l2) return arena_bits(c, g, addr, bits, n_words);
    const span *sp = g && g->precise ? span_of(g, addr) : NULL;
    if (!sp) return -1;
    memset(bits, 0, (n_words + 63) / 64 * 8);
    if (sp->noscan) return 0;
    (void)size;
    if (sp->cls && sp->elem <= MALLOC_HEADER_MIN) {
        uint64_t span_bytes = sp->end - sp->base, hb = sp->end - span_bytes / 64;
        if (g->L.inline_marks && sp->elem >= 16) hb -= g->L.inline_marks;
        uint64_t n = sp->elem / 8 < n_words ? sp->elem / 8 : n_words;
        return copy_bits(c, hb, (addr - sp->base) / 8, n, bits, 0, n_words);
    }
    uint64_t tp = sp->large_type;
    if (sp->cls && hs_core_read64(c, addr, &tp)) return -1;
    return type_mask(c, g, tp, sp->cls ? 1 : 0, bits, n_words);
}

/* How the goroutine stacks were scanned, for the info line. */
typedef struct stack_stats {
    const hs_gopcln *pcln; /* NULL: every stack conservative */
    uint32_t precise, partial, whole, frames;
    const char *why; /* the first reason a stack fell back */
} stack_stats;

/* The words of [from, to) whose bit is set in live (NULL: all of them) as
 * one root, its id into *root_out (HS_NONE when none points at an object). */
static int scan_stack(const hs_core *c, hs_heap *h, const char *label, uint64_t from, uint64_t to,
                      const uint8_t *live, uint32_t *root_out, hs_error *err)
{
    const uint8_t *p =
        to > from && to - from < ((uint64_t)1 << 30) ? hs_core_ptr(c, from, to - from) : NULL;
    if (!p) return 0;
    uint32_t r = HS_NONE;
    for (uint64_t o = 0; o + 8 <= to - from; o += 8) {
        uint64_t v;
        if (live && !(live[o / 64] >> (o / 8 % 8) & 1)) continue;
        memcpy(&v, p + o, 8);
        uint32_t obj = hs_heap_find(h, v);
        if (obj == HS_NONE) continue;
        if (r == HS_NONE) r = hs_heap_add_root(h, HS_ROOT_STACK, hs_heap_intern(h, label, strlen(label)));
        if (r == HS_NONE) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
        if (hs_heap_add_root_ref_id(h, r, o, obj, err)) return -1;
    }
    *root_out = r;
    return 0;
}

/* Where the live part of the stack [lo, hi) of a g starts: a thread's stack
 * pointer inside it (running), else the saved one, else lo. */
static uint64_t stack_from(const hs_core *c, const layout *L, const uint8_t *gp, uint64_t lo,
                           uint64_t hi)
{
    for (uint32_t t = 0; t < c->n_threads; t++)
        if (c->threads[t].sp >= lo && c->threads[t].sp < hi) return c->threads[t].sp;
    uint32_t status = (uint32_t)get_uint(gp, L->status) & ~(uint32_t)G_STATUS_SCAN;
    uint64_t sp = get_uint(gp, (field){L->sched.off + L->gobuf_sp.off, 8});
    uint64_t ssp = L->syscallsp.size ? get_uint(gp, L->syscallsp) : 0;
    if (status == G_STATUS_SYSCALL && ssp >= lo && ssp < hi) return ssp;
    return sp >= lo && sp < hi ? sp : lo;
}

/* A goroutine's stack [from, hi) by the runtime's pointer maps where they
 * hold (gostack.c), conservatively elsewhere. */
static int scan_goroutine(const hs_core *c, hs_heap *h, const layout *L, const uint8_t *gp,
                          const char *label, uint64_t lo, uint64_t hi, stack_stats *st,
                          uint32_t *root_out, hs_error *err)
{
    uint64_t from = stack_from(c, L, gp, lo, hi);
    if (hi - from >= ((uint64_t)1 << 30)) return 0;
    uint8_t *live = calloc((hi - from) / 64 + 1, 1);
    if (!live) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    hs_gostack_g g = gostack_of(L, gp, lo, hi);
    hs_gostack_scan sc;
    hs_gostack_live(c, st->pcln, &g, from, live, &sc);
    st->frames += sc.precise_frames;
    if (!sc.why) st->precise++;
    else if (sc.precise_frames) st->partial++;
    else st->whole++;
    if (sc.why && !st->why) st->why = sc.why;
    int rc = scan_stack(c, h, label, from, hi, live, root_out, err);
    free(live);
    return rc;
}

static int scan_g(const hs_core *c, hs_heap *h, const goheap *g, uint64_t gaddr,
                  stack_stats *st, uint32_t *root_out, hs_error *err)
{
    const layout *L = &g->L;
    const uint8_t *gp;
    if (read_struct(c, gaddr, L->g_size, &gp)) return 0;
    uint32_t status = (uint32_t)get_uint(gp, L->status) & ~(uint32_t)G_STATUS_SCAN;
    if (status == G_STATUS_IDLE || status == G_STATUS_DEAD) return 0;
    uint64_t lo = get_uint(gp, (field){L->stack.off + L->stack_lo.off, 8});
    uint64_t hi = get_uint(gp, (field){L->stack.off + L->stack_hi.off, 8});
    if (hi <= lo || hs_core_seg_of(c, lo) == HS_NONE) return 0;
    char label[320];
    uint64_t pc = L->startpc.size ? get_uint(gp, L->startpc) : 0;
    const char *fn = pc ? hs_core_symbol(c, pc, NULL) : NULL;
    snprintf(label, sizeof label, "goroutine %lld %s", (long long)get_uint(gp, L->goid),
             fn ? fn : "stack");
    return scan_goroutine(c, h, L, gp, label, lo, hi, st, root_out, err);
}

/* The info line on how the goroutine stacks were scanned. */
static void stack_info(hs_heap *h, const stack_stats *st, const char *no_pcln)
{
    if (no_pcln) {
        hs_heap_add_infof(h, "go stacks", "scanned conservatively: %s", no_pcln);
        return;
    }
    hs_heap_add_infof(h, "go stacks",
                      "%u goroutines by the runtime's stack pointer maps (%u frames), %u partly "
                      "and %u wholly conservative%s%s",
                      st->precise, st->frames, st->partial, st->whole,
                      st->why ? "; first fallback: " : "", st->why ? st->why : "");
}

/* ---- system stacks ----
 * The g0 (system) and gsignal (signal) stacks of the Ms are not roots, as
 * for the runtime's collector: "the garbage collector does not scan system
 * stacks" (runtime/HACKING.md, Stacks); markroot (mgcmark.go) scans data,
 * bss, the spans' specials and the stacks of allgs, and an M's g0 and
 * gsignal are malg'd in allocm and mpreinit (m0's g0 is the global
 * runtime.g0), never allgadd'ed (proc.go);
 * WriteHeapDump's dumpgs walks allgs too. The collector can do without them
 * because code on a system stack cannot be preempted: no cycle ends while
 * it runs, and what it handles is reachable otherwise. For a goroutine
 * (systemstack, mcall) the caller's frames on its own stack, scanned from
 * g.sched, hold the arguments; the scheduler's gs and ps are in allgs and
 * allp; a large object mheap.alloc hands out there is a span whose freeindex
 * is 0, no object, until mallocgcLarge sets it back on the goroutine's
 * stack. What a g0 stack holds beyond that is a stale copy (SetFinalizer's
 * object, left where addfinalizer ran): a root there would invent retention.
 * In a pure Go process the main thread's stack is m0's g0 stack, and the
 * core reader would scan it as a thread stack: it is claimed at the end of
 * phase 1. With cgo the system stacks are the threads' own (pthread stacks,
 * outside the arenas) where C code runs with C's pointers: the core reader
 * scans them as thread stacks, conservatively, with their registers. A
 * thread on a goroutine's stack (running it, or in a system call) keeps its
 * registers as a root (thread_registers): they may hold the only copy of a
 * pointer. One on a claimed g0 or gsignal stack does not: its registers
 * hold the scheduler's state, stale like its stack words (a parked M's R13
 * held SetFinalizer's object + 1). */

/* Whether the process runs C code (runtime.iscgo); unknown counts as yes. */
static int uses_cgo(const hs_core *c)
{
    uint64_t at = hs_core_lookup(c, "runtime.iscgo");
    uint8_t v = 1;
    return !at || hs_core_read_mapped(c, at, &v, 1) || v != 0;
}

/* The stack [lo, hi) of the g0 of the M at m_addr; -1 when unreadable.
 * Field by field: runtime.m0 and runtime.g0 are globals that may straddle
 * the boundary between the data and bss mappings (Go 1.19's m0 does). */
static int g0_stack(const hs_core *c, const layout *L, uint64_t m_addr, uint64_t *lo, uint64_t *hi)
{
    uint64_t g0;
    if (L->g0.size != 8 || hs_core_read64(c, m_addr + L->g0.off, &g0) ||
        hs_core_read64(c, g0 + L->stack.off + L->stack_lo.off, lo) ||
        hs_core_read64(c, g0 + L->stack.off + L->stack_hi.off, hi))
        return -1;
    return *hi > *lo ? 0 : -1;
}

/* Phase 1, then in a pure Go process the main thread's stack mapping (m0's
 * g0 stack, with argv and the environment above it) claimed, so that the
 * core reader scans it neither as a thread stack nor as writable memory. */
static int add_objects_and_main_stack(hs_core *c, hs_heap *h, hs_error *err)
{
    if (add_objects(c, h, err)) return -1;
    const goheap *g = state_of(c);
    uint64_t lo, hi, m0 = hs_core_lookup(c, "runtime.m0");
    if (!g || !m0 || uses_cgo(c) || g0_stack(c, &g->L, m0, &lo, &hi)) return 0;
    uint32_t s = hs_core_seg_of(c, lo);
    const hs_core_seg *sg = s == HS_NONE ? NULL : &c->segs[s];
    if (sg && sg->file == HS_NONE && (sg->flags & HS_CORE_SEG_W) && hi <= sg->vaddr + sg->memsz)
        hs_core_claim(c, s, sg->vaddr, sg->vaddr + sg->memsz);
    return 0;
}

/* The registers of the threads running on a goroutine's stack, as roots
 * ("thread N registers"); the core reader left every thread whose stack is
 * claimed to this walker (walker.h). */
static int thread_registers(const hs_core *c, hs_heap *h, const goheap *g, hs_error *err)
{
    const layout *L = &g->L;
    uint64_t arr = 0, len = read_allgs(c, &arr);
    if (!c->n_threads || !len) return 0;
    uint8_t *done = calloc(c->n_threads, 1);
    if (!done) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    int rc = 0;
    for (uint64_t i = 0; i < len && !rc; i++) {
        uint64_t gaddr;
        const uint8_t *gp;
        if (hs_core_read64(c, arr + 8 * i, &gaddr) || read_struct(c, gaddr, L->g_size, &gp)) continue;
        uint32_t status = (uint32_t)get_uint(gp, L->status) & ~(uint32_t)G_STATUS_SCAN;
        uint64_t lo = get_uint(gp, (field){L->stack.off + L->stack_lo.off, 8});
        uint64_t hi = get_uint(gp, (field){L->stack.off + L->stack_hi.off, 8});
        if (status == G_STATUS_IDLE || status == G_STATUS_DEAD || hi <= lo) continue;
        for (uint32_t t = 0; t < c->n_threads && !rc; t++) {
            uint64_t sp = c->threads[t].sp;
            uint32_t s = hs_core_seg_of(c, sp);
            if (done[t] || sp < lo || sp >= hi || s == HS_NONE || sp < c->segs[s].claim_lo ||
                sp >= c->segs[s].claim_hi)
                continue;
            done[t] = 1;
            rc = hs_core_register_root(c, h, t, err);
        }
    }
    free(done);
    return rc;
}

#define MAX_MS 100000

/* The Ms of runtime.allm, in its order, into *ms (malloc'd); how many.
 * The link is read alone: m0, a global, may straddle two mappings. */
static uint32_t list_ms(const hs_core *c, const layout *L, uint64_t **ms)
{
    uint64_t m = 0, m_at = hs_core_lookup(c, "runtime.allm");
    uint32_t n = 0, cap = 0;
    *ms = NULL;
    if (!m_at || L->alllink.size != 8 || hs_core_read64(c, m_at, &m)) return 0;
    for (uint64_t next; m && n < MAX_MS && !hs_core_read64(c, m + L->alllink.off, &next); m = next) {
        if (n == cap) {
            uint64_t *v = realloc(*ms, (cap = cap ? 2 * cap : 16) * sizeof *v);
            if (!v) break;
            *ms = v;
        }
        (*ms)[n++] = m;
    }
    return n;
}

/* The info line on the system stacks: how many Ms, and how they were read. */
static void system_stacks_info(const hs_core *c, hs_heap *h, const goheap *g, const uint64_t *ms,
                               uint32_t n)
{
    uint32_t own = 0; /* Ms with a g0 stack outside heap memory */
    for (uint32_t k = 0; k < n; k++) {
        uint64_t lo, hi;
        uint32_t s = g0_stack(c, &g->L, ms[k], &lo, &hi) ? HS_NONE : hs_core_seg_of(c, lo);
        if (s != HS_NONE && !(lo >= c->segs[s].claim_lo && lo < c->segs[s].claim_hi)) own++;
    }
    if (uses_cgo(c))
        hs_heap_add_infof(h, "go system stacks",
                          "%u Ms: g0 and gsignal stacks in heap arenas not roots, as for the "
                          "runtime's collector; %u on their thread's own stack (cgo), scanned "
                          "as thread stacks",
                          n, own);
    else
        hs_heap_add_infof(h, "go system stacks",
                          "%u Ms: g0 and gsignal stacks not roots, as for the runtime's "
                          "collector (the main thread's stack is m0's g0 stack)",
                          n);
}

/* The object that starts at addr, of at least size bytes, untyped or named
 * by its size class only; HS_NONE if none. */
static uint32_t unnamed_at(const hs_heap *h, uint64_t addr, uint64_t size)
{
    uint32_t o = addr ? hs_heap_find(h, addr) : HS_NONE;
    if (o == HS_NONE || hs_heap_addr(h, o) != addr || hs_heap_size(h, o) < size) return HS_NONE;
    uint32_t t = hs_heap_type(h, o);
    const char *name = t == HS_NONE ? "" : hs_heap_str(h, h->type_name[t]);
    return t == HS_NONE || !strncmp(name, "size-class ", 11) ? o : HS_NONE;
}

static int by_id(const void *a, const void *b)
{
    const hs_heap_id_value *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The Ms' g0 and gsignal objects named runtime.g where nothing named them:
 * Go 1.27's allm points 8 bytes into a runtime.mPadded (a malloc header,
 * then the m) whose type its DWARF lacks, so the naming pass that follows
 * DWARF types from the globals (gotypes.c) does not reach them. */
static int name_system_gs(const hs_core *c, hs_heap *h, const goheap *g, const uint64_t *ms,
                          uint32_t n, hs_error *err)
{
    static const char *const names[] = {"runtime.m"};
    Dwarf_Die m_die;
    int found = 0;
    hs_go_find_structs(g->dw, names, 1, &m_die, &found);
    hs_go_field f[2] = {g->L.g0, found ? hs_go_member(&m_die, "gsignal") : (hs_go_field){0, 0}};
    hs_heap_id_value *v = malloc((2 * (size_t)n + 1) * sizeof *v);
    uint32_t k = 0, t = hs_heap_add_type(h, "runtime.g");
    if (!v || t == HS_NONE) {
        free(v);
        return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++)
        for (int j = 0; j < 2; j++) {
            uint64_t gp; /* field by field: m0 may straddle two mappings */
            uint32_t o = f[j].size == 8 && !hs_core_read64(c, ms[i] + f[j].off, &gp)
                             ? unnamed_at(h, gp, g->L.g_size)
                             : HS_NONE;
            if (o != HS_NONE) v[k++] = (hs_heap_id_value){o, t};
        }
    qsort(v, k, sizeof *v, by_id);
    uint32_t u = 0; /* an M's g0 may be its gsignal in a damaged core: each once */
    for (uint32_t i = 0; i < k; i++)
        if (!u || v[i].id != v[u - 1].id) v[u++] = v[i];
    int rc = u ? hs_heap_set_types(h, v, u, err) : 0;
    free(v);
    return rc;
}

static int add_roots(const hs_core *c, hs_heap *h, hs_error *err)
{
    const goheap *g = state_of(c);
    if (!g || !g->n_spans) return 0;
    uint64_t arr = 0, len = read_allgs(c, &arr);
    uint32_t *roots = calloc(len ? len : 1, sizeof *roots); /* of allgs[i]'s stack */
    if (!roots) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    hs_gopcln pcln;
    char why[160];
    stack_stats st = {0};
    if (!hs_gopcln_open(&pcln, c, g->dw, why, sizeof why)) st.pcln = &pcln;
    int rc = 0;
    for (uint64_t i = 0; i < len && !rc; i++) {
        uint64_t gaddr;
        roots[i] = HS_NONE;
        if (!hs_core_read64(c, arr + 8 * i, &gaddr))
            rc = scan_g(c, h, g, gaddr, &st, &roots[i], err);
    }
    if (st.pcln) hs_gopcln_close(&pcln);
    if (!rc) stack_info(h, &st, st.pcln ? NULL : why);
    if (!rc) rc = hs_gocore_goroutines(c, h, g->dw, g->dw_bias, roots, (uint32_t)len, err);
    free(roots);
    if (rc || hs_gospecials_roots(c, h, g->dw, g->special_spans, g->n_special_spans, err) ||
        thread_registers(c, h, g, err))
        return -1;
    uint64_t *ms;
    uint32_t n = list_ms(c, &g->L, &ms);
    system_stacks_info(c, h, g, ms, n);
    rc = name_system_gs(c, h, g, ms, n, err);
    free(ms);
    return rc;
}

/* The module's GC masks say which words of data and bss are pointers;
 * noptrdata and noptrbss hold none (read only when the masks were). */
static int global_word(const hs_core *c, uint64_t addr)
{
    const goheap *g = state_of(c);
    for (int k = 0; g && k < 2; k++) {
        const global_mask *m = &g->globals[k];
        if (m->bits && addr >= m->lo && addr < m->hi) {
            uint64_t w = (addr - m->lo) / 8;
            return m->bits[w / 8] >> (w % 8) & 1;
        }
        if (addr >= g->noptr[k][0] && addr < g->noptr[k][1]) return 0;
    }
    return -1;
}

const hs_core_walker hs_walker_go = {
    .name = "go",
    .head = 0,
    .tail = 0,
    .recognise = recognise,
    .add_objects = add_objects_and_main_stack,
    .user_bytes = user_bytes,
    .add_roots = add_roots,
    .pointer_words = pointer_words,
    .global_word = global_word,
    .release = release,
};
