/* Decompression for the source layer: a table of codecs, each a magic test
 * and a streaming decoder of all its members/frames into a sink. The sink
 * is a growing memory buffer, or, once its first bytes show an ELF file and
 * a temporary directory is allowed, a 1 MiB window written through to an
 * unlinked temporary file that is mapped at the end. Invariant: the sink
 * never holds more than its limit + 1 bytes, and a byte past the limit is
 * an error naming the limit, so no input can ask for unbounded output.
 * A codec with a whole-buffer fast path (gzip) takes it when its output is
 * not going to a file; its streaming decoder then runs only on failure, to
 * say what is wrong. */
#include "unpack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/mem.h"

enum { WINDOW = 1 << 20 };

typedef hs_sink sink;

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

/* Whether the page of the window at at is all zeros (the last may be short). */
static int zero_page(const sink *o, size_t at, size_t page)
{
    size_t end = at + page < o->len ? at + page : o->len, words = at + (end - at) / 8 * 8;
    if (hs_mem_skip_zeros(o->buf, at, words) < words) return 0;
    for (size_t i = words; i < end; i++)
        if (o->buf[i]) return 0;
    return 1;
}

static int write_at(sink *o, const uint8_t *p, size_t len, uint64_t at, hs_error *err)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = pwrite(o->fd, p + done, len - done, (off_t)(at + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            o->write_failed = 1;
            return hs_error_set(err, o->name, HS_NO_OFFSET, "cannot write a temporary file: %s",
                                n < 0 ? strerror(errno) : "short write");
        }
        done += (size_t)n;
    }
    return 0;
}

/* The window to the file, its all-zero pages left as holes: most of a core
 * is memory never touched (thread stacks, reserved heap), which then costs
 * neither writing nor reading back. */
static int flush(sink *o, hs_error *err)
{
    enum { PAGE = 4096 };
    if (check_limit(o, err)) return -1;
    for (size_t at = 0; at < o->len;) {
        size_t end = at;
        while (end < o->len && !zero_page(o, end, PAGE))
            end += PAGE;
        end = end < o->len ? end : o->len;
        if (end > at && write_at(o, o->buf + at, end - at, o->flushed + at, err)) return -1;
        for (at = end; at < o->len && zero_page(o, at, PAGE);)
            at += PAGE;
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
int hs_sink_room(sink *o, hs_error *err)
{
    if (o->may_switch && o->len >= 4) maybe_switch(o);
    if (o->len < o->cap) return 0;
    return o->fd >= 0 ? flush(o, err) : grow(o, err);
}

static int finish(sink *o, hs_error *err)
{
    if (o->may_switch && o->len >= 4) maybe_switch(o);
    if (o->fd < 0) return check_limit(o, err);
    if (flush(o, err)) return -1;
    if (ftruncate(o->fd, (off_t)o->flushed) == 0) return 0; /* trailing holes count */
    o->write_failed = 1;
    return hs_error_set(err, o->name, HS_NO_OFFSET, "cannot write a temporary file: %s",
                        strerror(errno));
}

typedef hs_codec codec;

static const codec *find(const uint8_t *d, size_t n)
{
    for (const codec *c = hs_codecs; c->name; c++)
        if (c->match(d, n)) return c;
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
