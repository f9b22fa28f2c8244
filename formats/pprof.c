/* pprof reader: a perftools.profiles.Profile protobuf (already gunzipped by
 * the source layer) into an hs_profile. Field order is free (Go writes the
 * string table last), so the top-level message is walked four times:
 *   1. strings (interned; file index -> id map), counts, wire-type checks;
 *   2. sample types, mappings, functions and the scalar fields;
 *   3. locations (need mappings and functions);
 *   4. samples (need locations), written straight into the model's arrays.
 * Invariants: every file id (mapping/function/location) is resolved through
 * an id map to a dense index, or the load fails at the offset of the field
 * naming it; no allocation exceeds what the bytes already seen can justify
 * (counts come from fields actually present, each at least 2 bytes long). */
#include "pprof.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/parallel.h"
#include "demangle.h"
#include "idmap.h"
#include "protobuf.h"

typedef unsigned long long ull;

enum {
    F_SAMPLE_TYPE = 1,
    F_SAMPLE,
    F_MAPPING,
    F_LOCATION,
    F_FUNCTION,
    F_STRING,
    F_DROP,
    F_KEEP,
    F_TIME,
    F_DURATION,
    F_PERIOD_TYPE,
    F_PERIOD,
    F_COMMENT,
    F_DEFAULT_TYPE,
    F_DOC_URL,
    F_MAX = F_DOC_URL
};

static const char *const field_names[F_MAX + 1] = {"",
                                                   "sample_type",
                                                   "sample",
                                                   "mapping",
                                                   "location",
                                                   "function",
                                                   "string_table",
                                                   "drop_frames",
                                                   "keep_frames",
                                                   "time_nanos",
                                                   "duration_nanos",
                                                   "period_type",
                                                   "period",
                                                   "comment",
                                                   "default_sample_type",
                                                   "doc_url"};

/* Expected wire type of each top-level field (comment may also be packed). */
static const uint8_t field_wire[F_MAX + 1] = {0, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0};

/* ---- decoding context --------------------------------------------------- */

/* Passes 2 and 3 want only the fields between samples: pass 1 lists them
 * as runs of adjacent fields (Go's writer puts each new location and
 * function just before the first sample that uses it). */
typedef struct byte_run {
    uint64_t begin, end;
} byte_run;

typedef struct pctx {
    hs_profile *p;
    const hs_source *src;
    hs_error *err;
    uint32_t *strmap; /* file string index -> interned id */
    uint32_t nstr, cap_str;
    uint64_t count[F_MAX + 1]; /* top-level fields seen, by number */
    uint64_t n_comments;
    uint64_t sample_bytes;
    uint64_t drop_off, keep_off;
    int64_t *row; /* one sample's values */
    hs_idmap mappings, functions, locations;
    uint64_t *marks; /* marks[k]: offset of the key of sample k * MARK_EVERY */
    uint32_t n_marks, cap_marks;
    uint64_t sample_base; /* index of this decoder's first sample, for errors */
    byte_run *runs; /* the top level minus samples, unless runs_dropped */
    uint64_t n_runs, cap_runs;
    int runs_dropped;
    uint64_t samples_end; /* end of the last sample */
    int fixed_stacks;     /* stacks[] is shared by parts: never reallocated */
    hs_demangle_mode demangle;
} pctx;

/* Samples are decoded in parts that start at marked samples; a mark every
 * 64 samples costs 1/8 byte per sample and lets small inputs split too. */
enum { MARK_EVERY = 64 };

static int oom(pctx *x, uint64_t off)
{
    return hs_error_set(x->err, x->src->name, off, "out of memory");
}

static void prefix_msg(hs_error *err, const char *prefix)
{
    if (!err) return;
    char msg[sizeof err->msg + 128];
    snprintf(msg, sizeof msg, "%s%s", prefix, err->msg);
    memcpy(err->msg, msg, sizeof err->msg - 1);
    err->msg[sizeof err->msg - 1] = 0;
}

/* Prefix the error message with the message kind and its ordinal. */
static int in_msg(pctx *x, const char *what, uint64_t index)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s %llu: ", what, (ull)index);
    prefix_msg(x->err, prefix);
    return -1;
}

static int want_wire(pctx *x, const hs_pb_field *f, uint32_t wire, const char *name)
{
    return f->wire == wire ? 0 : hs_pb_wrong_wire(f, name, wire, x->err);
}

static int varint_field(pctx *x, const hs_pb_field *f, const char *name, uint64_t *out)
{
    if (want_wire(x, f, HS_PB_VARINT, name)) return -1;
    *out = f->u;
    return 0;
}

static int str_index(pctx *x, uint64_t v, uint64_t off, uint32_t *out)
{
    if (v < x->nstr) {
        *out = x->strmap[v];
        return 0;
    }
    return hs_error_set(x->err, x->src->name, off,
                        "string index %lld out of range (string_table has %u entries)",
                        (long long)v, x->nstr);
}

static int str_field(pctx *x, const hs_pb_field *f, const char *name, uint32_t *out)
{
    if (want_wire(x, f, HS_PB_VARINT, name)) return -1;
    return str_index(x, f->u, f->key_off, out);
}

/* ---- pass 1: strings, counts, top-level wire types ---------------------- */

static int add_string(pctx *x, const hs_pb_field *f)
{
    if (x->nstr == 0 && f->u != 0)
        return hs_error_set(x->err, x->src->name, f->key_off,
                            "string_table[0] must be \"\" (it has %llu bytes)", (ull)f->u);
    if (x->nstr == x->cap_str) {
        uint32_t ncap = x->cap_str ? x->cap_str * 2 : 1024;
        if (x->cap_str >= UINT32_MAX / 2) return oom(x, f->key_off);
        uint32_t *m = realloc(x->strmap, (size_t)ncap * sizeof *m);
        if (!m) return oom(x, f->key_off);
        x->strmap = m;
        x->cap_str = ncap;
    }
    uint32_t id = hs_strtab_intern(&x->p->strings, (const char *)f->sub.buf + f->sub.pos, f->u);
    if (id == HS_STR_NONE) return oom(x, f->key_off);
    x->strmap[x->nstr++] = id;
    return 0;
}

