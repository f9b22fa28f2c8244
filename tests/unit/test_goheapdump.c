/* Go heap dump reader: hand-encoded dumps exercise every record kind and
 * every byte-level error (message and offset), and the real fixture written
 * by Go (testdata/heapdumps/tree.dump.gz) is checked against what the
 * program itself knew (its JSON sidecar): memstats, addresses and sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "heapscan/reader.h"

extern const hs_reader hs_reader_goheapdump;

/* ---- a tiny encoder ---------------------------------------------------- */

typedef struct enc {
    uint8_t d[8192];
    size_t n;
} enc;

static void put_uv(enc *e, uint64_t v)
{
    while (v >= 0x80) {
        e->d[e->n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    e->d[e->n++] = (uint8_t)v;
}

static void put_bytes(enc *e, const void *p, size_t n)
{
    put_uv(e, n);
    memcpy(e->d + e->n, p, n);
    e->n += n;
}

static void put_str(enc *e, const char *s)
{
    put_bytes(e, s, strlen(s));
}

static void put_fields(enc *e, const uint64_t *offs, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        put_uv(e, 1);
        put_uv(e, offs[i]);
    }
    put_uv(e, 0);
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_header(enc *e, const char *hdr)
{
    e->n = 0;
    memcpy(e->d, hdr, 16);
    e->n = 16;
}

static size_t put_params(enc *e, uint64_t ptrsize)
{
    put_uv(e, 6);
    put_uv(e, 0); /* little-endian */
    size_t at = e->n;
    put_uv(e, ptrsize);
    put_uv(e, 0xc000000000);
    put_uv(e, 0xc004000000);
    put_str(e, "amd64");
    put_str(e, "go1.19.8");
    put_uv(e, 4);
    return at;
}

/* An object of size bytes whose pointer words (at offs) hold ptrs. */
static size_t put_object(enc *e, uint64_t addr, size_t size, const uint64_t *offs,
                         const uint64_t *ptrs, unsigned n)
{
    uint8_t buf[256];
    memset(buf, 0, sizeof buf);
    for (unsigned i = 0; i < n; i++)
        if (offs[i] + 8 <= size) put_le64(buf + offs[i], ptrs[i]);
    size_t at = e->n;
    put_uv(e, 1);
    put_uv(e, addr);
    put_bytes(e, buf, size);
    put_fields(e, offs, n);
    return at;
}

static void put_segment(enc *e, int tag, uint64_t addr, uint64_t off, uint64_t ptr)
{
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    put_le64(buf + off, ptr);
    put_uv(e, (uint64_t)tag);
    put_uv(e, addr);
    put_bytes(e, buf, sizeof buf);
    put_fields(e, &off, 1);
}

static int load(enc *e, const char *binary, hs_model *m, hs_error *err)
{
    hs_load_options o;
    memset(&o, 0, sizeof o);
    o.binary = binary;
    memset(err, 0, sizeof *err);
    return hs_load_memory("t.dump", e->d, e->n, &o, m, err);
}

static const char *info(const hs_heap *h, const char *key)
{
    for (uint32_t i = 0; i < h->n_info; i++)
        if (strcmp(hs_heap_str(h, h->info[i].key), key) == 0)
            return hs_heap_str(h, h->info[i].value);
    return NULL;
}

static uint32_t root_named(const hs_heap *h, const char *label)
{
    for (uint32_t r = 0; r < h->n_roots; r++)
        if (strcmp(hs_heap_str(h, h->root_label[r]), label) == 0) return r;
    return HS_NONE;
}

/* Does root r point at the object holding address a? */
static int root_points(const hs_heap *h, uint32_t r, uint64_t a)
{
    uint32_t obj = hs_heap_find(h, a);
    for (uint32_t j = h->root_edge_start[r]; j < h->root_edge_start[r + 1]; j++)
        if (h->root_edge_target[j] == obj) return 1;
    return 0;
}

static int obj_points(const hs_heap *h, uint32_t from, uint32_t to)
{
    for (uint32_t j = h->edge_start[from]; j < h->edge_start[from + 1]; j++)
        if (h->edge_target[j] == to) return 1;
    return 0;
}

/* ---- every record kind ------------------------------------------------- */

enum { A = 0xc000001000, B = 0xc000001020, C = 0xc000002000, G = 0xc000009000 };

static void put_all_records(enc *e)
{
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    put_uv(e, 3); /* type */
    put_uv(e, 0x4a0000);
    put_uv(e, 8);
    put_str(e, "*main.T");
    put_uv(e, 1);
    put_uv(e, 8); /* itab */
    put_uv(e, 0x4b0000);
    put_uv(e, 0x4a0000);
    put_object(e, A, 32, (uint64_t[]){0}, (uint64_t[]){B}, 1);
    put_object(e, B, 16, NULL, NULL, 0);
    put_object(e, C, 64, (uint64_t[]){8, 16}, (uint64_t[]){A + 8, 0x1234}, 2);
    put_uv(e, 4); /* goroutine */
    put_uv(e, G);
    put_uv(e, 0xc000100f00); /* sp */
    put_uv(e, 12);           /* goid */
    put_uv(e, 0x401000);     /* gopc */
    put_uv(e, 4);            /* waiting */
    put_uv(e, 0);            /* not system */
    put_uv(e, 0);            /* background */
    put_uv(e, 0);            /* waitsince */
    put_str(e, "chan receive");
    put_uv(e, 0);            /* ctxt */
    put_uv(e, 0xc000008000); /* m */
    put_uv(e, 0);            /* defer */
    put_uv(e, 0);            /* panic */
    put_uv(e, 5);            /* frame */
    put_uv(e, 0xc000100f00);
    put_uv(e, 0);
    put_uv(e, 0);
    uint8_t frame[16] = {0};
    put_le64(frame + 8, C);
    put_bytes(e, frame, sizeof frame);
    put_uv(e, 0x401000);
    put_uv(e, 0x401010);
    put_uv(e, 0x401010);
    put_str(e, "main.worker");
    put_fields(e, (uint64_t[]){8}, 1);
    put_uv(e, 14); /* defer: addr, g, sp, pc, funcval, fn pc, link */
    put_uv(e, 0xc000100f80);
    put_uv(e, G);
    put_uv(e, 0xc000100f00);
    put_uv(e, 0x401020);
    put_uv(e, B);
    put_uv(e, 0x401100);
    put_uv(e, 0);
    put_uv(e, 15); /* panic: addr, g, type, data, 0, link */
    put_uv(e, 0xc000100fa0);
    put_uv(e, G);
    put_uv(e, 0x4a0000);
    put_uv(e, C + 16);
    put_uv(e, 0);
    put_uv(e, 0);
    put_uv(e, 9); /* OS thread */
    put_uv(e, 0xc000008000);
    put_uv(e, 0);
    put_uv(e, 4242);
    put_segment(e, 12, 0x500000, 8, B);
    put_segment(e, 13, 0x600000, 0, C);
    put_uv(e, 7); /* finalizer on C: obj, funcval, pc, fint, ot */
    put_uv(e, C);
    put_uv(e, 0x4c0000);
    put_uv(e, 0x402000);
    put_uv(e, 0x4a0000);
    put_uv(e, 0x4a0000);
    put_uv(e, 11); /* queued finalizer of B */
    put_uv(e, B);
    put_uv(e, 0x4c0008);
    put_uv(e, 0x402000);
    put_uv(e, 0x4a0000);
    put_uv(e, 0x4a0000);
    put_uv(e, 2); /* other root (go1.3/1.4) */
    put_str(e, "runtime type info");
    put_uv(e, B);
    put_uv(e, 10); /* memstats */
    for (unsigned i = 0; i < 24 + 256; i++)
        put_uv(e, i == 6 ? 112 : i == 11 ? 3 : 0);
    put_uv(e, 7);  /* NumGC */
    put_uv(e, 16); /* memprof bucket */
    put_uv(e, 0x77);
    put_uv(e, 32);
    put_uv(e, 2);
    put_str(e, "main.alloc");
    put_str(e, "/src/main.go");
    put_uv(e, 10);
    put_str(e, "main.main");
    put_str(e, "/src/main.go");
    put_uv(e, 20);
    put_uv(e, 1);
    put_uv(e, 0);
    put_uv(e, 17); /* alloc sample of A */
    put_uv(e, A);
    put_uv(e, 0x77);
    put_uv(e, 0); /* EOF */
}

static void test_all_records(void **state)
{
    enc *e = calloc(1, sizeof *e);
    hs_model m;
    hs_error err;
    put_all_records(e);
    assert_int_equal(hs_reader_goheapdump.probe(e->d, e->n), 100);
    assert_int_equal(hs_reader_goheapdump.probe(e->d, 15), 0);
    assert_int_equal(load(e, NULL, &m, &err), 0);
    const hs_heap *h = &m.heap;
    assert_string_equal(h->format, "go-heapdump");
    assert_int_equal(h->n_objects, 3);
    assert_int_equal(hs_heap_addr(h, 0), A);
    assert_int_equal(hs_heap_size(h, 0), 32);
    assert_int_equal(hs_heap_size(h, 1), 16);
    assert_int_equal(hs_heap_size(h, 2), 64);
    assert_int_equal(h->n_edges, 2); /* A->B, C->A (interior); 0x1234 dropped */
    assert_true(obj_points(h, 0, 1));
    assert_true(obj_points(h, 2, 0));
    /* A is sampled: site frames innermost first. */
    assert_true(hs_heap_flags(h, 0) & HS_OBJ_SAMPLED);
    assert_int_equal(h->n_sites, 1);
    uint32_t s = hs_heap_site(h, 0);
    assert_int_equal(h->site_start[s + 1] - h->site_start[s], 2);
    assert_string_equal(hs_heap_str(h, h->site_frames[h->site_start[s]]), "main.alloc");
    assert_string_equal(hs_heap_str(h, h->site_frames[h->site_start[s] + 1]), "main.main");
    assert_int_equal(hs_heap_site(h, 1), HS_NONE);
    assert_int_equal(hs_heap_flags(h, 1), 0);
    assert_int_equal(hs_heap_type(h, 0), HS_NONE);
    /* Roots. */
    uint32_t r = root_named(h, "goroutine 12 main.worker");
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(h->root_kind[r], HS_ROOT_STACK);
    assert_true(root_points(h, r, C));
    r = root_named(h, "data+0x8");
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(h->root_kind[r], HS_ROOT_GLOBAL);
    assert_true(root_points(h, r, B));
    r = root_named(h, "bss+0x0");
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(h, r, C));
    /* The finalizer keeps C's referents (A), not C itself. */
    r = root_named(h, "finalizer for 0xc000002000");
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(h->root_kind[r], HS_ROOT_FINALIZER);
    assert_true(root_points(h, r, A));
    assert_false(root_points(h, r, C));
    r = root_named(h, "queued finalizer 0xc000001020");
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(h, r, B));
    r = root_named(h, "goroutine 12 defer");
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(h, r, B));
    r = root_named(h, "goroutine 12 panic");
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(h, r, C));
    r = root_named(h, "runtime type info");
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(h->root_kind[r], HS_ROOT_OTHER);
    assert_int_equal(h->n_roots, 8);
    /* Info lines. */
    assert_string_equal(info(h, "GoVersion"), "go1.19.8");
    assert_string_equal(info(h, "Arch"), "amd64");
    assert_string_equal(info(h, "NCPU"), "4");
    assert_string_equal(info(h, "HeapAlloc"), "112");
    assert_string_equal(info(h, "HeapObjects"), "3");
    assert_string_equal(info(h, "NumGC"), "7");
    assert_string_equal(info(h, "Goroutines"), "1");
    assert_string_equal(info(h, "Goroutines.waiting"), "1");
    assert_string_equal(info(h, "Goroutines.waiting.chan receive"), "1");
    assert_string_equal(info(h, "Goroutines.runnable"), "0");
    assert_string_equal(info(h, "OSThreads"), "1");
    assert_string_equal(info(h, "Finalizers"), "1");
    assert_string_equal(info(h, "QueuedFinalizers"), "1");
    assert_string_equal(info(h, "ItabTypes"), "1");
    hs_model_free(&m);
    free(e);
}

