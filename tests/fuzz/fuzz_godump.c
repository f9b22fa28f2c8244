/* libFuzzer target for the goroutine dump reader (formats/godump.c) and
 * the groups built on what it reads (src/analysis/goroutines.c). The bytes
 * go through the source layer (so gzip'd seeds work), then the reader's
 * probe and load. Invariants: a failure is a one-line message naming the
 * input; a loaded model's frame runs and string ids are in range and its
 * total is the sum of its counts; the report over it (alone, and as two
 * snapshots of itself) covers every goroutine once per snapshot. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "heapscan/godump.h"
#include "heapscan/goroutine_analysis.h"

static void check_model(const hs_goroutines *m)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < m->n; i++) {
        const hs_goroutine *g = &m->g[i];
        HS_FUZZ_REQUIRE(hs_fuzz_run_ok(g->frame_start, g->n_frames, m->n_frames), "frame run");
        HS_FUZZ_REQUIRE(hs_fuzz_str_ok(&m->strings, g->state), "state id");
        HS_FUZZ_REQUIRE(g->created_by.function == HS_STR_NONE ||
                            hs_fuzz_str_ok(&m->strings, g->created_by.function),
                        "creator id");
        for (uint32_t k = 0; k < g->n_frames; k++) {
            const hs_gr_frame *f = &m->frames[g->frame_start + k];
            HS_FUZZ_REQUIRE(hs_fuzz_str_ok(&m->strings, f->function), "function id");
            HS_FUZZ_REQUIRE(hs_fuzz_str_ok(&m->strings, f->file), "file id");
        }
        total += g->count;
    }
    HS_FUZZ_REQUIRE(total == m->total, "total is the sum of counts");
}

static void check_report(const hs_goroutines *m, uint32_t n, hs_gr_by by)
{
    const hs_goroutines *snaps[2] = {m, m};
    hs_gr_options o = {by, 5};
    hs_gr_report r;
    hs_error e;
    if (hs_gr_report_build(snaps, n, &o, &r, &e)) return; /* out of memory only */
    for (uint32_t f = 0; f < n; f++) {
        uint64_t sum = 0;
        for (uint32_t g = 0; g < r.n_groups; g++)
            sum += hs_gr_count(&r, g, f);
        HS_FUZZ_REQUIRE(sum == m->total && r.totals[f] == m->total, "groups cover every goroutine");
    }
    HS_FUZZ_REQUIRE(r.n_suspects <= r.n_groups, "suspects are groups");
    hs_gr_report_free(&r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    hs_fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_source src;
    hs_error e;
    hs_source_options caps = (hs_source_options)HS_FUZZ_SOURCE_OPTIONS;
    if (hs_source_from_memory_with(&src, HS_FUZZ_NAME, data, size, &caps, &e)) return 0;
    int score = hs_godump_probe(src.data, src.size);
    HS_FUZZ_REQUIRE(score == 0 || score == 100, "probe score 0 or 100");
    hs_goroutines m;
    if (hs_godump_load(&src, &m, &e)) {
        hs_fuzz_check_error(&e, src.name);
    } else {
        check_model(&m);
        check_report(&m, 1, HS_GR_BY_STACK);
        check_report(&m, 2, (hs_gr_by)(size % 4));
        hs_goroutines_free(&m);
    }
    hs_source_close(&src);
    return 0;
}