static int add_mark(pctx *x, uint64_t off)
{
    if (x->n_marks == x->cap_marks) {
        uint32_t ncap = x->cap_marks ? x->cap_marks * 2 : 64;
        uint64_t *m = realloc(x->marks, (size_t)ncap * sizeof *m);
        if (!m) return oom(x, off);
        x->marks = m;
        x->cap_marks = ncap;
    }
    x->marks[x->n_marks++] = off;
    return 0;
}

static int scan_field(pctx *x, const hs_pb_field *f)
{
    if (f->number > F_MAX) return 0; /* unknown field: skipped */
    int packed_ok = f->number == F_COMMENT && f->wire == HS_PB_LEN;
    if (f->wire != field_wire[f->number] && !packed_ok)
        return hs_pb_wrong_wire(f, field_names[f->number], field_wire[f->number], x->err);
    x->count[f->number]++;
    switch (f->number) {
    case F_STRING:
        return add_string(x, f);
    case F_SAMPLE:
        x->sample_bytes += f->u;
        if ((x->count[F_SAMPLE] - 1) % MARK_EVERY == 0) return add_mark(x, f->key_off);
        break;
    case F_COMMENT:
        x->n_comments += hs_pb_count(f);
        break;
    case F_TIME:
        if (x->p->time_nanos != 0)
            return hs_error_set(x->err, x->src->name, f->key_off,
                                "second time_nanos field: concatenated profiles are not "
                                "supported");
        x->p->time_nanos = (int64_t)f->u;
        break;
    }
    return 0;
}

/* Note top-level field [begin, end) that is not a sample. Runs are dropped
 * (passes 2 and 3 walk everything) rather than take more than a quarter of
 * the input's size: they are only a shortcut. */
static void note_run(pctx *x, uint64_t begin, uint64_t end)
{
    if (x->runs_dropped) return;
    if (x->n_runs > 0 && x->runs[x->n_runs - 1].end == begin) {
        x->runs[x->n_runs - 1].end = end;
        return;
    }
    if (x->n_runs == x->cap_runs) {
        uint64_t ncap = x->cap_runs ? x->cap_runs * 2 : 64;
        byte_run *r = NULL;
        if (ncap * sizeof *r <= x->src->size / 4 + 4096) r = realloc(x->runs, ncap * sizeof *r);
        if (!r) {
            x->runs_dropped = 1;
            return;
        }
        x->runs = r;
        x->cap_runs = ncap;
    }
    x->runs[x->n_runs++] = (byte_run){begin, end};
}

static int pass_scan(pctx *x)
{
    hs_cursor c = hs_cursor_make(x->src);
    hs_pb_field f;
    int r;
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        if (scan_field(x, &f)) return -1;
        if (f.number == F_SAMPLE)
            x->samples_end = c.pos;
        else
            note_run(x, f.key_off, c.pos);
    }
    if (r < 0) {
        if (x->err && x->err->offset == 0) prefix_msg(x->err, "not a pprof profile: ");
        return -1;
    }
    if (x->nstr == 0)
        return hs_error_set(x->err, x->src->name, 0,
                            "not a pprof profile (no string_table; string_table[0] must be "
                            "\"\")");
    return 0;
}

/* ---- pass 2: sample types, mappings, functions, scalars ---------------- */

static int decode_value_type(pctx *x, hs_cursor c, hs_value_type *vt)
{
    hs_pb_field f;
    int r;
    memset(vt, 0, sizeof *vt);
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        if (f.number == 1 && str_field(x, &f, "ValueType.type", &vt->type)) return -1;
        if (f.number == 2 && str_field(x, &f, "ValueType.unit", &vt->unit)) return -1;
    }
    return r;
}

static int dup_or_zero(pctx *x, hs_idmap *m, uint64_t id, uint64_t msg_off, uint64_t id_off)
{
    if (id == 0)
        return hs_error_set(x->err, x->src->name, msg_off, "id 0 is reserved (missing id field)");
    int r = hs_idmap_add(m, id);
    if (r < 0) return oom(x, id_off);
    if (r > 0) return hs_error_set(x->err, x->src->name, id_off, "duplicate id %llu", (ull)id);
    return 0;
}

static int decode_mapping(pctx *x, const hs_pb_field *top)
{
    hs_cursor c = top->sub;
    hs_pb_field f;
    hs_mapping m;
    uint64_t v = 0, id_off = top->key_off;
    int r;
    memset(&m, 0, sizeof m);
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        switch (f.number) {
        case 1:
            id_off = f.key_off;
            r = varint_field(x, &f, "Mapping.id", &m.id);
            break;
        case 2:
            r = varint_field(x, &f, "Mapping.memory_start", &m.start);
            break;
        case 3:
            r = varint_field(x, &f, "Mapping.memory_limit", &m.limit);
            break;
        case 4:
            r = varint_field(x, &f, "Mapping.file_offset", &m.offset);
            break;
        case 5:
            r = str_field(x, &f, "Mapping.filename", &m.filename);
            break;
        case 6:
            r = str_field(x, &f, "Mapping.build_id", &m.build_id);
            break;
        case 7:
            r = varint_field(x, &f, "Mapping.has_functions", &v);
            m.has_functions = v != 0;
            break;
        case 8:
            r = varint_field(x, &f, "Mapping.has_filenames", &v);
            m.has_filenames = v != 0;
            break;
        case 9:
            r = varint_field(x, &f, "Mapping.has_line_numbers", &v);
            m.has_line_numbers = v != 0;
            break;
        case 10:
            r = varint_field(x, &f, "Mapping.has_inline_frames", &v);
            m.has_inline_frames = v != 0;
            break;
        default:
            r = 0;
        }
        if (r) return -1;
    }
    if (r < 0 || dup_or_zero(x, &x->mappings, m.id, top->key_off, id_off)) return -1;
    if (hs_profile_add_mapping(x->p, &m) == HS_NONE) return oom(x, top->key_off);
    return 0;
}

