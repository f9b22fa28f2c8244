/* The reader table and format detection. A reader is added by defining its
 * hs_reader in its own file and listing it here; detection asks each probe
 * and keeps the highest score, so no reader needs to know about another. */
#include "heapscan/reader.h"
#include "model/heap_build.h"

#include <stdio.h>
#include <string.h>

#include "demangle.h"
#include "pprof.h"

extern const hs_reader hs_reader_gotext;
extern const hs_reader hs_reader_goheapdump;
extern const hs_reader hs_reader_elfcore;
extern const hs_reader hs_reader_legacycpu;
extern const hs_reader hs_reader_threadz;
extern const hs_reader hs_reader_javaprof;

/* What the readers below read, for the message on any other input. */
#define HS_FORMATS_READ                                                                            \
    "heapscan reads pprof protobuf profiles; Go text profiles (heap, allocs, goroutine, "          \
    "threadcreate, mutex, block, custom); gperftools heap, growth and binary CPU profiles; "       \
    "jemalloc heap profiles; C++ contention and thread profiles; Java heap, contention and CPU "   \
    "profiles; Go heap dumps; ELF core files"

static const hs_reader *const readers[] = {
    &hs_reader_pprof,
    &hs_reader_gotext,
    &hs_reader_goheapdump,
    &hs_reader_elfcore,
    &hs_reader_legacycpu,
    &hs_reader_threadz,
    &hs_reader_javaprof,
    NULL,
};

const hs_reader *const *hs_readers(void)
{
    return readers;
}

/* What go tool pprof does to a profile of its legacy parsers once read:
 * names symbolized (demangled), then its frames to drop pruned. The
 * pprof reader does both itself; jemalloc's (which pprof does not read)
 * has its own allocator rule, as jeprof. */
static int finish_legacy(hs_model *m, const hs_load_options *opt, hs_error *err)
{
    hs_profile *p = &m->profile;
    int rc = hs_demangle_profile(p, opt->demangle, err);
    if (!rc && strcmp(p->format, "jemalloc-text") != 0)
        rc = hs_pprof_legacy_frames(p, err) || hs_pprof_prune(p, err);
    if (rc && err) snprintf(err->file, sizeof err->file, "%s", m->src.name);
    return rc ? -1 : 0;
}

static int load_source(hs_model *m, const hs_load_options *opt, hs_error *err)
{
    const hs_reader *best = NULL;
    int best_score = 0;
    for (const hs_reader *const *r = readers; *r; r++) {
        int s = (*r)->probe(m->src.data, m->src.size);
        if (s > best_score) {
            best_score = s;
            best = *r;
        }
    }
    if (m->src.size == 0)
        return hs_error_set(err, m->src.name, 0, "empty file");
    if (!best)
        return hs_error_set(err, m->src.name, 0, "not a recognised format (%s)", HS_FORMATS_READ);
    m->reader = best;
    m->kind = best->kind;
    if (best->kind == HS_MODEL_PROFILE) {
        hs_profile_init(&m->profile);
        m->profile.threads = opt->threads;
        if (best->load_profile(&m->src, opt, &m->profile, err)) return -1;
        return best == &hs_reader_pprof ? 0 : finish_legacy(m, opt, err);
    }
    hs_heap_init(&m->heap, best->name);
    m->heap.drop_ref_offsets = opt && opt->drop_ref_offsets;
    return best->load_heap(&m->src, opt, &m->heap, err);
}

int hs_load(const char *path, const hs_load_options *opt, hs_model *out, hs_error *err)
{
    static const hs_load_options none;
    if (!opt) opt = &none;
    memset(out, 0, sizeof *out);
    if (hs_source_open_with(&out->src, path, &opt->source, err)) return -1;
    if (load_source(out, opt, err)) {
        hs_model_free(out);
        return -1;
    }
    return 0;
}

int hs_load_memory(const char *name, const uint8_t *data, size_t size, const hs_load_options *opt,
                   hs_model *out, hs_error *err)
{
    static const hs_load_options none;
    if (!opt) opt = &none;
    memset(out, 0, sizeof *out);
    if (hs_source_from_memory_with(&out->src, name, data, size, &opt->source, err)) return -1;
    if (load_source(out, opt, err)) {
        hs_model_free(out);
        return -1;
    }
    return 0;
}

void hs_model_free(hs_model *m)
{
    if (m->kind == HS_MODEL_PROFILE) hs_profile_free(&m->profile);
    if (m->kind == HS_MODEL_HEAP) hs_heap_free(&m->heap);
    hs_source_close(&m->src);
    m->kind = HS_MODEL_NONE;
}
