/* Go object types from DWARF (gotypes.h). Every global variable with an
 * address is a typed value, and so is every variable a goroutine's frame
 * keeps on its stack at the frame's pc (found through gocu.c); a worklist of (address, type, count) values is
 * walked: a pointer whose target is the first byte of an untyped object
 * types that object and queues it; a slice types and queues its backing
 * array. Each type is compiled once into the offsets of its typed pointers
 * and slices, through its struct fields and array elements (a bounded
 * nesting; strings, maps, channels, functions and unsafe.Pointer are not
 * followed). Each object is typed at most once, so the walk ends. */
#include "gotypes.h"

#include <stdlib.h>
#include <string.h>

#include "dwtype.h"
#include "gocu.h"
#include "model/heap_build.h"

#define DW_AT_go_kind 0x2900
#define GO_KIND_SLICE 23
#define MAX_NESTING 8
#define MAX_ELEMS ((uint64_t)1 << 24) /* elements of one array walked */
#define MAX_SLOTS 4096                /* pointers in one compiled type */
#define MAX_SLOTS_TOTAL (1u << 24)
#define RELEASE_EVERY (1u << 17)

typedef struct item {
    uint64_t addr, count;
    uint32_t type; /* compiled type */
} item;

/* A type compiled once: where its values hold typed pointers or slices. */
typedef struct slot {
    uint64_t off;
    Dwarf_Off target; /* the pointee (slice: element) type */
    uint8_t slice;
} slot;

typedef struct ctype {
    Dwarf_Off die;
    uint64_t size;
    const char *name;
    uint32_t heap_type; /* type id once named, else HS_NONE */
    uint32_t first, n;  /* its slots */
    uint8_t nameable;   /* a struct, pointer or array: names an object */
} ctype;

typedef struct walk {
    const hs_core *c;
    hs_heap *h;
    Dwarf *dw;
    hs_go_obj *objs;
    uint32_t n;
    uint32_t *page_first; /* object index of the first object at or after each page */
    uint64_t page_lo, n_pages;
    item *stack;
    uint32_t n_stack, cap_stack;
    ctype *types;
    uint32_t n_types, cap_types;
    uint32_t *by_die; /* open addressing: ctype index + 1 */
    uint32_t cap_by_die;
    slot *slots;
    uint32_t n_slots, cap_slots;
    int64_t typed;
    uint64_t visited;
    int oom;
} walk;

static int go_kind(Dwarf_Die *d)
{
    Dwarf_Attribute a;
    Dwarf_Word k;
    return dwarf_attr(d, DW_AT_go_kind, &a) && dwarf_formudata(&a, &k) == 0 ? (int)k : -1;
}

/* Room for one more of n elements of size elem in *arr; -1 (and w->oom)
 * when out of memory. */
static int grow(walk *w, void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap) return 0;
    uint32_t c = *cap ? *cap * 2 : 1024;
    void *m = c > *cap ? realloc(*arr, c * elem) : NULL;
    if (!m) return w->oom = 1, -1;
    *arr = m, *cap = c;
    return 0;
}

static void add_slot(walk *w, uint64_t off, Dwarf_Die *target, int slice)
{
    if (w->n_slots >= MAX_SLOTS_TOTAL ||
        grow(w, (void **)&w->slots, &w->cap_slots, w->n_slots, sizeof *w->slots))
        return;
    w->slots[w->n_slots++] = (slot){off, dwarf_dieoffset(target), (uint8_t)slice};
}

/* The slots of a value of type t at offset off, up to MAX_NESTING deep and
 * MAX_SLOTS per type (types, not data, nest). */
