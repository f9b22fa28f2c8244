/* heapscan goroutine reports: the groups of one or more snapshots
 * (goroutine_analysis.h) as text, JSON or CSV. */
#ifndef HEAPSCAN_GOROUTINE_RENDER_H
#define HEAPSCAN_GOROUTINE_RENDER_H

#include <stdio.h>

#include "heapscan/goroutine_analysis.h"
#include "heapscan/render.h"

typedef struct hs_gr_render_meta {
    const char *const *files; /* as the user named them, n_files of them */
    const char *const *formats;
    uint32_t stuck_minutes;
    uint32_t limit;  /* groups shown; 0 = all */
    int stacks;      /* text: print each group's stack under it */
    const hs_gate *gates; /* text: their "Gates:" lines; may be empty */
    const hs_gate_result *results;
    uint32_t n_gates;
} hs_gr_render_meta;

void hs_render_goroutines(FILE *fp, hs_render_format fmt, const hs_gr_render_meta *m,
                          const hs_gr_report *r);
/* The groups' call tree (hs_gr_tree_build over the same report) as DOT. */
void hs_render_goroutines_dot(FILE *fp, const hs_gr_render_meta *m, const hs_gr_report *r,
                              const hs_gr_tree *t);

#endif
