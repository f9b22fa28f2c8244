/* Go goroutine dumps and tracebacks (see godump.h). A record is
 *   goroutine N [STATUS(, M minutes)(, locked to thread)( labels:{...})]:
 *                                 (Go 1.26 labels; 1.27: "...] {k: v}:")
 *   FUNCTION(ARGS)                  one pair of lines per frame, innermost
 *   \tFILE:LINE +0xOFF              first; the file line may carry fp= sp=
 *   ...additional frames elided...  (or "...N frames elided...")
 *   created by FUNCTION( in goroutine K)
 *   \tFILE:LINE +0xOFF
 * and ends at a blank line or at any line that is none of these (a log
 * line). With GOTRACEBACK=system the header also says "gp=... m=...";
 * GODEBUG=tracebackancestors adds "[originating from goroutine K]:"
 * frames, which belong to an ancestor and are skipped. Lines are read once,
 * through the text scanner (textscan.c); names are interned as read. The
 * reader never fails inside a record: what it cannot read is counted in the
 * model, and the CLI says so on stderr. */
#include "heapscan/godump.h"

#include <string.h>

#include "textscan.h"

/* The statuses and wait reasons Go 1.19 .. 1.27 print (runtime2.go). */
static const char *const known_states[] = {
    "idle", "runnable", "running", "syscall", "waiting", "dead", "copystack", "preempted",
    "leaked", "waiting for cgo callback", "GC assist marking", "IO wait",
    "chan receive (nil chan)", "chan send (nil chan)", "dumping heap", "garbage collection",
    "garbage collection scan", "panicwait", "select", "select (no cases)", "GC assist wait",
    "GC sweep wait", "GC scavenge wait", "chan receive", "chan send", "finalizer wait",
    "force gc (idle)", "GOMAXPROCS updater (idle)", "semacquire", "sleep", "sync.Cond.Wait",
    "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.WaitGroup.Wait",
    "timer goroutine (idle)", "trace reader (blocked)", "wait for GC cycle", "GC worker (idle)",
    "GC worker (active)", "debug call", "GC mark termination", "stopping the world",
    "flushing proc caches", "trace goroutine status", "trace proc status", "page trace flush",
    "coroutine", "GC weak to strong wait", "synctest.Run", "synctest.Wait",
    "chan receive (durable)", "chan send (durable)", "select (durable)",
    "sync.WaitGroup.Wait (durable)", "cleanup wait", "unknown wait reason"};

static int is_known_state(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof known_states / sizeof *known_states; i++)
        if (strlen(known_states[i]) == n && memcmp(known_states[i], s, n) == 0) return 1;
    return 0;
}

typedef struct dctx {
    hs_goroutines *m;
    const char *buf;
    int in_record;  /* lines that follow belong to the last record */
    int want_file;  /* 1: the last frame's file line, 2: the created-by one */
    int ancestors;  /* inside "[originating from goroutine K]:" frames */
    int no_stack;   /* "stack unavailable": a record without frames, kept */
} dctx;

static uint32_t intern(dctx *x, const char *s, size_t n)
{
    return hs_strtab_intern(&x->m->strings, s, n);
}

static int ends_with(hs_tx_field f, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(f.end - f.p) >= n && memcmp(f.end - n, w, n) == 0;
}

/* The last occurrence of w in [p, end), or NULL. */
static const char *find_last(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    const char *hit = NULL;
    while ((size_t)(end - p) >= n) {
        const char *q = memmem(p, (size_t)(end - p), w, n);
        if (!q) break;
        hit = q;
        p = q + 1;
    }
    return hit;
}

/* ", 12 minutes", ", locked to thread", ", synctest bubble 3" after the status. */
static void parse_status_tail(hs_goroutine *g, hs_tx_field part)
{
    int64_t v;
    hs_tx_field f = part;
    if (hs_tx_take_int(&f, 0, &v) && (hs_tx_take_word(&f, "minutes") || hs_tx_take_word(&f, "minute"))) {
        g->wait_minutes = v > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)v;
    } else if (part.end - part.p == 16 && memcmp(part.p, "locked to thread", 16) == 0) {
        g->locked = 1;
    }
}

