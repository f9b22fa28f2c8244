/* heapscan analysis of profiles: aggregation into entries (flat/cum, as
 * `go tool pprof` computes them), diff of two aggregations, --fail-if gates,
 * and the call graph behind `heapscan graph`.
 * Everything here is a pure function of a read-only hs_profile; results own
 * their memory (names are copied) and outlive the profile. Entry names are
 * unique within one result: an entry IS its printable name, so two results
 * can be matched by name. */
#ifndef HEAPSCAN_ANALYSIS_H
#define HEAPSCAN_ANALYSIS_H

#include <stdint.h>

#include "heapscan/error.h"
#include "heapscan/profile.h"
#include "heapscan/strtab.h"

/* What an entry is keyed by (pprof's granularity). */
typedef enum hs_agg_by {
    HS_BY_FUNCTION = 0, /* "main.leak" */
    HS_BY_FILE,         /* "/src/main.go" */
    HS_BY_LINE,         /* "main.leak /src/main.go:42" */
    HS_BY_ADDRESS,      /* "0000000000456789 main.leak /src/main.go:42" */
} hs_agg_by;

typedef enum hs_agg_order { HS_SORT_FLAT = 0, HS_SORT_CUM } hs_agg_order;

/* Parse "function|file|line|address" / "flat|cum"; 0 ok, -1 unknown. */
int hs_agg_parse_by(const char *s, hs_agg_by *out);
int hs_agg_parse_order(const char *s, hs_agg_order *out);

/* Sample filters. A sample is kept when (no focus or one of its frames
 * matches focus) and none of its frames matches ignore and it carries every
 * tag. A frame matches when the regex (POSIX extended, unanchored) matches
 * its function name, its file name, or its location's mapping file, as pprof
 * does. A tag "KEY=VALUE" matches a string label KEY equal to VALUE, or a
 * numeric label KEY whose number equals VALUE (an integer). */
typedef struct hs_agg_filter {
    const char *focus;  /* NULL = no focus */
    const char *ignore; /* NULL = nothing ignored */
    const char *const *tags;
    uint32_t n_tags;
} hs_agg_filter;

typedef struct hs_agg_entry {
    const char *name; /* points into hs_agg.names; valid while the hs_agg lives */
    int64_t flat, cum;
    uint32_t id;     /* the name's id in hs_agg.names */
    uint8_t inlined; /* pprof's mark: 0 none, HS_AGG_INLINE, HS_AGG_PARTIAL_INLINE;
                        set by hs_agg_mark_inline */
} hs_agg_entry;

enum { HS_AGG_INLINE = 1, HS_AGG_PARTIAL_INLINE = 2 };

/* The aggregation of one profile for one sample index. */
typedef struct hs_agg {
    hs_strtab names;       /* entry names (id 0 = "") */
    hs_agg_entry *entries; /* entries with flat or cum nonzero, in the order of hs_agg_sort */
    uint32_t n_entries;
    int64_t total;         /* pprof's total: sum of |value| over ALL samples, before filters */
    int64_t kept_total;    /* sum of value over the samples the filters kept */
    uint64_t n_samples_kept;
    char sample_type[128], unit[64];
} hs_agg;

/* Aggregate p for sample type sample_index, keyed by `by`, filtered by f
 * (NULL = keep all). Entries come out sorted by flat, with no inline marks.
 * Returns 0, or -1 with err (a bad regex or tag, out of memory). */
int hs_agg_build(const hs_profile *p, uint32_t sample_index, hs_agg_by by,
                 const hs_agg_filter *f, hs_agg *out, hs_error *err);
/* pprof's "(inline)" / "(partial-inline)" marks of the first n_rows entries
 * in their current order (UINT32_MAX = all), for an hs_agg built from the
 * same p, sample_index, by and f. A separate pass, because the marks cost
 * a call-graph edge table and only the rows a report shows need them. */
int hs_agg_mark_inline(hs_agg *a, const hs_profile *p, uint32_t sample_index, hs_agg_by by,
                       const hs_agg_filter *f, uint32_t n_rows, hs_error *err);
/* Re-sort entries: flat = |flat| desc, name asc, |cum| desc (pprof's
 * FlatNameOrder); cum = |cum| desc, name asc, |flat| desc (CumNameOrder). */
