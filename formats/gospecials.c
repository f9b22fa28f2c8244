/* Finalizers and cleanups of a Go core as roots. The runtime hangs them on
 * the span of their object: mspan.specials is a list of runtime.special
 * (next, offset of the object in the span, kind). Like the collector's
 * markrootSpans, and like heap dumps show it, a finalizer
 * (runtime.SetFinalizer) keeps alive its closure and what its object points
 * at, not the object itself, which becomes unreachable and is finalized; a
 * cleanup (runtime.AddCleanup, Go 1.24+) keeps alive only its closure. The
 * kinds are the DWARF constants runtime._KindSpecialFinalizer and
 * _KindSpecialCleanup (their values changed between versions); layouts come
 * from DWARF by field name. Roots are named as for heap dumps:
 * "finalizer main.(*T).close for 0xc000123000". */
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "godwarf.h"
#include "gospecials.h"
#include "model/heap_build.h"
#include "walker.h"

#define MAX_SPECIALS 1000000 /* per span: a longer list is a damaged one */

typedef struct slayout {
    hs_go_field start, specials;     /* mspan */
    hs_go_field next, offset, kind;  /* special */
    hs_go_field fin_fn, cleanup_fn;  /* specialfinalizer, specialCleanup */
    int64_t k_finalizer, k_cleanup;  /* -1 when the runtime has none */
} slayout;

typedef struct stally {
    uint64_t finalizers, cleanups, unreadable;
} stally;

enum { S_MSPAN, S_SPECIAL, S_FIN, S_CLEANUP, N_S };
static const char *const struct_names[N_S] = {"runtime.mspan", "runtime.special",
                                              "runtime.specialfinalizer", "runtime.specialCleanup"};

/* The value of the integer constant `name`, among every CU's top DIEs. */
static int64_t constant(Dwarf *dw, const char *name)
{
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu, d;
        if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) do {
                Dwarf_Attribute a;
                Dwarf_Sword v;
                const char *n = dwarf_tag(&d) == DW_TAG_constant ? dwarf_diename(&d) : NULL;
                if (n && strcmp(n, name) == 0 && dwarf_attr(&d, DW_AT_const_value, &a) &&
                    dwarf_formsdata(&a, &v) == 0)
                    return v;
            } while (dwarf_siblingof(&d, &d) == 0);
        off = next;
    }
    return -1;
}

static uint64_t field_u(const uint8_t *p, hs_go_field f)
{
    uint64_t v = 0;
    if (f.size && f.size <= 8) memcpy(&v, p + f.off, f.size);
    return v;
}

/* 0, or -1 when the runtime keeps its specials some other way. */
static int read_layout(Dwarf *dw, slayout *L)
{
    Dwarf_Die d[N_S];
    int found[N_S] = {0};
    hs_go_find_structs(dw, struct_names, N_S, d, found);
    if (!found[S_MSPAN] || !found[S_SPECIAL]) return -1;
    L->start = hs_go_member(&d[S_MSPAN], "startAddr");
    L->specials = hs_go_member(&d[S_MSPAN], "specials");
    L->next = hs_go_member(&d[S_SPECIAL], "next");
    L->offset = hs_go_member(&d[S_SPECIAL], "offset");
    L->kind = hs_go_member(&d[S_SPECIAL], "kind");
    if (found[S_FIN]) L->fin_fn = hs_go_member(&d[S_FIN], "fn");
    if (found[S_CLEANUP]) L->cleanup_fn = hs_go_member(&d[S_CLEANUP], "fn");
    L->k_finalizer = L->fin_fn.size == 8 ? constant(dw, "runtime._KindSpecialFinalizer") : -1;
    L->k_cleanup = L->cleanup_fn.size == 8 ? constant(dw, "runtime._KindSpecialCleanup") : -1;
    return L->start.size == 8 && L->specials.size == 8 && L->next.size == 8 && L->offset.size &&
                   L->kind.size == 1 && (L->k_finalizer >= 0 || L->k_cleanup >= 0)
               ? 0
               : -1;
}

/* A root named `what FUNC for 0xOBJ` holding the closure fv. */
static uint32_t closure_root(const hs_core *c, hs_heap *h, const char *what, uint64_t fv, uint64_t obj)
{
    uint64_t pc = 0;
    /* a closure without variables is in the executable's read-only data,
     * which gcore leaves out: read through the mapped files */
    const char *fn = fv && !hs_core_read_mapped(c, fv, &pc, 8) ? hs_core_symbol(c, pc, NULL) : NULL;
    char label[320];
    snprintf(label, sizeof label, "%s %s%sfor 0x%llx", what, fn ? fn : "", fn ? " " : "",
             (unsigned long long)obj);
    return hs_heap_add_root(h, HS_ROOT_FINALIZER, hs_heap_intern(h, label, strlen(label)));
}

