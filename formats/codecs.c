/* The decoders of the source layer, one per compressed format, each a
 * magic test and a streaming loop into the sink of unpack.c: gzip (zlib,
 * with libdeflate's whole-buffer fast path), zstd, xz, bzip2 and lz4
 * frames. Each reads every member/frame one after another (as the
 * compressors' own tools do) and reports the offset in the compressed
 * bytes where it stopped: a stream that ends early is "truncated", damage
 * is "corrupt" with the library's own word for it. Input is whole in memory
 * (mapped), so only the output needs streaming. */
#include <stdlib.h>
#include <string.h>
#include <bzlib.h>
#include <libdeflate.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "model/mem.h"
#include "unpack.h"

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int truncated(const hs_sink *o, size_t size, const char *what, hs_error *err)
{
    return hs_error_set(err, o->name, size, "truncated %s stream (compressed input ends early)",
                        what);
}

/* ---- gzip ---- */

static uInt clamp_uint(size_t n) { return n > (1u << 30) ? (1u << 30) : (uInt)n; }

/* ---- gzip ---- */

static int gzip_match(const uint8_t *d, size_t n) { return n >= 2 && d[0] == 0x1f && d[1] == 0x8b; }

/* Every gzip member of in[0..size) into o, with zlib's precise messages
 * for damaged streams. */
static int gzip_decode(const uint8_t *in, size_t size, hs_sink *o, hs_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return hs_error_set(err, o->name, HS_NO_OFFSET, "zlib initialisation failed");
    size_t pos = 0;
    for (;;) {
        if (hs_sink_room(o, err)) goto fail;
        zs.avail_in = clamp_uint(size - pos);
        zs.next_in = (Bytef *)(in + pos);
        zs.avail_out = clamp_uint(o->cap - o->len);
        zs.next_out = o->buf + o->len;
        uInt before_in = zs.avail_in, before_out = zs.avail_out;
        int rc = inflate(&zs, Z_NO_FLUSH);
        pos += before_in - zs.avail_in;
        o->len += before_out - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (pos == size) break;
            if (!gzip_match(in + pos, size - pos)) {
                hs_error_set(err, o->name, pos, "trailing garbage after gzip member");
                goto fail;
            }
            inflateReset(&zs);
            continue;
        }
        if ((rc == Z_BUF_ERROR || rc == Z_OK) && zs.avail_out != 0 && pos == size) {
            truncated(o, pos, "gzip", err);
            goto fail;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            hs_error_set(err, o->name, pos, "corrupt gzip stream: %s",
                         zs.msg ? zs.msg : "inflate failed");
            goto fail;
        }
    }
    inflateEnd(&zs);
    return 0;
fail:
    inflateEnd(&zs);
    return -1;
}

/* 1 if the gzip stream in[0..size) starts with an ELF header. */
static int gzip_starts_elf(const uint8_t *in, size_t size)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return 0;
    uint8_t head[4];
    zs.next_in = (Bytef *)in;
    zs.avail_in = size > (1u << 20) ? (1u << 20) : (uInt)size;
    zs.next_out = head;
    zs.avail_out = sizeof head;
    while (zs.avail_out && inflate(&zs, Z_SYNC_FLUSH) == Z_OK && zs.avail_in) {}
    inflateEnd(&zs);
    return zs.avail_out == 0 && memcmp(head, "\177ELF", 4) == 0;
}

/* The fast path: libdeflate, member by member into one buffer sized from
 * the last member's ISIZE (exact for the usual single member), bounded by
 * deflate's best ratio (1032:1) and the limit. Any failure returns -1 with
 * no message: the zlib path then runs and says precisely what is wrong. */
