/* Profile model storage: growable arrays of plain structs, one string
 * table, and builders that append. Indices handed out never change, so a
 * reader can refer to earlier entries while it is still adding. */
#include "heapscan/profile.h"

#include <stdlib.h>

#include "model/mem.h"
#include <string.h>

static int reserve(void **arr, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap) return 0;
    if (need >= UINT32_MAX) return -1;
    uint64_t ncap = *cap ? *cap : 64;
    while (ncap < need) ncap *= 2;
    if (ncap >= UINT32_MAX) ncap = UINT32_MAX - 1;
    void *n = realloc(*arr, (size_t)ncap * elem);
    if (!n) return -1;
    hs_mem_hint_huge(n, (size_t)ncap * elem);
    *arr = n;
    *cap = (uint32_t)ncap;
    return 0;
}
#define RESERVE(arr, cap, need) reserve((void **)&(arr), &(cap), (need), sizeof *(arr))

void hs_profile_init(hs_profile *p)
{
    memset(p, 0, sizeof *p);
    hs_strtab_init(&p->strings);
    strcpy(p->format, "pprof");
}

void hs_profile_free(hs_profile *p)
{
    hs_strtab_free(&p->strings);
    free(p->sample_types);
    free(p->comments);
    free(p->mappings);
    free(p->functions);
    free(p->locations);
    free(p->lines);
    free(p->samples);
    free(p->values);
    free(p->stacks);
    free(p->labels);
    memset(p, 0, sizeof *p);
}

uint32_t hs_profile_intern(hs_profile *p, const char *s)
{
    return hs_strtab_intern(&p->strings, s, strlen(s));
}

int hs_profile_set_sample_types(hs_profile *p, const hs_value_type *types, uint32_t n)
{
    hs_value_type *t = malloc((n ? n : 1) * sizeof *t);
    if (!t) return -1;
    if (n) memcpy(t, types, n * sizeof *t);
    free(p->sample_types);
    p->sample_types = t;
    p->n_sample_types = n;
    return 0;
}

uint32_t hs_profile_add_mapping(hs_profile *p, const hs_mapping *m)
{
    if (RESERVE(p->mappings, p->cap_mappings, (uint64_t)p->n_mappings + 1)) return HS_NONE;
    p->mappings[p->n_mappings] = *m;
    return p->n_mappings++;
}

uint32_t hs_profile_add_function(hs_profile *p, const hs_function *f)
{
    if (RESERVE(p->functions, p->cap_functions, (uint64_t)p->n_functions + 1)) return HS_NONE;
    p->functions[p->n_functions] = *f;
    return p->n_functions++;
}

uint32_t hs_profile_add_location(hs_profile *p, uint64_t id, uint64_t address, uint32_t mapping,
                                 const uint32_t *functions, const int64_t *line_numbers,
                                 uint32_t n)
{
    if (RESERVE(p->locations, p->cap_locations, (uint64_t)p->n_locations + 1) ||
        RESERVE(p->lines, p->cap_lines, (uint64_t)p->n_lines + n))
        return HS_NONE;
    hs_location *l = &p->locations[p->n_locations];
    memset(l, 0, sizeof *l);
    l->id = id;
    l->address = address;
    l->mapping = mapping;
    l->line_start = p->n_lines;
    l->n_lines = n;
    for (uint32_t i = 0; i < n; i++) {
        hs_line *ln = &p->lines[p->n_lines++];
        ln->function = functions[i];
        ln->line = line_numbers ? line_numbers[i] : 0;
        ln->column = 0;
    }
    return p->n_locations++;
}

