/* heapscan collect URL... --every 30s --count N --dir DIR: snapshots of live
 * endpoints, saved for `heapscan trend` over DIR. Each body is saved exactly
 * as served, under a name that sorts by time (LABEL.YYYYmmddTHHMMSS.mmmZ.EXT),
 * after it loaded as a profile or heap (a body that does not is an error
 * naming the URL). Writes are atomic: the bytes go to a hidden temporary in
 * DIR, are flushed to disk, then renamed, so an interrupted run leaves only
 * complete snapshots (and at worst a hidden .tmp file), and a second run
 * adds to DIR. Ticks are at fixed times from the start (a slow fetch does
 * not shift the next). One line per snapshot on stdout: where it went, the
 * total, and the running growth of the entry that grew most since this
 * run's first snapshot of that URL. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan collect [OPTIONS] --dir DIR URL...\n"
    "\n"
    "Fetch each URL (http:// or https://, e.g. http://HOST/debug/pprof/heap?gc=1)\n"
    "every interval and save the bodies as they are served in DIR, named\n"
    "LABEL.YYYYmmddTHHMMSS.mmmZ.EXT (UTC; LABEL from the URL's host, port and\n"
    "path), so that 'heapscan trend DIR/LABEL.*' follows them. Each file is\n"
    "written to a hidden temporary in DIR and renamed when complete; a second\n"
    "run adds to DIR. One line per snapshot on stdout: the file, the total and the\n"
    "entry that grew most since this run's first snapshot.\n"
    "\n"
    "Options:\n"
    "  --dir DIR                where to save (created if missing)\n"
    "  --every DURATION         time between snapshots (default 30s; ms, s, min, h;\n"
    "                           a plain number is seconds)\n"
    "  --count N                snapshots per URL (default 0: until interrupted)\n"
    "  -i, --sample-index NAME  sample type of the progress lines\n"
    "  -h, --help               show this help\n"
    "\n"
    "HEAPSCAN_HTTP_TIMEOUT=SECONDS bounds each request (default 60, plus N of\n"
    "?seconds=N); proxies come from http_proxy, https_proxy and no_proxy.\n"
    "\n"
    "Exit status: 0 success, 2 usage error, or a URL that fails (HTTP error,\n"
    "timeout, a body that is no profile or heap), or a file that cannot be written.\n";

typedef struct endpoint {
    const char *url;
    char label[160];
    int have_first;
    hs_agg first; /* this run's first snapshot, for the running growth */
} endpoint;

/* "30s", "500ms", "2min", "1.5h", "10" (seconds) to nanoseconds; -1 if bad. */
static int64_t parse_duration(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v <= 0) return -1;
    double f = !*end || !strcmp(end, "s") ? 1e9
               : !strcmp(end, "ms")       ? 1e6
               : !strcmp(end, "min")      ? 60e9
               : !strcmp(end, "h")        ? 3600e9
                                          : -1;
    if (f < 0 || v * f < 1e6 || v * f > 3e14) return -1; /* 1 ms .. about 3.5 days */
    return (int64_t)(v * f);
}

/* host_port-path from the URL, in characters safe in a file name. */
static void url_label(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = 0;
    for (; *p && *p != '?' && *p != '#' && n + 1 < size; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-';
        char w = ok ? c : (c == '/' ? '-' : '_');
        if (w == '-' && n && out[n - 1] == '-') continue;
        out[n++] = w;
    }
    while (n && out[n - 1] == '-')
        n--;
    out[n] = 0;
    if (!n) snprintf(out, size, "snapshot");
}

static const char *extension(const hs_model *m, const uint8_t *body, size_t len)
{
    int gz = hs_is_gzip(body, len);
    if (m->kind == HS_MODEL_HEAP) return gz ? "heap.gz" : "heap";
    if (strcmp(m->profile.format, "pprof") == 0) return gz ? "pb.gz" : "pb";
    return gz ? "txt.gz" : "txt";
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* DIR/NAME written atomically (hidden temporary, fsync, rename); a name that
 * exists already gets -1, -2, ... so nothing is replaced. */
static int save(const char *dir, const char *name, const uint8_t *body, size_t len, char *path,
                size_t path_size)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmpXXXXXX", dir, name);
    int fd = mkstemp(tmp);
    if (fd < 0) return hs_cli_failf("collect: %s: cannot create a file: %s", dir, strerror(errno));
    fchmod(fd, 0644); /* mkstemp's 0600 would hide the snapshot from others */
    if (write_all(fd, body, len) || fsync(fd) || close(fd)) {
        int e = errno;
        unlink(tmp);
        return hs_cli_failf("collect: %s: write failed: %s", tmp, strerror(e));
    }
    struct stat st;
    snprintf(path, path_size, "%s/%s", dir, name);
    for (int k = 1; stat(path, &st) == 0 && k < 1000; k++)
        snprintf(path, path_size, "%s/%s-%d", dir, name, k);
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return hs_cli_failf("collect: %s: cannot rename into place: %s", path, strerror(e));
    }
    return HS_EXIT_OK;
}

