/* --fail-if gates of profile and heap diffs: parse "METRIC[.COLUMN] OP VALUE"
 * (see analysis.h for the grammar) and evaluate it on numbers the caller
 * supplies. A signed value is a change, an unsigned one a level of AFTER, a
 * percentage a change relative to BEFORE's total. Sizes use binary multiples;
 * K/KB/M/MB/... are read as KiB/MiB/... because that is what pprof means by
 * them (hs_size_parse reads option sizes with the same table). Evaluation
 * only measures; the words of the verdict are the renderer's job. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/internal.h"
#include "heapscan/heap_analysis.h"

typedef struct unit_def {
    const char *name;
    hs_unit_class cls;
    double factor;
} unit_def;

static const unit_def units[] = {
    {"B", HS_UNIT_BYTES, 1},
    {"KiB", HS_UNIT_BYTES, 1024.0},
    {"KB", HS_UNIT_BYTES, 1024.0},
    {"K", HS_UNIT_BYTES, 1024.0},
    {"MiB", HS_UNIT_BYTES, 1048576.0},
    {"MB", HS_UNIT_BYTES, 1048576.0},
    {"M", HS_UNIT_BYTES, 1048576.0},
    {"GiB", HS_UNIT_BYTES, 1073741824.0},
    {"GB", HS_UNIT_BYTES, 1073741824.0},
    {"G", HS_UNIT_BYTES, 1073741824.0},
    {"TiB", HS_UNIT_BYTES, 1099511627776.0},
    {"TB", HS_UNIT_BYTES, 1099511627776.0},
    {"T", HS_UNIT_BYTES, 1099511627776.0},
    {"ns", HS_UNIT_NANOS, 1},
    {"us", HS_UNIT_NANOS, 1e3},
    {"ms", HS_UNIT_NANOS, 1e6},
    {"s", HS_UNIT_NANOS, 1e9},
    {"min", HS_UNIT_NANOS, 60e9},
    {"h", HS_UNIT_NANOS, 3600e9},
};

hs_unit_class hs_unit_classify(const char *unit)
{
    if (!strcasecmp(unit, "bytes") || !strcasecmp(unit, "byte") || !strcasecmp(unit, "b"))
        return HS_UNIT_BYTES;
    if (!strcasecmp(unit, "nanoseconds") || !strcasecmp(unit, "nanosecond") ||
        !strcasecmp(unit, "ns"))
        return HS_UNIT_NANOS;
    return HS_UNIT_COUNT;
}

static const char *const class_names[] = {"a plain number", "bytes", "time"};

static int bad(hs_error *err, const char *expr, const char *why)
{
    return hs_error_set(err, "--fail-if", HS_NO_OFFSET, "'%s': %s", expr, why);
}

/* The unit named by u: exact spelling first, then byte units in any case
 * ("mib", "kb"). Time units are exact, so "m" and "M" both stay MiB and
 * minutes are "min". */
static const unit_def *find_unit(const char *u)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(u, units[i].name) == 0) return &units[i];
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].cls == HS_UNIT_BYTES && strcasecmp(u, units[i].name) == 0) return &units[i];
    return NULL;
}

int hs_size_parse(const char *s, uint64_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s) && *s != '.') return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || !isfinite(v) || end == s) return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end) {
        const unit_def *u = find_unit(end);
        if (!u || u->cls != HS_UNIT_BYTES) return -1;
        v *= u->factor;
    }
    if (v >= 18446744073709551615.0) return -1;
    *out = (uint64_t)(v + 0.5);
    return 0;
}

/* ".COLUMN" after the metric, when the caller has columns. */
static int parse_column(const char **p, const char *const *columns, uint32_t n, hs_gate *out,
                        hs_error *err, const char *expr)
{
    if (**p != '.') return 0;
    if (!n) return bad(err, expr, "no columns here ('.COLUMN' is for heap diffs)");
    char names[128] = "";
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(columns[i]);
        if (strncmp(*p + 1, columns[i], len) == 0) {
            out->column = i;
            out->column_name = columns[i];
            out->column_given = 1;
            *p += 1 + len;
            return 0;
        }
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", columns[i]);
    }
    char why[192];
    snprintf(why, sizeof why, "unknown column after '.' (%s)", names);
    return bad(err, expr, why);
}

