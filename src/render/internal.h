/* Private helpers shared by the renderers: pprof's profile header lines
 * (File, Build ID, comments, Type, Time, Duration, Active filters), handed
 * one line at a time to a callback so text output and the DOT legend use
 * the same words. */
#ifndef HS_RENDER_INTERNAL_H
#define HS_RENDER_INTERNAL_H

#include "heapscan/render.h"

void hs_render_profile_labels(const hs_report_meta *m, int64_t total, hs_render_line_fn fn,
                              void *ctx);
/* hs_render_line_fn that writes the line and '\n' to the FILE *ctx. */
void hs_render_put_line(void *ctx, const char *line);

static inline int64_t hs_abs64_render(int64_t v) { return v < 0 ? -v : v; }

#endif