/* Older headers share the layout; go1.3/1.4 are refused. */
static void test_headers(void **state)
{
    enc *e = calloc(1, sizeof *e);
    hs_model m;
    hs_error err;
    put_header(e, "go1.5 heap dump\n");
    put_params(e, 8);
    put_object(e, A, 16, NULL, NULL, 0);
    put_uv(e, 0);
    assert_int_equal(load(e, NULL, &m, &err), 0);
    assert_int_equal(m.heap.n_objects, 1);
    hs_model_free(&m);
    /* Early go1.5 runtimes: the arch as a uvarint "thechar" and GOEXPERIMENT. */
    put_header(e, "go1.5 heap dump\n");
    put_uv(e, 6);
    put_uv(e, 0);
    put_uv(e, 8);
    put_uv(e, 0xc000000000);
    put_uv(e, 0xc004000000);
    put_uv(e, '6');
    put_str(e, "");
    put_uv(e, 2);
    put_object(e, A, 16, NULL, NULL, 0);
    put_uv(e, 0);
    assert_int_equal(load(e, NULL, &m, &err), 0);
    assert_string_equal(info(&m.heap, "Arch"), "amd64");
    assert_string_equal(info(&m.heap, "GOEXPERIMENT"), "");
    assert_null(info(&m.heap, "GoVersion"));
    hs_model_free(&m);
    memcpy(e->d, "go1.4 heap dump\n", 16);
    assert_int_equal(load(e, NULL, &m, &err), -1);
    assert_int_equal(err.offset, 0);
    assert_string_equal(err.msg, "go1.4 heap dumps are not supported (only go1.5 and later)");
    memcpy(e->d, "go1.9 heap dump\n", 16);
    assert_int_equal(load(e, NULL, &m, &err), -1); /* no reader claims it */
    free(e);
}

