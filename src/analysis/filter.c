/* Sample filters (--focus, --ignore, --tag), compiled once per profile.
 * Regexes run once per function and once per mapping (pprof matches a
 * location by any of its lines' function name or file name, or by its
 * mapping's file), then a location's flags are the OR of those. Tags become
 * per-string-id bits, so testing a sample never compares strings.
 * Invariant after compile: loc_flags has n_locations entries and str_flags
 * has one word per string id of the profile. */
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

static int compile_re(const char *what, const char *src, regex_t *re, hs_error *err)
{
    int rc = regcomp(re, src, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[200];
        regerror(rc, re, msg, sizeof msg);
        return hs_error_set(err, what, HS_NO_OFFSET, "bad regular expression '%s': %s", src, msg);
    }
    return 0;
}

static int rx_match(const regex_t *re, const char *s) { return regexec(re, s, 0, NULL, 0) == 0; }

/* Flags (HS_LOC_FOCUS / HS_LOC_IGNORE) for every string given. */
static uint8_t name_flags(const regex_t *focus, const regex_t *ignore, const char *a, const char *b)
{
    uint8_t fl = 0;
    if (focus && (rx_match(focus, a) || (b && rx_match(focus, b)))) fl |= HS_LOC_FOCUS;
    if (ignore && (rx_match(ignore, a) || (b && rx_match(ignore, b)))) fl |= HS_LOC_IGNORE;
    return fl;
}

static int compile_names(const hs_profile *p, const hs_agg_filter *f, hs_filter *out,
                         hs_error *err)
{
    regex_t focus, ignore;
    regex_t *fp = NULL, *ip = NULL;
    if (f->focus && compile_re("--focus", f->focus, &focus, err)) return -1;
    if (f->focus) fp = &focus;
    if (f->ignore && compile_re("--ignore", f->ignore, &ignore, err)) {
        if (fp) regfree(fp);
        return -1;
    }
    if (f->ignore) ip = &ignore;
    uint8_t *fn_flags = malloc((size_t)p->n_functions + 1);
    uint8_t *map_flags = malloc((size_t)p->n_mappings + 1);
    out->loc_flags = malloc((size_t)p->n_locations + 1);
    int rc = 0;
    if (!fn_flags || !map_flags || !out->loc_flags) {
        rc = hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory compiling filters");
        goto done;
    }
    for (uint32_t i = 0; i < p->n_functions; i++)
        fn_flags[i] = name_flags(fp, ip, hs_profile_str(p, p->functions[i].name),
                                 hs_profile_str(p, p->functions[i].filename));
    for (uint32_t i = 0; i < p->n_mappings; i++)
        map_flags[i] = name_flags(fp, ip, hs_profile_str(p, p->mappings[i].filename), NULL);
    for (uint32_t i = 0; i < p->n_locations; i++) {
        const hs_location *l = &p->locations[i];
        uint8_t fl = l->mapping < p->n_mappings ? map_flags[l->mapping] : 0;
        for (uint32_t j = 0; j < l->n_lines; j++) {
            uint64_t li = (uint64_t)l->line_start + j;
            if (li < p->n_lines && p->lines[li].function < p->n_functions)
                fl |= fn_flags[p->lines[li].function];
        }
        /* pprof: an ignored location is never a focused one; without
         * --focus every location that is not ignored counts as focused. */
        if (fl & HS_LOC_IGNORE) fl = HS_LOC_IGNORE;
        else if (!fp) fl = HS_LOC_FOCUS;
        out->loc_flags[i] = fl;
    }
done:
    free(fn_flags);
    free(map_flags);
    if (fp) regfree(fp);
    if (ip) regfree(ip);
    return rc;
}

static int compile_tags(const hs_profile *p, const hs_agg_filter *f, hs_filter *out, hs_error *err)
{
    if (f->n_tags > 32) return hs_error_set(err, "--tag", HS_NO_OFFSET, "at most 32 tags");
    out->n_tags = f->n_tags;
    out->n_strings = p->strings.n;
    out->str_flags = calloc((size_t)p->strings.n + 1, sizeof *out->str_flags);
    if (!out->str_flags) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    for (uint32_t t = 0; t < f->n_tags; t++) {
        const char *kv = f->tags[t];
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv)
            return hs_error_set(err, "--tag", HS_NO_OFFSET, "expected KEY=VALUE, got '%s'", kv);
        size_t klen = (size_t)(eq - kv);
        const char *val = eq + 1;
        char *end;
        errno = 0;
        long long num = strtoll(val, &end, 10);
        out->tag_is_num[t] = *val && !*end && errno == 0;
        out->tag_num[t] = out->tag_is_num[t] ? num : 0;
        for (uint32_t id = 0; id < p->strings.n; id++) {
            const char *s = hs_profile_str(p, id);
            if (strncmp(s, kv, klen) == 0 && s[klen] == 0) out->str_flags[id] |= 1ull << t;
            if (strcmp(s, val) == 0) out->str_flags[id] |= 1ull << (32 + t);
        }
    }
    return 0;
}

int hs_filter_compile(const hs_profile *p, const hs_agg_filter *f, hs_filter *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (!f || (!f->focus && !f->ignore && f->n_tags == 0)) return 0;
    out->active = 1;
    out->by_name = f->focus || f->ignore;
    if ((out->by_name && compile_names(p, f, out, err)) ||
        (f->n_tags && compile_tags(p, f, out, err))) {
        hs_filter_free(out);
        return -1;
    }
    return 0;
}

static int has_tag(const hs_filter *flt, const hs_profile *p, const hs_sample *s, uint32_t t)
{
    uint64_t kbit = 1ull << t, vbit = 1ull << (32 + t);
    for (uint32_t i = 0; i < s->n_labels; i++) {
        uint64_t li = (uint64_t)s->label_start + i;
        if (li >= p->n_labels_total) break;
        const hs_label *l = &p->labels[li];
        if (l->key >= flt->n_strings || !(flt->str_flags[l->key] & kbit)) continue;
        if (l->str != 0) {
            if (l->str < flt->n_strings && (flt->str_flags[l->str] & vbit)) return 1;
        } else if (flt->tag_is_num[t] && l->num == flt->tag_num[t]) {
            return 1;
        }
    }
    return 0;
}

int hs_filter_keep(const hs_filter *flt, const hs_profile *p, const hs_sample *s)
{
    if (!flt->active) return 1;
    if (flt->by_name) {
        int focused = 0;
        const uint32_t *st = p->stacks + s->stack_start;
        for (uint32_t i = 0; i < s->n_stack; i++) {
            if (st[i] >= p->n_locations) continue;
            uint8_t fl = flt->loc_flags[st[i]];
            if (fl & HS_LOC_IGNORE) return 0;
            if (fl & HS_LOC_FOCUS) focused = 1;
        }
        if (!focused) return 0;
    }
    for (uint32_t t = 0; t < flt->n_tags; t++)
        if (!has_tag(flt, p, s, t)) return 0;
    return 1;
}

void hs_filter_free(hs_filter *flt)
{
    free(flt->loc_flags);
    free(flt->str_flags);
    memset(flt, 0, sizeof *flt);
}
