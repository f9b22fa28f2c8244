/* The heap side of the CLI: the info/top/graph/diff bodies for heap models
 * (wired into cmd_info.c & co. by the profile side) and the helpers that the
 * heap-only commands (dominators, paths, leaks) share. Every function returns
 * an exit status and has printed its own error when it is not HS_EXIT_OK. */
#ifndef HEAPSCAN_HEAP_CLI_H
#define HEAPSCAN_HEAP_CLI_H

#include "cli.h"
#include "heapscan/heap_analysis.h"
#include "heapscan/render.h"

/* o->args[0] (and [1] for diff) name the files in the reports. Options read:
 *   info   --format text|json
 *   top    --by site|type|root|object, --sort retained|size|count, -n, --format text|json|csv
 *   graph  --nodecount, --paths ADDR|NAME, --format text|dot (both DOT)
 *   diff   --by site|type|root, --sort, -n, --fail-if (repeatable), --format text|json|csv
 * They return HS_EXIT_OK, HS_EXIT_GATE (diff: a gate tripped; the report is
 * written) or HS_EXIT_USAGE after printing the error. */
int hs_heap_cmd_info(const hs_cli_opts *o, hs_model *m, hs_output *out);
int hs_heap_cmd_top(const hs_cli_opts *o, hs_model *m, hs_output *out);
int hs_heap_cmd_graph(const hs_cli_opts *o, hs_model *m, hs_output *out);
int hs_heap_cmd_diff(const hs_cli_opts *o, hs_model *a, hs_model *b, hs_output *out);
/* The --fail-if columns of a heap diff (hs_gate_parse's columns): size, count, retained. */
extern const char *const hs_heapcli_gate_columns[3];

/* Bodies of the heap-only commands (cmd_dominators.c, cmd_paths.c, cmd_leaks.c). */
int hs_heapcli_dominators(const hs_cli_opts *o, hs_model *m, hs_output *out);
int hs_heapcli_paths(const hs_cli_opts *o, hs_model *m, hs_output *out);
int hs_heapcli_leaks(const hs_cli_opts *o, hs_model *m, hs_output *out);

/* ---- shared by the heap commands (src/cli/heap_common.c) ---- */

/* Load o->args[i] and insist on a heap model; prints and returns exit 2 otherwise. */
int hs_heapcli_load(const hs_cli_opts *o, int i, const char *cmd, hs_model *m);
/* --by (default site, or type when the heap has types and def_type) and --sort. */
int hs_heapcli_by_sort(const hs_cli_opts *o, const hs_heap *h, int def_type, hs_group_by *by,
                       hs_group_sort *sort);
/* "root main.cache", "0x1040 T" ...: a vertex of the dominator numbering. */
const char *hs_heapcli_vertex_name(const hs_heap *h, uint32_t v, char *buf, unsigned size);
const char *hs_heapcli_root_kind(unsigned kind);
/* ADDR (0x..., interior pointers allowed) or a type/site name: the object, or
 * HS_NONE after printing why not. d picks the largest retained among names. */
uint32_t hs_heapcli_resolve(const hs_heap *h, const hs_dom *d, const char *arg);
/* The share of whole as "12.3%" (or "-" when whole is 0). */
const char *hs_heapcli_pct(char *buf, unsigned size, double part, double whole);
/* Load o->args[0] as a heap, open -o, run body, commit the output when the
 * status is 0 or 1 (a tripped gate still writes its report), abort it on 2. */
int hs_heapcli_run(const hs_cli_opts *o, const char *cmd,
                   int (*body)(const hs_cli_opts *o, hs_model *m, hs_output *out));
/* Check the output format against the allowed set; prints on error. */
int hs_heapcli_format_ok(const hs_cli_opts *o, const char *cmd, unsigned allowed_mask);
#define HS_FMTBIT(f) (1u << (f))

/* Rows of a grouping as text, JSON ({"file","format","by","total","rows"}, then
 * extra_json's members if given) or CSV; limit 0 = all rows. pct_base is the
 * denominator of the text's retained% column. */
typedef struct hs_heapcli_table {
    const char *file;
    const hs_heap *h;
    const hs_groups *g;
    long limit;
    uint64_t pct_base;
    const char *title; /* text header lines before the table, may be NULL */
    void (*extra_json)(FILE *fp, void *ctx);
    void *ctx;
} hs_heapcli_table;
void hs_heapcli_write_groups(FILE *fp, hs_out_format fmt, const hs_heapcli_table *t);

#endif