/* A frame's pointer slot outside the frame (old runtimes put the goroutine's
 * arguments on runtime.goexit's one-word frame) is skipped and counted. */
static void test_frame_slot_outside(void **state)
{
    enc *e = calloc(1, sizeof *e);
    hs_model m;
    hs_error err;
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    put_object(e, A, 16, NULL, NULL, 0);
    put_uv(e, 5);
    put_uv(e, 0xc000100ff8);
    put_uv(e, 0);
    put_uv(e, 0);
    uint8_t frame[8];
    put_le64(frame, A);
    put_bytes(e, frame, sizeof frame);
    put_uv(e, 0x401000);
    put_uv(e, 0x401000);
    put_uv(e, 0x401000);
    put_str(e, "runtime.goexit");
    put_fields(e, (uint64_t[]){0, 8}, 2);
    put_uv(e, 0);
    assert_int_equal(load(e, NULL, &m, &err), 0);
    assert_string_equal(info(&m.heap, "SkippedFrameFields"), "1");
    uint32_t r = root_named(&m.heap, "goroutine ? runtime.goexit");
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(&m.heap, r, A));
    hs_model_free(&m);
    free(e);
}

/* ---- errors, each with its message and offset -------------------------- */

static void expect_error(enc *e, const char *binary, uint64_t offset, const char *msg)
{
    hs_model m;
    hs_error err;
    assert_int_equal(load(e, binary, &m, &err), -1);
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.offset, offset);
}

