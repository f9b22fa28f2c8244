/* Go's text profiles, as runtime/pprof writes them with debug=1 and as
 * go tool pprof reads them ("legacy" profiles):
 *   heap:  "heap profile: N: B [AN: AB] @ heap/2R", then one record per stack
 *          "n: b [an: ab] @ 0xPC 0xPC ..." (in use, then allocated);
 *   count: "goroutine profile: total N" (or threadcreate), then "n @ 0xPC ...".
 * Each record is followed by "#\t0xPC\tfunc+0xOFF\tfile:LINE" lines naming
 * its frames, innermost first (inlined frames share a PC). Sample types,
 * values and addresses are pprof's (legacy_profile.go): every address is
 * decremented by one to land on its call; heap values are scaled up by
 * 1 / (1 - exp(-average size / R)) when the header says heap/2R, and each
 * sample gets pprof's numeric label "bytes" (the block size). Unlike pprof,
 * heapscan names frames from the "#" lines, so functions have names without
 * the program. Go's writer prints every PC on the "@" line but no "#" line
 * for a stack's leading runtime.* frames nor for runtime.goexit; its
 * protobuf writer leaves out the same leading frames of heap stacks (and
 * goexit everywhere). So, as the protobuf of the same moment: a record with
 * "#" lines loses the addresses after its first shown one that it leaves
 * unnamed (goexit), and a heap record also loses the leading ones (charged
 * to the first frame shown); a count record keeps them, named from the
 * program with --binary, else by address.
 * The same reader takes the C allocators' text heap profiles of that family:
 * gperftools ("@ heapprofile", unsampled) and jemalloc ("heap_v2/R", each
 * stack before its counts), whose frames are named from the files of the
 * memory map that ends them (procmap.c). Lines and tokens: textscan.c.
 * Pass 1 counts, pass 2 collects the "#" lines by PC, then the memory map
 * is read, then pass 3 builds the samples. Offsets in errors are those of
 * the offending line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contention.h"
#include "heapscan/reader.h"
#include "idmap.h"
#include "procmap.h"
#include "textscan.h"

typedef unsigned long long ull;

/* ---- the header ------------------------------------------------------- */

typedef struct header {
    int heap;       /* else a count profile */
    char name[32];  /* count profile: "goroutine", "threadcreate", ... */
    int has_alloc;  /* heap: allocation columns differ from in-use ones */
    int scaled;     /* heap: pprof's "v2" sampling */
    int64_t period; /* heap: the sampling rate R */
    int gperftools; /* heap: "@ heapprofile", gperftools' unsampled profile */
    int jemalloc;   /* heap: jemalloc's "heap_v2/RATE", stacks before counts */
    int contention; /* "--- mutex:", "--- contention:", "--- contentionz " */
    hs_contention cont;
} header;

/* "N: B [AN: AB]", in use then allocated (in-use values may be negative
 * when `sign`: a record's, as pprof reads them). */
static int take_counts(hs_tx_field *f, int sign, int64_t n[4])
{
    return hs_tx_take_int(f, sign, &n[0]) && hs_tx_take(f, ':') && hs_tx_take_int(f, sign, &n[1]) &&
           hs_tx_take(f, '[') && hs_tx_take_int(f, 0, &n[2]) && hs_tx_take(f, ':') &&
           hs_tx_take_int(f, 0, &n[3]) && hs_tx_take(f, ']');
}

static int parse_heap_header(hs_tx_line ln, header *h)
{
    hs_tx_field f = {ln.s, ln.s + ln.len};
    int64_t n[4];
    char kind[32];
    size_t k = 0;
    if (!hs_tx_take_word(&f, "heap profile:")) return 0;
    if (!take_counts(&f, 0, n) || !hs_tx_take(&f, '@')) return -1;
    hs_tx_skip_blanks(&f);
    while (f.p < f.end && k + 1 < sizeof kind && *f.p != '/' && !hs_tx_is_blank(*f.p))
        kind[k++] = *f.p++;
    kind[k] = 0;
    int64_t rate = 0;
    if (hs_tx_take(&f, '/') && !hs_tx_take_int(&f, 0, &rate)) return -1;
    h->heap = 1;
    h->has_alloc = (n[2] != n[0] && n[2] != 0) || (n[3] != n[1] && n[3] != 0);
    if (strcmp(kind, "heap") == 0) { /* Go writes 2 * MemProfileRate */
        h->scaled = 1;
        h->period = rate / 2;
    } else if (strcmp(kind, "heap_v2") == 0 || strcmp(kind, "heapz_v2") == 0) {
        h->scaled = 1;
        h->period = rate;
    } else if (strcmp(kind, "heapprofile") == 0) { /* gperftools: every allocation */
        h->period = 1;
        h->gperftools = 1;
    } else if (strncmp(kind, "growth", 6) == 0 || strncmp(kind, "fragmentation", 13) == 0) {
        h->period = 1; /* gperftools' growth stacks: pprof reads no allocation columns */
        h->has_alloc = 0;
        h->gperftools = 1;
    } else {
        return -1;
    }
    return 1;
}

