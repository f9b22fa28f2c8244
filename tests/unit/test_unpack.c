/* The decoders of the source layer (formats/codecs.c), fed by each
 * library's own encoder (zstd, xz, bzip2, lz4, gzip): a round trip gives
 * the bytes back, two frames/members in a row give both, every cut of a
 * stream is an error naming the format and an offset within the input,
 * every flipped byte is an error or the right bytes (never a crash; every
 * stream carries a checksum, as the tools write them by default), the
 * output limit holds to the byte, and an ELF file (a core) decompresses
 * into a mapped temporary file, or into memory when there is no room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cmocka.h>

#include "gzip_fixture.h"
#include "heapscan/source.h"

enum { ZSTD, XZ, BZIP2, LZ4, GZIP, N_CODECS };
static const char *const names[N_CODECS] = {"zstd", "xz", "bzip2", "lz4", "gzip"};

/* in[0, n) compressed with codec k into a new buffer; *out_n its size. */
static uint8_t *encode(int k, const uint8_t *in, size_t n, size_t *out_n)
{
    size_t cap = n + n / 2 + 1024;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    switch (k) {
    case ZSTD: { /* with a checksum, as the zstd tool writes by default */
        ZSTD_CCtx *c = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
        *out_n = ZSTD_compress2(c, out, cap, in, n);
        assert_false(ZSTD_isError(*out_n));
        ZSTD_freeCCtx(c);
        break;
    }
    case XZ:
        *out_n = 0;
        assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, n, out, out_n, cap),
                         LZMA_OK);
        break;
    case BZIP2: {
        unsigned len = (unsigned)cap;
        int rc = BZ2_bzBuffToBuffCompress((char *)out, &len, (char *)in, (unsigned)n, 9, 0, 0);
        assert_int_equal(rc, BZ_OK);
        *out_n = len;
        break;
    }
    case LZ4: {
        LZ4F_preferences_t p;
        memset(&p, 0, sizeof p);
        p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        *out_n = LZ4F_compressFrame(out, cap, in, n, &p);
        assert_false(LZ4F_isError(*out_n));
        break;
    }
    default: *out_n = hs_test_gzip(in, n, out, cap);
    }
    return out;
}

/* Text-like bytes that compress, but not to nothing. */
static uint8_t *pattern(size_t n, int elf)
{
    uint8_t *b = malloc(n);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)("heapscan "[i % 9] + (i / 4096) % 7);
    if (elf && n >= 4) memcpy(b, "\177ELF", 4);
    return b;
}

static void test_round_trip_and_concatenation(void **state)
{
    (void)state;
    size_t n = 300000;
    uint8_t *plain = pattern(n, 0);
    for (int k = 0; k < N_CODECS; k++) {
        size_t a_n, b_n;
        uint8_t *a = encode(k, plain, n / 3, &a_n), *b = encode(k, plain + n / 3, n - n / 3, &b_n);
        uint8_t *both = malloc(a_n + b_n);
        memcpy(both, a, a_n);
        memcpy(both + a_n, b, b_n);
        hs_source s;
        hs_error e;
        assert_int_equal(hs_source_from_memory(&s, "one", a, a_n, &e), 0);
        assert_string_equal(s.compression, names[k]);
        assert_int_equal(s.size, n / 3);
        assert_memory_equal(s.data, plain, n / 3);
        hs_source_close(&s);
        if (hs_source_from_memory(&s, "two", both, a_n + b_n, &e))
            fail_msg("%s: %s", names[k], e.msg);
        assert_int_equal(s.size, n);
        assert_memory_equal(s.data, plain, n);
        hs_source_close(&s);
        free(a), free(b), free(both);
    }
    free(plain);
}

/* Every cut of a stream fails (a prefix too short for the magic is plain
 * bytes, not a compressed stream), naming the format and an offset. */
