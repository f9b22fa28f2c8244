/* Allocator walkers for cores: every allocator a process may use (glibc
 * malloc now; the Go runtime next; jemalloc, tcmalloc later) is one entry of
 * hs_core_walkers[]. The core reader (elfcore.c) asks each in turn whether
 * it recognises the process (a cgo process has two), lets each that does
 * add its objects (phase 1 of the heap builder), then scans every object
 * for references as the walker that added it describes, and lets each add
 * the roots only it knows (phase 3). A walker reads the process through
 * elfcore.h and knows nothing of ELF; the reader knows no allocator. */
#ifndef HEAPSCAN_FORMATS_WALKER_H
#define HEAPSCAN_FORMATS_WALKER_H

#include <stdint.h>

#include "elfcore.h"

typedef struct hs_core_walker {
    const char *name; /* "glibc" */
    /* head: allocator bytes before an object's address that belong to it
     * (glibc: the 16-byte chunk header); tail: bytes at the end of
     * [addr, addr + size) that are the next block's header. A word in
     * memory pointing into [addr, addr + size - tail) is a reference (one
     * into a header is allocator bookkeeping: bins, free lists); a thread
     * register pointing into [addr - head, addr + size - tail) is one too. */
    uint32_t head, tail;
    /* Whether the process may use this allocator; cheap (symbols, mapped
     * files), leaving the search for its structures to add_objects. */
    int (*recognise)(const hs_core *c);
    /* Phase 1: one object per live block (hs_heap_add_object), info lines
     * and h->alloc; marks the memory it manages with hs_core_claim so that
     * it is not scanned for roots. 0, or -1 with err: out of memory, or a
     * process it knows but cannot walk (a Go core without its executable's
     * symbols or with a runtime layout it does not know): one line saying
     * what is missing. A damaged heap is an info line. */
    int (*add_objects)(hs_core *c, hs_heap *h, hs_error *err);
    /* Phase 3: how many bytes from an object's address (size as added) its
     * user can write; they are scanned for references word by word. */
    uint64_t (*user_bytes)(const hs_core *c, uint64_t addr, uint64_t size);
    /* Phase 3, may be NULL (every word of user_bytes is a candidate): set
     * bit k of bits (word k / 64, bit k % 64) for each of the first n_words
     * words of the object at addr that may hold a pointer, from the
     * allocator's own pointer maps; 0, or -1 when it does not know (then
     * every word is scanned). */
    int (*pointer_words)(const hs_core *c, uint64_t addr, uint64_t size, uint64_t *bits,
                         uint64_t n_words);
    /* Phase 3, may be NULL: roots only the allocator knows. A thread whose
     * stack pointer lies in claimed memory (a Go stack in a heap arena) is
     * left to these: its stack and its registers (hs_core_register_root
     * adds them; Go does for a thread on a goroutine's stack, not for one
     * on a g0 or gsignal stack, whose registers hold scheduler state). */
    int (*add_roots)(const hs_core *c, hs_heap *h, hs_error *err);
    /* Phase 3, may be NULL: whether the global word at addr (a writable
     * segment outside claimed memory) may hold a pointer, by the
     * allocator's own maps (Go: the module's GC masks of data and bss):
     * 1 yes, 0 no, -1 not known (then it is scanned like a C global). */
    int (*global_word)(const hs_core *c, uint64_t addr);
    /* May be NULL: frees c->walker_state[k] (hs_core_close). */
    void (*release)(void *state);
} hs_core_walker;

/* The walkers in the order they are asked, NULL-terminated (walkers.c). */
extern const hs_core_walker *const hs_core_walkers[];

/* Whether walker w recognised the process of core c. */
static inline int hs_core_uses_walker(const hs_core *c, const hs_core_walker *w)
{
    for (uint32_t k = 0; k < 32 && hs_core_walkers[k]; k++)
        if (hs_core_walkers[k] == w) return c->walkers_used >> k & 1;
    return 0;
}

extern const hs_core_walker hs_walker_glibc; /* glibc.c */
extern const hs_core_walker hs_walker_go;    /* goheap.c */

#endif
