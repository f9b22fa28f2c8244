/* Source layer: one input as bytes in memory, plus a bounds-checked cursor.
 * Plain regular files are mmapped read-only; gzip input (every concatenated
 * member, as Go's reader accepts) is inflated into one owned buffer whose
 * growth is capped, so a hostile stream cannot ask for unbounded memory;
 * a gzip'd ELF file (a core) is inflated into a temporary file that is then
 * mapped, so its pages can be released like a plain core's.
 * Every cursor read checks the bytes left first and reports the offset. */
#include "heapscan/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include "model/mem.h"

int hs_is_gzip(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* The inflation cap: HEAPSCAN_MAX_INFLATE (bytes) if set, else the default.
 * Returns 0 for a malformed value. */
static size_t inflate_limit(void)
{
    const char *env = getenv("HEAPSCAN_MAX_INFLATE");
    if (!env || !*env) return HS_SOURCE_MAX_INFLATE;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(env, &end, 10);
    if (errno || *end || *env == '-' || v == 0 || v > SIZE_MAX) return 0;
    return (size_t)v;
}

static int grow(uint8_t **buf, size_t *cap, size_t need, const char *name, hs_error *err)
{
    if (need <= *cap) return 0;
    size_t limit = inflate_limit();
    if (limit == 0)
        return hs_error_set(err, name, HS_NO_OFFSET,
                            "HEAPSCAN_MAX_INFLATE must be a positive number of bytes");
    if (need > limit)
        return hs_error_set(err, name, HS_NO_OFFSET,
                            "inflated data exceeds the limit of %zu bytes (HEAPSCAN_MAX_INFLATE)",
                            limit);
    size_t ncap = *cap ? *cap : 1 << 16;
    while (ncap < need) ncap *= 2;
    if (ncap > limit) ncap = limit;
    uint8_t *n = realloc(*buf, ncap);
    if (!n) return hs_error_set(err, name, HS_NO_OFFSET, "out of memory inflating (%zu bytes)", ncap);
    *buf = n;
    *cap = ncap;
    return 0;
}

/* Inflate all gzip members of in[0..size) into a new buffer. */
/* The fast path: libdeflate, member by member into one buffer sized from
 * the last member's ISIZE (exact for the usual single member), bounded by
 * deflate's best ratio (1032:1) and the cap. Any failure returns -1 with no
 * message: the zlib path then runs and says precisely what is wrong. */
static int inflate_fast(const uint8_t *in, size_t size, size_t limit, uint8_t **out,
                        size_t *out_size)
{
    if (size < 18) return -1;
    uint64_t isize = (uint64_t)in[size - 4] | (uint64_t)in[size - 3] << 8 |
                     (uint64_t)in[size - 2] << 16 | (uint64_t)in[size - 1] << 24;
    uint64_t most = (uint64_t)size * 1032 + 65536;
    uint64_t cap = isize > (uint64_t)size * 2 ? isize : (uint64_t)size * 4;
    if (cap > most) cap = most;
    if (limit && cap > limit) cap = limit;
    if (cap == 0) cap = 1;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    uint8_t *buf = d ? malloc((size_t)cap) : NULL;
    hs_mem_hint_huge(buf, (size_t)cap);
    size_t pos = 0, len = 0;
    while (buf && pos < size) {
        size_t used = 0, got = 0;
        if (!hs_is_gzip(in + pos, size - pos)) break;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, in + pos, size - pos, buf + len,
                                                                 (size_t)cap - len, &used, &got);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE && cap < most && (!limit || cap < limit)) {
            cap = cap * 2 > most ? most : cap * 2;
            if (limit && cap > limit) cap = limit;
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

/* Where zlib's output goes: a growing buffer (buf, cap, len), or, when
 * fd >= 0, a file written through buf in 1 MiB chunks (`flushed` bytes so
 * far), so inflating a large core needs no memory of its size. */
typedef struct sink {
    uint8_t *buf;
    size_t cap, len;
    int fd;
    size_t flushed;
    int write_failed; /* the file could not be written (disk full, ...) */
} sink;

static int sink_room(sink *o, const char *name, hs_error *err)
{
    if (o->len < o->cap) return 0;
    if (o->fd < 0) return grow(&o->buf, &o->cap, o->cap + 1, name, err);
    size_t limit = inflate_limit();
    if (limit && o->flushed + o->len > limit)
        return hs_error_set(err, name, HS_NO_OFFSET,
                            "inflated data exceeds the limit of %zu bytes (HEAPSCAN_MAX_INFLATE)",
                            limit);
    for (size_t done = 0; done < o->len;) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            o->write_failed = 1;
            return hs_error_set(err, name, HS_NO_OFFSET, "cannot write a temporary file: %s",
                                n < 0 ? strerror(errno) : "short write");
        }
        done += (size_t)n;
    }
    o->flushed += o->len;
    o->len = 0;
    return 0;
}

