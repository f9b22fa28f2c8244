/* The goroutines of a Go core as the goroutine model, record for record
 * what Go's own debug=2 dump would print at that moment. Every G of
 * runtime.allgs that is neither idle nor dead nor a runtime goroutine
 * (startpc in runtime.* other than runtime.main: the runtime's
 * isSystemGoroutine, which dumps skip) becomes a record: goid; state as
 * goroutineheader prints it (runtime.gStatusStrings, and for a waiting G
 * runtime.waitReasonStrings[g.waitreason], both read from the core); wait
 * minutes; the stack, innermost first, unwound by gostack.c, the unwinder
 * the stack scan shares (along frame pointers from g.sched, g.syscall* or
 * the registers of the thread running on the G's stack); each return
 * address split into its inlined calls with the DWARF scopes and line
 * table (libdw), and runtime-internal frames and wrappers
 * (DW_AT_trampoline) hidden as the runtime's showframe hides them;
 * created-by from g.gopc and g.parentGoid (1.21+). Labels are not read.
 * The runtime keeps no clock in memory: "now" is the later of the last
 * network poll (sched.lastpoll) and the last GC's end (memstats), so a wait
 * is a lower bound, unknown when neither exists. */
#include "gocore_g.h"

#include <assert.h>
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "godwarf.h"
#include "golines.h"
#include "gostack.h"
#include "model/heap_build.h"

#define MAX_FRAMES 100 /* Go prints as many, then "...additional frames elided..." */
#define MAX_G_SIZE 4096
#define G_SCAN 0x1000u
#define G_WAITING 4u
#define G_SYSCALL 3u
#define G_RUNNING 2u
#define G_LEAKED 10u

typedef struct glayout {
    uint32_t g_size;
    hs_go_field goid, status, sched, stack, syscallsp, syscallpc, syscallbp, waitsince, waitreason,
        gopc, parent, startpc, lockedm;     /* g */
    hs_go_field lo, hi, pc, sp, bp;         /* stack, gobuf */
    hs_go_field lastpoll, last_gc;          /* schedt, mstats */
    /* pprof labels (Go 1.22+: g.labels -> labelMap{Set{List []Label{Key, Value}}}):
     * the list's place in the labelMap, a label's size, its key and value
     * strings; before, g.labels -> labelMap, a map[string]string: the
     * runtime.hmap fields its entries are found by */
    hs_go_field labels, label_list, label_key, label_value;
    uint32_t label_size;
    hs_go_field hmap_count, hmap_b, hmap_buckets, hmap_oldbuckets;
    int label_map;
} glayout;

typedef struct gctx {
    const hs_core *c;
    hs_heap *h;
    hs_goroutines *m;
    glayout L;
    Dwarf *dw;
    uint64_t bias;
    hs_golines lines; /* the shown frames of each pc (golines.h) */
    uint64_t now; /* nanotime lower bound, 0 when unknown */
    uint64_t damaged, system, frames_unnamed;
} gctx;

static uint64_t field_u(const uint8_t *p, hs_go_field f)
{
    uint64_t v = 0;
    if (f.size && f.size <= 8) memcpy(&v, p + f.off, f.size);
    return v;
}

static hs_go_field sub(hs_go_field outer, hs_go_field inner)
{
    if (!outer.size || !inner.size || inner.off + inner.size > outer.size) return (hs_go_field){0, 0};
    return (hs_go_field){outer.off + inner.off, inner.size};
}

enum { S_G, S_STACK, S_GOBUF, S_SCHED, S_MSTATS, S_LABELMAP, S_SET, S_LABEL, S_OLDSET, S_OLDLABEL,
       S_HMAP, S_SBUCKET, N_S };
static const char *const struct_names[N_S] = {
    "runtime.g", "runtime.stack", "runtime.gobuf", "runtime.schedt", "runtime.mstats",
    "runtime/pprof.labelMap", "internal/runtime/pprof/label.Set", /* 1.25+ */
    "internal/runtime/pprof/label.Label", "runtime/pprof.LabelSet", "runtime/pprof.label",
    "runtime.hmap", "bucket<string,string>"}; /* before Go 1.24's Swiss tables */

