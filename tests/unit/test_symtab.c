/* The one symbol lookup (formats/symtab.c) on a table built by hand, so the
 * expected symbol of every address follows from the construction and
 * libdwfl's documented preference: the sized symbol containing the address
 * with the nearest start, global and weak before local, global before weak;
 * for code a sizeless label no sized symbol passes over, for data only an
 * exact one; by name the first in the file. Sorted both ways: symbols out
 * of the file's order (qsort) and in it (radix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symtab.h"

static void add(hs_symtab *t, const char *name, uint64_t addr, uint64_t size, int type, int bind,
                uint32_t index)
{
    GElf_Sym s = {.st_info = GELF_ST_INFO(bind, type), .st_shndx = 1, .st_size = size};
    assert_int_equal(hs_symtab_add(t, addr, &s, index, name), 0);
}

static const char *at(const hs_symtab *t, uint64_t addr, unsigned mask)
{
    const hs_sym *s = hs_symtab_at(t, addr, mask);
    return s ? s->name : "-";
}

static void build(hs_symtab *t)
{
    hs_symtab_init(t);
    /* Added out of address order, as a symbol table lists them. */
    add(t, "inner", 0x1100, 0x10, STT_FUNC, STB_LOCAL, 5);
    add(t, "outer", 0x1000, 0x400, STT_FUNC, STB_GLOBAL, 9);
    add(t, "local_only", 0x2000, 0x20, STT_FUNC, STB_LOCAL, 3);
    add(t, "weak_alias", 0x3000, 0x40, STT_FUNC, STB_WEAK, 1);
    add(t, "strong", 0x3000, 0x40, STT_FUNC, STB_GLOBAL, 2);
    add(t, "asm_label", 0x4000, 0, STT_NOTYPE, STB_GLOBAL, 4);
    add(t, "g_table", 0x9000, 0x80, STT_OBJECT, STB_GLOBAL, 6);
    add(t, "data_marker", 0x9100, 0, STT_OBJECT, STB_GLOBAL, 7);
    add(t, "dup", 0x5000, 8, STT_OBJECT, STB_GLOBAL, 11);
    add(t, "dup", 0x6000, 8, STT_OBJECT, STB_GLOBAL, 10);
    GElf_Sym und = {.st_info = GELF_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = SHN_UNDEF};
    assert_int_equal(hs_symtab_add(t, 0x1000, &und, 12, "undefined"), 0);
    GElf_Sym sec = {.st_info = GELF_ST_INFO(STB_LOCAL, STT_SECTION), .st_shndx = 1, .st_size = 0x10000};
    assert_int_equal(hs_symtab_add(t, 0, &sec, 13, ".text"), 0);
    assert_int_equal(t->n, 10); /* the undefined symbol and the section are not kept */
}

static void test_by_address(void **state)
{
    hs_symtab t;
    build(&t);
    assert_null(hs_symtab_at(&t, 0x1000, HS_SYM_ANY)); /* not sorted yet */
    assert_int_equal(hs_symtab_finish(&t), 0);
    assert_string_equal(at(&t, 0x0fff, HS_SYM_ANY), "-");
    assert_string_equal(at(&t, 0x1000, HS_SYM_ANY), "outer");
    /* Inside the local inner function: the global outer one comes first. */
    assert_string_equal(at(&t, 0x1108, HS_SYM_ANY), "outer");
    /* Past the nested one, the walk back still finds the enclosing one. */
    assert_string_equal(at(&t, 0x13ff, HS_SYM_ANY), "outer");
    assert_string_equal(at(&t, 0x1400, HS_SYM_ANY), "-");
    assert_string_equal(at(&t, 0x2010, HS_SYM_ANY), "local_only");
    assert_string_equal(at(&t, 0x3020, HS_SYM_ANY), "strong"); /* global before weak */
    /* A code label names what follows it; data markers only themselves. */
    assert_string_equal(at(&t, 0x4010, HS_SYM_ANY), "asm_label");
    assert_string_equal(at(&t, 0x9040, HS_SYM_DATA), "g_table");
    assert_string_equal(at(&t, 0x9100, HS_SYM_DATA), "data_marker");
    assert_string_equal(at(&t, 0x9108, HS_SYM_DATA), "-");
    assert_string_equal(at(&t, 0x9040, HS_SYM_FUNC), "-"); /* kinds filter */
    assert_string_equal(at(&t, 0x1000, HS_SYM_DATA), "-");
    hs_symtab_free(&t);
}

