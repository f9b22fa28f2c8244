/* The goroutine model's builder (see heapscan/goroutines.h): two growing
 * arrays, records and frames; a frame belongs to the last record added, so
 * records' frame runs are contiguous and in order. */
#include "heapscan/goroutines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hs_goroutines_init(hs_goroutines *m, const char *format)
{
    memset(m, 0, sizeof *m);
    snprintf(m->format, sizeof m->format, "%s", format);
    hs_strtab_init(&m->strings);
}

void hs_goroutines_free(hs_goroutines *m)
{
    hs_strtab_free(&m->strings);
    free(m->g);
    free(m->frames);
    free(m->stack_roots);
    memset(m, 0, sizeof *m);
}

static int cmp_label(const void *a, const void *b)
{
    const hs_gr_label *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

uint32_t hs_goroutines_labels(hs_goroutines *m, hs_gr_label *pairs, uint32_t n)
{
    if (!n) return 0;
    qsort(pairs, n, sizeof *pairs, cmp_label);
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++)
        len += pairs[i].key_len + pairs[i].value_len + 2;
    char *s = malloc(len);
    if (!s) return HS_STR_NONE;
    size_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i) s[at++] = ',';
        memcpy(s + at, pairs[i].key, pairs[i].key_len);
        at += pairs[i].key_len;
        s[at++] = '=';
        memcpy(s + at, pairs[i].value, pairs[i].value_len);
        at += pairs[i].value_len;
    }
    uint32_t id = hs_strtab_intern(&m->strings, s, at);
    free(s);
    return id;
}

/* Room for one more of `size` bytes in *arr holding *n of *cap. */
static int grow(void **arr, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap) return 0;
    if (*cap >= UINT32_MAX / 2) return -1;
    uint32_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, (size_t)c * size);
    if (!p) return -1;
    *arr = p;
    *cap = c;
    return 0;
}

uint32_t hs_goroutines_add(hs_goroutines *m, const hs_goroutine *g)
{
    if (grow((void **)&m->g, m->n, &m->cap, sizeof *m->g)) return HS_NONE_GR;
    m->g[m->n] = *g;
    m->g[m->n].frame_start = m->n_frames;
    m->g[m->n].n_frames = 0;
    m->total += g->count;
    return m->n++;
}

int hs_goroutines_add_frame(hs_goroutines *m, hs_gr_frame f)
{
    if (m->n == 0 || grow((void **)&m->frames, m->n_frames, &m->cap_frames, sizeof f)) return -1;
    m->frames[m->n_frames++] = f;
    m->g[m->n - 1].n_frames++;
    return 0;
}

int hs_goroutines_add_root(hs_goroutines *m, uint32_t i, uint32_t root)
{
    if (root == HS_NONE_GR) return 0;
    if (grow((void **)&m->stack_roots, m->n_stack_roots, &m->cap_stack_roots,
             sizeof *m->stack_roots))
        return -1;
    m->stack_roots[m->n_stack_roots++] = (hs_gr_stack_root){root, i};
    return 0;
}

int hs_goroutines_frame_shown(const char *fn)
{
    if (!strchr(fn, '.')) return 0;
    if (strncmp(fn, "runtime.", 8) != 0) return 1;
    return fn[8] >= 'A' && fn[8] <= 'Z';
}