/* A map[string]string bucket before Go 1.24 (runtime/map.go): 8 top hash
 * bytes, 8 keys, 8 values, the overflow bucket's pointer. */
#define BUCKET_SLOTS 8
#define BUCKET_SIZE (BUCKET_SLOTS + BUCKET_SLOTS * 32 + 8)
#define MIN_TOP_HASH 5 /* below: an empty or evacuated slot */

/* Where a G's pprof labels are, when the runtime keeps them as a list. */
/* Go 1.19 to 1.21 keep a G's labels in a map[string]string. */
static void read_label_map_layout(Dwarf_Die *d, const int *found, glayout *L)
{
    Dwarf_Word size;
    if (!found[S_HMAP] || !found[S_SBUCKET] || dwarf_aggregate_size(&d[S_SBUCKET], &size) ||
        size != BUCKET_SIZE)
        return;
    L->hmap_count = hs_go_member(&d[S_HMAP], "count");
    L->hmap_b = hs_go_member(&d[S_HMAP], "B");
    L->hmap_buckets = hs_go_member(&d[S_HMAP], "buckets");
    L->hmap_oldbuckets = hs_go_member(&d[S_HMAP], "oldbuckets");
    L->labels = hs_go_member(&d[S_G], "labels");
    L->label_map = L->hmap_count.size == 8 && L->hmap_b.size == 1 && L->hmap_buckets.size == 8 &&
                   L->hmap_oldbuckets.size == 8 && L->labels.size == 8;
}

static void read_label_layout(Dwarf_Die *d, const int *found, glayout *L)
{
    int set = found[S_SET] ? S_SET : S_OLDSET, lab = found[S_LABEL] ? S_LABEL : S_OLDLABEL;
    Dwarf_Word size;
    if (!found[S_LABELMAP] || !found[set] || !found[lab] || dwarf_aggregate_size(&d[lab], &size) ||
        size > 256)
        return;
    hs_go_field in_map = hs_go_member(&d[S_LABELMAP], set == S_SET ? "Set" : "LabelSet");
    hs_go_field list = hs_go_member(&d[set], set == S_SET ? "List" : "list");
    L->label_key = hs_go_member(&d[lab], lab == S_LABEL ? "Key" : "key");
    L->label_value = hs_go_member(&d[lab], lab == S_LABEL ? "Value" : "value");
    if (!in_map.size || list.size != 24 || L->label_key.size != 16 || L->label_value.size != 16)
        return;
    L->label_list = (hs_go_field){in_map.off + list.off, 16}; /* pointer and length */
    L->label_size = (uint32_t)size;
    L->labels = hs_go_member(&d[S_G], "labels");
}

