/* libFuzzer target: the source layer. Bytes go through hs_source_from_memory
 * (decompression when they start with a gzip, zstd, xz, bzip2 or lz4 magic,
 * all members/frames, size-capped; scripts/fuzz.sh seeds each format),
 * then a cursor walk driven by the data itself exercises every hs_cursor
 * read. Invariant checked: failures name the input and stay in bounds. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

static void walk(const hs_source *src)
{
    hs_cursor c = hs_cursor_make(src);
    hs_error e;
    uint64_t v = 0, acc = 0;
    uint32_t v32;
    uint8_t op;
    const uint8_t *p;
    hs_cursor sub;
    while (hs_cursor_left(&c) && hs_cursor_u8(&c, &op, &e) == 0) {
        int rc = 0;
        switch (op % 6) {
        case 0: rc = hs_cursor_uvarint(&c, &v, &e); break;
        case 1: rc = hs_cursor_le32(&c, &v32, &e), v = v32; break;
        case 2: rc = hs_cursor_le64(&c, &v, &e); break;
        case 3:
            rc = hs_cursor_uvarint(&c, &v, &e);
            if (!rc) rc = hs_cursor_bytes(&c, v, &p, &e);
            if (!rc && v) acc += p[v - 1];
            break;
        case 4:
            rc = hs_cursor_uvarint(&c, &v, &e);
            if (!rc) rc = hs_cursor_sub(&c, v, &sub, &e);
            if (!rc && hs_cursor_left(&sub)) rc = hs_cursor_uvarint(&sub, &v, &e);
            break;
        default: rc = hs_cursor_skip(&c, op >> 3, &e); break;
        }
        acc += v;
        if (rc) {
            hs_fuzz_check_error(&e, src->name);
            HS_FUZZ_REQUIRE(e.offset <= src->size, "cursor error offset within the input");
            break;
        }
        HS_FUZZ_REQUIRE(c.pos <= c.end, "cursor stays within its window");
    }
    (void)acc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    hs_fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_source src;
    hs_error e;
    /* 2 MiB: a bomb of a few hundred bytes reaches the cap (and its error
     * path) in tens of milliseconds; bzip2 decodes only ~30 MB/s, so at
     * 256 MiB one such input took seconds. */
    hs_source_options opt = {.max_memory = 2 << 20, .max_unpack = 2 << 20};
    if (hs_source_from_memory_with(&src, HS_FUZZ_NAME, data, size, &opt, &e)) {
        hs_fuzz_check_error(&e, HS_FUZZ_NAME);
        return 0;
    }
    HS_FUZZ_REQUIRE(src.compression == hs_source_compression(data, size),
                    "compression matches the magic");
    HS_FUZZ_REQUIRE(src.size == 0 || src.data != NULL, "data present");
    walk(&src);
    hs_source_close(&src);
    return 0;
}
