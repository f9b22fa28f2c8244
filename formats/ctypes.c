/* C and C++ heap objects typed from the program's DWARF (ctypes.h), a
 * naming pass over a finished glibc heap. Every global variable of the
 * executable with a fixed address (DW_OP_addr) is a typed value; a worklist
 * of (address, type, count) values is walked: a typed pointer whose target
 * is the first byte of an untyped chunk that can hold the pointee types that
 * chunk ("struct session"; a base type's buffer "char[]"; a block of
 * pointers "struct session *[]") and queues its values — as many as the
 * chunk holds when its size is exactly what an array of them asks malloc
 * for, else one. Each type is compiled once into the offsets of its typed
 * pointers through struct fields and array elements (a bounded nesting;
 * unions, void and function pointers are not followed). Each object is
 * typed at most once and never over a type it has (a vtable's class), so
 * the walk ends. The same idea as gotypes.c for Go, without Go's slices,
 * maps and runtime types. */
#include "ctypes.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwtype.h"
#include "walker.h"
#include "model/heap_build.h"

#define MAX_NESTING 8
#define MAX_SLOTS 4096                 /* pointers in one compiled type */
#define MAX_SLOTS_TOTAL (1u << 24)
#define MAX_ELEMS ((uint64_t)1 << 24) /* elements of one block walked */

typedef struct slot {
    uint64_t off;
    Dwarf_Off target; /* the pointee's DIE */
    uint32_t ct;      /* its compiled type once resolved, else HS_NONE */
} slot;

typedef struct ctype {
    Dwarf_Off die;
    uint64_t size;
    char *name;         /* what an object of it is called, or NULL: names nothing */
    uint32_t heap_type; /* type id once interned, else HS_NONE */
    uint32_t first, n;  /* its slots */
} ctype;

typedef struct item {
    uint64_t addr, count;
    uint32_t ct;
} item;

typedef struct walk {
    const hs_core *c;
    hs_heap *h;
    Dwarf *dw;
    uint64_t heap_lo, heap_hi;
    uint32_t *typed; /* object -> new type id, or HS_NONE */
    uint32_t n_typed;
    uint32_t reads; /* core reads since the core's pages were last let go */
    item *stack;
    uint32_t n_stack, cap_stack;
    ctype *types;
    uint32_t n_types, cap_types;
    slot *slots;
    uint32_t n_slots, cap_slots;
    int oom;
} walk;

static int grow(walk *w, void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap) return 0;
    uint32_t c = *cap ? *cap * 2 : 256;
    void *m = c > *cap ? realloc(*arr, c * elem) : NULL;
    if (!m) return w->oom = 1, -1;
    *arr = m, *cap = c;
    return 0;
}

static int lang_is_cxx(int lang)
{
    return lang == DW_LANG_C_plus_plus || lang == DW_LANG_C_plus_plus_11 ||
           lang == DW_LANG_C_plus_plus_14 || lang == 0x21 /* C++17 */ || lang == 0x2a /* C++20 */;
}

static int is_cxx(Dwarf_Die *d)
{
    Dwarf_Die cu;
    return dwarf_diecu(d, &cu, NULL, NULL) && lang_is_cxx(dwarf_srclang(&cu));
}

/* A unit in C or C++ (a cgo program's Go units are left to the Go walker). */
static int is_c_family(Dwarf_Die *cu)
{
    int lang = dwarf_srclang(cu);
    return lang == DW_LANG_C89 || lang == DW_LANG_C || lang == DW_LANG_C99 ||
           lang == 0x1d /* C11 */ || lang == 0x2c /* C17 */ || lang_is_cxx(lang);
}

/* The name of a value of type t (stripped; alias its typedef): "struct
 * session" (C), "Session" (C++), the typedef of an anonymous struct, or a
 * base type's name; NULL for anything else. */
static const char *value_name(Dwarf_Die *t, const char *alias, char *buf, size_t n)
{
    int tag = dwarf_tag(t);
    const char *name = dwarf_diename(t);
    if (tag == DW_TAG_base_type) return name;
    if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type)
        return NULL;
    if (!name) return alias;
    if (is_cxx(t) || tag == DW_TAG_class_type) return name;
    snprintf(buf, n, "%s %s", tag == DW_TAG_union_type ? "union" : "struct", name);
    return buf;
}

static void add_slot(walk *w, uint64_t off, Dwarf_Die *target)
{
    if (w->n_slots >= MAX_SLOTS_TOTAL ||
        grow(w, (void **)&w->slots, &w->cap_slots, w->n_slots, sizeof *w->slots))
        return;
    w->slots[w->n_slots++] = (slot){off, dwarf_dieoffset(target), HS_NONE};
}

/* The typed pointers of a value of type t at offset off (types, not data,
 * nest: bounded by MAX_NESTING and MAX_SLOTS). */
