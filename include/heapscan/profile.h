/* heapscan profile model: sampled stacks, as pprof keeps them.
 * Built once by a reader, then read-only. Everything refers to everything
 * else by dense 32-bit index into the arrays below (not by the file's ids);
 * strings are ids into one string table. A sample's stack is a run of
 * location indices in `stacks`, leaf (innermost) first; a location's lines
 * are a run in `lines`, innermost inlined frame first. Runs need not be
 * adjacent: entries outside every sample's run are unused. Every run,
 * empty ones too, lies within [0, n_stacks]. */
#ifndef HEAPSCAN_PROFILE_H
#define HEAPSCAN_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "heapscan/error.h"
#include "heapscan/strtab.h"

#define HS_NONE UINT32_MAX

typedef struct hs_value_type {
    uint32_t type, unit; /* string ids */
} hs_value_type;

typedef struct hs_mapping {
    uint64_t id, start, limit, offset;
    uint32_t filename, build_id; /* string ids */
    uint8_t has_functions, has_filenames, has_line_numbers, has_inline_frames;
} hs_mapping;

typedef struct hs_function {
    uint64_t id;
    uint32_t name, system_name, filename; /* string ids */
    int64_t start_line;
} hs_function;

typedef struct hs_line {
    uint32_t function; /* index into functions, or HS_NONE */
    int64_t line, column;
} hs_line;

typedef struct hs_location {
    uint64_t id, address;
    uint32_t mapping; /* index into mappings, or HS_NONE */
    uint32_t line_start, n_lines;
    uint8_t is_folded;
} hs_location;

typedef struct hs_label {
    uint32_t key, str; /* string ids; str == 0 means a numeric label */
    int64_t num;
    uint32_t num_unit;
} hs_label;

typedef struct hs_sample {
    uint32_t stack_start, n_stack; /* run in stacks[] */
    uint32_t label_start, n_labels; /* run in labels[] */
} hs_sample;

typedef struct hs_profile {
    char format[32]; /* "pprof", ... */
    /* Threads the loader and the analyses of this profile may use
     * (hs_load_options.threads; 0 = one per CPU, at most 4). */
    unsigned threads;
    hs_strtab strings;
    hs_value_type *sample_types;
    uint32_t n_sample_types;
    hs_value_type period_type;
    int64_t period, time_nanos, duration_nanos;
    uint32_t default_sample_type, drop_frames, keep_frames, doc_url; /* string ids, 0 = unset */
    uint32_t *comments; /* string ids */
    uint32_t n_comments;

    hs_mapping *mappings;
    uint32_t n_mappings, cap_mappings;
    hs_function *functions;
    uint32_t n_functions, cap_functions;
    hs_location *locations;
    uint32_t n_locations, cap_locations;
    hs_line *lines;
    uint32_t n_lines, cap_lines;

    hs_sample *samples;
    uint32_t n_samples, cap_samples;
    int64_t *values; /* n_samples * n_sample_types, row per sample */
    uint32_t *stacks; /* location indices */
    uint32_t n_stacks, cap_stacks;
    hs_label *labels;
    uint32_t n_labels_total, cap_labels;
} hs_profile;

void hs_profile_init(hs_profile *p);
void hs_profile_free(hs_profile *p);
static inline const char *hs_profile_str(const hs_profile *p, uint32_t id)
{
    return hs_strtab_get(&p->strings, id);
}
uint32_t hs_profile_intern(hs_profile *p, const char *s);

/* Builders (used by readers and tests). Each returns the new index, or
 * HS_NONE when out of memory. Sample types must be set before samples. */
int hs_profile_set_sample_types(hs_profile *p, const hs_value_type *types, uint32_t n);
uint32_t hs_profile_add_mapping(hs_profile *p, const hs_mapping *m);
uint32_t hs_profile_add_function(hs_profile *p, const hs_function *f);
/* A location with n lines; functions[i]/line_numbers[i] innermost first. */
uint32_t hs_profile_add_location(hs_profile *p, uint64_t id, uint64_t address, uint32_t mapping,
                                 const uint32_t *functions, const int64_t *line_numbers,
                                 uint32_t n);
/* values has n_sample_types entries; locs leaf first. */
uint32_t hs_profile_add_sample(hs_profile *p, const int64_t *values, const uint32_t *locs,
                               uint32_t n_locs, const hs_label *labels, uint32_t n_labels);

/* Room for at least this many more samples (and their value rows), stack
 * entries, labels, locations and lines; 0 = none of that kind. Sample types
 * must be set first. Returns -1 when out of memory. */
int hs_profile_reserve(hs_profile *p, uint64_t samples, uint64_t stacks, uint64_t labels,
                       uint64_t locations, uint64_t lines);

/* Room for stack entries [0, n) in all, for a reader whose parts write runs
 * at fixed places with unused entries between them. Huge pages only when
 * `huge`: a huge page that a run only partly fills is resident in full. */
int hs_profile_reserve_stack_span(hs_profile *p, uint64_t n, int huge);

/* Index of the sample type named name, or HS_NONE. */
uint32_t hs_profile_find_sample_type(const hs_profile *p, const char *name);
/* default_sample_type if set and present, else the last type. */
uint32_t hs_profile_default_sample_type(const hs_profile *p);

#endif
