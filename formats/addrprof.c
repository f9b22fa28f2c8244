/* Bare-address profiles to the model (see addrprof.h). Records are kept
 * as read (PCs in one array, runs per record) so that pprof's clean-ups,
 * which look at all records, run before any location exists; locations
 * are then made in first-seen order, one per distinct PC. */
#include "addrprof.h"

#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "procmap.h"

static int grow(void **arr, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap) return 0;
    if (need >= UINT32_MAX / 2) return -1;
    uint32_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *g = realloc(*arr, (size_t)c * elem);
    if (!g) return -1;
    *arr = g;
    *cap = c;
    return 0;
}

uint64_t *hs_addrprof_add(hs_addrprof *a, const int64_t v[2], uint64_t n)
{ /* one more PC than needed: an empty stack's run is not NULL */
    if (grow((void **)&a->recs, &a->cap_recs, (uint64_t)a->n_recs + 1, sizeof *a->recs) ||
        grow((void **)&a->pcs, &a->cap_pcs, (uint64_t)a->n_pcs + n + 1, sizeof *a->pcs))
        return NULL;
    a->recs[a->n_recs++] = (hs_addrrec){{v[0], v[1]}, 0, a->n_pcs, (uint32_t)n};
    a->n_pcs += (uint32_t)n;
    return a->pcs + a->n_pcs - n;
}

void hs_addrprof_drop_second(hs_addrprof *a, hs_addrrec *r)
{
    uint64_t *s = a->pcs + r->start;
    memmove(s + 1, s + 2, (size_t)(r->n - 2) * sizeof *s);
    r->n--;
}

void hs_addrprof_drop_repeated_leaf(hs_addrprof *a)
{
    for (uint32_t i = 0; i < a->n_recs; i++) {
        const uint64_t *s = a->pcs + a->recs[i].start;
        if (a->recs[i].n > 1 && s[0] == s[1] + 1) hs_addrprof_drop_second(a, &a->recs[i]);
    }
}

/* The mapped files' symbols (procmap.c). */
typedef struct map_namer {
    hs_profile *p;
    hs_dwmod *dw;
    hs_idmap fns;
} map_namer;

static int name_from_map(void *ctx, uint64_t pc, uint32_t *fn, int64_t *line)
{
    map_namer *m = ctx;
    hs_tx_field name, file;
    int l;
    if (!m->dw || !hs_procmap_symbol(m->dw, pc, &name, &file, &l)) return 0;
    if ((*fn = hs_procmap_function(m->p, &m->fns, name, file)) == HS_NONE) return -1;
    *line = l;
    return 1;
}

static uint32_t new_location(hs_addrprof *a, hs_profile *p, hs_addr_namer namer, void *ctx,
                             uint64_t pc)
{
    uint32_t fn;
    int64_t line;
    int named = namer(ctx, pc, &fn, &line);
    if (named < 0) return HS_NONE;
    uint64_t addr = named && a->strip_named ? 0 : pc;
    return hs_profile_add_location(p, p->n_locations + 1, addr, hs_procmap_find(p, pc),
                                   named ? &fn : NULL, named ? &line : NULL, (uint32_t)named);
}

/* Each PC becomes its location's index (addrs: PC + 1 -> index in loc;
 * PC 2^64-1, whose id would be 0, keeps its own). */
static int make_locations(hs_addrprof *a, hs_profile *p, hs_addr_namer namer, void *ctx)
{
    hs_idmap addrs;
    hs_idmap_init(&addrs, a->n_pcs < 65536 ? a->n_pcs : 65536);
    uint32_t *loc = malloc(((size_t)a->n_pcs + 1) * sizeof *loc), top = HS_NONE;
    int rc = loc ? 0 : -1;
    for (uint32_t i = 0; i < a->n_pcs && !rc; i++) {
        uint64_t pc = a->pcs[i];
        uint32_t index, *slot = &top;
        int r = pc + 1 ? hs_idmap_add_get(&addrs, pc + 1, &index) : top != HS_NONE;
        if (pc + 1) slot = &loc[index];
        if (r == 0 && (*slot = new_location(a, p, namer, ctx, pc)) == HS_NONE) r = -1;
        rc = r < 0 ? -1 : 0;
        a->pcs[i] = *slot;
    }
    free(loc);
    hs_idmap_free(&addrs);
    return rc;
}

static int make_samples(const hs_addrprof *a, hs_profile *p)
{
    hs_label lb = {.key = a->label_bytes ? hs_profile_intern(p, "bytes") : 0};
    if (lb.key == HS_STR_NONE) return -1;
    uint32_t *l = malloc(((size_t)a->n_pcs + 1) * sizeof *l);
    if (!l) return -1;
    for (uint32_t i = 0; i < a->n_pcs; i++)
        l[i] = (uint32_t)a->pcs[i];
    int rc = 0;
    for (uint32_t i = 0; i < a->n_recs && !rc; i++) {
        const hs_addrrec *r = &a->recs[i];
        lb.num = r->bytes;
        if (hs_profile_add_sample(p, r->v, l + r->start, r->n, a->label_bytes ? &lb : NULL,
                                  a->label_bytes ? 1 : 0) == HS_NONE)
            rc = -1;
    }
    free(l);
    return rc;
}

int hs_addrprof_build(hs_addrprof *a, hs_profile *p, const hs_load_options *opt, const char *map,
                      size_t map_len, const hs_source *src, hs_error *err)
{
    hs_tx_scanner sc = {map, map_len, 0, 0};
    if (map_len && hs_procmap_read(sc, p)) return hs_error_set(err, src->name, 0, "out of memory");
    map_namer m = {p, hs_procmap_open(p, opt), {0}};
    hs_idmap_init(&m.fns, 1024);
    int rc = hs_addrprof_build_named(a, p, name_from_map, &m, src, err);
    hs_dwmod_end(m.dw);
    hs_idmap_free(&m.fns);
    return rc;
}

int hs_addrprof_build_named(hs_addrprof *a, hs_profile *p, hs_addr_namer namer, void *ctx,
                            const hs_source *src, hs_error *err)
{
    int rc = make_locations(a, p, namer, ctx) || make_samples(a, p);
    return rc ? hs_error_set(err, src->name, 0, "out of memory") : 0;
}

void hs_addrprof_free(hs_addrprof *a)
{
    free(a->recs);
    free(a->pcs);
    memset(a, 0, sizeof *a);
}
