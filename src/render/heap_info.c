/* Heap `info`: format, objects, reachable and unreachable counts and bytes,
 * roots by kind, types, sites (as top counts them) and allocation stacks,
 * references, the allocator summary when the
 * reader knew it, and every info line of the reader, as text or JSON. Info
 * keys that repeat get " (2)", " (3)" ... so JSON keys stay unique. */
#include "render/internal.h"

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
    if (k > 1) snprintf(buf, n, "%s (%u)", hs_heap_str(h, h->info[i].key), k);
    else snprintf(buf, n, "%s", hs_heap_str(h, h->info[i].key));
}

static void roots_by_kind(const hs_heap *h, uint32_t by_kind[5])
{
    for (unsigned k = 0; k < 5; k++)
        by_kind[k] = 0;
    for (uint32_t i = 0; i < h->n_roots; i++)
        by_kind[h->root_kind[i] < 5 ? h->root_kind[i] : 4]++;
}

static void json_allocator(FILE *fp, const hs_heap *h, const hs_reach *r)
{
    const hs_heap_alloc_stats *a = &h->alloc;
    if (!a->valid) {
        hs_render_json_count_size(fp, "used", h->n_objects, r->live_size + r->dead_size);
        fputs(", ", fp);
        hs_render_json_count_size(fp, "free", 0, 0);
        fputs(", \"source\": \"objects\"", fp);
        return;
    }
    hs_render_json_count_size(fp, "used", a->used_count, a->used_bytes);
    fputs(", ", fp);
    hs_render_json_count_size(fp, "free", a->free_count, a->free_bytes);
    fputs(", ", fp);
    hs_render_json_count_size(fp, "mmapped", a->mmapped_count, a->mmapped_bytes);
    fprintf(fp,
            ", \"top\": %llu, \"tcache\": %llu, \"fastbin\": %llu, \"bin\": %llu, "
            "\"arenas\": %u, \"source\": \"allocator\"",
            (unsigned long long)a->top_bytes, (unsigned long long)a->tcache_count,
            (unsigned long long)a->fastbin_count, (unsigned long long)a->bin_count, a->arenas);
}

static void info_json(FILE *fp, const char *file, const hs_heap *h, const hs_reach *r,
                      uint32_t sites)
{
    uint32_t by_kind[5];
    roots_by_kind(h, by_kind);
    fputs("{\"file\": ", fp);
    hs_render_json_string(fp, file);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, h->format);
    fputs(", ", fp);
    hs_render_json_count_size(fp, "objects", h->n_objects, r->live_size + r->dead_size);
    fputs(", ", fp);
    hs_render_json_count_size(fp, "reachable", r->live_count, r->live_size);
    fputs(", ", fp);
    hs_render_json_count_size(fp, "unreachable", r->dead_count, r->dead_size);
    fprintf(fp, ", \"roots\": {\"count\": %u", h->n_roots);
    for (unsigned k = 0; k < 5; k++)
        fprintf(fp, ", \"%s\": %u", hs_heap_root_kind_name(k), by_kind[k]);
    fprintf(fp,
            "}, \"references\": %u, \"types\": %u, \"sites\": %u, \"stacks\": %u, "
            "\"heap\": {",
            h->n_edges, h->n_types, sites, h->n_sites);
    json_allocator(fp, h, r);
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

static void text_allocator(FILE *fp, const hs_heap_alloc_stats *a)
{
    char b[48];
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

static void info_text(FILE *fp, const char *file, const hs_heap *h, const hs_reach *r,
                      uint32_t sites)
{
    uint32_t by_kind[5];
    roots_by_kind(h, by_kind);
    fprintf(fp, "%-14s %s\n%-14s %s\n", "File:", file, "Format:", h->format);
    text_cs(fp, "Objects:", h->n_objects, r->live_size + r->dead_size);
    text_cs(fp, "Reachable:", r->live_count, r->live_size);
    text_cs(fp, "Unreachable:", r->dead_count, r->dead_size);
    fprintf(fp, "%-14s %u", "Roots:", h->n_roots);
    for (unsigned k = 0, first = 1; k < 5; k++)
        if (by_kind[k])
            fprintf(fp, "%s%s %u", first ? " (" : ", ", hs_heap_root_kind_name(k), by_kind[k]),
                first = 0;
    fprintf(fp, "%s\n", h->n_roots ? ")" : "");
    fprintf(fp, "%-14s %u\n%-14s %u\n%-14s %u", "References:", h->n_edges, "Types:", h->n_types,
            "Sites:", sites);
    if (h->n_sites) fprintf(fp, " (%u allocation stacks)", h->n_sites);
    fputc('\n', fp);
    if (h->alloc.valid) text_allocator(fp, &h->alloc);
    if (h->n_info) fputs("Info:\n", fp);
    for (uint32_t i = 0; i < h->n_info; i++) {
        char key[600];
        info_key(key, sizeof key, h, i);
        fprintf(fp, "  %s: %s\n", key, hs_heap_str(h, h->info[i].value));
    }
}

void hs_render_heap_info(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                         const hs_reach *r, uint32_t sites)
{
    if (f == HS_FMT_JSON) info_json(out, file, h, r, sites);
    else info_text(out, file, h, r, sites);
}
