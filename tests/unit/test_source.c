/* Source layer: gzip (single, concatenated, truncated, corrupt) and the cursor's bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "gzip_fixture.h"
#include "heapscan/source.h"

static size_t gz(const char *text, uint8_t *out, size_t cap)
{
    return hs_test_gzip(text, strlen(text), out, cap);
}

static void test_plain_is_borrowed(void **state)
{
    hs_source s;
    hs_error e;
    const uint8_t data[] = "hello";
    assert_int_equal(hs_source_from_memory(&s, "x", data, 5, &e), 0);
    assert_ptr_equal(s.data, data);
    assert_int_equal(s.size, 5);
    assert_null(s.compression);
    hs_source_close(&s);
}

static void test_gzip_concatenated_members(void **state)
{
    uint8_t buf[512];
    size_t a = gz("first member, ", buf, sizeof buf);
    size_t b = gz("second member", buf + a, sizeof buf - a);
    hs_source s;
    hs_error e;
    assert_int_equal(hs_source_from_memory(&s, "cat.gz", buf, a + b, &e), 0);
    assert_string_equal(s.compression, "gzip");
    assert_int_equal(s.size, strlen("first member, second member"));
    assert_memory_equal(s.data, "first member, second member", s.size);
    hs_source_close(&s);
}

static void test_gzip_truncated_fails_with_offset(void **state)
{
    uint8_t buf[512];
    size_t n = gz("some text that is long enough to be cut in the middle of the stream", buf,
                  sizeof buf);
    hs_source s;
    hs_error e;
    assert_int_equal(hs_source_from_memory(&s, "cut.gz", buf, n - 10, &e), -1);
    assert_string_equal(e.file, "cut.gz");
    assert_int_equal(e.offset, n - 10);
    assert_non_null(strstr(e.msg, "truncated gzip"));
}

static void test_gzip_corrupt_fails(void **state)
{
    uint8_t buf[512];
    size_t n = gz("corrupt me please, corrupt me please, corrupt me please", buf, sizeof buf);
    memset(buf + 12, 0xff, 8);
    hs_source s;
    hs_error e;
    assert_int_equal(hs_source_from_memory(&s, "bad.gz", buf, n, &e), -1);
    assert_string_equal(e.file, "bad.gz");
}

static void test_gzip_trailing_garbage(void **state)
{
    uint8_t buf[512];
    size_t n = gz("payload", buf, sizeof buf);
    memcpy(buf + n, "junk", 4);
    hs_source s;
    hs_error e;
    assert_int_equal(hs_source_from_memory(&s, "g.gz", buf, n + 4, &e), -1);
    assert_int_equal(e.offset, n);
}

static void test_cursor_varints_and_bounds(void **state)
{
    const uint8_t data[] = {0x96, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                            0x01, 0x80};
    hs_source s;
    hs_error e;
    hs_source_from_memory(&s, "v", data, sizeof data, &e);
    hs_cursor c = hs_cursor_make(&s);
    uint64_t v;
    assert_int_equal(hs_cursor_uvarint(&c, &v, &e), 0);
    assert_int_equal(v, 150);
    assert_int_equal(hs_cursor_uvarint(&c, &v, &e), 0);
    assert_true(v == UINT64_MAX);
    /* 0x80 then end of input: truncated varint at offset 12. */
    assert_int_equal(hs_cursor_uvarint(&c, &v, &e), -1);
    assert_int_equal(e.offset, 13);
    hs_cursor d = hs_cursor_make(&s);
    hs_cursor sub;
    assert_int_equal(hs_cursor_sub(&d, 14, &sub, &e), -1);
    assert_int_equal(e.offset, 0);
    assert_int_equal(hs_cursor_sub(&d, 2, &sub, &e), 0);
    uint32_t w;
    assert_int_equal(hs_cursor_le32(&sub, &w, &e), -1);
    assert_int_equal(hs_cursor_left(&sub), 2);
}

static void test_overlong_varint(void **state)
{
    const uint8_t data[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    hs_source s;
    hs_error e;
    hs_source_from_memory(&s, "v", data, sizeof data, &e);
    hs_cursor c = hs_cursor_make(&s);
    uint64_t v;
    assert_int_equal(hs_cursor_uvarint(&c, &v, &e), -1);
    assert_int_equal(e.offset, 0);
    assert_non_null(strstr(e.msg, "varint"));
}

static void test_open_missing_file(void **state)
{
    hs_source s;
    hs_error e;
    assert_int_equal(hs_source_open(&s, "/nonexistent/heap.prof", &e), -1);
    assert_string_equal(e.file, "/nonexistent/heap.prof");
    assert_non_null(strstr(e.msg, "cannot open"));
}

static void test_error_is_one_line(void **state)
{
    hs_error e;
    assert_int_equal(hs_error_set(&e, "a\nb", 3, "bad name \"%s\"", "x\ny\r\x7f"), -1);
    assert_string_equal(e.file, "a?b");
    assert_string_equal(e.msg, "bad name \"x?y??\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_is_borrowed),
        cmocka_unit_test(test_gzip_concatenated_members),
        cmocka_unit_test(test_gzip_truncated_fails_with_offset),
        cmocka_unit_test(test_gzip_corrupt_fails),
        cmocka_unit_test(test_gzip_trailing_garbage),
        cmocka_unit_test(test_cursor_varints_and_bounds),
        cmocka_unit_test(test_overlong_varint),
        cmocka_unit_test(test_open_missing_file),
        cmocka_unit_test(test_error_is_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
