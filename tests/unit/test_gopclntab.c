/* The pc tables of Go executables (formats/gopclntab.c) on bytes written
 * here by Go's documented encoding (runtime/symtab.go step, readvarint):
 * per pair a value delta, zig-zag encoded (2v for v >= 0, -2v - 1 below),
 * then a pc delta in pc quanta, both unsigned varints of 7 bits a byte, low
 * bits first; the value starts at -1 at the function's entry; a zero value
 * delta after the first pair ends the table. The expected values are the
 * ones the pairs were built from, not heapscan's output. And a synthetic
 * module: ftab, _func records (the Go 1.20+ layout: 44 bytes) with pcdata
 * and funcdata offsets, found by pc as the runtime's findfunc finds them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gopclntab.h"

#define ENTRY 0x401000u

/* A frame size table: 0 for 4 bytes (the prologue), 24 up to 0x80, 0 for
 * one byte (the epilogue's RET), 24 for 383 more (a pc delta of two
 * varint bytes: 383 = 0x7f + 2 << 7), then the end. */
static const uint8_t pcsp[] = {
    0x02, 0x04,       /* -1 -> 0: +1 = zig-zag 2; pc +4 */
    0x30, 0x7c,       /* 0 -> 24: zig-zag 48; pc +0x7c (to 0x80) */
    0x2f, 0x01,       /* 24 -> 0: -24 = zig-zag 47; pc +1 */
    0x30, 0xff, 0x02, /* 0 -> 24; pc +383 */
    0x00,             /* end */
};

static int32_t at(const uint8_t *p, uint64_t n, uint64_t pc, uint32_t quantum)
{
    int32_t v = 12345;
    return hs_gopcln_pcvalue(p, n, ENTRY, pc, quantum, &v) ? -9999 : v;
}

static void test_frame_sizes(void **state)
{
    (void)state;
    uint64_t n = sizeof pcsp;
    assert_int_equal(at(pcsp, n, ENTRY, 1), 0);
    assert_int_equal(at(pcsp, n, ENTRY + 3, 1), 0);
    assert_int_equal(at(pcsp, n, ENTRY + 4, 1), 24);
    assert_int_equal(at(pcsp, n, ENTRY + 0x7f, 1), 24);
    assert_int_equal(at(pcsp, n, ENTRY + 0x80, 1), 0);
    assert_int_equal(at(pcsp, n, ENTRY + 0x81, 1), 24);
    assert_int_equal(at(pcsp, n, ENTRY + 0x81 + 382, 1), 24);
    assert_int_equal(at(pcsp, n, ENTRY + 0x81 + 383, 1), -9999); /* past the end */
}

/* Quantum 4 (arm64): a pc delta of 1 is 4 bytes. */
static void test_quantum(void **state)
{
    (void)state;
    assert_int_equal(at(pcsp, sizeof pcsp, ENTRY + 15, 4), 0);
    assert_int_equal(at(pcsp, sizeof pcsp, ENTRY + 16, 4), 24);
    assert_int_equal(at(pcsp, sizeof pcsp, ENTRY + 4 * 0x80, 4), 0);
}

/* A stack map index table: -1 (no first value delta) for 16 bytes, then
 * 1000 (zig-zag 2002 = 0x7d2: bytes 0xd2 0x0f), then 3 (-997: zig-zag
 * 1993 = 0x7c9: 0xc9 0x0f). */
static void test_multibyte_values(void **state)
{
    (void)state;
    static const uint8_t t[] = {0x00, 0x10, 0xd2, 0x0f, 0x08, 0xc9, 0x0f, 0x08, 0x00};
    assert_int_equal(at(t, sizeof t, ENTRY + 15, 1), -1);
    assert_int_equal(at(t, sizeof t, ENTRY + 16, 1), 1000);
    assert_int_equal(at(t, sizeof t, ENTRY + 24, 1), 3);
    assert_int_equal(at(t, sizeof t, ENTRY + 32, 1), -9999);
}

