/* Goroutine groups across snapshots (see goroutine_analysis.h). Each
 * record's group key (state, locked, creator and stack as function:line
 * pairs, arguments never part of it; or just the state, function or
 * creator) is interned in one table shared by every snapshot, so a key's
 * id is its group's index and snapshots match by key without a second
 * pass. A group keeps the names of the first record seen, re-interned in
 * the report's own table; then groups are classified, suspects marked, and
 * the arrays permuted once into report order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapscan/goroutine_analysis.h"

const char *const hs_gr_class_names[5] = {"steady", "grows", "new", "gone", "shrinks"};

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

int hs_gr_is_runtime(const char *f)
{
    return has_prefix(f, "runtime.") || has_prefix(f, "runtime/") || has_prefix(f, "internal/") ||
           has_prefix(f, "sync.") || has_prefix(f, "0x") || f[0] == 0;
}

int hs_gr_is_blocked(const char *s)
{
    return has_prefix(s, "chan receive") || has_prefix(s, "chan send") ||
           has_prefix(s, "select") || has_prefix(s, "sync.") || has_prefix(s, "semacquire") ||
           has_prefix(s, "IO wait");
}

/* ---- goroutine profiles as records ------------------------------------- */

static uint32_t frame_fn(const hs_profile *p, hs_goroutines *out, const hs_location *l,
                         uint32_t fn)
{
    if (fn != HS_NONE) {
        const char *name = hs_profile_str(p, p->functions[fn].name);
        return hs_strtab_intern(&out->strings, name, strlen(name));
    }
    char hex[24];
    int n = snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)l->address);
    return hs_strtab_intern(&out->strings, hex, (size_t)n);
}

static int add_location(const hs_profile *p, hs_goroutines *out, const hs_location *l)
{
    if (l->n_lines == 0) {
        hs_gr_frame f = {frame_fn(p, out, l, HS_NONE), 0, 0};
        return f.function == HS_STR_NONE ? -1 : hs_goroutines_add_frame(out, f);
    }
    for (uint32_t j = 0; j < l->n_lines; j++) {
        const hs_line *ln = &p->lines[l->line_start + j];
        const char *file = ln->function == HS_NONE
                               ? ""
                               : hs_profile_str(p, p->functions[ln->function].filename);
        hs_gr_frame f = {frame_fn(p, out, l, ln->function),
                         hs_strtab_intern(&out->strings, file, strlen(file)),
                         ln->line > 0 && ln->line <= UINT32_MAX ? (uint32_t)ln->line : 0};
        if (f.function == HS_STR_NONE || f.file == HS_STR_NONE ||
            hs_goroutines_add_frame(out, f))
            return -1;
    }
    return 0;
}

/* A sample's string labels in the goroutine model's canonical form. */
static uint32_t sample_labels(const hs_profile *p, const hs_sample *s, hs_goroutines *out)
{
    hs_gr_label pairs[32];
    uint32_t n = 0;
    for (uint32_t k = 0; k < s->n_labels && n < 32; k++) {
        const hs_label *l = &p->labels[s->label_start + k];
        if (!l->str) continue;
        const char *key = hs_profile_str(p, l->key), *v = hs_profile_str(p, l->str);
        pairs[n++] = (hs_gr_label){key, v, strlen(key), strlen(v)};
    }
    return hs_goroutines_labels(out, pairs, n);
}

int hs_gr_from_profile(const hs_profile *p, const char *file, hs_goroutines *out, hs_error *err)
{
    uint32_t t = hs_profile_find_sample_type(p, "goroutine");
    if (t == HS_NONE)
        return hs_error_set(err, file, HS_NO_OFFSET,
                            "not a goroutine profile (its sample type is '%s'; goroutines reads "
                            "goroutine dumps, tracebacks and goroutine profiles)",
                            p->n_sample_types ? hs_profile_str(p, p->sample_types[0].type) : "");
    hs_goroutines_init(out, "go-goroutine-profile");
    uint32_t unknown = hs_strtab_intern(&out->strings, "unknown", 7);
    for (uint32_t i = 0; i < p->n_samples; i++) {
        int64_t v = p->values[(uint64_t)i * p->n_sample_types + t];
        if (v <= 0) continue;
        hs_goroutine g = {.count = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v,
                          .state = unknown,
                          .wait_minutes = HS_GR_WAIT_UNKNOWN,
                          .created_by = {HS_STR_NONE, 0, 0}};
        const hs_sample *s = &p->samples[i];
        g.labels = sample_labels(p, s, out);
        if (unknown == HS_STR_NONE || g.labels == HS_STR_NONE || hs_goroutines_add(out, &g) == HS_NONE_GR)
            goto oom;
        for (uint32_t k = 0; k < s->n_stack; k++)
            if (add_location(p, out, &p->locations[p->stacks[s->stack_start + k]])) goto oom;
    }
    return 0;
oom:
    hs_goroutines_free(out);
    return hs_error_set(err, file, HS_NO_OFFSET, "out of memory");
}