/* ", total 27.20MiB (+1.31MiB), main.leak +1.31MiB since the first" */
static void progress(FILE *fp, endpoint *e, const hs_cli_opts *o, const hs_model *m)
{
    if (m->kind != HS_MODEL_PROFILE) return;
    const hs_profile *p = &m->profile;
    uint32_t vi;
    hs_agg a;
    hs_error err;
    if (p->n_sample_types == 0) return;
    vi = hs_profile_default_sample_type(p);
    if (o->sample_index) {
        uint32_t k = hs_profile_find_sample_type(p, o->sample_index);
        if (k != HS_NONE) vi = k;
    }
    if (hs_agg_build(p, vi, HS_BY_FUNCTION, NULL, &a, &err)) return;
    char v[64], d[64];
    fprintf(fp, ", %s %s", a.sample_type, hs_render_value(v, sizeof v, a.total, a.unit));
    if (!e->have_first) {
        e->first = a;
        e->have_first = 1;
        return;
    }
    hs_diff df;
    fprintf(fp, " (%s)", hs_render_value_signed(d, sizeof d, a.total - e->first.total, a.unit));
    if (hs_diff_build(&e->first, &a, HS_SORT_FLAT, &df, &err) == 0) {
        const hs_diff_row *top = NULL; /* the largest growth, not the largest change */
        for (uint32_t i = 0; i < df.n_changed; i++)
            if (hs_diff_flat_delta(&df.rows[i]) > 0 &&
                (!top || hs_diff_flat_delta(&df.rows[i]) > hs_diff_flat_delta(top)))
                top = &df.rows[i];
        if (top)
            fprintf(fp, ", top growth %s %s since the first", top->name,
                    hs_render_value_signed(d, sizeof d, hs_diff_flat_delta(top), a.unit));
        else fputs(", no entry grew since the first", fp);
        hs_diff_free(&df);
    }
    hs_agg_free(&a);
}

static int snapshot(endpoint *e, const hs_cli_opts *o, long k)
{
    hs_load_options lo;
    hs_error err;
    uint8_t *body = NULL;
    size_t len = 0;
    hs_cli_load_options(o, &lo);
    lo.progress = 0, lo.on_progress = NULL;
    if (hs_source_fetch(e->url, &lo.source, &body, &len, &err)) return hs_cli_fail(&err);
    hs_model m;
    if (hs_load_memory(e->url, body, len, &lo, &m, &err)) {
        free(body);
        return hs_cli_fail(&err);
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char name[400], stamp[64], path[4400];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    snprintf(name, sizeof name, "%s.%s.%03ldZ.%s", e->label, stamp, now.tv_nsec / 1000000,
             extension(&m, body, len));
    int rc = save(o->dir, name, body, len, path, sizeof path);
    free(body);
    if (rc == HS_EXIT_OK) {
        if (o->count) printf("collect: [%ld/%ld] %s", k + 1, o->count, path);
        else printf("collect: [%ld] %s", k + 1, path);
        progress(stdout, e, o, &m);
        putchar('\n');
        fflush(stdout);
    }
    hs_model_free(&m);
    return rc;
}

static int make_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return hs_cli_failf("collect: --dir %s: cannot create: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return hs_cli_failf("collect: --dir %s is not a directory", dir);
    return HS_EXIT_OK;
}

static void sleep_until(const struct timespec *start, int64_t offset_ns)
{
    struct timespec t = *start;
    int64_t ns = (int64_t)t.tv_nsec + offset_ns % 1000000000;
    t.tv_sec += (time_t)(offset_ns / 1000000000 + ns / 1000000000);
    t.tv_nsec = (long)(ns % 1000000000);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {
    }
}

static int collect(const hs_cli_opts *o, endpoint *eps, int64_t every)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long k = 0; !o->count || k < o->count; k++) {
        if (k) sleep_until(&start, every * k);
        for (int i = 0; i < o->n_files; i++) {
            int rc = snapshot(&eps[i], o, k);
            if (rc) return rc;
        }
    }
    return HS_EXIT_OK;
}

int cmd_collect(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv, HS_OPT_COLLECT | HS_OPT_SAMPLE_INDEX, usage, "URL...", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    int64_t every = parse_duration(o.every ? o.every : "30s");
    if (every < 0)
        return hs_cli_failf("collect: --every '%s' is not a duration from 1ms (e.g. 30s, 500ms, 5min)",
                            o.every);
    if (!o.dir) return hs_cli_failf("collect: --dir DIR is required (where snapshots go)");
    for (int i = 0; i < o.n_files; i++)
        if (!hs_source_is_url(o.files[i]))
            return hs_cli_failf("collect: '%s' is not an http:// or https:// URL", o.files[i]);
    if (make_dir(o.dir)) return HS_EXIT_USAGE;
    endpoint *eps = calloc((size_t)o.n_files, sizeof *eps);
    if (!eps) return hs_cli_failf("collect: out of memory");
    for (int i = 0; i < o.n_files; i++) {
        eps[i].url = o.files[i];
        url_label(o.files[i], eps[i].label, sizeof eps[i].label);
    }
    rc = collect(&o, eps, every);
    for (int i = 0; i < o.n_files; i++)
        if (eps[i].have_first) hs_agg_free(&eps[i].first);
    free(eps);
    return rc;
}
