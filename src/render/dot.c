/* The call graph as Graphviz DOT (pprof's look: boxes labelled with name,
 * flat and cum, font size growing with |flat|, edges as thick as the value
 * they carry, dotted when they skip dropped nodes, a legend box with the
 * summary), and the same graph as JSON or CSV. Colours: share of the total
 * drives saturation; positive values are red, negative (a diff's shrinkage)
 * green. Every string goes through the DOT escaper, so any name renders. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/internal.h"

typedef struct lines {
    char **v;
    uint32_t n, cap;
} lines;

static void collect(void *ctx, const char *line)
{
    lines *l = ctx;
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return;
        l->v = v;
        l->cap = cap;
    }
    char *c = strdup(line);
    if (c) l->v[l->n++] = c;
}

void hs_render_graph_summary(const hs_report_meta *m, const hs_graph *g, hs_render_line_fn fn,
                             void *ctx)
{
    char line[512], a[64], b[64], pct[32];
    hs_render_profile_labels(m, g->total, fn, ctx);
    if (g->is_diff) fn(ctx, "Values are AFTER - BEFORE; percentages are of BEFORE's total");
    hs_render_value(a, sizeof a, g->shown_flat, m->unit);
    hs_render_value(b, sizeof b, g->total, m->unit);
    hs_render_percent(pct, sizeof pct, g->shown_flat, g->total);
    snprintf(line, sizeof line, "Showing nodes accounting for %s, %s of %s total", a,
             pct + strspn(pct, " "), b);
    fn(ctx, line);
    if (g->dropped_nodes) {
        hs_render_value(a, sizeof a, g->node_cutoff, m->unit);
        snprintf(line, sizeof line, "Dropped %u node%s (cum <= %s)", g->dropped_nodes,
                 g->dropped_nodes > 1 ? "s" : "", a);
        fn(ctx, line);
    }
    if (g->dropped_edges) {
        hs_render_value(a, sizeof a, g->edge_cutoff, m->unit);
        snprintf(line, sizeof line, "Dropped %u edge%s (freq <= %s)", g->dropped_edges,
                 g->dropped_edges > 1 ? "s" : "", a);
        fn(ctx, line);
    }
    if (g->n_nodes < g->n_orig) {
        snprintf(line, sizeof line, "Showing top %u nodes out of %u", g->n_nodes, g->n_orig);
        fn(ctx, line);
    }
}

/* score in [-1, 1]: 0 grey, +1 strong red, -1 strong green. */
static void color(char *buf, size_t size, double score, int background)
{
    double sat = background ? 0.1 : 1.0, val = background ? 0.93 : 0.7;
    if (score > 1) score = 1;
    if (score < -1) score = -1;
    double mag = fabs(score);
    if (mag < 0.2) sat *= mag / 0.2;
    mag = pow(mag, 0.3);
    double r = val, gr = val, bl = val * (1 - sat);
    if (score < 0) r = val * (1 - sat * mag);
    else gr = val * (1 - sat * mag);
    snprintf(buf, size, "#%02x%02x%02x", (unsigned)(r * 255), (unsigned)(gr * 255),
             (unsigned)(bl * 255));
}

static double share(int64_t v, int64_t total)
{
    return total ? (double)v / (double)hs_abs64_render(total) : 0.0;
}

static void value_pct(char *buf, size_t size, int64_t v, int64_t total, const char *unit, int diff)
{
    char a[64], p[32];
    if (diff) {
        hs_render_value_signed(a, sizeof a, v, unit);
        hs_render_percent_signed(p, sizeof p, v, total);
    } else {
        hs_render_value(a, sizeof a, v, unit);
        hs_render_percent(p, sizeof p, v, total);
    }
    snprintf(buf, size, "%s (%s)", a, p + strspn(p, " "));
}

static void node_line(FILE *out, const hs_report_meta *m, const hs_graph *g, uint32_t i,
                      int64_t max_flat)
{
    const hs_graph_node *n = &g->nodes[i];
    char label[4096], f[128], c[128], fg[16], bg[16];
    value_pct(f, sizeof f, n->flat, g->total, m->unit, g->is_diff);
    value_pct(c, sizeof c, n->cum, g->total, m->unit, g->is_diff);
    if (n->flat == 0) snprintf(label, sizeof label, "%s\n0 of %s", n->name, c);
    else if (n->flat == n->cum) snprintf(label, sizeof label, "%s\n%s", n->name, f);
    else snprintf(label, sizeof label, "%s\n%s\nof %s", n->name, f, c);
    int fontsize = 8;
    if (max_flat > 0)
        fontsize += (int)ceil(16.0 * sqrt((double)hs_abs64_render(n->flat) / (double)max_flat));
    color(fg, sizeof fg, share(n->cum, g->total), 0);
    color(bg, sizeof bg, share(n->cum, g->total), 1);
    fprintf(out, "N%u [label=", i + 1);
    hs_render_dot_string(out, label);
    fprintf(out, " id=\"node%u\" fontsize=%d shape=box tooltip=", i + 1, fontsize);
    if (g->is_diff) hs_render_value_signed(c, sizeof c, n->cum, m->unit);
    else hs_render_value(c, sizeof c, n->cum, m->unit);
    snprintf(label, sizeof label, "%s (%s)", n->name, c);
    hs_render_dot_string(out, label);
    fprintf(out, " color=\"%s\" fillcolor=\"%s\"]\n", fg, bg);
}

