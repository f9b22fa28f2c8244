/* Diff of two aggregations keyed by entry name. Both sides' names are
 * interned into one table, whose dense ids index the row arrays, so each
 * name is hashed once. Invariant: a row exists for every name in either
 * side; status says whether it was only in AFTER (new) or only in BEFORE
 * (vanished); after sorting, the changed rows come first (n_changed). */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

static int changed(const hs_diff_row *r)
{
    return hs_diff_flat_delta(r) != 0 || hs_diff_cum_delta(r) != 0;
}

static int cmp_delta(int64_t dl, int64_t dr, const hs_diff_row *l, const hs_diff_row *r)
{
    int64_t a = hs_abs64(dl), b = hs_abs64(dr);
    if (a != b) return a > b ? -1 : 1;
    if (changed(l) != changed(r)) return changed(l) ? -1 : 1;
    return strcmp(l->name, r->name);
}

static int cmp_flat(const void *x, const void *y)
{
    const hs_diff_row *l = x, *r = y;
    return cmp_delta(hs_diff_flat_delta(l), hs_diff_flat_delta(r), l, r);
}

static int cmp_cum(const void *x, const void *y)
{
    const hs_diff_row *l = x, *r = y;
    return cmp_delta(hs_diff_cum_delta(l), hs_diff_cum_delta(r), l, r);
}

int hs_diff_build(const hs_agg *before, const hs_agg *after, hs_agg_order order, hs_diff *out,
                  hs_error *err)
{
    memset(out, 0, sizeof *out);
    hs_strtab_init(&out->names);
    out->total_before = before->total;
    out->total_after = after->total;
    uint64_t cap = (uint64_t)before->n_entries + after->n_entries + 1;
    hs_diff_row *by_id = calloc(cap, sizeof *by_id);
    uint8_t *in = calloc(cap, 1); /* bit 1: in before, bit 2: in after */
    if (!by_id || !in) goto oom;
    const hs_agg *side[2] = {before, after};
    for (int s = 0; s < 2; s++) {
        for (uint32_t i = 0; i < side[s]->n_entries; i++) {
            const hs_agg_entry *e = &side[s]->entries[i];
            uint32_t id = hs_strtab_intern(&out->names, e->name, strlen(e->name));
            if (id == HS_STR_NONE || id >= cap) goto oom;
            in[id] |= (uint8_t)(1u << s);
            if (s == 0) {
                by_id[id].flat_before = e->flat;
                by_id[id].cum_before = e->cum;
            } else {
                by_id[id].flat_after = e->flat;
                by_id[id].cum_after = e->cum;
            }
        }
    }
    out->rows = malloc(cap * sizeof *out->rows);
    if (!out->rows) goto oom;
    for (uint32_t id = 1; id < out->names.n; id++) {
        hs_diff_row r = by_id[id];
        if (changed(&r)) out->n_changed++;
        r.name = hs_strtab_get(&out->names, id);
        r.status = in[id] == 2 ? HS_DIFF_NEW : in[id] == 1 ? HS_DIFF_VANISHED : HS_DIFF_BOTH;
        if (r.status == HS_DIFF_NEW && changed(&r)) out->n_new++;
        if (r.status == HS_DIFF_VANISHED && changed(&r)) out->n_vanished++;
        out->rows[out->n_rows++] = r;
    }
    free(by_id);
    free(in);
    if (out->n_rows > 1)
        qsort(out->rows, out->n_rows, sizeof *out->rows, order == HS_SORT_CUM ? cmp_cum : cmp_flat);
    return 0;
oom:
    free(by_id);
    free(in);
    hs_diff_free(out);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory computing the diff");
}

void hs_diff_free(hs_diff *d)
{
    hs_strtab_free(&d->names);
    free(d->rows);
    memset(d, 0, sizeof *d);
}
