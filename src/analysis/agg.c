/* Flat/cum aggregation of a profile, exactly as go tool pprof's graph
 * builder does it: a sample's value goes flat to the innermost frame of its
 * leaf location, and cum ONCE to every distinct entry on its stack (inlined
 * frames are frames). Samples with value 0 are skipped; entries whose flat
 * and cum are both 0 are left out. The once-per-sample rule uses a stamp
 * array indexed by entry id holding the generation of the last sample that
 * touched the entry: O(frames) per sample, no hashing, no clearing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "model/parallel.h"

int hs_agg_parse_by(const char *s, hs_agg_by *out)
{
    static const char *const names[] = {"function", "file", "line", "address"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (hs_agg_by)i;
            return 0;
        }
    return -1;
}

int hs_agg_parse_order(const char *s, hs_agg_order *out)
{
    if (strcmp(s, "flat") == 0) *out = HS_SORT_FLAT;
    else if (strcmp(s, "cum") == 0) *out = HS_SORT_CUM;
    else return -1;
    return 0;
}

int hs_accum_init(hs_accum *a, uint32_t n)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->flat = calloc((size_t)n + 1, sizeof *a->flat);
    a->cum = calloc((size_t)n + 1, sizeof *a->cum);
    a->stamp = calloc((size_t)n + 1, sizeof *a->stamp);
    if (!a->flat || !a->cum || !a->stamp) {
        hs_accum_free(a);
        return -1;
    }
    return 0;
}

void hs_accum_free(hs_accum *a)
{
    free(a->flat);
    free(a->cum);
    free(a->stamp);
    memset(a, 0, sizeof *a);
}

uint32_t hs_accum_next_gen(hs_accum *a)
{
    if (++a->gen == 0) {
        memset(a->stamp, 0, ((size_t)a->n + 1) * sizeof *a->stamp);
        a->gen = 1;
    }
    return a->gen;
}

/* Samples [s0, s1) into a (and a->track). */
static void add_range(hs_accum *a, const hs_profile *p, uint32_t vi, const hs_frames *fr,
                      const hs_filter *flt, int sign, uint64_t s0, uint64_t s1)
{
    const uint32_t nt = p->n_sample_types;
    const uint32_t *restrict loc_start = fr->loc_start, *restrict entry = fr->entry;
    int64_t *restrict flat = a->flat, *restrict cum = a->cum;
    uint32_t *restrict stamp = a->stamp;
    for (uint64_t si = s0; si < s1; si++) {
        int64_t v = p->values[(size_t)si * nt + vi];
        if (v == 0) continue;
        const hs_sample *s = &p->samples[si];
        if (flt->active && !hs_filter_keep(flt, p, s)) continue;
        if (sign < 0) v = -v;
        a->kept_total += v;
        a->n_kept++;
        uint32_t gen = hs_accum_next_gen(a);
        const uint32_t *st = p->stacks + s->stack_start;
        if (a->track && hs_inline_sample(a->track, fr, st, s->n_stack, v, gen)) a->track_failed = 1;
        if (a->marks_only) continue;
        int leaf = 1;
        for (uint32_t k = 0; k < s->n_stack; k++) {
            uint32_t loc = st[k];
            if (loc >= fr->n_locations) continue;
            for (uint32_t j = loc_start[loc]; j < loc_start[loc + 1]; j++) {
                uint32_t e = entry[j];
                if (leaf) {
                    flat[e] += v;
                    leaf = 0;
                }
                if (stamp[e] != gen) {
                    stamp[e] = gen;
                    cum[e] += v;
                }
            }
        }
    }
}

/* Part i > 0 counts into an accumulator (and tracker) of its own. */
typedef struct accum_parts {
    hs_accum *a;
    const hs_profile *p;
    uint32_t vi;
    const hs_frames *fr;
    const hs_filter *flt;
    int sign;
    unsigned n;
    hs_accum part[HS_PAR_MAX_PARTS];
    hs_inline_track track[HS_PAR_MAX_PARTS];
} accum_parts;

