/* Contention profile headers and record values (see contention.h). The
 * attribute loop is pprof's: blank and '#' lines are skipped, a "---" line
 * or one without '=' ends it; a known key with a bad number or an unknown
 * key makes the file malformed; "format" and "resolution" mean Java's. */
#include "contention.h"

#include <string.h>

static int starts(hs_tx_line ln, const char *w)
{
    size_t n = strlen(w);
    return ln.len >= n && memcmp(ln.s, w, n) == 0;
}

static int same(hs_tx_field f, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(f.end - f.p) == n && memcmp(f.p, w, n) == 0;
}

/* "KEY = VALUE" into c: 1 taken, 0 Java's key, -1 unknown or bad. */
static int attribute(hs_tx_line ln, const char *eq, hs_contention *c)
{
    hs_tx_field key = {ln.s, eq}, val = {eq + 1, ln.s + ln.len};
    while (key.end > key.p && hs_tx_is_blank(key.end[-1]))
        key.end--;
    if (same(key, "format") || same(key, "resolution")) return 0;
    if (same(key, "discarded samples")) return 1;
    int64_t v;
    if (!hs_tx_take_int(&val, 1, &v) || val.p != val.end) return -1;
    if (same(key, "cycles/second"))
        c->cpu_hz = v;
    else if (same(key, "sampling period"))
        c->period = v;
    else if (same(key, "ms since reset"))
        c->duration_nanos = (int64_t)((uint64_t)v * 1000000u); /* wraps as Go's */
    else
        return -1;
    return 1;
}

int hs_contention_header(hs_tx_scanner *sc, hs_tx_line *ln, hs_contention *c)
{
    if (!starts(*ln, "--- contentionz ") && !starts(*ln, "--- mutex:") &&
        !starts(*ln, "--- contention:"))
        return 0;
    *c = (hs_contention){.period = 1, .go = !starts(*ln, "--- contentionz ")};
    hs_tx_scanner peek = *sc;
    hs_tx_line at;
    while (hs_tx_next_line(&peek, &at)) {
        if (at.len == 0 || at.s[0] == '#') {
            *sc = peek;
            continue;
        }
        const char *eq = memchr(at.s, '=', at.len);
        if (starts(at, "---") || !eq) break;
        int r = attribute(at, eq, c);
        if (r <= 0) {
            if (r < 0) *ln = at;
            return r;
        }
        *sc = peek;
    }
    return 1;
}

/* Go's float64 to int64: out of range is the most negative value on amd64. */
static int64_t to_i64(double d)
{
    return d < 9.2e18 && d > -9.2e18 ? (int64_t)d : INT64_MIN;
}

int hs_contention_values(hs_tx_field *f, const hs_contention *c, int64_t v[2])
{
    int64_t delay, count;
    if (!hs_tx_take_int(f, 0, &delay) || !hs_tx_take_int(f, 0, &count)) return 0;
    if (c->period > 0) {
        if (c->cpu_hz > 0)
            delay = to_i64((double)delay * (double)c->period / ((double)c->cpu_hz / 1e9));
        count = (int64_t)((uint64_t)count * (uint64_t)c->period);
    }
    v[0] = count;
    v[1] = delay;
    return 1;
}
