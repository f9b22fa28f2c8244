/* A goroutine's stack frames. The unwinder: the innermost frame is where
 * the G stopped (the registers of the thread whose stack pointer is inside
 * the G's stack when it runs; g.syscall* in a system call, and before Go
 * 1.23, which saves no frame pointer there, the frame of g.syscallpc's
 * function found along the chain of the thread blocked on the G's stack;
 * else g.sched), and each caller is one step along the frame pointers: the
 * saved frame pointer at bp, the return address one word above it, on
 * amd64 and arm64 alike.
 * The live words: the runtime's own stack scan (mgcmark.go scanframeworker,
 * stkframe.go getStackMap) on amd64. A frame at pc with stack pointer sp
 * has fp = sp + pcsp(pc) + 8 (the return address), its locals end at varp
 * = fp - 8, one word lower when it has a frame (the saved frame pointer),
 * its arguments start at argp = fp. At stack map index PCDATA_StackMapIndex
 * at pc - 1 (0 when there is none, as the runtime assumes), the locals
 * bitmap of FUNCDATA_LocalsPointerMaps marks the words of [varp - 8 n,
 * varp) that hold live pointers and the one of FUNCDATA_ArgsPointerMaps
 * those of [argp, argp + 8 n); the stack objects of FUNCDATA_StackObjects
 * (address-taken variables: a count, then records of off, size, ptrBytes,
 * gcdata offset, int32 each; off from argp when >= 0, else from varp) are
 * read whole, up to their pointer bytes. The caller's frame pointer is
 * checked against the pc tables (it must be fp - 16). Where the runtime
 * itself scans conservatively (runtime.asyncPreempt and the debugger's
 * call frames, and what they interrupted) or the maps cannot be trusted,
 * that frame and all above it are scanned as a whole. */
#include "gostack.h"

#include <string.h>

#define MAX_FRAMES 400
#define MAX_MAP_BYTES 8192 /* a map of 65536 words: a 512 KiB frame */
#define MAX_STACK_OBJECTS 4096

/* The registers of the thread whose stack pointer is in [lo, hi). */
static int thread_in(const hs_core *c, uint64_t lo, uint64_t hi, hs_gostack_regs *out)
{
    for (uint32_t t = 0; t < c->n_threads; t++) {
        const hs_core_thread *th = &c->threads[t];
        if (th->sp < lo || th->sp >= hi) continue;
        uint64_t bp = c->machine == EM_X86_64 ? th->regs[4] : th->regs[29];
        *out = (hs_gostack_regs){th->pc, th->sp, bp, 1};
        return 0;
    }
    return -1;
}

static int same_function(const hs_core *c, uint64_t a, uint64_t b)
{
    uint64_t sa = 0, sb = 1;
    return hs_core_symbol(c, a - 1, &sa) && hs_core_symbol(c, b - 1, &sb) && sa == sb;
}

/* Before Go 1.23: along the chain of the thread blocked on the stack, the
 * frame called by the function of g.syscallpc holds that function's frame
 * pointer. -1 when not found. */
static int syscall_frame(const hs_core *c, uint64_t pc, uint64_t lo, uint64_t hi,
                         hs_gostack_regs *out)
{
    hs_gostack_regs t;
    uint64_t next[2];
    if (thread_in(c, lo, hi, &t)) return -1;
    for (int k = 0; k < MAX_FRAMES && t.bp >= lo && t.bp + 16 <= hi && !(t.bp & 7); k++) {
        if (hs_core_read_mapped(c, t.bp, next, sizeof next)) return -1;
        if (same_function(c, next[1], pc)) {
            *out = (hs_gostack_regs){pc, t.bp + 16, next[0], 0};
            return 0;
        }
        if (next[0] <= t.bp) return -1;
        t.bp = next[0];
    }
    return -1;
}