static void test_by_name(void **state)
{
    hs_symtab t;
    build(&t);
    /* Before sorting and after, scanning and then through the index: the
     * first in the file (index 10, at 0x6000) wins. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 6; i++) {
            const hs_sym *s = hs_symtab_named(&t, "dup");
            assert_non_null(s);
            assert_int_equal(s->addr, 0x6000);
            assert_int_equal(hs_symtab_named(&t, "strong")->addr, 0x3000);
            assert_null(hs_symtab_named(&t, "undefined"));
            assert_null(hs_symtab_named(&t, "nothing"));
        }
        assert_int_equal(hs_symtab_finish(&t), 0);
    }
    hs_symtab_free(&t);
}

static void test_empty(void **state)
{
    hs_symtab t;
    hs_symtab_init(&t);
    assert_int_equal(hs_symtab_finish(&t), 0);
    assert_null(hs_symtab_at(&t, 0x1000, HS_SYM_ANY));
    assert_null(hs_symtab_named(&t, "x"));
    hs_symtab_free(&t);
}

/* Symbols added in the file's order (the usual case, sorted by radix):
 * after finishing, by address and, at one address, by index. Addresses
 * differ in low, middle and high bytes and repeat. */
static void test_sorted_in_file_order(void **state)
{
    hs_symtab t;
    hs_symtab_init(&t);
    uint64_t x = 88172645463325252ull;
    for (uint32_t i = 1; i <= 3000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t addr = (i % 7 == 0 ? 0x7f0000000000ull : 0x400000ull) + (x % 50000) * 16;
        add(&t, "s", addr, 8, STT_FUNC, STB_GLOBAL, i);
    }
    assert_int_equal(hs_symtab_finish(&t), 0);
    for (uint32_t i = 1; i < t.n; i++) {
        const hs_sym *a = &t.syms[i - 1], *b = &t.syms[i];
        assert_true(a->addr < b->addr || (a->addr == b->addr && a->index < b->index));
    }
    hs_symtab_free(&t);
}

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* A table's first lookups are answered by a pass over it (hs_symtab_lookup
 * before sorting); every answer equals the sorted table's. Random tables
 * over a small address range: nested, overlapping and sizeless symbols of
 * every kind and binding, many at one address, and one address with more
 * labels than the sorted walk looks at. */
static void test_scan_equals_sorted(void **state)
{
    static const int types[] = {STT_FUNC, STT_OBJECT, STT_NOTYPE, STT_GNU_IFUNC};
    static const int binds[] = {STB_GLOBAL, STB_WEAK, STB_LOCAL};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint32_t scanned = 0, undecided = 0;
    for (int round = 0; round < 200; round++) {
        hs_symtab scan, sorted;
        hs_symtab_init(&scan), hs_symtab_init(&sorted);
        uint32_t n = 1 + (uint32_t)(next_rand(&x) % 300);
        for (uint32_t i = 1; i <= n; i++) {
            uint64_t addr = 0x1000 + (next_rand(&x) % 64) * 8, r = next_rand(&x);
            uint64_t size = r % 3 == 0 ? 0 : (r >> 8) % 96;
            if (round % 50 == 7) size = 0, addr = i % 2 ? 0x1100 : addr; /* > 64 labels at one address */
            int type = types[(r >> 20) % 4], bind = binds[(r >> 24) % 3];
            add(&scan, "s", addr, size, type, bind, i);
            add(&sorted, "s", addr, size, type, bind, i);
        }
        assert_int_equal(hs_symtab_finish(&sorted), 0);
        for (uint64_t a = 0xff8; a < 0x1300; a += 4) {
            scan.scans = 0; /* keep answering by passes */
            const hs_sym *got = hs_symtab_lookup(&scan, a, HS_SYM_ANY);
            const hs_sym *want = hs_symtab_at(&sorted, a, HS_SYM_ANY);
            assert_int_equal(got ? got->index : 0, want ? want->index : 0);
            scanned += !scan.sorted;
        }
        undecided += scan.sorted; /* a pass could not decide: sorted then */
        hs_symtab_free(&scan), hs_symtab_free(&sorted);
    }
    assert_true(scanned > 10000);
    assert_true(undecided >= 1);
}

typedef struct compared {
    uint32_t modules, direct, symbols, lookups;
} compared;

