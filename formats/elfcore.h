/* Internal API of the ELF core reader (formats/elfcore.c), through which
 * the allocator walkers (walker.h: glibc.c, ...) read the process. An hs_core is a read-only view of a
 * core held in memory: PT_LOAD segments sorted by address with the bytes that
 * are really present, threads from NT_PRSTATUS, process facts from
 * NT_PRPSINFO/NT_AUXV/NT_SIGINFO, file mappings from NT_FILE, and libdwfl
 * modules for symbols. Every read is bounds-checked: a range that is not
 * wholly present in the core (filesz < memsz, truncated file) reads as absent. */
#ifndef HEAPSCAN_FORMATS_ELFCORE_H
#define HEAPSCAN_FORMATS_ELFCORE_H

#include <stddef.h>
#include <stdint.h>

#include "heapscan/heap.h"
#include "heapscan/reader.h"

#define HS_CORE_SEG_R 4u
#define HS_CORE_SEG_W 2u
#define HS_CORE_SEG_X 1u

typedef struct hs_core_seg {
    uint64_t vaddr, memsz;
    uint64_t offset; /* in the core file */
    uint64_t filesz; /* as the header says */
    uint64_t avail;  /* bytes really present from vaddr on (<= filesz, cut at EOF) */
    uint32_t flags;  /* HS_CORE_SEG_* */
    uint32_t file;   /* index into files, or HS_NONE for anonymous memory */
    uint64_t claim_lo, claim_hi; /* heap memory [lo, hi) (hs_core_claim): not roots */
    uint8_t walker; /* 1 + index in hs_core_walkers of the walker whose objects lie
                     * here (the first to add one), or 0 */
} hs_core_seg;

#define HS_CORE_MAX_REGS 34
typedef struct hs_core_thread {
    int32_t tid;
    int32_t cursig;
    uint64_t pc, sp;
    uint32_t n_regs;
    uint64_t regs[HS_CORE_MAX_REGS];
} hs_core_thread;

typedef struct hs_core_file {
    uint64_t start, end, file_offset; /* file_offset already multiplied by page_size */
    const char *name;                 /* points into the core's NT_FILE note */
} hs_core_file;

typedef struct hs_core_vtable {
    uint64_t addr, size; /* the _ZTV symbol's object */
    uint32_t name;       /* demangled class name, string id in the heap */
} hs_core_vtable;

typedef struct hs_core {
    const char *name; /* input name, for errors */
    const uint8_t *data;
    size_t size;
    const hs_source *src; /* for hs_source_release */
    int machine; /* EM_X86_64 or EM_AARCH64 */
    hs_core_seg *segs;
    uint32_t n_segs;
    hs_core_thread *threads;
    uint32_t n_threads;
    hs_core_file *files;
    uint32_t n_files;
    int32_t pid;
    char fname[17], psargs[81];
    int32_t signo, sigcode;
    uint64_t sigaddr;
    uint64_t at_entry, at_phdr, at_base, at_execfn, page_size;
    uint64_t missing_bytes; /* dumped bytes the file should hold but does not */
    uint32_t truncated_segs;
    int notes_missing;
    int no_libc_debug; /* tests: ignore libc's symbols/DWARF, use the heuristics */
    int libc_dwarf_layout; /* tests: malloc_state from libc's DWARF even where the
                            * built-in layout fits */
    hs_demangle_mode demangle; /* how roots named by C++ symbols are shown */
    void *elf;         /* Elf * */
    void *dwfl;        /* Dwfl *, or NULL when no module could be reported */
    void *dw_ctx_;     /* hs_dwmod *: owns dwfl */
    uint32_t n_modules;
    /* The vtables of the modules a vptr was looked up in, read on first
     * use (hs_core_vtable_class): a mutable cache behind the pointer. */
    struct hs_core_vtables *vt_;
    uint32_t walkers_used; /* bit k: hs_core_walkers[k] recognised the process */
    void *walker_state[8]; /* [k]: what hs_core_walkers[k] keeps between phases */
} hs_core;