hs_gostack_regs hs_gostack_start(const hs_core *c, const hs_gostack_g *g)
{
    hs_gostack_regs r = {g->pc, g->sp, g->bp, 0};
    if (g->status == HS_GOSTACK_RUNNING && !thread_in(c, g->lo, g->hi, &r)) return r;
    if (g->status != HS_GOSTACK_SYSCALL || !g->syscallpc) return r;
    if (g->has_syscallbp) return (hs_gostack_regs){g->syscallpc, g->syscallsp, g->syscallbp, 0};
    if (!syscall_frame(c, g->syscallpc, g->lo, g->hi, &r)) return r;
    return (hs_gostack_regs){g->syscallpc, g->syscallsp, 0, 0}; /* its first frame alone */
}

int hs_gostack_next(const hs_core *c, hs_gostack_regs *r, uint64_t lo, uint64_t hi)
{
    uint64_t next[2];
    if (r->bp < lo || r->bp + 16 > hi || r->bp < r->sp || (r->bp & 7) ||
        hs_core_read_mapped(c, r->bp, next, sizeof next))
        return -1;
    *r = (hs_gostack_regs){next[1], r->bp + 16, next[0], 0};
    return 0;
}

/* ---- live words ---- */

typedef struct scan_ctx {
    const hs_core *c;
    const hs_gopcln *t;
    uint64_t from, hi;
    uint8_t *live;
} scan_ctx;

/* One frame: where it starts and ends, and whether it ends the stack. */
typedef struct frame {
    uint64_t sp, fp, varp;
    int last;
} frame;

static void mark(const scan_ctx *x, uint64_t a, uint64_t n_words, const uint8_t *bits)
{
    for (uint64_t w = 0; w < n_words; w++) {
        uint64_t at = a + 8 * w;
        if ((bits && !(bits[w / 8] >> (w % 8) & 1)) || at < x->from || at + 8 > x->hi) continue;
        uint64_t k = (at - x->from) / 8;
        x->live[k / 8] |= (uint8_t)(1u << (k % 8));
    }
}

/* The pointer map idx of FUNCDATA k over words of [lo, hi): the locals'
 * end at hi (top set), the arguments' start at lo. NULL, or why not. */
static const char *mark_map(const scan_ctx *x, const hs_gopcln_func *f, uint32_t k, int32_t idx,
                            uint64_t lo, uint64_t hi, int top)
{
    uint8_t bits[MAX_MAP_BYTES];
    uint32_t nbit = 0;
    uint64_t addr = hs_gopcln_funcdata(x->t, f, k);
    if (!addr) return "a frame without its pointer map";
    if (hs_gopcln_stackmap(x->c, addr, idx, bits, sizeof bits, &nbit))
        return "a pointer map unreadable or without the frame's index";
    if (8ull * nbit > hi - lo) return "a pointer map larger than its frame";
    mark(x, top ? hi - 8ull * nbit : lo, nbit, bits);
    return NULL;
}