/* ---- grouping -------------------------------------------------------- */

typedef struct gstate {
    uint32_t last_file, prev_wait_min;
} gstate;

typedef struct builder {
    hs_gr_report *r;
    const hs_gr_options *o;
    hs_strtab keys;
    char *key;
    size_t key_len, key_cap;
    uint32_t cap_groups, cap_frames;
    gstate *gs;
    uint32_t various;
} builder;

static int key_put(builder *b, const char *s, size_t n)
{
    if (b->key_len + n + 1 > b->key_cap) {
        size_t cap = (b->key_len + n + 1) * 2;
        char *k = realloc(b->key, cap);
        if (!k) return -1;
        b->key = k;
        b->key_cap = cap;
    }
    memcpy(b->key + b->key_len, s, n);
    b->key_len += n;
    b->key[b->key_len++] = '\x1f';
    return 0;
}

static int key_str(builder *b, const hs_goroutines *m, uint32_t id)
{
    const char *s = id == HS_STR_NONE ? "" : hs_gr_str(m, id);
    return key_put(b, s, strlen(s));
}

static int key_frame(builder *b, const hs_goroutines *m, hs_gr_frame f)
{
    char num[16];
    int n = snprintf(num, sizeof num, "%u", f.line);
    return key_str(b, m, f.function) || key_put(b, num, (size_t)n);
}

/* The first frame outside the runtime (else the first frame), or NULL. */
static const hs_gr_frame *user_frame(const hs_goroutines *m, const hs_goroutine *g)
{
    for (uint32_t i = 0; i < g->n_frames; i++)
        if (!hs_gr_is_runtime(hs_gr_str(m, m->frames[g->frame_start + i].function)))
            return &m->frames[g->frame_start + i];
    return g->n_frames ? &m->frames[g->frame_start] : NULL;
}

static int make_key(builder *b, const hs_goroutines *m, const hs_goroutine *g)
{
    b->key_len = 0;
    const hs_gr_frame *uf;
    switch (b->o->by) {
    case HS_GR_BY_STATE: return key_put(b, "S", 1) || key_str(b, m, g->state);
    case HS_GR_BY_FUNCTION:
        uf = user_frame(m, g);
        return key_put(b, "F", 1) || key_str(b, m, uf ? uf->function : HS_STR_NONE);
    case HS_GR_BY_CREATED_BY: return key_put(b, "C", 1) || key_str(b, m, g->created_by.function);
    case HS_GR_BY_STACK: break;
    }
    if (key_put(b, g->locked ? "L" : "U", 1) || key_str(b, m, g->state) ||
        key_str(b, m, g->labels) || key_frame(b, m, g->created_by))
        return -1;
    for (uint32_t i = 0; i < g->n_frames; i++)
        if (key_frame(b, m, m->frames[g->frame_start + i])) return -1;
    return 0;
}

static uint32_t report_str(builder *b, const hs_goroutines *m, uint32_t id)
{
    if (id == HS_STR_NONE) return HS_STR_NONE;
    const char *s = hs_gr_str(m, id);
    return hs_strtab_intern(&b->r->strings, s, strlen(s));
}

static int grow(void **arr, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap) return 0;
    uint32_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, (size_t)c * size);
    if (!p) return -1;
    *arr = p;
    *cap = c;
    return 0;
}