static void flatten(walk *w, Dwarf_Die *t, uint64_t off, int depth, uint32_t first)
{
    Dwarf_Die e, m;
    if (depth >= MAX_NESTING || w->oom || w->n_slots - first >= MAX_SLOTS) return;
    switch (dwarf_tag(t)) {
    case DW_TAG_pointer_type:
        if (!hs_dw_type_of(t, &e, NULL)) add_slot(w, off, &e, 0);
        return;
    case DW_TAG_structure_type:
        if (dwarf_child(t, &m) != 0) return;
        if (go_kind(t) == GO_KIND_SLICE) { /* {array *T, len, cap} */
            Dwarf_Die pt;
            if (hs_dw_member_offset(&m) == 0 && !hs_dw_type_of(&m, &pt, NULL) &&
                dwarf_tag(&pt) == DW_TAG_pointer_type && !hs_dw_type_of(&pt, &e, NULL))
                add_slot(w, off, &e, 1);
            return;
        }
        do {
            uint64_t mo = hs_dw_member_offset(&m);
            if (dwarf_tag(&m) == DW_TAG_member && mo != UINT64_MAX && !hs_dw_type_of(&m, &e, NULL))
                flatten(w, &e, off + mo, depth + 1, first);
        } while (!w->oom && dwarf_siblingof(&m, &m) == 0);
        return;
    case DW_TAG_array_type: {
        uint64_t es;
        if (hs_dw_type_of(t, &e, NULL) || !(es = hs_dw_size(&e))) return;
        int tag = dwarf_tag(&e);
        if (tag != DW_TAG_pointer_type && tag != DW_TAG_structure_type && tag != DW_TAG_array_type)
            return;
        uint64_t n = hs_dw_size(t) / es;
        for (uint64_t i = 0; i < n && w->n_slots - first < MAX_SLOTS && !w->oom; i++)
            flatten(w, &e, off + i * es, depth + 1, first);
        return;
    }
    default:
        return;
    }
}

/* The compiled type of the DIE at die (index into w->types), or HS_NONE. */
static uint32_t compiled(walk *w, Dwarf_Off die)
{
    if (w->n_types * 2 >= w->cap_by_die) {
        uint32_t cap = w->cap_by_die ? w->cap_by_die * 2 : 1024;
        uint32_t *n = calloc(cap, sizeof *n);
        if (!n) return w->oom = 1, HS_NONE;
        for (uint32_t i = 0; i < w->n_types; i++) {
            uint32_t k = (uint32_t)(w->types[i].die * 0x9E3779B1u) & (cap - 1);
            while (n[k])
                k = (k + 1) & (cap - 1);
            n[k] = i + 1;
        }
        free(w->by_die);
        w->by_die = n, w->cap_by_die = cap;
    }
    uint32_t k = (uint32_t)(die * 0x9E3779B1u) & (w->cap_by_die - 1);
    while (w->by_die[k] && w->types[w->by_die[k] - 1].die != die)
        k = (k + 1) & (w->cap_by_die - 1);
    if (w->by_die[k]) return w->by_die[k] - 1;
    Dwarf_Die t;
    if (grow(w, (void **)&w->types, &w->cap_types, w->n_types, sizeof *w->types)) return HS_NONE;
    ctype ct = {.die = die, .heap_type = HS_NONE, .first = w->n_slots};
    if (dwarf_offdie(w->dw, die, &t) && !hs_dw_strip(&t, NULL)) {
        int tag = dwarf_tag(&t);
        ct.size = hs_dw_size(&t);
        ct.name = dwarf_diename(&t);
        ct.nameable = tag == DW_TAG_structure_type || tag == DW_TAG_pointer_type ||
                      tag == DW_TAG_array_type;
        flatten(w, &t, 0, 0, ct.first);
    }
    ct.n = w->n_slots - ct.first;
    w->types[w->n_types] = ct;
    w->by_die[k] = ++w->n_types;
    return w->n_types - 1;
}

static void push(walk *w, uint64_t addr, uint32_t type, uint64_t count)
{
    if (grow(w, (void **)&w->stack, &w->cap_stack, w->n_stack, sizeof *w->stack)) return;
    w->stack[w->n_stack++] = (item){addr, count, type};
}

