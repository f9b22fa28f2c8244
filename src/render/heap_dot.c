/* Heap `graph` as Graphviz DOT: the dominator tree's largest vertices by
 * retained size (hs_dom_top: each under its nearest drawn dominator, a
 * dashed edge when undrawn ones lie between), or the shortest path from a
 * root to one object. Labels carry retained and shallow size; the font grows
 * with the share of reachable bytes; roots are blue ellipses. */
#include "render/internal.h"

static void node(FILE *fp, const hs_heap *h, const hs_dom *d, uint32_t v, int highlight)
{
    char name[512], a[48], b[48], p[48];
    hs_dom_vertex_name(h, v, name, sizeof name);
    uint64_t ret = d->retained[v], total = d->retained[0];
    double share = total ? (double)ret / (double)total : 0;
    fprintf(fp, "  v%u [label=\"", v);
    hs_render_dot_escaped(fp, name);
    fprintf(fp, "\\nretained %s (%s)", hs_render_bytes(a, sizeof a, ret),
            hs_render_share(p, sizeof p, (double)ret, (double)total));
    if (hs_dom_is_object(d, v))
        fprintf(fp, "\\nsize %s", hs_render_bytes(b, sizeof b, hs_heap_size(h, hs_dom_object_of(d, v))));
    fprintf(fp, "\", fontsize=%d%s%s];\n", 10 + (int)(14 * share),
            v != 0 && v <= h->n_roots ? ", shape=ellipse, color=\"#3366cc\"" : "",
            highlight ? ", style=bold, color=\"#cc3333\"" : "");
}

static void open_graph(FILE *fp, const char *file)
{
    fputs("digraph heapscan {\n  node [shape=box, fontname=\"Helvetica\"];\n", fp);
    fputs("  summary [shape=note, label=\"", fp);
    hs_render_dot_escaped(fp, file);
}

void hs_render_heap_tree_dot(FILE *out, const char *file, const hs_heap *h, const hs_dom *d,
                             const hs_dom_top *t)
{
    char a[48];
    open_graph(out, file);
    fprintf(out, "\\ndominator tree: %u of %u vertices by retained size\\nreachable %s\"];\n", t->n,
            t->n_all, hs_render_bytes(a, sizeof a, d->retained[0]));
    node(out, h, d, 0, 0);
    for (uint32_t i = 0; i < t->n; i++)
        node(out, h, d, t->v[i], 0);
    for (uint32_t i = 0; i < t->n; i++)
        fprintf(out, "  v%u -> v%u%s;\n", t->parent[i], t->v[i], t->direct[i] ? "" : " [style=dashed]");
    fputs("}\n", out);
}

void hs_render_heap_path_dot(FILE *out, const char *file, const hs_heap *h, const hs_dom *d,
                             const char *target, uint32_t obj, const hs_path *p)
{
    open_graph(out, file);
    fputs("\\nshortest path from a root to ", out);
    hs_render_dot_escaped(out, target);
    fprintf(out, "\\n%u root%s reach it\"];\n", p->n_roots_reaching,
            p->n_roots_reaching == 1 ? "" : "s");
    if (!p->n_hops) node(out, h, d, hs_dom_vertex_of_object(d, obj), 1);
    for (uint32_t i = 0; i < p->n_hops; i++)
        node(out, h, d, p->hops[i], i + 1 == p->n_hops);
    for (uint32_t i = 1; i < p->n_hops; i++)
        fprintf(out, "  v%u -> v%u;\n", p->hops[i - 1], p->hops[i]);
    fputs("}\n", out);
}