static int decode_function(pctx *x, const hs_pb_field *top)
{
    hs_cursor c = top->sub;
    hs_pb_field f;
    hs_function fn;
    uint64_t v = 0, id_off = top->key_off;
    int r;
    memset(&fn, 0, sizeof fn);
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        switch (f.number) {
        case 1:
            id_off = f.key_off;
            r = varint_field(x, &f, "Function.id", &fn.id);
            break;
        case 2:
            r = str_field(x, &f, "Function.name", &fn.name);
            break;
        case 3:
            r = str_field(x, &f, "Function.system_name", &fn.system_name);
            break;
        case 4:
            r = str_field(x, &f, "Function.filename", &fn.filename);
            break;
        case 5:
            r = varint_field(x, &f, "Function.start_line", &v);
            fn.start_line = (int64_t)v;
            break;
        default:
            r = 0;
        }
        if (r) return -1;
    }
    if (r < 0 || dup_or_zero(x, &x->functions, fn.id, top->key_off, id_off)) return -1;
    if (hs_profile_add_function(x->p, &fn) == HS_NONE) return oom(x, top->key_off);
    return 0;
}

static int add_comments(pctx *x, const hs_pb_field *f)
{
    hs_pb_iter it;
    uint64_t v = 0, off = 0;
    int r;
    if (hs_pb_iter_init(&it, f, "comment", x->err)) return -1;
    while ((r = hs_pb_iter_next(&it, &v, &off, x->err)) == 1) {
        if (x->p->n_comments >= x->n_comments) return oom(x, off); /* cannot happen */
        if (str_index(x, v, off, &x->p->comments[x->p->n_comments])) return -1;
        x->p->n_comments++;
    }
    return r;
}

static int meta_field(pctx *x, const hs_pb_field *f)
{
    hs_profile *p = x->p;
    switch (f->number) {
    case F_SAMPLE_TYPE:
        if (decode_value_type(x, f->sub, &p->sample_types[p->n_sample_types]))
            return in_msg(x, "sample_type", p->n_sample_types);
        p->n_sample_types++;
        return 0;
    case F_MAPPING:
        return decode_mapping(x, f) ? in_msg(x, "mapping", x->mappings.n) : 0;
    case F_FUNCTION:
        return decode_function(x, f) ? in_msg(x, "function", x->functions.n) : 0;
    case F_PERIOD_TYPE:
        return decode_value_type(x, f->sub, &p->period_type) ? in_msg(x, "period_type", 0) : 0;
    case F_DROP:
        x->drop_off = f->key_off;
        return str_index(x, f->u, f->key_off, &p->drop_frames);
    case F_KEEP:
        x->keep_off = f->key_off;
        return str_index(x, f->u, f->key_off, &p->keep_frames);
    case F_DEFAULT_TYPE:
        return str_index(x, f->u, f->key_off, &p->default_sample_type);
    case F_DOC_URL:
        return str_index(x, f->u, f->key_off, &p->doc_url);
    case F_COMMENT:
        return add_comments(x, f);
    case F_DURATION:
        p->duration_nanos = (int64_t)f->u;
        return 0;
    case F_PERIOD:
        p->period = (int64_t)f->u;
        return 0;
    }
    return 0;
}

/* ---- pass 3: locations -------------------------------------------------- */

static int decode_line(pctx *x, hs_cursor c, hs_line *ln)
{
    hs_pb_field f;
    uint64_t v = 0;
    int r;
    ln->function = HS_NONE;
    ln->line = ln->column = 0;
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        switch (f.number) {
        case 1:
            if (varint_field(x, &f, "Line.function_id", &v)) return -1;
            ln->function = v ? hs_idmap_get(&x->functions, v) : HS_NONE;
            if (v && ln->function == HS_NONE)
                return hs_error_set(x->err, x->src->name, f.key_off,
                                    "line names missing function id %llu", (ull)v);
            break;
        case 2:
            if (varint_field(x, &f, "Line.line", &v)) return -1;
            ln->line = (int64_t)v;
            break;
        case 3:
            if (varint_field(x, &f, "Line.column", &v)) return -1;
            ln->column = (int64_t)v;
            break;
        }
    }
    return r;
}

static int decode_location(pctx *x, const hs_pb_field *top)
{
    hs_profile *p = x->p;
    hs_cursor c = top->sub;
    hs_pb_field f;
    uint64_t id = 0, mapping_id = 0, v = 0, id_off = top->key_off, map_off = 0;
    hs_location loc;
    int r;
    memset(&loc, 0, sizeof loc);
    loc.line_start = p->n_lines;
    loc.mapping = HS_NONE;
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        switch (f.number) {
        case 1:
            id_off = f.key_off;
            r = varint_field(x, &f, "Location.id", &id);
            break;
        case 2:
            map_off = f.key_off;
            r = varint_field(x, &f, "Location.mapping_id", &mapping_id);
            break;
        case 3:
            r = varint_field(x, &f, "Location.address", &loc.address);
            break;
        case 4:
            if ((r = want_wire(x, &f, HS_PB_LEN, "Location.line"))) break;
            if (hs_profile_reserve(p, 0, 0, 0, 0, 1)) return oom(x, f.key_off);
            if ((r = decode_line(x, f.sub, &p->lines[p->n_lines]))) break;
            p->n_lines++;
            break;
        case 5:
            r = varint_field(x, &f, "Location.is_folded", &v);
            loc.is_folded = v != 0;
            break;
        default:
            r = 0;
        }
        if (r) return -1;
    }
    if (r < 0) return -1;
    if (mapping_id) {
        loc.mapping = hs_idmap_get(&x->mappings, mapping_id);
        if (loc.mapping == HS_NONE)
            return hs_error_set(x->err, x->src->name, map_off,
                                "location names missing mapping id %llu", (ull)mapping_id);
    }
    if (dup_or_zero(x, &x->locations, id, top->key_off, id_off)) return -1;
    loc.id = id;
    loc.n_lines = p->n_lines - loc.line_start;
    if (p->n_locations >= p->cap_locations && hs_profile_reserve(p, 0, 0, 0, 1, 0))
        return oom(x, top->key_off);
    p->locations[p->n_locations++] = loc;
    return 0;
}