static int compare_module(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start,
                          void *arg)
{
    compared *c = arg;
    hs_symtab fast, slow;
    hs_symtab_init(&fast), hs_symtab_init(&slow);
    int n = dwfl_module_getsymtab(mod), rc = hs_symtab_add_module_direct(&fast, mod, n);
    assert_int_equal(hs_symtab_add_module_libdwfl(&slow, mod), 0);
    assert_true(rc >= 0);
    c->modules++;
    if (rc == 1 && slow.n) {
        /* Lookups by a pass over the section equal the sorted table's, by
         * name and at addresses in, between and around symbols. */
        hs_symtab sorted;
        hs_symtab_init(&sorted);
        for (uint32_t i = 0; i < slow.n; i++)
            assert_int_equal(hs_symtab_add(&sorted, slow.syms[i].addr, &(GElf_Sym){.st_info = GELF_ST_INFO(
                slow.syms[i].rank == 2 ? STB_LOCAL : slow.syms[i].rank ? STB_WEAK : STB_GLOBAL,
                slow.syms[i].kind == HS_SYM_FUNC ? STT_FUNC : slow.syms[i].kind == HS_SYM_DATA ? STT_OBJECT : STT_NOTYPE),
                .st_shndx = 1, .st_size = slow.syms[i].size}, slow.syms[i].index, slow.syms[i].name), 0);
        assert_int_equal(hs_symtab_finish(&sorted), 0);
        for (uint32_t k = 0; k < 40; k++) {
            const hs_sym *s = &slow.syms[(uint64_t)k * slow.n / 40];
            for (uint64_t d = 0; d < 3; d++) {
                uint64_t a = s->addr + d * (s->size / 2 + 1) - (d == 2 ? 2 * s->size + 3 : 0);
                fast.scans = 0; /* keep answering by passes over the section */
                const hs_sym *got = hs_symtab_lookup(&fast, a, HS_SYM_ANY), *want = hs_symtab_at(&sorted, a, HS_SYM_ANY);
                assert_int_equal(got ? got->index : 0, want ? want->index : 0);
            }
            fast.named_lookups = 0;
            const hs_sym *byname = hs_symtab_named(&fast, s->name), *want = hs_symtab_named(&sorted, s->name);
            assert_non_null(byname);
            assert_int_equal(byname->index, want->index);
            c->lookups++;
        }
        assert_non_null(fast.raw); /* still not copied */
        hs_symtab_free(&sorted);
    }
    if (rc == 1) {
        uint32_t nf = 0, ns = 0;
        const hs_sym *f = hs_symtab_entries(&fast, &nf), *sl = hs_symtab_entries(&slow, &ns);
        c->direct++, c->symbols += nf;
        print_message("  %s: %u symbols\n", name, nf);
        assert_int_equal(nf, ns);
        for (uint32_t i = 0; i < nf; i++) {
            const hs_sym *a = &f[i], *b = &sl[i];
            assert_int_equal(a->addr, b->addr);
            assert_int_equal(a->size, b->size);
            assert_string_equal(a->name, b->name);
            assert_int_equal(a->index, b->index);
            assert_int_equal(a->kind, b->kind);
            assert_int_equal(a->rank, b->rank);
        }
    } else {
        assert_int_equal(fast.n, 0);
    }
    hs_symtab_free(&fast), hs_symtab_free(&slow);
    return DWARF_CB_OK;
}

/* The direct read of a symbol section gives libdwfl's table exactly, on
 * the modules of this running process (the test itself, libc with its
 * debug file where installed, libdw, libelf, zlib, ...: loaded at their
 * real biases). */
static void test_direct_equals_libdwfl(void **state)
{
    unsetenv("DEBUGINFOD_URLS"); /* local debug files only */
    static char *debuginfo_path = NULL;
    const Dwfl_Callbacks cb = {.find_elf = dwfl_linux_proc_find_elf,
                               .find_debuginfo = dwfl_standard_find_debuginfo,
                               .debuginfo_path = &debuginfo_path};
    Dwfl *dwfl = dwfl_begin(&cb);
    assert_non_null(dwfl);
    dwfl_report_begin(dwfl);
    assert_int_equal(dwfl_linux_proc_report(dwfl, getpid()), 0);
    assert_int_equal(dwfl_report_end(dwfl, NULL, NULL), 0);
    compared c = {0};
    dwfl_getmodules(dwfl, compare_module, &c, 0);
    print_message("%u modules, %u read directly (%u symbols, %u lookups by a pass)\n", c.modules,
                  c.direct, c.symbols, c.lookups);
    assert_true(c.modules >= 4);
    assert_true(c.direct >= 3 && c.symbols >= 1000 && c.lookups >= 100);
    dwfl_end(dwfl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_address),
        cmocka_unit_test(test_by_name),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_sorted_in_file_order),
        cmocka_unit_test(test_direct_equals_libdwfl),
        cmocka_unit_test(test_scan_equals_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
