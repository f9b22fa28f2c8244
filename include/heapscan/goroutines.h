/* heapscan goroutine model: the goroutines of one moment of a Go program,
 * as a goroutine dump (debug=2), a panic/GOTRACEBACK traceback or a
 * goroutine profile shows them. One record stands for `count` goroutines
 * with the same stack (1 for a dump; a profile sample's value for a
 * profile, whose state and wait time are unknown). Frames are innermost
 * first, in one array that records index by (frame_start, n_frames);
 * names are ids of the model's string table. Built once, then read-only.
 * The goroutines of a Go core (formats/gocore_g.c) or heap dump
 * (formats/goheapdump.c) come with the heap they live in: stack_roots
 * pairs each heap root of a goroutine's stack with its record (a core has
 * one per stack, a heap dump one per frame that points into the heap). */
#ifndef HEAPSCAN_GOROUTINES_H
#define HEAPSCAN_GOROUTINES_H

#include <stdint.h>

#include "heapscan/strtab.h"

#define HS_GR_WAIT_UNKNOWN UINT32_MAX

typedef struct hs_gr_frame {
    uint32_t function; /* string id: "main.(*T).run", or "0x4806ce" when unnamed */
    uint32_t file;     /* string id; 0 ("") when the dump gave no file line */
    uint32_t line;     /* 0 when unknown */
} hs_gr_frame;

typedef struct hs_goroutine {
    uint64_t id;           /* the runtime's goroutine id; 0 for a profile sample */
    uint32_t count;        /* goroutines this record stands for */
    uint32_t state;        /* string id: "chan receive"; "unknown" for profiles */
    uint32_t wait_minutes; /* HS_GR_WAIT_UNKNOWN for profiles; 0 under a minute */
    uint32_t frame_start, n_frames;
    hs_gr_frame created_by; /* function HS_STR_NONE: none shown */
    uint64_t creator_id;    /* "in goroutine K"; 0 when not shown */
    uint32_t labels;        /* string id of the labels as "k=v,k2=v2" sorted by key
                               (hs_goroutines_labels), 0 ("") when none */
    uint8_t locked;         /* "locked to thread" */
    uint8_t elided;         /* "...additional frames elided..." */
} hs_goroutine;

typedef struct hs_gr_stack_root {
    uint32_t root, record;
} hs_gr_stack_root;

typedef struct hs_goroutines {
    char format[32]; /* "go-goroutine-dump", "go-profile" */
    hs_strtab strings;
    hs_goroutine *g;
    uint32_t n, cap;
    hs_gr_frame *frames;
    uint32_t n_frames, cap_frames;
    uint64_t total; /* sum of counts */
    /* What a reader skipped and says so on stderr (never an error). */
    uint64_t skipped_records; /* goroutine headers it could not read */
    uint64_t unknown_states;  /* states it did not know (kept as written) */
    uint64_t frames_without_file;
    uint64_t truncated; /* records cut off before their first frame */
    /* Cores and heap dumps only: the heap roots (hs_heap) of the records'
     * stacks, each with its record; none for a stack that points at no
     * object, and none from the other sources. */
    hs_gr_stack_root *stack_roots;
    uint32_t n_stack_roots, cap_stack_roots;
} hs_goroutines;

void hs_goroutines_init(hs_goroutines *m, const char *format);
void hs_goroutines_free(hs_goroutines *m);
/* Append a record (frames are added after it with hs_goroutines_add_frame,
 * and belong to the last record); its index, or HS_NONE_GR when out of memory. */
#define HS_NONE_GR UINT32_MAX
uint32_t hs_goroutines_add(hs_goroutines *m, const hs_goroutine *g);
int hs_goroutines_add_frame(hs_goroutines *m, hs_gr_frame f);
/* One label of a goroutine, as its source spells it (a dump's quotes removed). */
typedef struct hs_gr_label {
    const char *key, *value;
    size_t key_len, value_len;
} hs_gr_label;
/* The labels in one canonical form, whatever wrote them (a dump's {"k": "v"}
 * or {k: v}, a profile's sample labels): "k=v,k2=v2" sorted by key, so
 * snapshots of every kind group alike. Sorts pairs in place; the string id,
 * 0 for none, HS_STR_NONE when out of memory. */
uint32_t hs_goroutines_labels(hs_goroutines *m, hs_gr_label *pairs, uint32_t n);
/* A heap root holding part of record i's stack (cores, heap dumps); -1
 * when out of memory. HS_NONE_GR (a stack that points at nothing) is no root. */
int hs_goroutines_add_root(hs_goroutines *m, uint32_t i, uint32_t root);
/* Whether Go's traceback shows a frame of function fn at the default
 * GOTRACEBACK (its showframe): a qualified name that is not
 * runtime-internal (runtime.X with X exported is shown). */
int hs_goroutines_frame_shown(const char *fn);
static inline const char *hs_gr_str(const hs_goroutines *m, uint32_t id)
{
    return hs_strtab_get(&m->strings, id);
}

#endif
