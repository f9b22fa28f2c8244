/* Value formatting for people: a number in the profile's unit becomes a
 * short label scaled to the largest unit it reaches (binary multiples for
 * bytes, ns..h for time), with pprof's "%.2f minus a trailing .00" rule, so
 * every label is at most a few characters and never loses the sign.
 * Percentages follow pprof's Percentage(): two decimals from 1% up, two
 * significant digits below, "100%" within 0.05 of it. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "render/internal.h"

typedef struct scale {
    const char *name;
    double factor;
} scale;

static const scale byte_scale[] = {{"B", 1},
                                   {"KiB", 1024.0},
                                   {"MiB", 1048576.0},
                                   {"GiB", 1073741824.0},
                                   {"TiB", 1099511627776.0},
                                   {"PiB", 1125899906842624.0}};
static const scale time_scale[] = {{"ns", 1},   {"us", 1e3},     {"ms", 1e6},
                                   {"s", 1e9},  {"min", 60e9},   {"h", 3600e9}};

static void scaled(char *buf, size_t size, int64_t v, const scale *sc, size_t n, int plus)
{
    double a = fabs((double)v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (a / sc[i].factor >= 1.0) k = i;
    char num[64];
    snprintf(num, sizeof num, "%.2f", a / sc[k].factor);
    size_t len = strlen(num);
    if (len > 3 && strcmp(num + len - 3, ".00") == 0) num[len - 3] = 0;
    const char *sign = v < 0 ? "-" : (plus ? "+" : "");
    snprintf(buf, size, "%s%s%s", sign, num, sc[k].name);
}

static void render(char *buf, size_t size, int64_t v, const char *unit, int plus)
{
    if (v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    switch (hs_unit_classify(unit ? unit : "")) {
    case HS_UNIT_BYTES:
        scaled(buf, size, v, byte_scale, sizeof byte_scale / sizeof byte_scale[0], plus);
        return;
    case HS_UNIT_NANOS:
        scaled(buf, size, v, time_scale, sizeof time_scale / sizeof time_scale[0], plus);
        return;
    case HS_UNIT_COUNT:
        snprintf(buf, size, plus && v > 0 ? "+%" PRId64 : "%" PRId64, v);
        return;
    }
}

const char *hs_render_value(char *buf, size_t size, int64_t v, const char *unit)
{
    render(buf, size, v, unit, 0);
    return buf;
}

const char *hs_render_value_signed(char *buf, size_t size, int64_t v, const char *unit)
{
    render(buf, size, v, unit, 1);
    return buf;
}

const char *hs_render_bytes(char *buf, size_t size, uint64_t v)
{
    return hs_render_value(buf, size, v > INT64_MAX ? INT64_MAX : (int64_t)v, "bytes");
}

const char *hs_render_bytes_signed(char *buf, size_t size, int64_t v)
{
    return hs_render_value_signed(buf, size, v, "bytes");
}

static void percent_body(char *buf, size_t size, double ratio, int pad)
{
    if (ratio >= 99.95 && ratio <= 100.05) snprintf(buf, size, pad ? "  100%%" : "100%%");
    else if (ratio >= 1.0) snprintf(buf, size, pad ? "%5.2f%%" : "%.2f%%", ratio);
    else snprintf(buf, size, pad ? "%5.2g%%" : "%.2g%%", ratio);
}

void hs_render_percent(char *buf, size_t size, int64_t v, int64_t total)
{
    double ratio = total != 0 ? fabs((double)v / (double)total) * 100.0 : 0.0;
    percent_body(buf, size, ratio, 1);
}

void hs_render_percent_signed(char *buf, size_t size, int64_t v, int64_t total)
{
    if (v == 0) {
        snprintf(buf, size, "0%%");
        return;
    }
    if (total == 0) {
        snprintf(buf, size, "n/a");
        return;
    }
    char body[32];
    percent_body(body, sizeof body, fabs((double)v / (double)total) * 100.0, 0);
    snprintf(buf, size, "%s%s", v < 0 ? "-" : "+", body);
}

void hs_render_duration(char *buf, size_t size, int64_t nanos)
{
    render(buf, size, nanos, "nanoseconds", 0);
}

void hs_render_time(char *buf, size_t size, int64_t unix_nanos)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(unix_nanos / 1000000000);
    if (unix_nanos < 0 && unix_nanos % 1000000000) t--;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, size, "%" PRId64 "ns since 1970", unix_nanos);
        return;
    }
    int h12 = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
    snprintf(buf, size, "%s %d, %d at %d:%02d%s (UTC)", months[tm.tm_mon], tm.tm_mday,
             tm.tm_year + 1900, h12, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm");
}

const char *hs_render_share(char *buf, size_t size, double part, double whole)
{
    if (whole == 0) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.1f%%", 100.0 * part / whole);
    return buf;
}