/* "NAME profile: total N" */
static int parse_count_header(hs_tx_line ln, header *h)
{
    hs_tx_field f = {ln.s, ln.s + ln.len};
    size_t k = 0;
    while (f.p < f.end && !hs_tx_is_blank(*f.p)) { /* pprof: any name, "(\\S+) profile:" */
        if (k + 1 >= sizeof h->name) return 0;
        h->name[k++] = *f.p++;
    }
    h->name[k] = 0;
    int64_t total;
    if (k == 0 || !hs_tx_take_word(&f, "profile:") || !hs_tx_take_word(&f, "total") ||
        !hs_tx_take_int(&f, 0, &total) || f.p != f.end)
        return 0;
    h->heap = 0;
    h->period = 1;
    return 1;
}

static int is_comment_or_blank(hs_tx_line ln)
{
    return ln.len == 0 || ln.s[0] == '#';
}

/* The header line: the first line of a heap profile; a count profile may
 * have comment lines before it. 1 = found (*ln is it), 0 = not this format,
 * -1 = a malformed heap header or one of an unknown kind. */
/* jemalloc: "heap_v2/RATE", then the totals "t*: N: B [AN: AB]" (whose
 * allocation columns are 0 without prof_accum). 1, 0 (not jemalloc), -1. */
static int parse_jemalloc_header(hs_tx_scanner *sc, hs_tx_line *ln, header *h)
{
    hs_tx_field f = {ln->s, ln->s + ln->len};
    int64_t rate, n[4];
    if (!hs_tx_take_word(&f, "heap_v2/")) return 0;
    if (!hs_tx_take_int(&f, 0, &rate) || f.p != f.end || !hs_tx_next_line(sc, ln)) return -1;
    f = (hs_tx_field){ln->s, ln->s + ln->len};
    if (!hs_tx_take_word(&f, "t*:") || !take_counts(&f, 0, n)) return -1;
    h->heap = h->scaled = h->jemalloc = 1;
    h->period = rate;
    h->has_alloc = n[2] != 0 || n[3] != 0;
    return 1;
}

static int find_header(hs_tx_scanner *sc, hs_tx_line *ln, header *h)
{
    memset(h, 0, sizeof *h);
    if (!hs_tx_next_line(sc, ln)) return 0;
    int r = parse_heap_header(*ln, h);
    if (r == 0) r = parse_jemalloc_header(sc, ln, h);
    if (r == 0 && (r = hs_contention_header(sc, ln, &h->cont)) != 0) h->contention = 1;
    if (r != 0) return r;
    while (is_comment_or_blank(*ln))
        if (!hs_tx_next_line(sc, ln)) return 0;
    return parse_count_header(*ln, h);
}

int hs_gotext_probe(const uint8_t *data, size_t size)
{
    hs_tx_scanner sc = {(const char *)data, size < 65536 ? size : 65536, 0, 0};
    hs_tx_line ln;
    header h;
    return find_header(&sc, &ln, &h) != 0 ? 100 : 0;
}

/* ---- pass 1 and 2: counts, then the frames named by "#" lines ----------- */

typedef struct frame_run {
    uint32_t start, n; /* in frames */
} frame_run;

typedef struct tctx {
    const hs_source *src;
    hs_profile *p;
    hs_error *err;
    header h;
    uint64_t n_comments, n_addresses; /* upper bounds from pass 1 */
    hs_idmap pcs;                     /* PC -> its run of frame lines */
    frame_run *runs;
    uint32_t *frame_fn; /* frames: function index and line, in two arrays */
    int64_t *frame_line;
    uint32_t n_frames, cap_frames;
    hs_idmap fns;             /* (name, file) string ids -> function index */
    hs_idmap addrs;           /* address as written -> location index */
    uint64_t map_pos, map_no; /* where the memory map's lines start, if any */
    int has_map;
    hs_dwmod *dw; /* the mapped files found on disk, or NULL */
} tctx;

static int fail(tctx *x, hs_tx_line ln, const char *what)
{
    return hs_error_set(x->err, x->src->name, ln.off, "line %llu: %s", (ull)ln.no, what);
}

static int oom(tctx *x, uint64_t off)
{
    return hs_error_set(x->err, x->src->name, off, "out of memory");
}

