/* Decompression for the source layer: a table of codecs, each a magic test
 * and a streaming decoder of all its members/frames into a sink. The sink
 * is a growing memory buffer, or, once its first bytes show an ELF file and
 * a temporary directory is allowed, a 1 MiB window written through to an
 * unlinked temporary file that is mapped at the end. Invariant: the sink
 * never holds more than its limit + 1 bytes, and a byte past the limit is
 * an error naming the limit, so no input can ask for unbounded output.
 * Intact gzip takes libdeflate's whole-buffer fast path when it is not
 * going to a file; zlib then runs only to say what is wrong. */
#include "unpack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include "heapscan/mem.h"

enum { WINDOW = 1 << 20 };

typedef struct sink {
    const char *name;
    const hs_unpack_limits *lim;
    uint8_t *buf;
    size_t cap, len;  /* buf holds len bytes of cap */
    int fd;           /* >= 0: buf is a window onto this temporary file */
    uint64_t flushed; /* bytes already written to fd */
    int may_switch;   /* ELF output is moved to a temporary file */
    int write_failed; /* the file could not be written (disk full, ...) */
    size_t first;     /* the memory buffer's first size */
} sink;

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static int limit_error(const sink *o, const char *which, uint64_t limit, const char *hint,
                       hs_error *err)
{
    return hs_error_set(err, o->name, HS_NO_OFFSET,
                        "decompressed data exceeds the %s of %llu bytes%s%s%s", which,
                        (unsigned long long)limit, hint ? " (" : "", hint ? hint : "",
                        hint ? ")" : "");
}

/* -1 with the message of the limit the output has passed, else 0. */
static int check_limit(const sink *o, hs_error *err)
{
    const hs_unpack_limits *l = o->lim;
    uint64_t total = o->flushed + o->len;
    if (o->fd < 0 && total > l->mem_limit && l->mem_limit <= l->file_limit)
        return limit_error(o, "memory limit", l->mem_limit, l->mem_hint, err);
    if (total > l->file_limit)
        return limit_error(o, "limit", l->file_limit, l->file_hint, err);
    return 0;
}

/* Output that starts with the ELF magic moves to an unlinked temporary
 * file; without one (no directory, no room) it stays in memory. */
static void maybe_switch(sink *o)
{
    o->may_switch = 0;
    if (memcmp(o->buf, "\177ELF", 4) != 0) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/heapscan-XXXXXX", o->lim->tmpdir);
    int fd = mkstemp(path);
    if (fd < 0) return;
    unlink(path);
    o->fd = fd;
}

static int flush(sink *o, hs_error *err)
{
    if (check_limit(o, err)) return -1;
    for (size_t done = 0; done < o->len;) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            o->write_failed = 1;
            return hs_error_set(err, o->name, HS_NO_OFFSET, "cannot write a temporary file: %s",
                                n < 0 ? strerror(errno) : "short write");
        }
        done += (size_t)n;
    }
    o->flushed += o->len;
    o->len = 0;
    return 0;
}

static int grow(sink *o, hs_error *err)
{
    if (check_limit(o, err)) return -1;
    uint64_t most = min64(min64(o->lim->mem_limit, o->lim->file_limit), SIZE_MAX - 1) + 1;
    size_t ncap = o->cap ? o->cap * 2 : o->first;
    if (ncap > most) ncap = (size_t)most;
    uint8_t *n = realloc(o->buf, ncap);
    if (!n)
        return hs_error_set(err, o->name, HS_NO_OFFSET, "out of memory decompressing (%zu bytes)",
                            ncap);
    hs_mem_hint_huge(n, ncap);
    o->buf = n;
    o->cap = ncap;
    return 0;
}

/* Make room for at least one more byte of output at buf + len. */
static int room(sink *o, hs_error *err)
{
    if (o->may_switch && o->len >= 4) maybe_switch(o);
    if (o->len < o->cap) return 0;
    return o->fd >= 0 ? flush(o, err) : grow(o, err);
}

