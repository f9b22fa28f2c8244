/* heapscan goroutine analysis: groups of goroutines with the same state
 * and stack (or the same state, function or creator), their counts across
 * snapshots taken in time order, a class per group and leak suspects.
 * Pure functions from goroutine models to a report that owns its memory. */
#ifndef HEAPSCAN_GOROUTINE_ANALYSIS_H
#define HEAPSCAN_GOROUTINE_ANALYSIS_H

#include <stdint.h>

#include "heapscan/goroutines.h"
#include "heapscan/heap.h"
#include "heapscan/profile.h"

/* A goroutine profile (protobuf or debug=1: one sample type "goroutine")
 * as goroutine records: each sample stands for `value` goroutines with its
 * stack; state "unknown", wait unknown, no creator. -1 with err (naming
 * file) for a profile of another kind. */
int hs_gr_from_profile(const hs_profile *p, const char *file, hs_goroutines *out, hs_error *err);

typedef enum hs_gr_by {
    HS_GR_BY_STACK = 0, /* state, locked, labels, stack (functions and lines), creator */
    HS_GR_BY_STATE,
    HS_GR_BY_FUNCTION, /* the first frame outside the runtime (hs_gr_is_runtime) */
    HS_GR_BY_CREATED_BY,
} hs_gr_by;

typedef enum hs_gr_class {
    HS_GR_STEADY = 0, /* the same count first and last (one snapshot: always) */
    HS_GR_GROWS,      /* more last than first */
    HS_GR_NEW,        /* none first, some last */
    HS_GR_GONE,       /* some first, none last */
    HS_GR_SHRINKS,    /* fewer last than first */
} hs_gr_class;

extern const char *const hs_gr_class_names[5];

typedef struct hs_gr_options {
    hs_gr_by by;
    uint32_t stuck_minutes; /* --stuck: blocked at least this long is suspect (0: never) */
} hs_gr_options;

typedef enum hs_gr_why {
    HS_GR_NOT_SUSPECT = 0,
    HS_GR_GROWS_EVERY_STEP, /* more at each snapshot after the first it is in */
    HS_GR_STUCK,            /* blocked (chan, select, sync, IO) for --stuck or longer */
} hs_gr_why;

typedef struct hs_gr_group {
    uint32_t state;      /* string id; "(various)" when its goroutines differ */
    uint32_t function;   /* string id of the first frame outside the runtime */
    uint32_t created_by; /* string id, or HS_STR_NONE when none is shown */
    uint32_t labels;     /* "k=v,k2=v2" (part of the stack key), "(various)", or
                            HS_STR_NONE for none */
    uint32_t frame_start, n_frames; /* its stack, in report frames (--by stack; else none) */
    uint32_t wait_min, wait_max;    /* minutes, in the last snapshot it is in;
                                       HS_GR_WAIT_UNKNOWN for profiles */
    hs_gr_class cls;
    hs_gr_why why;
    uint8_t locked;
} hs_gr_group;

typedef struct hs_gr_report {
    hs_strtab strings; /* names of groups and frames */
    hs_gr_group *groups;
    uint32_t n_groups;
    hs_gr_frame *frames;
    uint32_t n_frames;
    uint64_t *counts; /* n_groups rows of n_files: counts[g * n_files + f] */
    uint64_t *totals; /* per file */
    uint32_t n_files;
    uint32_t n_suspects; /* groups[0 .. n_suspects) */
    hs_gr_by by;
    /* The group of each record, snapshots concatenated in file order:
     * record i of file f is record_group[record_start[f] + i]. */
    uint32_t *record_group;
    uint64_t *record_start; /* [n_files + 1] */
    /* NULL, or shaped as counts: bytes retained by the group's stacks in a
     * file that is a core (hs_gr_report_add_retained), else
     * HS_GR_RETAINED_NONE. */
    uint64_t *retained;
} hs_gr_report;

#define HS_GR_RETAINED_NONE UINT64_MAX

/* Group n snapshots (in time order), classify, and order: suspects first,
 * then by the last count, largest first (ties: first seen first). */
int hs_gr_report_build(const hs_goroutines *const *snaps, uint32_t n, const hs_gr_options *o,
                       hs_gr_report *out, hs_error *err);
void hs_gr_report_free(hs_gr_report *r);
/* Retained memory of every group in file `file`, whose goroutines m (with
 * stack roots) live in heap h: the group's stack roots merged into one
 * root, the heap's other roots kept, one dominator tree (dom.c); a group's
 * retained bytes are what only its goroutines' stacks keep alive, objects
 * shared between two of its goroutines included. */
int hs_gr_report_add_retained(hs_gr_report *r, uint32_t file, const hs_heap *h,
                              const hs_goroutines *m, hs_error *err);
static inline uint64_t hs_gr_count(const hs_gr_report *r, uint32_t g, uint32_t file)
{
    return r->counts[(uint64_t)g * r->n_files + file];
}
/* A frame of the runtime, skipped when naming a group's function:
 * runtime.*, runtime/...*, internal/..., sync.* (the waiting primitives),
 * and unnamed addresses ("0x..."). */
int hs_gr_is_runtime(const char *function);
/* A state in which a goroutine waits on another: chan receive/send, select,
 * sync.*, semacquire, IO wait (nil-channel and durable variants too). */
int hs_gr_is_blocked(const char *state);

/* The groups' call tree (what `goroutines --format dot` and `graph` draw):
 * node 0 stands for all goroutines; below it the stacks' frames from the
 * outermost in, merged where groups share a prefix of functions (lines
 * ignored), and under each group's innermost frame a leaf for the group
 * itself. count is the number of goroutines under a node in the last
 * snapshot, first in the first. Only the report's first `limit` groups (0:
 * all) are in the tree. */
typedef struct hs_gr_tree_node {
    uint32_t parent;   /* HS_NONE for node 0 */
    uint32_t function; /* report string id; HS_STR_NONE for node 0 and leaves */
    uint32_t group;    /* a leaf's group (report index); HS_NONE for frames */
    uint64_t count, first;
} hs_gr_tree_node;

typedef struct hs_gr_tree {
    hs_gr_tree_node *nodes; /* parents before children */
    uint32_t n;
    uint32_t groups; /* groups in the tree */
} hs_gr_tree;

int hs_gr_tree_build(const hs_gr_report *r, uint32_t limit, hs_gr_tree *t, hs_error *err);
void hs_gr_tree_free(hs_gr_tree *t);

#endif