/* One key or value of a label text: "quoted" (escapes kept as written,
 * quotes dropped) or bare up to stop or ", ". Advances *p. */
static void label_token(const char **p, const char *end, char stop, const char **s, size_t *n)
{
    const char *q = *p;
    if (q < end && *q == '"') {
        const char *e = ++q;
        while (e < end && *e != '"')
            e += *e == '\\' && e + 1 < end ? 2 : 1;
        *s = q, *n = (size_t)((e < end ? e : end) - q);
        *p = e < end ? e + 1 : end;
        return;
    }
    const char *e = q;
    while (e < end && *e != stop && !(*e == ',' && e + 1 < end && e[1] == ' '))
        e++;
    *s = q, *n = (size_t)(e - q);
    *p = e;
}

/* "{"k": "v", ...}" (Go 1.26) or "{k: v, ...}" (1.27) in canonical form;
 * text that is not such a map is kept whole as one label "labels=TEXT". */
static uint32_t parse_labels(dctx *x, const char *p, const char *end)
{
    hs_gr_label pairs[32];
    uint32_t n = 0;
    if (end - p >= 2 && *p == '{' && end[-1] == '}') {
        const char *q = p + 1, *e = end - 1;
        while (q < e && n < 32) {
            hs_gr_label *l = &pairs[n++];
            label_token(&q, e, ':', &l->key, &l->key_len);
            if (q < e && *q == ':') q++;
            while (q < e && *q == ' ') q++;
            label_token(&q, e, '}', &l->value, &l->value_len);
            while (q < e && (*q == ',' || *q == ' ')) q++;
        }
        if (q >= e) return hs_goroutines_labels(x->m, pairs, n);
    }
    pairs[0] = (hs_gr_label){"labels", p, 6, (size_t)(end - p)};
    return hs_goroutines_labels(x->m, pairs, 1);
}

/* The inside of "[...]": status, then ", "-separated parts, then labels. */
static int parse_status(dctx *x, hs_tx_field body, hs_goroutine *g)
{
    const char *lab = memmem(body.p, (size_t)(body.end - body.p), " labels:{", 9);
    if (lab) {
        if ((g->labels = parse_labels(x, lab + 8, body.end)) == HS_STR_NONE) return -1;
        body.end = lab;
    }
    const char *comma = memmem(body.p, (size_t)(body.end - body.p), ", ", 2);
    hs_tx_field st = {body.p, comma ? comma : body.end};
    if (ends_with(st, " (scan)")) st.end -= 7; /* the collector was looking at it */
    while (comma) {
        const char *start = comma + 2;
        comma = memmem(start, (size_t)(body.end - start), ", ", 2);
        parse_status_tail(g, (hs_tx_field){start, comma ? comma : body.end});
    }
    if (st.p == st.end) return 0;
    if (!is_known_state(st.p, (size_t)(st.end - st.p))) x->m->unknown_states++;
    g->state = intern(x, st.p, (size_t)(st.end - st.p));
    return g->state == HS_STR_NONE ? -1 : 1;
}

/* "goroutine N [...]:" into g: 1, 0 not a header, -1 out of memory.
 * *broken is set for a line that starts like one but cannot be read. */
static int parse_header(dctx *x, hs_tx_line ln, hs_goroutine *g, int *broken)
{
    hs_tx_field f = {ln.s, ln.s + ln.len};
    int64_t id;
    *broken = 0;
    if (ln.len < 14 || memcmp(ln.s, "goroutine ", 10) != 0 || ln.s[10] < '0' || ln.s[10] > '9')
        return 0;
    f.p += 10;
    const char *open = memchr(f.p, '[', (size_t)(f.end - f.p));
    if (!open) return 0; /* "goroutine 5 started" in a log */
    *broken = 1;
    if (!hs_tx_take_int(&f, 0, &id) || !ends_with(f, ":") || f.end - open < 3) return 0;
    memset(g, 0, sizeof *g);
    g->id = (uint64_t)id;
    g->count = 1;
    g->created_by.function = HS_STR_NONE;
    /* Go 1.27 prints labels after the bracket: "[chan receive] {k: v}:" */
    hs_tx_field body = {open + 1, f.end - 1};
    if (!ends_with(body, "]")) {
        const char *close = memmem(body.p, (size_t)(body.end - body.p), "] {", 3);
        if (!close || !ends_with(body, "}")) return 0;
        if ((g->labels = parse_labels(x, close + 2, body.end)) == HS_STR_NONE) return -1;
        body.end = close + 1;
    }
    body.end--;
    int r = parse_status(x, body, g);
    if (r <= 0) return r;
    *broken = 0;
    return 1;
}

