/* Test helper: gzip of in[0, n) into out (zlib's encoder, level 6), for
 * tests that need gzip bytes made in memory. Returns the gzip size. */
#ifndef HS_TEST_GZIP_FIXTURE_H
#define HS_TEST_GZIP_FIXTURE_H

#include <string.h>
#include <zlib.h>

static inline size_t hs_test_gzip(const void *in, size_t n, uint8_t *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = zs.total_out;
    deflateEnd(&zs);
    return len;
}

#endif
