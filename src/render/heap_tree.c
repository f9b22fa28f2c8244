/* Heap `dominators` and `paths`: the dominator tree in display order (from
 * hs_domtree: indented text, or a flat JSON list with each node's depth)
 * and the shortest path from a root to one object (one hop a line, with the
 * offset of each pointer when the reader kept it). Vertices are named by
 * hs_dom_vertex_name in text and as {"kind", ...} objects in JSON. */
#include "render/internal.h"

/* The members of a vertex's JSON object, from its kind on; a root's retained
 * size only when root_retained (the tree shows it, a path does not). */
static void json_vertex(FILE *fp, const hs_heap *h, const hs_dom *d, uint32_t v, int root_retained)
{
    char name[512];
    if (v == 0) {
        fputs("\"kind\": \"super-root\", \"name\": \"<all roots>\"", fp);
    } else if (v <= h->n_roots) {
        fprintf(fp, "\"kind\": \"root\", \"root_kind\": \"%s\", \"name\": ",
                hs_heap_root_kind_name(h->root_kind[v - 1]));
        hs_render_json_string(fp, hs_heap_str(h, h->root_label[v - 1]));
        if (!root_retained) return;
    } else {
        uint32_t o = hs_dom_object_of(d, v);
        fprintf(fp, "\"kind\": \"object\", \"address\": \"0x%llx\", \"name\": ",
                (unsigned long long)hs_heap_addr(h, o));
        hs_render_json_string(fp, hs_group_object_name(h, o, HS_GROUP_OBJECT, name, sizeof name));
        fprintf(fp, ", \"size\": %llu", (unsigned long long)hs_heap_size(h, o));
    }
    fprintf(fp, ", \"retained\": %llu", (unsigned long long)d->retained[v]);
}

static void node_json(FILE *fp, const hs_heap *h, const hs_dom *d, const hs_domtree_node *e,
                      int first)
{
    fprintf(fp, "%s  {\"depth\": %u, ", first ? "\n" : ",\n", e->depth);
    if (e->v == HS_NONE)
        fprintf(fp, "\"kind\": \"more\", \"count\": %llu, \"retained\": %llu",
                (unsigned long long)e->more_count, (unsigned long long)e->more_bytes);
    else json_vertex(fp, h, d, e->v, 1);
    fputc('}', fp);
}

static void node_text(FILE *fp, const hs_heap *h, const hs_dom *d, const hs_domtree_node *e)
{
    char name[512], a[48], b[48], p[48];
    uint64_t total = d->retained[0];
    if (e->v == HS_NONE) {
        fprintf(fp, "%12s %6s  %*s... %llu more\n", hs_render_bytes(a, sizeof a, e->more_bytes),
                hs_render_share(p, sizeof p, (double)e->more_bytes, (double)total),
                (int)(2 * e->depth), "", (unsigned long long)e->more_count);
        return;
    }
    hs_dom_vertex_name(h, e->v, name, sizeof name);
    fprintf(fp, "%12s %6s  %*s%s", hs_render_bytes(a, sizeof a, d->retained[e->v]),
            hs_render_share(p, sizeof p, (double)d->retained[e->v], (double)total),
            (int)(2 * e->depth), "", name);
    if (hs_dom_is_object(d, e->v))
        fprintf(fp, " [%s]", hs_render_bytes(b, sizeof b, hs_heap_size(h, hs_dom_object_of(d, e->v))));
    fputc('\n', fp);
}