/* Inflate every gzip member of in[0..size) into o, with zlib's precise
 * messages for damaged streams. */
static int inflate_zlib(const char *name, const uint8_t *in, size_t size, sink *o, hs_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return hs_error_set(err, name, HS_NO_OFFSET, "zlib initialisation failed");
    size_t pos = 0;
    for (;;) {
        size_t chunk_in = size - pos;
        zs.avail_in = chunk_in > (1u << 30) ? (1u << 30) : (uInt)chunk_in;
        zs.next_in = (Bytef *)(in + pos);
        if (sink_room(o, name, err)) goto fail;
        size_t room = o->cap - o->len;
        zs.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
        zs.next_out = o->buf + o->len;
        uInt before_in = zs.avail_in, before_out = zs.avail_out;
        int rc = inflate(&zs, Z_NO_FLUSH);
        pos += before_in - zs.avail_in;
        o->len += before_out - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (pos == size) break;
            if (!hs_is_gzip(in + pos, size - pos)) {
                hs_error_set(err, name, pos, "trailing garbage after gzip member");
                goto fail;
            }
            inflateReset(&zs);
            continue;
        }
        if ((rc == Z_BUF_ERROR && zs.avail_out != 0 && pos == size) ||
            (rc == Z_OK && pos == size && zs.avail_out != 0)) {
            hs_error_set(err, name, pos, "truncated gzip stream (compressed input ends early)");
            goto fail;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            hs_error_set(err, name, pos, "corrupt gzip stream: %s",
                         zs.msg ? zs.msg : "inflate failed");
            goto fail;
        }
    }
    inflateEnd(&zs);
    if (o->fd >= 0 && o->len) { /* the last chunk */
        o->cap = o->len;
        if (sink_room(o, name, err)) return -1;
    }
    return 0;
fail:
    inflateEnd(&zs);
    return -1;
}

static int inflate_all(const char *name, const uint8_t *in, size_t size, uint8_t **out,
                       size_t *out_size, hs_error *err)
{
    size_t limit = inflate_limit();
    if (limit != 0 && inflate_fast(in, size, limit, out, out_size) == 0) return 0;
    sink o = {.fd = -1};
    /* Start with a guess of 4x the compressed size (typical for profiles). */
    size_t guess = size < (1u << 30) ? size * 4 + 4096 : size;
    if (limit && guess > limit) guess = limit;
    if (grow(&o.buf, &o.cap, guess, name, err) || inflate_zlib(name, in, size, &o, err)) {
        free(o.buf);
        return -1;
    }
    *out = o.buf;
    *out_size = o.len;
    return 0;
}

/* 1 if the gzip stream in[0..size) starts with an ELF header. */
static int inflates_to_elf(const uint8_t *in, size_t size)
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

