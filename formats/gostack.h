/* A goroutine's stack frames (gostack.c): the one unwinder of Go cores,
 * shared by the goroutine model (gocore_g.c) and the stack scan of the Go
 * walker (goheap.c), and the words of each frame the runtime's pointer maps
 * mark live. */
#ifndef HEAPSCAN_FORMATS_GOSTACK_H
#define HEAPSCAN_FORMATS_GOSTACK_H

#include <stdint.h>

#include "elfcore.h"
#include "gopclntab.h"

#define HS_GOSTACK_RUNNING 2u
#define HS_GOSTACK_SYSCALL 3u

/* What a G says about its stack, read by the caller from the core. */
typedef struct hs_gostack_g {
    uint64_t lo, hi;        /* g.stack */
    uint32_t status;        /* g.atomicstatus without the scan bit */
    uint64_t pc, sp, bp;    /* g.sched */
    uint64_t syscallpc, syscallsp, syscallbp; /* 0 when absent */
    int has_syscallbp;      /* Go 1.23+ saves it */
} hs_gostack_g;

/* A frame: pc (a return address unless trap), its stack pointer and the
 * frame pointer it runs with. */
typedef struct hs_gostack_regs {
    uint64_t pc, sp, bp;
    int trap; /* pc is where the thread stopped, not a return address */
} hs_gostack_regs;

/* The innermost frame: the registers of the thread running on the stack
 * (trap set), the syscall registers of a G in a system call, else g.sched. */
hs_gostack_regs hs_gostack_start(const hs_core *c, const hs_gostack_g *g);
/* The caller of r along the frame-pointer chain (the return address one
 * word above the saved frame pointer) inside [lo, hi); -1 at its end. */
int hs_gostack_next(const hs_core *c, hs_gostack_regs *r, uint64_t lo, uint64_t hi);

/* How a stack was scanned. */
typedef struct hs_gostack_scan {
    uint32_t precise_frames;
    uint64_t conservative_from; /* hi when every frame was precise */
    const char *why;            /* why the rest is conservative, NULL if not */
} hs_gostack_scan;

/* Sets bit w of live for every word from + 8w of [from, g->hi) a scan of
 * the G must read: the words the locals and args pointer maps of each frame
 * mark live at its pc and the words of its stack objects, frame by frame
 * from g.sched along the frame pointers checked against the pc tables'
 * frame sizes; from the first frame that cannot be (a G running, in a
 * system call or copying its stack, an asynchronously stopped frame, a
 * missing table or map,
 * a broken chain, an architecture other than amd64) every word up to hi,
 * as a conservative scan. t NULL: all conservative. */
void hs_gostack_live(const hs_core *c, const hs_gopcln *t, const hs_gostack_g *g, uint64_t from,
                     uint8_t *live, hs_gostack_scan *out);

#endif
