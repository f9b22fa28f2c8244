/* The body of `heapscan paths`: the shortest chain of references from a root
 * to one object (ADDR, interior pointers allowed, or a type/site name: the
 * member that retains most), one hop a line, and how many roots reach it.
 * Each hop names the offset of the pointer inside its source (object,
 * variable or stack frame) when the reader recorded it. */
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

/* Byte offset of the pointer from hop i-1 to hop i, or HS_NONE. */
static uint32_t hop_offset(const hs_heap *h, const hs_dom *d, const hs_path *p, uint32_t i)
{
    uint32_t from = p->hops[i - 1], to = hs_dom_object_of(d, p->hops[i]);
    if (from <= h->n_roots) return hs_heap_root_ref_offset(h, from - 1, to);
    return hs_heap_ref_offset(h, hs_dom_object_of(d, from), to);
}

/* One vertex as a JSON object; via is the offset of the pointer that leads
 * here from the previous hop ("via_offset"), HS_NONE to leave it out. */
static void paths_vertex(FILE *fp, const hs_heap *h, const hs_dom *d, uint32_t v, uint32_t via)
{
    if (via != HS_NONE) fprintf(fp, "{\"via_offset\": %u, ", via);
    else fputc('{', fp);
    char name[512];
    if (v <= h->n_roots) {
        fprintf(fp, "\"kind\": \"root\", \"root_kind\": \"%s\", \"name\": ",
                hs_heapcli_root_kind(h->root_kind[v - 1]));
        hs_render_json_string(fp, hs_heap_str(h, h->root_label[v - 1]));
        fputs("}", fp);
        return;
    }
    uint32_t o = hs_dom_object_of(d, v);
    fprintf(fp, "\"kind\": \"object\", \"address\": \"0x%llx\", \"name\": ",
            (unsigned long long)hs_heap_addr(h, o));
    hs_render_json_string(fp, hs_group_object_name(h, o, HS_GROUP_OBJECT, name, sizeof name));
    fprintf(fp, ", \"size\": %llu, \"retained\": %llu}", (unsigned long long)hs_heap_size(h, o),
            (unsigned long long)d->retained[v]);
}

static void paths_json(FILE *fp, const hs_cli_opts *o, const hs_heap *h, const hs_dom *d,
                       uint32_t obj, const hs_path *p)
{
    fputs("{\"file\": ", fp);
    hs_render_json_string(fp, o->args[0]);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, h->format);
    fputs(", \"target\": ", fp);
    paths_vertex(fp, h, d, hs_dom_vertex_of_object(d, obj), HS_NONE);
    fprintf(fp, ", \"reachable\": %s, \"hops\": [", p->n_hops ? "true" : "false");
    for (uint32_t i = 0; i < p->n_hops; i++) {
        fputs(i ? ",\n  " : "\n  ", fp);
        paths_vertex(fp, h, d, p->hops[i], i ? hop_offset(h, d, p, i) : HS_NONE);
    }
    fprintf(fp, "%s], \"roots_reaching\": %u, \"other_roots\": %u}\n", p->n_hops ? "\n" : "",
            p->n_roots_reaching, p->n_roots_reaching ? p->n_roots_reaching - 1 : 0);
}

static void paths_text(FILE *fp, const hs_heap *h, const hs_dom *d, uint32_t obj, const hs_path *p)
{
    char name[512], a[48], b[48];
    uint32_t t = hs_dom_vertex_of_object(d, obj);
    fprintf(fp, "Target: %s [size %s, retained %s]\n",
            hs_heapcli_vertex_name(h, t, name, sizeof name),
            hs_render_bytes(a, sizeof a, hs_heap_size(h, obj)),
            hs_render_bytes(b, sizeof b, d->retained[t]));
    if (!p->n_hops) {
        fputs("Unreachable: no root reaches this object (garbage, or leaked).\n", fp);
        return;
    }
    fprintf(fp, "Shortest path from a root (%u reference%s):\n", p->n_hops - 1,
            p->n_hops == 2 ? "" : "s");
    for (uint32_t i = 0; i < p->n_hops; i++) {
        hs_heapcli_vertex_name(h, p->hops[i], name, sizeof name);
        if (i == 0)
            fprintf(fp, "  root %s\n", name);
        else {
            uint32_t off = hop_offset(h, d, p, i);
            char via[48] = "";
            if (off != HS_NONE) snprintf(via, sizeof via, "  (pointer at +0x%x)", off);
            fprintf(fp, "  -> %s [%s]%s\n", name,
                    hs_render_bytes(a, sizeof a, hs_heap_size(h, hs_dom_object_of(d, p->hops[i]))),
                    via);
        }
    }
    fprintf(fp, "Roots reaching it: %u (%u other%s)\n", p->n_roots_reaching,
            p->n_roots_reaching - 1, p->n_roots_reaching == 2 ? "" : "s");
}

int hs_heapcli_paths(const hs_cli_opts *o, hs_model *m, hs_output *out)
{
    const hs_heap *h = &m->heap;
    int rc = hs_heapcli_format_ok(o, "paths", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON));
    if (rc) return rc;
    hs_dom d;
    hs_error e;
    if (hs_dom_build(h, &d, &e)) return hs_cli_fail(&e);
    uint32_t obj = hs_heapcli_resolve(h, &d, o->args[1]);
    hs_path p;
    if (obj == HS_NONE)
        rc = HS_EXIT_USAGE;
    else if (hs_path_find(h, obj, &p, &e))
        rc = hs_cli_fail(&e);
    if (!rc) {
        if (o->format == HS_FMT_JSON)
            paths_json(out->fp, o, h, &d, obj, &p);
        else
            paths_text(out->fp, h, &d, obj, &p);
        hs_path_free(&p);
    }
    hs_dom_free(&d);
    return rc;
}