/* ---- pass 4: samples ---------------------------------------------------- */

static int decode_label(pctx *x, hs_cursor c, hs_label *lb)
{
    hs_pb_field f;
    uint64_t v = 0;
    int r;
    memset(lb, 0, sizeof *lb);
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        switch (f.number) {
        case 1:
            r = str_field(x, &f, "Label.key", &lb->key);
            break;
        case 2:
            r = str_field(x, &f, "Label.str", &lb->str);
            break;
        case 3:
            r = varint_field(x, &f, "Label.num", &v);
            lb->num = (int64_t)v;
            break;
        case 4:
            r = str_field(x, &f, "Label.num_unit", &lb->num_unit);
            break;
        default:
            r = 0;
        }
        if (r) return -1;
    }
    return r;
}

/* Fast path for a packed run when locations are numbered 1..n or mapped
 * by a direct array: varints of up to 3 bytes wholly inside the run,
 * resolved by subtraction or one load. Returns the number of bytes
 * consumed; stops early (for the general loop to finish, with exact
 * errors) at anything else. */
static size_t packed_fast_locs(pctx *x, const uint8_t *b, size_t len)
{
    hs_profile *p = x->p;
    if (len == 0) return 0; /* stacks may not be allocated yet */
    const hs_idmap *m = &x->locations;
    const uint32_t *direct = m->identity ? NULL : m->direct; /* direct[0] is HS_NONE */
    uint64_t limit = m->identity ? m->n : m->max_id;
    uint32_t *dst = p->stacks + p->n_stacks;
    const uint8_t *q = b, *end = b + len;
    while (q < end) {
        uint32_t v = q[0];
        const uint8_t *next = q + 1;
        if (v >= 0x80) {
            if (next < end && next[0] < 0x80) {
                v = (v & 0x7f) | (uint32_t)next[0] << 7;
                next += 1;
            } else if (end - next >= 2 && next[1] < 0x80) {
                v = (v & 0x7f) | (uint32_t)(next[0] & 0x7f) << 7 | (uint32_t)next[1] << 14;
                next += 2;
            } else {
                break; /* ids from 2^21 on */
            }
        }
        if (v - 1u >= limit) break; /* 0 or beyond the last id */
        uint32_t idx = direct ? direct[v] : v - 1;
        if (idx == HS_NONE) break;
        *dst++ = idx;
        q = next;
    }
    p->n_stacks = (uint32_t)(dst - p->stacks);
    return (size_t)(q - b);
}

static int sample_locations(pctx *x, const hs_pb_field *f)
{
    hs_profile *p = x->p;
    hs_pb_iter it;
    uint64_t v = 0, off = 0;
    int r;
    if (hs_pb_iter_init(&it, f, "Sample.location_id", x->err)) return -1;
    uint64_t n = f->wire == HS_PB_LEN ? f->u : 1; /* >= 1 byte per element */
    if (p->n_stacks + n > p->cap_stacks) {
        if (x->fixed_stacks) /* cannot happen: a part's bytes bound its entries */
            return hs_error_set(x->err, x->src->name, f->key_off, "stack bound exceeded");
        if (hs_profile_reserve(p, 0, n, 0, 0, 0)) return oom(x, f->key_off);
    }
    if (f->wire == HS_PB_LEN && (x->locations.identity || x->locations.direct))
        it.c.pos += packed_fast_locs(x, it.c.buf + it.c.pos, it.c.end - it.c.pos);
    while ((r = hs_pb_iter_next(&it, &v, &off, x->err)) == 1) {
        uint32_t idx = hs_idmap_get(&x->locations, v);
        if (idx == HS_NONE)
            return hs_error_set(x->err, x->src->name, off, "sample names missing location id %llu",
                                (ull)v);
        p->stacks[p->n_stacks++] = idx;
    }
    return r;
}

static int sample_values(pctx *x, const hs_pb_field *f, uint32_t *nv)
{
    hs_pb_iter it;
    uint64_t v = 0;
    int r;
    uint32_t nt = x->p->n_sample_types;
    if (hs_pb_iter_init(&it, f, "Sample.value", x->err)) return -1;
    while ((r = hs_pb_iter_next(&it, &v, NULL, x->err)) == 1) {
        if (*nv < nt) x->row[*nv] = (int64_t)v;
        if (*nv < UINT32_MAX) (*nv)++;
    }
    return r;
}

/* A label of varint fields with one-byte keys and string indices in range,
 * into *lb; 0 (lb undefined) for anything else. */
static int label_fast(pctx *x, hs_cursor c, hs_label *lb)
{
    memset(lb, 0, sizeof *lb);
    while (c.pos < c.end) {
        uint8_t key = c.buf[c.pos++];
        uint64_t v;
        if (hs_pb_varint(&c, &v, NULL)) return 0;
        if (key == (3 << 3 | HS_PB_VARINT)) {
            lb->num = (int64_t)v;
            continue;
        }
        if (v >= x->nstr) return 0;
        if (key == (1 << 3 | HS_PB_VARINT)) lb->key = x->strmap[v];
        else if (key == (2 << 3 | HS_PB_VARINT)) lb->str = x->strmap[v];
        else if (key == (4 << 3 | HS_PB_VARINT)) lb->num_unit = x->strmap[v];
        else return 0;
    }
    return 1;
}

/* One Sample.label; pprof keeps a label only if it has a string or a
 * number/unit. */
static int sample_label(pctx *x, hs_cursor c, uint64_t key_off)
{
    hs_profile *p = x->p;
    if (p->n_labels_total >= p->cap_labels && hs_profile_reserve(p, 0, 0, 1, 0, 0))
        return oom(x, key_off);
    hs_label *lb = &p->labels[p->n_labels_total];
    if (!label_fast(x, c, lb) && decode_label(x, c, lb)) return -1;
    if (lb->str || lb->num || lb->num_unit) p->n_labels_total++;
    return 0;
}

