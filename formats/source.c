/* Source layer: one input as bytes in memory, plus a bounds-checked cursor.
 * Plain regular files are mmapped read-only; anything else (a pipe, a
 * device, standard input) is read into one buffer that may not grow past
 * the memory limit, so an endless stream stops with an error instead of
 * filling memory. Compressed input (unpack.c) is decompressed into memory,
 * or, for a core, into a temporary file that is then mapped, so its pages
 * can be released like a plain core's. The layer reads no environment:
 * limits and the temporary directory come from hs_source_options.
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

#include "http.h"
#include "unpack.h"
#include "model/mem.h"

int hs_is_gzip(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

const char *hs_source_compression(const uint8_t *data, size_t size)
{
    return hs_unpack_format(data, size);
}

uint64_t hs_source_default_max_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return (uint64_t)1 << 30;
    return (uint64_t)pages * (uint64_t)page / 2;
}

/* The options with defaults filled in. */
static hs_source_options resolve(const hs_source_options *opt)
{
    hs_source_options o = {0};
    if (opt) o = *opt;
    if (!o.max_memory) {
        o.max_memory = hs_source_default_max_memory();
        if (!o.memory_hint) o.memory_hint = "half the RAM";
    }
    if (!o.max_unpack) o.max_unpack = HS_SOURCE_MAX_UNPACK;
    if (!o.tmpdir || !*o.tmpdir) o.tmpdir = "/tmp";
    return o;
}

static void set_name(hs_source *src, const char *name)
{
    snprintf(src->name, sizeof src->name, "%s", strcmp(name, "-") == 0 ? "<stdin>" : name);
}

/* Decompress raw[0, raw_size) into src (held: raw bytes already in memory,
 * which count towards the memory limit). tmpdir NULL: never a file. */
static int unpack_into(hs_source *src, const uint8_t *raw, size_t raw_size, size_t held,
                       const hs_source_options *o, const char *tmpdir, hs_error *err)
{
    hs_unpack_limits lim = {
        .mem_limit = o->max_memory > held ? o->max_memory - held : 0,
        .mem_hint = o->memory_hint,
        .file_limit = o->max_unpack,
        .file_hint = o->unpack_hint,
        .tmpdir = tmpdir,
    };
    hs_unpacked u;
    const char *format = hs_unpack_format(raw, raw_size);
    if (hs_unpack(src->name, raw, raw_size, &lim, &u, err)) return -1;
    if (src->map_) munmap(src->map_, src->map_size_);
    free(src->owned_);
    src->map_ = u.map;
    src->map_size_ = u.map ? u.size : 0;
    src->owned_ = u.buf;
    src->data = u.map ? u.map : u.buf;
    src->size = u.size;
    src->compression = format; /* raw may be gone now */
    return 0;
}

int hs_source_from_memory_with(hs_source *src, const char *name, const uint8_t *data,
                               size_t size, const hs_source_options *opt, hs_error *err)
{
    memset(src, 0, sizeof *src);
    set_name(src, name);
    src->raw_size = size;
    src->data = data;
    src->size = size;
    if (!hs_unpack_format(data, size)) return 0;
    hs_source_options o = resolve(opt);
    if (unpack_into(src, data, size, 0, &o, NULL, err)) {
        hs_source_close(src);
        return -1;
    }
    return 0;
}

int hs_source_from_memory(hs_source *src, const char *name, const uint8_t *data, size_t size,
                          hs_error *err)
{
    return hs_source_from_memory_with(src, name, data, size, NULL, err);
}

static const char *stream_kind(mode_t mode)
{
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISFIFO(mode)) return "a pipe";
    if (S_ISSOCK(mode)) return "a socket";
    return "a file without a size";
}

/* Read a stream to its end into one buffer of at most o->max_memory bytes:
 * a device or an endless pipe stops there with an error. */