static void test_truncated(void **state)
{
    enc *e = calloc(1, sizeof *e);
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    size_t at = put_object(e, A, 64, NULL, NULL, 0);
    e->n = at + 1 + 6 + 1 + 10; /* kind, addr, length, 10 of 64 content bytes */
    char msg[200];
    snprintf(msg, sizeof msg,
             "truncated: byte string needs 64 bytes, 10 left (in the object record at offset %zu)",
             at);
    expect_error(e, NULL, at + 8, msg);
    /* A dump that just stops after a whole record. */
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    size_t end = e->n;
    expect_error(e, NULL, end, "truncated dump: no EOF record");
    free(e);
}

static void test_unknown_kind(void **state)
{
    enc *e = calloc(1, sizeof *e);
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    size_t at = e->n;
    put_uv(e, 99);
    put_uv(e, 0);
    expect_error(e, NULL, at, "unknown record kind 99");
    /* A record before params. */
    put_header(e, "go1.7 heap dump\n");
    put_object(e, A, 16, NULL, NULL, 0);
    put_uv(e, 0);
    expect_error(e, NULL, 16, "object record before the dump params record");
    free(e);
}

static void test_field_beyond(void **state)
{
    enc *e = calloc(1, sizeof *e);
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    size_t at = put_object(e, A, 32, (uint64_t[]){0, 28}, (uint64_t[]){0, 0}, 2);
    put_uv(e, 0);
    /* kind(1) addr(6) len(1) contents(32) kind(1) off(1) kind(1) -> the 2nd offset */
    expect_error(e, NULL, at + 1 + 6 + 1 + 32 + 3,
                 "pointer field at offset 28 beyond the 32-byte object at 0xc000001000");
    /* An unknown field kind. */
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    at = e->n;
    put_uv(e, 1);
    put_uv(e, A);
    put_bytes(e, "0123456789abcdef", 16);
    put_uv(e, 9);
    put_uv(e, 0);
    put_uv(e, 0);
    put_uv(e, 0);
    expect_error(e, NULL, at + 1 + 6 + 1 + 16 + 1, "unknown field kind 9");
    free(e);
}

