/* Java's legacy profiles (heapz, contentionz; see javaprof.c) and the
 * "0xID function (file:line)" lines that name the ids of every Java
 * profile, the binary CPU one (legacycpu.c) included. */
#ifndef HEAPSCAN_FORMATS_JAVAPROF_H
#define HEAPSCAN_FORMATS_JAVAPROF_H

#include <stddef.h>
#include <stdint.h>

#include "addrprof.h"
#include "heapscan/profile.h"
#include "idmap.h"
#include "textscan.h"

/* Each id's naming text (ids: id + 1 -> slot), made a function when used. */
typedef struct hs_javaframes {
    hs_profile *p;
    hs_idmap ids, fns;
    hs_tx_field *text;
    uint32_t cap;
} hs_javaframes;

/* The naming lines in text[0, len) (other lines skipped): -1 out of memory. */
int hs_javaprof_read_frames(hs_javaframes *j, hs_profile *p, const char *text, size_t len);
/* An hs_addr_namer over hs_javaframes. */
int hs_javaprof_namer(void *ctx, uint64_t pc, uint32_t *fn, int64_t *line);
void hs_javaprof_free(hs_javaframes *j);

/* a's records into p, named by the lines of text[0, len). */
int hs_javaprof_build(hs_addrprof *a, hs_profile *p, const char *text, size_t len,
                      const hs_source *src, hs_error *err);

#endif