void hs_render_heap_dominators(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                               const hs_dom *d, const hs_domtree *t)
{
    char a[48], b[48];
    uint32_t live = d->n_reached - 1 - d->n_roots;
    if (f == HS_FMT_JSON) {
        fputs("{\"file\": ", out);
        hs_render_json_string(out, file);
        fputs(", \"format\": ", out);
        hs_render_json_string(out, h->format);
        fputs(", ", out);
        hs_render_json_count_size(out, "reachable", live, d->retained[0]);
        fprintf(out, ", \"depth\": %u, \"min_retained\": %llu, \"nodes\": [", t->depth,
                (unsigned long long)t->min_retained);
        for (uint32_t i = 0; i < t->n; i++)
            node_json(out, h, d, &t->nodes[i], i == 0);
        fputs("\n]}\n", out);
        return;
    }
    fprintf(out,
            "File: %s\nFormat: %s\nReachable: %u objects (%s); showing %u levels, "
            "nodes retaining >= %s\n%12s %6s  %s\n",
            file, h->format, live, hs_render_bytes(a, sizeof a, d->retained[0]), t->depth,
            hs_render_bytes(b, sizeof b, t->min_retained), "retained", "%", "vertex [size]");
    for (uint32_t i = 0; i < t->n; i++)
        node_text(out, h, d, &t->nodes[i]);
}

static void paths_json(FILE *fp, const char *file, const hs_heap *h, const hs_dom *d,
                       uint32_t obj, const hs_path *p)
{
    fputs("{\"file\": ", fp);
    hs_render_json_string(fp, file);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, h->format);
    fputs(", \"target\": {", fp);
    json_vertex(fp, h, d, hs_dom_vertex_of_object(d, obj), 0);
    fprintf(fp, "}, \"reachable\": %s, \"hops\": [", p->n_hops ? "true" : "false");
    for (uint32_t i = 0; i < p->n_hops; i++) {
        uint32_t via = i ? hs_path_hop_offset(h, p, i) : HS_NONE;
        fputs(i ? ",\n  {" : "\n  {", fp);
        if (via != HS_NONE) fprintf(fp, "\"via_offset\": %u, ", via);
        json_vertex(fp, h, d, p->hops[i], 0);
        fputc('}', fp);
    }
    fprintf(fp, "%s], \"roots_reaching\": %u, \"other_roots\": %u}\n", p->n_hops ? "\n" : "",
            p->n_roots_reaching, p->n_roots_reaching ? p->n_roots_reaching - 1 : 0);
}

static void paths_text(FILE *fp, const hs_heap *h, const hs_dom *d, uint32_t obj, const hs_path *p)
{
    char name[512], a[48], b[48];
    uint32_t t = hs_dom_vertex_of_object(d, obj);
    fprintf(fp, "Target: %s [size %s, retained %s]\n", hs_dom_vertex_name(h, t, name, sizeof name),
            hs_render_bytes(a, sizeof a, hs_heap_size(h, obj)),
            hs_render_bytes(b, sizeof b, d->retained[t]));
    if (!p->n_hops) {
        fputs("Unreachable: no root reaches this object (garbage, or leaked).\n", fp);
        return;
    }
    fprintf(fp, "Shortest path from a root (%u reference%s):\n", p->n_hops - 1,
            p->n_hops == 2 ? "" : "s");
    fprintf(fp, "  root %s\n", hs_dom_vertex_name(h, p->hops[0], name, sizeof name));
    for (uint32_t i = 1; i < p->n_hops; i++) {
        uint32_t off = hs_path_hop_offset(h, p, i);
        char via[48] = "";
        if (off != HS_NONE) snprintf(via, sizeof via, "  (pointer at +0x%x)", off);
        fprintf(fp, "  -> %s [%s]%s\n", hs_dom_vertex_name(h, p->hops[i], name, sizeof name),
                hs_render_bytes(a, sizeof a, hs_heap_size(h, hs_dom_object_of(d, p->hops[i]))),
                via);
    }
    fprintf(fp, "Roots reaching it: %u (%u other%s)\n", p->n_roots_reaching,
            p->n_roots_reaching - 1, p->n_roots_reaching == 2 ? "" : "s");
}

void hs_render_heap_paths(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                          const hs_dom *d, uint32_t obj, const hs_path *p)
{
    if (f == HS_FMT_JSON) paths_json(out, file, h, d, obj, p);
    else paths_text(out, h, d, obj, p);
}