static int run_accum_part(void *arg, unsigned i)
{
    accum_parts *ap = arg;
    hs_accum *a = i == 0 ? ap->a : &ap->part[i];
    uint64_t s0, s1;
    hs_par_range(ap->p->n_samples, ap->n, i, &s0, &s1);
    if (i > 0) {
        if (hs_accum_init(a, ap->a->n)) return -1;
        a->marks_only = ap->a->marks_only;
        if (ap->a->track) {
            if (hs_inline_init(&ap->track[i], ap->fr, ap->a->n, ap->a->track_want)) return -1;
            a->track = &ap->track[i];
        }
    }
    add_range(a, ap->p, ap->vi, ap->fr, ap->flt, ap->sign, s0, s1);
    return a->track_failed ? -1 : 0;
}

static int merge_part(hs_accum *a, const hs_accum *b)
{
    for (uint32_t e = 0; e <= a->n; e++) {
        a->flat[e] += b->flat[e];
        a->cum[e] += b->cum[e];
    }
    a->kept_total += b->kept_total;
    a->n_kept += b->n_kept;
    return a->track ? hs_inline_merge(a->track, b->track) : 0;
}

int hs_accum_add(hs_accum *a, const hs_profile *p, uint32_t vi, const hs_frames *fr,
                 const hs_filter *flt, int sign)
{
    unsigned n = hs_par_parts(p->n_samples, 16384, p->threads);
    if (n <= 1) {
        add_range(a, p, vi, fr, flt, sign, 0, p->n_samples);
        return a->track_failed ? -1 : 0;
    }
    accum_parts *ap = calloc(1, sizeof *ap);
    if (!ap) return -1;
    *ap = (accum_parts){.a = a, .p = p, .vi = vi, .fr = fr, .flt = flt, .sign = sign, .n = n};
    int rc = hs_par_run(n, run_accum_part, ap);
    for (unsigned i = 1; i < n; i++) {
        if (!rc) rc = merge_part(a, &ap->part[i]);
        hs_accum_free(&ap->part[i]);
        hs_inline_free(&ap->track[i]);
    }
    free(ap);
    if (rc) a->track_failed = 1;
    return rc;
}

int64_t hs_profile_total(const hs_profile *p, uint32_t vi)
{
    int64_t total = 0;
    for (uint32_t si = 0; si < p->n_samples; si++) {
        int64_t v = p->values[(size_t)si * p->n_sample_types + vi];
        total += v < 0 ? -v : v;
    }
    return total;
}

int64_t hs_agg_total(const hs_profile *p, uint32_t sample_index)
{
    return sample_index < p->n_sample_types ? hs_profile_total(p, sample_index) : 0;
}

static int cmp_flat(const void *x, const void *y)
{
    const hs_agg_entry *l = x, *r = y;
    return hs_order_abs_name(l->flat, r->flat, l->name, r->name, l->cum, r->cum);
}

static int cmp_cum(const void *x, const void *y)
{
    const hs_agg_entry *l = x, *r = y;
    return hs_order_abs_name(l->cum, r->cum, l->name, r->name, l->flat, r->flat);
}

void hs_agg_sort(hs_agg *a, hs_agg_order order)
{
    if (a->n_entries > 1)
        qsort(a->entries, a->n_entries, sizeof *a->entries, order == HS_SORT_CUM ? cmp_cum : cmp_flat);
}

static void copy_type(const hs_profile *p, uint32_t vi, hs_agg *out)
{
    const hs_value_type *t = &p->sample_types[vi];
    snprintf(out->sample_type, sizeof out->sample_type, "%s", hs_profile_str(p, t->type));
    snprintf(out->unit, sizeof out->unit, "%s", hs_profile_str(p, t->unit));
}

