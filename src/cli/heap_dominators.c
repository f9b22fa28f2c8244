/* The body of `heapscan dominators`: the dominator tree as an indented text
 * tree or a flat JSON list in display order (each node with its depth), largest
 * children first, down to --depth levels and --min-retained bytes; the
 * children left out under a node are summed in one "N more" line. The walk is
 * an explicit stack of (vertex, depth) entries: no recursion. Children come
 * from the dominator tree's preorder (d->order) and subtree sizes: the first
 * child of the vertex at position p is at p + 1, the next one after the
 * subtree of the previous one, so the tree costs 4 bytes per vertex. */
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

typedef struct entry {
    uint32_t v;   /* vertex, or HS_NONE for a "more" line */
    uint32_t pos; /* v's position in d->order */
    uint32_t depth;
    uint64_t more_count, more_bytes;
} entry;

typedef struct walk {
    entry *st;
    size_t top, cap;
    uint32_t *tmp;   /* positions of the children being sorted */
    uint32_t *sub;   /* vertex -> size of its dominator subtree */
} walk;

static int push(walk *w, entry e)
{
    if (w->top == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        entry *n = realloc(w->st, ncap * sizeof *n);
        if (!n) return -1;
        w->st = n, w->cap = ncap;
    }
    w->st[w->top++] = e;
    return 0;
}

static int cmp_child(const void *x, const void *y, void *ctx)
{
    const hs_dom *d = ctx;
    uint32_t u = d->order[*(const uint32_t *)x], v = d->order[*(const uint32_t *)y];
    uint64_t a = d->retained[u], b = d->retained[v];
    if (a != b) return a > b ? -1 : 1;
    return u < v ? -1 : 1;
}

static void print_node(FILE *fp, hs_out_format fmt, const hs_heap *h, const hs_dom *d,
                       const entry *e, int first)
{
    char name[512], a[48], b[48], p[48];
    uint64_t total = d->retained[0];
    if (fmt == HS_FMT_JSON) {
        fprintf(fp, "%s  {\"depth\": %u, ", first ? "\n" : ",\n", e->depth);
        if (e->v == HS_NONE) {
            fprintf(fp, "\"kind\": \"more\", \"count\": %llu, \"retained\": %llu}",
                    (unsigned long long)e->more_count, (unsigned long long)e->more_bytes);
            return;
        }
        if (e->v == 0) {
            fputs("\"kind\": \"super-root\", \"name\": \"<all roots>\"", fp);
        } else if (e->v <= h->n_roots) {
            fprintf(fp, "\"kind\": \"root\", \"root_kind\": \"%s\", \"name\": ",
                    hs_heapcli_root_kind(h->root_kind[e->v - 1]));
            hs_render_json_string(fp, hs_heap_str(h, h->root_label[e->v - 1]));
        } else {
            uint32_t o = hs_dom_object_of(d, e->v);
            fprintf(fp, "\"kind\": \"object\", \"address\": \"0x%llx\", \"name\": ",
                    (unsigned long long)hs_heap_addr(h, o));
            hs_render_json_string(fp,
                                    hs_group_object_name(h, o, HS_GROUP_OBJECT, name, sizeof name));
            fprintf(fp, ", \"size\": %llu", (unsigned long long)hs_heap_size(h, o));
        }
        fprintf(fp, ", \"retained\": %llu}", (unsigned long long)d->retained[e->v]);
        return;
    }
    if (e->v == HS_NONE) {
        fprintf(fp, "%12s %6s  %*s... %llu more\n",
                hs_render_bytes(a, sizeof a, e->more_bytes),
                hs_heapcli_pct(p, sizeof p, (double)e->more_bytes, (double)total),
                (int)(2 * e->depth), "", (unsigned long long)e->more_count);
        return;
    }
    hs_heapcli_vertex_name(h, e->v, name, sizeof name);
    fprintf(fp, "%12s %6s  %*s%s", hs_render_bytes(a, sizeof a, d->retained[e->v]),
            hs_heapcli_pct(p, sizeof p, (double)d->retained[e->v], (double)total),
            (int)(2 * e->depth), "", name);
    if (hs_dom_is_object(d, e->v))
        fprintf(fp, " [%s]",
                hs_render_bytes(b, sizeof b, hs_heap_size(h, hs_dom_object_of(d, e->v))));
    fputc('\n', fp);
}

