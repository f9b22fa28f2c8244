/* Shared checks for the libFuzzer targets: what a reader hands back must be
 * safe for every later layer. A failed load must leave a one-line message
 * naming the input; a successful load must give a model whose every index
 * is in range (so analysis never reads out of bounds). Any violation is
 * reported on stderr and abort()s, which libFuzzer records as a crash. */
#ifndef HEAPSCAN_FUZZ_COMMON_H
#define HEAPSCAN_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapscan/reader.h"

#define HS_FUZZ_NAME "fuzz-input"
#define HS_FUZZ_THREADS 3u

#define HS_FUZZ_REQUIRE(cond, what)                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", what, __FILE__, __LINE__); \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* Decompression capped at 128 MiB (the largest seed, a gzip'd core, is
 * 106 MB), so a 1 MiB bomb neither hits libFuzzer's RSS limit nor spends
 * the 10 s timeout inflating (ASan decompresses ~80 MB/s); the library reads
 * no environment: the cap is an option. */
#define HS_FUZZ_SOURCE_OPTIONS \
    {.max_memory = (uint64_t)128 << 20, .max_unpack = (uint64_t)128 << 20}

static inline void hs_fuzz_setup(void)
{
}

/* Options from the environment, so a run can pin where a core's files come from. */
static inline hs_load_options hs_fuzz_options(void)
{
    hs_load_options o;
    memset(&o, 0, sizeof o);
    o.binary = getenv("HEAPSCAN_FUZZ_BINARY");
    o.sysroot = getenv("HEAPSCAN_FUZZ_SYSROOT");
    o.debug_dir = getenv("HEAPSCAN_FUZZ_DEBUG_DIR");
    o.source = (hs_source_options)HS_FUZZ_SOURCE_OPTIONS;
    /* Profiles of more than 64 samples are decoded in up to 3 parts on
     * threads, so the split and the merge of parts are fuzzed too. */
    o.threads = HS_FUZZ_THREADS;
    return o;
}

static inline void hs_fuzz_check_error(const hs_error *e, const char *name)
{
    HS_FUZZ_REQUIRE(strcmp(e->file, name) == 0, "error names the input file");
    HS_FUZZ_REQUIRE(e->msg[0] != '\0', "error has a message");
    HS_FUZZ_REQUIRE(strchr(e->msg, '\n') == NULL, "error message is one line");
    char buf[1200];
    hs_error_format(e, buf, sizeof buf);
}

static inline int hs_fuzz_str_ok(const hs_strtab *t, uint32_t id)
{
    return id < t->n && strlen(hs_strtab_get(t, id)) < ((size_t)1 << 40);
}

static inline int hs_fuzz_run_ok(uint64_t start, uint64_t n, uint64_t total)
{
    return start <= total && n <= total - start;
}

static inline void hs_fuzz_check_profile(const hs_profile *p)
{
    const hs_strtab *st = &p->strings;
    for (uint32_t i = 0; i < p->n_sample_types; i++)
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, p->sample_types[i].type) &&
                            hs_fuzz_str_ok(st, p->sample_types[i].unit),
                        "sample type strings in range");
    HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, p->period_type.type) &&
                        hs_fuzz_str_ok(st, p->period_type.unit),
                    "period type strings in range");
    for (uint32_t i = 0; i < p->n_comments; i++)
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, p->comments[i]), "comment strings in range");
    for (uint32_t i = 0; i < p->n_mappings; i++)
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, p->mappings[i].filename) &&
                            hs_fuzz_str_ok(st, p->mappings[i].build_id),
                        "mapping strings in range");
    for (uint32_t i = 0; i < p->n_functions; i++) {
        const hs_function *f = &p->functions[i];
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, f->name) && hs_fuzz_str_ok(st, f->system_name) &&
                            hs_fuzz_str_ok(st, f->filename),
                        "function strings in range");
    }
    for (uint32_t i = 0; i < p->n_lines; i++)
        HS_FUZZ_REQUIRE(p->lines[i].function == HS_NONE || p->lines[i].function < p->n_functions,
                        "line's function in range");
    for (uint32_t i = 0; i < p->n_locations; i++) {
        const hs_location *l = &p->locations[i];
        HS_FUZZ_REQUIRE(l->mapping == HS_NONE || l->mapping < p->n_mappings,
                        "location's mapping in range");
        HS_FUZZ_REQUIRE(hs_fuzz_run_ok(l->line_start, l->n_lines, p->n_lines),
                        "location's lines in range");
    }
    HS_FUZZ_REQUIRE(p->n_samples == 0 || p->n_sample_types == 0 || p->values != NULL,
                    "sample values present");
    int64_t sum = 0;
    for (uint32_t i = 0; i < p->n_samples; i++) {
        const hs_sample *s = &p->samples[i];
        HS_FUZZ_REQUIRE(hs_fuzz_run_ok(s->stack_start, s->n_stack, p->n_stacks),
                        "sample's stack in range");
        HS_FUZZ_REQUIRE(hs_fuzz_run_ok(s->label_start, s->n_labels, p->n_labels_total),
                        "sample's labels in range");
        for (uint32_t k = 0; k < s->n_stack; k++)
            HS_FUZZ_REQUIRE(p->stacks[s->stack_start + k] < p->n_locations,
                            "stack entry is a location");
        for (uint32_t k = 0; k < s->n_labels; k++) {
            const hs_label *lb = &p->labels[s->label_start + k];
            HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, lb->key) && hs_fuzz_str_ok(st, lb->str) &&
                                hs_fuzz_str_ok(st, lb->num_unit),
                            "label strings in range");
        }
        for (uint32_t t = 0; t < p->n_sample_types; t++)
            sum ^= p->values[(size_t)i * p->n_sample_types + t]; /* touch every value */
    }
    (void)sum;
    uint32_t d = hs_profile_default_sample_type(p);
    HS_FUZZ_REQUIRE(p->n_sample_types == 0 || d < p->n_sample_types,
                    "default sample type in range");
}

