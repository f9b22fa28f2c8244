/* Line-oriented text for the text profile readers: a scanner that hands out
 * one line at a time (trimmed, with its byte offset and 1-based number, for
 * errors), and a field cursor over a line that takes the tokens those
 * formats are made of. Every take_* either consumes what it matched or
 * leaves the cursor where it was; none reads past the line. */
#ifndef HEAPSCAN_FORMATS_TEXTSCAN_H
#define HEAPSCAN_FORMATS_TEXTSCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct hs_tx_line {
    const char *s; /* trimmed of blanks at both ends */
    size_t len;
    uint64_t off; /* of the line's first byte */
    uint64_t no;  /* 1-based */
} hs_tx_line;

typedef struct hs_tx_scanner {
    const char *buf;
    size_t size, pos;
    uint64_t no;
} hs_tx_scanner;

/* A cursor over one line's text. */
typedef struct hs_tx_field {
    const char *p, *end;
} hs_tx_field;

/* Inline: called for every character and token of a profile. */
static inline int hs_tx_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline void hs_tx_skip_blanks(hs_tx_field *f)
{
    while (f->p < f->end && hs_tx_is_blank(*f->p))
        f->p++;
}

static inline int hs_tx_take(hs_tx_field *f, char c)
{
    hs_tx_skip_blanks(f);
    if (f->p < f->end && *f->p == c) {
        f->p++;
        return 1;
    }
    return 0;
}

/* The next line into *ln; 0 at the end of the text. */
int hs_tx_next_line(hs_tx_scanner *sc, hs_tx_line *ln);

/* After blanks: the text w. */
int hs_tx_take_word(hs_tx_field *f, const char *w);
/* After blanks: a decimal integer (a leading '-' when `sign`) that fits int64. */
int hs_tx_take_int(hs_tx_field *f, int sign, int64_t *out);
/* Right at f->p: 1..16 hex digits (lowercase, and uppercase when `upper`). */
int hs_tx_hex_digits(hs_tx_field *f, int upper, uint64_t *out);
/* After blanks: "0x" and 1..16 lowercase hex digits (pprof's hexNumberRE). */
int hs_tx_take_hex(hs_tx_field *f, uint64_t *out);
/* After blanks: the run of non-blank characters (may be empty). */
hs_tx_field hs_tx_take_token(hs_tx_field *f);

#endif