#define PAGE_SHIFT 13

/* Pages of the heap's address range, each with the index of its first
 * object, so that a pointer's object is searched among a page's objects
 * instead of all of them; left out (plain binary search) when the range
 * is sparse, as in a damaged or hostile core. */
static void index_pages(walk *w)
{
    if (!w->n) return;
    uint64_t lo = w->objs[0].addr >> PAGE_SHIFT, hi = (w->objs[w->n - 1].addr >> PAGE_SHIFT) + 1;
    if (hi - lo > 4 * (uint64_t)w->n + 1024 || hi - lo >= UINT32_MAX) return;
    w->page_first = malloc((size_t)(hi - lo + 1) * sizeof *w->page_first);
    if (!w->page_first) return;
    uint32_t i = 0;
    for (uint64_t pg = lo; pg <= hi; pg++) {
        while (i < w->n && w->objs[i].addr >> PAGE_SHIFT < pg)
            i++;
        w->page_first[pg - lo] = i;
    }
    w->page_lo = lo, w->n_pages = hi - lo;
}

/* The object that starts at p, or NULL. */
static hs_go_obj *object_at(const walk *w, uint64_t p)
{
    uint32_t lo = 0, hi = w->n;
    if (w->page_first) {
        uint64_t pg = (p >> PAGE_SHIFT) - w->page_lo;
        if (p >> PAGE_SHIFT < w->page_lo || pg >= w->n_pages) return NULL;
        lo = w->page_first[pg], hi = w->page_first[pg + 1];
        /* A span's slots are evenly spaced: the first guess is where p's
         * slot would be if every slot before it were allocated. */
        if (lo < hi && w->objs[lo].addr <= p && w->objs[lo].size_) {
            uint64_t guess = lo + (p - w->objs[lo].addr) / hs_go_obj_size(&w->objs[lo]);
            uint32_t g = guess < hi ? (uint32_t)guess : hi - 1;
            if (w->objs[g].addr == p) return &w->objs[g];
            if (w->objs[g].addr > p) hi = g;
            else lo = g + 1;
        }
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (w->objs[mid].addr < p) lo = mid + 1;
        else hi = mid;
    }
    return lo < w->n && w->objs[lo].addr == p ? &w->objs[lo] : NULL;
}

/* Types the untyped object at p as count values of the DIE at die (a
 * struct, pointer or array: base types name nothing useful) and queues it. */
static void type_target(walk *w, uint64_t p, Dwarf_Off die, uint64_t count)
{
    hs_go_obj *o = p ? object_at(w, p) : NULL;
    if (!o || !o->untyped) return;
    uint32_t ti = compiled(w, die);
    if (ti == HS_NONE) return;
    ctype *ct = &w->types[ti];
    if (!ct->nameable || !ct->name || !ct->size || count > hs_go_obj_size(o) / ct->size) return;
    if (ct->heap_type == HS_NONE && (ct->heap_type = hs_heap_add_type(w->h, ct->name)) == HS_NONE) {
        w->oom = 1;
        return;
    }
    o->type = ct->heap_type, o->untyped = 0;
    w->typed++;
    if (ct->n) push(w, p, ti, count);
}

/* The pointers and slices of one value of compiled type ti at addr. */
static void visit(walk *w, uint64_t addr, uint32_t ti)
{
    for (uint32_t i = 0; i < w->types[ti].n && !w->oom; i++) {
        const slot *s = &w->slots[w->types[ti].first + i];
        uint64_t p, len = 1;
        if (hs_core_read64(w->c, addr + s->off, &p) || !p ||
            (s->slice && (hs_core_read64(w->c, addr + s->off + 8, &len) || !len)))
            continue;
        type_target(w, p, s->target, len);
    }
}

