/* Formatting helpers of the heap reports: binary-unit sizes, string quoting
 * for JSON, CSV and DOT, and size parsing. Invariant: quoting functions write
 * syntactically valid output for any input bytes (control bytes escaped). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heapscan/heap_render.h"

const char *hs_render_heap_bytes(char *buf, size_t n, uint64_t v)
{
    static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (v < 1024) {
        snprintf(buf, n, "%llu B", (unsigned long long)v);
        return buf;
    }
    double x = (double)v;
    int u = -1;
    while (x >= 1024 && u < 5)
        x /= 1024, u++;
    snprintf(buf, n, "%.2f %s", x, units[u]);
    return buf;
}

const char *hs_render_heap_sbytes(char *buf, size_t n, int64_t v)
{
    if (v == 0) {
        snprintf(buf, n, "0 B");
        return buf;
    }
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char tmp[48];
    hs_render_heap_bytes(tmp, sizeof tmp, m);
    snprintf(buf, n, "%c%s", v < 0 ? '-' : '+', tmp);
    return buf;
}

void hs_render_heap_json_str(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", fp);
        else if (*p == '\t')
            fputs("\\t", fp);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}

void hs_render_heap_csv_str(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

void hs_render_heap_dot_str(FILE *fp, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fputc(' ', fp);
        else
            fputc(*p, fp);
    }
}

int hs_render_heap_parse_size(const char *s, uint64_t *out)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '-' || !*s) return -1;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0) return -1;
    while (isspace((unsigned char)*end))
        end++;
    double mult = 1;
    const char *u = end;
    if (*u) {
        char c = (char)toupper((unsigned char)*u);
        const char *pos = strchr("KMGTP", c);
        if (c == 'B' && !u[1])
            mult = 1;
        else if (!pos || c == 0)
            return -1;
        else {
            mult = pow(1024.0, (double)(pos - "KMGTP" + 1));
            u++;
            if (*u == 'i' || *u == 'I') u++;
            if (*u == 'B' || *u == 'b') u++;
            if (*u) return -1;
        }
    }
    double r = v * mult;
    if (r >= 18446744073709551615.0) return -1;
    *out = (uint64_t)(r + 0.5);
    return 0;
}
