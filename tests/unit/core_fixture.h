/* Shared by the core tests: load testdata/cores/NAME.* (core, sidecar JSON
 * written by the program itself, its binary for symbols), a simple
 * reachability pass (the real one lives in src/analysis), and counting
 * helpers. Expected numbers come from the sidecar or from construction. */
#ifndef HS_TEST_CORE_FIXTURE_H
#define HS_TEST_CORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfcore.h"
#include "heapscan/reader.h"

typedef struct fixture {
    hs_source core;  /* gunzipped core bytes */
    char binary[64]; /* the test program, gunzipped to a temp file */
    hs_source sidecar;
} fixture;

static inline void fixture_open(fixture *f, const char *name)
{
    char path[1024];
    hs_error e;
    snprintf(path, sizeof path, "%s/testdata/cores/%s.core.gz", HS_SOURCE_DIR, name);
    assert_int_equal(hs_source_open(&f->core, path, &e), 0);
    snprintf(path, sizeof path, "%s/testdata/cores/%s.json", HS_SOURCE_DIR, name);
    assert_int_equal(hs_source_open(&f->sidecar, path, &e), 0);
    hs_source bin;
    snprintf(path, sizeof path, "%s/testdata/cores/%s.bin.gz", HS_SOURCE_DIR, name);
    assert_int_equal(hs_source_open(&bin, path, &e), 0);
    snprintf(f->binary, sizeof f->binary, "/tmp/hs-test-binXXXXXX");
    int fd = mkstemp(f->binary);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bin.data, bin.size), (ssize_t)bin.size);
    close(fd);
    hs_source_close(&bin);
}

static inline void fixture_close(fixture *f)
{
    unlink(f->binary);
    hs_source_close(&f->core);
    hs_source_close(&f->sidecar);
}

/* Integer value of "key": N in the sidecar (first occurrence). */
static inline long long sidecar(const fixture *f, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    char *text = strndup((const char *)f->sidecar.data, f->sidecar.size);
    const char *p = strstr(text, pat);
    assert_non_null(p);
    long long v = strtoll(p + strlen(pat), NULL, 10);
    free(text);
    return v;
}

/* Loads bytes (possibly patched) as a model with the fixture's binary. */
static inline int fixture_load(const fixture *f, const uint8_t *data, size_t size, hs_model *m,
                               hs_error *e)
{
    hs_load_options o = {.binary = f->binary};
    return hs_load_memory("test.core", data, size, &o, m, e);
}

/* mark[i] = 1 if object i is reachable from a root. Caller frees. */
static inline uint8_t *reachable(const hs_heap *h)
{
    uint8_t *mark = calloc(h->n_objects + 1, 1);
    uint32_t *stack = malloc(sizeof *stack * (h->n_objects + 1)), sp = 0;
    for (uint32_t r = 0; r < h->n_roots; r++)
        for (uint32_t k = h->root_edge_start[r]; k < h->root_edge_start[r + 1]; k++)
            if (!mark[h->root_edge_target[k]])
                mark[h->root_edge_target[k]] = 1, stack[sp++] = h->root_edge_target[k];
    while (sp) {
        uint32_t x = stack[--sp];
        for (uint32_t k = h->edge_start[x]; k < h->edge_start[x + 1]; k++)
            if (!mark[h->edge_target[k]])
                mark[h->edge_target[k]] = 1, stack[sp++] = h->edge_target[k];
    }
    free(stack);
    return mark;
}

static inline uint32_t count_type(const hs_heap *h, const char *name)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        n += hs_heap_type(h, i) != HS_NONE &&
             strcmp(hs_heap_str(h, h->type_name[hs_heap_type(h, i)]), name) == 0;
    return n;
}

static inline const char *info_value(const hs_heap *h, const char *key)
{
    for (uint32_t i = 0; i < h->n_info; i++)
        if (strcmp(hs_heap_str(h, h->info[i].key), key) == 0)
            return hs_heap_str(h, h->info[i].value);
    return NULL;
}

static inline const char *info_prefix(const hs_heap *h, const char *prefix)
{
    for (uint32_t i = 0; i < h->n_info; i++)
        if (strncmp(hs_heap_str(h, h->info[i].key), prefix, strlen(prefix)) == 0)
            return hs_heap_str(h, h->info[i].value);
    return NULL;
}

#endif