static int gzip_fast(const uint8_t *in, size_t size, uint64_t limit, uint8_t **out,
                     size_t *out_size)
{
    if (size < 18) return -1;
    uint64_t isize = (uint64_t)in[size - 4] | (uint64_t)in[size - 3] << 8 |
                     (uint64_t)in[size - 2] << 16 | (uint64_t)in[size - 1] << 24;
    uint64_t most = min64((uint64_t)size * 1032 + 65536, limit);
    uint64_t cap = min64(isize > (uint64_t)size * 2 ? isize : (uint64_t)size * 4, most);
    if (cap == 0 || cap > SIZE_MAX) return -1;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    uint8_t *buf = d ? malloc((size_t)cap) : NULL;
    hs_mem_hint_huge(buf, (size_t)cap);
    size_t pos = 0, len = 0;
    while (buf && pos < size) {
        size_t used = 0, got = 0;
        if (!gzip_match(in + pos, size - pos)) break;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, in + pos, size - pos, buf + len,
                                                                 (size_t)cap - len, &used, &got);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE && cap < most) {
            cap = min64(cap * 2, most);
            uint8_t *n = realloc(buf, (size_t)cap);
            if (!n) break;
            hs_mem_hint_huge(n, (size_t)cap);
            buf = n;
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS) break;
        pos += used;
        len += got;
    }
    if (d) libdeflate_free_decompressor(d);
    if (!buf || pos != size) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_size = len;
    return 0;
}

/* ---- zstd ---- */

static int zstd_match(const uint8_t *d, size_t n) { return n >= 4 && le32(d) == 0xFD2FB528u; }

/* ZSTD_decompressStream goes from one frame to the next by itself (and
 * skips skippable frames); it returns 0 exactly at the end of a frame. */
static int zstd_decode(const uint8_t *in, size_t size, hs_sink *o, hs_error *err)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();
    if (!z) return hs_error_set(err, o->name, HS_NO_OFFSET, "out of memory for a zstd decoder");
    ZSTD_inBuffer ib = {in, size, 0};
    int rc = 0;
    for (;;) {
        if ((rc = hs_sink_room(o, err)) != 0) break;
        ZSTD_outBuffer ob = {o->buf + o->len, o->cap - o->len, 0};
        size_t r = ZSTD_decompressStream(z, &ob, &ib);
        o->len += ob.pos;
        if (ZSTD_isError(r)) {
            rc = hs_error_set(err, o->name, ib.pos, "corrupt zstd stream: %s",
                              ZSTD_getErrorName(r));
            break;
        }
        if (r == 0 && ib.pos == size) break;
        if (ib.pos == size && ob.pos < ob.size) {
            rc = truncated(o, size, "zstd", err);
            break;
        }
    }
    ZSTD_freeDCtx(z);
    return rc;
}

/* ---- xz ---- */

static int xz_match(const uint8_t *d, size_t n)
{
    return n >= 6 && memcmp(d, "\3757zXZ\0", 6) == 0;
}

static int xz_error(const hs_sink *o, lzma_ret r, size_t pos, size_t size, hs_error *err)
{
    switch (r) {
    case LZMA_BUF_ERROR: return truncated(o, size, "xz", err);
    case LZMA_MEM_ERROR: return hs_error_set(err, o->name, pos, "out of memory decoding xz");
    case LZMA_MEMLIMIT_ERROR:
        return hs_error_set(err, o->name, pos, "xz stream needs more memory than the limit");
    case LZMA_OPTIONS_ERROR:
        return hs_error_set(err, o->name, pos, "xz stream uses options this liblzma lacks");
    case LZMA_FORMAT_ERROR:
        return hs_error_set(err, o->name, pos, pos ? "trailing garbage after xz stream"
                                                   : "corrupt xz stream: bad header");
    case LZMA_DATA_ERROR: return hs_error_set(err, o->name, pos, "corrupt xz stream: data error");
    default: return hs_error_set(err, o->name, pos, "corrupt xz stream (liblzma error %d)", (int)r);
    }
}

static int xz_decode(const uint8_t *in, size_t size, hs_sink *o, hs_error *err)
{
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret r = lzma_stream_decoder(&s, o->lim->mem_limit, LZMA_CONCATENATED);
    if (r != LZMA_OK) return xz_error(o, r, 0, size, err);
    s.next_in = in;
    s.avail_in = size;
    int rc = 0;
    for (;;) {
        if ((rc = hs_sink_room(o, err)) != 0) break;
        s.next_out = o->buf + o->len;
        s.avail_out = o->cap - o->len;
        r = lzma_code(&s, LZMA_FINISH);
        o->len = (size_t)(s.next_out - o->buf);
        if (r == LZMA_STREAM_END) break;
        if (r != LZMA_OK) {
            rc = xz_error(o, r, size - s.avail_in, size, err);
            break;
        }
    }
    lzma_end(&s);
    return rc;
}