/* 0, or -1 when the fields a stack needs are missing. */
static int read_layout(Dwarf *dw, glayout *L)
{
    Dwarf_Die d[N_S];
    int found[N_S] = {0};
    Dwarf_Word size;
    hs_go_find_structs(dw, struct_names, N_S, d, found);
    if (!found[S_G] || !found[S_STACK] || !found[S_GOBUF] || dwarf_aggregate_size(&d[S_G], &size) ||
        size > MAX_G_SIZE)
        return -1;
    L->g_size = (uint32_t)size;
    Dwarf_Die *g = &d[S_G];
    L->goid = hs_go_member(g, "goid");
    L->status = hs_go_member(g, "atomicstatus");
    L->sched = hs_go_member(g, "sched");
    L->stack = hs_go_member(g, "stack");
    L->syscallsp = hs_go_member(g, "syscallsp");
    L->syscallpc = hs_go_member(g, "syscallpc");
    L->syscallbp = hs_go_member(g, "syscallbp"); /* 1.23+ */
    L->waitsince = hs_go_member(g, "waitsince");
    L->waitreason = hs_go_member(g, "waitreason");
    L->gopc = hs_go_member(g, "gopc");
    L->parent = hs_go_member(g, "parentGoid"); /* 1.21+ */
    L->startpc = hs_go_member(g, "startpc");
    L->lockedm = hs_go_member(g, "lockedm");
    L->lo = sub(L->stack, hs_go_member(&d[S_STACK], "lo"));
    L->hi = sub(L->stack, hs_go_member(&d[S_STACK], "hi"));
    L->pc = sub(L->sched, hs_go_member(&d[S_GOBUF], "pc"));
    L->sp = sub(L->sched, hs_go_member(&d[S_GOBUF], "sp"));
    L->bp = sub(L->sched, hs_go_member(&d[S_GOBUF], "bp"));
    if (found[S_SCHED]) L->lastpoll = hs_go_member(&d[S_SCHED], "lastpoll");
    if (found[S_MSTATS]) L->last_gc = hs_go_member(&d[S_MSTATS], "last_gc_nanotime");
    read_label_layout(d, found, L);
    if (!L->label_list.size) read_label_map_layout(d, found, L);
    return L->goid.size && L->status.size && L->lo.size && L->hi.size && L->pc.size &&
                   L->sp.size && L->bp.size
               ? 0
               : -1;
}

/* Element i of a runtime [...]string array named sym, into out; -1 when
 * past its end or unreadable. */
static int string_at(const hs_core *c, const char *sym, uint64_t i, char *out, size_t n)
{
    uint64_t base = hs_core_lookup(c, sym), start = 0, hdr[2];
    if (!base || i > 255) return -1;
    const char *name = hs_core_symbol(c, base + 16 * i, &start);
    if (!name || start != base || hs_core_read_mapped(c, base + 16 * i, hdr, sizeof hdr) ||
        hdr[1] >= n || hs_core_read_mapped(c, hdr[0], out, hdr[1]))
        return -1;
    out[hdr[1]] = 0;
    return 0;
}

/* The state as goroutineheader prints it. */
static void state_name(const gctx *x, uint32_t status, uint64_t reason, char *out, size_t n)
{
    uint32_t st = status & ~G_SCAN;
    char s[64], r[64];
    if (string_at(x->c, "runtime.gStatusStrings", st, s, sizeof s)) snprintf(s, sizeof s, "???");
    if ((st == G_WAITING || st == G_LEAKED) && reason &&
        !string_at(x->c, "runtime.waitReasonStrings", reason, r, sizeof r))
        snprintf(s, sizeof s, "%s", r);
    snprintf(out, n, "%s%s%s", s, st == G_LEAKED ? " (leaked)" : "", status & G_SCAN ? " (scan)" : "");
}

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int system_goroutine(const char *startfn)
{
    return startfn && has_prefix(startfn, "runtime.") && strcmp(startfn, "runtime.main") != 0 &&
           strcmp(startfn, "runtime.corostart") != 0 &&
           strcmp(startfn, "runtime.handleAsyncEvent") != 0;
}

static uint32_t intern(gctx *x, const char *s)
{
    return hs_strtab_intern(&x->m->strings, s, strlen(s));
}

/* The shown frames at pc onto the last record, at most MAX_FRAMES of them. */
static int add_frames(gctx *x, uint64_t pc, const char *fn, uint32_t *n)
{
    const hs_gr_frame *f;
    uint32_t k;
    if (hs_golines_at(&x->lines, pc, fn, &f, &k)) return -1;
    for (uint32_t i = 0; i < k; i++) {
        if (*n >= MAX_FRAMES) {
            x->m->g[x->m->n - 1].elided = 1;
            return 0;
        }
        (*n)++;
        if (hs_goroutines_add_frame(x->m, f[i])) return -1;
    }
    return 0;
}

