/* ELF core reader on a gcore'd C++ process (testdata/gen/cheap/cheap.cpp):
 * process facts, classes named from vtables, the exact leak, the list and the
 * second thread's objects as built, and every bad input a user can bring: an
 * ELF that is not a core, another architecture, truncated cores, tiny files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_fixture.h"
#include "model/mem.h"
#include "demangle.h"

static const char *NAME = "cheap-cxx";

/* glibc request2size on 64-bit: the chunk a malloc(n) gets. */
static uint64_t chunk_of(uint64_t n)
{
    uint64_t c = (n + 8 + 15) & ~15ull;
    return c < 32 ? 32 : c;
}

static uint32_t root_edges(const hs_heap *h, const char *label, uint32_t *first)
{
    for (uint32_t r = 0; r < h->n_roots; r++)
        if (strcmp(hs_heap_str(h, h->root_label[r]), label) == 0) {
            if (first && h->root_edge_start[r] < h->root_edge_start[r + 1])
                *first = h->root_edge_target[h->root_edge_start[r]];
            return h->root_edge_start[r + 1] - h->root_edge_start[r];
        }
    return UINT32_MAX;
}

static void test_process_facts(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_model m;
    hs_error e;
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size, &m, &e), 0);
    const hs_heap *h = &m.heap;
    assert_string_equal(m.reader->name, "elf-core");
    assert_string_equal(h->format, "elf-core");
    char pid[32];
    snprintf(pid, sizeof pid, "%lld", sidecar(&f, "pid"));
    assert_string_equal(info_value(h, "pid"), pid);
    assert_string_equal(info_value(h, "threads"), "2"); /* main + the arena thread */
    assert_non_null(strstr(info_value(h, "command"), "cheap-cxx"));
    assert_string_equal(info_value(h, "architecture"), "x86-64");
    assert_null(info_value(h, "warning"));
    /* Both threads sit in pause(), named from libc's symbols when this
     * machine's libc is the one in the core (same build-id: found by dwfl). */
    const char *libc = info_value(h, "module libc.so.6");
    if (libc && !strstr(libc, "not found") && !strstr(libc, "no symbols"))
        assert_non_null(strstr(info_value(h, "thread 1"), "pause"));
    hs_model_free(&m);
    fixture_close(&f);
}

static void test_classes_leaks_and_anchors(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_model m;
    hs_error e;
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size, &m, &e), 0);
    const hs_heap *h = &m.heap;
    assert_int_equal(count_type(h, "Button"), sidecar(&f, "buttons"));
    assert_int_equal(count_type(h, "Label"), sidecar(&f, "labels"));
    /* g_widgets holds every widget; g_thread_objs the second thread's blocks. */
    assert_int_equal(root_edges(h, "g_widgets", NULL),
                     sidecar(&f, "buttons") + sidecar(&f, "labels"));
    assert_int_equal(root_edges(h, "g_thread_objs", NULL), sidecar(&f, "thread_objs"));
    assert_int_equal(root_edges(h, "g_mmapped", NULL), 1);
    /* The list: one root edge, then a chain of exactly LIST_LEN nodes. */
    uint32_t node = HS_NONE, len = 0;
    assert_int_equal(root_edges(h, "g_list", &node), 1);
    while (node != HS_NONE && len < 1000) {
        len++;
        uint32_t k = h->edge_start[node];
        node = k < h->edge_start[node + 1] ? h->edge_target[k] : HS_NONE;
    }
    assert_int_equal(len, sidecar(&f, "list"));
    /* Exactly the leaked blocks are unreachable, all of the leak's chunk size. */
    uint8_t *mark = reachable(h);
    long long unreachable = 0, leak_chunk = (long long)chunk_of((uint64_t)sidecar(&f, "leak_size"));
    for (uint32_t i = 0; i < h->n_objects; i++)
        if (!mark[i]) {
            unreachable++;
            assert_int_equal(hs_heap_size(h, i), leak_chunk);
        }
    assert_int_equal(unreachable, sidecar(&f, "leaked"));
    free(mark);
    /* Roots carry their names. */
    assert_int_not_equal(root_edges(h, "thread 1 stack", NULL), UINT32_MAX);
    assert_int_not_equal(root_edges(h, "thread 2 registers", NULL), UINT32_MAX);
    hs_model_free(&m);
    fixture_close(&f);
}

/* A core of cheap.c: four threads, a tree hung from g_tree, 700 blocks from
 * g_big, leaks of another size; all counts from the program's sidecar. */