void hs_agg_sort(hs_agg *a, hs_agg_order order);
void hs_agg_free(hs_agg *a);
/* pprof's total of one sample type: sum of |value| over all samples. */
int64_t hs_agg_total(const hs_profile *p, uint32_t sample_index);

/* ---- diff ---- */

enum { HS_DIFF_BOTH = 0, HS_DIFF_NEW = 1, HS_DIFF_VANISHED = 2 };

typedef struct hs_diff_row {
    const char *name; /* points into hs_diff.names */
    int64_t flat_before, flat_after, cum_before, cum_after;
    uint8_t status; /* HS_DIFF_* */
} hs_diff_row;

static inline int64_t hs_diff_flat_delta(const hs_diff_row *r) { return r->flat_after - r->flat_before; }
static inline int64_t hs_diff_cum_delta(const hs_diff_row *r) { return r->cum_after - r->cum_before; }

/* Entries of two aggregations matched by name, one row per name in either
 * side. Rows are sorted by |delta| of the sort column desc, then changed
 * before unchanged, then name; so rows[0 .. n_changed) are the entries whose
 * flat or cum changed (the ones to show: unchanged entries cancel, as in
 * pprof -diff_base), and the rest only matter to level gates. */
typedef struct hs_diff {
    hs_strtab names;
    hs_diff_row *rows;
    uint32_t n_rows, n_changed;
    int64_t total_before, total_after;
    uint32_t n_new, n_vanished;
} hs_diff;

int hs_diff_build(const hs_agg *before, const hs_agg *after, hs_agg_order order, hs_diff *out,
                  hs_error *err);
void hs_diff_free(hs_diff *d);

/* ---- gates (--fail-if) ----
 * One grammar for profile and heap diffs: METRIC[.COLUMN] OP VALUE, no spaces
 * needed (spaces are ignored).
 *   METRIC   total | any          (any = some single entry)
 *   COLUMN   one of the caller's columns (heaps: size, count, retained; the
 *            first is the default); profiles have none: any = an entry's flat
 *   OP       > >= < <=
 *   VALUE    +N[unit] / -N[unit]  a change: the total's delta, or an entry's delta
 *            N[unit]              an absolute level: AFTER's total, or an entry's AFTER
 *            +N% / -N%            a change relative to BEFORE's total (of that column)
 * Units: B, KiB, MiB, GiB, TiB (K/KB/M/MB/G/GB/T/TB are read as the same
 * 1024-based units, as pprof labels them); ns, us, ms, s, min, h for time
 * profiles; none for counts (N may be fractional: "1.5MiB"). A unit must
 * suit the values' unit (bytes vs time vs plain numbers). */
typedef enum hs_gate_subject {
    HS_GATE_TOTAL = 0,
    HS_GATE_ANY,
    HS_GATE_CLASS, /* trend: how many entries are in class trend_class */
} hs_gate_subject;
typedef enum hs_gate_op { HS_GATE_GT = 0, HS_GATE_GE, HS_GATE_LT, HS_GATE_LE } hs_gate_op;
typedef enum hs_gate_kind { HS_GATE_DELTA = 0, HS_GATE_LEVEL, HS_GATE_PERCENT } hs_gate_kind;
typedef enum hs_unit_class { HS_UNIT_COUNT = 0, HS_UNIT_BYTES, HS_UNIT_NANOS } hs_unit_class;

typedef struct hs_gate {
    char expr[128];
    hs_gate_subject subject;
    uint32_t column;    /* index into the caller's columns (0 when it has none) */
    const char *column_name; /* the caller's name of it; NULL for profiles */
    uint8_t column_given;    /* ".COLUMN" was written, not defaulted */
    hs_gate_op op;
    hs_gate_kind kind;
    hs_unit_class unit_class; /* of the literal; COUNT when it had no unit */
    int has_unit;
    double value; /* in base units (bytes, ns) or percent */
    /* trend gates (hs_gate_parse_trend) */
    uint8_t slope;       /* compares a slope (total's or any entry's), not a change */
    double per_nanos;    /* the slope's time base ("/h": 3600e9); 0 = per snapshot */
    uint32_t trend_class; /* HS_GATE_CLASS: an hs_trend_class */
} hs_gate;

/* What a gate measured; hs_render_gate_detail() turns it into words. */
typedef struct hs_gate_result {
    int tripped;
    double measured;     /* the compared quantity: delta, level or percent */
    int64_t before, after; /* the total's, or the chosen entry's */
    const char *entry;   /* "any": the entry that tripped, else the most extreme one; NULL if none */
    const char *unit;    /* the values' unit ("bytes", "count", ...), set by the eval functions */
} hs_gate_result;

