/* Frames and entry names: maps every frame of every location to an entry id
 * once, following pprof's NodeInfo and PrintableName for each granularity
 * (function: the name; file: the cleaned file name; line: "name file:line";
 * address: "%016x name file:line"; a frame without a function falls back to
 * "[binary]" or "<unknown>"). Invariant: two frames get the same entry id
 * exactly when their printable names are equal. Names are built per
 * function (function/file) or per line record (line/address), never per
 * sample frame. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

typedef struct name_buf {
    char *s;
    size_t len, cap;
} name_buf;

static int nb_put(name_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) return -1;
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
    return 0;
}

static int nb_str(name_buf *b, const char *s) { return nb_put(b, s, strlen(s)); }

static int nb_sep(name_buf *b) { return b->len ? nb_put(b, " ", 1) : 0; }

/* Go's filepath.Clean, lexically: collapse "//", drop ".", resolve "..".
 * The result is never longer than the input (or "." for nothing). */
static int clean_path(name_buf *b, const char *p)
{
    size_t n = strlen(p);
    if (n == 0) return 0;
    char *out = malloc(n + 2);
    if (!out) return -1;
    int rooted = p[0] == '/';
    size_t w = 0, r = 0, dotdot = 0;
    if (rooted) {
        out[w++] = '/';
        r = dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/') w--;
            } else if (!rooted) {
                if (w > 0) out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0)) out[w++] = '/';
            for (; r < n && p[r] != '/'; r++) out[w++] = p[r];
        }
    }
    if (w == 0) out[w++] = '.';
    int rc = nb_put(b, out, w);
    free(out);
    return rc;
}

static const char *base_name(const char *path, size_t *len)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    size_t i = n;
    while (i > 0 && path[i - 1] != '/') i--;
    *len = n - i;
    return path + i;
}

/* The fields of pprof's NodeInfo that a granularity keeps. */
typedef struct node_info {
    uint64_t address;
    const char *name, *file, *objfile;
    int64_t lineno;
} node_info;

static int printable(name_buf *b, const node_info *ni)
{
    char tmp[32];
    b->len = 0;
    if (b->s) b->s[0] = 0;
    if (ni->address) {
        snprintf(tmp, sizeof tmp, "%016" PRIx64, ni->address);
        if (nb_str(b, tmp)) return -1;
    }
    if (ni->name[0] && (nb_sep(b) || nb_str(b, ni->name))) return -1;
    if (ni->lineno != 0) {
        snprintf(tmp, sizeof tmp, ":%" PRId64, ni->lineno);
        if (nb_sep(b) || clean_path(b, ni->file) || nb_str(b, tmp)) return -1;
    } else if (ni->file[0]) {
        if (nb_sep(b) || clean_path(b, ni->file)) return -1;
    } else if (ni->name[0]) {
        /* the function name is the whole name */
    } else if (ni->objfile[0]) {
        size_t bl;
        const char *bn = base_name(ni->objfile, &bl);
        if (nb_sep(b) || nb_put(b, "[", 1) || nb_put(b, bn, bl) || nb_put(b, "]", 1)) return -1;
    } else {
        if (nb_sep(b) || nb_str(b, "<unknown>")) return -1;
    }
    return 0;
}

static const char *mapping_file(const hs_profile *p, const hs_location *l)
{
    if (l->mapping == HS_NONE || l->mapping >= p->n_mappings) return "";
    return hs_profile_str(p, p->mappings[l->mapping].filename);
}

/* NodeInfo of one frame after pprof's Aggregate() for the granularity. */
static void frame_info(const hs_profile *p, const hs_location *l, const hs_line *ln, hs_agg_by by,
                       node_info *ni)
{
    memset(ni, 0, sizeof *ni);
    ni->name = ni->file = "";
    ni->objfile = mapping_file(p, l);
    if (by == HS_BY_ADDRESS) ni->address = l->address;
    const hs_function *f =
        ln && ln->function != HS_NONE && ln->function < p->n_functions ? &p->functions[ln->function]
                                                                      : NULL;
    if (!f) return; /* address (if kept) and objfile */
    if (by != HS_BY_FILE) ni->name = hs_profile_str(p, f->name);
    if (by != HS_BY_FUNCTION) ni->file = hs_profile_str(p, f->filename);
    if (by == HS_BY_LINE || by == HS_BY_ADDRESS) ni->lineno = ln->line;
    /* pprof shows the binary only when there is no function name. */
    if (ni->name[0]) ni->objfile = "";
}

static uint32_t intern_info(hs_strtab *names, name_buf *b, const node_info *ni)
{
    if (printable(b, ni)) return HS_NONE;
    return hs_strtab_intern(names, b->s, b->len);
}

int hs_frames_build(const hs_profile *p, hs_agg_by by, hs_strtab *names, hs_frames *out,
                    hs_error *err)
{
    memset(out, 0, sizeof *out);
    uint64_t n_frames = 0;
    for (uint32_t i = 0; i < p->n_locations; i++)
        n_frames += p->locations[i].n_lines ? p->locations[i].n_lines : 1;
    if (n_frames >= UINT32_MAX) return hs_error_set(err, NULL, HS_NO_OFFSET, "too many frames");
    out->n_locations = p->n_locations;
    out->loc_start = malloc(((size_t)p->n_locations + 1) * sizeof *out->loc_start);
    out->entry = malloc((n_frames ? n_frames : 1) * sizeof *out->entry);
    /* function/file names depend on the function only: cache per function. */
    uint32_t *fn_entry = NULL;
    int per_function = by == HS_BY_FUNCTION || by == HS_BY_FILE;
    if (per_function) fn_entry = malloc(((size_t)p->n_functions + 1) * sizeof *fn_entry);
    name_buf b = {0};
    if (!out->loc_start || !out->entry || (per_function && !fn_entry)) goto oom;
    if (fn_entry) memset(fn_entry, 0xff, ((size_t)p->n_functions + 1) * sizeof *fn_entry);

    uint32_t k = 0;
    for (uint32_t i = 0; i < p->n_locations; i++) {
        const hs_location *l = &p->locations[i];
        out->loc_start[i] = k;
        uint32_t nl = l->n_lines ? l->n_lines : 1;
        for (uint32_t j = 0; j < nl; j++) {
            const hs_line *ln = NULL;
            if (l->n_lines && (uint64_t)l->line_start + j < p->n_lines) ln = &p->lines[l->line_start + j];
            int has_fn = ln && ln->function != HS_NONE && ln->function < p->n_functions;
            uint32_t id;
            if (per_function && has_fn && fn_entry[ln->function] != HS_NONE) {
                id = fn_entry[ln->function];
            } else {
                node_info ni;
                frame_info(p, l, ln, by, &ni);
                id = intern_info(names, &b, &ni);
                if (id == HS_NONE) goto oom;
                /* a function without a name falls back to the binary: not per function */
                if (per_function && has_fn && !(ni.name[0] == 0 && ni.file[0] == 0))
                    fn_entry[ln->function] = id;
            }
            out->entry[k++] = id;
        }
    }
    out->loc_start[p->n_locations] = k;
    free(fn_entry);
    free(b.s);
    return 0;
oom:
    free(fn_entry);
    free(b.s);
    hs_frames_free(out);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory naming frames");
}

void hs_frames_free(hs_frames *fr)
{
    free(fr->loc_start);
    free(fr->entry);
    memset(fr, 0, sizeof *fr);
}