static void count_lines(tctx *x)
{
    hs_tx_scanner sc = {(const char *)x->src->data, x->src->size, 0, 0};
    hs_tx_line ln;
    while (hs_tx_next_line(&sc, &ln)) {
        if (ln.len && ln.s[0] == '#') {
            x->n_comments++;
            continue;
        }
        for (const char *q = ln.s; (q = memchr(q, 'x', (size_t)(ln.s + ln.len - q))); q++)
            x->n_addresses++;
    }
}

static uint32_t function_of(tctx *x, hs_tx_field name, hs_tx_field file)
{
    return hs_procmap_function(x->p, &x->fns, name, file);
}

/* "#\t0xPC\tNAME+0xOFF\tFILE:LINE": 1 and the parts, 0 for any other
 * comment (labels, MemStats, a PC without a function). */
static int parse_frame(hs_tx_line ln, uint64_t *pc, hs_tx_field *name, hs_tx_field *file,
                       int64_t *line)
{
    hs_tx_field f = {ln.s + 1, ln.s + ln.len};
    if (!hs_tx_take_hex(&f, pc) || f.p == f.end || f.p[0] != '\t') return 0;
    while (f.p < f.end && *f.p == '\t')
        f.p++; /* columns are padded with tabs */
    const char *tab = memchr(f.p, '\t', (size_t)(f.end - f.p));
    if (!tab) return 0;
    const char *plus = NULL;
    for (const char *q = f.p; q + 2 < tab; q++)
        if (q[0] == '+' && q[1] == '0' && q[2] == 'x') plus = q;
    *name = (hs_tx_field){f.p, plus ? plus : tab};
    while (tab < f.end && *tab == '\t')
        tab++;
    const char *colon = NULL;
    for (const char *q = tab; q < f.end; q++)
        if (*q == ':') colon = q;
    if (!colon || name->p == name->end) return 0;
    *file = (hs_tx_field){tab, colon};
    hs_tx_field num = {colon + 1, f.end};
    return hs_tx_take_int(&num, 0, line) && num.p == num.end;
}

static int add_frame(tctx *x, hs_tx_line ln, hs_tx_field name, hs_tx_field file, int64_t line)
{
    if (x->n_frames == x->cap_frames) {
        uint32_t cap = x->cap_frames ? x->cap_frames * 2 : 256;
        uint32_t *fn = realloc(x->frame_fn, (size_t)cap * sizeof *fn);
        if (fn) x->frame_fn = fn;
        int64_t *li = fn ? realloc(x->frame_line, (size_t)cap * sizeof *li) : NULL;
        if (!li) return oom(x, ln.off);
        x->frame_line = li;
        x->cap_frames = cap;
    }
    uint32_t fn = function_of(x, name, file);
    if (fn == HS_NONE) return oom(x, ln.off);
    x->frame_fn[x->n_frames] = fn;
    x->frame_line[x->n_frames++] = line;
    return 0;
}

/* What ends the records: a memory map (heap profiles) or a "---" line
 * (count profiles). */
static int is_map_header(const tctx *x, hs_tx_line ln)
{
    if (ln.len && ln.s[0] >= '0' && ln.s[0] <= '9') return 0; /* a record */
    if (x->h.heap)
        return memmem(ln.s, ln.len, "--- Memory map: ---", 19) ||
               memmem(ln.s, ln.len, "MAPPED_LIBRARIES:", 17);
    return (!x->h.contention || ln.no > 1) && ln.len >= 3 && ln.s[0] == '-' && ln.s[1] == '-' && ln.s[2] == '-';
}

/* Consecutive lines with one PC are one frame run; the first run seen for
 * a PC names it (every record prints the same frames for a PC). Notes
 * where a memory map starts. */
static int collect_frames(tctx *x)
{
    hs_tx_scanner sc = {(const char *)x->src->data, x->src->size, 0, 0};
    hs_tx_line ln;
    uint64_t prev = 0;
    int filling = 0;
    hs_idmap_init(&x->pcs, (uint32_t)x->n_comments);
    hs_idmap_init(&x->fns, (uint32_t)x->n_comments); /* grows for symbols' functions */
    x->runs = malloc(((size_t)x->n_comments + 1) * sizeof *x->runs);
    if (!x->runs) return oom(x, 0);
    while (hs_tx_next_line(&sc, &ln)) {
        uint64_t pc;
        hs_tx_field name, file;
        int64_t line;
        if (is_map_header(x, ln)) {
            x->has_map = 1;
            x->map_pos = sc.pos;
            x->map_no = sc.no;
            break;
        }
        if (!ln.len || ln.s[0] != '#' || !parse_frame(ln, &pc, &name, &file, &line) || pc == 0) {
            prev = 0;
            continue;
        }
        if (pc != prev) {
            prev = pc;
            int r = hs_idmap_add(&x->pcs, pc);
            if (r < 0) return oom(x, ln.off);
            filling = r == 0;
            if (filling) x->runs[x->pcs.n - 1] = (frame_run){x->n_frames, 0};
        }
        if (!filling) continue;
        if (add_frame(x, ln, name, file, line)) return -1;
        x->runs[x->pcs.n - 1].n++;
    }
    return 0;
}