static void test_pointer_size(void **state)
{
    enc *e = calloc(1, sizeof *e);
    put_header(e, "go1.7 heap dump\n");
    size_t at = put_params(e, 4);
    put_uv(e, 0);
    expect_error(e, NULL, at, "pointer size 4 not supported (only 8)");
    free(e);
}

static void test_duplicate_and_overlap(void **state)
{
    enc *e = calloc(1, sizeof *e);
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    put_object(e, B, 16, NULL, NULL, 0);
    put_object(e, A, 16, NULL, NULL, 0);
    size_t dup = put_object(e, B, 16, NULL, NULL, 0);
    put_uv(e, 0);
    expect_error(e, NULL, dup, "duplicate object at 0xc000001020");
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    size_t second = put_object(e, A + 16, 32, NULL, NULL, 0);
    put_object(e, A, 32, NULL, NULL, 0);
    put_uv(e, 0);
    expect_error(e, NULL, second, "objects overlap: 0xc000001000 (32 bytes) and 0xc000001010");
    free(e);
}

static void test_memprof_frames(void **state)
{
    enc *e = calloc(1, sizeof *e);
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    put_uv(e, 16);
    put_uv(e, 0x77);
    put_uv(e, 32);
    size_t at = e->n;
    put_uv(e, 1000000);
    put_uv(e, 0);
    char msg[200];
    snprintf(msg, sizeof msg,
             "memprof bucket claims 1000000 frames, more than the %zu bytes left can hold",
             e->n - at - 3);
    expect_error(e, NULL, at, msg);
    /* An alloc sample naming a bucket that does not exist. */
    put_header(e, "go1.7 heap dump\n");
    put_params(e, 8);
    put_object(e, A, 16, NULL, NULL, 0);
    at = e->n;
    put_uv(e, 17);
    put_uv(e, A);
    put_uv(e, 0x99);
    put_uv(e, 0);
    expect_error(e, NULL, at + 1, "alloc sample names unknown bucket 0x99");
    free(e);
}

static void test_binary_not_elf(void **state)
{
    enc *e = calloc(1, sizeof *e);
    char path[] = "/tmp/hs_notelf_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
    close(fd);
    put_all_records(e);
    hs_model m;
    hs_error err;
    assert_int_equal(load(e, path, &m, &err), -1);
    assert_string_equal(err.msg, "--binary is not an ELF file");
    assert_string_equal(err.file, path);
    assert_int_equal(err.offset, 0);
    unlink(path);
    free(e);
}

