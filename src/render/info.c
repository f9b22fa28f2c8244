/* The `info` report of a profile: format, sample types with their totals
 * (scaled by unit in text, exact in JSON/CSV), period, time, duration,
 * counts of samples/locations/functions/mappings, the main binary
 * (mapping 0, pprof's convention) and comments. Totals are handed in. */
#include <inttypes.h>
#include <string.h>

#include "render/internal.h"

static const char *str(const hs_profile *p, uint32_t id) { return hs_profile_str(p, id); }

static const char *default_type(const hs_profile *p)
{
    uint32_t d = hs_profile_default_sample_type(p);
    return d == HS_NONE ? "" : str(p, p->sample_types[d].type);
}

void hs_render_info_text(FILE *out, const char *file, const hs_profile *p, const int64_t *totals)
{
    char v[64];
    fprintf(out, "File: %s\nFormat: %s\n", file, p->format);
    fputs("Sample types:\n", out);
    uint32_t d = hs_profile_default_sample_type(p);
    for (uint32_t i = 0; i < p->n_sample_types; i++) {
        const char *unit = str(p, p->sample_types[i].unit);
        hs_render_value(v, sizeof v, totals[i], unit);
        fprintf(out, "  %-20s %-12s total %s", str(p, p->sample_types[i].type), unit, v);
        if (hs_unit_classify(unit) != HS_UNIT_COUNT) fprintf(out, " (%" PRId64 ")", totals[i]);
        fputs(i == d ? "  [default]\n" : "\n", out);
    }
    if (p->period || p->period_type.type) {
        const char *unit = str(p, p->period_type.unit);
        hs_render_value(v, sizeof v, p->period, unit);
        fprintf(out, "Period: %s", v);
        if (p->period_type.type) fprintf(out, " (%s/%s)", str(p, p->period_type.type), unit);
        fputc('\n', out);
    }
    if (p->time_nanos) {
        hs_render_time(v, sizeof v, p->time_nanos);
        fprintf(out, "Time: %s\n", v);
    }
    if (p->duration_nanos) {
        hs_render_duration(v, sizeof v, p->duration_nanos);
        fprintf(out, "Duration: %s\n", v);
    }
    fprintf(out, "Samples: %u\nLocations: %u\nFunctions: %u\nMappings: %u\n", p->n_samples,
            p->n_locations, p->n_functions, p->n_mappings);
    if (p->n_mappings) {
        const char *bin = str(p, p->mappings[0].filename), *bid = str(p, p->mappings[0].build_id);
        fprintf(out, "Main binary: %s", bin[0] ? bin : "(unnamed)");
        if (bid[0]) fprintf(out, " (build id %s)", bid);
        fputc('\n', out);
    }
    if (p->n_comments) {
        fputs("Comments:\n", out);
        for (uint32_t i = 0; i < p->n_comments; i++) fprintf(out, "  %s\n", str(p, p->comments[i]));
    }
}

static void jkey(FILE *out, const char *key)
{
    fprintf(out, ",\"%s\":", key);
}

void hs_render_info_json(FILE *out, const char *file, const hs_profile *p, const int64_t *totals)
{
    fputs("{\"file\":", out);
    hs_render_json_string(out, file);
    jkey(out, "format");
    hs_render_json_string(out, p->format);
    fputs(",\"sample_types\":[", out);
    for (uint32_t i = 0; i < p->n_sample_types; i++) {
        fputs(i ? ",{\"type\":" : "{\"type\":", out);
        hs_render_json_string(out, str(p, p->sample_types[i].type));
        fputs(",\"unit\":", out);
        hs_render_json_string(out, str(p, p->sample_types[i].unit));
        fprintf(out, ",\"total\":%" PRId64 "}", totals[i]);
    }
    fputc(']', out);
    jkey(out, "default_sample_type");
    hs_render_json_string(out, default_type(p));
    fputs(",\"period_type\":{\"type\":", out);
    hs_render_json_string(out, str(p, p->period_type.type));
    fputs(",\"unit\":", out);
    hs_render_json_string(out, str(p, p->period_type.unit));
    fprintf(out, "},\"period\":%" PRId64 ",\"time_nanos\":%" PRId64 ",\"duration_nanos\":%" PRId64,
            p->period, p->time_nanos, p->duration_nanos);
    fprintf(out, ",\"samples\":%u,\"locations\":%u,\"functions\":%u,\"mappings\":%u", p->n_samples,
            p->n_locations, p->n_functions, p->n_mappings);
    jkey(out, "main_binary");
    if (p->n_mappings) {
        fputs("{\"file\":", out);
        hs_render_json_string(out, str(p, p->mappings[0].filename));
        fputs(",\"build_id\":", out);
        hs_render_json_string(out, str(p, p->mappings[0].build_id));
        fputc('}', out);
    } else {
        fputs("null", out);
    }
    fputs(",\"comments\":[", out);
    for (uint32_t i = 0; i < p->n_comments; i++) {
        if (i) fputc(',', out);
        hs_render_json_string(out, str(p, p->comments[i]));
    }
    fputs("]}\n", out);
}

static void csv_row(FILE *out, const char *key, const char *value)
{
    hs_render_csv_field(out, key);
    fputc(',', out);
    hs_render_csv_field(out, value);
    fputc('\n', out);
}

static void csv_num(FILE *out, const char *key, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%" PRId64, v);
    csv_row(out, key, b);
}

void hs_render_info_csv(FILE *out, const char *file, const hs_profile *p, const int64_t *totals)
{
    char key[600];
    fputs("key,value\n", out);
    csv_row(out, "file", file);
    csv_row(out, "format", p->format);
    for (uint32_t i = 0; i < p->n_sample_types; i++) {
        const char *t = str(p, p->sample_types[i].type);
        snprintf(key, sizeof key, "sample_type.%s.unit", t);
        csv_row(out, key, str(p, p->sample_types[i].unit));
        snprintf(key, sizeof key, "sample_type.%s.total", t);
        csv_num(out, key, totals[i]);
    }
    csv_row(out, "default_sample_type", default_type(p));
    csv_row(out, "period_type", str(p, p->period_type.type));
    csv_row(out, "period_unit", str(p, p->period_type.unit));
    csv_num(out, "period", p->period);
    csv_num(out, "time_nanos", p->time_nanos);
    csv_num(out, "duration_nanos", p->duration_nanos);
    csv_num(out, "samples", p->n_samples);
    csv_num(out, "locations", p->n_locations);
    csv_num(out, "functions", p->n_functions);
    csv_num(out, "mappings", p->n_mappings);
    if (p->n_mappings) {
        csv_row(out, "main_binary", str(p, p->mappings[0].filename));
        csv_row(out, "build_id", str(p, p->mappings[0].build_id));
    }
    for (uint32_t i = 0; i < p->n_comments; i++) csv_row(out, "comment", str(p, p->comments[i]));
}