/* A sample's fields, any shape; the values go to x->row, counted in *nv. */
static int sample_fields(pctx *x, hs_cursor c, uint32_t *nv)
{
    hs_pb_field f;
    int r;
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        switch (f.number) {
        case 1:
            r = sample_locations(x, &f);
            break;
        case 2:
            r = sample_values(x, &f, nv);
            break;
        case 3:
            r = want_wire(x, &f, HS_PB_LEN, "Sample.label") || sample_label(x, f.sub, f.key_off);
            break;
        default:
            r = 0;
        }
        if (r) return -1;
    }
    return r;
}

/* Packed values in c, at most the profile's count. */
static int values_fast(pctx *x, hs_cursor c, uint32_t *nv)
{
    uint32_t nt = x->p->n_sample_types;
    while (c.pos < c.end) {
        uint64_t v;
        if (hs_pb_varint(&c, &v, NULL) || *nv >= nt) return 0;
        x->row[(*nv)++] = (int64_t)v;
    }
    return 1;
}

/* The fields of a sample as writers emit them: packed location ids that
 * packed_fast_locs resolves, packed values, labels; one-byte keys, lengths
 * of at most two bytes, room reserved. Returns 1 when it decoded all of
 * them; 0 leaves the sample to sample_fields (after the caller resets the
 * runs), which reports any error exactly. */
static int sample_fields_fast(pctx *x, const hs_cursor *c, uint32_t *nv)
{
    hs_profile *p = x->p;
    const uint8_t *b = c->buf + c->pos;
    size_t len = c->end - c->pos, i = 0;
    if (!x->locations.identity && !x->locations.direct) return 0;
    while (i < len) {
        if (len - i < 2) return 0;
        uint8_t key = b[i];
        size_t n = b[i + 1];
        i += 2;
        if (n >= 0x80) {
            if (i >= len || b[i] >= 0x80) return 0;
            n = (n & 0x7f) | (size_t)b[i++] << 7;
        }
        if (n > len - i) return 0;
        hs_cursor fc = *c; /* the field's payload */
        fc.pos = c->pos + i;
        fc.end = fc.pos + n;
        switch (key) {
        case 1 << 3 | HS_PB_LEN:
            if (p->n_stacks + n > p->cap_stacks || packed_fast_locs(x, b + i, n) != n) return 0;
            break;
        case 2 << 3 | HS_PB_LEN:
            if (!values_fast(x, fc, nv)) return 0;
            break;
        case 3 << 3 | HS_PB_LEN:
            if (sample_label(x, fc, 0)) return 0;
            break;
        default:
            return 0;
        }
        i += n;
    }
    return 1;
}

static int decode_sample(pctx *x, const hs_pb_field *top)
{
    hs_profile *p = x->p;
    uint32_t nv = 0, nt = p->n_sample_types;
    hs_sample s = {p->n_stacks, 0, p->n_labels_total, 0};
    if (!sample_fields_fast(x, &top->sub, &nv)) {
        p->n_stacks = s.stack_start;
        p->n_labels_total = s.label_start;
        nv = 0;
        if (sample_fields(x, top->sub, &nv)) return -1;
    }
    if (nv != nt)
        return hs_error_set(x->err, x->src->name, top->key_off,
                            "%u values, but the profile has %u sample types", nv, nt);
    if (p->n_samples >= p->cap_samples && hs_profile_reserve(p, 1, 0, 0, 0, 0))
        return oom(x, top->key_off);
    s.n_stack = p->n_stacks - s.stack_start;
    s.n_labels = p->n_labels_total - s.label_start;
    p->samples[p->n_samples] = s;
    if (nt) memcpy(p->values + (size_t)p->n_samples * nt, x->row, nt * sizeof *x->row);
    p->n_samples++;
    return 0;
}

/* ---- passes 2..4 over the top level ------------------------------------- */

enum { PASS_META, PASS_LOCATIONS, PASS_SAMPLES };

/* Walk the top-level fields in [begin, end) (field boundaries, checked by
 * pass 1) and decode those of one kind. */
static int pass_range(pctx *x, int which, uint64_t begin, uint64_t end)
{
    hs_cursor c = hs_cursor_make(x->src);
    c.pos = begin;
    c.end = end;
    hs_pb_field f;
    int r;
    while ((r = hs_pb_next(&c, &f, x->err)) == 1) {
        if (which == PASS_META) {
            if (meta_field(x, &f)) return -1;
        } else if (which == PASS_LOCATIONS && f.number == F_LOCATION) {
            if (decode_location(x, &f)) return in_msg(x, "location", x->p->n_locations);
        } else if (which == PASS_SAMPLES && f.number == F_SAMPLE) {
            if (decode_sample(x, &f)) return in_msg(x, "sample", x->sample_base + x->p->n_samples);
        }
    }
    return r;
}

/* Passes 2 and 3: every field but samples. */
static int pass_between_samples(pctx *x, int which)
{
    if (x->runs_dropped) return pass_range(x, which, 0, x->src->size);
    for (uint64_t i = 0; i < x->n_runs; i++)
        if (pass_range(x, which, x->runs[i].begin, x->runs[i].end)) return -1;
    return 0;
}

/* ---- pass 4 in parts ------------------------------------------------------
 * Each part decodes into a profile of its own (same sample types, same
 * read-only string and location maps) whose rows are borrowed. A part
 * starts at a marked sample, so its first sample's index is known and an
 * error names the same sample as a serial decode would; the lowest failing
 * part's error is reported. Sample and value rows are written in place.
 * Stack entries are too: a location id takes at least one byte of its
 * part's bytes, so part i's entries start at its byte distance from the
 * first sample, beyond anything an earlier part can write. The unused runs
 * between parts are never touched (not resident); a sample names its run,
 * and nothing reads stacks[] outside runs. Label entries, rare and larger,
 * go into arrays of the part's own and are appended in part order. */
typedef struct sample_part {
    pctx x;
    hs_profile prof;
    hs_error err;
    uint64_t begin, end; /* byte range */
    uint64_t stack_base; /* first stacks[] entry it may write */
    int rc;
} sample_part;

static int run_sample_part(void *arg, unsigned i)
{
    sample_part *pt = (sample_part *)arg + i;
    pt->rc = pass_range(&pt->x, PASS_SAMPLES, pt->begin, pt->end);
    return pt->rc;
}