/* Walks the queued objects (typed by the value being visited). The walk
 * reads the core where pointers lead, all over the heap: the pages it read
 * are given back every RELEASE_EVERY values, or the whole heap would stay
 * resident (most of the peak memory on a large core). 2^17 values: on a
 * 10^7-object core the pages of one stretch are ~50 MiB (2^18: ~70 MiB,
 * then the peak of `top`); 2^16 gains 1 MiB more and costs time. */
static void drain(walk *w)
{
    while (w->n_stack && !w->oom) {
        item it = w->stack[--w->n_stack];
        uint64_t es = w->types[it.type].size;
        for (uint64_t i = 0; i < it.count && i < MAX_ELEMS && !w->oom; i++) {
            visit(w, it.addr + i * es, it.type);
            if (++w->visited % RELEASE_EVERY == 0) hs_core_release_all(w->c);
        }
    }
}

/* A value at addr of the type at DIE die, and what it leads to. */
static void visit_die(walk *w, uint64_t addr, Dwarf_Off die, uint64_t count)
{
    uint32_t ti = compiled(w, die);
    if (ti == HS_NONE || !w->types[ti].n || !w->types[ti].size) return;
    push(w, addr, ti, count);
    drain(w);
}

typedef struct named {
    const char *name;
    Dwarf_Off off;
} named;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* The top-level type DIEs by name, sorted; NULL when out of memory. */
static named *type_index(walk *w, uint32_t *n_out)
{
    named *v = NULL;
    uint32_t n = 0, cap = 0;
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(w->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu, d;
        if (dwarf_offdie(w->dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) do {
                int tag = dwarf_tag(&d);
                const char *name = dwarf_diename(&d);
                if (!name || (tag != DW_TAG_pointer_type && tag != DW_TAG_structure_type &&
                              tag != DW_TAG_array_type && tag != DW_TAG_typedef &&
                              tag != DW_TAG_base_type))
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 4096;
                    named *m = realloc(v, cap * sizeof *m);
                    if (!m) {
                        free(v);
                        return NULL;
                    }
                    v = m;
                }
                v[n++] = (named){name, dwarf_dieoffset(&d)};
            } while (dwarf_siblingof(&d, &d) == 0);
        off = next;
    }
    if (n) qsort(v, n, sizeof *v, cmp_named);
    *n_out = n;
    return v ? v : calloc(1, sizeof *v);
}

static int lookup(walk *w, const named *index, uint32_t n, const char *name, Dwarf_Die *out)
{
    named key = {name, 0}, *hit = bsearch(&key, index, n, sizeof *index, cmp_named);
    return hit && dwarf_offdie(w->dw, hit->off, out) && !hs_dw_strip(out, NULL) ? 0 : -1;
}

/* A Swiss-table group (Go 1.24+, "map.group[K]V", a type DWARF lacks):
 * a control word, then 8 slots {K; V}; a slot is full when its control
 * byte's high bit is clear. Only K and V of 8-byte multiple sizes. */
static void map_groups(walk *w, const named *index, uint32_t n_index, const hs_go_obj *o,
                       const char *name)
{
    char k[256], v[256];
    const char *p = name + strlen("map.group["), *q = p;
    int depth = 1;
    for (; *q && depth; q++)
        depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
    if (depth || (size_t)(q - 1 - p) >= sizeof k || strlen(q) >= sizeof v) return;
    memcpy(k, p, (size_t)(q - 1 - p));
    k[q - 1 - p] = 0;
    strcpy(v, q);
    Dwarf_Die kt, vt;
    uint64_t ks, vs;
    if (lookup(w, index, n_index, k, &kt) || lookup(w, index, n_index, v, &vt) ||
        !(ks = hs_dw_size(&kt)) || !(vs = hs_dw_size(&vt)) || ks % 8 || vs % 8)
        return;
    uint64_t gs = 8 + 8 * (ks + vs), data = o->header ? 8 : 0;
    for (uint64_t g = o->addr + data; g + gs <= o->addr + hs_go_obj_size(o) && !w->oom; g += gs) {
        uint64_t ctrl;
        if (hs_core_read64(w->c, g, &ctrl)) return;
        for (int i = 0; i < 8; i++) {
            if (ctrl >> (8 * i + 7) & 1) continue;
            visit_die(w, g + 8 + (uint64_t)i * (ks + vs), dwarf_dieoffset(&kt), 1);
            visit_die(w, g + 8 + (uint64_t)i * (ks + vs) + ks, dwarf_dieoffset(&vt), 1);
        }
    }
}

