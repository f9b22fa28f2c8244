/* glibc ptmalloc2 walker for cores, without libc debug symbols.
 * Arenas are found by their bin array: 127 consecutive 16-byte slots that
 * each look like an empty bin (fd == bk == slot - 16) or a consistent list
 * (fd->bk and bk->fd come back to slot - 16). Every other malloc_state field
 * is read relative to that bin array S, which is the same for all glibc
 * layouts since 2.23: fastbinsY S-0x60, top S-0x10, next S+0x800,
 * system_mem S+0x818. The main arena's heap is walked from
 * top + size(top) - system_mem up to top; non-main arenas through their
 * heap_info chain (64 MiB aligned). A chunk is used when the next chunk's
 * PREV_INUSE is set and it is in no fastbin or tcache list; lists are decoded
 * raw or safe-linked, whichever the data proves. A bad header stops that
 * heap only and is reported as an info line. main_arena's symbol (libc's
 * symbol table, e.g. from libc6-dbg) picks the main arena when the built-in
 * layout fits the data there; libc's DWARF, slow to open (compressed), is
 * read only when it does not. Objects: address = user pointer
 * (chunk + 16), size = whole chunk size, so object bytes add up to chunk bytes.
 * One entry of the core reader's walker table (walker.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "dwtype.h"
#include "walker.h"
#include "elfcore.h"
#include "model/heap_build.h"
#include "model/mem.h"

#define HEAP_MAX ((uint64_t)64 << 20)
#define MAX_ARENAS 1024

enum { C_USED, C_FREE, C_TOP, C_MMAP, C_TCACHE, C_FAST, C_TCACHE_STRUCT };

/* 16 bytes per chunk: sizes are multiples of 16, so the state sits in the low bits. */
typedef struct chunk {
    uint64_t addr; /* chunk header address */
    uint64_t sz;   /* chunk size | state */
} chunk;
#define CSIZE(k) ((k)->sz & ~15ull)
#define CSTATE(k) ((int)((k)->sz & 15))
#define CSET(k, st) ((k)->sz = ((k)->sz & ~15ull) | (uint64_t)(st))

/* malloc_state fields relative to bins[0] (S); the same for glibc 2.23..2.42
 * unless libc's DWARF says otherwise. */
typedef struct layout {
    int64_t fast, top, next, sysmem, end; /* end: sizeof(malloc_state) - offsetof(bins) */
} layout;
static const layout builtin_layout = {-0x60, -0x10, 0x800, 0x818, 0x828};

typedef struct walker {
    layout L;
    int from_dwarf;
    int checked; /* the built-in layout fitted the data at main_arena's symbol */
    hs_core *c;
    hs_heap *h;
    chunk *ch;
    uint64_t n, cap;
    uint64_t bins[MAX_ARENAS]; /* S of each arena */
    uint32_t n_arenas;
    uint64_t overhead; /* system_mem bytes that are not chunks (heap_info, malloc_state, gaps) */
    uint64_t system_mem;
    uint64_t tcache_bytes, fast_bytes;
    int safe_linking; /* -1 unknown, 0 raw, 1 mangled */
    int corrupt;
    hs_error *err;
} walker;

static uint64_t rd(const walker *w, uint64_t a, int *ok)
{
    uint64_t v = 0;
    if (hs_core_read64(w->c, a, &v)) *ok = 0;
    return v;
}

static int push(walker *w, uint64_t addr, uint64_t size, int state)
{
    if (w->n == w->cap) {
        uint64_t cap = w->cap ? w->cap * 2 : 4096;
        chunk *n = realloc(w->ch, cap * sizeof *n);
        if (!n) return hs_error_set(w->err, w->c->name, HS_NO_OFFSET, "out of memory");
        w->ch = n, w->cap = cap;
    }
    w->ch[w->n++] = (chunk){addr, (size & ~15ull) | (uint64_t)state};
    return 0;
}