/* Parse one expression; -1 with err (file "--fail-if") when malformed.
 * columns[0 .. n_columns) are the names a ".COLUMN" may give (NULL, 0: none). */
int hs_gate_parse(const char *expr, const char *const *columns, uint32_t n_columns,
                  hs_gate *out, hs_error *err);
/* A gate parsed with a heap diff's columns, made a profile gate (no column);
 * -1 with err when it named a column. */
int hs_gate_for_profile(hs_gate *g, hs_error *err);
/* -1 with err when the gate's unit does not suit values in `unit` ("bytes", "count"). */
int hs_gate_check_unit(const hs_gate *g, const char *unit, hs_error *err);
/* Evaluation from numbers the caller supplies. base is BEFORE's total (the
 * denominator of percentages). A "total" gate calls hs_gate_total once; an
 * "any" gate calls hs_gate_start, then hs_gate_entry once per entry. */
void hs_gate_total(const hs_gate *g, int64_t before, int64_t after, hs_gate_result *out);
void hs_gate_start(hs_gate_result *out);
void hs_gate_entry(const hs_gate *g, const char *name, int64_t before, int64_t after,
                   int64_t base, hs_gate_result *out);
/* A profile diff: total = d's totals, any = the entries' flat (values in `unit`). */
int hs_gate_eval(const hs_gate *g, const hs_diff *d, const char *unit, hs_gate_result *out,
                 hs_error *err);
/* The class of a sample unit string: "bytes" -> BYTES, "nanoseconds" -> NANOS. */
hs_unit_class hs_unit_classify(const char *unit);
/* A size for options: "4096", "64KiB", "1.5 MiB", "10MB" (1024-based, as in
 * gates), "2G"; 0, or -1 when malformed, negative or too large. */
int hs_size_parse(const char *s, uint64_t *out);

/* ---- trend: entries across N snapshots ----
 * Each snapshot contributes (name, value) pairs and a total; entries are
 * matched by name (absent = 0). After hs_trend_finish the snapshots are in
 * time order when every one has a time (time_nanos > 0; ties keep the input
 * order), else in input order; skipped snapshots are left out. Per entry:
 *   slope_per_snapshot  least-squares slope of value over the position 0..n-1
 *   slope_per_hour      least-squares slope of value over time (hours), when
 *                       every snapshot has a time and they are not all equal
 *   class, the first that holds of
 *     grows   up at every step (v[i+1] > v[i] for all i; absent counts as 0)
 *     new     absent (0) in the first snapshot
 *     gone    absent (0) in the last snapshot
 *     rises   last - first > tolerance
 *     falls   first - last > tolerance
 *     steady  otherwise: |last - first| <= tolerance
 *   where tolerance = HS_TREND_STEADY_PERCENT % of the entry's largest |value|.
 * Rows whose values are all 0 are dropped. Rows are sorted by class in the
 * order above but with rises before new and gone (grows, rises, new, steady,
 * falls, gone), then by slope per snapshot (larger first; falls and gone:
 * more negative first), then by name. */
typedef enum hs_trend_class {
    HS_TREND_GROWS = 0,
    HS_TREND_RISES,
    HS_TREND_NEW,
    HS_TREND_STEADY,
    HS_TREND_FALLS,
    HS_TREND_GONE,
    HS_TREND_N_CLASSES,
} hs_trend_class;

#define HS_TREND_STEADY_PERCENT 5

typedef struct hs_trend_row {
    const char *name;      /* points into hs_trend.names */
    const int64_t *values; /* [n_snapshots] in snapshot order */
    double slope_per_snapshot;
    double slope_per_hour; /* valid when hs_trend.has_times */
    hs_trend_class cls;
} hs_trend_row;

typedef struct hs_trend {
    uint32_t n_inputs;    /* snapshots given to hs_trend_init */
    uint32_t n_snapshots; /* kept ones, after hs_trend_finish */
    uint32_t *input_of;   /* [n_snapshots]: position -> input index */
    int64_t *times;       /* [n_inputs] time_nanos (0 unknown); by position after finish */
    int64_t *totals;      /* [n_inputs] totals; by position after finish */
    uint8_t *skipped;     /* [n_inputs] */
    int has_times;        /* every kept snapshot has a time, not all equal */
    hs_trend_row total;   /* the totals as a row named "total" */
    hs_strtab names;
    int64_t *by_name;     /* [names capacity * n_inputs] while adding */
    uint32_t cap_names;
    int64_t *series;      /* [n_rows * n_snapshots] after finish */
    hs_trend_row *rows;
    uint32_t n_rows;
    uint32_t n_class[HS_TREND_N_CLASSES];
} hs_trend;