/* A new group, named after record g of m. */
static int new_group(builder *b, const hs_goroutines *m, const hs_goroutine *g)
{
    hs_gr_report *r = b->r;
    uint32_t cap = b->cap_groups;
    if (grow((void **)&r->groups, r->n_groups, &b->cap_groups, sizeof *r->groups)) return -1;
    if (cap != b->cap_groups) {
        gstate *gs = realloc(b->gs, (size_t)b->cap_groups * sizeof *gs);
        uint64_t *c = gs ? realloc(r->counts, (size_t)b->cap_groups * r->n_files * sizeof *c) : NULL;
        if (gs) b->gs = gs;
        if (!c) return -1;
        r->counts = c;
    }
    const hs_gr_frame *uf = user_frame(m, g);
    hs_gr_group *gr = &r->groups[r->n_groups];
    memset(gr, 0, sizeof *gr);
    gr->state = report_str(b, m, g->state);
    gr->function = uf ? report_str(b, m, uf->function) : hs_strtab_intern(&r->strings, "?", 1);
    gr->created_by = report_str(b, m, g->created_by.function);
    gr->labels = g->labels ? report_str(b, m, g->labels) : HS_STR_NONE;
    gr->locked = g->locked;
    gr->frame_start = r->n_frames;
    gr->n_frames = b->o->by == HS_GR_BY_STACK ? g->n_frames : 0; /* one stack per group only */
    gr->wait_min = gr->wait_max = HS_GR_WAIT_UNKNOWN;
    if (gr->state == HS_STR_NONE || gr->function == HS_STR_NONE) return -1;
    for (uint32_t i = 0; i < gr->n_frames; i++) {
        hs_gr_frame f = m->frames[g->frame_start + i];
        if (grow((void **)&r->frames, r->n_frames, &b->cap_frames, sizeof f)) return -1;
        f.function = report_str(b, m, f.function);
        f.file = report_str(b, m, f.file);
        if (f.function == HS_STR_NONE || f.file == HS_STR_NONE) return -1;
        r->frames[r->n_frames++] = f;
    }
    memset(&r->counts[(uint64_t)r->n_groups * r->n_files], 0, r->n_files * sizeof *r->counts);
    b->gs[r->n_groups] = (gstate){UINT32_MAX, HS_GR_WAIT_UNKNOWN};
    r->n_groups++;
    return 0;
}

/* A group whose records differ in a name shows "(various)" (or no creator). */
static int merge_names(builder *b, hs_gr_group *gr, const hs_goroutines *m, const hs_goroutine *g)
{
    if (b->o->by == HS_GR_BY_STACK) return 0;
    uint32_t st = report_str(b, m, g->state);
    if (st == HS_STR_NONE) return -1;
    if (b->o->by != HS_GR_BY_STATE && st != gr->state) gr->state = b->various;
    if (b->o->by != HS_GR_BY_FUNCTION) {
        const hs_gr_frame *uf = user_frame(m, g);
        uint32_t fn = uf ? report_str(b, m, uf->function) : gr->function;
        if (fn != gr->function) gr->function = b->various;
    }
    if (b->o->by != HS_GR_BY_CREATED_BY &&
        report_str(b, m, g->created_by.function) != gr->created_by)
        gr->created_by = HS_STR_NONE;
    uint32_t lab = g->labels ? report_str(b, m, g->labels) : HS_STR_NONE;
    if (lab != gr->labels) gr->labels = b->various;
    return 0;
}

static void add_wait(builder *b, uint32_t gi, uint32_t file, uint32_t wait)
{
    hs_gr_group *gr = &b->r->groups[gi];
    gstate *s = &b->gs[gi];
    if (s->last_file != file) {
        if (s->last_file != UINT32_MAX) s->prev_wait_min = gr->wait_min;
        s->last_file = file;
        gr->wait_min = wait;
        gr->wait_max = wait == HS_GR_WAIT_UNKNOWN ? wait : 0;
    }
    if (wait == HS_GR_WAIT_UNKNOWN || gr->wait_min == HS_GR_WAIT_UNKNOWN) return;
    if (wait < gr->wait_min) gr->wait_min = wait;
    if (wait > gr->wait_max) gr->wait_max = wait;
}

static int add_snapshot(builder *b, const hs_goroutines *m, uint32_t file)
{
    hs_gr_report *r = b->r;
    for (uint32_t i = 0; i < m->n; i++) {
        const hs_goroutine *g = &m->g[i];
        if (make_key(b, m, g)) return -1;
        uint32_t id = hs_strtab_intern(&b->keys, b->key, b->key_len);
        if (id == HS_STR_NONE) return -1;
        uint32_t gi = id - 1; /* id 0 is "", and no key is empty */
        if (gi == r->n_groups && new_group(b, m, g)) return -1;
        r->record_group[r->record_start[file] + i] = gi;
        if (merge_names(b, &r->groups[gi], m, g)) return -1;
        r->counts[(uint64_t)gi * r->n_files + file] += g->count;
        r->totals[file] += g->count;
        add_wait(b, gi, file, g->wait_minutes);
    }
    return 0;
}

/* ---- classes, suspects, order ------------------------------------------ */

