/* libFuzzer target for one reader, named at compile time by HS_FUZZ_READER
 * (its exported hs_reader, e.g. hs_reader_pprof). The bytes go through the
 * source layer (so gzip'd seeds work), then the reader's own probe and,
 * when it claims them, its load: the registry and the other readers are
 * bypassed, so coverage goes to this reader alone. Same invariants as
 * fuzz_load: one-line errors naming the input, in-range models, no leaks;
 * and a profile decoded in parts equals the one decoded serially. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "model/heap_build.h"

#ifndef HS_FUZZ_READER
#error "define HS_FUZZ_READER to the reader's hs_reader symbol"
#endif

extern const hs_reader HS_FUZZ_READER;

static void load(const hs_reader *r, const hs_source *src)
{
    hs_load_options opt = hs_fuzz_options();
    hs_error e;
    if (r->kind == HS_MODEL_PROFILE) {
        hs_profile p, serial;
        hs_profile_init(&p);
        hs_profile_init(&serial);
        hs_error es;
        hs_load_options one = opt;
        one.threads = 1; /* the same bytes in one part */
        int rc = r->load_profile(src, &opt, &p, &e);
        int rc_serial = r->load_profile(src, &one, &serial, &es);
        HS_FUZZ_REQUIRE(rc == rc_serial, "parts: fail when serial fails");
        if (rc) {
            hs_fuzz_check_error(&e, src->name);
            hs_fuzz_same_error(&e, &es);
        } else {
            hs_fuzz_check_profile(&p);
            hs_fuzz_same_profile(&serial, &p);
        }
        hs_profile_free(&p);
        hs_profile_free(&serial);
    } else {
        hs_heap h;
        hs_heap_init(&h, r->name);
        if (r->load_heap(src, &opt, &h, &e))
            hs_fuzz_check_error(&e, src->name);
        else
            hs_fuzz_check_heap(&h);
        hs_heap_free(&h);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    hs_fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const hs_reader *r = &HS_FUZZ_READER;
    hs_source src;
    hs_error e;
    hs_source_options caps = (hs_source_options)HS_FUZZ_SOURCE_OPTIONS;
    if (hs_source_from_memory_with(&src, HS_FUZZ_NAME, data, size, &caps, &e)) return 0;
    int score = r->probe(src.data, src.size);
    HS_FUZZ_REQUIRE(score >= 0 && score <= 100, "probe score within 0..100");
    if (score > 0 && src.size > 0) load(r, &src);
    hs_source_close(&src);
    return 0;
}
