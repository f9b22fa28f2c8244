/* `heapscan info` for heap models: format, objects, reachable and unreachable
 * counts and bytes, roots by kind, types, sites, references, the allocator
 * summary when the reader knew it, and every info line of the reader, as text
 * or JSON. Info keys that repeat get " (2)", " (3)" ... so JSON keys stay unique. */
#include <string.h>

#include "heap_cli.h"

static void json_cs(FILE *fp, const char *key, uint64_t count, uint64_t size)
{
    fprintf(fp, "\"%s\": {\"count\": %llu, \"size\": %llu}", key, (unsigned long long)count,
            (unsigned long long)size);
}

/* Which occurrence of its key info line i is (1 = first). */
static unsigned key_rank(const hs_heap *h, uint32_t i)
{
    unsigned k = 1;
    for (uint32_t j = 0; j < i && j < 4096; j++)
        k += h->info[j].key == h->info[i].key;
    return k;
}

static void info_key(char *buf, size_t n, const hs_heap *h, uint32_t i)
{
    unsigned k = key_rank(h, i);
    if (k > 1)
        snprintf(buf, n, "%s (%u)", hs_heap_str(h, h->info[i].key), k);
    else
        snprintf(buf, n, "%s", hs_heap_str(h, h->info[i].key));
}

static void info_json(FILE *fp, const char *file, const hs_heap *h, const hs_reach *r,
                      const uint32_t *by_kind)
{
    const hs_heap_alloc_stats *a = &h->alloc;
    fputs("{\"file\": ", fp);
    hs_render_json_string(fp, file);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, h->format);
    fputs(", ", fp);
    json_cs(fp, "objects", h->n_objects, r->live_size + r->dead_size);
    fputs(", ", fp);
    json_cs(fp, "reachable", r->live_count, r->live_size);
    fputs(", ", fp);
    json_cs(fp, "unreachable", r->dead_count, r->dead_size);
    fprintf(fp, ", \"roots\": {\"count\": %u", h->n_roots);
    for (unsigned k = 0; k < 5; k++)
        fprintf(fp, ", \"%s\": %u", hs_heapcli_root_kind(k), by_kind[k]);
    fprintf(fp, "}, \"references\": %u, \"types\": %u, \"sites\": %u, \"heap\": {", h->n_edges,
            h->n_types, h->n_sites);
    if (a->valid) {
        json_cs(fp, "used", a->used_count, a->used_bytes);
        fputs(", ", fp);
        json_cs(fp, "free", a->free_count, a->free_bytes);
        fputs(", ", fp);
        json_cs(fp, "mmapped", a->mmapped_count, a->mmapped_bytes);
        fprintf(fp,
                ", \"top\": %llu, \"tcache\": %llu, \"fastbin\": %llu, \"bin\": %llu, "
                "\"arenas\": %u, \"source\": \"allocator\"",
                (unsigned long long)a->top_bytes, (unsigned long long)a->tcache_count,
                (unsigned long long)a->fastbin_count, (unsigned long long)a->bin_count, a->arenas);
    } else {
        json_cs(fp, "used", h->n_objects, r->live_size + r->dead_size);
        fputs(", ", fp);
        json_cs(fp, "free", 0, 0);
        fputs(", \"source\": \"objects\"", fp);
    }
    fputs("}, \"info\": {", fp);
    for (uint32_t i = 0; i < h->n_info; i++) {
        char key[600];
        info_key(key, sizeof key, h, i);
        if (i) fputs(", ", fp);
        hs_render_json_string(fp, key);
        fputs(": ", fp);
        hs_render_json_string(fp, hs_heap_str(h, h->info[i].value));
    }
    fputs("}}\n", fp);
}

static void text_cs(FILE *fp, const char *label, uint64_t count, uint64_t size)
{
    char b[48];
    fprintf(fp, "%-14s %llu (%s)\n", label, (unsigned long long)count,
            hs_render_bytes(b, sizeof b, size));
}

static void info_text(FILE *fp, const char *file, const hs_heap *h, const hs_reach *r,
                      const uint32_t *by_kind)
{
    const hs_heap_alloc_stats *a = &h->alloc;
    char b[48];
    fprintf(fp, "%-14s %s\n%-14s %s\n", "File:", file, "Format:", h->format);
    text_cs(fp, "Objects:", h->n_objects, r->live_size + r->dead_size);
    text_cs(fp, "Reachable:", r->live_count, r->live_size);
    text_cs(fp, "Unreachable:", r->dead_count, r->dead_size);
    fprintf(fp, "%-14s %u", "Roots:", h->n_roots);
    for (unsigned k = 0, first = 1; k < 5; k++)
        if (by_kind[k])
            fprintf(fp, "%s%s %u", first ? " (" : ", ", hs_heapcli_root_kind(k), by_kind[k]),
                first = 0;
    fprintf(fp, "%s\n", h->n_roots ? ")" : "");
    fprintf(fp, "%-14s %u\n%-14s %u\n%-14s %u\n", "References:", h->n_edges, "Types:", h->n_types,
            "Sites:", h->n_sites);
    if (a->valid) {
        fputs("Allocator:\n", fp);
        text_cs(fp, "  used", a->used_count, a->used_bytes);
        text_cs(fp, "  free", a->free_count, a->free_bytes);
        text_cs(fp, "  mmapped", a->mmapped_count, a->mmapped_bytes);
        fprintf(fp, "  %-12s %s\n", "top", hs_render_bytes(b, sizeof b, a->top_bytes));
        fprintf(fp, "  %-12s tcache %llu, fastbin %llu, bin %llu\n", "free chunks",
                (unsigned long long)a->tcache_count, (unsigned long long)a->fastbin_count,
                (unsigned long long)a->bin_count);
        fprintf(fp, "  %-12s %u\n", "arenas", a->arenas);
    }
    if (h->n_info) fputs("Info:\n", fp);
    for (uint32_t i = 0; i < h->n_info; i++) {
        char key[600];
        info_key(key, sizeof key, h, i);
        fprintf(fp, "  %s: %s\n", key, hs_heap_str(h, h->info[i].value));
    }
}

int hs_heap_cmd_info(const hs_cli_opts *o, hs_model *m, hs_output *out)
{
    const hs_heap *h = &m->heap;
    int rc = hs_heapcli_format_ok(o, "info", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON));
    if (rc) return rc;
    hs_reach r;
    hs_error e;
    if (hs_reach_compute(h, &r, &e)) return hs_cli_fail(&e);
    uint32_t by_kind[5] = {0};
    for (uint32_t i = 0; i < h->n_roots; i++)
        by_kind[h->root_kind[i] < 5 ? h->root_kind[i] : 4]++;
    if (o->format == HS_FMT_JSON)
        info_json(out->fp, o->args[0], h, &r, by_kind);
    else
        info_text(out->fp, o->args[0], h, &r, by_kind);
    hs_reach_free(&r);
    return HS_EXIT_OK;
}
