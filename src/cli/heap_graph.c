/* `heapscan graph` for heap models: Graphviz DOT of the dominator tree's
 * --nodecount largest vertices by retained size (each drawn under its nearest
 * drawn dominator; a dashed edge skips undrawn ones), or with --paths ADDR the
 * shortest path from a root to that object. Labels carry retained and shallow
 * size; font size grows with the share of reachable bytes. */
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

static void node(FILE *fp, const hs_heap *h, const hs_dom *d, uint32_t v, int highlight)
{
    char name[512], a[48], b[48], p[48];
    hs_heapcli_vertex_name(h, v, name, sizeof name);
    uint64_t ret = d->retained[v], total = d->retained[0];
    double share = total ? (double)ret / (double)total : 0;
    fprintf(fp, "  v%u [label=\"", v);
    hs_render_dot_escaped(fp, name);
    fprintf(fp, "\\nretained %s (%s)", hs_render_bytes(a, sizeof a, ret),
            hs_heapcli_pct(p, sizeof p, (double)ret, (double)total));
    if (hs_dom_is_object(d, v))
        fprintf(fp, "\\nsize %s",
                hs_render_bytes(b, sizeof b, hs_heap_size(h, v - 1 - h->n_roots)));
    fprintf(fp, "\", fontsize=%d%s%s];\n", 10 + (int)(14 * share),
            v != 0 && v <= h->n_roots ? ", shape=ellipse, color=\"#3366cc\"" : "",
            highlight ? ", style=bold, color=\"#cc3333\"" : "");
}

static int cmp_ret_r(const void *x, const void *y, void *ctx)
{
    const uint64_t *r = ctx;
    uint64_t a = r[*(const uint32_t *)x], b = r[*(const uint32_t *)y];
    if (a != b) return a > b ? -1 : 1;
    return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

static int tree_graph(FILE *fp, const hs_cli_opts *o, const hs_heap *h, const hs_dom *d)
{
    uint32_t n = d->n_reached - 1,
             k = o->nodecount > 0 && (uint64_t)o->nodecount < n ? (uint32_t)o->nodecount : n;
    uint32_t *cand = malloc((size_t)(n ? n : 1) * sizeof *cand);
    uint8_t *sel = calloc(d->n_vertices, 1);
    if (!cand || !sel) {
        free(cand), free(sel);
        return hs_cli_failf("graph: out of memory");
    }
    memcpy(cand, d->order + 1, (size_t)n * sizeof *cand);
    if (n > 1) qsort_r(cand, n, sizeof *cand, cmp_ret_r, d->retained);
    char a[48];
    fputs("digraph heapscan {\n  node [shape=box, fontname=\"Helvetica\"];\n", fp);
    fputs("  summary [shape=note, label=\"", fp);
    hs_render_dot_escaped(fp, o->args[0]);
    fprintf(fp, "\\ndominator tree: %u of %u vertices by retained size\\nreachable %s\"];\n", k, n,
            hs_render_bytes(a, sizeof a, d->retained[0]));
    sel[0] = 1;
    node(fp, h, d, 0, 0);
    for (uint32_t i = 0; i < k; i++)
        sel[cand[i]] = 1, node(fp, h, d, cand[i], 0);
    for (uint32_t i = 0; i < k; i++) {
        uint32_t v = cand[i], p = d->idom[v];
        while (!sel[p])
            p = d->idom[p];
        fprintf(fp, "  v%u -> v%u%s;\n", p, v, p == d->idom[v] ? "" : " [style=dashed]");
    }
    fputs("}\n", fp);
    free(cand), free(sel);
    return HS_EXIT_OK;
}

static int path_graph(FILE *fp, const hs_cli_opts *o, const hs_heap *h, const hs_dom *d)
{
    uint32_t obj = hs_heapcli_resolve(h, d, o->paths);
    if (obj == HS_NONE) return HS_EXIT_USAGE;
    hs_path p;
    hs_error e;
    if (hs_path_find(h, obj, &p, &e)) return hs_cli_fail(&e);
    fputs("digraph heapscan {\n  node [shape=box, fontname=\"Helvetica\"];\n", fp);
    fputs("  summary [shape=note, label=\"", fp);
    hs_render_dot_escaped(fp, o->args[0]);
    fprintf(fp, "\\nshortest path from a root to %s\\n%u root%s reach it\"];\n", o->paths,
            p.n_roots_reaching, p.n_roots_reaching == 1 ? "" : "s");
    uint32_t t = hs_dom_vertex_of_object(d, obj);
    if (!p.n_hops) node(fp, h, d, t, 1);
    for (uint32_t i = 0; i < p.n_hops; i++)
        node(fp, h, d, p.hops[i], i + 1 == p.n_hops);
    for (uint32_t i = 1; i < p.n_hops; i++)
        fprintf(fp, "  v%u -> v%u;\n", p.hops[i - 1], p.hops[i]);
    fputs("}\n", fp);
    hs_path_free(&p);
    return HS_EXIT_OK;
}

int hs_heap_cmd_graph(const hs_cli_opts *o, hs_model *m, hs_output *out)
{
    int rc = hs_heapcli_format_ok(o, "graph", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_DOT));
    if (rc) return rc;
    hs_dom d;
    hs_error e;
    if (hs_dom_build(&m->heap, &d, &e)) return hs_cli_fail(&e);
    rc = o->paths ? path_graph(out->fp, o, &m->heap, &d) : tree_graph(out->fp, o, &m->heap, &d);
    hs_dom_free(&d);
    return rc;
}
