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

/* The share of whole as "12.3%" (or "-" when whole is 0). */
const char *hs_render_share(char *buf, size_t size, double part, double whole);
/* A diff's gates: text "Gates:" lines, or the JSON "gates" array. */
void hs_render_gates_text(FILE *out, const hs_gate *g, const hs_gate_result *r, uint32_t n);
void hs_render_gates_json(FILE *out, const hs_gate *g, const hs_gate_result *r, uint32_t n);
/* {"count": N, "size": N} under key. */
void hs_render_json_count_size(FILE *out, const char *key, uint64_t count, uint64_t size);

static inline int64_t hs_abs64_render(int64_t v) { return v < 0 ? -v : v; }

#endif