static void check_cheap_c(const char *name, const char *arch)
{
    fixture f;
    fixture_open(&f, name);
    hs_model m;
    hs_error e;
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size, &m, &e), 0);
    const hs_heap *h = &m.heap;
    assert_string_equal(info_value(h, "architecture"), arch);
    char pid[32];
    snprintf(pid, sizeof pid, "%lld", sidecar(&f, "pid"));
    assert_string_equal(info_value(h, "pid"), pid);
    assert_string_equal(info_value(h, "threads"), "4");
    assert_string_equal(info_value(h, "signal"), "11"); /* killed with SIGSEGV to dump */
    assert_null(info_value(h, "warning"));
    /* Tree: one root edge, TREE_NODES nodes reachable, TREE_NODES - 1 edges among them. */
    uint32_t top = HS_NONE;
    assert_int_equal(root_edges(h, "g_tree", &top), 1);
    assert_int_equal(h->n_edges, sidecar(&f, "tree") - 1);
    assert_int_equal(root_edges(h, "g_big", NULL), sidecar(&f, "big"));
    assert_int_equal(root_edges(h, "g_mmapped", NULL), sidecar(&f, "mmapped"));
    uint8_t *mark = reachable(h);
    long long unreachable = 0, leak_chunk = (long long)chunk_of((uint64_t)sidecar(&f, "leak_size"));
    uint32_t thread_objs = 0;
    for (uint32_t i = 0; i < h->n_objects; i++) {
        if (!mark[i]) {
            unreachable++;
            assert_int_equal(hs_heap_size(h, i), leak_chunk);
        }
        thread_objs += hs_heap_size(h, i) == chunk_of((uint64_t)sidecar(&f, "thread_size"));
    }
    assert_int_equal(unreachable, sidecar(&f, "leaked"));
    assert_int_equal(thread_objs, sidecar(&f, "thread_objs"));
    free(mark);
    hs_model_free(&m);
    fixture_close(&f);
}

/* The kernel-written core: notes first, undumped VMAs as filesz 0. */
static void test_kernel_core(void **state) { check_cheap_c("cheap-c", "x86-64"); }

/* The same program for aarch64, dumped by qemu-user (no NT_FILE; the brk
 * heap shares a mapping with the end of .bss, where part of g_big lies). */
static void test_qemu_aarch64_core(void **state) { check_cheap_c("cheap-c-aarch64", "aarch64"); }

static void test_without_binary_same_heap(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_model a, b;
    hs_error e;
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size, &a, &e), 0);
    assert_int_equal(hs_load_memory("test.core", f.core.data, f.core.size, NULL, &b, &e), 0);
    assert_int_equal(a.heap.alloc.used_count, b.heap.alloc.used_count);
    assert_int_equal(a.heap.alloc.free_bytes, b.heap.alloc.free_bytes);
    assert_int_equal(a.heap.n_objects, b.heap.n_objects);
    hs_model_free(&a);
    hs_model_free(&b);
    fixture_close(&f);
}

/* --sysroot: the executable found under DIR at the path the core recorded. */
static void test_sysroot(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_core c;
    hs_error e;
    hs_load_options none = {0};
    assert_int_equal(hs_core_open(&c, &f.core, &none, &e), 0);
    const char *exe = NULL;
    for (uint32_t i = 0; i < c.n_files; i++)
        if (c.at_entry >= c.files[i].start && c.at_entry < c.files[i].end) exe = c.files[i].name;
    assert_non_null(exe);
    char root[] = "/tmp/hs-sysrootXXXXXX", cmd[2048];
    assert_non_null(mkdtemp(root));
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s%s')\" && cp '%s' '%s%s'", root, exe,
             f.binary, root, exe);
    assert_int_equal(system(cmd), 0);
    hs_core_close(&c);
    hs_load_options o = {.sysroot = root};
    hs_model m;
    assert_int_equal(hs_load_memory("test.core", f.core.data, f.core.size, &o, &m, &e), 0);
    assert_int_equal(count_type(&m.heap, "Button"), sidecar(&f, "buttons"));
    assert_int_equal(count_type(&m.heap, "Label"), sidecar(&f, "labels"));
    hs_model_free(&m);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    fixture_close(&f);
}

static void test_not_a_core(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_model m;
    hs_error e;
    assert_int_equal(hs_load(f.binary, NULL, &m, &e), -1);
    assert_string_equal(e.msg, "ELF file is not a core (e_type 3)");
    assert_int_equal(e.offset, 16);
    fixture_close(&f);
}

static void test_other_architecture(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    uint8_t *copy = malloc(f.core.size);
    memcpy(copy, f.core.data, f.core.size);
    copy[18] = 20, copy[19] = 0; /* EM_PPC */
    hs_model m;
    hs_error e;
    assert_int_equal(fixture_load(&f, copy, f.core.size, &m, &e), -1);
    assert_non_null(strstr(e.msg, "unsupported architecture (e_machine 20"));
    free(copy);
    fixture_close(&f);
}