int hs_gate_parse(const char *expr, const char *const *columns, uint32_t n_columns,
                  hs_gate *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    char s[128];
    size_t n = 0;
    for (const char *c = expr; *c; c++) {
        if (isspace((unsigned char)*c)) continue;
        if (n + 1 >= sizeof s) return bad(err, expr, "too long");
        s[n++] = *c;
    }
    s[n] = 0;
    snprintf(out->expr, sizeof out->expr, "%s", s);
    if (n_columns) out->column_name = columns[0];
    const char *p = s;
    if (strncmp(p, "total", 5) == 0) {
        out->subject = HS_GATE_TOTAL;
        p += 5;
    } else if (strncmp(p, "any", 3) == 0) {
        out->subject = HS_GATE_ANY;
        p += 3;
    } else {
        return bad(err, expr, "expected 'total' or 'any' first (e.g. total>+10%, any>+5MiB)");
    }
    if (parse_column(&p, columns, n_columns, out, err, expr)) return -1;
    if (p[0] == '>' && p[1] == '=') out->op = HS_GATE_GE, p += 2;
    else if (p[0] == '<' && p[1] == '=') out->op = HS_GATE_LE, p += 2;
    else if (p[0] == '>') out->op = HS_GATE_GT, p += 1;
    else if (p[0] == '<') out->op = HS_GATE_LT, p += 1;
    else return bad(err, expr, "expected one of > >= < <= after the subject");
    int sign = p[0] == '+' || p[0] == '-';
    if (!isdigit((unsigned char)p[sign]) && p[sign] != '.')
        return bad(err, expr, "expected a number after the operator");
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (errno || !isfinite(v) || end == p) return bad(err, expr, "bad number");
    if (*end == '%') {
        if (end[1]) return bad(err, expr, "nothing may follow '%'");
        if (!sign) return bad(err, expr, "a percentage is a change: write +N% or -N%");
        out->kind = HS_GATE_PERCENT;
        out->value = v;
        return 0;
    }
    out->kind = sign ? HS_GATE_DELTA : HS_GATE_LEVEL;
    out->value = v;
    if (!*end) return 0;
    const unit_def *u = find_unit(end);
    if (u) {
        out->has_unit = 1;
        out->unit_class = u->cls;
        out->value = v * u->factor;
        return 0;
    }
    return bad(err, expr, "unknown unit (B, KiB, MiB, GiB, TiB; ns, us, ms, s, min, h; or none)");
}

static int compare(hs_gate_op op, double x, double limit)
{
    switch (op) {
    case HS_GATE_GT: return x > limit;
    case HS_GATE_GE: return x >= limit;
    case HS_GATE_LT: return x < limit;
    case HS_GATE_LE: return x <= limit;
    }
    return 0;
}

static double measure(const hs_gate *g, int64_t before, int64_t after, int64_t base_total)
{
    switch (g->kind) {
    case HS_GATE_DELTA: return (double)after - (double)before;
    case HS_GATE_LEVEL: return (double)after;
    case HS_GATE_PERCENT:
        if (base_total == 0) return after == before ? 0 : (after > before ? INFINITY : -INFINITY);
        return ((double)after - (double)before) * 100.0 / (double)base_total;
    }
    return 0;
}

/* For "any": is x more extreme than best in the direction of the op? */
static int more_extreme(hs_gate_op op, double x, double best)
{
    return (op == HS_GATE_GT || op == HS_GATE_GE) ? x > best : x < best;
}

int hs_gate_for_profile(hs_gate *g, hs_error *err)
{
    if (g->column_given) return bad(err, g->expr, "no columns here ('.COLUMN' is for heap diffs)");
    g->column = 0;
    g->column_name = NULL;
    return 0;
}

int hs_gate_check_unit(const hs_gate *g, const char *unit, hs_error *err)
{
    hs_unit_class cls = hs_unit_classify(unit);
    if (!g->has_unit || g->unit_class == cls) return 0;
    if (g->column_name)
        return hs_error_set(err, "--fail-if", HS_NO_OFFSET,
                            "'%s': the value is %s but the %s column holds %s", g->expr,
                            class_names[g->unit_class], g->column_name, class_names[cls]);
    return hs_error_set(err, "--fail-if", HS_NO_OFFSET,
                        "'%s': the value is %s but the profile's unit is '%s'", g->expr,
                        class_names[g->unit_class], unit);
}

void hs_gate_total(const hs_gate *g, int64_t before, int64_t after, hs_gate_result *out)
{
    memset(out, 0, sizeof *out);
    out->before = before;
    out->after = after;
    out->measured = measure(g, before, after, before);
    out->tripped = compare(g->op, out->measured, g->value);
}

void hs_gate_start(hs_gate_result *out) { memset(out, 0, sizeof *out); }

