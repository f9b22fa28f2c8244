/* Go object types from DWARF (gotypes.h). Every global variable with an
 * address is a typed value; a worklist of (address, type, count) values is
 * walked: a pointer whose target is the first byte of an untyped object
 * types that object and queues it; a slice types and queues its backing
 * array; structs and arrays are walked field by field, element by element
 * (through a bounded type nesting; base types, strings, maps, channels,
 * functions and unsafe.Pointer are not followed). Each object is typed at
 * most once, so the walk ends. */
#include "gotypes.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "model/heap_build.h"

#define DW_AT_go_kind 0x2900
#define GO_KIND_SLICE 23
#define MAX_NESTING 8
#define MAX_ELEMS ((uint64_t)1 << 20) /* elements of one array walked */

typedef struct item {
    uint64_t addr, count;
    Dwarf_Off type;
} item;

typedef struct walk {
    const hs_core *c;
    hs_heap *h;
    Dwarf *dw;
    hs_go_obj *objs;
    uint32_t n;
    item *stack;
    uint32_t n_stack, cap_stack;
    int64_t typed;
    int oom;
} walk;

static int strip(Dwarf_Die *d)
{
    for (int i = 0; i < 16 && (dwarf_tag(d) == DW_TAG_typedef || dwarf_tag(d) == DW_TAG_const_type ||
                               dwarf_tag(d) == DW_TAG_volatile_type);
         i++) {
        Dwarf_Attribute a;
        if (!dwarf_attr_integrate(d, DW_AT_type, &a) || !dwarf_formref_die(&a, d)) return -1;
    }
    return 0;
}

static int type_of(Dwarf_Die *d, Dwarf_Die *out)
{
    Dwarf_Attribute a;
    return dwarf_attr_integrate(d, DW_AT_type, &a) && dwarf_formref_die(&a, out) && !strip(out) ? 0
                                                                                                : -1;
}

static uint64_t size_of(Dwarf_Die *d)
{
    Dwarf_Word s;
    return dwarf_aggregate_size(d, &s) == 0 ? s : 0;
}

static uint64_t member_off(Dwarf_Die *m)
{
    Dwarf_Attribute a;
    Dwarf_Word off;
    return dwarf_attr(m, DW_AT_data_member_location, &a) && dwarf_formudata(&a, &off) == 0 ? off
                                                                                          : UINT64_MAX;
}

static int go_kind(Dwarf_Die *d)
{
    Dwarf_Attribute a;
    Dwarf_Word k;
    return dwarf_attr(d, DW_AT_go_kind, &a) && dwarf_formudata(&a, &k) == 0 ? (int)k : -1;
}

static void push(walk *w, uint64_t addr, Dwarf_Die *type, uint64_t count)
{
    if (w->n_stack == w->cap_stack) {
        uint32_t cap = w->cap_stack ? w->cap_stack * 2 : 1024;
        item *s = realloc(w->stack, cap * sizeof *s);
        if (!s) {
            w->oom = 1;
            return;
        }
        w->stack = s, w->cap_stack = cap;
    }
    w->stack[w->n_stack++] = (item){addr, count, dwarf_dieoffset(type)};
}

