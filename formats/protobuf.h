/* Protocol-buffer wire decoding over hs_cursor (no schema, no allocation).
 * hs_pb_next() reads one field (key + value) and leaves the cursor after it,
 * so a caller that ignores a field has skipped it. Wire types 0 (varint),
 * 1 (fixed64), 2 (length-delimited) and 5 (fixed32) are accepted; groups
 * (3, 4) and 6, 7 fail with "unknown wire type N" at the key's offset.
 * Invariant: nothing here reads outside [c->pos, c->end), and every error
 * carries the offset of the key (field-level) or of the varint (element). */
#ifndef HEAPSCAN_PROTOBUF_H
#define HEAPSCAN_PROTOBUF_H

#include <stdint.h>

#include "heapscan/source.h"

enum { HS_PB_VARINT = 0, HS_PB_FIXED64 = 1, HS_PB_LEN = 2, HS_PB_FIXED32 = 5 };

typedef struct hs_pb_field {
    uint32_t number;  /* field number, >= 1 */
    uint32_t wire;    /* HS_PB_* */
    uint64_t key_off; /* offset of the key in the whole input */
    const char *file; /* input name, for errors */
    uint64_t u;       /* value of a varint / fixed field; length of a LEN field */
    hs_cursor sub;    /* LEN: the payload (already skipped in the parent) */
} hs_pb_field;

/* Varint at the cursor. On failure (truncated, longer than 10 bytes, or
 * overflowing 64 bits) the error offset is the varint's first byte. */
int hs_pb_varint_slow(hs_cursor *c, uint64_t *out, hs_error *err);
static inline int hs_pb_varint(hs_cursor *c, uint64_t *out, hs_error *err)
{
    size_t left = c->end - c->pos;
    if (left == 0) return hs_pb_varint_slow(c, out, err);
    const uint8_t *b = c->buf + c->pos;
    if (b[0] < 0x80) {
        *out = b[0];
        c->pos++;
        return 0;
    }
    size_t n = left < 9 ? left : 9;
    uint64_t v = b[0] & 0x7f;
    for (size_t i = 1; i < n; i++) {
        v |= (uint64_t)(b[i] & 0x7f) << (7 * i);
        if (b[i] < 0x80) {
            *out = v;
            c->pos += i + 1;
            return 0;
        }
    }
    return hs_pb_varint_slow(c, out, err); /* 10 bytes, truncated or bad */
}

/* Next field of the message in c: 1 = read one into *f, 0 = end of message,
 * -1 = error (bad key, unknown wire type, truncated value, length too long). */
int hs_pb_next(hs_cursor *c, hs_pb_field *f, hs_error *err);

/* Repeated varint fields arrive unpacked (one VARINT field per element) or
 * packed (one LEN field of concatenated varints), mixed freely. An iterator
 * made from either kind of field yields its elements. */
typedef struct hs_pb_iter {
    hs_cursor c;     /* packed payload left to read */
    uint64_t single; /* the element of an unpacked field */
    uint64_t single_off;
    int has_single;
} hs_pb_iter;

/* Fails (at the key; name says which field) if f is neither VARINT nor LEN. */
int hs_pb_iter_init(hs_pb_iter *it, const hs_pb_field *f, const char *name, hs_error *err);
/* 1 = *v (and *off, if off: the varint's offset when packed, the
 * key's when unpacked) set; 0 = done; -1 = bad varint. */
static inline int hs_pb_iter_next(hs_pb_iter *it, uint64_t *v, uint64_t *off, hs_error *err)
{
    if (it->has_single) {
        it->has_single = 0;
        *v = it->single;
        if (off) *off = it->single_off;
        return 1;
    }
    if (it->c.pos >= it->c.end) return 0;
    if (off) *off = hs_cursor_offset(&it->c);
    return hs_pb_varint(&it->c, v, err) ? -1 : 1;
}

/* Number of elements a field holds (packed: bytes without the continuation
 * bit), an upper bound usable for sizing before decoding. */
uint64_t hs_pb_count(const hs_pb_field *f);

/* Fail at f's key: "field N (NAME) has wire type W, expected E". */
int hs_pb_wrong_wire(const hs_pb_field *f, const char *name, uint32_t expected, hs_error *err);

#endif