/* Part pt decodes samples [first, first + n) into p's rows from p's. */
static int setup_part(pctx *x, sample_part *pt, uint64_t first, uint64_t n)
{
    hs_profile *p = x->p, *q = &pt->prof;
    uint32_t nt = p->n_sample_types;
    pt->x = *x;
    pt->x.err = &pt->err;
    pt->x.p = q;
    pt->x.sample_base = first;
    pt->x.row = calloc(nt ? nt : 1, sizeof *pt->x.row);
    hs_profile_init(q);
    if (!pt->x.row || hs_profile_set_sample_types(q, p->sample_types, nt))
        return oom(x, pt->begin);
    q->samples = p->samples + first;
    q->values = p->values + first * (nt ? nt : 1);
    q->cap_samples = (uint32_t)n;
    q->stacks = p->stacks + pt->stack_base;
    q->cap_stacks = (uint32_t)(pt->end - pt->begin);
    pt->x.fixed_stacks = 1;
    return 0;
}

static void free_part(sample_part *pt)
{
    pt->prof.samples = NULL; /* borrowed from the profile */
    pt->prof.values = NULL;
    pt->prof.stacks = NULL;
    hs_profile_free(&pt->prof);
    free(pt->x.row);
}

/* Add part's label entries after p's, rebase its samples' runs. An empty
 * stack run is moved to 0: at its part's base it could lie past n_stacks
 * when no later entry was written. */
static int append_part(pctx *x, const sample_part *pt)
{
    hs_profile *p = x->p;
    const hs_profile *q = &pt->prof;
    if (hs_profile_reserve(p, 0, 0, q->n_labels_total, 0, 0)) return oom(x, 0);
    for (uint32_t i = 0; i < q->n_samples; i++) {
        hs_sample *s = &q->samples[i];
        s->stack_start = s->n_stack ? s->stack_start + (uint32_t)pt->stack_base : 0;
        s->label_start += p->n_labels_total;
    }
    if (q->n_labels_total) /* a part with no labels may have no array */
        memcpy(p->labels + p->n_labels_total, q->labels,
               (size_t)q->n_labels_total * sizeof *q->labels);
    p->n_samples += q->n_samples;
    if (q->n_stacks) p->n_stacks = (uint32_t)pt->stack_base + q->n_stacks;
    p->n_labels_total += q->n_labels_total;
    return 0;
}

/* Parts write into the sample rows and stacks, so all must be reserved
 * before they start: rows unless samples are too short to hold their
 * values, stacks unless the bytes from the first sample on exceed 32-bit
 * indices. Otherwise the samples are decoded in one part. Huge pages pay
 * (fewer faults) once the span dwarfs the <= 2 partly used ones per part. */
static int reserve_for_parts(pctx *x, unsigned n_parts)
{
    hs_profile *p = x->p;
    uint64_t span = x->samples_end - x->marks[0];
    if (p->cap_samples < x->count[F_SAMPLE] || p->n_stacks || span >= UINT32_MAX / 2) return 0;
    int huge = span * sizeof *p->stacks >= (uint64_t)n_parts * (64u << 20);
    return hs_profile_reserve_stack_span(p, span, huge) == 0;
}

static int pass_samples(pctx *x)
{
    unsigned n = hs_par_parts(x->n_marks, 256, x->p->threads); /* parts of >= 16384 samples */
    if (x->count[F_SAMPLE] == 0) return 0;
    if (n <= 1 || !reserve_for_parts(x, n))
        return pass_range(x, PASS_SAMPLES, x->marks[0], x->samples_end);
    sample_part part[HS_PAR_MAX_PARTS];
    memset(part, 0, sizeof part);
    int rc = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t m0, m1;
        hs_par_range(x->n_marks, n, i, &m0, &m1);
        part[i].begin = x->marks[m0];
        part[i].end = i + 1 == n ? x->samples_end : x->marks[m1];
        part[i].stack_base = part[i].begin - x->marks[0];
        uint64_t last = i + 1 == n ? x->count[F_SAMPLE] : m1 * MARK_EVERY;
        if (!rc) rc = setup_part(x, &part[i], m0 * MARK_EVERY, last - m0 * MARK_EVERY);
    }
    if (!rc) rc = hs_par_run(n, run_sample_part, part);
    for (unsigned i = 0; rc && i < n; i++)
        if (part[i].rc) { /* the first failing part's error: a serial decode's */
            if (x->err) *x->err = part[i].err;
            break;
        }
    for (unsigned i = 0; i < n; i++) {
        if (!rc) rc = append_part(x, &part[i]);
        free_part(&part[i]);
    }
    return rc;
}

/* Allocations sized from pass-1 counts (each counted field took >= 2 bytes). */
static int presize(pctx *x)
{
    hs_profile *p = x->p;
    uint64_t nt = x->count[F_SAMPLE_TYPE];
    free(p->sample_types);
    p->sample_types = calloc(nt ? nt : 1, sizeof *p->sample_types);
    p->comments = calloc(x->n_comments ? x->n_comments : 1, sizeof *p->comments);
    x->row = calloc(nt ? nt : 1, sizeof *x->row);
    if (!p->sample_types || !p->comments || !x->row) return oom(x, 0);
    hs_idmap_init(&x->mappings, (uint32_t)x->count[F_MAPPING]);
    hs_idmap_init(&x->functions, (uint32_t)x->count[F_FUNCTION]);
    hs_idmap_init(&x->locations, (uint32_t)x->count[F_LOCATION]);
    return 0;
}

/* After pass 2 the sample types are known: reserve the sample arrays. A
 * valid sample holds nt values of >= 1 byte, so at most sample_bytes / nt
 * samples can be valid; never reserve rows beyond that. */
static int presize_samples(pctx *x)
{
    uint64_t n = x->count[F_SAMPLE], nt = x->p->n_sample_types;
    if (nt && n > x->sample_bytes / nt) n = x->sample_bytes / nt;
    if (hs_profile_reserve(x->p, n, 0, 0, x->count[F_LOCATION], 0)) return oom(x, 0);
    return 0;
}