/* Where the path ends: before the trailing " +0xOFF" and " fp=.. sp=..
 * pc=.." tokens (scanned from the end: a path may hold blanks). */
static const char *path_end(const char *s, const char *end)
{
    for (;;) {
        const char *sp = end;
        while (sp > s && sp[-1] != ' ')
            sp--;
        if (sp == s || end - sp < 3) return end;
        if (memcmp(sp, "+0x", 3) != 0 && memcmp(sp, "fp=", 3) != 0 && memcmp(sp, "sp=", 3) != 0 &&
            memcmp(sp, "pc=", 3) != 0)
            return end;
        end = sp - 1;
    }
}

/* "FILE:LINE", maybe followed by " +0xOFF" and " fp=... sp=... pc=...". */
static int parse_file_line(dctx *x, hs_tx_line ln, hs_gr_frame *fr)
{
    const char *end = path_end(ln.s, ln.s + ln.len);
    const char *colon = end;
    while (colon > ln.s && colon[-1] != ':')
        colon--;
    if (colon <= ln.s + 1) return 0;
    colon--;
    hs_tx_field num = {colon + 1, end};
    int64_t line;
    if (!hs_tx_take_int(&num, 0, &line) || num.p != end || line > UINT32_MAX) return 0;
    if ((fr->file = intern(x, ln.s, (size_t)(colon - ln.s))) == HS_STR_NONE) return -1;
    fr->line = (uint32_t)line;
    return 1;
}

/* "FUNCTION(ARGS)": the name before the argument list that ends the line. */
static int frame_name(hs_tx_line ln, hs_tx_field *name)
{
    if (ln.len < 3 || ln.s[ln.len - 1] != ')') return 0;
    int depth = 0;
    for (size_t i = ln.len; i-- > 0;) {
        if (ln.s[i] == ')') depth++;
        else if (ln.s[i] == '(' && --depth == 0) {
            if (i == 0) return 0;
            *name = (hs_tx_field){ln.s, ln.s + i};
            return memchr(ln.s, ' ', i) == NULL;
        }
    }
    return 0;
}

static void end_record(dctx *x)
{
    hs_goroutines *m = x->m;
    if (x->want_file == 1) m->frames_without_file++;
    if (x->in_record && !x->no_stack && m->n && m->g[m->n - 1].n_frames == 0 &&
        m->g[m->n - 1].created_by.function == HS_STR_NONE) {
        m->truncated++; /* a header and nothing else: dropped */
        m->total -= m->g[m->n - 1].count;
        m->n--;
    }
    x->in_record = x->want_file = x->ancestors = x->no_stack = 0;
}

/* A line after "created by ": the function and " in goroutine K". */
static int created_by(dctx *x, hs_tx_line ln)
{
    hs_goroutine *g = &x->m->g[x->m->n - 1];
    hs_tx_field f = {ln.s + 11, ln.s + ln.len};
    const char *in = find_last(f.p, f.end, " in goroutine ");
    if (in) {
        hs_tx_field k = {in + 14, f.end};
        int64_t id;
        if (hs_tx_take_int(&k, 0, &id) && k.p == k.end) {
            g->creator_id = (uint64_t)id;
            f.end = in;
        }
    }
    if ((g->created_by.function = intern(x, f.p, (size_t)(f.end - f.p))) == HS_STR_NONE)
        return -1;
    g->created_by.file = 0;
    g->created_by.line = 0;
    x->want_file = 2;
    return 0;
}