static int cmp_addr(const void *a, const void *b)
{
    const hs_go_obj *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static hs_go_obj *object_at(const walk *w, uint64_t p)
{
    hs_go_obj key = {.addr = p};
    return w->n ? bsearch(&key, w->objs, w->n, sizeof *w->objs, cmp_addr) : NULL;
}

/* Types the untyped object at p as count values of type t (a struct,
 * pointer or array: base types name nothing useful) and queues it. */
static void type_target(walk *w, uint64_t p, Dwarf_Die *t, uint64_t count)
{
    hs_go_obj *o = p ? object_at(w, p) : NULL;
    int tag = dwarf_tag(t);
    const char *name = dwarf_diename(t);
    uint64_t size = size_of(t);
    if (!o || !o->untyped || !name || !size || count > o->size / size) return;
    if (tag != DW_TAG_structure_type && tag != DW_TAG_pointer_type && tag != DW_TAG_array_type)
        return;
    uint32_t id = hs_heap_add_type(w->h, name);
    if (id == HS_NONE) {
        w->oom = 1;
        return;
    }
    o->type = id, o->untyped = 0;
    w->typed++;
    push(w, p, t, count);
}

/* One value of type t at addr; nested values of its structs and arrays are
 * walked here, up to MAX_NESTING deep (types, not data, nest). */
static void visit(walk *w, uint64_t addr, Dwarf_Die *t, int depth)
{
    Dwarf_Die e, m;
    uint64_t p, len;
    switch (dwarf_tag(t)) {
    case DW_TAG_pointer_type:
        if (!type_of(t, &e) && !hs_core_read64(w->c, addr, &p)) type_target(w, p, &e, 1);
        return;
    case DW_TAG_structure_type:
        if (depth >= MAX_NESTING || dwarf_child(t, &m) != 0) return;
        if (go_kind(t) == GO_KIND_SLICE) { /* {array *T, len, cap} */
            Dwarf_Die pt;
            if (member_off(&m) == 0 && !type_of(&m, &pt) && dwarf_tag(&pt) == DW_TAG_pointer_type &&
                !type_of(&pt, &e) && !hs_core_read64(w->c, addr, &p) &&
                !hs_core_read64(w->c, addr + 8, &len) && len)
                type_target(w, p, &e, len);
            return;
        }
        do {
            uint64_t off = member_off(&m);
            if (dwarf_tag(&m) == DW_TAG_member && off != UINT64_MAX && !type_of(&m, &e))
                visit(w, addr + off, &e, depth + 1);
        } while (!w->oom && dwarf_siblingof(&m, &m) == 0);
        return;
    case DW_TAG_array_type: {
        uint64_t n = 0, es;
        if (depth >= MAX_NESTING || type_of(t, &e) || !(es = size_of(&e))) return;
        if (dwarf_tag(&e) != DW_TAG_pointer_type && dwarf_tag(&e) != DW_TAG_structure_type &&
            dwarf_tag(&e) != DW_TAG_array_type)
            return;
        n = size_of(t) / es;
        for (uint64_t i = 0; i < n && i < MAX_ELEMS && !w->oom; i++)
            visit(w, addr + i * es, &e, depth + 1);
        return;
    }
    default:
        return;
    }
}

/* Walks the queued objects (typed by the value being visited). */
static void drain(walk *w)
{
    while (w->n_stack && !w->oom) {
        item it = w->stack[--w->n_stack];
        Dwarf_Die ty;
        uint64_t es = 0;
        if (!dwarf_offdie(w->dw, it.type, &ty) || !(es = size_of(&ty))) continue;
        for (uint64_t i = 0; i < it.count && i < MAX_ELEMS && !w->oom; i++)
            visit(w, it.addr + i * es, &ty, 0);
    }
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
                              tag != DW_TAG_array_type && tag != DW_TAG_typedef))
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
    return hit && dwarf_offdie(w->dw, hit->off, out) && !strip(out) ? 0 : -1;
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
        !(ks = size_of(&kt)) || !(vs = size_of(&vt)) || ks % 8 || vs % 8)
        return;
    uint64_t gs = 8 + 8 * (ks + vs), data = o->header ? 8 : 0;
    for (uint64_t g = o->addr + data; g + gs <= o->addr + o->size && !w->oom; g += gs) {
        uint64_t ctrl;
        if (hs_core_read64(w->c, g, &ctrl)) return;
        for (int i = 0; i < 8; i++) {
            if (ctrl >> (8 * i + 7) & 1) continue;
            visit(w, g + 8 + (uint64_t)i * (ks + vs), &kt, 0);
            visit(w, g + 8 + (uint64_t)i * (ks + vs) + ks, &vt, 0);
        }
        drain(w);
    }
}

/* Objects the runtime typed: their values, typed through DWARF. */
static void runtime_typed(walk *w)
{
    uint32_t n_index = 0;
    named *index = type_index(w, &n_index);
    if (!index) {
        w->oom = 1;
        return;
    }
    for (uint32_t i = 0; i < w->n && !w->oom; i++) {
        const hs_go_obj *o = &w->objs[i];
        if (o->untyped || o->type == HS_NONE || o->type >= w->h->n_types) continue;
        const char *name = hs_heap_str(w->h, w->h->type_name[o->type]);
        Dwarf_Die t;
        uint64_t es, data = o->header ? 8 : 0;
        if (name && strncmp(name, "map.group[", 10) == 0) {
            map_groups(w, index, n_index, o, name);
            continue;
        }
        if (!name || lookup(w, index, n_index, name, &t) || !(es = size_of(&t)) || o->size <= data)
            continue;
        push(w, o->addr + data, &t, (o->size - data) / es);
        drain(w);
    }
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
                    type_of(&d, &t))
                    continue;
                memcpy(&addr, loc.data + 1, 8);
                visit(w, addr + bias, &t, 0);
                drain(w); /* the objects typed by that variable */
            } while (!w->oom && dwarf_siblingof(&d, &d) == 0);
        off = next;
    }
}

int64_t hs_go_type_objects(const hs_core *c, hs_heap *h, Dwarf *dw, uint64_t bias, hs_go_obj *objs,
                           uint32_t n, hs_error *err)
{
    walk w = {.c = c, .h = h, .dw = dw, .objs = objs, .n = n};
    globals(&w, bias);
    if (!w.oom) runtime_typed(&w);
    free(w.stack);
    if (w.oom) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory"), -1;
    return w.typed;
}