/* A gzip'd core inflates into an unlinked temporary file ($TMPDIR, else
 * /tmp) that is then mapped like a plain core: readers release its pages
 * as they scan (hs_source_release), which bytes inflated into memory
 * cannot do, so the core's size does not count towards the peak. Returns
 * 0 done, -1 an input error, 1 when no temporary file can be used (the
 * caller inflates into memory instead). */
static int inflate_to_file(hs_source *src, const uint8_t *in, size_t size, hs_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/heapscan-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    unlink(path);
    sink o = {.fd = fd, .cap = (size_t)1 << 20};
    o.buf = malloc(o.cap);
    int rc = o.buf ? inflate_zlib(src->name, in, size, &o, err) : 1;
    free(o.buf);
    if (rc < 0 && o.write_failed) rc = 1; /* disk full or the like: use memory */
    if (rc == 0 && o.flushed == 0) rc = 1;  /* nothing to map */
    if (rc != 0) {
        close(fd);
        return rc;
    }
    void *m = mmap(NULL, o.flushed, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return 1;
    if (src->map_) munmap(src->map_, src->map_size_);
    src->map_ = m;
    src->map_size_ = o.flushed;
    src->data = m;
    src->size = o.flushed;
    src->gzipped = 1;
    return 0;
}

static void set_name(hs_source *src, const char *name)
{
    snprintf(src->name, sizeof src->name, "%s", strcmp(name, "-") == 0 ? "<stdin>" : name);
}

int hs_source_from_memory(hs_source *src, const char *name, const uint8_t *data, size_t size,
                          hs_error *err)
{
    memset(src, 0, sizeof *src);
    set_name(src, name);
    src->raw_size = size;
    if (hs_is_gzip(data, size)) {
        if (inflate_all(src->name, data, size, &src->owned_, &src->size, err)) return -1;
        src->data = src->owned_;
        src->gzipped = 1;
        return 0;
    }
    src->data = data;
    src->size = size;
    return 0;
}

static int read_fd(int fd, const char *name, uint8_t **out, size_t *out_size, hs_error *err)
{
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap && grow(&buf, &cap, cap + 1, name, err)) {
            free(buf);
            return -1;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            free(buf);
            return hs_error_set(err, name, len, "read failed: %s", strerror(errno));
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    *out = buf;
    *out_size = len;
    return 0;
}

int hs_source_open(hs_source *src, const char *path, hs_error *err)
{
    memset(src, 0, sizeof *src);
    set_name(src, path);
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return hs_error_set(err, src->name, HS_NO_OFFSET, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        hs_error_set(err, src->name, HS_NO_OFFSET, "cannot stat: %s", strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        hs_error_set(err, src->name, HS_NO_OFFSET, "is a directory");
        goto fail;
    }
    const uint8_t *raw;
    size_t raw_size = 0;
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        raw_size = (size_t)st.st_size;
        void *m = mmap(NULL, raw_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            hs_error_set(err, src->name, HS_NO_OFFSET, "cannot map: %s", strerror(errno));
            goto fail;
        }
        src->map_ = m;
        src->map_size_ = raw_size;
        raw = m;
    } else {
        uint8_t *buf = NULL;
        if (read_fd(fd, src->name, &buf, &raw_size, err)) goto fail;
        src->owned_ = buf;
        raw = buf ? buf : (const uint8_t *)"";
    }
    if (fd != 0) close(fd);
    fd = -1;
    src->raw_size = raw_size;
    if (hs_is_gzip(raw, raw_size) && inflates_to_elf(raw, raw_size)) {
        int rc = inflate_to_file(src, raw, raw_size, err);
        if (rc < 0) hs_source_close(src);
        if (rc <= 0) return rc;
    }
    if (hs_is_gzip(raw, raw_size)) {
        uint8_t *out;
        size_t out_size;
        if (inflate_all(src->name, raw, raw_size, &out, &out_size, err)) {
            hs_source_close(src);
            return -1;
        }
        if (src->map_) munmap(src->map_, src->map_size_);
        free(src->owned_);
        src->map_ = NULL;
        src->owned_ = out;
        src->data = out;
        src->size = out_size;
        src->gzipped = 1;
        return 0;
    }
    src->data = raw;
    src->size = raw_size;
    return 0;
fail:
    if (fd > 0) close(fd);
    return -1;
}

void hs_source_close(hs_source *src)
{
    if (src->map_) munmap(src->map_, src->map_size_);
    free(src->owned_);
    src->map_ = NULL;
    src->owned_ = NULL;
    src->data = NULL;
    src->size = 0;
}

void hs_source_release(const hs_source *src, size_t off, size_t len)
{
    if (!src->map_ || off >= src->map_size_) return;
    if (len > src->map_size_ - off) len = src->map_size_ - off;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t lo = (off + page - 1) / page * page, hi = (off + len) / page * page;
    if (hi > lo) madvise((uint8_t *)src->map_ + lo, hi - lo, MADV_DONTNEED);
}

hs_cursor hs_cursor_make(const hs_source *src)
{
    hs_cursor c = {src->data, 0, src->size, 0, src->name};
    return c;
}

int hs_cursor_fail(const hs_cursor *c, hs_error *err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hs_error_set(err, c->name, hs_cursor_offset(c), "%s", msg);
}

static int need(hs_cursor *c, uint64_t n, const char *what, hs_error *err)
{
    if (n <= hs_cursor_left(c)) return 0;
    return hs_cursor_fail(c, err, "truncated: %s needs %llu bytes, %zu left", what,
                          (unsigned long long)n, hs_cursor_left(c));
}

int hs_cursor_sub(hs_cursor *c, uint64_t len, hs_cursor *out, hs_error *err)
{
    if (need(c, len, "length-delimited field", err)) return -1;
    out->buf = c->buf;
    out->pos = c->pos;
    out->end = c->pos + (size_t)len;
    out->base_off = c->base_off;
    out->name = c->name;
    c->pos += (size_t)len;
    return 0;
}

int hs_cursor_u8(hs_cursor *c, uint8_t *out, hs_error *err)
{
    if (need(c, 1, "byte", err)) return -1;
    *out = c->buf[c->pos++];
    return 0;
}

int hs_cursor_uvarint(hs_cursor *c, uint64_t *out, hs_error *err)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (c->pos >= c->end) return hs_cursor_fail(c, err, "truncated varint");
        uint8_t b = c->buf[c->pos++];
        if (i == 9 && b > 1) {
            c->pos -= 10;
            return hs_cursor_fail(c, err, "bad varint (overflows 64 bits)");
        }
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    c->pos -= 10;
    return hs_cursor_fail(c, err, "bad varint (more than 10 bytes)");
}

int hs_cursor_le32(hs_cursor *c, uint32_t *out, hs_error *err)
{
    if (need(c, 4, "32-bit value", err)) return -1;
    const uint8_t *p = c->buf + c->pos;
    *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    c->pos += 4;
    return 0;
}

int hs_cursor_le64(hs_cursor *c, uint64_t *out, hs_error *err)
{
    uint32_t lo = 0, hi = 0;
    if (need(c, 8, "64-bit value", err)) return -1;
    hs_cursor_le32(c, &lo, err);
    hs_cursor_le32(c, &hi, err);
    *out = (uint64_t)hi << 32 | lo;
    return 0;
}

int hs_cursor_bytes(hs_cursor *c, uint64_t len, const uint8_t **out, hs_error *err)
{
    if (need(c, len, "byte string", err)) return -1;
    *out = c->buf + c->pos;
    c->pos += (size_t)len;
    return 0;
}

int hs_cursor_skip(hs_cursor *c, uint64_t len, hs_error *err)
{
    const uint8_t *unused;
    return hs_cursor_bytes(c, len, &unused, err);
}