/* The stack objects of f: each read up to its pointer bytes. */
static const char *mark_objects(const scan_ctx *x, const hs_gopcln_func *f, const frame *fr)
{
    uint64_t addr = hs_gopcln_funcdata(x->t, f, HS_GOPCLN_STACK_OBJECTS), n = 0;
    if (!addr) return NULL;
    if (hs_core_read_mapped(x->c, addr, &n, 8) || n > MAX_STACK_OBJECTS)
        return "stack objects unreadable";
    for (uint64_t i = 0; i < n; i++) {
        int32_t rec[3];
        if (hs_core_read_mapped(x->c, addr + 8 + 16 * i, rec, sizeof rec) || rec[1] < 0)
            return "stack objects unreadable";
        uint64_t p = (rec[0] >= 0 ? fr->fp : fr->varp) + (uint64_t)(int64_t)rec[0];
        uint64_t bytes = rec[2] >= 0 && rec[2] <= rec[1] ? (uint64_t)rec[2] : (uint64_t)rec[1];
        if (p < fr->sp) continue; /* the runtime skips these too */
        if (p > x->hi || bytes > x->hi - p) return "a stack object past the stack's end";
        mark(x, p, (bytes + 7) / 8, NULL);
    }
    return NULL;
}

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* The frame at r: its live words marked; NULL, or why it cannot be. */
static const char *scan_frame(const scan_ctx *x, const hs_gostack_regs *r, frame *fr)
{
    hs_gopcln_func f;
    int32_t delta, idx = -1;
    if (hs_gopcln_find(x->t, r->pc, &f)) return "a pc outside the pc tables";
    const char *name = hs_core_symbol(x->c, f.entry, NULL);
    if (!name) return "a function without a symbol";
    if (!strcmp(name, "runtime.asyncPreempt") || has_prefix(name, "runtime.debugCall"))
        return "an asynchronously stopped frame";
    if (hs_gopcln_spdelta(x->t, &f, r->pc, &delta) || delta < 0 || (delta & 7))
        return "a frame without its size";
    fr->sp = r->sp, fr->fp = r->sp + (uint64_t)delta + 8, fr->varp = fr->fp - 8;
    if (fr->varp > fr->sp) fr->varp -= 8;
    if (fr->fp > x->hi) return "a frame past the stack's end";
    if (r->pc != f.entry && hs_gopcln_pcdata(x->t, &f, HS_GOPCLN_STACKMAP_INDEX, r->pc - 1, &idx))
        return "a stack map index unreadable";
    if (idx == -1) idx = 0;
    const char *why = NULL;
    if (fr->varp > fr->sp) why = mark_map(x, &f, HS_GOPCLN_LOCALS_MAPS, idx, fr->sp, fr->varp, 1);
    if (!why && f.args == HS_GOPCLN_ARGS_UNKNOWN) why = "a frame of unknown argument size";
    if (!why && f.args > 0) why = mark_map(x, &f, HS_GOPCLN_ARGS_MAPS, idx, fr->fp, x->hi, 0);
    if (!why) why = mark_objects(x, &f, fr);
    fr->last = !strcmp(name, "runtime.goexit");
    return why;
}

/* Frame after frame from r; NULL when the stack ended precisely, else why
 * not, out->conservative_from where the conservative rest starts. */
static const char *unwind(const scan_ctx *x, const hs_gostack_g *g, hs_gostack_regs r,
                          hs_gostack_scan *out)
{
    for (int k = 0; k < MAX_FRAMES; k++) {
        frame fr;
        out->conservative_from = r.sp;
        const char *why = scan_frame(x, &r, &fr);
        if (why) return why;
        out->precise_frames++;
        if (fr.last) {
            out->conservative_from = x->hi;
            return NULL;
        }
        hs_gostack_regs n = r;
        if (fr.varp == fr.sp) { /* no frame of its own: the return address is at sp */
            if (hs_core_read_mapped(x->c, fr.fp - 8, &n.pc, 8))
                return "an unreadable return address";
            n.sp = fr.fp, n.trap = 0;
        } else if (hs_gostack_next(x->c, &n, g->lo, g->hi) || n.sp != fr.fp) {
            out->conservative_from = fr.fp;
            return "a frame pointer that disagrees with the pc tables";
        }
        if (n.pc < 4096) {
            out->conservative_from = x->hi;
            return NULL;
        }
        r = n;
    }
    return "too many frames";
}

/* Runnable (1), waiting (4), preempted (9) or leaked (10): stopped with
 * g.sched saved, its stack not being copied (8). */
static int parked(uint32_t status)
{
    return status == 1 || status == 4 || status == 9 || status == 10;
}

void hs_gostack_live(const hs_core *c, const hs_gopcln *t, const hs_gostack_g *g, uint64_t from,
                     uint8_t *live, hs_gostack_scan *out)
{
    scan_ctx x = {c, t, from, g->hi, live};
    hs_gostack_regs r = hs_gostack_start(c, g);
    *out = (hs_gostack_scan){0, from, NULL};
    if (!t) out->why = "no pc tables";
    else if (c->machine != EM_X86_64) out->why = "not amd64";
    else if (r.trap) out->why = "a running goroutine";
    else if (g->status == HS_GOSTACK_SYSCALL) out->why = "a goroutine in a system call";
    else if (!parked(g->status)) out->why = "a goroutine neither runnable nor waiting";
    else if (r.sp != from) out->why = "a thread on the stack";
    else out->why = unwind(&x, g, r, out);
    if (out->conservative_from < from) out->conservative_from = from;
    if (out->conservative_from < g->hi)
        mark(&x, out->conservative_from, (g->hi - out->conservative_from) / 8, NULL);
}
