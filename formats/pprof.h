/* pprof reader internals shared with tests: the probe and the frame pruning
 * that go tool pprof applies after loading (drop_frames / keep_frames). */
#ifndef HEAPSCAN_PPROF_H
#define HEAPSCAN_PPROF_H

#include "heapscan/reader.h"

extern const hs_reader hs_reader_pprof;

/* Score 0..95: how plausibly data is an (uncompressed) Profile message. */
int hs_pprof_probe(const uint8_t *data, size_t size);

/* Apply p->drop_frames / p->keep_frames as pprof's Profile.Prune does
 * (called by the reader after loading). Full-match regular expressions are
 * POSIX extended ones here (RE2-only syntax fails to compile). Shrinks
 * locations' line runs and samples' stack runs in place; no-op without
 * drop_frames. Error offsets are HS_NO_OFFSET. */
int hs_pprof_prune(hs_profile *p, hs_error *err);

/* Set p->drop_frames / p->keep_frames as pprof's legacy parsers do
 * (addLegacyFrameInfo), by p's sample types: allocator frames for heap
 * profiles, lock frames for contention profiles, the CPU profiler's signal
 * handler frames for the others. 0, or -1 with err (out of memory). */
int hs_pprof_legacy_frames(hs_profile *p, hs_error *err);

/* The simplified name pprof matches against is name[*start, *start + len):
 * one leading '.' dropped, and cut at the first '(' that is not part of
 * "(anonymous namespace)" or "operator()". Returns len. */
size_t hs_pprof_simplify_func(const char *name, size_t *start);

#endif