int hs_agg_build(const hs_profile *p, uint32_t sample_index, hs_agg_by by,
                 const hs_agg_filter *f, hs_agg *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    hs_strtab_init(&out->names);
    if (sample_index >= p->n_sample_types) {
        hs_strtab_free(&out->names);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "sample index %u out of range (%u types)",
                            sample_index, p->n_sample_types);
    }
    copy_type(p, sample_index, out);
    hs_frames fr;
    hs_filter flt;
    hs_accum acc;
    if (hs_frames_build(p, by, &out->names, &fr, err)) goto fail0;
    if (hs_filter_compile(p, f, &flt, err)) goto fail1;
    if (hs_accum_init(&acc, out->names.n) || hs_accum_add(&acc, p, sample_index, &fr, &flt, 1)) {
        hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory aggregating");
        goto fail2;
    }
    out->total = hs_profile_total(p, sample_index);
    out->kept_total = acc.kept_total;
    out->n_samples_kept = acc.n_kept;
    uint32_t n = 0;
    for (uint32_t id = 1; id < out->names.n; id++)
        if (acc.flat[id] || acc.cum[id]) n++;
    out->entries = malloc((n ? n : 1) * sizeof *out->entries);
    if (!out->entries) {
        hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory aggregating");
        goto fail2;
    }
    for (uint32_t id = 1; id < out->names.n; id++) {
        if (!acc.flat[id] && !acc.cum[id]) continue;
        out->entries[out->n_entries++] = (hs_agg_entry){
            .name = hs_strtab_get(&out->names, id), .flat = acc.flat[id], .cum = acc.cum[id], .id = id};
    }
    hs_accum_free(&acc);
    hs_filter_free(&flt);
    hs_frames_free(&fr);
    hs_agg_sort(out, HS_SORT_FLAT);
    return 0;
fail2:
    hs_accum_free(&acc);
    hs_filter_free(&flt);
fail1:
    hs_frames_free(&fr);
fail0:
    hs_agg_free(out);
    return -1;
}

/* The frames are rebuilt into a->names: every name is already there, so
 * entry ids are the ones hs_agg_build gave. Only edges into the wanted rows
 * are tracked, which gives those rows exactly the marks a full table would:
 * a row's mark depends only on the edges into it. The 0.1% edge cutoff is
 * of the sum of all flats, as in pprof. */
int hs_agg_mark_inline(hs_agg *a, const hs_profile *p, uint32_t sample_index, hs_agg_by by,
                       const hs_agg_filter *f, uint32_t n_rows, hs_error *err)
{
    if (n_rows > a->n_entries) n_rows = a->n_entries;
    if (n_rows == 0) return 0;
    hs_frames fr;
    hs_filter flt;
    hs_accum acc;
    hs_inline_track track;
    memset(&acc, 0, sizeof acc);
    memset(&track, 0, sizeof track);
    uint8_t *want = NULL, *flags = NULL;
    int rc = -1;
    if (hs_frames_build(p, by, &a->names, &fr, err)) return -1;
    if (hs_filter_compile(p, f, &flt, err)) goto done_frames;
    uint32_t n_names = a->names.n;
    want = calloc((size_t)n_names + 1, 1);
    flags = calloc((size_t)n_names + 1, 1);
    if (!want || !flags) goto oom;
    for (uint32_t i = 0; i < n_rows; i++) want[a->entries[i].id] = 1;
    if (hs_inline_init(&track, &fr, n_names, want) || hs_accum_init(&acc, n_names)) goto oom;
    if (track.any_intra) {
        acc.track = &track;
        acc.track_want = want;
        acc.marks_only = 1;
        if (hs_accum_add(&acc, p, sample_index, &fr, &flt, 1)) goto oom;
        int64_t flat_sum = 0;
        for (uint32_t i = 0; i < a->n_entries; i++) flat_sum += a->entries[i].flat;
        hs_inline_flags(&track, flat_sum, flags);
    }
    for (uint32_t i = 0; i < n_rows; i++) a->entries[i].inlined = flags[a->entries[i].id];
    rc = 0;
    goto done;
oom:
    hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory computing inline marks");
done:
    free(want);
    free(flags);
    hs_inline_free(&track);
    hs_accum_free(&acc);
    hs_filter_free(&flt);
done_frames:
    hs_frames_free(&fr);
    return rc;
}

void hs_agg_free(hs_agg *a)
{
    hs_strtab_free(&a->names);
    free(a->entries);
    memset(a, 0, sizeof *a);
}