/* One line inside a record; 0 when it ends the record (not consumed). */
static int record_line(dctx *x, hs_tx_line ln, int indented, int *oom)
{
    hs_goroutines *m = x->m;
    hs_goroutine *g = &m->g[m->n - 1];
    hs_tx_field name;
    if (indented && x->want_file) {
        hs_gr_frame *fr = x->want_file == 2 ? &g->created_by : &m->frames[m->n_frames - 1];
        int r = parse_file_line(x, ln, fr);
        if (r < 0) *oom = 1;
        if (r > 0) x->want_file = 0;
        return r > 0;
    }
    if (x->want_file == 1) m->frames_without_file++;
    x->want_file = 0;
    if (x->ancestors) return ln.len > 0;
    if (ln.len >= 11 && memcmp(ln.s, "created by ", 11) == 0) return created_by(x, ln) ? (*oom = 1, 1) : 1;
    if (ln.len > 6 && memcmp(ln.s, "...", 3) == 0 && memmem(ln.s, ln.len, "elided...", 9)) {
        g->elided = 1;
        return 1;
    }
    if (ln.len > 27 && memcmp(ln.s, "[originating from goroutine", 27) == 0) {
        x->ancestors = 1;
        return 1;
    }
    if (ln.len > 20 && memmem(ln.s, ln.len, "stack unavailable", 17)) {
        x->no_stack = 1;
        return 1;
    }
    if (!indented && frame_name(ln, &name)) {
        hs_gr_frame fr = {intern(x, name.p, (size_t)(name.end - name.p)), 0, 0};
        if (fr.function == HS_STR_NONE || hs_goroutines_add_frame(m, fr)) *oom = 1;
        x->want_file = 1;
        return 1;
    }
    return 0;
}

static int load(dctx *x, const hs_source *src, hs_error *err)
{
    hs_tx_scanner sc = {x->buf, src->size, 0, 0};
    hs_tx_line ln;
    while (hs_tx_next_line(&sc, &ln)) {
        int oom = 0, broken;
        int indented = ln.len && ln.s != x->buf + ln.off;
        if (x->in_record) {
            if (ln.len && record_line(x, ln, indented, &oom)) {
                if (oom) return hs_error_set(err, src->name, ln.off, "out of memory");
                continue;
            }
            end_record(x);
        }
        hs_goroutine g;
        int r = parse_header(x, ln, &g, &broken);
        if (r < 0) return hs_error_set(err, src->name, ln.off, "out of memory");
        if (r == 0) {
            x->m->skipped_records += broken;
            continue;
        }
        if (hs_goroutines_add(x->m, &g) == HS_NONE_GR)
            return hs_error_set(err, src->name, ln.off, "out of memory");
        x->in_record = 1;
    }
    end_record(x);
    if (x->m->n == 0)
        return hs_error_set(err, src->name, 0,
                            "no goroutine found (expected \"goroutine N [STATE]:\" records of a Go "
                            "goroutine dump or traceback%s)",
                            x->m->skipped_records || x->m->truncated ? "; only damaged ones" : "");
    return 0;
}

int hs_godump_load(const hs_source *src, hs_goroutines *out, hs_error *err)
{
    hs_goroutines_init(out, "go-goroutine-dump");
    dctx x = {.m = out, .buf = (const char *)src->data};
    if (load(&x, src, err)) {
        hs_goroutines_free(out);
        return -1;
    }
    return 0;
}

int hs_godump_probe(const uint8_t *data, size_t size)
{
    hs_tx_scanner sc = {(const char *)data, size, 0, 0};
    hs_tx_line ln;
    hs_goroutines scratch;
    hs_goroutines_init(&scratch, "probe");
    dctx x = {.m = &scratch, .buf = (const char *)data};
    int found = 0, header = 0;
    while (!found && hs_tx_next_line(&sc, &ln)) {
        hs_goroutine g;
        hs_tx_field name;
        int broken;
        if (header && frame_name(ln, &name)) found = 1;
        header = ln.len >= 14 && ln.s[0] == 'g' && parse_header(&x, ln, &g, &broken) > 0;
    }
    hs_goroutines_free(&scratch);
    return found ? 100 : 0;
}