static void flatten(walk *w, Dwarf_Die *t, uint64_t off, int depth, uint32_t first)
{
    Dwarf_Die e, m;
    if (depth >= MAX_NESTING || w->oom || w->n_slots - first >= MAX_SLOTS) return;
    switch (dwarf_tag(t)) {
    case DW_TAG_pointer_type: /* the pointee as written: its typedef names it */
        if (!hs_dw_type_of(t, &m, NULL) && dwarf_tag(&m) != DW_TAG_subroutine_type &&
            !hs_dw_target(t, &e))
            add_slot(w, off, &e);
        return;
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
        if (dwarf_child(t, &m) != 0) return;
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
        if (tag != DW_TAG_pointer_type && tag != DW_TAG_structure_type && tag != DW_TAG_class_type &&
            tag != DW_TAG_array_type)
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

/* The name of a block of values of the pointee t: its value name, or for
 * a pointer "NAME *[]" and for a base type "NAME[]". */
static char *block_name(Dwarf_Die *t, const char *alias)
{
    char buf[512], inner[512];
    const char *v;
    Dwarf_Die e;
    const char *ealias = NULL;
    if (dwarf_tag(t) == DW_TAG_pointer_type) {
        if (hs_dw_type_of(t, &e, &ealias) || !(v = value_name(&e, ealias, inner, sizeof inner))) return NULL;
        snprintf(buf, sizeof buf, "%s *[]", v);
    } else if (!(v = value_name(t, alias, inner, sizeof inner)))
        return NULL;
    else if (dwarf_tag(t) == DW_TAG_base_type)
        snprintf(buf, sizeof buf, "%s[]", v);
    else
        snprintf(buf, sizeof buf, "%s", v);
    return strdup(buf);
}

/* The compiled type of the DIE at die (an index into w->types), or HS_NONE.
 * Types are few: a linear search, once per slot (slots keep the answer). */
static uint32_t compiled(walk *w, Dwarf_Off die)
{
    for (uint32_t i = 0; i < w->n_types; i++)
        if (w->types[i].die == die) return i;
    Dwarf_Die t;
    if (grow(w, (void **)&w->types, &w->cap_types, w->n_types, sizeof *w->types)) return HS_NONE;
    ctype ct = {.die = die, .heap_type = HS_NONE, .first = w->n_slots};
    if (dwarf_offdie(w->dw, die, &t)) {
        const char *alias = NULL;
        if (!hs_dw_strip(&t, &alias)) {
            ct.size = hs_dw_size(&t);
            ct.name = block_name(&t, alias);
            flatten(w, &t, 0, 0, ct.first);
        }
    }
    ct.n = w->n_slots - ct.first;
    w->types[w->n_types] = ct;
    return w->n_types++;
}

/* Counts a read of the core where a pointer led (a chunk's header, a
 * value's bytes). Such reads land all over the core: every 2^17 of them the
 * core's pages are let go, so they do not pile up in memory. Counting reads
 * rather than values bounds one long array too (a bucket array of 600,000
 * entries touched 100 MiB of the core as one value). Letting go more often
 * costs time (pages read again: 2x the time at 2^12, +15% at 2^16) for no
 * lower peak in manychunks (bench/core/RESULTS.md). */
static void touched(walk *w)
{
    if (++w->reads < (1u << 17)) return;
    hs_core_release_all(w->c);
    w->reads = 0;
}

static void push(walk *w, uint64_t addr, uint32_t ct, uint64_t count)
{
    if (grow(w, (void **)&w->stack, &w->cap_stack, w->n_stack, sizeof *w->stack)) return;
    w->stack[w->n_stack++] = (item){addr, count, ct};
}

/* The untyped glibc chunk starting exactly at p, or HS_NONE. */
static uint32_t untyped_chunk(const walk *w, uint64_t p)
{
    if (p < w->heap_lo || p >= w->heap_hi || (p & 15)) return HS_NONE;
    uint32_t i = hs_heap_find(w->h, p);
    if (i == HS_NONE || hs_heap_addr(w->h, i) != p || w->typed[i] != HS_NONE ||
        hs_heap_type(w->h, i) != HS_NONE)
        return HS_NONE;
    uint32_t s = hs_core_seg_of(w->c, p);
    return s != HS_NONE && w->c->segs[s].walker &&
                   hs_core_walkers[w->c->segs[s].walker - 1] == &hs_walker_glibc
               ? i
               : HS_NONE;
}

/* How many values of size es chunk i holds: all it can when its size is
 * what malloc gives for that many (an array), else one. */
static uint64_t values_in(const walk *w, uint32_t i, uint64_t usable, uint64_t es)
{
    uint64_t k = usable / es, size = hs_heap_size(w->h, i);
    uint64_t want = (k * es + 8 + 15) & ~15ull;
    if (want < 32) want = 32;
    return k > 1 && (size == want || size == want + 16) ? k : 1;
}

/* Types the untyped chunk at p as values of the slot's pointee, queues it. */
static void type_target(walk *w, uint64_t p, uint32_t si)
{
    uint32_t i = untyped_chunk(w, p);
    if (i == HS_NONE) return;
    uint32_t ti = w->slots[si].ct;
    if (ti == HS_NONE) { /* compiling may move the slots: store after */
        ti = compiled(w, w->slots[si].target);
        w->slots[si].ct = ti;
    }
    if (ti == HS_NONE) return;
    ctype *ct = &w->types[ti];
    touched(w); /* the chunk's header */
    uint64_t usable = hs_walker_glibc.user_bytes(w->c, p, hs_heap_size(w->h, i));
    if (!ct->name || !ct->size || ct->size > usable) return;
    if (ct->heap_type == HS_NONE && (ct->heap_type = hs_heap_add_type(w->h, ct->name)) == HS_NONE) {
        w->oom = 1;
        return;
    }
    w->typed[i] = ct->heap_type;
    w->n_typed++;
    if (ct->n) push(w, p, ti, values_in(w, i, usable, ct->size));
}

/* Walks the queued values: each typed pointer may type a chunk and queue it.
 * Chunks are read where the pointers lead, all over the core (touched). */
static void drain(walk *w)
{
    while (w->n_stack && !w->oom) {
        item it = w->stack[--w->n_stack];
        uint64_t es = w->types[it.ct].size, n = it.count < MAX_ELEMS ? it.count : MAX_ELEMS;
        const uint8_t *bytes = hs_core_ptr(w->c, it.addr, n * es); /* NULL: word by word */
        touched(w);
        for (uint64_t k = 0; k < n && !w->oom; k++)
            for (uint32_t j = 0; j < w->types[it.ct].n && !w->oom; j++) {
                uint32_t si = w->types[it.ct].first + j;
                uint64_t p, off = k * es + w->slots[si].off;
                if (bytes && off + 8 <= n * es)
                    memcpy(&p, bytes + off, 8);
                else if (hs_core_read64(w->c, it.addr + off, &p))
                    continue;
                if (p) type_target(w, p, si);
            }
    }
}

/* Every global variable with a fixed address starts a walk. */
static void globals(walk *w, uint64_t bias)
{
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (!w->oom && dwarf_nextcu(w->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu, d;
        if (dwarf_offdie(w->dw, off + hsize, &cu) && is_c_family(&cu) && dwarf_child(&cu, &d) == 0) do {
                Dwarf_Attribute a;
                Dwarf_Op *ops;
                size_t n_ops;
                Dwarf_Die t;
                if (dwarf_tag(&d) != DW_TAG_variable || !dwarf_attr(&d, DW_AT_location, &a) ||
                    dwarf_getlocation(&a, &ops, &n_ops) != 0 || n_ops != 1 ||
                    ops[0].atom != DW_OP_addr || hs_dw_target(&d, &t))
                    continue;
                uint32_t ti = compiled(w, dwarf_dieoffset(&t));
                if (ti == HS_NONE || !w->types[ti].n) continue;
                push(w, ops[0].number + bias, ti, 1);
                drain(w);
            } while (!w->oom && dwarf_siblingof(&d, &d) == 0);
        off = next;
    }
}

int hs_c_type_objects(const hs_core *c, hs_heap *h, hs_error *err)
{
    Dwfl_Module *mod = c->dwfl && c->at_entry ? dwfl_addrmodule(c->dwfl, c->at_entry) : NULL;
    Dwarf_Addr bias = 0;
    Dwarf *dw = mod ? dwfl_module_getdwarf(mod, &bias) : NULL;
    if (!dw || !h->n_objects || !hs_core_uses_walker(c, &hs_walker_glibc)) return 0;
    walk w = {.c = c, .h = h, .dw = dw};
    w.heap_lo = hs_heap_addr(h, 0);
    w.heap_hi = hs_heap_addr(h, h->n_objects - 1) + hs_heap_size(h, h->n_objects - 1);
    w.typed = malloc((size_t)h->n_objects * sizeof *w.typed);
    if (w.typed) {
        memset(w.typed, 0xff, (size_t)h->n_objects * sizeof *w.typed);
        globals(&w, bias);
    }
    int rc = !w.typed || w.oom ? hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory") : 0;
    if (!rc && w.n_typed) rc = hs_heap_give_types_dense(h, w.typed, err);
    else
        free(w.typed);
    w.typed = NULL;
    if (!rc && w.n_typed) rc = hs_heap_add_infof(h, "DWARF-typed objects", "%u", w.n_typed);
    for (uint32_t i = 0; i < w.n_types; i++)
        free(w.types[i].name);
    free(w.typed);
    free(w.stack);
    free(w.types);
    free(w.slots);
    hs_core_release_all(c);
    return rc ? -1 : 0;
}