int hs_core_open(hs_core *c, const hs_source *src, const hs_load_options *opt, hs_error *err);
void hs_core_close(hs_core *c);
/* Pointer to len bytes at addr if all of them are in the core, else NULL. */
const uint8_t *hs_core_ptr(const hs_core *c, uint64_t addr, uint64_t len);
/* Memory while scanning: a pass that reads core bytes in ascending file
 * order calls hs_core_window_pass with each pointer it reads; every 32 MiB
 * the pages behind it leave the resident set (re-read from the file if
 * touched again). hs_core_release_all does that for the whole core between
 * phases. Both are no-ops for gzip input. */
typedef struct hs_core_window {
    size_t mark; /* file offset released up to */
} hs_core_window;
#define HS_CORE_WINDOW ((size_t)32 << 20)
void hs_core_window_move_(const hs_core *c, hs_core_window *w, const uint8_t *p);
/* Cheap enough for every word a scan reads: two compares while p is
 * within 32 MiB after the mark. */
static inline void hs_core_window_pass(const hs_core *c, hs_core_window *w, const uint8_t *p)
{
    size_t off = (size_t)((uintptr_t)p - (uintptr_t)c->data);
    if (off >= w->mark && off - w->mark < HS_CORE_WINDOW) return;
    hs_core_window_move_(c, w, p);
}
void hs_core_release_all(const hs_core *c);
/* Adds the root "thread N registers" (N = t + 1) with thread t's registers
 * that point into an object (from a walker's block header on: a thread
 * inside malloc holds the chunk's header); 0, or -1 with err (out of
 * memory). The core reader adds it for every thread whose stack no walker
 * claimed; a walker that claimed one decides (walker.h add_roots). */
int hs_core_register_root(const hs_core *c, hs_heap *h, uint32_t t, hs_error *err);
/* Reads a little-endian u64; 0 on success, -1 when absent. */
int hs_core_read64(const hs_core *c, uint64_t addr, uint64_t *out);
/* len bytes at addr into buf from the core, or else from the mapped file of
 * the module holding addr (read-only data a core leaves out: a Go binary's
 * type names). 0, or -1 when neither has them all. */
int hs_core_read_mapped(const hs_core *c, uint64_t addr, void *buf, uint64_t len);
/* Index of the segment containing addr (present or not), or HS_NONE. */
uint32_t hs_core_seg_of(const hs_core *c, uint64_t addr);
/* Mark [lo, hi) of segment seg as heap memory (the claimed part grows to
 * cover every range claimed). The rest of the segment can still hold roots:
 * under qemu-user, the brk heap shares one mapping with the program's .bss. */
void hs_core_claim(hs_core *c, uint32_t seg, uint64_t lo, uint64_t hi);
static inline int hs_core_seg_claimed(const hs_core_seg *g) { return g->claim_hi > g->claim_lo; }
/* Where the live part of segment seg begins: a thread's stack (the segment
 * holds its stack pointer, outside claimed heap memory) from 128 bytes (the
 * x86-64 red zone) below its lowest such stack pointer; else its start. */
uint64_t hs_core_live_from(const hs_core *c, uint32_t seg);
/* Whether segment seg holds a thread's stack (its stack pointer, outside
 * claimed heap memory). */
int hs_core_seg_is_stack(const hs_core *c, uint32_t seg);
/* Name of the symbol whose [start, start+size) covers addr, else NULL. */
const char *hs_core_symbol(const hs_core *c, uint64_t addr, uint64_t *start);
/* Address of a named symbol in any module (local symbols included), 0 if unknown. */
uint64_t hs_core_lookup(const hs_core *c, const char *name);
/* hs_core_lookup in the executable's symbols only (the module of its entry
 * point, AT_ENTRY); 0 without an entry point. Reads no library's symbols. */
uint64_t hs_core_lookup_exe(const hs_core *c, const char *name);
/* hs_core_lookup in the module mapped at addr only; 0 if unknown. */
uint64_t hs_core_lookup_at(const hs_core *c, uint64_t addr, const char *name);
/* Makes vtable lookups possible for the heap h (class names interned in it);
 * -1 with err when out of memory. */
int hs_core_vtables_begin(hs_core *c, hs_heap *h, hs_error *err);
/* Class name string id for an object whose first word is vptr, or HS_NONE.
 * A module's _ZTV symbols are read the first time a vptr points into one of
 * its file mappings: a core pays only for the modules its objects use. */
uint32_t hs_core_vtable_class(const hs_core *c, uint64_t vptr);
/* Whether reading the vtables ran out of memory (the load then fails). */
int hs_core_vtables_oom(const hs_core *c);

#endif