/* The DIE of the runtime's type name (looked up once per heap type): its
 * offset, 0 when DWARF has no such type, 1 for a Swiss-table group. */
static Dwarf_Off runtime_die(walk *w, const named *index, uint32_t n_index, Dwarf_Off *cache,
                             uint32_t type)
{
    if (cache[type] != (Dwarf_Off)-1) return cache[type];
    const char *name = hs_heap_str(w->h, w->h->type_name[type]);
    Dwarf_Die t;
    cache[type] = 0;
    if (name && strncmp(name, "map.group[", 10) == 0)
        cache[type] = 1;
    else if (name && !lookup(w, index, n_index, name, &t) && hs_dw_size(&t))
        cache[type] = dwarf_dieoffset(&t);
    return cache[type];
}

/* Objects the runtime typed: their values, typed through DWARF. */
static void runtime_typed(walk *w)
{
    uint32_t n_index = 0, n_cache = w->h->n_types;
    named *index = type_index(w, &n_index);
    Dwarf_Off *cache = malloc((n_cache ? n_cache : 1) * sizeof *cache);
    if (!index || !cache) {
        free(index), free(cache);
        w->oom = 1;
        return;
    }
    memset(cache, 0xff, (n_cache ? n_cache : 1) * sizeof *cache);
    for (uint32_t i = 0; i < w->n && !w->oom; i++) {
        const hs_go_obj *o = &w->objs[i];
        if (o->untyped || o->type == HS_NONE || o->type >= n_cache) continue;
        Dwarf_Off die = runtime_die(w, index, n_index, cache, o->type);
        uint64_t data = o->header ? 8 : 0;
        if (die == 1) {
            map_groups(w, index, n_index, o, hs_heap_str(w->h, w->h->type_name[o->type]));
            continue;
        }
        uint32_t ti = die ? compiled(w, die) : HS_NONE;
        uint64_t size = hs_go_obj_size(o);
        if (ti == HS_NONE || size <= data || !w->types[ti].size) continue;
        visit_die(w, o->addr + data, die, (size - data) / w->types[ti].size);
    }
    free(cache);
    free(index);
}