static int read_stream(int fd, mode_t mode, const char *name, const hs_source_options *o,
                       uint8_t **out, size_t *out_size, hs_error *err)
{
    uint64_t limit = o->max_memory < SIZE_MAX ? o->max_memory : SIZE_MAX;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            uint8_t probe;
            if (cap == limit) { /* full: does the stream end here? */
                ssize_t n = read(fd, &probe, 1);
                if (n < 0 && errno == EINTR) continue;
                if (n == 0) break;
                free(buf);
                return hs_error_set(err, name, len,
                                    "stopped reading %s: it goes on past the memory limit of "
                                    "%llu bytes%s%s%s",
                                    stream_kind(mode), (unsigned long long)limit,
                                    o->memory_hint ? " (" : "",
                                    o->memory_hint ? o->memory_hint : "",
                                    o->memory_hint ? ")" : "");
            }
            size_t ncap = cap ? (cap * 2 < cap ? SIZE_MAX : cap * 2) : 1 << 16;
            if (ncap > limit) ncap = (size_t)limit;
            uint8_t *n = realloc(buf, ncap);
            if (!n) {
                free(buf);
                return hs_error_set(err, name, len,
                                    "stopped reading %s: out of memory for %zu bytes",
                                    stream_kind(mode), ncap);
            }
            buf = n;
            cap = ncap;
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

/* Map a regular file, else read the stream; sets src->data/size/raw_size. */
static int read_raw(hs_source *src, int fd, const hs_source_options *o, hs_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return hs_error_set(err, src->name, HS_NO_OFFSET, "cannot stat: %s", strerror(errno));
    if (S_ISDIR(st.st_mode)) return hs_error_set(err, src->name, HS_NO_OFFSET, "is a directory");
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        size_t size = (size_t)st.st_size;
        void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
            return hs_error_set(err, src->name, HS_NO_OFFSET, "cannot map: %s", strerror(errno));
        src->map_ = m;
        src->map_size_ = size;
        src->data = m;
        src->size = src->raw_size = size;
        return 0;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    if (read_stream(fd, st.st_mode, src->name, o, &buf, &len, err)) return -1;
    src->owned_ = buf;
    src->data = buf ? buf : (const uint8_t *)"";
    src->size = src->raw_size = len;
    return 0;
}

int hs_source_is_url(const char *path)
{
    return hs_http_is_url(path);
}

int hs_source_fetch(const char *url, const hs_source_options *opt, uint8_t **out, size_t *size,
                    hs_error *err)
{
    hs_source_options o = resolve(opt);
    return hs_http_fetch(url, o.max_memory, o.memory_hint, o.http_timeout, out, size, err);
}

/* An http(s):// input: the body in memory, then decompressed like a stream's. */
static int open_url(hs_source *src, const char *url, const hs_source_options *o, hs_error *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (hs_http_fetch(url, o->max_memory, o->memory_hint, o->http_timeout, &buf, &len, err))
        return -1;
    src->owned_ = buf;
    src->data = buf ? buf : (const uint8_t *)"";
    src->size = src->raw_size = len;
    int rc = 0;
    if (hs_unpack_format(src->data, src->size))
        rc = unpack_into(src, src->data, src->size, src->size, o, NULL, err);
    if (rc != 0) hs_source_close(src);
    return rc;
}

int hs_source_open_with(hs_source *src, const char *path, const hs_source_options *opt,
                        hs_error *err)
{
    memset(src, 0, sizeof *src);
    set_name(src, path);
    hs_source_options o = resolve(opt);
    if (hs_http_is_url(path)) return open_url(src, path, &o, err);
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hs_error_set(err, src->name, HS_NO_OFFSET, "cannot open: %s", strerror(errno));
    int rc = read_raw(src, fd, &o, err);
    if (fd != 0) close(fd);
    if (rc == 0 && hs_unpack_format(src->data, src->size))
        rc = unpack_into(src, src->data, src->size, src->owned_ ? src->size : 0, &o, o.tmpdir,
                         err);
    if (rc != 0) hs_source_close(src);
    return rc;
}

int hs_source_open(hs_source *src, const char *path, hs_error *err)
{
    return hs_source_open_with(src, path, NULL, err);
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
