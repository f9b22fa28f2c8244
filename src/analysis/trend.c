/* Trend over N snapshots: entries matched by name across snapshots, with a
 * least-squares slope and a class each (see analysis.h for the rules).
 * While snapshots are added, names are interned into one table whose dense
 * id indexes a matrix by_name[id * n_inputs + input], so a snapshot costs
 * one hash per entry and nothing is kept of the profile itself; finishing
 * puts the kept snapshots in time order and copies each nonzero row into
 * `series` in that order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "heapscan/heap_analysis.h"

static const char *const class_names[HS_TREND_N_CLASSES] = {"grows",  "rises", "new",
                                                            "steady", "falls", "gone"};

const char *hs_trend_class_name(hs_trend_class c)
{
    return c < HS_TREND_N_CLASSES ? class_names[c] : "?";
}

static int oom(hs_error *err)
{
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory computing the trend");
}

int hs_trend_init(hs_trend *t, uint32_t n_inputs, hs_error *err)
{
    memset(t, 0, sizeof *t);
    hs_strtab_init(&t->names);
    t->n_inputs = n_inputs;
    t->times = calloc(n_inputs ? n_inputs : 1, sizeof *t->times);
    t->totals = calloc(n_inputs ? n_inputs : 1, sizeof *t->totals);
    t->skipped = calloc(n_inputs ? n_inputs : 1, 1);
    t->input_of = calloc(n_inputs ? n_inputs : 1, sizeof *t->input_of);
    if (!t->times || !t->totals || !t->skipped || !t->input_of) {
        hs_trend_free(t);
        return oom(err);
    }
    return 0;
}

/* Room in by_name for name ids below need. */
static int grow_names(hs_trend *t, uint32_t need)
{
    if (need <= t->cap_names) return 0;
    uint64_t cap = t->cap_names ? t->cap_names : 256;
    while (cap < need)
        cap *= 2;
    if (cap * t->n_inputs > SIZE_MAX / sizeof(int64_t) || cap > UINT32_MAX) return -1;
    int64_t *n = realloc(t->by_name, (size_t)(cap * t->n_inputs) * sizeof *n);
    if (!n) return -1;
    memset(n + (size_t)t->cap_names * t->n_inputs, 0,
           (size_t)((cap - t->cap_names) * t->n_inputs) * sizeof *n);
    t->by_name = n;
    t->cap_names = (uint32_t)cap;
    return 0;
}

int hs_trend_add(hs_trend *t, uint32_t i, const char *name, int64_t value, hs_error *err)
{
    uint32_t id = hs_strtab_intern(&t->names, name, strlen(name));
    if (id == HS_STR_NONE || grow_names(t, id + 1)) return oom(err);
    t->by_name[(size_t)id * t->n_inputs + i] += value;
    return 0;
}

int hs_trend_add_agg(hs_trend *t, uint32_t i, const hs_agg *a, int cum, hs_error *err)
{
    for (uint32_t k = 0; k < a->n_entries; k++) {
        const hs_agg_entry *e = &a->entries[k];
        if (hs_trend_add(t, i, e->name, cum ? e->cum : e->flat, err)) return -1;
    }
    return 0;
}

void hs_trend_set_snapshot(hs_trend *t, uint32_t i, int64_t total, int64_t time_nanos)
{
    t->totals[i] = total;
    t->times[i] = time_nanos;
}

void hs_trend_skip(hs_trend *t, uint32_t i)
{
    t->skipped[i] = 1;
}

/* Least-squares slope of y over x (n points); 0 when the x do not vary. */
static double ls_slope(const double *x, const int64_t *y, uint32_t n)
{
    double mx = 0, my = 0;
    for (uint32_t i = 0; i < n; i++)
        mx += x[i], my += (double)y[i];
    mx /= n, my /= n;
    double sxy = 0, sxx = 0;
    for (uint32_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * ((double)y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxx > 0 ? sxy / sxx : 0;
}

static hs_trend_class classify(const int64_t *v, uint32_t n)
{
    int every_step = 1;
    int64_t peak = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i && v[i] <= v[i - 1]) every_step = 0;
        peak = hs_abs64(v[i]) > peak ? hs_abs64(v[i]) : peak;
    }
    if (every_step) return HS_TREND_GROWS;
    if (v[0] == 0) return HS_TREND_NEW;
    if (v[n - 1] == 0) return HS_TREND_GONE;
    double tol = (double)peak * HS_TREND_STEADY_PERCENT / 100.0;
    double change = (double)v[n - 1] - (double)v[0];
    if (change > tol) return HS_TREND_RISES;
    if (-change > tol) return HS_TREND_FALLS;
    return HS_TREND_STEADY;
}

