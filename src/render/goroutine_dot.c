/* Goroutine groups as Graphviz DOT: their call tree (hs_gr_tree) from "all
 * goroutines" down through the stacks' functions, outermost first, to one
 * box per group with its count, state, wait and class. Edges are as thick
 * as the goroutines that flow through them; suspects are red, groups that
 * shrank or are gone grey. With several snapshots a count reads "first ->
 * last". Every name goes through the DOT escaper. */
#include "heapscan/goroutine_render.h"
#include "render/internal.h"

static const char *str(const hs_gr_report *r, uint32_t id)
{
    return id == HS_STR_NONE ? "" : hs_strtab_get(&r->strings, id);
}

/* "12 goroutines" or, across snapshots, "4 -> 12 goroutines". */
static void count_text(FILE *fp, const hs_gr_report *r, const hs_gr_tree_node *n)
{
    if (r->n_files > 1 && n->first != n->count)
        fprintf(fp, "%llu -> ", (unsigned long long)n->first);
    fprintf(fp, "%llu goroutine%s", (unsigned long long)n->count, n->count == 1 ? "" : "s");
}

static void wait_text(FILE *fp, const hs_gr_group *g)
{
    if (g->wait_min == HS_GR_WAIT_UNKNOWN || g->wait_max == 0) return;
    if (g->wait_min == g->wait_max) fprintf(fp, ", %u min", g->wait_min);
    else fprintf(fp, ", %u-%u min", g->wait_min, g->wait_max);
}

static void group_node(FILE *fp, const hs_gr_report *r, uint32_t v, const hs_gr_tree_node *n)
{
    const hs_gr_group *g = &r->groups[n->group];
    fprintf(fp, "  n%u [shape=box, style=\"rounded,filled\", fillcolor=\"%s\", label=\"", v,
            g->why != HS_GR_NOT_SUSPECT                        ? "#f4c7c3"
            : g->cls == HS_GR_GONE || g->cls == HS_GR_SHRINKS ? "#e8e8e8"
                                                              : "#d9ead3");
    count_text(fp, r, n);
    fputs("\\n", fp);
    hs_render_dot_escaped(fp, str(r, g->state));
    wait_text(fp, g);
    if (g->labels != HS_STR_NONE) {
        fputs("\\n", fp);
        hs_render_dot_escaped(fp, str(r, g->labels));
    }
    if (r->n_files > 1) fprintf(fp, "\\n%s", hs_gr_class_names[g->cls]);
    if (g->why == HS_GR_GROWS_EVERY_STEP) fputs("\\nsuspect: grows at every step", fp);
    if (g->why == HS_GR_STUCK) fputs("\\nsuspect: blocked too long", fp);
    fputs("\"];\n", fp);
}

static void frame_node(FILE *fp, const hs_gr_report *r, uint32_t v, const hs_gr_tree_node *n,
                       uint64_t total)
{
    double share = total ? (double)n->count / (double)total : 0;
    fprintf(fp, "  n%u [label=\"", v);
    hs_render_dot_escaped(fp, str(r, n->function));
    fputs("\\n", fp);
    count_text(fp, r, n);
    fprintf(fp, "\", fontsize=%d];\n", 10 + (int)(12 * share));
}

static void summary(FILE *fp, const hs_gr_render_meta *m, const hs_gr_report *r,
                    const hs_gr_tree *t)
{
    fputs("  summary [shape=note, label=\"", fp);
    for (uint32_t f = 0; f < r->n_files; f++) {
        hs_render_dot_escaped(fp, m->files[f]);
        fprintf(fp, ": %llu goroutines\\n", (unsigned long long)r->totals[f]);
    }
    fprintf(fp, "%u of %u groups shown, %u suspect%s\"];\n", t->groups, r->n_groups,
            r->n_suspects, r->n_suspects == 1 ? "" : "s");
}

void hs_render_goroutines_dot(FILE *fp, const hs_gr_render_meta *m, const hs_gr_report *r,
                              const hs_gr_tree *t)
{
    fputs("digraph goroutines {\n  node [shape=box, fontname=\"Helvetica\"];\n", fp);
    summary(fp, m, r, t);
    uint64_t total = t->n ? (t->nodes[0].count > t->nodes[0].first ? t->nodes[0].count
                                                                   : t->nodes[0].first)
                          : 0;
    for (uint32_t v = 0; v < t->n; v++) {
        const hs_gr_tree_node *n = &t->nodes[v];
        if (v == 0) {
            fputs("  n0 [shape=ellipse, label=\"all goroutines\\n", fp);
            count_text(fp, r, n);
            fputs("\"];\n", fp);
        } else if (n->group != HS_NONE) {
            group_node(fp, r, v, n);
        } else {
            frame_node(fp, r, v, n, total);
        }
    }
    for (uint32_t v = 1; v < t->n; v++) {
        const hs_gr_tree_node *n = &t->nodes[v];
        uint64_t w = n->count > n->first ? n->count : n->first;
        double width = total ? 1 + 5 * (double)w / (double)total : 1;
        fprintf(fp, "  n%u -> n%u [penwidth=%.2f, label=\"%llu\"];\n", n->parent, v, width,
                (unsigned long long)n->count);
    }
    fputs("}\n", fp);
}
