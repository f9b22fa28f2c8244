/* libFuzzer target for the Go runtime walker (formats/goheap.c, gotypes.c).
 * A Go core is hundreds of MB, so mutating its bytes as a whole would
 * spend every execution on ELF headers and empty arena pages. Instead one
 * real core (HEAPSCAN_FUZZ_GOCORE, its executable HEAPSCAN_FUZZ_BINARY:
 * scripts/fuzz.sh makes both) is mapped once, privately and writable, and
 * one clean load records every range of process memory the walker reads
 * (its calls to hs_core_ptr, hs_core_read64 and hs_core_read_mapped, caught
 * with the linker's --wrap): runtime.mheap_, the allspans array, the span
 * structs, allocation bits, heap bits, g and m structs, type descriptors,
 * the words gotypes.c follows. A fuzz input is a list of patches, each
 * naming one of those ranges by its index (in the order first read) and
 * writing bytes, a boundary value, a pointer to another range, or a small
 * delta into it; the core is then loaded whole through the core reader,
 * the patches are undone, and the result is checked like every reader's
 * (fuzz_common.h). The state below is the libFuzzer harness's: one core
 * for the process's life. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfcore.h"
#include "fuzz_common.h"
#include "model/heap_build.h"

extern const hs_reader hs_reader_elfcore;

#define MAX_REGIONS 65536u
#define MAX_TRACE (1u << 22)
#define MAX_PATCHES 32u
#define MAX_RAW 16u

typedef struct region {
    uint64_t addr, len;
    uint32_t first; /* order of the first read */
} region;

typedef struct patch_undo {
    size_t off;
    uint8_t old[MAX_RAW];
    uint32_t n;
} patch_undo;

static struct {
    uint8_t *core;
    size_t size;
    const uint8_t *phdrs; /* PT_LOAD program headers, in the mapped core */
    uint16_t phnum;
    int tracing;
    region *trace;
    uint32_t n_trace;
    region *regions; /* distinct ranges read, in the order first read */
    uint32_t n_regions;
} fz;

/* ---- the walker's reads, recorded while tracing ---- */

const uint8_t *__real_hs_core_ptr(const hs_core *c, uint64_t addr, uint64_t len);
int __real_hs_core_read64(const hs_core *c, uint64_t addr, uint64_t *out);
int __real_hs_core_read_mapped(const hs_core *c, uint64_t addr, void *buf, uint64_t len);

static void record(uint64_t addr, uint64_t len)
{
    if (!fz.tracing || fz.n_trace >= MAX_TRACE || len == 0) return;
    fz.trace[fz.n_trace] = (region){addr, len > 4096 ? 4096 : len, fz.n_trace};
    fz.n_trace++;
}

const uint8_t *__wrap_hs_core_ptr(const hs_core *c, uint64_t addr, uint64_t len)
{
    record(addr, len);
    return __real_hs_core_ptr(c, addr, len);
}

int __wrap_hs_core_read64(const hs_core *c, uint64_t addr, uint64_t *out)
{
    record(addr, 8);
    return __real_hs_core_read64(c, addr, out);
}

int __wrap_hs_core_read_mapped(const hs_core *c, uint64_t addr, void *buf, uint64_t len)
{
    record(addr, len);
    return __real_hs_core_read_mapped(c, addr, buf, len);
}

/* ---- the base core ---- */

static void die(const char *what)
{
    fprintf(stderr, "fuzz_gocore: %s (set HEAPSCAN_FUZZ_GOCORE and HEAPSCAN_FUZZ_BINARY; "
                    "scripts/fuzz.sh makes them)\n", what);
    exit(1);
}

static uint64_t rd(const uint8_t *p, int n)
{
    uint64_t v = 0;
    memcpy(&v, p, (size_t)n); /* little-endian host, as the core */
    return v;
}

static void map_core(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 64) die("cannot open the base core");
    fz.size = (size_t)st.st_size;
    fz.core = mmap(NULL, fz.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (fz.core == MAP_FAILED) die("cannot map the base core");
    uint64_t phoff = rd(fz.core + 32, 8);
    fz.phnum = (uint16_t)rd(fz.core + 56, 2);
    if (rd(fz.core + 54, 2) != 56 || phoff > fz.size || (uint64_t)fz.phnum * 56 > fz.size - phoff)
        die("the base core's program headers are unreadable");
    fz.phdrs = fz.core + phoff;
}

/* File offset of [addr, addr + n) when the core holds it all, else SIZE_MAX. */
static size_t file_offset(uint64_t addr, uint64_t n)
{
    for (uint16_t i = 0; i < fz.phnum; i++) {
        const uint8_t *ph = fz.phdrs + 56u * i;
        uint64_t off = rd(ph + 8, 8), va = rd(ph + 16, 8), fsz = rd(ph + 32, 8);
        if (rd(ph, 4) != 1 || addr < va || addr - va >= fsz) continue;
        if (n > fsz - (addr - va) || off + (addr - va) + n > fz.size) return SIZE_MAX;
        return (size_t)(off + (addr - va));
    }
    return SIZE_MAX;
}