/* Every global variable with a fixed address (DW_OP_addr) starts a walk. */
static void globals(walk *w, uint64_t bias)
{
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (!w->oom && dwarf_nextcu(w->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu, d, t;
        if (dwarf_offdie(w->dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) do {
                Dwarf_Attribute a;
                Dwarf_Block loc; /* Go writes DW_OP_addr ADDR as a block */
                uint64_t addr;
                if (dwarf_tag(&d) != DW_TAG_variable || !dwarf_attr(&d, DW_AT_location, &a) ||
                    dwarf_formblock(&a, &loc) != 0 || loc.length != 9 || loc.data[0] != DW_OP_addr ||
                    hs_dw_type_of(&d, &t, NULL))
                    continue;
                memcpy(&addr, loc.data + 1, 8);
                visit_die(w, addr + bias, dwarf_dieoffset(&t), 1);
            } while (!w->oom && dwarf_siblingof(&d, &d) == 0);
        off = next;
    }
}

/* A variable of the function at pc kept in its stack frame (DW_OP_fbreg
 * from the frame base, the CFA in Go; an argument spilled to its slot at
 * the CFA itself), visited as a value of its type. */
static void frame_var(walk *w, Dwarf_Die *v, uint64_t pc, uint64_t cfa)
{
    Dwarf_Attribute a;
    Dwarf_Op *expr;
    size_t len;
    Dwarf_Die t;
    if (!dwarf_attr(v, DW_AT_location, &a) || dwarf_getlocation_addr(&a, pc, &expr, &len, 1) != 1 ||
        len != 1 || (expr[0].atom != DW_OP_fbreg && expr[0].atom != DW_OP_call_frame_cfa) ||
        hs_dw_type_of(v, &t, NULL))
        return;
    int64_t off = expr[0].atom == DW_OP_fbreg ? (int64_t)expr[0].number : 0;
    visit_die(w, cfa + (uint64_t)off, dwarf_dieoffset(&t), 1);
}

/* Whether fn's frame base is its CFA, as Go's compiler writes it (a
 * one-byte block, which dwarf_getlocation does not take for this
 * attribute). */
static int cfa_based(Dwarf_Die *fn)
{
    Dwarf_Attribute a;
    Dwarf_Block b;
    return dwarf_attr(fn, DW_AT_frame_base, &a) && dwarf_formblock(&a, &b) == 0 && b.length == 1 &&
           b.data[0] == DW_OP_call_frame_cfa;
}

/* The variables of f's function, in the lexical blocks that hold its pc
 * (an explicit stack of scopes: DWARF nesting, bounded). */
static void frame_vars(walk *w, const hs_gocu_index *cus, uint64_t bias, const hs_go_frame *f)
{
    Dwarf_Die cu, fn, scope[MAX_NESTING], child;
    uint64_t pc = f->pc - bias;
    if (hs_gocu_at(cus, pc, &cu) || hs_gocu_function(&cu, pc, &fn) || !cfa_based(&fn) ||
        dwarf_child(&fn, &scope[0]) != 0)
        return;
    for (int depth = 0; !w->oom;) {
        Dwarf_Die *d = &scope[depth];
        int tag = dwarf_tag(d);
        if (tag == DW_TAG_variable || tag == DW_TAG_formal_parameter) frame_var(w, d, pc, f->cfa);
        if (tag == DW_TAG_lexical_block && depth + 1 < MAX_NESTING && dwarf_haspc(d, pc) == 1 &&
            dwarf_child(d, &child) == 0) {
            scope[++depth] = child;
            continue;
        }
        while (dwarf_siblingof(&scope[depth], &scope[depth]) != 0)
            if (depth-- == 0) return;
    }
}

static void stack_vars(walk *w, uint64_t bias, const hs_go_frame *frames, uint32_t n)
{
    if (!n) return;
    hs_gocu_index cus;
    hs_gocu_build(&cus, w->dw);
    for (uint32_t i = 0; i < n && !w->oom; i++)
        frame_vars(w, &cus, bias, &frames[i]);
    hs_gocu_free(&cus);
}

int hs_go_type_objects(const hs_core *c, hs_heap *h, Dwarf *dw, uint64_t bias, hs_go_obj *objs,
                       uint32_t n, const hs_go_frame *frames, uint32_t n_frames,
                       hs_go_typed *typed, hs_error *err)
{
    walk w = {.c = c, .h = h, .dw = dw, .objs = objs, .n = n};
    hs_core_release_all(c); /* the span walk's pages: the first stretch starts empty */
    index_pages(&w);
    globals(&w, bias);
    typed->globals = w.typed;
    if (!w.oom) runtime_typed(&w);
    typed->runtime = w.typed - typed->globals;
    if (!w.oom) stack_vars(&w, bias, frames, n_frames);
    typed->stack = w.typed - typed->globals - typed->runtime;
    hs_core_release_all(c);
    free(w.page_first);
    free(w.stack);
    free(w.types);
    free(w.by_die);
    free(w.slots);
    if (w.oom) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory"), -1;
    return 0;
}
