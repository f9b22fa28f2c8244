/* The memory map after a text heap profile's records, and names from the
 * files it maps (see procmap.h). As pprof, only executable entries become
 * mappings and lines of any other shape are skipped. Each mapped file found
 * on disk is reported once, where its offset 0 would be mapped; the lowest
 * one is the program, which --binary replaces. Without a map, --binary
 * alone names addresses as it was linked (a Go program that is not PIE). */
#include "procmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct map_entry {
    uint64_t start, limit, offset;
    hs_tx_field path;
} map_entry;

/* After blanks: optional "0x", then hex digits (pprof's cHex). */
static int take_map_hex(hs_tx_field *f, uint64_t *v)
{
    hs_tx_skip_blanks(f);
    if (f->end - f->p > 2 && f->p[0] == '0' && f->p[1] == 'x') f->p += 2;
    return hs_tx_hex_digits(f, 1, v);
}

/* "START-END" or "START END", each maybe "0x"-prefixed, maybe then ':'. */
static int take_range(hs_tx_field *f, map_entry *m)
{
    if (!take_map_hex(f, &m->start)) return 0;
    if (f->p < f->end && *f->p == '-') f->p++;
    if (!take_map_hex(f, &m->limit) || m->limit <= m->start) return 0;
    if (f->p < f->end && *f->p == ':') f->p++;
    return 1;
}

static int is_perms(hs_tx_field t)
{
    if (t.p == t.end) return 0;
    for (const char *c = t.p; c < t.end; c++)
        if (!strchr("-rwxp", *c)) return 0;
    return 1;
}

/* /proc/PID/maps after the range and perms: "[OFFSET] DEV INODE [PATH]". */
static int take_proc_rest(hs_tx_field f, map_entry *m)
{
    uint64_t v;
    int64_t inode;
    m->offset = 0;
    hs_tx_field t = hs_tx_take_token(&f);
    const char *colon = memchr(t.p, ':', (size_t)(t.end - t.p));
    if (!colon) { /* an offset, then the device */
        hs_tx_field o = t;
        if (!hs_tx_hex_digits(&o, 1, &m->offset) || o.p != o.end) return 0;
        t = hs_tx_take_token(&f);
        if (!(colon = memchr(t.p, ':', (size_t)(t.end - t.p)))) return 0;
    }
    hs_tx_field major = {t.p, colon}, minor = {colon + 1, t.end};
    if (!hs_tx_hex_digits(&major, 1, &v) || major.p != colon ||
        !hs_tx_hex_digits(&minor, 1, &v) || minor.p != t.end || !hs_tx_take_int(&f, 0, &inode))
        return 0;
    hs_tx_skip_blanks(&f);
    m->path = hs_tx_take_token(&f);
    return 1;
}

/* The brief form after the range and perms: "[PATH] [(@OFFSET)] [BUILDID]". */
static void take_brief_rest(hs_tx_field f, map_entry *m)
{
    m->offset = 0;
    m->path = hs_tx_take_token(&f);
    hs_tx_skip_blanks(&f);
    if (f.end - f.p > 3 && f.p[0] == '(' && f.p[1] == '@') {
        hs_tx_field o = {f.p + 2, f.end};
        uint64_t off;
        if (hs_tx_hex_digits(&o, 1, &off) && o.p < o.end && *o.p == ')') m->offset = off;
    }
}

/* One line of the memory map in either form pprof reads (its procMapsRE,
 * then briefMapsRE): /proc/PID/maps "START-END PERMS OFFSET DEV INODE
 * [PATH]", or the brief "START-END: PATH (@OFFSET) BUILDID" of older
 * profilers. 1 for an executable entry (perms absent or with 'x'). */
static int parse_map_line(hs_tx_line ln, map_entry *m)
{
    hs_tx_field f = {ln.s, ln.s + ln.len};
    if (!take_range(&f, m)) return 0;
    hs_tx_field after = f, perms = hs_tx_take_token(&f);
    if (!is_perms(perms)) {
        perms = (hs_tx_field){f.p, f.p};
        f = after;
    }
    if (!take_proc_rest(f, m)) take_brief_rest(f, m);
    return perms.p == perms.end || memchr(perms.p, 'x', (size_t)(perms.end - perms.p)) != NULL;
}