static void test_tiny_and_headers_cut(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_model m;
    hs_error e;
    /* ELF header present, program headers cut off. */
    assert_int_equal(fixture_load(&f, f.core.data, 100, &m, &e), -1);
    assert_non_null(strstr(e.msg, "program headers"));
    assert_int_equal(fixture_load(&f, f.core.data, 10, &m, &e), -1);
    fixture_close(&f);
}

/* File offset of the core byte that holds address a. */
static size_t offset_of(const fixture *f, uint64_t a)
{
    hs_core c;
    hs_error e;
    hs_load_options o = {0};
    assert_int_equal(hs_core_open(&c, &f->core, &o, &e), 0);
    const uint8_t *p = hs_core_ptr(&c, a, 8);
    assert_non_null(p);
    size_t off = (size_t)(p - f->core.data);
    hs_core_close(&c);
    return off;
}

static void test_truncated_cores(void **state)
{
    fixture f;
    fixture_open(&f, NAME);
    hs_model full, m;
    hs_error e;
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size, &full, &e), 0);
    /* gcore writes the notes last: cutting the tail loses threads and files
     * but every heap chunk is still there. */
    assert_int_equal(fixture_load(&f, f.core.data, f.core.size - 4096, &m, &e), 0);
    assert_non_null(strstr(info_value(&m.heap, "warning"), "notes"));
    assert_string_equal(info_value(&m.heap, "threads"), "0");
    assert_int_equal(m.heap.alloc.used_count, full.heap.alloc.used_count);
    assert_int_equal(m.heap.alloc.used_bytes, full.heap.alloc.used_bytes);
    hs_model_free(&m);
    /* Cut in the middle of the main heap: the part before the cut is walked,
     * the rest is reported missing, nothing is invented. */
    size_t cut = offset_of(&f, hs_heap_addr(&full.heap, full.heap.n_objects / 4));
    assert_int_equal(fixture_load(&f, f.core.data, cut, &m, &e), 0);
    assert_non_null(strstr(info_value(&m.heap, "warning"), "truncated"));
    assert_non_null(info_prefix(&m.heap, "arena 0 missing"));
    assert_true(m.heap.n_objects > 0);
    assert_true(m.heap.n_objects < full.heap.n_objects);
    for (uint32_t i = 0; i < m.heap.n_objects; i++)
        assert_true(offset_of(&f, hs_heap_addr(&m.heap, i)) < cut);
    hs_model_free(&m);
    hs_model_free(&full);
    fixture_close(&f);
}

/* A program header claiming a huge stack (found by fuzzing: the stack scan
 * walked the claimed size word by word) must cost no more than the bytes present. */
static void test_huge_stack_segment(void **state)
{
    fixture f;
    fixture_open(&f, "cheap-c");
    hs_core c;
    hs_error e;
    hs_load_options none = {0};
    assert_int_equal(hs_core_open(&c, &f.core, &none, &e), 0);
    assert_true(c.n_threads > 0);
    uint64_t stack = c.segs[hs_core_seg_of(&c, c.threads[0].sp)].vaddr;
    hs_core_close(&c);
    uint8_t *copy = malloc(f.core.size);
    memcpy(copy, f.core.data, f.core.size);
    uint64_t phoff, huge = (uint64_t)1 << 46;
    uint16_t phnum;
    memcpy(&phoff, copy + 32, 8);
    memcpy(&phnum, copy + 56, 2);
    int patched = 0;
    for (uint16_t i = 0; i < phnum; i++) {
        uint8_t *ph = copy + phoff + 56 * (uint64_t)i;
        uint64_t vaddr;
        memcpy(&vaddr, ph + 16, 8);
        if (vaddr == stack) memcpy(ph + 40, &huge, 8), patched = 1; /* p_memsz */
    }
    assert_true(patched);
    hs_model m;
    assert_int_equal(fixture_load(&f, copy, f.core.size, &m, &e), 0);
    assert_int_equal(m.heap.alloc.used_count, (uint64_t)m.heap.n_objects);
    hs_model_free(&m);
    free(copy);
    fixture_close(&f);
}