/* ---- names from the memory map (procmap.c) -------------------------------- */

/* One frame for addr from the mapped files' symbols: 1 named, 0 not, -1 OOM. */
static int symbol_frame(tctx *x, uint64_t addr, uint32_t *fn, int64_t *line)
{
    hs_tx_field name, file;
    int l;
    if (!x->dw || !hs_procmap_symbol(x->dw, addr, &name, &file, &l)) return 0;
    if ((*fn = function_of(x, name, file)) == HS_NONE) return -1;
    *line = l;
    return 1;
}

/* ---- pass 3: samples ----------------------------------------------------- */

static int64_t to_i64(double v)
{
    if (!(v > -9.2e18)) return v != v ? 0 : INT64_MIN;
    if (!(v < 9.2e18)) return INT64_MAX;
    return (int64_t)v;
}

/* pprof's scaleHeapSample. */
static void scale_heap(int64_t *count, int64_t *size, int64_t rate)
{
    if (*count == 0 || *size == 0) {
        *count = *size = 0;
        return;
    }
    if (rate <= 1) return;
    double avg = (double)*size / (double)*count;
    double scale = 1 / (1 - exp(-avg / (double)rate));
    *count = to_i64((double)*count * scale);
    *size = to_i64((double)*size * scale);
}

static uint32_t location_of(tctx *x, hs_tx_line ln, uint64_t written)
{
    uint32_t index;
    int r = hs_idmap_add_get(&x->addrs, written, &index);
    if (r < 0) return oom(x, ln.off), HS_NONE;
    if (r == 1) return index;    /* locations are numbered as addresses */
    uint64_t addr = written - 1; /* the call, not the return address */
    uint32_t run = hs_idmap_get(&x->pcs, addr);
    frame_run fr = run == HS_NONE ? (frame_run){0, 0} : x->runs[run];
    const uint32_t *fns = fr.n ? x->frame_fn + fr.start : NULL; /* no frames: no arrays */
    const int64_t *lines = fr.n ? x->frame_line + fr.start : NULL;
    uint32_t sym_fn;
    int64_t sym_line;
    int named = fr.n ? 0 : symbol_frame(x, addr, &sym_fn, &sym_line);
    if (named < 0) return oom(x, ln.off), HS_NONE;
    if (named) fns = &sym_fn, lines = &sym_line, fr.n = 1;
    uint32_t loc = hs_profile_add_location(x->p, (uint64_t)x->addrs.n, addr,
                                           hs_procmap_find(x->p, addr), fns, lines, fr.n);
    if (loc == HS_NONE) oom(x, ln.off);
    return loc;
}

/* The addresses after '@' (at least one for a count record, as pprof). */
static int parse_stack(tctx *x, hs_tx_line ln, hs_tx_field *f, uint32_t **locs, uint32_t *cap,
                       uint32_t *n)
{
    *n = 0;
    for (;;) {
        hs_tx_skip_blanks(f);
        if (f->p == f->end) return 0;
        uint64_t a;
        if (!hs_tx_take_hex(f, &a))
            return fail(x, ln, "bad address (expected 0x and 1-16 hex digits)");
        if (a == 0) return fail(x, ln, "address 0x0 (no call can return there)");
        if (*n == *cap) {
            uint32_t c = *cap ? *cap * 2 : 64;
            uint32_t *l = realloc(*locs, (size_t)c * sizeof *l);
            if (!l) return oom(x, ln.off);
            *locs = l;
            *cap = c;
        }
        uint32_t loc = location_of(x, ln, a);
        if (loc == HS_NONE) return -1;
        (*locs)[(*n)++] = loc;
    }
}