void hs_gate_entry(const hs_gate *g, const char *name, int64_t before, int64_t after,
                   int64_t base, hs_gate_result *out)
{
    double x = measure(g, before, after, base);
    int trip = compare(g->op, x, g->value);
    /* Keep the most extreme entry; a tripping one beats one that does not. */
    if (!out->entry || (trip && !out->tripped) ||
        (trip == out->tripped && more_extreme(g->op, x, out->measured))) {
        out->tripped = trip;
        out->measured = x;
        out->before = before;
        out->after = after;
        out->entry = name;
    }
}

int hs_gate_eval(const hs_gate *g, const hs_diff *d, const char *unit, hs_gate_result *out,
                 hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (hs_gate_check_unit(g, unit, err)) return -1;
    if (g->subject == HS_GATE_TOTAL) {
        hs_gate_total(g, d->total_before, d->total_after, out);
        out->unit = unit;
        return 0;
    }
    hs_gate_start(out);
    for (uint32_t i = 0; i < d->n_rows; i++) {
        const hs_diff_row *r = &d->rows[i];
        hs_gate_entry(g, r->name, r->flat_before, r->flat_after, d->total_before, out);
    }
    out->unit = unit;
    return 0;
}

/* ---- heap diffs: the same gates over group columns ---- */

const char *const hs_group_gate_columns[HS_GROUP_GATE_COLUMNS] = {"size", "count", "retained"};

static const hs_group_delta *group_column(const hs_group_diff_row *r, uint32_t c)
{
    return c == 0 ? &r->size : c == 1 ? &r->count : &r->retained;
}

int hs_gate_eval_groups(const hs_gate *g, const hs_group_diff *df, hs_gate_result *out,
                        hs_error *err)
{
    const char *unit = g->column == 1 ? "count" : "bytes";
    memset(out, 0, sizeof *out);
    if (hs_gate_check_unit(g, unit, err)) return -1;
    const hs_group_delta *tot = g->column == 0   ? &df->total_size
                                : g->column == 1 ? &df->total_count
                                                 : &df->total_retained;
    if (g->subject == HS_GATE_TOTAL) {
        hs_gate_total(g, tot->before, tot->after, out);
    } else {
        hs_gate_start(out);
        for (uint32_t i = 0; i < df->n_rows; i++) {
            const hs_group_delta *c = group_column(&df->rows[i], g->column);
            hs_gate_entry(g, hs_strtab_get(&df->names, df->rows[i].name), c->before, c->after,
                          tot->before, out);
        }
    }
    out->unit = unit;
    return 0;
}

/* ---- trends: the same grammar, plus class counts and slopes ---- */

static const struct {
    const char *name;
    double nanos;
} rates[] = {{"snapshot", 0}, {"h", 3600e9}, {"min", 60e9}, {"s", 1e9}};


/* hs_gate_parse on a rewritten expression, its errors naming the user's. */
static int parse_as(const char *body, const char *expr, hs_gate *out, hs_error *err)
{
    if (hs_gate_parse(body, NULL, 0, out, err) == 0) return 0;
    const char *why = err ? strstr(err->msg, "': ") : NULL;
    char copy[512];
    snprintf(copy, sizeof copy, "%s", why ? why + 3 : "malformed");
    return bad(err, expr, copy);
}

/* "grows>0": a class name directly followed by an operator. */
static int parse_class_gate(const char *s, const char *expr, hs_gate *out, hs_error *err)
{
    for (uint32_t c = 0; c < HS_TREND_N_CLASSES; c++) {
        const char *name = hs_trend_class_name((hs_trend_class)c);
        size_t len = strlen(name);
        if (strncmp(s, name, len) != 0 || (s[len] != '>' && s[len] != '<')) continue;
        char rest[160];
        snprintf(rest, sizeof rest, "total%s", s + len);
        if (parse_as(rest, expr, out, err)) return -1;
        if (out->kind != HS_GATE_LEVEL || out->has_unit)
            return bad(err, expr, "a class counts entries: write a plain number (grows>0)");
        snprintf(out->expr, sizeof out->expr, "%s", s);
        out->subject = HS_GATE_CLASS;
        out->trend_class = c;
        return 1;
    }
    return 0;
}