uint32_t hs_profile_add_sample(hs_profile *p, const int64_t *values, const uint32_t *locs,
                               uint32_t n_locs, const hs_label *labels, uint32_t n_labels)
{
    uint32_t old_cap = p->cap_samples;
    if (RESERVE(p->samples, p->cap_samples, (uint64_t)p->n_samples + 1)) return HS_NONE;
    if (p->cap_samples != old_cap) {
        uint64_t nt = p->n_sample_types ? p->n_sample_types : 1;
        int64_t *v = realloc(p->values, (size_t)p->cap_samples * nt * sizeof *v);
        if (!v) return HS_NONE;
        p->values = v;
    }
    if (RESERVE(p->stacks, p->cap_stacks, (uint64_t)p->n_stacks + n_locs) ||
        RESERVE(p->labels, p->cap_labels, (uint64_t)p->n_labels_total + n_labels))
        return HS_NONE;
    hs_sample *s = &p->samples[p->n_samples];
    s->stack_start = p->n_stacks;
    s->n_stack = n_locs;
    s->label_start = p->n_labels_total;
    s->n_labels = n_labels;
    if (n_locs) memcpy(p->stacks + p->n_stacks, locs, n_locs * sizeof *locs);
    p->n_stacks += n_locs;
    if (n_labels) memcpy(p->labels + p->n_labels_total, labels, n_labels * sizeof *labels);
    p->n_labels_total += n_labels;
    if (p->n_sample_types)
        memcpy(p->values + (size_t)p->n_samples * p->n_sample_types, values,
               p->n_sample_types * sizeof *values);
    return p->n_samples++;
}

/* Like reserve() but grows to exactly `need` first (no minimum of 64), so a
 * reader can size from counts it has proven; later growth doubles. */
static int reserve_exact(void **arr, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap) return 0;
    if (need >= UINT32_MAX) return -1;
    uint64_t ncap = *cap ? (uint64_t)*cap * 2 : need;
    if (ncap < need) ncap = need;
    if (ncap >= UINT32_MAX) ncap = UINT32_MAX - 1;
    void *n = realloc(*arr, (size_t)ncap * elem);
    if (!n) return -1;
    hs_mem_hint_huge(n, (size_t)ncap * elem);
    *arr = n;
    *cap = (uint32_t)ncap;
    return 0;
}

int hs_profile_reserve(hs_profile *p, uint64_t samples, uint64_t stacks, uint64_t labels,
                       uint64_t locations, uint64_t lines)
{
    uint32_t old_cap = p->cap_samples;
    if (reserve_exact((void **)&p->samples, &p->cap_samples, p->n_samples + samples,
                      sizeof *p->samples))
        return -1;
    if (p->cap_samples != old_cap) {
        uint64_t nt = p->n_sample_types ? p->n_sample_types : 1;
        int64_t *v = realloc(p->values, (size_t)p->cap_samples * nt * sizeof *v);
        if (!v) return -1;
        hs_mem_hint_huge(v, (size_t)p->cap_samples * nt * sizeof *v);
        p->values = v;
    }
    if (RESERVE(p->stacks, p->cap_stacks, p->n_stacks + stacks) ||
        RESERVE(p->labels, p->cap_labels, p->n_labels_total + labels) ||
        reserve_exact((void **)&p->locations, &p->cap_locations, p->n_locations + locations,
                      sizeof *p->locations) ||
        RESERVE(p->lines, p->cap_lines, p->n_lines + lines))
        return -1;
    return 0;
}

int hs_profile_reserve_stack_span(hs_profile *p, uint64_t n, int huge)
{
    if (n <= p->cap_stacks) return 0;
    if (n >= UINT32_MAX) return -1;
    uint32_t *s = realloc(p->stacks, (size_t)n * sizeof *s);
    if (!s) return -1;
    if (huge) hs_mem_hint_huge(s, (size_t)n * sizeof *s);
    p->stacks = s;
    p->cap_stacks = (uint32_t)n;
    return 0;
}

uint32_t hs_profile_find_sample_type(const hs_profile *p, const char *name)
{
    for (uint32_t i = 0; i < p->n_sample_types; i++)
        if (strcmp(hs_profile_str(p, p->sample_types[i].type), name) == 0) return i;
    return HS_NONE;
}

uint32_t hs_profile_default_sample_type(const hs_profile *p)
{
    if (p->n_sample_types == 0) return HS_NONE;
    if (p->default_sample_type) {
        uint32_t i = hs_profile_find_sample_type(p, hs_profile_str(p, p->default_sample_type));
        if (i != HS_NONE) return i;
    }
    return p->n_sample_types - 1;
}
