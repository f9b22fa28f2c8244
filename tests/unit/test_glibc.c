/* glibc malloc walker against the process's own mallinfo2() (sidecar JSON),
 * on every path (main_arena's symbol with the built-in malloc_state layout,
 * the layout from libc's DWARF, and the symbol-free bin scan),
 * plus a corrupt chunk header: that arena stops and says where, the other
 * arena is still walked. How our numbers map onto mallinfo2:
 *   arena    = system_mem of all arenas (sbrk'd + non-main heaps);
 *   uordblks = used chunks outside mmap + tcache chunks (mallinfo does not
 *              look into tcache, so for it they are in use) + overhead (the
 *              non-main heap's heap_info + malloc_state, brk padding,
 *              fenceposts: system_mem bytes that are no chunk);
 *   fordblks = free chunks (bins + fastbins) + top chunks, without tcache;
 *   ordblks  = bin chunks + one top per arena; smblks/fsmblks = fastbins;
 *   hblks/hblkhd = mmapped chunks and their bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_fixture.h"
#include "walker.h"
#include "model/heap_build.h"

static const char *NAME = "cheap-cxx";

static unsigned long long info_u64(const hs_heap *h, const char *key)
{
    const char *v = info_value(h, key);
    assert_non_null(v);
    return strtoull(v, NULL, 10);
}

static void reconcile(const fixture *f, const hs_heap *h)
{
    const hs_heap_alloc_stats *s = &h->alloc;
    assert_true(s->valid);
    unsigned long long tcache = info_u64(h, "glibc tcache bytes");
    unsigned long long overhead = info_u64(h, "glibc overhead bytes");
    unsigned long long fast = info_u64(h, "glibc fastbin bytes");
    assert_int_equal(info_u64(h, "glibc system_mem"), sidecar(f, "arena"));
    assert_int_equal(s->used_bytes - s->mmapped_bytes + tcache + overhead, sidecar(f, "uordblks"));
    assert_int_equal(s->free_bytes - tcache + s->top_bytes, sidecar(f, "fordblks"));
    assert_int_equal(s->bin_count + s->arenas, sidecar(f, "ordblks"));
    assert_int_equal(s->fastbin_count, sidecar(f, "smblks"));
    assert_int_equal(fast, sidecar(f, "fsmblks"));
    assert_int_equal(s->mmapped_count, sidecar(f, "hblks"));
    assert_int_equal(s->mmapped_bytes, sidecar(f, "hblkhd"));
    /* By construction (the sidecar's own counts): arenas, chunks left in
     * tcache and fastbins, chunks freed into a small bin. A thread that
     * outgrows its first 64 MiB heap frees that heap's old top into a bin
     * (cheap.c), which construction does not count: bins may hold more. */
    assert_int_equal(s->arenas, sidecar(f, "arenas"));
    assert_int_equal(s->tcache_count, sidecar(f, "tcache"));
    assert_int_equal(s->fastbin_count, sidecar(f, "fastbin"));
    assert_true(s->bin_count >= (uint64_t)sidecar(f, "smallbin"));
    assert_true(s->bin_count <= (uint64_t)sidecar(f, "smallbin") + s->arenas);
    /* Objects are the used chunks, sizes are whole chunks: totals agree. */
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        bytes += hs_heap_size(h, i);
    assert_int_equal(h->n_objects, s->used_count);
    assert_int_equal(bytes, s->used_bytes);
}

static void with_libc_symbols(const char *name)
{
    fixture f;
    fixture_open(&f, name);
    hs_model m;
    hs_error e;
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size, &m, &e), 0);
    reconcile(&f, &m.heap);
    /* libc6-dbg is installed by scripts/deps.sh; its symbol table gives
     * main_arena, where the built-in layout fits (libc's DWARF is not
     * read). Without it the walker falls back to the bin scan. */
    if (strcmp(info_value(&m.heap, "glibc main_arena"), "libc symbol") == 0)
        assert_string_equal(info_value(&m.heap, "glibc malloc_state layout"),
                            "built-in (checked at main_arena)");
    /* The fixture was made with this machine's glibc (2.36): safe-linking since 2.32. */
    assert_string_equal(info_value(&m.heap, "glibc safe-linking"), "yes");
    hs_model_free(&m);
    fixture_close(&f);
}

/* The walker alone: without libc's symbols (the bin scan, built-in layout),
 * or with the layout read from libc's DWARF even though the built-in one
 * fits (the path taken when it does not). */
static void walk_alone(const char *name, int no_libc_debug)
{
    fixture f;
    fixture_open(&f, name);
    hs_core c;
    hs_error e;
    hs_load_options o = {.binary = f.binary};
    assert_int_equal(hs_core_open(&c, &f.core, &o, &e), 0);
    c.no_libc_debug = no_libc_debug;
    c.libc_dwarf_layout = !no_libc_debug;
    hs_heap h;
    hs_heap_init(&h, "elf-core");
    assert_int_equal(hs_core_vtables_begin(&c, &h, &e), 0);
    assert_true(hs_walker_glibc.recognise(&c));
    assert_int_equal(hs_walker_glibc.add_objects(&c, &h, &e), 0);
    const char *main_arena = info_value(&h, "glibc main_arena");
    if (no_libc_debug) {
        assert_string_equal(main_arena, "found by bin scan");
        assert_string_equal(info_value(&h, "glibc malloc_state layout"), "built-in");
    } else if (strcmp(main_arena, "libc symbol") == 0)
        assert_string_equal(info_value(&h, "glibc malloc_state layout"), "libc DWARF");
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    reconcile(&f, &h);
    hs_heap_free(&h);
    hs_core_close(&c);
    fixture_close(&f);
}

