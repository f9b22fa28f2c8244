/* heapscan goroutine dump reader: Go's goroutine dumps (pprof's debug=2)
 * and the tracebacks a panic or GOTRACEBACK=all prints, also when they sit
 * inside a log (the lines around them are skipped). Goroutine profiles
 * (protobuf, debug=1) are profiles: hs_load reads them, and the analysis
 * layer turns them into the goroutine model (goroutine_analysis.h). */
#ifndef HEAPSCAN_GODUMP_H
#define HEAPSCAN_GODUMP_H

#include "heapscan/goroutines.h"
#include "heapscan/source.h"

/* 100 when the bytes hold a goroutine header line ("goroutine N [STATE]:")
 * followed by a frame, else 0. Looks at the whole input. */
int hs_godump_probe(const uint8_t *data, size_t size);
/* Every goroutine of the dump into out (initialised here). Damage inside
 * a record (a cut-off record, a frame without its file line, an unknown
 * state, a header it cannot read) is counted in out, not an error; an input
 * with no goroutine at all is. */
int hs_godump_load(const hs_source *src, hs_goroutines *out, hs_error *err);

#endif