/* What the object at obj points at, by the walker's pointer maps (every
 * word when it has none for this object), as references of root r. */
static int add_pointees(const hs_core *c, hs_heap *h, uint32_t r, uint64_t obj, hs_error *err)
{
    uint32_t id = hs_heap_find(h, obj);
    if (id == HS_NONE) return 0;
    uint64_t size = hs_heap_size(h, id), n = size / 8;
    const uint8_t *p = n && n <= ((uint64_t)1 << 24) ? hs_core_ptr(c, obj, size) : NULL;
    uint64_t *bits = p ? calloc((n + 63) / 64, 8) : NULL;
    if (p && !bits) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    int masked = bits && hs_walker_go.pointer_words(c, obj, size, bits, n) == 0;
    for (uint64_t k = 0; p && k < n; k++) {
        uint64_t v;
        if (masked && !(bits[k / 64] >> (k % 64) & 1)) continue;
        memcpy(&v, p + 8 * k, 8);
        uint32_t to = hs_heap_find(h, v);
        if (to != HS_NONE && to != id && hs_heap_add_root_ref_id(h, r, 8 * k, to, err)) {
            free(bits);
            return -1;
        }
    }
    free(bits);
    return 0;
}

static int one_special(const hs_core *c, hs_heap *h, const slayout *L, uint64_t base,
                       const uint8_t *sp, uint64_t at, stally *t, hs_error *err)
{
    int64_t kind = (int64_t)field_u(sp, L->kind);
    uint64_t obj = base + field_u(sp, L->offset), fv;
    if (kind != L->k_finalizer && kind != L->k_cleanup) return 0;
    hs_go_field fn = kind == L->k_finalizer ? L->fin_fn : L->cleanup_fn;
    if (hs_core_read64(c, at + fn.off, &fv)) {
        t->unreadable++;
        return 0;
    }
    uint32_t r = closure_root(c, h, kind == L->k_finalizer ? "finalizer" : "cleanup", fv, obj);
    if (r == HS_NONE) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    uint32_t closure = hs_heap_find(h, fv);
    if (closure != HS_NONE && hs_heap_add_root_ref_id(h, r, 0, closure, err)) return -1;
    if (kind == L->k_cleanup) {
        t->cleanups++;
        return 0;
    }
    t->finalizers++;
    return add_pointees(c, h, r, obj, err);
}

static int span_specials(const hs_core *c, hs_heap *h, const slayout *L, uint64_t span, stally *t,
                         hs_error *err)
{
    const uint8_t *ms = hs_core_ptr(c, span, L->specials.off + 8);
    if (!ms) {
        t->unreadable++;
        return 0;
    }
    uint64_t base = field_u(ms, L->start), at = field_u(ms, L->specials);
    uint32_t sz = L->kind.off + 1 > L->next.off + 8 ? L->kind.off + 1 : L->next.off + 8;
    for (int k = 0; at && k < MAX_SPECIALS; k++) {
        const uint8_t *sp = hs_core_ptr(c, at, sz);
        if (!sp) {
            t->unreadable++;
            return 0;
        }
        if (one_special(c, h, L, base, sp, at, t, err)) return -1;
        at = field_u(sp, L->next);
    }
    return 0;
}

int hs_gospecials_roots(const hs_core *c, hs_heap *h, Dwarf *dw, const uint64_t *spans, uint32_t n,
                        hs_error *err)
{
    slayout L;
    memset(&L, 0, sizeof L);
    if (!dw || read_layout(dw, &L)) {
        if (n) hs_heap_add_infof(h, "go finalizers", "not read (no runtime.special layout in DWARF)");
        return 0;
    }
    stally t = {0};
    for (uint32_t i = 0; i < n; i++)
        if (span_specials(c, h, &L, spans[i], &t, err)) return -1;
    hs_heap_add_infof(h, "go finalizers",
                      "%llu finalizer(s) and %llu cleanup(s) as roots (their closures; a "
                      "finalizer also what its object points at)%s",
                      (unsigned long long)t.finalizers, (unsigned long long)t.cleanups,
                      t.unreadable ? "; some specials not in the core" : "");
    return 0;
}