static void info(walker *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void info(walker *w, const char *key, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    hs_heap_add_info(w->h, key, buf);
}

/* ---- finding arenas ---- */

static int bin_like(const walker *w, uint64_t slot)
{
    int ok = 1;
    uint64_t fd = rd(w, slot, &ok), bk = rd(w, slot + 8, &ok);
    if (!ok) return 0;
    if (fd == slot - 16 && bk == slot - 16) return 1;
    if (!fd || !bk || (fd & 15) || (bk & 15)) return 0;
    return rd(w, fd + 24, &ok) == slot - 16 && rd(w, bk + 16, &ok) == slot - 16 && ok;
}

static void find_arenas(walker *w)
{
    hs_core *c = w->c;
    for (uint32_t s = 0; s < c->n_segs; s++) {
        const hs_core_seg *g = &c->segs[s];
        if (!(g->flags & HS_CORE_SEG_W) || g->avail < 0x900) continue;
        const uint8_t *base = c->data + g->offset;
        const uint64_t vaddr = g->vaddr, avail = g->avail;
        hs_core_window win = {0};
        uint64_t o = 16;
        /* An arena is in libc's data or at the start of a heap mapping,
         * aligned to HEAP_MAX_SIZE; in a thread's stack only where that
         * stack is inside such a heap (a stack of malloc'd memory). */
        if (vaddr & (HEAP_MAX - 1)) o = (hs_core_live_from(c, s) - vaddr + 7) & ~7ull;
        if (o < 16) o = 16;
        for (; o + 16 <= avail; o += 8) {
            o = hs_mem_skip_zeros(base, o, avail - 8); /* an empty bin points at itself */
            if (o + 16 > avail) break;
            uint64_t a = vaddr + o, fd, bk;
            hs_core_window_pass(c, &win, base + o);
            memcpy(&fd, base + o, 8);
            if (fd != a - 16) continue; /* most words: one load and compare */
            memcpy(&bk, base + o + 8, 8);
            if (bk != a - 16) continue;
            /* An empty bin: find the start of its run of bin-like slots. */
            uint64_t start = a;
            while (start - 16 >= g->vaddr + 16 && bin_like(w, start - 16))
                start -= 16;
            uint64_t end = a;
            while (bin_like(w, end))
                end += 16;
            if ((end - start) / 16 == 127 && w->n_arenas < MAX_ARENAS)
                w->bins[w->n_arenas++] = start;
            o = end - g->vaddr - 8;
        }
    }
}

/* ---- libc debug info: main_arena's address and malloc_state offsets ---- */

static int member_offset(Dwarf_Die *st, const char *name, int64_t *out)
{
    Dwarf_Die m;
    if (dwarf_child(st, &m) != 0) return -1;
    do {
        const char *n = dwarf_diename(&m);
        uint64_t off = dwarf_tag(&m) == DW_TAG_member && n && strcmp(n, name) == 0
                           ? hs_dw_member_offset(&m)
                           : UINT64_MAX;
        if (off != UINT64_MAX) {
            *out = (int64_t)off;
            return 0;
        }
    } while (dwarf_siblingof(&m, &m) == 0);
    return -1;
}

enum { NOT_HERE = -2 };

/* The type of variable main_arena in the unit cu as a layout: the offset of
 * bins, -1 when the type is not as expected, NOT_HERE when cu is not
 * malloc.c or has no main_arena. */
static int layout_in_cu(Dwarf_Die *cu, layout *L)
{
    Dwarf_Die v;
    const char *cn = dwarf_diename(cu);
    size_t len = cn ? strlen(cn) : 0;
    if (len < 8 || strcmp(cn + len - 8, "malloc.c") != 0 || dwarf_child(cu, &v) != 0) return NOT_HERE;
    do {
        const char *vn = dwarf_diename(&v);
        if (dwarf_tag(&v) != DW_TAG_variable || !vn || strcmp(vn, "main_arena") != 0) continue;
        Dwarf_Die t;
        if (hs_dw_type_of(&v, &t, NULL)) return -1;
        int64_t bins, fast, top, nx, sm, size = dwarf_bytesize(&t);
        if (size <= 0 || member_offset(&t, "bins", &bins) || member_offset(&t, "fastbinsY", &fast) ||
            member_offset(&t, "top", &top) || member_offset(&t, "next", &nx) ||
            member_offset(&t, "system_mem", &sm))
            return -1;
        *L = (layout){fast - bins, top - bins, nx - bins, sm - bins, size - bins};
        return (int)bins;
    } while (dwarf_siblingof(&v, &v) == 0);
    return NOT_HERE;
}

/* main_arena's layout from libc's DWARF, in the unit that holds the code of
 * malloc (__libc_malloc, malloc.c; a symbol of the same table as
 * main_arena). Reading every unit's name instead loads the abbreviations
 * of hundreds of units, and libdw, short of memory there, crashes rather
 * than failing (an assertion in its hash table). Not found: the built-in
 * layout. */
static int dwarf_layout(const hs_core *c, uint64_t main_arena, layout *L)
{
    Dwfl_Module *mod = c->dwfl ? dwfl_addrmodule(c->dwfl, main_arena) : NULL;
    uint64_t fn = mod ? hs_core_lookup(c, "__libc_malloc") : 0;
    Dwarf_Addr bias;
    Dwarf_Die *unit = fn && dwfl_addrmodule(c->dwfl, fn) == mod ? dwfl_module_addrdie(mod, fn, &bias) : NULL;
    int r = unit ? layout_in_cu(unit, L) : NOT_HERE;
    return r == NOT_HERE ? -1 : r;
}

/* ---- the built-in layout at main_arena's symbol ---- */

/* Whether the arena whose bins are at S is one the bin scan found. */
static int scanned_bins(const walker *w, uint64_t S)
{
    for (uint32_t i = 0; i < w->n_arenas; i++)
        if (w->bins[i] == S) return 1;
    return 0;
}

/* Whether main_arena's next chain, read with the built-in layout at
 * bins_off, comes back to main_arena through arenas the bin scan found
 * (a single arena points at itself). */
static int next_chain_closes(const walker *w, uint64_t main_arena, uint64_t bins_off)
{
    uint64_t a = main_arena;
    for (uint32_t steps = 0; steps <= MAX_ARENAS; steps++) {
        int ok = 1;
        a = rd(w, a + bins_off + (uint64_t)builtin_layout.next, &ok);
        if (!ok) return 0;
        if (a == main_arena) return 1;
        if (!scanned_bins(w, a + bins_off)) return 0;
    }
    return 0;
}

/* The bins of main_arena (its symbol's address) if the built-in layout fits
 * the data there, else 0. Fits: the bins (0x70 after the start since 2.27,
 * 0x68 before) are a bin array the scan found, top points at a chunk whose
 * size system_mem covers, and the next chain closes. Reading libc's DWARF
 * instead means inflating its compressed debug file: most of the time of a
 * small core. */
static uint64_t builtin_main_bins(const walker *w, uint64_t main_arena)
{
    for (uint64_t off = 0x70; off >= 0x68; off -= 8) {
        uint64_t S = main_arena + off;
        int ok = 1;
        if (!scanned_bins(w, S)) continue;
        uint64_t top = rd(w, S + (uint64_t)builtin_layout.top, &ok),
                 sysmem = rd(w, S + (uint64_t)builtin_layout.sysmem, &ok);
        uint64_t tsz = ok && top && !(top & 15) ? rd(w, top + 8, &ok) & ~7ull : 0;
        if (ok && tsz && !(tsz & 15) && tsz <= sysmem && next_chain_closes(w, main_arena, off))
            return S;
    }
    return 0;
}

/* ---- walking heaps ---- */

static void corrupt_at(walker *w, uint32_t arena, uint64_t at, uint64_t size, const char *why)
{
    char key[64];
    snprintf(key, sizeof key, "arena %u corrupt", arena);
    info(w, key, "chunk header at 0x%llx (size field 0x%llx): %s; rest of this heap skipped",
         (unsigned long long)at, (unsigned long long)size, why);
    w->corrupt++;
}

/* Walk chunks in [start, end) up to the top chunk (or end). Returns 0 or -1 (OOM). */
/* rd() through the segment last used: a heap walk stays in one segment. */
typedef struct seg_cache {
    uint64_t lo, hi; /* present bytes [lo, hi) */
    const uint8_t *base;
} seg_cache;

static uint64_t rd_cached(const walker *w, seg_cache *sc, uint64_t a, int *ok)
{
    if (a < sc->lo || a > sc->hi || sc->hi - a < 8) {
        uint32_t i = hs_core_seg_of(w->c, a);
        if (i == HS_NONE) return rd(w, a, ok);
        const hs_core_seg *g = &w->c->segs[i];
        sc->lo = g->vaddr, sc->hi = g->vaddr + g->avail, sc->base = w->c->data + g->offset;
        if (a > sc->hi || sc->hi - a < 8) return rd(w, a, ok);
    }
    uint64_t v;
    memcpy(&v, sc->base + (a - sc->lo), 8);
    return v;
}

static int walk(walker *w, uint32_t arena, uint64_t start, uint64_t end, uint64_t top)
{
    uint64_t p = start;
    seg_cache sc = {0, 0, NULL};
    hs_core_window win = {0};
    while (p < end) {
        int ok = 1;
        uint64_t raw = rd_cached(w, &sc, p + 8, &ok), cs = raw & ~7ull;
        if (ok && sc.base && p + 8 >= sc.lo && p + 8 < sc.hi)
            hs_core_window_pass(w->c, &win, sc.base + (p + 8 - sc.lo));
        if (!ok) {
            char key[64];
            snprintf(key, sizeof key, "arena %u missing", arena);
            info(w, key, "heap memory at 0x%llx is not in the core; rest of this heap skipped",
                 (unsigned long long)p);
            w->corrupt++;
            return 0;
        }
        if (p == top) return push(w, p, cs, C_TOP); /* the top chunk ends the run */
        if (cs == 0 || cs == 16) return 0;          /* fencepost: end of this heap */
        if (cs < 32 || (cs & 15) || cs > end - p || (raw & 2)) {
            corrupt_at(w, arena, p, raw, cs > end - p ? "runs past the heap" : "bad size");
            return 0;
        }
        if (!top && p + cs == end) return push(w, p, cs, C_TOP); /* orphan heap's last chunk */
        uint64_t nx = rd_cached(w, &sc, p + cs + 8, &ok);
        if (!ok) { /* whether this chunk is in use is in the next header, which is missing */
            char key[64];
            snprintf(key, sizeof key, "arena %u missing", arena);
            info(w, key, "heap memory at 0x%llx is not in the core; rest of this heap skipped",
                 (unsigned long long)(p + cs));
            w->corrupt++;
            return 0;
        }
        if (push(w, p, cs, nx & 1 ? C_USED : C_FREE)) return -1;
        p += cs;
    }
    return 0;
}

static int walk_main(walker *w, uint32_t ai, uint64_t S)
{
    int ok = 1;
    uint64_t top = rd(w, S + (uint64_t)w->L.top, &ok),
             sysmem = rd(w, S + (uint64_t)w->L.sysmem, &ok);
    uint64_t tsz = rd(w, top + 8, &ok) & ~7ull;
    if (!ok || !top) {
        info(w, "arena 0", "top chunk not readable; main heap skipped");
        return 0;
    }
    uint64_t end = top + tsz, start = end - sysmem;
    uint32_t st = hs_core_seg_of(w->c, top);
    if (st == HS_NONE) return 0;
    const hs_core_seg *g = &w->c->segs[st];
    if (start < g->vaddr || start > top) start = g->vaddr; /* non-contiguous: walk top's segment */
    hs_core_claim(w->c, st, start, end);
    w->system_mem += sysmem;
    uint64_t n0 = w->n;
    if (walk(w, ai, start, end, top)) return -1;
    uint64_t covered = 0;
    for (uint64_t i = n0; i < w->n; i++)
        covered += CSIZE(&w->ch[i]);
    w->overhead += sysmem > covered ? sysmem - covered : 0;
    return 0;
}

static int walk_nonmain(walker *w, uint32_t ai, uint64_t S, uint64_t arena)
{
    int ok = 1;
    uint64_t top = rd(w, S + (uint64_t)w->L.top, &ok),
             sysmem = rd(w, S + (uint64_t)w->L.sysmem, &ok);
    if (!ok || !top) return 0;
    w->system_mem += sysmem;
    uint64_t first_heap = arena & ~(HEAP_MAX - 1), hisz = arena - first_heap;
    uint64_t H = top & ~(HEAP_MAX - 1), n0 = w->n;
    for (int guard = 0; H && guard < 4096; guard++) {
        uint64_t size = rd(w, H + 16, &ok), prev = rd(w, H + 8, &ok);
        if (!ok || rd(w, H, &ok) != arena) {
            corrupt_at(w, ai, H, size, "heap_info does not point back to its arena");
            break;
        }
        uint64_t start = H == first_heap ? ((S + (uint64_t)w->L.end + 15) & ~15ull) : H + hisz;
        uint64_t end = H + size;
        uint32_t sg = hs_core_seg_of(w->c, H);
        hs_core_claim(w->c, sg, H, end);
        if (walk(w, ai, start, end, top)) return -1;
        if (H == first_heap) break;
        H = prev & ~(HEAP_MAX - 1);
    }
    uint64_t covered = 0;
    for (uint64_t i = n0; i < w->n; i++)
        covered += CSIZE(&w->ch[i]);
    w->overhead += sysmem > covered ? sysmem - covered : 0;
    return 0;
}

/* Without a readable main arena (e.g. a truncated core that lost libc's data)
 * the brk heap can still be recognised by its first chunk, the main thread's
 * tcache_perthread_struct (prev_size 0, size 0x251/0x291/0x301), and walked
 * until its memory ends; fastbin chunks then count as used. */
static int walk_orphan_heaps(walker *w)
{
    hs_core *c = w->c;
    for (uint32_t s = 0; s < c->n_segs; s++) {
        hs_core_seg *g = &c->segs[s];
        uint64_t prev, size;
        if (!(g->flags & HS_CORE_SEG_W) || hs_core_seg_claimed(g) ||
            hs_core_read64(c, g->vaddr, &prev) ||
            hs_core_read64(c, g->vaddr + 8, &size))
            continue;
        if (prev != 0 || (size != 0x251 && size != 0x291 && size != 0x301)) continue;
        info(w, "arena 0", "main arena not in the core; heap at 0x%llx walked without it",
             (unsigned long long)g->vaddr);
        hs_core_claim(c, s, g->vaddr, g->vaddr + g->memsz);
        if (walk(w, 0, g->vaddr, g->vaddr + g->memsz, 0)) return -1;
    }
    return 0;
}

/* ---- chunk lookup and free lists ---- */

static int cmp_chunk(const void *a, const void *b)
{
    const chunk *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static chunk *find_chunk(walker *w, uint64_t addr)
{
    uint64_t lo = 0, hi = w->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (w->ch[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->n && w->ch[lo].addr == addr ? &w->ch[lo] : NULL;
}

/* Follow a singly linked list of user pointers (mem = chunk + 16) whose links
 * sit at mem and are stored raw (mangle 0) or safe-linked (mangle 1, keyed by
 * the link's own address). tcache links point at mem (link_off 0), fastbin
 * links at the chunk header (link_off 16). Returns the length if every member
 * is a USED chunk of size cs and the list ends within limit, else -1.
 * mark != 0: mark members as state. */
static long follow(walker *w, uint64_t head, uint64_t link_off, uint64_t cs, int mangle, long limit,
                   int state, int mark)
{
    const uint64_t off = 16;
    long len = 0;
    for (uint64_t p = head; p; len++) {
        if (len >= limit || (p & 15)) return -1;
        chunk *k = find_chunk(w, p - off);
        if (!k || CSIZE(k) != cs || CSTATE(k) != C_USED) return -1;
        if (mark) CSET(k, state);
        int ok = 1;
        uint64_t raw = rd(w, p, &ok);
        if (!ok) return -1;
        p = mangle ? raw ^ (p >> 12) : raw;
        if (p) p += link_off;
    }
    return len;
}

/* Decide raw vs safe-linked for one list and mark it. Returns members or -1. */
static long mark_list(walker *w, uint64_t head, uint64_t link_off, uint64_t cs, long want,
                      int state)
{
    long limit = want >= 0 ? want + 1 : (long)w->n;
    int order[2] = {w->safe_linking == 0 ? 0 : 1, w->safe_linking == 0 ? 1 : 0};
    for (int k = 0; k < 2; k++) {
        long n = follow(w, head, link_off, cs, order[k], limit, state, 0);
        if (n < 0 || (want >= 0 && n != want)) continue;
        /* A one-element raw list and a mangled one can both parse; the
         * terminator (0 raw, head>>12 mangled) decides, so this is exact. */
        follow(w, head, link_off, cs, order[k], limit, state, 1);
        if (n > 0) w->safe_linking = order[k];
        return n;
    }
    return -1;
}

static void mark_fastbins(walker *w, uint32_t ai, uint64_t S, hs_heap_alloc_stats *st)
{
    for (int i = 0; i < 10; i++) {
        int ok = 1;
        uint64_t head = rd(w, S + (uint64_t)w->L.fast + 8 * (uint64_t)i, &ok);
        if (!ok || !head) continue;
        long n =
            mark_list(w, head + 16, 16, 32 + 16 * (uint64_t)i, -1, C_FAST); /* links to chunks */
        if (n < 0) {
            char key[64];
            snprintf(key, sizeof key, "arena %u fastbin %d", ai, i);
            info(w, key, "list at 0x%llx is corrupt; its chunks count as used",
                 (unsigned long long)head);
            continue;
        }
        st->fastbin_count += (uint64_t)n;
        w->fast_bytes += (uint64_t)n * (32 + 16 * (uint64_t)i);
    }
}

/* A used chunk of tcache_perthread_struct size whose every list is consistent. */
static void mark_tcaches(walker *w, hs_heap_alloc_stats *st)
{
    for (uint64_t i = 0; i < w->n; i++) {
        chunk *k = &w->ch[i];
        if (CSTATE(k) != C_USED || (CSIZE(k) != 0x290 && CSIZE(k) != 0x250)) continue;
        uint64_t mem = k->addr + 16, cw = CSIZE(k) == 0x290 ? 2 : 1, ents = mem + 64 * cw;
        const uint8_t *cnt = hs_core_ptr(w->c, mem, 64 * cw);
        if (!cnt) continue;
        long counts[64], total = 0;
        int good = 1;
        for (int b = 0; b < 64 && good; b++) {
            counts[b] = cw == 2 ? (long)(cnt[2 * b] | cnt[2 * b + 1] << 8) : (long)cnt[b];
            int ok = 1;
            uint64_t e = rd(w, ents + 8 * (uint64_t)b, &ok);
            good = ok && (e == 0) == (counts[b] == 0);
            if (good && e)
                good =
                    follow(w, e, 0, 32 + 16 * (uint64_t)b, 1, counts[b] + 1, 0, 0) == counts[b] ||
                    follow(w, e, 0, 32 + 16 * (uint64_t)b, 0, counts[b] + 1, 0, 0) == counts[b];
            total += counts[b];
        }
        if (!good) continue;
        CSET(k, C_TCACHE_STRUCT);
        for (int b = 0; b < 64 && total; b++) {
            int ok = 1;
            uint64_t e = rd(w, ents + 8 * (uint64_t)b, &ok);
            if (!e) continue;
            long n = mark_list(w, e, 0, 32 + 16 * (uint64_t)b, counts[b], C_TCACHE);
            if (n > 0) {
                st->tcache_count += (uint64_t)n;
                w->tcache_bytes += (uint64_t)n * (32 + 16 * (uint64_t)b);
            }
        }
    }
}

/* ---- mmapped chunks ---- */

static int find_mmapped(walker *w)
{
    hs_core *c = w->c;
    for (uint32_t s = 0; s < c->n_segs; s++) {
        hs_core_seg *g = &c->segs[s];
        if (!(g->flags & HS_CORE_SEG_W) || hs_core_seg_claimed(g) || g->file != HS_NONE ||
            hs_core_seg_is_stack(c, s))
            continue;
        hs_core_window win = {0};
        for (uint64_t o = 0; o + 0x1000 <= g->avail; o += 0x1000) {
            uint64_t prev, size;
            hs_core_window_pass(c, &win, c->data + g->offset + o);
            memcpy(&prev, c->data + g->offset + o, 8);
            memcpy(&size, c->data + g->offset + o + 8, 8);
            if (prev != 0 || (size & 0xfff) != 2 || size < 0x1000 || size - 2 > g->memsz - o)
                continue;
            if (push(w, g->vaddr + o, size & ~7ull, C_MMAP)) return -1;
            o += (size & ~0xfffull) - 0x1000;
        }
    }
    return 0;
}

/* ---- objects ---- */

/* Bytes its user can write: size - 8 for a chunk in an arena (it owns the
 * next chunk's prev_size word), size - 16 for an mmapped one. */
static uint64_t user_bytes(const hs_core *c, uint64_t addr, uint64_t size)
{
    uint64_t head;
    if (size < 16) return 0;
    /* IS_MMAPPED (2) in the size field: the chunk has no successor to borrow from. */
    if (addr < 8 || hs_core_read64(c, addr - 8, &head) || (head & 2)) return size - 16;
    return size - 8;
}

/* The word at addr (a chunk's first user word), read through a release window. */
static const uint8_t *first_word(const hs_core *c, hs_core_window *win, uint64_t addr,
                                 uint64_t *out)
{
    const uint8_t *p = hs_core_ptr(c, addr, 8);
    if (!p) return NULL;
    hs_core_window_pass(c, win, p);
    memcpy(out, p, 8);
    return p;
}

static int add_chunks(walker *w, hs_heap_alloc_stats *st)
{
    uint32_t t_tcache = hs_heap_add_type(w->h, "glibc tcache_perthread_struct");
    /* Type ids by size (chunks under 64 KiB) and for the last class seen:
     * interning a name per chunk would dominate the load time. */
    enum { SMALL = 4096 };
    uint32_t *by_size = malloc(SMALL * sizeof *by_size), last_cls = HS_NONE, last_type = HS_NONE;
    if (!by_size) return hs_error_set(w->err, w->c->name, HS_NO_OFFSET, "out of memory");
    for (int i = 0; i < SMALL; i++)
        by_size[i] = HS_NONE;
    int rc = 0;
    hs_core_window win = {0};
    for (uint64_t i = 0; i < w->n && !rc; i++) {
        const chunk *k = &w->ch[i];
        switch (CSTATE(k)) {
        case C_TOP:
            st->top_bytes += CSIZE(k);
            continue;
        case C_FREE:
            st->bin_count++; /* fall through */
        case C_FAST:
        case C_TCACHE:
            st->free_count++, st->free_bytes += CSIZE(k);
            continue;
        case C_MMAP:
            st->mmapped_count++, st->mmapped_bytes += CSIZE(k);
            break;
        default:
            break;
        }
        st->used_count++, st->used_bytes += CSIZE(k);
        uint32_t type = HS_NONE, cls;
        uint64_t vptr;
        const uint8_t *vp;
        if (CSTATE(k) == C_TCACHE_STRUCT)
            type = t_tcache;
        else if (w->c->vt_ && (vp = first_word(w->c, &win, k->addr + 16, &vptr)) &&
                 (cls = hs_core_vtable_class(w->c, vptr)) != HS_NONE) {
            if (cls != last_cls)
                last_cls = cls, last_type = hs_heap_add_type(w->h, hs_heap_str(w->h, cls));
            type = last_type;
        }
        uint64_t slot = CSIZE(k) / 16;
        if (type == HS_NONE && (slot >= SMALL || by_size[slot] == HS_NONE)) {
            /* "unknown NB" is listed as a type (info counts it), but not stored
             * per object: an untyped object is named so by its size anyway,
             * and the model keeps types only for the few typed objects. */
            char name[48];
            snprintf(name, sizeof name, "unknown %lluB", (unsigned long long)CSIZE(k));
            uint32_t t = hs_heap_add_type(w->h, name);
            if (slot < SMALL) by_size[slot] = t;
        }
        rc = hs_heap_add_object(w->h, k->addr + 16, CSIZE(k), type, HS_NONE, 0, w->err);
    }
    free(by_size);
    return rc;
}

/* Start of the non-main arena whose bins are at S, or 0: 0x70 before the
 * bins since 2.27, 0x68 before that, right after a 0x20/0x30-byte heap_info
 * at a HEAP_MAX-aligned address that points back at it. */
static uint64_t nonmain_arena(const hs_core *c, uint64_t S)
{
    for (uint64_t d = 0x68; d <= 0x70; d += 8) {
        uint64_t a = S - d, off = a & (HEAP_MAX - 1), ar;
        if ((off == 0x20 || off == 0x30) && !hs_core_read64(c, a - off, &ar) && ar == a) return a;
    }
    return 0;
}

static int is_libc(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strncmp(base, "libc.so", 7) == 0 || (strncmp(base, "libc-", 5) == 0 && strstr(base, ".so"));
}

/* main_arena's address: in libc's own symbols first (a search of every
 * module reads the symbol tables of the libraries before it), then in any
 * module (a static program, a libc under another name). */
static uint64_t main_arena_symbol(const hs_core *c)
{
    for (uint32_t i = 0; i < c->n_files; i++)
        if (is_libc(c->files[i].name)) {
            uint64_t a = hs_core_lookup_at(c, c->files[i].start, "main_arena");
            if (a) return a;
            break;
        }
    return hs_core_lookup(c, "main_arena");
}

/* Find the chunks in c, add one object per used chunk, fill h->alloc and
 * info lines, mark heap segments claimed. */
static int add_objects(hs_core *c, hs_heap *h, hs_error *err)
{
    walker w = {.c = c, .h = h, .err = err, .safe_linking = -1};
    hs_heap_alloc_stats *st = &h->alloc;
    memset(st, 0, sizeof *st);
    w.L = builtin_layout;
    find_arenas(&w);
    int rc = 0;
    uint64_t main_S = 0, main_sym = c->no_libc_debug ? 0 : main_arena_symbol(c);
    if (main_sym) {
        main_S = c->libc_dwarf_layout ? 0 : builtin_main_bins(&w, main_sym);
        w.checked = main_S != 0;
        int bins_off = main_S ? 0 : dwarf_layout(c, main_sym, &w.L);
        w.from_dwarf = bins_off >= 0 && !main_S;
        if (!main_S) main_S = main_sym + (uint64_t)(bins_off >= 0 ? bins_off : 0x70);
        uint32_t k = 0;
        while (k < w.n_arenas && w.bins[k] != main_S)
            k++;
        /* A libc file that is not the core's (another build) gives a wrong
         * address: trust the symbol only where an arena-like bin array is. */
        int ok = 1;
        if (k == w.n_arenas && (!bin_like(&w, main_S) || !rd(&w, main_S + (uint64_t)w.L.top, &ok) ||
                                !ok || w.n_arenas >= MAX_ARENAS)) {
            info(&w, "glibc main_arena symbol", "0x%llx does not look like an arena; ignored",
                 (unsigned long long)main_sym);
            main_S = main_sym = 0, w.from_dwarf = w.checked = 0, w.L = builtin_layout;
        } else if (k == w.n_arenas)
            w.bins[w.n_arenas++] = main_S;
    }
    for (uint32_t i = 0; i < w.n_arenas && !main_S; i++)
        if (!nonmain_arena(c, w.bins[i])) main_S = w.bins[i];
    /* The main arena is arena 0, the others follow in address order. */
    for (uint32_t i = 0; i < w.n_arenas && main_S; i++)
        if (w.bins[i] == main_S) {
            memmove(w.bins + 1, w.bins, i * sizeof *w.bins);
            w.bins[0] = main_S;
        }
    for (uint32_t i = 0; i < w.n_arenas && !rc; i++) {
        uint64_t S = w.bins[i], arena = nonmain_arena(c, S);
        if (S == main_S)
            rc = walk_main(&w, i, S);
        else if (arena)
            rc = walk_nonmain(&w, i, S, arena);
        else
            info(&w, "glibc ignored", "a second arena-like bin array at 0x%llx",
                 (unsigned long long)S);
    }
    if (!rc && (!main_S || !w.n)) rc = walk_orphan_heaps(&w);
    if (!rc) rc = find_mmapped(&w);
    int sorted = 1; /* one arena and no mmapped chunk: already in address order */
    for (uint64_t i = 1; i < w.n && sorted; i++)
        sorted = w.ch[i - 1].addr < w.ch[i].addr;
    if (!rc && !sorted) qsort(w.ch, w.n, sizeof *w.ch, cmp_chunk);
    if (!rc) {
        for (uint32_t i = 0; i < w.n_arenas; i++)
            mark_fastbins(&w, i, w.bins[i], st);
        mark_tcaches(&w, st);
        rc = add_chunks(&w, st);
    }
    if (!rc) {
        st->valid = w.n_arenas > 0 || w.n > 0;
        st->arenas = w.n_arenas;
        info(&w, "allocator", "%s",
             w.n_arenas ? "glibc ptmalloc2"
             : w.n      ? "glibc ptmalloc2 (no arena in the core)"
                        : "glibc malloc not found");
        info(&w, "glibc arenas", "%u", w.n_arenas);
        info(&w, "glibc main_arena", "%s",
             main_sym ? "libc symbol"
             : main_S ? "found by bin scan"
                      : "not found");
        info(&w, "glibc malloc_state layout", "%s",
             w.from_dwarf ? "libc DWARF"
             : w.checked  ? "built-in (checked at main_arena)"
                          : "built-in");
        info(&w, "glibc system_mem", "%llu", (unsigned long long)w.system_mem);
        info(&w, "glibc overhead bytes", "%llu", (unsigned long long)w.overhead);
        info(&w, "glibc tcache bytes", "%llu", (unsigned long long)w.tcache_bytes);
        info(&w, "glibc fastbin bytes", "%llu", (unsigned long long)w.fast_bytes);
        info(&w, "glibc safe-linking", "%s",
             w.safe_linking < 0 ? "unknown"
             : w.safe_linking   ? "yes"
                                : "no");
        if (w.corrupt) info(&w, "glibc problems", "%d (see the arena lines)", w.corrupt);
    }
    free(w.ch);
    return rc;
}


/* libc is mapped; or the program is static or its file list is missing
 * (glibc's malloc may be linked in: the arena search decides) and is not a
 * Go program (whose static executables have no malloc); or some module
 * defines main_arena (a libc under another name). */
static int recognise(const hs_core *c)
{
    uint32_t files = 0;
    for (uint32_t i = 0; i < c->n_files; i++) {
        if (is_libc(c->files[i].name)) return 1;
        files += i == 0 || strcmp(c->files[i].name, c->files[i - 1].name) != 0;
    }
    if (main_arena_symbol(c)) return 1;
    return files <= 1 && !hs_core_lookup_exe(c, "runtime.mheap_");
}

const hs_core_walker hs_walker_glibc = {
    .name = "glibc",
    .head = 16, /* prev_size and size */
    .tail = 16, /* the next chunk's header */
    .recognise = recognise,
    .add_objects = add_objects,
    .user_bytes = user_bytes,
};