/* What the unwinder (gostack.c) needs of a G. */
static hs_gostack_g stack_of(const gctx *x, const uint8_t *gp, uint32_t status, uint64_t lo,
                             uint64_t hi)
{
    const glayout *L = &x->L;
    return (hs_gostack_g){lo, hi, status, field_u(gp, L->pc), field_u(gp, L->sp),
                          field_u(gp, L->bp), field_u(gp, L->syscallpc), field_u(gp, L->syscallsp),
                          field_u(gp, L->syscallbp), L->syscallbp.size != 0};
}

/* Frames along the frame-pointer chain, inside [lo, hi). */
static int unwind(gctx *x, hs_gostack_regs r, uint64_t lo, uint64_t hi)
{
    uint32_t n = 0;
    for (int k = 0; k < 4 * MAX_FRAMES && r.pc >= 4096; k++) {
        uint64_t pc = r.trap && k == 0 ? r.pc : r.pc - 1;
        const char *fn = hs_core_symbol(x->c, pc, NULL);
        char hex[24];
        if (!fn) {
            snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)r.pc);
            fn = hex, x->frames_unnamed++;
        }
        if (add_frames(x, pc, fn, &n)) return -1;
        if (strcmp(fn, "runtime.goexit") == 0 || hs_gostack_next(x->c, &r, lo, hi)) break;
    }
    return 0;
}

static int created_by(gctx *x, const uint8_t *gp, hs_goroutine *rec)
{
    uint64_t gopc = field_u(gp, x->L.gopc);
    rec->created_by.function = HS_STR_NONE;
    rec->creator_id = field_u(gp, x->L.parent);
    const char *fn = gopc ? hs_core_symbol(x->c, gopc - 1, NULL) : NULL;
    if (!fn || !hs_goroutines_frame_shown(fn) || rec->id == 1) return 0;
    int line;
    const char *file = hs_golines_src(&x->lines, gopc - 1, &line);
    rec->created_by = (hs_gr_frame){intern(x, fn), intern(x, file), line > 0 ? (uint32_t)line : 0};
    return rec->created_by.function == HS_STR_NONE || rec->created_by.file == HS_STR_NONE ? -1 : 0;
}

static uint32_t wait_minutes(const gctx *x, const uint8_t *gp, uint32_t status)
{
    uint64_t since = field_u(gp, x->L.waitsince);
    status &= ~G_SCAN;
    if (!x->L.waitsince.size || (status != G_WAITING && status != G_SYSCALL)) return 0;
    if (!since) return 0; /* Go prints no minutes either */
    if (!x->now) return HS_GR_WAIT_UNKNOWN;
    return x->now > since ? (uint32_t)((x->now - since) / 60000000000ull) : 0;
}

#define LABEL_MAX 32
#define LABEL_TEXT 256

/* A Go string (pointer, length) at p into buf (its bytes may be in the
 * executable's read-only data, which gcore leaves out: read through the
 * mapped files); 0, or -1 unreadable or longer than LABEL_TEXT. */
static int label_string(const hs_core *c, const uint8_t *p, hs_go_field f, char *buf,
                        const char **s, size_t *n)
{
    uint64_t ptr = field_u(p, (hs_go_field){f.off, 8}), len = field_u(p, (hs_go_field){f.off + 8, 8});
    if (len > LABEL_TEXT || (len && hs_core_read_mapped(c, ptr, buf, len))) return -1;
    *s = buf, *n = (size_t)len;
    return 0;
}

/* The entries of a G's label map (Go 1.19–1.21: g.labels points at a
 * labelMap, a map[string]string) into pairs; how many, or -1 when the map
 * cannot be read whole (growing, damaged, too large). */
