/* Heap model storage. (Builder phases are documented in heap.h.) */
#include "heapscan/heap.h"

#include <stdlib.h>
#include <string.h>

void hs_heap_init(hs_heap *h, const char *format)
{
    memset(h, 0, sizeof *h);
    hs_strtab_init(&h->strings);
    strncpy(h->format, format, sizeof h->format - 1);
}

void hs_heap_free(hs_heap *h)
{
    hs_strtab_free(&h->strings);
    free(h->addr);
    free(h->size);
    free(h->type);
    free(h->site);
    free(h->flags);
    free(h->edge_start);
    free(h->edge_target);
    free(h->root_kind);
    free(h->root_label);
    free(h->root_edge_start);
    free(h->root_edge_target);
    free(h->type_name);
    free(h->site_start);
    free(h->site_frames);
    free(h->info);
    free(h->pending_);
    free(h->pending_roots_);
    memset(h, 0, sizeof *h);
}

uint32_t hs_heap_intern(hs_heap *h, const char *s, size_t len)
{
    return hs_strtab_intern(&h->strings, s, len);
}