static int load(pctx *x)
{
    hs_profile *p = x->p;
    if (x->src->size == 0) return hs_error_set(x->err, x->src->name, 0, "empty input");
    hs_strtab_free(&p->strings);
    hs_strtab_init(&p->strings);
    snprintf(p->format, sizeof p->format, "pprof");
    if (pass_scan(x)) return -1;
    for (int i = 1; i <= F_MAX; i++)
        if (x->count[i] > UINT32_MAX / 2)
            return hs_error_set(x->err, x->src->name, 0, "too many %s entries (%llu)",
                                field_names[i], (ull)x->count[i]);
    if (presize(x) || pass_between_samples(x, PASS_META) || presize_samples(x) ||
        pass_between_samples(x, PASS_LOCATIONS))
        return -1;
    hs_idmap_make_direct(&x->locations);
    if (pass_samples(x)) return -1;
    /* As pprof: names are symbolized (demangled) before frames are pruned. */
    if (hs_demangle_profile(p, x->demangle, x->err)) return -1;
    if (hs_pprof_prune(p, x->err)) {
        if (x->err) {
            int keep = strncmp(x->err->msg, "keep_frames", 11) == 0;
            x->err->offset = keep ? x->keep_off : x->drop_off;
            snprintf(x->err->file, sizeof x->err->file, "%s", x->src->name);
        }
        return -1;
    }
    return 0;
}

static int pprof_load(const hs_source *src, const hs_load_options *opt, hs_profile *out,
                      hs_error *err)
{
    pctx x;
    memset(&x, 0, sizeof x);
    x.p = out;
    x.src = src;
    x.err = err;
    if (opt) out->threads = opt->threads;
    x.demangle = opt ? opt->demangle : HS_DEMANGLE_SHORT;
    int r = load(&x);
    free(x.strmap);
    free(x.row);
    free(x.marks);
    free(x.runs);
    hs_idmap_free(&x.mappings);
    hs_idmap_free(&x.functions);
    hs_idmap_free(&x.locations);
    return r;
}

/* ---- probe --------------------------------------------------------------- */

int hs_pprof_probe(const uint8_t *data, size_t size)
{
    hs_cursor c = {data, 0, size, 0, ""};
    hs_pb_field f;
    int r, n = 0, known = 0, unknown = 0, strings = 0, types = 0;
    while (n < 4096 && (r = hs_pb_next(&c, &f, NULL)) == 1) {
        n++;
        if (f.number > F_MAX) {
            unknown++;
            continue;
        }
        if (f.wire != field_wire[f.number] && !(f.number == F_COMMENT && f.wire == HS_PB_LEN))
            return 0;
        if (f.number == F_STRING && strings++ == 0 && f.u != 0) return 0;
        types += f.number == F_SAMPLE_TYPE;
        known++;
    }
    /* Damage after a plausible start: still ours, so the reader names the
     * exact offset instead of "not a recognised format". */
    if (n < 4096 && r < 0) return types && known >= 8 ? 30 : 0;
    if (known == 0 || unknown > known) return 0;
    int score = 40 + (strings ? 25 : 0) + (types ? 25 : 0) + (n < 4096 ? 5 : 0);
    return score - (unknown ? 10 : 0);
}

const hs_reader hs_reader_pprof = {
    .name = "pprof",
    .kind = HS_MODEL_PROFILE,
    .probe = hs_pprof_probe,
    .load_profile = pprof_load,
    .load_heap = NULL,
};

/* ---- drop_frames / keep_frames (pprof profile/prune.go semantics) ------- */

size_t hs_pprof_simplify_func(const char *name, size_t *start)
{
    static const char anon[] = "(anonymous namespace)", opcall[] = "operator()";
    size_t b = name[0] == '.' ? 1 : 0, i = b;
    while (name[i]) {
        if (strncmp(name + i, anon, sizeof anon - 1) == 0)
            i += sizeof anon - 1;
        else if (strncmp(name + i, opcall, sizeof opcall - 1) == 0)
            i += sizeof opcall - 1;
        else if (name[i] == '(')
            break;
        else
            i++;
    }
    *start = b;
    return i - b;
}

static int compile_full(regex_t *rx, const char *pat, const char *what, hs_error *err)
{
    size_t n = strlen(pat);
    char *full = malloc(n + 5);
    if (!full) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    snprintf(full, n + 5, "^(%s)$", pat);
    int rc = regcomp(rx, full, REG_EXTENDED | REG_NOSUB);
    free(full);
    if (rc == 0) return 0;
    char msg[200];
    regerror(rc, rx, msg, sizeof msg);
    return hs_error_set(err, NULL, HS_NO_OFFSET,
                        "%s \"%.100s\" is not a usable regular expression: %s", what, pat, msg);
}

/* 1 when function fn's simplified name matches drop and not keep. */
static int func_pruned(const hs_profile *p, uint32_t fn, const regex_t *drop, const regex_t *keep,
                       char **buf, size_t *cap)
{
    const char *name = hs_profile_str(p, p->functions[fn].name);
    size_t start, len = hs_pprof_simplify_func(name, &start);
    if (len + 1 > *cap) {
        char *nb = realloc(*buf, len + 1);
        if (!nb) return -1;
        *buf = nb;
        *cap = len + 1;
    }
    memcpy(*buf, name + start, len);
    (*buf)[len] = 0;
    if (regexec(drop, *buf, 0, NULL, 0) != 0) return 0;
    return !keep || regexec(keep, *buf, 0, NULL, 0) != 0;
}

/* fstate per function: 0 unknown, 1 kept, 2 pruned. */
static int mark_functions(hs_profile *p, const regex_t *drop, const regex_t *keep, uint8_t *fstate)
{
    char *buf = NULL;
    size_t cap = 0;
    for (uint32_t i = 0; i < p->n_functions; i++) {
        if (hs_profile_str(p, p->functions[i].name)[0] == 0) {
            fstate[i] = 1;
            continue;
        }
        int r = func_pruned(p, i, drop, keep, &buf, &cap);
        if (r < 0) {
            free(buf);
            return -1;
        }
        fstate[i] = r ? 2 : 1;
    }
    free(buf);
    return 0;
}