static int by_start(const void *a, const void *b)
{
    const map_entry *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int add_mappings(hs_profile *p, map_entry *e, uint32_t n)
{
    if (n) qsort(e, n, sizeof *e, by_start); /* e is NULL when n is 0 */
    for (uint32_t i = 0; i < n; i++) {
        hs_mapping m = {
            .id = i + 1, .start = e[i].start, .limit = e[i].limit, .offset = e[i].offset};
        m.filename =
            hs_strtab_intern(&p->strings, e[i].path.p, (size_t)(e[i].path.end - e[i].path.p));
        if (m.filename == HS_STR_NONE || hs_profile_add_mapping(p, &m) == HS_NONE) return -1;
    }
    return 0;
}

int hs_procmap_read(hs_tx_scanner sc, hs_profile *p)
{
    hs_tx_line ln;
    map_entry *e = NULL, one;
    uint32_t n = 0, cap = 0;
    while (hs_tx_next_line(&sc, &ln)) {
        if (!parse_map_line(ln, &one)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            map_entry *g = cap < UINT32_MAX / 2 ? realloc(e, (size_t)cap * sizeof *e) : NULL;
            if (!g) {
                free(e);
                return -1;
            }
            e = g;
        }
        e[n++] = one;
    }
    int rc = add_mappings(p, e, n);
    free(e);
    return rc;
}

/* Report each mapped file once, where its offset 0 would be mapped. */
static int report_mapped_files(hs_dwmod *dw, const hs_profile *p, const hs_load_options *opt)
{
    uint8_t *seen = calloc(p->strings.n ? p->strings.n : 1, 1); /* by file name id */
    if (!seen) return 0;
    int n = 0, first = 1;
    for (uint32_t i = 0; i < p->n_mappings; i++) {
        const hs_mapping *m = &p->mappings[i];
        const char *name = hs_profile_str(p, m->filename);
        if (name[0] != '/' || m->offset > m->start || seen[m->filename]) continue;
        seen[m->filename] = 1;
        n += hs_dwmod_report_mapped(dw, opt, name, first, m->start - m->offset);
        first = 0;
    }
    free(seen);
    return n;
}

hs_dwmod *hs_procmap_open(const hs_profile *p, const hs_load_options *opt)
{
    if (!p->n_mappings && !opt->binary) return NULL;
    hs_dwmod *dw = hs_dwmod_begin(opt);
    if (!dw) return NULL;
    Dwfl *dwfl = hs_dwmod_dwfl(dw);
    dwfl_report_begin(dwfl);
    int n = p->n_mappings ? report_mapped_files(dw, p, opt)
                          : hs_dwmod_report_linked(dw, opt->binary, opt->binary);
    hs_dwmod_report_end(dw);
    if (n > 0) return dw;
    hs_dwmod_end(dw);
    return NULL;
}

uint32_t hs_procmap_find(const hs_profile *p, uint64_t addr)
{
    const hs_mapping *m = p->mappings;
    uint32_t lo = 0, hi = p->n_mappings;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (addr < m[mid].start)
            hi = mid;
        else if (addr >= m[mid].limit)
            lo = mid + 1;
        else
            return mid;
    }
    return HS_NONE;
}

int hs_procmap_symbol(hs_dwmod *dw, uint64_t addr, hs_tx_field *name, hs_tx_field *file, int *line)
{
    hs_dwmod_symbol sym;
    if (!hs_dwmod_lookup(dw, addr, &sym)) return 0;
    const char *f = sym.file ? sym.file : "";
    const char *at = strchr(sym.name, '@'); /* a version, as in "memcpy@@GLIBC_2.14" */
    *name = (hs_tx_field){sym.name, at && at > sym.name ? at : sym.name + strlen(sym.name)};
    static const char abi0[] = ".abi0"; /* Go's ABI wrapper: Go names it without */
    size_t len = (size_t)(name->end - name->p);
    if (len > sizeof abi0 - 1 && memcmp(name->end - (sizeof abi0 - 1), abi0, sizeof abi0 - 1) == 0)
        name->end -= sizeof abi0 - 1;
    *file = (hs_tx_field){f, f + strlen(f)};
    *line = sym.line;
    return 1;
}

uint32_t hs_procmap_function(hs_profile *p, hs_idmap *fns, hs_tx_field name, hs_tx_field file)
{
    hs_strtab *st = &p->strings;
    uint32_t n = hs_strtab_intern(st, name.p, (size_t)(name.end - name.p));
    uint32_t f = hs_strtab_intern(st, file.p, (size_t)(file.end - file.p));
    if (n == HS_STR_NONE || f == HS_STR_NONE) return HS_NONE;
    uint64_t key = (uint64_t)n << 32 | f; /* a name id is never 0: a valid nonzero id */
    uint32_t index;
    int r = hs_idmap_add_get(fns, key, &index);
    if (r != 0) return r > 0 ? index : HS_NONE;
    hs_function fn = {.id = fns->n, .name = n, .system_name = n, .filename = f};
    return hs_profile_add_function(p, &fn);
}