/* Every prefix of a valid dump fails cleanly; flipped bytes never crash. */
static void test_prefixes_and_flips(void **state)
{
    enc *e = calloc(1, sizeof *e);
    put_all_records(e);
    size_t full = e->n;
    uint8_t *copy = malloc(full);
    memcpy(copy, e->d, full);
    hs_model m;
    hs_error err;
    for (size_t n = 16; n < full; n++) {
        e->n = n;
        assert_int_equal(load(e, NULL, &m, &err), -1);
        assert_true(err.msg[0] != 0);
        assert_true(err.offset <= n);
    }
    e->n = full;
    unsigned seed = 12345;
    for (unsigned i = 0; i < 4000; i++) {
        memcpy(e->d, copy, full);
        seed = seed * 1103515245u + 12345u;
        size_t pos = 16 + (seed >> 8) % (full - 16);
        e->d[pos] ^= (uint8_t)(1u << ((seed >> 4) & 7));
        if (load(e, NULL, &m, &err) == 0)
            hs_model_free(&m);
        else
            assert_true(err.msg[0] != 0);
    }
    free(copy);
    free(e);
}

/* ---- the real dump written by Go ---------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* "key": NUMBER or "key": "0x…" from the sidecar (flat enough to search). */
static uint64_t json_num(const char *js, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(js, pat);
    assert_non_null(p);
    p += strlen(pat);
    if (*p == '"') p++;
    return strtoull(p, NULL, 0);
}

static void write_binary(const char *path)
{
    hs_source src;
    hs_error err;
    assert_int_equal(hs_source_open(&src, HS_SOURCE_DIR "/testdata/heapdumps/tree.bin.gz", &err),
                     0);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(src.data, 1, src.size, f), src.size);
    fclose(f);
    hs_source_close(&src);
}

static void test_real_dump(void **state)
{
    const char *js = slurp(HS_SOURCE_DIR "/testdata/heapdumps/tree.json");
    char bin[] = "/tmp/hs_treebin_XXXXXX";
    int fd = mkstemp(bin);
    assert_true(fd >= 0);
    close(fd);
    write_binary(bin);
    hs_load_options o;
    memset(&o, 0, sizeof o);
    o.binary = bin;
    hs_model m;
    hs_error err;
    int rc = hs_load(HS_SOURCE_DIR "/testdata/heapdumps/tree.dump.gz", &o, &m, &err);
    unlink(bin);
    assert_int_equal(rc, 0);
    const hs_heap *h = &m.heap;

    /* Objects reconcile with MemStats exactly here: the program ran runtime.GC()
     * (which finishes sweeping) and only allocated afterwards, so no dead,
     * unswept slot is counted by memstats but dropped by the dump's sweep; a
     * tiny-allocator block is one object to both. */
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        bytes += hs_heap_size(h, i);
    assert_int_equal(h->n_objects, json_num(js, "HeapObjects"));
    assert_int_equal(bytes, json_num(js, "HeapAlloc"));
    char want[32];
    snprintf(want, sizeof want, "%llu", (unsigned long long)json_num(js, "HeapObjects"));
    assert_string_equal(info(h, "HeapObjects"), want);
    snprintf(want, sizeof want, "%llu", (unsigned long long)json_num(js, "HeapAlloc"));
    assert_string_equal(info(h, "HeapAlloc"), want);
    assert_string_equal(info(h, "GoVersion"), "go1.19.8");
    assert_string_equal(info(h, "Arch"), "amd64");

    /* The tree: 1023 nodes of 64 bytes, linked by left/right only. */
    uint32_t top = hs_heap_find(h, json_num(js, "tree_root"));
    assert_int_not_equal(top, HS_NONE);
    assert_int_equal(hs_heap_addr(h, top), json_num(js, "tree_root"));
    uint32_t *stack = malloc(h->n_objects * sizeof *stack);
    uint8_t *seen = calloc(h->n_objects, 1);
    uint32_t sp = 0, count = 0, sampled_in_build = 0;
    stack[sp++] = top;
    seen[top] = 1;
    while (sp) {
        uint32_t v = stack[--sp];
        count++;
        assert_int_equal(hs_heap_size(h, v), 64);
        assert_true(hs_heap_flags(h, v) & HS_OBJ_SAMPLED);
        uint32_t s = hs_heap_site(h, v);
        sampled_in_build +=
            strcmp(hs_heap_str(h, h->site_frames[h->site_start[s]]), "main.build") == 0;
        for (uint32_t j = h->edge_start[v]; j < h->edge_start[v + 1]; j++)
            if (!seen[h->edge_target[j]]) {
                seen[h->edge_target[j]] = 1;
                stack[sp++] = h->edge_target[j];
            }
    }
    assert_int_equal(count, json_num(js, "tree_nodes"));
    assert_int_equal(count * 64, json_num(js, "tree_retained"));
    assert_int_equal(sampled_in_build, count);
    free(stack);
    free(seen);

    /* Globals by ELF symbol; two of them share one object. */
    uint32_t r = root_named(h, "main.treeRoot");
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(h, r, json_num(js, "tree_root")));
    uint32_t ra = root_named(h, "main.sharedA"), rb = root_named(h, "main.sharedB");
    assert_int_not_equal(ra, HS_NONE);
    assert_int_not_equal(rb, HS_NONE);
    assert_true(root_points(h, ra, json_num(js, "shared")));
    assert_true(root_points(h, rb, json_num(js, "shared")));
    assert_int_equal(hs_heap_size(h, hs_heap_find(h, json_num(js, "shared"))), 1024);
    r = root_named(h, "main.leafSlice");
    assert_int_not_equal(r, HS_NONE);
    uint32_t arr = hs_heap_find(h, json_num(js, "leaf_slice"));
    assert_true(root_points(h, r, json_num(js, "leaf_slice")));
    assert_int_equal(h->edge_start[arr + 1] - h->edge_start[arr], json_num(js, "leaf_count"));
    assert_int_equal(hs_heap_size(h, arr), 896); /* 800 bytes in the 896-byte size class */

    /* The worker's buffer hangs from its stack frame. */
    char label[64];
    snprintf(label, sizeof label, "goroutine %llu main.worker",
             (unsigned long long)json_num(js, "goid"));
    r = root_named(h, label);
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(h->root_kind[r], HS_ROOT_STACK);
    assert_true(root_points(h, r, json_num(js, "buf_addr")));
    assert_int_equal(hs_heap_size(h, hs_heap_find(h, json_num(js, "buf_addr"))), 20480);

    /* Finalizers: registered (keeps the child), queued (keeps the object). */
    snprintf(label, sizeof label, "finalizer main.main.func1 for 0x%llx",
             (unsigned long long)json_num(js, "fin_obj"));
    r = root_named(h, label);
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(h, r, json_num(js, "fin_child")));
    snprintf(label, sizeof label, "queued finalizer 0x%llx",
             (unsigned long long)json_num(js, "queued_fin_obj"));
    r = root_named(h, label);
    assert_int_not_equal(r, HS_NONE);
    assert_true(root_points(h, r, json_num(js, "queued_fin_obj")));
    snprintf(label, sizeof label, "goroutine %llu panic",
             (unsigned long long)json_num(js, "panic_goid"));
    assert_int_not_equal(root_named(h, label), HS_NONE);
    hs_model_free(&m);
}

