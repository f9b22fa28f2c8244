/* Line scanner and field cursor for the text readers (see textscan.h). */
#include "textscan.h"

#include <string.h>

int hs_tx_next_line(hs_tx_scanner *sc, hs_tx_line *ln)
{
    if (sc->pos >= sc->size) return 0;
    const char *b = sc->buf + sc->pos, *nl = memchr(b, '\n', sc->size - sc->pos);
    size_t len = nl ? (size_t)(nl - b) : sc->size - sc->pos;
    ln->off = sc->pos;
    ln->no = ++sc->no;
    sc->pos += len + (nl ? 1 : 0);
    while (len && hs_tx_is_blank(b[len - 1]))
        len--;
    while (len && hs_tx_is_blank(*b))
        b++, len--;
    ln->s = b;
    ln->len = len;
    return 1;
}

int hs_tx_take_word(hs_tx_field *f, const char *w)
{
    size_t n = strlen(w);
    hs_tx_skip_blanks(f);
    if ((size_t)(f->end - f->p) < n || memcmp(f->p, w, n) != 0) return 0;
    f->p += n;
    return 1;
}

/* A decimal integer (a leading '-' when `sign`) that fits int64. */
int hs_tx_take_int(hs_tx_field *f, int sign, int64_t *out)
{
    hs_tx_skip_blanks(f);
    int neg = sign && f->p < f->end && *f->p == '-';
    const char *q = f->p + neg;
    uint64_t v = 0;
    if (q >= f->end || *q < '0' || *q > '9') return 0;
    for (; q < f->end && *q >= '0' && *q <= '9'; q++) {
        if (v > (UINT64_C(1) << 63) / 10) return 0;
        v = v * 10 + (uint64_t)(*q - '0');
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg) return 0;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    f->p = q;
    return 1;
}

/* 1..16 hex digits at f->p (lowercase, and uppercase when `upper`); f
 * moves past them only when they are a number. */
int hs_tx_hex_digits(hs_tx_field *f, int upper, uint64_t *out)
{
    const char *q = f->p;
    uint64_t v = 0;
    int digits = 0;
    for (; q < f->end; q++, digits++) {
        char c = upper && *q >= 'A' && *q <= 'F' ? (char)(*q - 'A' + 'a') : *q;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) break;
        if (digits == 16) return 0;
        v = v << 4 | (uint64_t)d;
    }
    if (digits == 0) return 0;
    *out = v;
    f->p = q;
    return 1;
}

/* "0x" and 1..16 hex digits (pprof's hexNumberRE, lowercase). */
int hs_tx_take_hex(hs_tx_field *f, uint64_t *out)
{
    hs_tx_skip_blanks(f);
    if (f->end - f->p < 3 || f->p[0] != '0' || f->p[1] != 'x') return 0;
    hs_tx_field digits = {f->p + 2, f->end};
    if (!hs_tx_hex_digits(&digits, 0, out)) return 0;
    f->p = digits.p;
    return 1;
}

hs_tx_field hs_tx_take_token(hs_tx_field *f)
{
    hs_tx_skip_blanks(f);
    hs_tx_field t = {f->p, f->p};
    while (t.end < f->end && !hs_tx_is_blank(*t.end))
        t.end++;
    f->p = t.end;
    return t;
}