static void test_every_cut_fails(void **state)
{
    (void)state;
    size_t n = 20000;
    uint8_t *plain = pattern(n, 0);
    for (int k = 0; k < N_CODECS; k++) {
        size_t z_n;
        uint8_t *z = encode(k, plain, n, &z_n);
        char want[64];
        snprintf(want, sizeof want, "%s stream", names[k]);
        for (size_t cut = 1; cut < z_n; cut++) {
            uint8_t *part = malloc(cut); /* exact size, so ASan sees any overread */
            memcpy(part, z, cut);
            hs_source s;
            hs_error e;
            int rc = hs_source_from_memory(&s, "cut", part, cut, &e);
            if (rc == 0) {
                assert_null(s.compression);
                hs_source_close(&s);
            } else {
                assert_string_equal(e.file, "cut");
                if (!strstr(e.msg, want)) fail_msg("%s cut at %zu: %s", names[k], cut, e.msg);
                assert_true(e.offset <= cut);
            }
            free(part);
        }
        free(z);
    }
    free(plain);
}

/* A flipped byte anywhere: an error naming the file, or the right bytes. */
static void test_every_flip_is_caught_or_harmless(void **state)
{
    (void)state;
    size_t n = 5000;
    uint8_t *plain = pattern(n, 0);
    for (int k = 0; k < N_CODECS; k++) {
        size_t z_n;
        uint8_t *z = encode(k, plain, n, &z_n);
        for (size_t i = 0; i < z_n; i++) {
            z[i] ^= 0x55;
            hs_source s;
            hs_error e;
            if (hs_source_from_memory(&s, "flip", z, z_n, &e) == 0) {
                /* the right bytes: the damage was in bits the format ignores */
                if (s.compression && (s.size != n || memcmp(s.data, plain, n)))
                    fail_msg("%s: a flip at %zu gave wrong bytes", names[k], i);
                hs_source_close(&s);
            } else {
                assert_string_equal(e.file, "flip");
                assert_true(e.offset == HS_NO_OFFSET || e.offset <= z_n);
            }
            z[i] ^= 0x55;
        }
        free(z);
    }
    free(plain);
}

static void test_limit_to_the_byte(void **state)
{
    (void)state;
    size_t n = 123457;
    uint8_t *plain = pattern(n, 0);
    for (int k = 0; k < N_CODECS; k++) {
        size_t z_n;
        uint8_t *z = encode(k, plain, n, &z_n);
        hs_source s;
        hs_error e;
        hs_source_options at = {.max_unpack = n}, under = {.max_unpack = n - 1, .unpack_hint = "K"};
        if (hs_source_from_memory_with(&s, "at", z, z_n, &at, &e))
            fail_msg("%s: %s", names[k], e.msg);
        assert_int_equal(s.size, n);
        hs_source_close(&s);
        assert_int_equal(hs_source_from_memory_with(&s, "under", z, z_n, &under, &e), -1);
        assert_string_equal(e.msg, "decompressed data exceeds the limit of 123456 bytes (K)");
        free(z);
    }
    free(plain);
}

static void write_all(const char *path, const uint8_t *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, n, f), n);
    fclose(f);
}

/* A compressed ELF file is decompressed into a temporary file and mapped
 * (so its pages can be released); with no usable directory, into memory. */
static void test_elf_goes_to_a_mapped_file(void **state)
{
    (void)state;
    size_t n = (size_t)5 << 20;
    uint8_t *plain = pattern(n, 1);
    char path[] = "/tmp/hs_unpack_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (int k = 0; k < N_CODECS; k++) {
        size_t z_n;
        uint8_t *z = encode(k, plain, n, &z_n);
        write_all(path, z, z_n);
        hs_source s;
        hs_error e;
        hs_source_options to_file = {.tmpdir = "/tmp"}, no_dir = {.tmpdir = "/nonexistent"};
        assert_int_equal(hs_source_open_with(&s, path, &to_file, &e), 0);
        assert_non_null(s.map_);
        assert_null(s.owned_);
        assert_int_equal(s.size, n);
        assert_memory_equal(s.data, plain, n);
        hs_source_close(&s);
        assert_int_equal(hs_source_open_with(&s, path, &no_dir, &e), 0);
        assert_null(s.map_);
        assert_int_equal(s.size, n);
        assert_memory_equal(s.data, plain, n);
        hs_source_close(&s);
        free(z);
    }
    unlink(path);
    free(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_concatenation),
        cmocka_unit_test(test_every_cut_fails),
        cmocka_unit_test(test_every_flip_is_caught_or_harmless),
        cmocka_unit_test(test_limit_to_the_byte),
        cmocka_unit_test(test_elf_goes_to_a_mapped_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
