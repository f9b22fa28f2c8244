/* Difference of two heap groupings keyed by group name: signed deltas of
 * count, shallow size and retained size (after - before). Names of both sides
 * are interned into one table whose id is the row index, so matching is one
 * pass per side. A name present on one side only is new or gone; its other
 * side counts as zero. Rows come out sorted by |delta| of the chosen column,
 * changed ones (new, vanished, or a nonzero delta) before unchanged ones. */
#include <stdlib.h>
#include <string.h>

#include "heapscan/heap_analysis.h"

static hs_group_delta delta(uint64_t before, uint64_t after)
{
    return (hs_group_delta){(int64_t)before, (int64_t)after, (int64_t)after - (int64_t)before};
}

static int add_side(hs_group_diff *df, const hs_groups *g, int after, uint32_t *cap, uint8_t **seen)
{
    for (uint32_t i = 0; i < g->n_rows; i++) {
        const hs_group_row *r = &g->rows[i];
        const char *s = hs_strtab_get(&g->names, r->name);
        uint32_t id = hs_strtab_intern(&df->names, s, strlen(s));
        if (id == HS_STR_NONE) return -1;
        if (id >= *cap) {
            uint32_t ncap = *cap ? *cap : 64;
            while (ncap <= id)
                ncap *= 2;
            hs_group_diff_row *nr = realloc(df->rows, (size_t)ncap * sizeof *nr);
            uint8_t *ns = realloc(*seen, ncap);
            if (!nr || !ns) {
                if (nr) df->rows = nr;
                if (ns) *seen = ns;
                return -1;
            }
            memset(nr + *cap, 0, (size_t)(ncap - *cap) * sizeof *nr);
            memset(ns + *cap, 0, ncap - *cap);
            df->rows = nr, *seen = ns, *cap = ncap;
        }
        if (id >= df->n_rows) df->n_rows = id + 1;
        hs_group_diff_row *d = &df->rows[id];
        d->name = id;
        (*seen)[id] |= after ? 2 : 1;
        /* The same name twice on one side (object rows) adds up. */
        if (after) {
            d->count.after += (int64_t)r->count, d->size.after += (int64_t)r->size;
            d->retained.after += (int64_t)r->retained;
        } else {
            d->count.before += (int64_t)r->count, d->size.before += (int64_t)r->size;
            d->retained.before += (int64_t)r->retained;
        }
    }
    return 0;
}

static int64_t abs64(int64_t x)
{
    return x < 0 ? -x : x;
}

static int changed(const hs_group_diff_row *r)
{
    return r->is_new || r->is_gone || r->count.delta || r->size.delta || r->retained.delta;
}

typedef struct sort_ctx {
    const hs_group_diff *df;
    hs_group_sort sort;
} sort_ctx;

static int cmp_diff(const void *pa, const void *pb, void *ctx)
{
    const hs_group_diff_row *a = pa, *b = pb;
    const hs_group_diff *df = ((const sort_ctx *)ctx)->df;
    hs_group_sort sort = ((const sort_ctx *)ctx)->sort;
    const hs_group_delta *x = sort == HS_SORT_COUNT  ? &a->count
                              : sort == HS_SORT_SIZE ? &a->size
                                                     : &a->retained;
    const hs_group_delta *y = sort == HS_SORT_COUNT  ? &b->count
                              : sort == HS_SORT_SIZE ? &b->size
                                                     : &b->retained;
    if (abs64(x->delta) != abs64(y->delta)) return abs64(x->delta) > abs64(y->delta) ? -1 : 1;
    if (x->delta != y->delta) return x->delta > y->delta ? -1 : 1;
    if (changed(a) != changed(b)) return changed(a) ? -1 : 1;
    return strcmp(hs_strtab_get(&df->names, a->name), hs_strtab_get(&df->names, b->name));
}

int hs_group_diff_compute(const hs_groups *a, const hs_groups *b, hs_group_sort sort,
                          hs_group_diff *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    hs_strtab_init(&out->names);
    uint32_t cap = 0;
    uint8_t *seen = NULL;
    if (add_side(out, a, 0, &cap, &seen) || add_side(out, b, 1, &cap, &seen)) {
        free(seen);
        hs_group_diff_free(out);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory comparing heaps");
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < out->n_rows; i++) {
        if (!seen[i]) continue;
        hs_group_diff_row r = out->rows[i];
        r.count = delta((uint64_t)r.count.before, (uint64_t)r.count.after);
        r.size = delta((uint64_t)r.size.before, (uint64_t)r.size.after);
        r.retained = delta((uint64_t)r.retained.before, (uint64_t)r.retained.after);
        r.is_new = seen[i] == 2, r.is_gone = seen[i] == 1;
        out->n_new += r.is_new, out->n_gone += r.is_gone;
        out->n_changed += changed(&r);
        out->rows[k++] = r;
    }
    out->n_rows = k;
    free(seen);
    out->total_count = delta(a->total_count, b->total_count);
    out->total_size = delta(a->total_size, b->total_size);
    out->total_retained = delta(a->total_retained, b->total_retained);
    sort_ctx ctx = {out, sort};
    if (out->n_rows > 1) qsort_r(out->rows, out->n_rows, sizeof *out->rows, cmp_diff, &ctx);
    return 0;
}

void hs_group_diff_free(hs_group_diff *df)
{
    hs_strtab_free(&df->names);
    free(df->rows);
    memset(df, 0, sizeof *df);
}