static int map_labels(gctx *x, uint64_t lm, hs_gr_label *pairs, char (*text)[2][LABEL_TEXT])
{
    const glayout *L = &x->L;
    uint64_t hmap;
    const uint8_t *h;
    if (hs_core_read64(x->c, lm, &hmap) || !hmap) return hmap ? -1 : 0;
    if (!(h = hs_core_ptr(x->c, hmap, L->hmap_oldbuckets.off + 8))) return -1;
    uint64_t count = field_u(h, L->hmap_count), b = field_u(h, L->hmap_b);
    uint64_t buckets = field_u(h, L->hmap_buckets);
    if (count > LABEL_MAX || b > 4 || field_u(h, L->hmap_oldbuckets)) return -1;
    const hs_go_field key = {0, 16}, value = {BUCKET_SLOTS * 16, 16};
    uint32_t n = 0;
    for (uint64_t i = 0; i < (1ull << b); i++) {
        uint64_t at = buckets + i * BUCKET_SIZE;
        for (int chain = 0; at && chain < LABEL_MAX; chain++) {
            const uint8_t *bk = hs_core_ptr(x->c, at, BUCKET_SIZE);
            if (!bk) return -1;
            for (int k = 0; k < BUCKET_SLOTS; k++) {
                if (bk[k] < MIN_TOP_HASH) continue;
                const uint8_t *slot = bk + BUCKET_SLOTS + 16 * k;
                if (n == LABEL_MAX ||
                    label_string(x->c, slot, key, text[n][0], &pairs[n].key, &pairs[n].key_len) ||
                    label_string(x->c, slot, value, text[n][1], &pairs[n].value, &pairs[n].value_len))
                    return -1;
                n++;
            }
            at = field_u(bk, (hs_go_field){BUCKET_SIZE - 8, 8});
        }
    }
    return n == count ? (int)n : -1;
}

/* g.labels in canonical form (hs_goroutines_labels); 0 when none or unread. */
static uint32_t g_labels(gctx *x, const uint8_t *gp)
{
    const glayout *L = &x->L;
    uint64_t lm = L->labels.size == 8 ? field_u(gp, L->labels) : 0;
    if (lm && L->label_map) {
        hs_gr_label pairs[LABEL_MAX];
        char text[LABEL_MAX][2][LABEL_TEXT];
        int n = map_labels(x, lm, pairs, text);
        return n > 0 ? hs_goroutines_labels(x->m, pairs, (uint32_t)n) : 0;
    }
    const uint8_t *hdr = lm ? hs_core_ptr(x->c, lm + L->label_list.off, 16) : NULL;
    if (!hdr) return 0;
    uint64_t arr = field_u(hdr, (hs_go_field){0, 8}), n = field_u(hdr, (hs_go_field){8, 8});
    hs_gr_label pairs[LABEL_MAX];
    static_assert(LABEL_MAX * 2 * LABEL_TEXT <= 16384, "label text on the stack");
    char text[LABEL_MAX][2][LABEL_TEXT];
    if (n > LABEL_MAX) n = LABEL_MAX;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *e = hs_core_ptr(x->c, arr + i * L->label_size, L->label_size);
        if (!e || label_string(x->c, e, L->label_key, text[i][0], &pairs[i].key, &pairs[i].key_len) ||
            label_string(x->c, e, L->label_value, text[i][1], &pairs[i].value, &pairs[i].value_len))
            return 0;
    }
    return hs_goroutines_labels(x->m, pairs, (uint32_t)n);
}

/* One G: a record, or nothing (idle, dead, runtime, unreadable). */
static int add_g(gctx *x, uint64_t gaddr, uint32_t root)
{
    const glayout *L = &x->L;
    const uint8_t *gp = hs_core_ptr(x->c, gaddr, L->g_size);
    if (!gp) {
        x->damaged++;
        return 0;
    }
    uint32_t status = (uint32_t)field_u(gp, L->status);
    char state[96];
    state_name(x, status, field_u(gp, L->waitreason), state, sizeof state);
    if ((status & ~G_SCAN) == 0 || has_prefix(state, "dead")) return 0;
    uint64_t start = field_u(gp, L->startpc);
    if (system_goroutine(start ? hs_core_symbol(x->c, start, NULL) : NULL)) {
        x->system++;
        return 0;
    }
    uint64_t lo = field_u(gp, L->lo), hi = field_u(gp, L->hi);
    hs_goroutine rec = {.id = field_u(gp, L->goid), .count = 1, .state = intern(x, state),
                        .wait_minutes = wait_minutes(x, gp, status),
                        .locked = field_u(gp, L->lockedm) != 0, .labels = g_labels(x, gp)};
    if (rec.state == HS_STR_NONE || rec.labels == HS_STR_NONE || created_by(x, gp, &rec)) return -1;
    uint32_t i = hs_goroutines_add(x->m, &rec);
    if (i == HS_NONE_GR || hs_goroutines_add_root(x->m, i, root)) return -1;
    if (hi <= lo || hi - lo > ((uint64_t)1 << 30)) {
        x->damaged++;
        return 0;
    }
    hs_gostack_g sg = stack_of(x, gp, status & ~G_SCAN, lo, hi);
    return unwind(x, hs_gostack_start(x->c, &sg), lo, hi);
}