static void edge_line(FILE *out, const hs_report_meta *m, const hs_graph *g, const hs_graph_edge *e)
{
    char w[64], tip[4096], col[16];
    if (g->is_diff) hs_render_value_signed(w, sizeof w, e->weight, m->unit);
    else hs_render_value(w, sizeof w, e->weight, m->unit);
    double sh = share(e->weight, g->total);
    int pen = 1 + (int)(5.0 * fabs(sh));
    if (pen > 6) pen = 6;
    int weight = 1 + (int)(100.0 * fabs(sh));
    color(col, sizeof col, sh, 0);
    fprintf(out, "N%u -> N%u [label=", e->src + 1, e->dst + 1);
    snprintf(tip, sizeof tip, " %s%s", w, e->inlined ? " (inline)" : "");
    hs_render_dot_string(out, tip);
    fprintf(out, " weight=%d penwidth=%d color=\"%s\"", weight, pen, col);
    if (e->residual) fputs(" style=\"dotted\"", out);
    snprintf(tip, sizeof tip, "%s -> %s (%s)", g->nodes[e->src].name, g->nodes[e->dst].name, w);
    fputs(" tooltip=", out);
    hs_render_dot_string(out, tip);
    fputs(" labeltooltip=", out);
    hs_render_dot_string(out, tip);
    fputs("]\n", out);
}

void hs_render_graph_dot(FILE *out, const hs_report_meta *m, const hs_graph *g)
{
    fputs("digraph \"heapscan\" {\nnode [style=filled fillcolor=\"#f8f8f8\"]\n", out);
    lines l = {0};
    hs_render_graph_summary(m, g, collect, &l);
    fputs("subgraph cluster_L { \"legend\" [shape=box fontsize=16 label=\"", out);
    for (uint32_t i = 0; i < l.n; i++) {
        hs_render_dot_escaped(out, l.v[i]);
        fputs("\\l", out);
    }
    fputs("\" tooltip=\"heapscan\"] }\n", out);
    for (uint32_t i = 0; i < l.n; i++) free(l.v[i]);
    free(l.v);
    int64_t max_flat = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (hs_abs64_render(g->nodes[i].flat) > max_flat) max_flat = hs_abs64_render(g->nodes[i].flat);
    for (uint32_t i = 0; i < g->n_nodes; i++) node_line(out, m, g, i, max_flat);
    for (uint32_t i = 0; i < g->n_edges; i++) edge_line(out, m, g, &g->edges[i]);
    fputs("}\n", out);
}

void hs_render_graph_json(FILE *out, const hs_report_meta *m, const hs_graph *g)
{
    fputs("{\"file\":", out);
    hs_render_json_string(out, m->file);
    fputs(",\"sample_type\":", out);
    hs_render_json_string(out, m->sample_type);
    fputs(",\"unit\":", out);
    hs_render_json_string(out, m->unit);
    fprintf(out, ",\"diff\":%s,\"total\":%" PRId64 ",\"nodes\":[", g->is_diff ? "true" : "false",
            g->total);
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        fprintf(out, "%s{\"id\":%u,\"name\":", i ? ",\n" : "\n", i + 1);
        hs_render_json_string(out, g->nodes[i].name);
        fprintf(out, ",\"flat\":%" PRId64 ",\"cum\":%" PRId64 "}", g->nodes[i].flat, g->nodes[i].cum);
    }
    fputs(g->n_nodes ? "\n],\"edges\":[" : "],\"edges\":[", out);
    for (uint32_t i = 0; i < g->n_edges; i++) {
        const hs_graph_edge *e = &g->edges[i];
        fprintf(out,
                "%s{\"from\":%u,\"to\":%u,\"weight\":%" PRId64 ",\"residual\":%s,\"inline\":%s}",
                i ? ",\n" : "\n", e->src + 1, e->dst + 1, e->weight, e->residual ? "true" : "false",
                e->inlined ? "true" : "false");
    }
    fputs(g->n_edges ? "\n]}\n" : "]}\n", out);
}

void hs_render_graph_csv(FILE *out, const hs_report_meta *m, const hs_graph *g)
{
    fputs("kind,name,callee,flat,cum,weight\n", out);
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        fputs("node,", out);
        hs_render_csv_field(out, g->nodes[i].name);
        fprintf(out, ",,%" PRId64 ",%" PRId64 ",\n", g->nodes[i].flat, g->nodes[i].cum);
    }
    for (uint32_t i = 0; i < g->n_edges; i++) {
        const hs_graph_edge *e = &g->edges[i];
        fputs("edge,", out);
        hs_render_csv_field(out, g->nodes[e->src].name);
        fputc(',', out);
        hs_render_csv_field(out, g->nodes[e->dst].name);
        fprintf(out, ",,,%" PRId64 "\n", e->weight);
    }
}