const char *hs_trend_class_name(hs_trend_class c);
int hs_trend_init(hs_trend *t, uint32_t n_inputs, hs_error *err);
/* Add value to entry name in input snapshot i (values of one name add up). */
int hs_trend_add(hs_trend *t, uint32_t i, const char *name, int64_t value, hs_error *err);
/* Every entry of an aggregation, flat (cum = 0) or cum. */
int hs_trend_add_agg(hs_trend *t, uint32_t i, const hs_agg *a, int cum, hs_error *err);
void hs_trend_set_snapshot(hs_trend *t, uint32_t i, int64_t total, int64_t time_nanos);
void hs_trend_skip(hs_trend *t, uint32_t i);
/* Order, slopes, classes, sorting; -1 with err when fewer than 2 snapshots are kept. */
int hs_trend_finish(hs_trend *t, hs_error *err);
void hs_trend_free(hs_trend *t);

/* Trend gates: the diff grammar (total/any compare the first snapshot with
 * the last) plus
 *   CLASS OP N                 entries in a class: grows>0, new>=3
 *   [any.|total.]slope OP V[/RATE]  an entry's (or the total's) slope, RATE h,
 *                              min, s (needs times) or snapshot (the default):
 *                              slope>+1MiB/h, total.slope>10MiB/snapshot
 * A slope's sign is optional ("+1MiB/h" = "1MiB/h"). */
int hs_gate_parse_trend(const char *expr, hs_gate *out, hs_error *err);
/* -1 with err when the unit does not suit, or a per-time slope meets
 * snapshots without times. */
int hs_gate_eval_trend(const hs_gate *g, const hs_trend *t, const char *unit,
                       hs_gate_result *out, hs_error *err);

/* ---- call graph ---- */

typedef struct hs_graph_node {
    const char *name; /* points into hs_graph.names */
    int64_t flat, cum;
} hs_graph_node;

typedef struct hs_graph_edge {
    uint32_t src, dst; /* node indices: caller -> callee */
    int64_t weight;    /* cum flowing through, once per sample */
    uint8_t residual;  /* passes over dropped nodes */
    uint8_t inlined;   /* callee was inlined into the caller */
} hs_graph_edge;

typedef struct hs_graph_options {
    uint32_t nodecount;    /* keep at most this many nodes (0 = no limit); default 80 */
    double node_fraction;  /* drop nodes with |cum| < this * the flat sum; default 0.005 */
    double edge_fraction;  /* drop edges with |weight| < this * the flat sum; default 0.001 */
} hs_graph_options;

/* A pruned call graph. Nodes are sorted by |cum| desc, name; edges by
 * |weight| desc. For a diff graph values are AFTER - BEFORE. */
typedef struct hs_graph {
    hs_strtab names;
    hs_graph_node *nodes;
    uint32_t n_nodes;
    hs_graph_edge *edges;
    uint32_t n_edges;
    int64_t total;          /* pprof total (BEFORE's for a diff) */
    int64_t shown_flat;     /* sum of flat over kept nodes */
    uint32_t n_orig;        /* nodes before the nodecount cut */
    uint32_t dropped_nodes; /* below node_fraction */
    uint32_t dropped_edges; /* below edge_fraction */
    int64_t node_cutoff, edge_cutoff;
    int is_diff;
} hs_graph;

void hs_graph_default_options(hs_graph_options *o);
int hs_graph_build(const hs_profile *p, uint32_t sample_index, hs_agg_by by,
                   const hs_agg_filter *f, const hs_graph_options *o, hs_graph *out,
                   hs_error *err);
/* The graph of AFTER - BEFORE; both profiles use the same sample index. */
int hs_graph_build_diff(const hs_profile *before, uint32_t before_index, const hs_profile *after,
                        uint32_t after_index, hs_agg_by by, const hs_agg_filter *f,
                        const hs_graph_options *o, hs_graph *out, hs_error *err);
void hs_graph_free(hs_graph *g);

#endif
