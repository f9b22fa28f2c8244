/* Source layer bounds, passed in hs_source_options (the library reads no
 * environment). max_unpack caps what a compressed input may decompress to:
 * a gzip bomb (100 MiB of zeros in ~100 KiB) fails with a one-line message
 * naming the file and the caller's hint, an input exactly at the limit
 * still loads. max_memory caps what is held in memory: decompressed data,
 * and a stream (pipe, device) read to its end, which stops at the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
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

static void test_bomb_fails_with_low_limit(void **state)
{
    size_t n;
    uint8_t *bomb = gzip_zeros((size_t)100 << 20, &n);
    assert_true(n < ((size_t)1 << 20)); /* really a bomb: >100x */
    hs_source_options opt = {.max_unpack = 1048576, .unpack_hint = "SOME_KNOB"};
    hs_source s;
    hs_error e;
    hs_error_clear(&e);
    assert_int_equal(hs_source_from_memory_with(&s, "bomb.gz", bomb, n, &opt, &e), -1);
    assert_string_equal(e.file, "bomb.gz");
    assert_string_equal(e.msg, "decompressed data exceeds the limit of 1048576 bytes (SOME_KNOB)");
    /* The same through the registry, as the CLI loads it. */
    hs_model m;
    hs_load_options lo = {.source = opt};
    hs_error_clear(&e);
    assert_int_equal(hs_load_memory("bomb.gz", bomb, n, &lo, &m, &e), -1);
    assert_string_equal(e.file, "bomb.gz");
    assert_non_null(strstr(e.msg, "SOME_KNOB"));
    /* The memory limit binds the same way, named as such. */
    hs_source_options mem = {.max_memory = 2097152};
    assert_int_equal(hs_source_from_memory_with(&s, "bomb.gz", bomb, n, &mem, &e), -1);
    assert_string_equal(e.msg, "decompressed data exceeds the memory limit of 2097152 bytes");
    free(bomb);
}

static void test_bomb_inflates_with_defaults(void **state)
{
    size_t n;
    uint8_t *bomb = gzip_zeros((size_t)100 << 20, &n);
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
    hs_source_options opt = {.max_unpack = 300000};
    assert_int_equal(hs_source_from_memory_with(&s, "exact.gz", gz, n, &opt, &e), 0);
    assert_int_equal(s.size, 300000);
    hs_source_close(&s);
    opt.max_unpack = 299999;
    assert_int_equal(hs_source_from_memory_with(&s, "over.gz", gz, n, &opt, &e), -1);
    assert_string_equal(e.file, "over.gz");
    assert_non_null(strstr(e.msg, "299999"));
    free(gz);
}

static void test_plain_input_ignores_limit(void **state)
{
    /* The cap is on copies: plain bytes in memory are borrowed, not copied. */
    static const uint8_t data[4096];
    hs_source s;
    hs_error e;
    hs_source_options opt = {.max_memory = 16, .max_unpack = 16};
    assert_int_equal(hs_source_from_memory_with(&s, "plain", data, sizeof data, &opt, &e), 0);
    assert_ptr_equal(s.data, data);
    hs_source_close(&s);
}

/* The default memory limit is half the RAM the kernel reports. */
static void test_default_is_half_the_ram(void **state)
{
    FILE *f = fopen("/proc/meminfo", "r");
    assert_non_null(f);
    unsigned long long kib = 0;
    assert_int_equal(fscanf(f, "MemTotal: %llu kB", &kib), 1);
    fclose(f);
    uint64_t half = hs_source_default_max_memory();
    uint64_t want = kib * 1024 / 2;
    /* MemTotal excludes memory the kernel reserved at boot: within 5%. */
    assert_true(half >= want && half <= want + want / 20);
}

/* A device with no end stops at the memory limit, naming what it is. */
static void test_endless_device_stops_at_limit(void **state)
{
    hs_source s;
    hs_error e;
    hs_source_options opt = {.max_memory = 3 << 20, .memory_hint = "KNOB=3MiB"};
    assert_int_equal(hs_source_open_with(&s, "/dev/zero", &opt, &e), -1);
    assert_string_equal(e.file, "/dev/zero");
    assert_int_equal(e.offset, 3 << 20);
    assert_string_equal(e.msg, "stopped reading a character device: it goes on past the memory "
                               "limit of 3145728 bytes (KNOB=3MiB)");
}

/* A pipe that ends exactly at the limit is read whole; one byte more is not. */
static void pipe_of(size_t n, int *rfd)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) >= (int)n, 1);
    static const uint8_t bytes[1 << 16];
    for (size_t done = 0; done < n;) {
        size_t step = n - done < sizeof bytes ? n - done : sizeof bytes;
        assert_int_equal(write(fds[1], bytes, step), (ssize_t)step);
        done += step;
    }
    close(fds[1]);
    *rfd = fds[0];
}

static void test_pipe_at_and_past_limit(void **state)
{
    hs_source_options opt = {.max_memory = 100000};
    for (size_t n = 100000; n <= 100001; n++) {
        int fd, saved = dup(0);
        pipe_of(n, &fd);
        dup2(fd, 0);
        close(fd);
        hs_source s;
        hs_error e;
        int rc = hs_source_open_with(&s, "-", &opt, &e);
        dup2(saved, 0);
        close(saved);
        if (n == 100000) {
            assert_int_equal(rc, 0);
            assert_int_equal(s.size, n);
            hs_source_close(&s);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(e.file, "<stdin>");
            assert_non_null(strstr(e.msg, "stopped reading a pipe"));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bomb_fails_with_low_limit),
        cmocka_unit_test(test_bomb_inflates_with_defaults),
        cmocka_unit_test(test_exact_limit_boundary),
        cmocka_unit_test(test_plain_input_ignores_limit),
        cmocka_unit_test(test_default_is_half_the_ram),
        cmocka_unit_test(test_endless_device_stops_at_limit),
        cmocka_unit_test(test_pipe_at_and_past_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