/* Push the children of e->v that are shown (largest popped first) and the "more" line. */
static int expand(walk *w, const hs_dom *d, const entry *e, uint64_t min)
{
    uint32_t n = 0, shown = 0, end = e->pos + w->sub[e->v];
    for (uint32_t p = e->pos + 1; p < end; p += w->sub[d->order[p]])
        w->tmp[n++] = p;
    if (n > 1) qsort_r(w->tmp, n, sizeof *w->tmp, cmp_child, (void *)d);
    entry more = {HS_NONE, 0, e->depth + 1, 0, 0};
    while (shown < n && d->retained[d->order[w->tmp[shown]]] >= min &&
           d->retained[d->order[w->tmp[shown]]])
        shown++;
    for (uint32_t i = shown; i < n; i++)
        more.more_count++, more.more_bytes += d->retained[d->order[w->tmp[i]]];
    if (more.more_count && push(w, more)) return -1;
    for (uint32_t i = shown; i-- > 0;)
        if (push(w, (entry){d->order[w->tmp[i]], w->tmp[i], e->depth + 1, 0, 0})) return -1;
    return 0;
}

/* Subtree sizes, children first (reverse preorder). */
static uint32_t *subtree_sizes(const hs_dom *d)
{
    uint32_t *sub = calloc(d->n_vertices ? d->n_vertices : 1, sizeof *sub);
    if (!sub) return NULL;
    for (uint32_t i = d->n_reached; i-- > 1;)
        sub[d->order[i]]++, sub[d->idom[d->order[i]]] += sub[d->order[i]];
    sub[0]++;
    return sub;
}

static int parse_min(const hs_cli_opts *o, uint64_t reachable, uint64_t *min)
{
    const char *s = o->min_retained ? o->min_retained : "1%";
    size_t len = strlen(s);
    if (len && s[len - 1] == '%') {
        char *end;
        double pct = strtod(s, &end);
        if (end != s + len - 1 || pct < 0 || pct > 100) return -1;
        *min = (uint64_t)((double)reachable * pct / 100.0);
        return 0;
    }
    return hs_size_parse(s, min);
}

int hs_heapcli_dominators(const hs_cli_opts *o, hs_model *m, hs_output *out)
{
    const hs_heap *h = &m->heap;
    int rc = hs_heapcli_format_ok(o, "dominators", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON));
    if (rc) return rc;
    hs_dom d;
    hs_error e;
    if (hs_dom_build(h, &d, &e)) return hs_cli_fail(&e);
    hs_heap_drop_refs(&m->heap); /* nothing below follows references */
    uint64_t min;
    if (parse_min(o, d.retained[0], &min)) {
        hs_dom_free(&d);
        return hs_cli_failf("dominators: bad --min-retained '%s' (a size like 64KiB, or 0.5%%)",
                            o->min_retained);
    }
    uint32_t depth = o->depth_set ? (uint32_t)(o->depth > 1000000 ? 1000000 : o->depth) : 6;
    walk w = {0};
    w.sub = subtree_sizes(&d);
    w.tmp = malloc((size_t)(d.n_reached ? d.n_reached : 1) * sizeof *w.tmp);
    FILE *fp = out->fp;
    char a[48], b[48];
    if (o->format == HS_FMT_JSON) {
        fputs("{\"file\": ", fp);
        hs_render_json_string(fp, o->args[0]);
        fputs(", \"format\": ", fp);
        hs_render_json_string(fp, h->format);
        fprintf(fp,
                ", \"reachable\": {\"count\": %u, \"size\": %llu}, \"depth\": %u, "
                "\"min_retained\": %llu, \"nodes\": [",
                d.n_reached - 1 - d.n_roots, (unsigned long long)d.retained[0], depth,
                (unsigned long long)min);
    } else {
        fprintf(fp,
                "File: %s\nFormat: %s\nReachable: %u objects (%s); showing %u levels, "
                "nodes retaining >= %s\n%12s %6s  %s\n",
                o->args[0], h->format, d.n_reached - 1 - d.n_roots,
                hs_render_bytes(a, sizeof a, d.retained[0]), depth,
                hs_render_bytes(b, sizeof b, min), "retained", "%", "vertex [size]");
    }
    rc = !w.tmp || !w.sub || push(&w, (entry){0, 0, 0, 0, 0});
    for (int first = 1; !rc && w.top; first = 0) {
        entry en = w.st[--w.top];
        print_node(fp, o->format, h, &d, &en, first);
        if (en.v != HS_NONE && en.depth < depth) rc = expand(&w, &d, &en, min);
    }
    if (o->format == HS_FMT_JSON) fputs("\n]}\n", fp);
    free(w.st), free(w.tmp), free(w.sub);
    hs_dom_free(&d);
    return rc ? hs_cli_failf("dominators: out of memory") : HS_EXIT_OK;
}