/* ---- bzip2 ---- */

static int bzip2_match(const uint8_t *d, size_t n)
{
    return n >= 10 && memcmp(d, "BZh", 3) == 0 && d[3] >= '1' && d[3] <= '9' &&
           (memcmp(d + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 || /* a block */
            memcmp(d + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0);  /* empty: the end */
}

static unsigned clamp_u(size_t n) { return n > (1u << 30) ? (1u << 30) : (unsigned)n; }

static const char *bzip2_word(int r)
{
    switch (r) {
    case BZ_DATA_ERROR: return "data error";
    case BZ_DATA_ERROR_MAGIC: return "bad magic";
    case BZ_MEM_ERROR: return "out of memory";
    default: return "decoder error";
    }
}

/* One libbz2 stream per member: a new one starts where the last ended. */
static int bzip2_decode(const uint8_t *in, size_t size, hs_sink *o, hs_error *err)
{
    bz_stream b;
    memset(&b, 0, sizeof b);
    if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
        return hs_error_set(err, o->name, HS_NO_OFFSET, "out of memory for a bzip2 decoder");
    size_t pos = 0;
    int rc = 0;
    for (;;) {
        if ((rc = hs_sink_room(o, err)) != 0) break;
        unsigned in_n = clamp_u(size - pos), out_n = clamp_u(o->cap - o->len);
        b.next_in = (char *)(in + pos);
        b.avail_in = in_n;
        b.next_out = (char *)(o->buf + o->len);
        b.avail_out = out_n;
        int r = BZ2_bzDecompress(&b);
        pos += in_n - b.avail_in;
        o->len += out_n - b.avail_out;
        if (r == BZ_STREAM_END) {
            if (pos == size) break;
            if (!bzip2_match(in + pos, size - pos)) {
                rc = hs_error_set(err, o->name, pos, "trailing garbage after bzip2 stream");
                break;
            }
            BZ2_bzDecompressEnd(&b);
            memset(&b, 0, sizeof b);
            if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK) {
                rc = hs_error_set(err, o->name, pos, "out of memory for a bzip2 decoder");
                break;
            }
            continue;
        }
        if (r != BZ_OK) {
            rc = hs_error_set(err, o->name, pos, "corrupt bzip2 stream: %s", bzip2_word(r));
            break;
        }
        if (pos == size && b.avail_out != 0) {
            rc = truncated(o, size, "bzip2", err);
            break;
        }
    }
    BZ2_bzDecompressEnd(&b);
    return rc;
}

/* ---- lz4 (frame format; not the legacy format of lz4 -l) ---- */

static int lz4_match(const uint8_t *d, size_t n) { return n >= 4 && le32(d) == 0x184D2204u; }

/* LZ4F_decompress returns 0 at the end of a frame and starts the next one
 * on the next call; it returns how much input it wants otherwise. */
static int lz4_decode(const uint8_t *in, size_t size, hs_sink *o, hs_error *err)
{
    LZ4F_dctx *d = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
        return hs_error_set(err, o->name, HS_NO_OFFSET, "out of memory for an lz4 decoder");
    size_t pos = 0;
    int rc = 0;
    for (;;) {
        if ((rc = hs_sink_room(o, err)) != 0) break;
        size_t out_n = o->cap - o->len, in_n = size - pos;
        size_t r = LZ4F_decompress(d, o->buf + o->len, &out_n, in + pos, &in_n, NULL);
        pos += in_n;
        o->len += out_n;
        if (LZ4F_isError(r)) {
            rc = hs_error_set(err, o->name, pos, "corrupt lz4 stream: %s", LZ4F_getErrorName(r));
            break;
        }
        if (r == 0 && pos == size) break;
        if (pos == size && out_n == 0 && in_n == 0) {
            rc = truncated(o, size, "lz4", err);
            break;
        }
    }
    LZ4F_freeDecompressionContext(d);
    return rc;
}

const hs_codec hs_codecs[] = {
    {"gzip", gzip_match, gzip_decode, gzip_fast, gzip_starts_elf},
    {"zstd", zstd_match, zstd_decode, NULL, NULL},
    {"xz", xz_match, xz_decode, NULL, NULL},
    {"bzip2", bzip2_match, bzip2_decode, NULL, NULL},
    {"lz4", lz4_match, lz4_decode, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