/* Without --binary, globals are named by segment offset. */
static void test_real_dump_no_binary(void **state)
{
    hs_model m;
    hs_error err;
    assert_int_equal(hs_load(HS_SOURCE_DIR "/testdata/heapdumps/tree.dump.gz", NULL, &m, &err), 0);
    const hs_heap *h = &m.heap;
    uint32_t globals = 0, named = 0;
    for (uint32_t r = 0; r < h->n_roots; r++) {
        if (h->root_kind[r] != HS_ROOT_GLOBAL) continue;
        globals++;
        const char *l = hs_heap_str(h, h->root_label[r]);
        named += strncmp(l, "data+0x", 7) == 0 || strncmp(l, "bss+0x", 6) == 0;
    }
    assert_true(globals > 0);
    assert_int_equal(named, globals);
    hs_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_records),         cmocka_unit_test(test_headers),
        cmocka_unit_test(test_frame_slot_outside),  cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_unknown_kind),        cmocka_unit_test(test_field_beyond),
        cmocka_unit_test(test_pointer_size),        cmocka_unit_test(test_duplicate_and_overlap),
        cmocka_unit_test(test_memprof_frames),      cmocka_unit_test(test_binary_not_elf),
        cmocka_unit_test(test_prefixes_and_flips),  cmocka_unit_test(test_real_dump),
        cmocka_unit_test(test_real_dump_no_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