/* Damage: a cut varint, a table without its end, an overlong varint. */
static void test_damaged_tables(void **state)
{
    (void)state;
    static const uint8_t cut[] = {0x30, 0xff};
    static const uint8_t no_end[] = {0x02, 0x04};
    static const uint8_t overlong[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x04};
    assert_int_equal(at(cut, sizeof cut, ENTRY, 1), -9999);
    assert_int_equal(at(no_end, sizeof no_end, ENTRY + 3, 1), 0);
    assert_int_equal(at(no_end, sizeof no_end, ENTRY + 4, 1), -9999);
    assert_int_equal(at(overlong, sizeof overlong, ENTRY, 1), -9999);
    assert_int_equal(at(pcsp, 0, ENTRY, 1), -9999);
}

/* Go 1.20+'s _func: entryOff 0, nameOff 4, args 8, deferreturn 12, pcsp
 * 16, pcfile 20, pcln 24, npcdata 28, cuOffset 32, startLine 36, funcID
 * 40, flag 41, pad 42, nfuncdata 43. */
static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void test_find_and_funcdata(void **state)
{
    (void)state;
    static uint8_t pcln[256], pctab[64];
    memset(pcln, 0, sizeof pcln);
    memcpy(pctab + 1, pcsp, sizeof pcsp); /* offset 0 means "no table" */
    /* ftab: f0 at text+0x100 (record at 32), f1 at text+0x300 (at 96), end 0x400 */
    put32(pcln + 0, 0x100), put32(pcln + 4, 32);
    put32(pcln + 8, 0x300), put32(pcln + 12, 96);
    put32(pcln + 16, 0x400), put32(pcln + 20, 0);
    uint8_t *f1 = pcln + 96;
    put32(f1 + 0, 0x300), put32(f1 + 8, 16), put32(f1 + 16, 1), put32(f1 + 28, 2);
    f1[43] = 3;
    put32(f1 + 44, 0), put32(f1 + 48, 1); /* pcdata 0 absent, pcdata 1 = pcsp's bytes */
    put32(f1 + 52, 0x40), put32(f1 + 56, UINT32_MAX), put32(f1 + 60, 0x80);
    put32(pcln + 32, 0x100);
    hs_gopcln t = {.pcln = pcln, .pctab = pctab, .n_pcln = sizeof pcln, .n_pctab = sizeof pctab,
                   .nftab = 2, .text = 0x400000, .minpc = 0x400100, .maxpc = 0x400400,
                   .gofunc = 0x500000, .quantum = 1, .func_size = 44,
                   .f_entry = {0, 4}, .f_args = {8, 4}, .f_pcsp = {16, 4},
                   .f_npcdata = {28, 4}, .f_nfuncdata = {43, 1}};
    hs_gopcln_func f;
    assert_int_equal(hs_gopcln_find(&t, 0x4000ff, &f), -1);
    assert_int_equal(hs_gopcln_find(&t, 0x400400, &f), -1);
    assert_int_equal(hs_gopcln_find(&t, 0x400305, &f), 0);
    assert_int_equal(f.entry, 0x400300);
    assert_int_equal(f.end, 0x400400);
    assert_int_equal(f.args, 16);
    int32_t v;
    assert_int_equal(hs_gopcln_spdelta(&t, &f, 0x400304, &v), 0);
    assert_int_equal(v, 24);
    assert_int_equal(hs_gopcln_pcdata(&t, &f, 0, 0x400304, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(hs_gopcln_pcdata(&t, &f, 1, 0x400380, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(hs_gopcln_pcdata(&t, &f, 7, 0x400380, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(hs_gopcln_funcdata(&t, &f, 0), 0x500040);
    assert_int_equal(hs_gopcln_funcdata(&t, &f, 1), 0);
    assert_int_equal(hs_gopcln_funcdata(&t, &f, 2), 0x500080);
    assert_int_equal(hs_gopcln_funcdata(&t, &f, 3), 0);
    /* f0's record says another entry than ftab: refused, not trusted */
    put32(pcln + 32, 0x104);
    assert_int_equal(hs_gopcln_find(&t, 0x400100, &f), -1);
    /* a record past the end of pclntable */
    put32(pcln + 12, 250);
    assert_int_equal(hs_gopcln_find(&t, 0x400300, &f), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_sizes),
        cmocka_unit_test(test_quantum),
        cmocka_unit_test(test_multibyte_values),
        cmocka_unit_test(test_damaged_tables),
        cmocka_unit_test(test_find_and_funcdata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