/* lstate per location: 0 keep, 1 prune beneath (lines trimmed), 2 prune. */
static void mark_locations(hs_profile *p, const uint8_t *fstate, uint8_t *lstate)
{
    for (uint32_t l = 0; l < p->n_locations; l++) {
        hs_location *loc = &p->locations[l];
        int64_t i;
        for (i = (int64_t)loc->n_lines - 1; i >= 0; i--) {
            uint32_t fn = p->lines[loc->line_start + i].function;
            if (fn != HS_NONE && fstate[fn] == 2) break;
        }
        if (i < 0) continue;
        if (i == (int64_t)loc->n_lines - 1) {
            lstate[l] = 2;
        } else {
            lstate[l] = 1;
            loc->line_start += (uint32_t)i + 1;
            loc->n_lines -= (uint32_t)i + 1;
        }
    }
}

static void prune_samples(hs_profile *p, const uint8_t *lstate)
{
    for (uint32_t s = 0; s < p->n_samples; s++) {
        hs_sample *sm = &p->samples[s];
        int found_user = 0;
        for (int64_t i = (int64_t)sm->n_stack - 1; i >= 0; i--) {
            uint8_t st = lstate[p->stacks[sm->stack_start + i]];
            if (st == 0) {
                found_user = 1;
                continue;
            }
            if (!found_user) continue;
            uint32_t cut = (uint32_t)i + (st == 2 ? 1 : 0);
            sm->stack_start += cut;
            sm->n_stack -= cut;
            break;
        }
    }
}

int hs_pprof_prune(hs_profile *p, hs_error *err)
{
    const char *drop_s = hs_profile_str(p, p->drop_frames);
    const char *keep_s = hs_profile_str(p, p->keep_frames);
    if (!drop_s[0]) return 0;
    regex_t drop, keep;
    if (compile_full(&drop, drop_s, "drop_frames", err)) return -1;
    if (keep_s[0] && compile_full(&keep, keep_s, "keep_frames", err)) {
        regfree(&drop);
        return -1;
    }
    uint8_t *fstate = calloc(p->n_functions + 1, 1);
    uint8_t *lstate = calloc(p->n_locations + 1, 1);
    int r = -1;
    if (fstate && lstate && mark_functions(p, &drop, keep_s[0] ? &keep : NULL, fstate) == 0) {
        mark_locations(p, fstate, lstate);
        prune_samples(p, lstate);
        r = 0;
    } else {
        hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    }
    free(fstate);
    free(lstate);
    regfree(&drop);
    if (keep_s[0]) regfree(&keep);
    return r;
}

/* ---- pprof's frames to drop from the profiles of its legacy parsers ------ */

/* Its addLegacyFrameInfo: allocator frames from heap profiles, lock
 * frames from contention profiles, the CPU profiler's own from others. */
static const char legacy_alloc_rx[] =
    "calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|pvalloc|valloc|realloc|"
    "tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|tc_posix_memalign|tc_pvalloc|"
    "tc_valloc|tc_realloc|tc_new|tc_delete|tc_newarray|tc_deletearray|tc_new_nothrow|"
    "tc_newarray_nothrow|malloc_zone_malloc|malloc_zone_calloc|malloc_zone_valloc|"
    "malloc_zone_realloc|malloc_zone_memalign|malloc_zone_free|runtime\\..*|BaseArena::.*|"
    "(::)?do_malloc_no_errno|(::)?do_malloc_pages|(::)?do_malloc|DoSampledAllocation|"
    "MallocedMemBlock::MallocedMemBlock|_M_allocate|__builtin_(vec_)?delete|"
    "__builtin_(vec_)?new|__gnu_cxx::new_allocator::allocate|__libc_malloc|"
    "__malloc_alloc_template::allocate|allocate|cpp_alloc|operator new(\\[\\])?|"
    "simple_alloc::allocate";
static const char legacy_alloc_keep_rx[] = "runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*";
static const char legacy_cpu_rx[] =
    "ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|"
    "__restore";
static const char legacy_lock_rx[] =
    "RecordLockProfileData|(base::)?RecordLockProfileData.*|(base::)?SubmitMutexProfileData.*|"
    "(base::)?SubmitSpinLockProfileData.*|(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|"
    "(base::Mutex::)?UnlockSlow.*|(base::Mutex::)?ReaderUnlock.*|(base::MutexLock::)?~MutexLock.*|"
    "(Mutex::)?AwaitCommon.*|(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|"
    "(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|(SpinLock::)?SlowUnlock.*|"
    "(SpinLockHolder::)?~SpinLockHolder.*";

/* Whether p's sample types are exactly the space-separated list types. */
static int types_are(const hs_profile *p, const char *types)
{
    uint32_t i = 0;
    for (const char *t = types; *t; i++) {
        size_t n = strcspn(t, " ");
        if (i >= p->n_sample_types) return 0;
        const char *have = hs_profile_str(p, p->sample_types[i].type);
        if (strlen(have) != n || strncmp(have, t, n) != 0) return 0;
        t += n + (t[n] == ' ');
    }
    return i == p->n_sample_types;
}

int hs_pprof_legacy_frames(hs_profile *p, hs_error *err)
{
    static const char *const heapz[] = {"allocations size", "objects space",
                                        "inuse_objects inuse_space", "alloc_objects alloc_space",
                                        "alloc_objects alloc_space inuse_objects inuse_space"};
    const char *drop = legacy_cpu_rx, *keep = "";
    for (size_t i = 0; i < sizeof heapz / sizeof *heapz; i++)
        if (types_are(p, heapz[i])) drop = legacy_alloc_rx, keep = legacy_alloc_keep_rx;
    if (types_are(p, "contentions delay")) drop = legacy_lock_rx;
    p->drop_frames = hs_profile_intern(p, drop);
    p->keep_frames = hs_profile_intern(p, keep);
    if (p->drop_frames == HS_STR_NONE || p->keep_frames == HS_STR_NONE)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    return 0;
}