static int by_range(const void *a, const void *b)
{
    const region *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

static int by_first(const void *a, const void *b)
{
    const region *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

static void load_and_check(void)
{
    hs_source src;
    hs_error e;
    if (hs_source_from_memory(&src, HS_FUZZ_NAME, fz.core, fz.size, &e)) die("no source");
    hs_load_options opt = hs_fuzz_options();
    hs_heap h;
    hs_heap_init(&h, hs_reader_elfcore.name);
    if (hs_reader_elfcore.load_heap(&src, &opt, &h, &e)) {
        if (getenv("HEAPSCAN_FUZZ_VERBOSE")) fprintf(stderr, "error: %s: %s\n", e.file, e.msg);
        hs_fuzz_check_error(&e, src.name);
    }
    else
        hs_fuzz_check_heap(&h);
    hs_heap_free(&h);
    hs_source_close(&src);
}

/* One clean load, recording the walker's reads; the distinct ranges the
 * core holds become the patchable regions. */
static void trace_regions(void)
{
    fz.trace = malloc((size_t)MAX_TRACE * sizeof *fz.trace);
    if (!fz.trace) die("out of memory");
    fz.tracing = 1;
    load_and_check();
    fz.tracing = 0;
    qsort(fz.trace, fz.n_trace, sizeof *fz.trace, by_range);
    fz.regions = malloc((size_t)MAX_REGIONS * sizeof *fz.regions);
    if (!fz.regions) die("out of memory");
    for (uint32_t i = 0; i < fz.n_trace; i++) {
        region r = fz.trace[i];
        if (i && r.addr == fz.trace[i - 1].addr && r.len == fz.trace[i - 1].len) continue;
        if (file_offset(r.addr, r.len) == SIZE_MAX) continue; /* the binary's, not the core's */
        fz.trace[fz.n_regions++] = r;
    }
    qsort(fz.trace, fz.n_regions, sizeof *fz.trace, by_first);
    if (fz.n_regions > MAX_REGIONS) fz.n_regions = MAX_REGIONS;
    memcpy(fz.regions, fz.trace, (size_t)fz.n_regions * sizeof *fz.regions);
    free(fz.trace);
    fz.trace = NULL;
    if (!fz.n_regions) die("the base core's load read no Go runtime memory (not a Go core?)");
    fprintf(stderr, "fuzz_gocore: %u regions of Go runtime memory read by the walker\n",
            fz.n_regions);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    hs_fuzz_setup();
    const char *core = getenv("HEAPSCAN_FUZZ_GOCORE");
    if (!core || !getenv("HEAPSCAN_FUZZ_BINARY")) die("no base core");
    map_core(core);
    trace_regions();
    return 0;
}

/* ---- patches ---- */

/* Boundary values a field of the runtime may be set to. */
static const uint64_t specials[16] = {
    0, 1, 2, 7, 8, 0xff, 0x100, 8192, 0x7fffffff, 0x80000000, 0xffffffff, (uint64_t)1 << 32,
    (uint64_t)1 << 40, (uint64_t)1 << 63, UINT64_MAX - 7, UINT64_MAX};

/* A patch: op, region (u16), offset (u8), then op's bytes:
 *   0 raw: n (1..16), n bytes;  1 special: index;  2 pointer: region (u16),
 *   delta (i8, words);  3 add: delta (i8) to the u64 there.
 * Returns the bytes used, 0 at the end of the input. */
static size_t parse_patch(const uint8_t *d, size_t n, uint64_t *addr, uint8_t *val, uint32_t *len)
{
    if (n < 5) return 0;
    const region *r = &fz.regions[(d[1] | d[2] << 8) % fz.n_regions];
    *addr = r->addr + d[3] % (r->len + 8);
    uint64_t v = 0;
    size_t used = 5;
    switch (d[0] % 4) {
    case 0:
        *len = 1 + d[4] % MAX_RAW;
        if (n < 5 + *len) return 0;
        memcpy(val, d + 5, *len);
        return 5 + *len;
    case 1:
        v = specials[d[4] % 16];
        break;
    case 2:
        if (n < 7) return 0;
        v = fz.regions[(d[4] | d[5] << 8) % fz.n_regions].addr + (uint64_t)(int64_t)(int8_t)d[6] * 8;
        used = 7;
        break;
    default: {
        size_t off = file_offset(*addr, 8);
        v = (off == SIZE_MAX ? 0 : rd(fz.core + off, 8)) + (uint64_t)(int64_t)(int8_t)d[4];
    }
    }
    *len = 8;
    memcpy(val, &v, 8);
    return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    patch_undo undo[MAX_PATCHES];
    uint32_t n_undo = 0;
    while (n_undo < MAX_PATCHES) {
        uint64_t addr;
        uint8_t val[MAX_RAW];
        uint32_t len;
        size_t used = parse_patch(data, size, &addr, val, &len);
        if (!used) break;
        data += used, size -= used;
        size_t off = file_offset(addr, len);
        if (off == SIZE_MAX) continue;
        patch_undo *u = &undo[n_undo++];
        u->off = off, u->n = len;
        memcpy(u->old, fz.core + off, len);
        memcpy(fz.core + off, val, len);
    }
    load_and_check();
    while (n_undo--) /* in reverse: overlapping patches restore the original */
        memcpy(fz.core + undo[n_undo].off, undo[n_undo].old, undo[n_undo].n);
    return 0;
}