/* "[any.|total.]slope OP V[/RATE]". */
static int parse_slope_gate(const char *s, const char *expr, hs_gate *out, hs_error *err)
{
    const char *subject = "any";
    const char *p = s;
    if (strncmp(p, "any.slope", 9) == 0) p += 9;
    else if (strncmp(p, "total.slope", 11) == 0) p += 11, subject = "total";
    else if (strncmp(p, "slope", 5) == 0) p += 5;
    else return 0;
    char body[160];
    snprintf(body, sizeof body, "%s%s", subject, p);
    double per = 0;
    char *slash = strchr(body, '/');
    if (slash) {
        size_t k = 0;
        for (; k < sizeof rates / sizeof rates[0]; k++)
            if (strcmp(slash + 1, rates[k].name) == 0) break;
        if (k == sizeof rates / sizeof rates[0])
            return bad(err, expr, "unknown rate after '/' (h, min, s or snapshot)");
        per = rates[k].nanos;
        *slash = 0;
    }
    if (parse_as(body, expr, out, err)) return -1;
    if (out->kind == HS_GATE_PERCENT) return bad(err, expr, "a slope is a value per time, not %");
    snprintf(out->expr, sizeof out->expr, "%s", s);
    out->slope = 1;
    out->per_nanos = per;
    return 1;
}

int hs_gate_parse_trend(const char *expr, hs_gate *out, hs_error *err)
{
    char s[128];
    size_t n = 0;
    for (const char *c = expr; *c; c++) {
        if (isspace((unsigned char)*c)) continue;
        if (n + 1 >= sizeof s) return bad(err, expr, "too long");
        s[n++] = *c;
    }
    s[n] = 0;
    int rc = parse_class_gate(s, expr, out, err);
    if (rc == 0) rc = parse_slope_gate(s, expr, out, err);
    if (rc < 0) return -1;
    if (rc > 0) return 0;
    if (strncmp(s, "total", 5) != 0 && strncmp(s, "any", 3) != 0)
        return bad(err, expr,
                   "expected total, any, slope or a class (grows, rises, new, steady, falls, "
                   "gone) first (e.g. grows>0, slope>+1MiB/h, total>+10%)");
    return hs_gate_parse(s, NULL, 0, out, err);
}

/* The slope a gate compares, in its own time base. */
static double gate_slope(const hs_gate *g, const hs_trend_row *r)
{
    return g->per_nanos > 0 ? r->slope_per_hour * g->per_nanos / 3600e9 : r->slope_per_snapshot;
}

static void eval_slope(const hs_gate *g, const hs_trend *t, hs_gate_result *out)
{
    uint32_t last = t->n_snapshots - 1;
    if (g->subject == HS_GATE_TOTAL) {
        out->measured = gate_slope(g, &t->total);
        out->tripped = compare(g->op, out->measured, g->value);
        out->before = t->total.values[0], out->after = t->total.values[last];
        return;
    }
    for (uint32_t i = 0; i < t->n_rows; i++) {
        const hs_trend_row *r = &t->rows[i];
        double x = gate_slope(g, r);
        int trip = compare(g->op, x, g->value);
        if (!out->entry || (trip && !out->tripped) ||
            (trip == out->tripped && more_extreme(g->op, x, out->measured))) {
            out->tripped = trip, out->measured = x, out->entry = r->name;
            out->before = r->values[0], out->after = r->values[last];
        }
    }
}

int hs_gate_eval_trend(const hs_gate *g, const hs_trend *t, const char *unit,
                       hs_gate_result *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    out->unit = unit;
    uint32_t last = t->n_snapshots - 1;
    if (g->subject == HS_GATE_CLASS) {
        out->measured = t->n_class[g->trend_class];
        out->tripped = compare(g->op, out->measured, g->value);
        for (uint32_t i = 0; i < t->n_rows && !out->entry; i++)
            if (t->rows[i].cls == g->trend_class) out->entry = t->rows[i].name;
        return 0;
    }
    if (hs_gate_check_unit(g, unit, err)) return -1;
    if (g->slope) {
        if (g->per_nanos > 0 && !t->has_times)
            return hs_error_set(err, "--fail-if", HS_NO_OFFSET,
                                "'%s': the snapshots carry no times (or all the same), so there "
                                "is no slope per time; use /snapshot",
                                g->expr);
        eval_slope(g, t, out);
        return 0;
    }
    if (g->subject == HS_GATE_TOTAL) {
        hs_gate_total(g, t->total.values[0], t->total.values[last], out);
    } else {
        hs_gate_start(out);
        for (uint32_t i = 0; i < t->n_rows; i++)
            hs_gate_entry(g, t->rows[i].name, t->rows[i].values[0], t->rows[i].values[last],
                          t->total.values[0], out);
    }
    out->unit = unit;
    return 0;
}