static void classify(builder *b, uint32_t gi)
{
    hs_gr_report *r = b->r;
    hs_gr_group *g = &r->groups[gi];
    const uint64_t *c = &r->counts[(uint64_t)gi * r->n_files];
    uint32_t n = r->n_files;
    /* Growth at every step from the first snapshot the group is in, over
     * one step at least: one goroutine appearing is not growth. */
    uint32_t first = 0;
    while (first < n && c[first] == 0)
        first++;
    int every = first + 1 < n;
    for (uint32_t i = first + 1; i < n; i++)
        every &= c[i] > c[i - 1];
    g->cls = c[0] == 0          ? HS_GR_NEW
             : every            ? HS_GR_GROWS
             : c[n - 1] == 0    ? HS_GR_GONE
             : c[n - 1] < c[0]  ? HS_GR_SHRINKS
             : c[n - 1] > c[0]  ? HS_GR_GROWS
                                : HS_GR_STEADY;
    if (every) {
        g->why = HS_GR_GROWS_EVERY_STEP;
        return;
    }
    /* Stuck: blocked for --stuck in the last snapshot, and (with an earlier
     * snapshot of the group) still waiting since then: a pool's workers
     * come back to their wait, so its least wait does not keep growing. */
    const char *state = hs_strtab_get(&r->strings, g->state);
    const gstate *s = &b->gs[gi];
    if (b->o->stuck_minutes && c[n - 1] > 0 && g->wait_min != HS_GR_WAIT_UNKNOWN &&
        hs_gr_is_blocked(state) && g->wait_min >= b->o->stuck_minutes &&
        (s->prev_wait_min == HS_GR_WAIT_UNKNOWN || g->wait_min > s->prev_wait_min))
        g->why = HS_GR_STUCK;
}

typedef struct order_key {
    uint32_t group;
    uint64_t last;
    int suspect;
} order_key;

static int cmp_order(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->suspect != y->suspect) return y->suspect - x->suspect;
    if (x->last != y->last) return x->last < y->last ? 1 : -1;
    return x->group < y->group ? -1 : x->group > y->group;
}

/* Groups and their count rows in report order, records' groups renamed. */
static int reorder(hs_gr_report *r)
{
    uint32_t n = r->n_groups, nf = r->n_files;
    order_key *k = malloc((size_t)(n ? n : 1) * sizeof *k);
    hs_gr_group *g = malloc((size_t)(n ? n : 1) * sizeof *g);
    uint64_t *c = malloc((size_t)(n ? n : 1) * nf * sizeof *c);
    if (!k || !g || !c) {
        free(k), free(g), free(c);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        k[i] = (order_key){i, r->counts[(uint64_t)i * nf + nf - 1], r->groups[i].why != 0};
    qsort(k, n, sizeof *k, cmp_order);
    r->n_suspects = 0;
    for (uint32_t i = 0; i < n; i++) {
        g[i] = r->groups[k[i].group];
        memcpy(&c[(uint64_t)i * nf], &r->counts[(uint64_t)k[i].group * nf], nf * sizeof *c);
        r->n_suspects += k[i].suspect;
    }
    uint32_t *perm = malloc((size_t)(n ? n : 1) * sizeof *perm);
    if (!perm) {
        free(k), free(g), free(c);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        perm[k[i].group] = i;
    for (uint64_t j = 0; j < r->record_start[nf]; j++)
        r->record_group[j] = perm[r->record_group[j]];
    free(perm);
    free(r->groups), free(r->counts), free(k);
    r->groups = g;
    r->counts = c;
    return 0;
}

int hs_gr_report_build(const hs_goroutines *const *snaps, uint32_t n, const hs_gr_options *o,
                       hs_gr_report *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    hs_strtab_init(&out->strings);
    out->n_files = n;
    out->by = o->by;
    builder b = {.r = out, .o = o};
    hs_strtab_init(&b.keys);
    b.various = hs_strtab_intern(&out->strings, "(various)", 9);
    out->totals = calloc(n ? n : 1, sizeof *out->totals);
    out->record_start = calloc((size_t)n + 1, sizeof *out->record_start);
    for (uint32_t f = 0; out->record_start && f < n; f++)
        out->record_start[f + 1] = out->record_start[f] + snaps[f]->n;
    out->record_group = out->record_start
                            ? malloc((size_t)(out->record_start[n] ? out->record_start[n] : 1) *
                                     sizeof *out->record_group)
                            : NULL;
    int rc = !out->totals || !out->record_group || b.various == HS_STR_NONE ? -1 : 0;
    for (uint32_t f = 0; f < n && !rc; f++)
        rc = add_snapshot(&b, snaps[f], f);
    for (uint32_t i = 0; i < out->n_groups && !rc; i++)
        classify(&b, i);
    if (!rc) rc = reorder(out);
    hs_strtab_free(&b.keys);
    free(b.key);
    free(b.gs);
    if (rc) {
        hs_gr_report_free(out);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    }
    return 0;
}

void hs_gr_report_free(hs_gr_report *r)
{
    hs_strtab_free(&r->strings);
    free(r->groups);
    free(r->frames);
    free(r->counts);
    free(r->totals);
    free(r->record_group);
    free(r->record_start);
    free(r->retained);
    memset(r, 0, sizeof *r);
}