/* "in: ib [an: ab] @ ...": values in sample-type order, and the label. */
static int heap_values(tctx *x, hs_tx_line ln, hs_tx_field *f, int64_t *v, hs_label *lb)
{
    int64_t n[4];
    if (!take_counts(f, 1, n) || (x->h.jemalloc ? f->p != f->end : !hs_tx_take(f, '@')))
        return fail(x, ln,
                    x->h.jemalloc
                        ? "malformed jemalloc counts (expected \"t*: N: BYTES [N: BYTES]\")"
                        : "malformed heap record (expected \"N: BYTES [N: BYTES] @ 0x...\")");
    /* pprof: allocated, then in use; the block size of the last nonzero count. */
    int64_t pairs[2][2] = {{n[2], n[3]}, {n[0], n[1]}}, block = 0;
    const char *what[2] = {"allocation", "in-use"};
    int k = 0;
    for (int i = x->h.has_alloc ? 0 : 1; i < 2; i++) {
        int64_t count = pairs[i][0], size = pairs[i][1];
        if (count == 0 && size != 0) {
            char msg[96];
            snprintf(msg, sizeof msg, "%s count is 0 but its bytes are %lld", what[i],
                     (long long)size);
            return fail(x, ln, msg);
        }
        if (count != 0) {
            block = count == -1 && size == INT64_MIN ? 0 : size / count;
            if (x->h.scaled) scale_heap(&count, &size, x->h.period);
        }
        v[k++] = count;
        v[k++] = size;
    }
    *lb = (hs_label){.key = hs_strtab_intern(&x->p->strings, "bytes", 5), .num = block};
    return lb->key == HS_STR_NONE ? oom(x, ln.off) : 0;
}

/* ---- goroutine labels ----------------------------------------------------
 * Go writes a count record's pprof labels on the line after it:
 * "# labels: {"k":"v", "k2":"v2"}", keys sorted, strings Go-quoted. pprof
 * reads the line as a comment; heapscan keeps the labels as string labels,
 * so --tag selects goroutines. A line not of this shape is a comment. */

typedef struct label_buf {
    hs_label *l;
    uint32_t n, cap;
    char *text; /* unescaped strings, at most a line long */
    size_t text_cap;
} label_buf;

/* A Go-quoted string at f, unescaped into out (\" \\ \n \t \r and \xNN;
 * another escape is kept as written). */
static int take_quoted(hs_tx_field *f, char *out, size_t *len)
{
    if (!hs_tx_take(f, '"')) return 0;
    size_t n = 0;
    while (f->p < f->end && *f->p != '"') {
        char c = *f->p++;
        if (c == '\\' && f->p < f->end) {
            char e = *f->p++;
            uint64_t v;
            hs_tx_field hex = {f->p, f->p + (f->end - f->p < 2 ? f->end - f->p : 2)};
            if (e == 'x' && hex.end - hex.p == 2 && hs_tx_hex_digits(&hex, 1, &v) &&
                hex.p == hex.end) {
                c = (char)v;
                f->p = hex.end;
            } else if (e == 'n' || e == 't' || e == 'r' || e == '"' || e == '\\') {
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            } else {
                out[n++] = '\\';
                c = e;
            }
        }
        out[n++] = c;
    }
    if (f->p == f->end) return 0;
    f->p++;
    *len = n;
    return 1;
}

static int add_label(tctx *x, label_buf *b, const char *key, size_t klen, const char *val,
                     size_t vlen)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 8;
        hs_label *l = realloc(b->l, (size_t)cap * sizeof *l);
        if (!l) return -1;
        b->l = l;
        b->cap = cap;
    }
    hs_strtab *st = &x->p->strings;
    hs_label lb = {.key = hs_strtab_intern(st, key, klen), .str = hs_strtab_intern(st, val, vlen)};
    if (lb.key == HS_STR_NONE || lb.str == HS_STR_NONE) return -1;
    b->l[b->n++] = lb;
    return 0;
}

/* The labels of "# labels: {...}" into b: 1 read, 0 not such a line, -1 OOM. */
static int parse_labels(tctx *x, hs_tx_line ln, label_buf *b)
{
    hs_tx_field f = {ln.s, ln.s + ln.len};
    b->n = 0;
    if (!hs_tx_take_word(&f, "# labels:") || !hs_tx_take(&f, '{')) return 0;
    if (b->text_cap < ln.len) {
        char *t = realloc(b->text, ln.len);
        if (!t) return -1;
        b->text = t;
        b->text_cap = ln.len;
    }
    size_t used = 0;
    for (int first = 1; !hs_tx_take(&f, '}'); first = 0) {
        size_t klen, vlen;
        char *key = b->text + used;
        if ((!first && !hs_tx_take(&f, ',')) || !take_quoted(&f, key, &klen) ||
            !hs_tx_take(&f, ':') || !take_quoted(&f, key + klen, &vlen))
            return b->n = 0, 0;
        if (add_label(x, b, key, klen, key + klen, vlen)) return -1;
        used += klen + vlen;
    }
    if (f.p != f.end) b->n = 0;
    return b->n > 0;
}

