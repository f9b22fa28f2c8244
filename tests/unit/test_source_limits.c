/* Source layer memory bound: HEAPSCAN_MAX_INFLATE caps how much a gzip input
 * may inflate to. A gzip bomb (100 MiB of zeros in ~100 KiB) must fail with
 * a one-line message naming the file once the limit is set low, an input
 * exactly at the limit must still load, and a malformed limit is an error
 * rather than silently ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "heapscan/reader.h"
#include "heapscan/source.h"

/* gzip of n zero bytes, produced in 1 MiB steps; *out_size = compressed size. */
static uint8_t *gzip_zeros(size_t n, size_t *out_size)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)n) + 64;
    uint8_t *out = malloc(cap);
    static const uint8_t zeros[1 << 20];
    assert_non_null(out);
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    size_t left = n;
    for (;;) {
        size_t step = left < sizeof zeros ? left : sizeof zeros;
        zs.next_in = (Bytef *)zeros;
        zs.avail_in = (uInt)step;
        left -= step;
        int rc = deflate(&zs, left ? Z_NO_FLUSH : Z_FINISH);
        if (!left) {
            assert_int_equal(rc, Z_STREAM_END);
            break;
        }
        assert_int_equal(rc, Z_OK);
    }
    *out_size = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static int teardown_env(void **state)
{
    unsetenv("HEAPSCAN_MAX_INFLATE");
    return 0;
}

static void test_bomb_fails_with_low_limit(void **state)
{
    size_t n;
    uint8_t *bomb = gzip_zeros((size_t)100 << 20, &n);
    assert_true(n < ((size_t)1 << 20)); /* really a bomb: >100x */
    setenv("HEAPSCAN_MAX_INFLATE", "1048576", 1);
    hs_source s;
    hs_error e;
    hs_error_clear(&e);
    assert_int_equal(hs_source_from_memory(&s, "bomb.gz", bomb, n, &e), -1);
    assert_string_equal(e.file, "bomb.gz");
    assert_non_null(strstr(e.msg, "1048576"));
    assert_non_null(strstr(e.msg, "HEAPSCAN_MAX_INFLATE"));
    assert_null(strchr(e.msg, '\n'));
    /* The same through the registry, as the CLI loads it. */
    hs_model m;
    hs_error_clear(&e);
    assert_int_equal(hs_load_memory("bomb.gz", bomb, n, NULL, &m, &e), -1);
    assert_string_equal(e.file, "bomb.gz");
    assert_non_null(strstr(e.msg, "HEAPSCAN_MAX_INFLATE"));
    free(bomb);
}

static void test_bomb_inflates_without_limit(void **state)
{
    size_t n;
    uint8_t *bomb = gzip_zeros((size_t)100 << 20, &n);
    unsetenv("HEAPSCAN_MAX_INFLATE");
    hs_source s;
    hs_error e;
    assert_int_equal(hs_source_from_memory(&s, "bomb.gz", bomb, n, &e), 0);
    assert_int_equal(s.size, (size_t)100 << 20);
    assert_int_equal(s.data[s.size - 1], 0);
    hs_source_close(&s);
    free(bomb);
}

static void test_exact_limit_boundary(void **state)
{
    size_t n;
    uint8_t *gz = gzip_zeros(300000, &n);
    hs_source s;
    hs_error e;
    setenv("HEAPSCAN_MAX_INFLATE", "300000", 1);
    assert_int_equal(hs_source_from_memory(&s, "exact.gz", gz, n, &e), 0);
    assert_int_equal(s.size, 300000);
    hs_source_close(&s);
    setenv("HEAPSCAN_MAX_INFLATE", "299999", 1);
    assert_int_equal(hs_source_from_memory(&s, "over.gz", gz, n, &e), -1);
    assert_string_equal(e.file, "over.gz");
    assert_non_null(strstr(e.msg, "299999"));
    free(gz);
}

static void test_malformed_limit_is_an_error(void **state)
{
    size_t n;
    uint8_t *gz = gzip_zeros(1000, &n);
    static const char *const bad[] = {"abc", "10M", "-5", "0", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hs_source s;
        hs_error e;
        setenv("HEAPSCAN_MAX_INFLATE", bad[i], 1);
        assert_int_equal(hs_source_from_memory(&s, "x.gz", gz, n, &e), -1);
        assert_string_equal(e.file, "x.gz");
        assert_non_null(strstr(e.msg, "HEAPSCAN_MAX_INFLATE must be"));
    }
    free(gz);
}

static void test_plain_input_ignores_limit(void **state)
{
    /* The cap is on inflation only: plain bytes are borrowed, not copied. */
    static const uint8_t data[4096];
    hs_source s;
    hs_error e;
    setenv("HEAPSCAN_MAX_INFLATE", "16", 1);
    assert_int_equal(hs_source_from_memory(&s, "plain", data, sizeof data, &e), 0);
    assert_ptr_equal(s.data, data);
    hs_source_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_bomb_fails_with_low_limit, teardown_env),
        cmocka_unit_test_teardown(test_bomb_inflates_without_limit, teardown_env),
        cmocka_unit_test_teardown(test_exact_limit_boundary, teardown_env),
        cmocka_unit_test_teardown(test_malformed_limit_is_an_error, teardown_env),
        cmocka_unit_test_teardown(test_plain_input_ignores_limit, teardown_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
