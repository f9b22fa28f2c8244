/* heapscan renderers: turn report rows (names and numbers from analysis.h)
 * into text tables, JSON, CSV and Graphviz DOT on a FILE. Renderers never
 * compute: every number they print was handed to them; they only format.
 * Text is for people (values scaled to binary units, percentages); JSON and
 * CSV carry exact integers in the profile's own unit. Write errors are left
 * in the FILE's error flag for the caller to check once at the end. */
#ifndef HEAPSCAN_RENDER_H
#define HEAPSCAN_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "heapscan/analysis.h"
#include "heapscan/heap_analysis.h"
#include "heapscan/profile.h"

/* The output formats of the reports (not every report has every one). */
typedef enum hs_render_format {
    HS_FMT_TEXT = 0,
    HS_FMT_JSON,
    HS_FMT_CSV,
    HS_FMT_DOT,
    HS_FMT_SVG,  /* charts (trend) */
    HS_FMT_HTML, /* a chart and a table in one page (trend) */
} hs_render_format;

/* ---- values ----
 * bytes: auto-scaled B, KiB, MiB, GiB, TiB, PiB with 2 decimals, ".00"
 * dropped ("512B", "1.50MiB", "2KiB"); nanoseconds: ns, us, ms, s, min, h
 * ("250ms", "1.50s"); anything else: the integer. Zero is "0". Each returns buf. */
const char *hs_render_value(char *buf, size_t size, int64_t v, const char *unit);
/* As above with an explicit sign for nonzero values: "+1.50MiB", "-512B", "0". */
const char *hs_render_value_signed(char *buf, size_t size, int64_t v, const char *unit);
/* The byte style of hs_render_value for sizes of heaps ("180B", "63.94KiB"). */
const char *hs_render_bytes(char *buf, size_t size, uint64_t v);
const char *hs_render_bytes_signed(char *buf, size_t size, int64_t v);
/* pprof's percentage of |v| in total, 6 wide: "53.33%", "  100%", " 0.67%". */
void hs_render_percent(char *buf, size_t size, int64_t v, int64_t total);
/* Signed, unpadded: "+20.00%", "-0.5%", "0%"; "n/a" when total is 0 and v is not. */
void hs_render_percent_signed(char *buf, size_t size, int64_t v, int64_t total);
/* A duration in nanoseconds for headers ("30s", "1.50min"). */
void hs_render_duration(char *buf, size_t size, int64_t nanos);
/* pprof's time label, in UTC: "Nov 22, 2026 at 1:55am (UTC)". */
void hs_render_time(char *buf, size_t size, int64_t unix_nanos);

/* ---- escaping primitives ---- */
void hs_render_json_string(FILE *out, const char *s); /* quoted; invalid UTF-8 -> U+FFFD */
void hs_render_csv_field(FILE *out, const char *s);   /* RFC 4180 quoting when needed */
void hs_render_dot_string(FILE *out, const char *s);  /* quoted DOT string, escapes " and \ */
void hs_render_dot_escaped(FILE *out, const char *s); /* the same without the quotes */

/* ---- what a report is about ---- */
typedef struct hs_report_meta {
    const char *file;          /* the input as the user named it */
    const char *format;        /* "pprof" */
    const hs_profile *profile; /* for header lines (binary, comments, time); may be NULL */
    const char *sample_type, *unit;
    const char *const *filters; /* "focus=RE", "tag=K=V" ... shown as active filters */
    uint32_t n_filters;
} hs_report_meta;

/* top: limit 0 = every entry. */
void hs_render_top_text(FILE *out, const hs_report_meta *m, const hs_agg *a, uint32_t limit);
void hs_render_top_json(FILE *out, const hs_report_meta *m, const hs_agg *a, uint32_t limit);
void hs_render_top_csv(FILE *out, const hs_report_meta *m, const hs_agg *a, uint32_t limit);

/* diff: rows[0..n_changed) are shown (limit 0 = all), gates may be empty. */
typedef struct hs_diff_meta {
    const char *before, *after; /* file names */
    const hs_profile *after_profile; /* may be NULL */
    const char *sample_type, *unit;
    const char *const *filters;
    uint32_t n_filters;
    const hs_gate *gates;
    const hs_gate_result *results;
    uint32_t n_gates;
} hs_diff_meta;

void hs_render_diff_text(FILE *out, const hs_diff_meta *m, const hs_diff *d, uint32_t limit);
void hs_render_diff_json(FILE *out, const hs_diff_meta *m, const hs_diff *d, uint32_t limit);
void hs_render_diff_csv(FILE *out, const hs_diff_meta *m, const hs_diff *d, uint32_t limit);
/* One line saying what a gate measured: "total changed by +20.00% (1500B -> 1800B)"
 * (unit: the values' unit, as hs_gate_result.unit). */