/* The labels line after a count record, if there is one (sc moves past it). */
static int record_labels(tctx *x, hs_tx_scanner *sc, label_buf *b)
{
    hs_tx_scanner peek = *sc;
    hs_tx_line ln;
    b->n = 0;
    if (x->h.heap || !hs_tx_next_line(&peek, &ln)) return 0;
    int r = parse_labels(x, ln, b);
    if (r < 0) return oom(x, ln.off);
    if (r > 0) *sc = peek;
    return 0;
}

/* ---- the frames Go's writer hides ----------------------------------------
 * The PCs a record's "#" lines show (named or not), sorted; then the stack
 * without what Go's protobuf writer leaves out (see the top of the file). */

typedef struct shown_pcs {
    uint64_t *pc;
    uint32_t n, cap;
} shown_pcs;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The "#\t0xPC..." lines right after the record (sc is not moved). */
static int record_pcs(hs_tx_scanner sc, shown_pcs *s)
{
    hs_tx_line ln;
    s->n = 0;
    while (hs_tx_next_line(&sc, &ln) && ln.len && ln.s[0] == '#') {
        hs_tx_field f = {ln.s + 1, ln.s + ln.len};
        uint64_t pc;
        if (!hs_tx_take_hex(&f, &pc)) continue; /* labels, MemStats */
        if (s->n == s->cap) {
            uint32_t cap = s->cap ? s->cap * 2 : 64;
            uint64_t *q = realloc(s->pc, (size_t)cap * sizeof *q);
            if (!q) return -1;
            s->pc = q;
            s->cap = cap;
        }
        s->pc[s->n++] = pc;
    }
    if (s->n > 1) qsort(s->pc, s->n, sizeof *s->pc, cmp_u64);
    return 0;
}

static int is_shown(const tctx *x, const shown_pcs *s, uint32_t loc)
{
    uint64_t pc = x->p->locations[loc].address;
    return s->n && bsearch(&pc, s->pc, s->n, sizeof *s->pc, cmp_u64) != NULL;
}

/* Keeps in locs[0..*n) what Go's protobuf writer would; a record without
 * "#" lines (or whose lines name none of its PCs) is kept whole. */
static void hide_unshown(const tctx *x, const shown_pcs *s, uint32_t *locs, uint32_t *n)
{
    uint32_t first = 0, k = 0;
    while (first < *n && !is_shown(x, s, locs[first]))
        first++;
    if (first == *n) return;
    if (!x->h.heap) k = first; /* count profiles keep the leading runtime frames */
    for (uint32_t i = first; i < *n; i++)
        if (i == first || is_shown(x, s, locs[i])) locs[k++] = locs[i];
    *n = k;
}

static int build_samples(tctx *x, hs_tx_scanner *sc)
{
    uint32_t *locs = NULL, cap = 0, n;
    label_buf labels = {0};
    shown_pcs shown = {0};
    hs_tx_line ln;
    int rc = 0;
    while (!rc && hs_tx_next_line(sc, &ln)) {
        if (is_comment_or_blank(ln)) continue;
        if (is_map_header(x, ln)) break; /* read_map read what follows */
        hs_tx_field f = {ln.s, ln.s + ln.len};
        int64_t v[4];
        hs_label lb, *lbp = NULL;
        if (x->h.heap) {
            if ((rc = heap_values(x, ln, &f, v, &lb))) break;
            lbp = &lb;
        } else if (x->h.contention) {
            if (!hs_contention_values(&f, &x->h.cont, v) || !hs_tx_take(&f, '@')) {
                rc = fail(x, ln, "malformed contention record (expected \"DELAY COUNT @ 0x...\")");
                break;
            }
        } else if (!hs_tx_take_int(&f, 0, &v[0]) || !hs_tx_take(&f, '@')) {
            rc = fail(x, ln, "malformed count record (expected \"N @ 0x...\")");
            break;
        }
        if ((rc = parse_stack(x, ln, &f, &locs, &cap, &n))) break;
        if (!x->h.heap && n == 0) {
            rc = fail(x, ln, "count record without addresses");
            break;
        }
        if (!x->h.heap) {
            if ((rc = record_labels(x, sc, &labels))) break;
            lbp = labels.l;
        }
        if (record_pcs(*sc, &shown)) {
            rc = oom(x, ln.off);
            break;
        }
        hide_unshown(x, &shown, locs, &n);
        uint32_t n_labels = x->h.heap ? 1 : labels.n;
        if (hs_profile_add_sample(x->p, v, locs, n, n_labels ? lbp : NULL, n_labels) == HS_NONE)
            rc = oom(x, ln.off);
    }
    free(locs);
    free(labels.l);
    free(labels.text);
    free(shown.pc);
    return rc;
}

