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
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_address),
        cmocka_unit_test(test_by_name),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_sorted_in_file_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
