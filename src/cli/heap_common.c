/* Helpers shared by the heap commands: loading a heap model, the --by/--sort
 * defaults, naming dominator vertices, resolving ADDR|NAME arguments and
 * percentages. Nothing here keeps state between calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

int hs_heapcli_load(const hs_cli_opts *o, int i, const char *cmd, hs_model *m)
{
    if (hs_cli_load(o->args[i], o, m)) return HS_EXIT_USAGE;
    if (m->kind != HS_MODEL_HEAP) {
        hs_model_free(m);
        return hs_cli_failf("%s: '%s' is a profile, not a heap dump or core (%s needs a heap)",
                            o->args[i], cmd, cmd);
    }
    return HS_EXIT_OK;
}

int hs_heapcli_by_sort(const hs_cli_opts *o, const hs_heap *h, int def_type, hs_group_by *by,
                       hs_group_sort *sort)
{
    /* Sites when the heap has allocation stacks (Go dumps); types otherwise (cores). */
    *by = (def_type || h->n_sites == 0) && h->n_types ? HS_GROUP_TYPE : HS_GROUP_SITE;
    *sort = HS_SORT_RETAINED;
    if (o->by && hs_group_parse_by(o->by, by))
        return hs_cli_failf("unknown --by '%s' (site, type, root or object)", o->by);
    if (o->sort && hs_group_parse_sort(o->sort, sort))
        return hs_cli_failf("unknown --sort '%s' (retained, size or count)", o->sort);
    return HS_EXIT_OK;
}

const char *hs_heapcli_root_kind(unsigned kind)
{
    static const char *names[] = {"global", "stack", "register", "finalizer", "other"};
    return kind < 5 ? names[kind] : "other";
}

const char *hs_heapcli_vertex_name(const hs_heap *h, uint32_t v, char *buf, unsigned size)
{
    if (v == 0) {
        snprintf(buf, size, "<all roots>");
    } else if (v <= h->n_roots) {
        snprintf(buf, size, "%s (%s)", hs_heap_str(h, h->root_label[v - 1]),
                 hs_heapcli_root_kind(h->root_kind[v - 1]));
    } else if (v - 1 - h->n_roots < h->n_objects) {
        uint32_t o = v - 1 - h->n_roots;
        char name[256];
        hs_group_object_name(h, o, HS_GROUP_OBJECT, name, sizeof name);
        snprintf(buf, size, "0x%llx %s", (unsigned long long)hs_heap_addr(h, o), name);
    } else {
        snprintf(buf, size, "leak root %u", v - 1 - h->n_roots); /* pseudo-roots */
    }
    return buf;
}

uint32_t hs_heapcli_resolve(const hs_heap *h, const hs_dom *d, const char *arg)
{
    if (strncmp(arg, "0x", 2) == 0 || strncmp(arg, "0X", 2) == 0) {
        char *end;
        errno = 0;
        unsigned long long p = strtoull(arg + 2, &end, 16);
        if (errno || end == arg + 2 || *end) {
            hs_cli_failf("bad address '%s'", arg);
            return HS_NONE;
        }
        uint32_t o = hs_heap_find(h, p);
        if (o == HS_NONE) hs_cli_failf("no object contains address %s", arg);
        return o;
    }
    uint32_t best = HS_NONE;
    char buf[256];
    for (uint32_t i = 0; i < h->n_objects; i++) {
        int match = strcmp(hs_group_object_name(h, i, HS_GROUP_TYPE, buf, sizeof buf), arg) == 0 ||
                    strcmp(hs_group_object_name(h, i, HS_GROUP_SITE, buf, sizeof buf), arg) == 0;
        if (!match) continue;
        if (best == HS_NONE || (d && d->retained[hs_dom_vertex_of_object(d, i)] >
                                         d->retained[hs_dom_vertex_of_object(d, best)]))
            best = i;
    }
    if (best == HS_NONE) hs_cli_failf("no object at address or named '%s'", arg);
    return best;
}

const char *hs_heapcli_pct(char *buf, unsigned size, double part, double whole)
{
    if (whole == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f%%", 100.0 * part / whole);
    return buf;
}

int hs_heapcli_format_ok(const hs_cli_opts *o, const char *cmd, unsigned allowed_mask)
{
    static const char *names[] = {"text", "json", "csv", "dot"};
    if (allowed_mask & HS_FMTBIT(o->format)) return HS_EXIT_OK;
    return hs_cli_failf("%s: --format %s is not available here", cmd, names[o->format]);
}

int hs_heapcli_run(const hs_cli_opts *o, const char *cmd,
                   int (*body)(const hs_cli_opts *o, hs_model *m, hs_output *out))
{
    hs_model m;
    int rc = hs_heapcli_load(o, 0, cmd, &m);
    if (rc) return rc;
    hs_output out;
    if (hs_output_open(&out, o->output)) {
        hs_model_free(&m);
        return HS_EXIT_USAGE;
    }
    rc = hs_output_finish(&out, body(o, &m, &out));
    hs_model_free(&m);
    return rc;
}