/* ---- jemalloc -------------------------------------------------------------
 * jemalloc's profile (prof.dump, prof_final) writes each stack first,
 * "@ 0x... 0x...", then its counts for all threads, "t*: N: B [AN: AB]",
 * and for each thread, "tN: ..." (not read). Values are scaled as Go's
 * heap_v2 (pprof's rule: a rate of 1 recorded every allocation, so no
 * scaling). jemalloc takes the stack from inside its profiler, so as jeprof
 * does, a named stack loses its frames up to the outermost allocator
 * function (malloc, operator new, ...) and starts at the caller. */

static int is_allocator(const char *name)
{
    static const char *const fns[] = {
        "malloc",       "calloc",           "realloc",       "free",     "cfree",
        "memalign",     "posix_memalign",   "valloc",        "pvalloc",  "mallocx",
        "rallocx",      "xallocx",          "dallocx",       "sdallocx", "aligned_alloc",
        "reallocarray", "sdallocx_noflags", "malloc_default"};
    /* C++ operator new/delete (any overload), jemalloc's own newImpl; a
     * "je_" prefix (jemalloc built with one, or its internals) is dropped */
    static const char *const prefixes[] = {"_Znw", "_Zna", "_Zdl", "_Zda", "_ZL7newImpl"};
    const char *plain = strncmp(name, "je_", 3) == 0 ? name + 3 : name;
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (strcmp(plain, fns[i]) == 0) return 1;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) return 1;
    return 0;
}

/* A frame of the allocator: by its function's name, or (a shared jemalloc
 * is stripped of its internal names) by the file it is in. */
static int is_allocator_frame(const hs_profile *p, uint32_t loc)
{
    const hs_location *l = &p->locations[loc];
    if (l->mapping != HS_NONE) {
        const char *file = hs_profile_str(p, p->mappings[l->mapping].filename);
        const char *base = strrchr(file, '/');
        if (strncmp(base ? base + 1 : file, "libjemalloc", 11) == 0) return 1;
    }
    for (uint32_t j = 0; j < l->n_lines; j++) {
        uint32_t fn = p->lines[l->line_start + j].function;
        if (fn != HS_NONE && is_allocator(hs_profile_str(p, p->functions[fn].name))) return 1;
    }
    return 0;
}

/* How many leaf-side frames of the stack are the allocator's own: up to
 * the outermost such frame, as jeprof drops "the portion of the backtrace
 * seen so far" at each allocator function. */
static uint32_t allocator_frames(const hs_profile *p, const uint32_t *locs, uint32_t n)
{
    uint32_t skip = 0;
    for (uint32_t i = 0; i < n; i++)
        if (is_allocator_frame(p, locs[i])) skip = i + 1;
    return skip < n ? skip : 0; /* all the allocator's: keep them */
}

/* "tN:" with N a thread number. */
static int is_thread_counts(hs_tx_line ln)
{
    size_t i = 1;
    while (i < ln.len && ln.s[i] >= '0' && ln.s[i] <= '9')
        i++;
    return ln.s[0] == 't' && i > 1 && i < ln.len && ln.s[i] == ':';
}

static int build_jemalloc_samples(tctx *x, hs_tx_scanner *sc)
{
    uint32_t *locs = NULL, cap = 0, n = 0;
    int pending = 0, rc = 0;
    hs_tx_line ln, at = {0};
    static const char no_counts[] =
        "stack without counts (expected \"t*: N: BYTES [N: BYTES]\" after it)";
    while (!rc && hs_tx_next_line(sc, &ln)) {
        if (is_comment_or_blank(ln) || is_thread_counts(ln)) continue;
        if (is_map_header(x, ln)) break; /* read_map read what follows */
        hs_tx_field f = {ln.s, ln.s + ln.len};
        if (hs_tx_take(&f, '@')) {
            if (pending) {
                rc = fail(x, at, no_counts);
            } else if (!(rc = parse_stack(x, ln, &f, &locs, &cap, &n))) {
                pending = 1;
                at = ln;
            }
        } else if (hs_tx_take_word(&f, "t*:")) {
            int64_t v[4];
            hs_label lb;
            if (!pending) {
                rc = fail(x, ln, "counts without a stack (expected \"@ 0x...\" before them)");
            } else if (!(rc = heap_values(x, ln, &f, v, &lb))) {
                uint32_t skip = allocator_frames(x->p, locs, n);
                if (hs_profile_add_sample(x->p, v, locs + skip, n - skip, &lb, 1) == HS_NONE)
                    rc = oom(x, ln.off);
                pending = 0;
            }
        } else {
            rc = fail(x, ln, "malformed jemalloc line (expected \"@ 0x...\" or \"tN: ...\")");
        }
    }
    if (!rc && pending) rc = fail(x, at, no_counts);
    free(locs);
    return rc;
}