static uint64_t read_now(const gctx *x)
{
    uint64_t a = 0, b = 0, sched = hs_core_lookup(x->c, "runtime.sched");
    uint64_t ms = hs_core_lookup(x->c, "runtime.memstats");
    if (sched && x->L.lastpoll.size == 8) hs_core_read64(x->c, sched + x->L.lastpoll.off, &a);
    if (ms && x->L.last_gc.size == 8) hs_core_read64(x->c, ms + x->L.last_gc.off, &b);
    return a > b ? a : b;
}

/* "goroutines" and one line per state, most frequent first. */
static void add_info(gctx *x)
{
    const hs_goroutines *m = x->m;
    uint32_t n_states = m->strings.n, *count = calloc(n_states ? n_states : 1, sizeof *count);
    hs_heap_add_infof(x->h, "goroutines",
                      "%u (as Go's dumps show them; %llu runtime goroutines not counted)", m->n,
                      (unsigned long long)x->system);
    if (x->damaged || x->frames_unnamed)
        hs_heap_add_infof(x->h, "warning",
                          "goroutines: %llu unreadable, %llu frames outside every symbol",
                          (unsigned long long)x->damaged, (unsigned long long)x->frames_unnamed);
    if (!count) return;
    for (uint32_t i = 0; i < m->n; i++)
        if (m->g[i].state < n_states) count[m->g[i].state]++;
    for (;;) {
        uint32_t best = 0;
        for (uint32_t s = 1; s < n_states; s++)
            if (count[s] > count[best]) best = s;
        if (!count[best]) break;
        char key[96];
        snprintf(key, sizeof key, "goroutines %s", hs_gr_str(m, best));
        hs_heap_add_infof(x->h, key, "%u", count[best]);
        count[best] = 0;
    }
    free(count);
}

int hs_gocore_goroutines(const hs_core *c, hs_heap *h, Dwarf *dw, uint64_t bias,
                         const uint32_t *roots, uint32_t n, hs_error *err)
{
    gctx x = {.c = c, .h = h, .dw = dw, .bias = bias};
    uint64_t allgs = hs_core_lookup(c, "runtime.allgs"), arr = 0;
    if (!dw || read_layout(dw, &x.L)) {
        hs_heap_add_info(h, "warning", "goroutines: runtime.g has no goid, status, stack or sched "
                                       "in the executable's DWARF; not read");
        return 0;
    }
    if (!allgs || hs_core_read64(c, allgs, &arr) || !n) {
        hs_heap_add_info(h, "warning", "goroutines: runtime.allgs is empty or unreadable");
        return 0;
    }
    x.now = read_now(&x);
    x.m = calloc(1, sizeof *x.m);
    if (!x.m) return hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    hs_goroutines_init(x.m, "go-core");
    h->goroutines = x.m;
    hs_golines_init(&x.lines, dw, bias, &x.m->strings);
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        uint64_t gaddr;
        if (hs_core_read64(c, arr + 8ull * i, &gaddr) || !gaddr)
            x.damaged++;
        else if (add_g(&x, gaddr, roots[i]))
            rc = hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    }
    hs_golines_free(&x.lines);
    if (!rc) add_info(&x);
    return rc;
}
