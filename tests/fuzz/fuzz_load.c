/* libFuzzer target: the whole load path, as the CLI takes it. Bytes go
 * through hs_load_memory: source (gzip), every registered reader's probe,
 * and the best reader's load. Invariant checked: a failure is one line
 * naming the input; a success is a model whose indices are all in range;
 * everything is freed (LeakSanitizer). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    hs_fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_load_options opt = hs_fuzz_options();
    hs_model m;
    hs_error e;
    if (hs_load_memory(HS_FUZZ_NAME, data, size, &opt, &m, &e)) {
        hs_fuzz_check_error(&e, HS_FUZZ_NAME);
        return 0;
    }
    HS_FUZZ_REQUIRE(m.reader != NULL && m.kind == m.reader->kind, "model kind is the reader's");
    if (m.kind == HS_MODEL_PROFILE) hs_fuzz_check_profile(&m.profile);
    if (m.kind == HS_MODEL_HEAP) hs_fuzz_check_heap(&m.heap);
    hs_model_free(&m);
    return 0;
}