static void without_libc_symbols(const char *name)
{
    walk_alone(name, 1);
}

static void with_libc_dwarf(const char *name)
{
    walk_alone(name, 0);
}

/* gcore'd C++ process: 2 arenas. */
static void test_cxx_with_libc_symbols(void **state)
{
    with_libc_symbols("cheap-cxx");
}
static void test_cxx_with_libc_dwarf(void **state)
{
    with_libc_dwarf("cheap-cxx");
}
static void test_cxx_without_libc_symbols(void **state)
{
    without_libc_symbols("cheap-cxx");
}
/* Kernel-written C core: 4 arenas, one with two heaps, 2 mmapped chunks. */
static void test_c_with_libc_symbols(void **state)
{
    with_libc_symbols("cheap-c");
}
static void test_c_with_libc_dwarf(void **state)
{
    with_libc_dwarf("cheap-c");
}
static void test_c_without_libc_symbols(void **state)
{
    without_libc_symbols("cheap-c");
}

/* qemu-user aarch64 core of cheap.c: no libc symbols for this architecture
 * here, so the bin scan and the built-in layout; mallinfo2 reconciles. */
static void test_aarch64_with_libc_symbols(void **state) { with_libc_symbols("cheap-c-aarch64"); }
static void test_aarch64_without_libc_symbols(void **state)
{
    without_libc_symbols("cheap-c-aarch64");
}

static void test_corrupt_chunk_header(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_model full, m;
    hs_error e;
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size, &full, &e), 0);
    /* Patch the size field of the first Button (main arena). */
    uint64_t victim = 0;
    for (uint32_t i = 0; i < full.heap.n_objects && !victim; i++) {
        uint32_t t = hs_heap_type(&full.heap, i); /* untyped chunks: HS_NONE */
        if (t != HS_NONE && strcmp(hs_heap_str(&full.heap, full.heap.type_name[t]), "Button") == 0)
            victim = hs_heap_addr(&full.heap, i);
    }
    assert_true(victim != 0);
    hs_core c;
    hs_load_options o = {0};
    assert_int_equal(hs_core_open(&c, &f.core, &o, &e), 0);
    size_t off = (size_t)(hs_core_ptr(&c, victim - 8, 8) - f.core.data);
    hs_core_close(&c);
    uint8_t *copy = malloc(f.core.size);
    memcpy(copy, f.core.data, f.core.size);
    uint64_t bad = 0x1239; /* not a multiple of 16 */
    memcpy(copy + off, &bad, 8);
    assert_int_equal(fixture_load(&f, copy, f.core.size, &m, &e), 0);
    const char *why = info_value(&m.heap, "arena 0 corrupt");
    assert_non_null(why);
    char where[64];
    snprintf(where, sizeof where, "chunk header at 0x%llx", (unsigned long long)(victim - 16));
    assert_non_null(strstr(why, where));
    /* Chunks before the bad header are kept, the second arena is untouched. */
    assert_true(count_type(&m.heap, "Button") < count_type(&full.heap, "Button"));
    assert_true(m.heap.n_objects > 0);
    uint32_t thread_objs = 0;
    for (uint32_t i = 0; i < m.heap.n_objects; i++)
        thread_objs += hs_heap_size(&m.heap, i) == 208;
    assert_int_equal(thread_objs, sidecar(&f, "thread_objs")); /* 200 bytes -> 208-byte chunks */
    free(copy);
    hs_model_free(&m);
    hs_model_free(&full);
    fixture_close(&f);
}

/* The walker table: with every "/libc.so.6" in the core renamed (file
 * notes and the dynamic linker's list) glibc's walker does not recognise
 * the process, no other walker does, and the heap is empty, saying why. */
static void test_not_recognised(void **state)
{
    fixture f;
    fixture_open(&f, "cheap-c");
    uint8_t *copy = malloc(f.core.size);
    memcpy(copy, f.core.data, f.core.size);
    int renamed = 0;
    for (size_t i = 0; i + 10 <= f.core.size; i++)
        if (memcmp(copy + i, "/libc.so.6", 10) == 0) copy[i + 4] = 'x', renamed++;
    assert_true(renamed > 0);
    hs_model m;
    hs_error e;
    hs_load_options o = {0};
    assert_int_equal(hs_load_memory("renamed.core", copy, f.core.size, &o, &m, &e), 0);
    assert_string_equal(info_value(&m.heap, "allocator"), "none recognised");
    assert_int_equal(m.heap.n_objects, 0);
    assert_null(info_value(&m.heap, "glibc arenas"));
    hs_model_free(&m);
    free(copy);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cxx_with_libc_symbols),
        cmocka_unit_test(test_cxx_with_libc_dwarf),
        cmocka_unit_test(test_cxx_without_libc_symbols),
        cmocka_unit_test(test_c_with_libc_symbols),
        cmocka_unit_test(test_c_with_libc_dwarf),
        cmocka_unit_test(test_c_without_libc_symbols),
        cmocka_unit_test(test_aarch64_with_libc_symbols),
        cmocka_unit_test(test_aarch64_without_libc_symbols),
        cmocka_unit_test(test_corrupt_chunk_header),
        cmocka_unit_test(test_not_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