static void test_demangle_vtables(void **state)
{
    char b[128];
    assert_int_equal(hs_demangle_vtable("_ZTV6Button", b, sizeof b), 0);
    assert_string_equal(b, "Button");
    assert_int_equal(hs_demangle_vtable("_ZTVN2ui7widgets5LabelE", b, sizeof b), 0);
    assert_string_equal(b, "ui::widgets::Label");
    assert_int_equal(hs_demangle_vtable("_ZTVSt9exception", b, sizeof b), 0);
    assert_string_equal(b, "std::exception");
    assert_int_equal(hs_demangle_vtable("_ZTVNSt6thread6_StateE", b, sizeof b), 0);
    assert_string_equal(b, "std::thread::_State");
    assert_int_equal(hs_demangle_vtable("_ZTVN12_GLOBAL__N_11XE", b, sizeof b), 0);
    assert_string_equal(b, "(anonymous namespace)::X");
    /* Templates and substitutions (the ABI's St, I...E, S_ rules). */
    assert_int_equal(
        hs_demangle_vtable("_ZTVSt15basic_streambufIcSt11char_traitsIcEE", b, sizeof b), 0);
    assert_string_equal(b, "std::basic_streambuf<char, std::char_traits<char> >");
    assert_int_equal(hs_demangle_vtable("_ZTVNSt3__16vectorIiNS_9allocatorIiEEEE", b, sizeof b), 0);
    assert_string_equal(b, "std::__1::vector<int, std::__1::allocator<int> >");
    /* Not a vtable, not readable, or too long: the caller keeps the symbol. */
    assert_int_equal(hs_demangle_vtable("_ZTV99short", b, sizeof b), -1);
    assert_int_equal(hs_demangle_vtable("_ZTV6Button", b, 4), -1);
    assert_int_equal(hs_demangle_vtable("_ZTI6Button", b, sizeof b), -1);
    assert_int_equal(hs_demangle_vtable("main", b, sizeof b), -1);
    /* Function names: pprof's short style, or with parameters. */
    assert_int_equal(hs_demangle("_Z7alloc_bi", HS_DEMANGLE_SHORT, b, sizeof b), 0);
    assert_string_equal(b, "alloc_b");
    assert_int_equal(hs_demangle("_Z7alloc_bi", HS_DEMANGLE_FULL, b, sizeof b), 0);
    assert_string_equal(b, "alloc_b(int)");
    assert_int_equal(hs_demangle("alloc_b", HS_DEMANGLE_FULL, b, sizeof b), -1);
}

/* The four modes on the shapes that differ (c++filt gives the full and
 * templates forms; pprof's default leaves out template arguments too). */
static void test_demangle_modes(void **state)
{
    (void)state;
    static const struct {
        const char *sym, *want[3]; /* short, templates, full */
    } cases[] = {
        {"_ZNSt6vectorIiSaIiEE9push_backERKi",
         {"std::vector::push_back", "std::vector<int, std::allocator<int> >::push_back",
          "std::vector<int, std::allocator<int> >::push_back(int const&)"}},
        {"_ZlsR3Logi", {"operator<<", "operator<<", "operator<<(Log&, int)"}},
        {"_ZN3FooltERKS_", {"Foo::operator<", "Foo::operator<", "Foo::operator<(Foo const&)"}},
        {"_Z3foov.constprop.0", {"foo", "foo", "foo()"}}, /* clones: pprof shows none */
        {"__Z7alloc_bi", {"alloc_b", "alloc_b", "alloc_b(int)"}}, /* macOS's extra '_' */
    };
    char b[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int m = 0; m < 3; m++) {
            assert_int_equal(hs_demangle(cases[i].sym, (hs_demangle_mode)m, b, sizeof b), 0);
            assert_string_equal(b, cases[i].want[m]);
        }
    assert_int_equal(hs_demangle("_Z7alloc_bi", HS_DEMANGLE_NONE, b, sizeof b), -1);
}

/* hs_mem_skip_zeros: the first non-zero word at or after off, by brute
 * force over every placement of one non-zero word (and none) in 96 bytes,
 * from every start and to every end. */
static void test_skip_zeros(void **state)
{
    for (int at = -1; at < 12; at++) {
        uint64_t words[12] = {0};
        if (at >= 0) words[at] = 0x40ull << at;
        for (uint64_t end = 0; end <= 96; end += 8)
            for (uint64_t off = 0; off <= end; off += 8) {
                uint64_t want = end;
                for (uint64_t o = off; o + 8 <= end; o += 8)
                    if (words[o / 8]) {
                        want = o;
                        break;
                    }
                uint64_t got = hs_mem_skip_zeros((const uint8_t *)words, off, end);
                assert_int_equal(got < end ? got : end, want);
            }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_process_facts),
        cmocka_unit_test(test_classes_leaks_and_anchors),
        cmocka_unit_test(test_kernel_core),
        cmocka_unit_test(test_qemu_aarch64_core),
        cmocka_unit_test(test_without_binary_same_heap),
        cmocka_unit_test(test_sysroot),
        cmocka_unit_test(test_not_a_core),
        cmocka_unit_test(test_other_architecture),
        cmocka_unit_test(test_tiny_and_headers_cut),
        cmocka_unit_test(test_truncated_cores),
        cmocka_unit_test(test_huge_stack_segment),
        cmocka_unit_test(test_demangle_vtables),
        cmocka_unit_test(test_demangle_modes),
        cmocka_unit_test(test_skip_zeros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
