/* Protocol-buffer wire decoding: keys, varints, fixed values, length-
 * delimited payloads and packed/unpacked repeated varints (see protobuf.h).
 * Invariant: a failed call leaves an error naming the first offending byte
 * (a field's key, or a varint's first byte) and never reads past c->end. */
#include "protobuf.h"

#include <stdio.h>

typedef unsigned long long ull;

int hs_pb_varint_slow(hs_cursor *c, uint64_t *out, hs_error *err)
{
    size_t start = c->pos;
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (c->pos >= c->end) {
            c->pos = start;
            return hs_cursor_fail(c, err, "truncated varint");
        }
        uint8_t b = c->buf[c->pos++];
        if (i == 9 && b > 1) {
            c->pos = start;
            return hs_cursor_fail(c, err, "bad varint (overflows 64 bits)");
        }
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    c->pos = start;
    return hs_cursor_fail(c, err, "bad varint (longer than 10 bytes)");
}

int hs_pb_next(hs_cursor *c, hs_pb_field *f, hs_error *err)
{
    if (c->pos >= c->end) return 0;
    f->key_off = hs_cursor_offset(c);
    f->file = c->name;
    size_t key_pos = c->pos;
    uint64_t key;
    if (hs_pb_varint(c, &key, err)) return -1;
    f->wire = (uint32_t)(key & 7);
    uint64_t number = key >> 3;
    if (number == 0 || number > 0x1fffffff) {
        c->pos = key_pos;
        return hs_error_set(err, c->name, f->key_off, "invalid field number %llu (wire type %u)",
                            (ull)number, f->wire);
    }
    f->number = (uint32_t)number;
    switch (f->wire) {
    case HS_PB_VARINT:
        if (hs_pb_varint(c, &f->u, err)) break;
        return 1;
    case HS_PB_FIXED64:
        if (hs_cursor_left(c) < 8) {
            hs_error_set(err, c->name, f->key_off,
                         "truncated fixed64 value of field %llu (%zu bytes left)", (ull)number,
                         hs_cursor_left(c));
            break;
        }
        hs_cursor_le64(c, &f->u, err);
        return 1;
    case HS_PB_FIXED32: {
        uint32_t v;
        if (hs_cursor_left(c) < 4) {
            hs_error_set(err, c->name, f->key_off,
                         "truncated fixed32 value of field %llu (%zu bytes left)", (ull)number,
                         hs_cursor_left(c));
            break;
        }
        hs_cursor_le32(c, &v, err);
        f->u = v;
        return 1;
    }
    case HS_PB_LEN:
        if (hs_pb_varint(c, &f->u, err)) break;
        if (f->u > hs_cursor_left(c)) {
            hs_error_set(
                err, c->name, f->key_off,
                "length %llu of field %llu runs past the end of its message (%zu bytes left)",
                (ull)f->u, (ull)number, hs_cursor_left(c));
            break;
        }
        f->sub.buf = c->buf;
        f->sub.pos = c->pos;
        f->sub.end = c->pos + (size_t)f->u;
        f->sub.base_off = c->base_off;
        f->sub.name = c->name;
        c->pos = f->sub.end;
        return 1;
    default:
        c->pos = key_pos;
        return hs_error_set(err, c->name, f->key_off, "unknown wire type %u (field %llu)", f->wire,
                            (ull)number);
    }
    c->pos = key_pos;
    return -1;
}

int hs_pb_iter_init(hs_pb_iter *it, const hs_pb_field *f, const char *name, hs_error *err)
{
    if (f->wire == HS_PB_VARINT) {
        it->c.buf = NULL;
        it->c.pos = it->c.end = 0;
        it->c.base_off = 0;
        it->c.name = f->file;
        it->single = f->u;
        it->single_off = f->key_off;
        it->has_single = 1;
        return 0;
    }
    if (f->wire == HS_PB_LEN) {
        it->c = f->sub;
        it->has_single = 0;
        return 0;
    }
    return hs_pb_wrong_wire(f, name, HS_PB_LEN, err);
}

uint64_t hs_pb_count(const hs_pb_field *f)
{
    if (f->wire != HS_PB_LEN) return 1;
    uint64_t n = 0;
    for (size_t i = f->sub.pos; i < f->sub.end; i++)
        n += f->sub.buf[i] < 0x80;
    return n;
}

int hs_pb_wrong_wire(const hs_pb_field *f, const char *name, uint32_t expected, hs_error *err)
{
    static const char *const names[8] = {
        "varint", "fixed64", "length-delimited", "group start", "group end", "fixed32", "6", "7"};
    char msg[160];
    snprintf(msg, sizeof msg, "field %u (%s) has wire type %u (%s), expected %u (%s)", f->number,
             name, f->wire, names[f->wire & 7], expected, names[expected & 7]);
    return hs_error_set(err, f->file, f->key_off, "%s", msg);
}
