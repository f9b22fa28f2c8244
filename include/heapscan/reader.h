/* heapscan readers: from a path to a model. Each reader (one file in formats/)
 * exports one hs_reader: probe() scores how sure it is that the bytes are
 * its format (0 = not mine, 100 = certain), load() builds a model. hs_load()
 * opens the source, asks every reader, and loads with the best score. */
#ifndef HEAPSCAN_READER_H
#define HEAPSCAN_READER_H

#include "heapscan/heap.h"
#include "heapscan/profile.h"
#include "heapscan/source.h"

typedef enum hs_model_kind { HS_MODEL_NONE = 0, HS_MODEL_PROFILE, HS_MODEL_HEAP } hs_model_kind;

/* How C++ (Itanium-ABI, "_Z...") names are shown (--demangle), as pprof's
 * -symbolize=demangle=...: the zero value is pprof's default. */
typedef enum hs_demangle_mode {
    HS_DEMANGLE_SHORT = 0,  /* no parameters, no template arguments: std::vector::push_back */
    HS_DEMANGLE_TEMPLATES,  /* no parameters: std::vector<int, std::allocator<int> >::push_back */
    HS_DEMANGLE_FULL,       /* with parameters: alloc_b(int) */
    HS_DEMANGLE_NONE,       /* as the symbol table has them: _Z7alloc_bi */
} hs_demangle_mode;

typedef struct hs_load_options {
    const char *binary;    /* --binary: the program's executable, or NULL */
    const char *sysroot;   /* --sysroot */
    const char *debug_dir; /* --debug-dir */
    int progress;          /* nonzero: the caller wants progress reports */
    int drop_ref_offsets;  /* nonzero: heaps keep no reference offsets (see hs_heap) */
    hs_demangle_mode demangle; /* --demangle */
    /* Parts to decode and aggregate large profiles in (1..16: that many,
     * even for small inputs; 0 = one per CPU, at most 4). The library reads
     * no environment: the CLI takes it from HEAPSCAN_THREADS. */
    unsigned threads;
    /* Called now and then by long-running readers (done <= total, in the
     * reader's own unit, e.g. bytes); the library itself never prints. */
    void (*on_progress)(void *ctx, const char *what, uint64_t done, uint64_t total);
    void *progress_ctx;
    hs_source_options source; /* limits and temporary directory; zeroed: defaults */
} hs_load_options;

/* For readers: report progress every 2^20 steps of a loop counter. */
static inline void hs_load_progress(const hs_load_options *opt, uint64_t step, const char *what,
                                    uint64_t done, uint64_t total)
{
    if (opt && opt->on_progress && (step & 0xfffff) == 0)
        opt->on_progress(opt->progress_ctx, what, done, total);
}

typedef struct hs_reader {
    const char *name; /* "pprof", "go-heapdump", "elf-core" */
    hs_model_kind kind;
    int (*probe)(const uint8_t *data, size_t size);
    int (*load_profile)(const hs_source *src, const hs_load_options *opt, hs_profile *out,
                        hs_error *err);
    int (*load_heap)(const hs_source *src, const hs_load_options *opt, hs_heap *out,
                     hs_error *err);
} hs_reader;

typedef struct hs_model {
    hs_model_kind kind;
    const hs_reader *reader;
    hs_source src; /* kept open: some readers' models point into it */
    hs_profile profile;
    hs_heap heap;
} hs_model;

/* The readers, in probe order. */
const hs_reader *const *hs_readers(void);
int hs_load(const char *path, const hs_load_options *opt, hs_model *out, hs_error *err);
/* Load from bytes already in memory (tests, fuzzing). */
int hs_load_memory(const char *name, const uint8_t *data, size_t size, const hs_load_options *opt,
                   hs_model *out, hs_error *err);
void hs_model_free(hs_model *m);

#endif