/* A profile decoded in parts must equal the one decoded serially: same
 * samples, values, stack runs' entries and labels (string ids are shared). */
static inline void hs_fuzz_same_profile(const hs_profile *a, const hs_profile *b)
{
    HS_FUZZ_REQUIRE(a->n_samples == b->n_samples && a->n_sample_types == b->n_sample_types &&
                        a->n_locations == b->n_locations && a->n_labels_total == b->n_labels_total,
                    "parts: same counts as serial");
    size_t nv = (size_t)a->n_samples * a->n_sample_types;
    HS_FUZZ_REQUIRE(nv == 0 || memcmp(a->values, b->values, nv * sizeof *a->values) == 0,
                    "parts: same values as serial");
    for (uint32_t i = 0; i < a->n_samples; i++) {
        const hs_sample *sa = &a->samples[i], *sb = &b->samples[i];
        HS_FUZZ_REQUIRE(sa->n_stack == sb->n_stack && sa->n_labels == sb->n_labels,
                        "parts: same run lengths as serial");
        for (uint32_t k = 0; k < sa->n_stack; k++)
            HS_FUZZ_REQUIRE(a->stacks[sa->stack_start + k] == b->stacks[sb->stack_start + k],
                            "parts: same stacks as serial");
        for (uint32_t k = 0; k < sa->n_labels; k++) {
            const hs_label *la = &a->labels[sa->label_start + k], *lb = &b->labels[sb->label_start + k];
            HS_FUZZ_REQUIRE(la->key == lb->key && la->str == lb->str && la->num == lb->num &&
                                la->num_unit == lb->num_unit,
                            "parts: same labels as serial");
        }
    }
}

static inline void hs_fuzz_same_error(const hs_error *a, const hs_error *b)
{
    HS_FUZZ_REQUIRE(a->offset == b->offset && strcmp(a->msg, b->msg) == 0,
                    "parts: same error as serial");
}

static inline void hs_fuzz_check_heap(const hs_heap *h)
{
    const hs_strtab *st = &h->strings;
    HS_FUZZ_REQUIRE(h->edge_start != NULL && h->root_edge_start != NULL,
                    "heap finished (reference rows built)");
    for (uint32_t i = 0; i < h->n_objects; i++) {
        HS_FUZZ_REQUIRE(hs_heap_size(h, i) <= UINT64_MAX - hs_heap_addr(h, i), "object end does not wrap");
        if (i + 1 < h->n_objects)
            HS_FUZZ_REQUIRE(hs_heap_addr(h, i) + hs_heap_size(h, i) <= hs_heap_addr(h, i + 1) &&
                                hs_heap_addr(h, i) < hs_heap_addr(h, i + 1),
                            "objects sorted and disjoint");
        HS_FUZZ_REQUIRE(hs_heap_type(h, i) == HS_NONE || hs_heap_type(h, i) < h->n_types,
                        "object type in range");
        HS_FUZZ_REQUIRE(hs_heap_site(h, i) == HS_NONE || hs_heap_site(h, i) < h->n_sites,
                        "object site in range");
        HS_FUZZ_REQUIRE(h->edge_start[i] <= h->edge_start[i + 1], "edge rows ascending");
    }
    HS_FUZZ_REQUIRE(h->edge_start[0] == 0 && h->edge_start[h->n_objects] == h->n_edges,
                    "edge rows cover all edges");
    for (uint32_t e = 0; e < h->n_edges; e++)
        HS_FUZZ_REQUIRE(h->edge_target[e] < h->n_objects, "edge target is an object");
    for (uint32_t r = 0; r < h->n_roots; r++) {
        HS_FUZZ_REQUIRE(h->root_kind[r] <= HS_ROOT_OTHER, "root kind known");
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, h->root_label[r]), "root label in range");
        HS_FUZZ_REQUIRE(h->root_edge_start[r] <= h->root_edge_start[r + 1], "root rows ascending");
    }
    HS_FUZZ_REQUIRE(h->root_edge_start[0] == 0 && h->root_edge_start[h->n_roots] == h->n_root_edges,
                    "root rows cover all root edges");
    for (uint32_t e = 0; e < h->n_root_edges; e++)
        HS_FUZZ_REQUIRE(h->root_edge_target[e] < h->n_objects, "root edge target is an object");
    for (uint32_t t = 0; t < h->n_types; t++)
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, h->type_name[t]), "type name in range");
    if (h->n_sites) {
        HS_FUZZ_REQUIRE(h->site_start != NULL && h->site_start[0] == 0, "site rows start at 0");
        for (uint32_t s = 0; s < h->n_sites; s++)
            HS_FUZZ_REQUIRE(h->site_start[s] <= h->site_start[s + 1] &&
                                h->site_start[s + 1] <= h->n_site_frames,
                            "site rows in range");
        for (uint32_t f = 0; f < h->site_start[h->n_sites]; f++)
            HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, h->site_frames[f]), "site frame strings in range");
    }
    for (uint32_t i = 0; i < h->n_info; i++)
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(st, h->info[i].key) && hs_fuzz_str_ok(st, h->info[i].value),
                        "info strings in range");
}

#endif