/* pprof's: contentions/count and delay/nanoseconds, per sampling period. */
static int set_contention_types(tctx *x)
{
    hs_profile *p = x->p;
    hs_value_type t[2] = {
        {hs_profile_intern(p, "contentions"), hs_profile_intern(p, "count")},
        {hs_profile_intern(p, "delay"), hs_profile_intern(p, "nanoseconds")}};
    p->period_type = t[0];
    p->period = x->h.cont.period;
    p->duration_nanos = x->h.cont.duration_nanos;
    return hs_profile_set_sample_types(p, t, 2) ? oom(x, 0) : 0;
}

static int set_types(tctx *x)
{
    static const char *const heap_alloc[] = {"alloc_objects", "count", "alloc_space", "bytes",
                                             "inuse_objects", "count", "inuse_space", "bytes"};
    static const char *const heap_only[] = {"objects", "count", "space", "bytes"};
    hs_profile *p = x->p;
    hs_value_type t[4];
    /* jemalloc's counts without allocation columns are what is in use */
    const char *const *names = x->h.has_alloc  ? heap_alloc
                               : x->h.jemalloc ? heap_alloc + 4
                                               : heap_only;
    uint32_t n = x->h.heap ? (x->h.has_alloc ? 4 : 2) : 1;
    if (x->h.contention) return set_contention_types(x);
    for (uint32_t i = 0; i < n; i++) {
        t[i].type = hs_profile_intern(p, x->h.heap ? names[2 * i] : x->h.name);
        t[i].unit = hs_profile_intern(p, x->h.heap ? names[2 * i + 1] : "count");
    }
    p->period_type.type = hs_profile_intern(p, x->h.heap ? "space" : x->h.name);
    p->period_type.unit = hs_profile_intern(p, x->h.heap ? "bytes" : "count");
    p->period = x->h.period;
    return hs_profile_set_sample_types(p, t, n) ? oom(x, 0) : 0;
}

static int load(tctx *x, const hs_load_options *opt)
{
    hs_tx_scanner sc = {(const char *)x->src->data, x->src->size, 0, 0};
    hs_tx_line ln;
    int r = find_header(&sc, &ln, &x->h);
    if (r == 0)
        return hs_error_set(x->err, x->src->name, 0,
                            "not a Go text profile (expected \"heap profile: ...\" or \"NAME "
                            "profile: total N\")");
    if (r < 0 && x->h.contention)
        return fail(x, ln, "malformed contention attribute (expected \"cycles/second\", "
                           "\"sampling period\" or \"ms since reset\" = N)");
    if (r < 0)
        return fail(x, ln,
                    "malformed heap profile header (expected \"heap profile: N: BYTES [N: BYTES] "
                    "@ heap/RATE\")");
    snprintf(x->p->format, sizeof x->p->format, "%s",
             x->h.gperftools                            ? "gperftools-text"
             : x->h.jemalloc                            ? "jemalloc-text"
             : x->h.contention && !x->h.cont.go ? "contention-text"
                                                        : "go-text");
    count_lines(x);
    /* Addresses repeat across stacks: start small, the map grows. */
    hs_idmap_init(&x->addrs, (uint32_t)(x->n_addresses < 65536 ? x->n_addresses : 65536));
    if (x->n_addresses >= UINT32_MAX / 4 || x->n_comments >= UINT32_MAX / 4)
        return hs_error_set(x->err, x->src->name, 0, "too many lines for 32-bit indices");
    if (set_types(x) || collect_frames(x)) return -1;
    hs_tx_scanner map = {(const char *)x->src->data, x->src->size, x->map_pos, x->map_no};
    if (x->has_map && hs_procmap_read(map, x->p)) return oom(x, x->map_pos);
    x->dw = hs_procmap_open(x->p, opt);
    return x->h.jemalloc ? build_jemalloc_samples(x, &sc) : build_samples(x, &sc);
}

static int gotext_load(const hs_source *src, const hs_load_options *opt, hs_profile *out,
                       hs_error *err)
{
    hs_load_options none;
    memset(&none, 0, sizeof none);
    tctx x;
    memset(&x, 0, sizeof x);
    x.src = src;
    x.p = out;
    x.err = err;
    int r = load(&x, opt ? opt : &none);
    hs_dwmod_end(x.dw);
    hs_idmap_free(&x.pcs);
    hs_idmap_free(&x.fns);
    hs_idmap_free(&x.addrs);
    free(x.runs);
    free(x.frame_fn);
    free(x.frame_line);
    return r;
}

const hs_reader hs_reader_gotext = {
    .name = "go-text",
    .kind = HS_MODEL_PROFILE,
    .probe = hs_gotext_probe,
    .load_profile = gotext_load,
    .load_heap = NULL,
};
