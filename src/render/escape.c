/* Escaping for the three quoted syntaxes we write. JSON: RFC 8259 string
 * escapes, control characters as \u00XX, and invalid UTF-8 bytes replaced by
 * U+FFFD so the output is always valid UTF-8. CSV: RFC 4180 (quote a field
 * holding a comma, quote, CR or LF, or edge spaces; double inner quotes).
 * DOT: a double-quoted ID where only '"' and '\' need a backslash; newlines
 * become the "\n" escape, other controls a space, bad UTF-8 '?'. */
#include <stdint.h>
#include <string.h>

#include "render/internal.h"

/* Length of the valid UTF-8 sequence at s, or 0 when the byte is invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned min;
    if ((c & 0xe0) == 0xc0) n = 2, min = 0x80;
    else if ((c & 0xf0) == 0xe0) n = 3, min = 0x800;
    else if ((c & 0xf8) == 0xf0) n = 4, min = 0x10000;
    else return 0;
    unsigned cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

void hs_render_json_string(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    fputc('"', out);
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            case '\b': fputs("\\b", out); break;
            case '\f': fputs("\\f", out); break;
            default: fprintf(out, "\\u%04x", c);
            }
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n == 0) {
                fputs("\\ufffd", out);
                s++;
            } else {
                fwrite(s, 1, n, out);
                s += n;
            }
        }
    }
    fputc('"', out);
}

void hs_render_csv_field(FILE *out, const char *s)
{
    if (!s) s = "";
    size_t n = strlen(s);
    int quote = strpbrk(s, ",\"\r\n") != NULL || (n && (s[0] == ' ' || s[n - 1] == ' '));
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void hs_render_dot_escaped(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', out);
            fputc(*s++, out);
        } else if (*s == '\n') {
            fputs("\\n", out);
            s++;
        } else if (*s < 0x20) {
            fputc(' ', out); /* other control characters: no meaning in a label */
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n == 0) {
                fputc('?', out); /* dot insists on UTF-8 */
                s++;
            } else {
                fwrite(s, 1, n, out);
                s += n;
            }
        }
    }
}

void hs_render_dot_string(FILE *out, const char *s)
{
    fputc('"', out);
    hs_render_dot_escaped(out, s);
    fputc('"', out);
}

void hs_render_json_count_size(FILE *out, const char *key, uint64_t count, uint64_t size)
{
    fprintf(out, "\"%s\": {\"count\": %llu, \"size\": %llu}", key, (unsigned long long)count,
            (unsigned long long)size);
}