void hs_render_gate_detail(char *buf, size_t size, const hs_gate *g, const hs_gate_result *r,
                           const char *unit);

/* graph: Graphviz DOT (renders with `dot -Tsvg`), or nodes/edges as JSON/CSV.
 * For a diff graph (g->is_diff) growth is red and shrinkage green. */
void hs_render_graph_dot(FILE *out, const hs_report_meta *m, const hs_graph *g);
void hs_render_graph_json(FILE *out, const hs_report_meta *m, const hs_graph *g);
void hs_render_graph_csv(FILE *out, const hs_report_meta *m, const hs_graph *g);
/* The summary lines of a graph (also the DOT legend), one per call. */
typedef void (*hs_render_line_fn)(void *ctx, const char *line);
void hs_render_graph_summary(const hs_report_meta *m, const hs_graph *g, hs_render_line_fn fn,
                             void *ctx);

/* info: totals[i] is the total of sample type i. */
void hs_render_info_text(FILE *out, const char *file, const hs_profile *p, const int64_t *totals);
void hs_render_info_json(FILE *out, const char *file, const hs_profile *p, const int64_t *totals);
void hs_render_info_csv(FILE *out, const char *file, const hs_profile *p, const int64_t *totals);

/* ---- heaps (object graphs: heap dumps and cores) ----
 * The same words as the profile reports: a diff shows only changed rows,
 * marks (new) and (vanished), signs every delta and percentage, and lists
 * its gates under "Gates:". file is the input as the user named it. */

/* top: text (a header, then a table), JSON {"file","format","by","total","rows"}
 * or CSV; limit 0 = all rows. */
void hs_render_heap_top(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                        const hs_heap_top *t, hs_group_sort sort, uint32_t limit);
/* leaks: the unreachable groups, then the leak roots (JSON "leak_roots"). */
void hs_render_heap_leaks(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                          const hs_leaks *l, uint32_t limit);

typedef struct hs_heap_diff_meta {
    const char *before, *after; /* file names */
    const char *format;         /* the reader's name of the heaps' format */
    hs_group_by by;
    const hs_gate *gates;
    const hs_gate_result *results;
    uint32_t n_gates;
} hs_heap_diff_meta;
/* diff: rows[0 .. n_changed) are shown (limit 0 = all). */
void hs_render_heap_diff(FILE *out, hs_render_format f, const hs_heap_diff_meta *m,
                         const hs_group_diff *df, uint32_t limit);

/* info: text or JSON; r is the heap's reachability, sites the count of
 * hs_heap_site_groups (h->n_sites is shown as the allocation stacks). */
void hs_render_heap_info(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                         const hs_reach *r, uint32_t sites);
/* dominators: the display-ordered tree as indented text or a JSON node list. */
void hs_render_heap_dominators(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                               const hs_dom *d, const hs_domtree *t);
/* paths: the hops from a root to object obj (p->n_hops == 0: unreachable). */
void hs_render_heap_paths(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                          const hs_dom *d, uint32_t obj, const hs_path *p);
/* graph: the dominator tree's largest vertices, or the path to target, as DOT. */
void hs_render_heap_tree_dot(FILE *out, const char *file, const hs_heap *h, const hs_dom *d,
                             const hs_dom_top *t);
void hs_render_heap_path_dot(FILE *out, const char *file, const hs_heap *h, const hs_dom *d,
                             const char *target, uint32_t obj, const hs_path *p);

/* ---- trend: entries across snapshots ----
 * Text: a header, the total, then one row per entry (first, last, change,
 * slopes, class, a sparkline); JSON {"files","times","sample_type","by",
 * "total","rows"}; CSV one row per entry, one column per snapshot; SVG the
 * total and the first rows as line charts; HTML the chart and a table.
 * limit: rows shown (0 = all); the charts draw at most 10 entries. */
typedef struct hs_trend_meta {
    const char *const *files; /* [n_snapshots], in snapshot order */
    const char *sample_type, *unit;
    const char *by;  /* "function", "type", ... */
    const char *value; /* "flat", "cum", "size", ... (text, charts) */
    const hs_gate *gates;
    const hs_gate_result *results;
    uint32_t n_gates;
} hs_trend_meta;
void hs_render_trend(FILE *out, hs_render_format f, const hs_trend_meta *m, const hs_trend *t,
                     uint32_t limit);

#endif