static void fill_row(hs_trend_row *r, const int64_t *values, uint32_t n, const double *index,
                     const double *hours, int has_times)
{
    r->values = values;
    r->slope_per_snapshot = ls_slope(index, values, n);
    r->slope_per_hour = has_times ? ls_slope(hours, values, n) : 0;
    r->cls = classify(values, n);
}

static int cmp_rows(const void *x, const void *y)
{
    const hs_trend_row *l = x, *r = y;
    if (l->cls != r->cls) return l->cls < r->cls ? -1 : 1;
    int down = l->cls == HS_TREND_FALLS || l->cls == HS_TREND_GONE;
    double a = down ? -l->slope_per_snapshot : l->slope_per_snapshot;
    double b = down ? -r->slope_per_snapshot : r->slope_per_snapshot;
    if (a != b) return a > b ? -1 : 1;
    return strcmp(l->name, r->name);
}

/* Kept inputs in time order when all have a time, else in input order
 * (a stable insertion sort: ties keep the input order). */
static void order_snapshots(hs_trend *t)
{
    uint32_t n = 0;
    int all_times = 1;
    for (uint32_t i = 0; i < t->n_inputs; i++) {
        if (t->skipped[i]) continue;
        t->input_of[n++] = i;
        if (t->times[i] <= 0) all_times = 0;
    }
    t->n_snapshots = n;
    if (!all_times) return;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t v = t->input_of[i], j = i;
        while (j > 0 && t->times[t->input_of[j - 1]] > t->times[v]) {
            t->input_of[j] = t->input_of[j - 1];
            j--;
        }
        t->input_of[j] = v;
    }
    t->has_times = t->times[t->input_of[n - 1]] > t->times[t->input_of[0]];
}

/* times and totals rewritten by position; -1 when out of memory. */
static int permute(hs_trend *t)
{
    uint32_t n = t->n_snapshots;
    int64_t *tm = malloc((size_t)n * sizeof *tm), *tt = malloc((size_t)n * sizeof *tt);
    if (!tm || !tt) {
        free(tm), free(tt);
        return -1;
    }
    for (uint32_t p = 0; p < n; p++)
        tm[p] = t->times[t->input_of[p]], tt[p] = t->totals[t->input_of[p]];
    memcpy(t->times, tm, (size_t)n * sizeof *tm);
    memcpy(t->totals, tt, (size_t)n * sizeof *tt);
    free(tm), free(tt);
    return 0;
}

int hs_trend_finish(hs_trend *t, hs_error *err)
{
    order_snapshots(t);
    uint32_t n = t->n_snapshots;
    if (n < 2)
        return hs_error_set(err, NULL, HS_NO_OFFSET,
                            "a trend needs at least 2 snapshots, %u could be used", n);
    if (permute(t)) return oom(err);
    double *index = malloc(n * sizeof *index), *hours = malloc(n * sizeof *hours);
    uint32_t n_names = t->names.n;
    t->series = malloc(((size_t)n_names * n + 1) * sizeof *t->series);
    t->rows = malloc(((size_t)n_names + 1) * sizeof *t->rows);
    if (!index || !hours || !t->series || !t->rows) {
        free(index), free(hours);
        return oom(err);
    }
    for (uint32_t p = 0; p < n; p++) {
        index[p] = p;
        hours[p] = (double)(t->times[p] - t->times[0]) / 3.6e12;
    }
    for (uint32_t id = 1; id < n_names && t->by_name; id++) {
        int64_t *s = t->series + (size_t)t->n_rows * n;
        int any = 0;
        for (uint32_t p = 0; p < n; p++) {
            s[p] = t->by_name[(size_t)id * t->n_inputs + t->input_of[p]];
            any |= s[p] != 0;
        }
        if (!any) continue;
        hs_trend_row *r = &t->rows[t->n_rows++];
        r->name = hs_strtab_get(&t->names, id);
        fill_row(r, s, n, index, hours, t->has_times);
        t->n_class[r->cls]++;
    }
    t->total.name = "total";
    fill_row(&t->total, t->totals, n, index, hours, t->has_times);
    free(index), free(hours);
    free(t->by_name);
    t->by_name = NULL;
    if (t->n_rows > 1) qsort(t->rows, t->n_rows, sizeof *t->rows, cmp_rows);
    return 0;
}

void hs_trend_free(hs_trend *t)
{
    hs_strtab_free(&t->names);
    free(t->input_of), free(t->times), free(t->totals), free(t->skipped);
    free(t->by_name), free(t->series), free(t->rows);
    memset(t, 0, sizeof *t);
}