static int finish(sink *o, hs_error *err)
{
    if (o->may_switch && o->len >= 4) maybe_switch(o);
    return o->fd >= 0 ? flush(o, err) : check_limit(o, err);
}

static uInt clamp_uint(size_t n) { return n > (1u << 30) ? (1u << 30) : (uInt)n; }

/* ---- gzip ---- */

static int gzip_match(const uint8_t *d, size_t n) { return n >= 2 && d[0] == 0x1f && d[1] == 0x8b; }

/* Every gzip member of in[0..size) into o, with zlib's precise messages
 * for damaged streams. */
static int gzip_decode(const uint8_t *in, size_t size, sink *o, hs_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return hs_error_set(err, o->name, HS_NO_OFFSET, "zlib initialisation failed");
    size_t pos = 0;
    for (;;) {
        if (room(o, err)) goto fail;
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
            hs_error_set(err, o->name, pos, "truncated gzip stream (compressed input ends early)");
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

/* ---- the table ---- */

typedef struct codec {
    const char *name;
    int (*match)(const uint8_t *d, size_t n);
    int (*decode)(const uint8_t *in, size_t size, sink *o, hs_error *err);
    /* Optional: decode all of intact input into memory faster; -1, no message, else. */
    int (*fast)(const uint8_t *in, size_t size, uint64_t limit, uint8_t **out, size_t *out_size);
    int (*starts_elf)(const uint8_t *in, size_t size); /* with fast: would go to a file */
} codec;

static const codec codecs[] = {
    {"gzip", gzip_match, gzip_decode, gzip_fast, gzip_starts_elf},
};

static const codec *find(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < sizeof codecs / sizeof *codecs; i++)
        if (codecs[i].match(d, n)) return &codecs[i];
    return NULL;
}

const char *hs_unpack_format(const uint8_t *data, size_t size)
{
    const codec *c = find(data, size);
    return c ? c->name : NULL;
}

/* Decode into a sink (to a file if to_file and the output is ELF) and hand
 * its bytes to out. *write_failed: the temporary file could not be used. */
static int run(const codec *c, const char *name, const uint8_t *in, size_t size,
               const hs_unpack_limits *lim, int to_file, hs_unpacked *out, int *write_failed,
               hs_error *err)
{
    sink o = {.name = name, .lim = lim, .fd = -1, .may_switch = to_file, .first = WINDOW};
    if (!to_file) /* a guess of 4x the compressed size (typical for profiles) */
        o.first = size < (1u << 28) ? size * 4 + 4096 : (size_t)1 << 30;
    int rc = c->decode(in, size, &o, err);
    if (rc == 0) rc = finish(&o, err);
    *write_failed = o.write_failed;
    if (rc == 0 && o.fd >= 0) {
        void *m = mmap(NULL, o.flushed, PROT_READ, MAP_PRIVATE, o.fd, 0);
        if (m == MAP_FAILED) {
            *write_failed = 1;
            rc = hs_error_set(err, name, HS_NO_OFFSET, "cannot map a temporary file: %s",
                              strerror(errno));
        } else {
            out->map = m;
            out->size = o.flushed;
        }
    } else if (rc == 0) {
        out->buf = o.buf;
        out->size = o.len;
        o.buf = NULL;
    }
    if (o.fd >= 0) close(o.fd);
    free(o.buf);
    return rc;
}

int hs_unpack(const char *name, const uint8_t *in, size_t size, const hs_unpack_limits *lim,
              hs_unpacked *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    const codec *c = find(in, size);
    if (!c) return hs_error_set(err, name, 0, "not a known compressed format");
    int to_file = lim->tmpdir != NULL;
    if (c->fast && !(to_file && c->starts_elf(in, size)) &&
        c->fast(in, size, min64(lim->mem_limit, lim->file_limit), &out->buf, &out->size) == 0)
        return 0;
    int write_failed = 0;
    int rc = run(c, name, in, size, lim, to_file, out, &write_failed, err);
    if (rc != 0 && write_failed) /* disk full or the like: decompress into memory */
        rc = run(c, name, in, size, lim, 0, out, &write_failed, err);
    return rc;
}
