/* One option parser for every command. A command passes the set of options
 * it accepts; any other option is a usage error naming the command, so each
 * command's --help and behaviour stay in step with what it parses. */
#include <errno.h>
#include <error.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* A sanitizer's runtime reserves terabytes of address space, which
 * RLIMIT_DATA counts: such a build sets no data limit (HEAPSCAN_MAX_MEMORY
 * still caps what the source layer holds of one input). */
#if defined(__SANITIZE_ADDRESS__)
#define HS_CLI_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HS_CLI_SANITIZED 1
#endif
#endif
#ifndef HS_CLI_SANITIZED
#define HS_CLI_SANITIZED 0
#endif

enum {
    O_BY = 256, O_SORT, O_FOCUS, O_IGNORE, O_TAG, O_FORMAT, O_FAIL_IF, O_NODECOUNT, O_BASE,
    O_DOT, O_PATHS, O_BINARY, O_SYSROOT, O_DEBUG_DIR, O_DEPTH, O_MIN_RETAINED, O_DEMANGLE,
    O_CUM, O_SKIP_BAD, O_EVERY, O_COUNT, O_DIR,
    O_STUCK,
};

static const struct option long_opts[] = {
    {"sample-index", required_argument, 0, 'i'},
    {"limit", required_argument, 0, 'n'},
    {"output", required_argument, 0, 'o'},
    {"help", no_argument, 0, 'h'},
    {"by", required_argument, 0, O_BY},
    {"sort", required_argument, 0, O_SORT},
    {"focus", required_argument, 0, O_FOCUS},
    {"ignore", required_argument, 0, O_IGNORE},
    {"tag", required_argument, 0, O_TAG},
    {"format", required_argument, 0, O_FORMAT},
    {"fail-if", required_argument, 0, O_FAIL_IF},
    {"nodecount", required_argument, 0, O_NODECOUNT},
    {"base", required_argument, 0, O_BASE},
    {"dot", no_argument, 0, O_DOT},
    {"paths", required_argument, 0, O_PATHS},
    {"binary", required_argument, 0, O_BINARY},
    {"sysroot", required_argument, 0, O_SYSROOT},
    {"debug-dir", required_argument, 0, O_DEBUG_DIR},
    {"demangle", required_argument, 0, O_DEMANGLE},
    {"depth", required_argument, 0, O_DEPTH},
    {"min-retained", required_argument, 0, O_MIN_RETAINED},
    {"cum", no_argument, 0, O_CUM},
    {"skip-bad", no_argument, 0, O_SKIP_BAD},
    {"every", required_argument, 0, O_EVERY},
    {"count", required_argument, 0, O_COUNT},
    {"dir", required_argument, 0, O_DIR},
    {"stuck", required_argument, 0, O_STUCK},
    {0, 0, 0, 0},
};

static const char *option_name(int c)
{
    for (const struct option *lo = long_opts; lo->name; lo++)
        if (lo->val == c) return lo->name;
    return "?";
}

static unsigned option_bit(int c)
{
    switch (c) {
    case 'i': return HS_OPT_SAMPLE_INDEX;
    case 'n': return HS_OPT_LIMIT;
    case 'o': case O_FORMAT: return HS_OPT_FORMAT;
    case O_BY: return HS_OPT_BY;
    case O_SORT: return HS_OPT_SORT;
    case O_FOCUS: case O_IGNORE: case O_TAG: return HS_OPT_FILTER;
    case O_FAIL_IF: return HS_OPT_FAIL_IF;
    case O_NODECOUNT: case O_BASE: case O_DOT: case O_PATHS: return HS_OPT_GRAPH;
    case O_BINARY: case O_SYSROOT: case O_DEBUG_DIR: case O_DEMANGLE: return HS_OPT_BINARY;
    case O_DEPTH: case O_MIN_RETAINED: return HS_OPT_TREE;
    case O_CUM: case O_SKIP_BAD: return HS_OPT_TREND;
    case O_EVERY: case O_COUNT: case O_DIR: return HS_OPT_COLLECT;
    case O_STUCK: return HS_OPT_STUCK;
    default: return 0;
    }
}

int hs_cli_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("heapscan: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return HS_EXIT_USAGE;
}

int hs_cli_fail(const hs_error *err)
{
    char buf[1200];
    const char *limit = getenv("HEAPSCAN_MAX_MEMORY");
    hs_error_format(err, buf, sizeof buf);
    if (limit && *limit && strstr(buf, "out of memory"))
        return hs_cli_failf("%s (limit HEAPSCAN_MAX_MEMORY=%s)", buf, limit);
    if (strstr(buf, "out of memory") && !HS_CLI_SANITIZED)
        return hs_cli_failf("%s (limit: half the RAM; HEAPSCAN_MAX_MEMORY changes it)", buf);
    return hs_cli_failf("%s", buf);
}

/* Some libraries cannot report running out of memory and end the process
 * themselves: libdw calls error(EXIT_FAILURE, ENOMEM, "libdw"). That would
 * exit with 1, which means "a gate tripped", and print a line in no format
 * of ours. So error()'s line gets heapscan's prefix (and the memory limit),
 * and an exit that does not come from main returning becomes status 2.
 * This is the CLI's only process-wide state, set once at start. */
static char library_exit_limit[64];
static char library_exit_input[512]; /* the file being loaded, if any */
static int exiting_from_main;

/* Temporary files to remove when the command ends (an inflated --binary). */
static char cleanup_paths[1][4200];

static void cleanup_files(void)
{
    if (cleanup_paths[0][0]) unlink(cleanup_paths[0]), cleanup_paths[0][0] = 0;
}

static void library_error_prefix(void)
{
    fflush(stdout);
    fputs("heapscan: ", stderr);
    if (library_exit_input[0]) fprintf(stderr, "%s: ", library_exit_input);
    if (library_exit_limit[0])
        fprintf(stderr, "out of memory in a library (limit HEAPSCAN_MAX_MEMORY=%s): ",
                library_exit_limit);
    else
        fputs("a library stopped the program: ", stderr);
}

static void library_exit_status(void)
{
    if (exiting_from_main) return;
    cleanup_files();
    fflush(stderr);
    _exit(HS_EXIT_USAGE);
}

void hs_cli_guard_library_exits(void)
{
    const char *limit = getenv("HEAPSCAN_MAX_MEMORY");
    snprintf(library_exit_limit, sizeof library_exit_limit, "%s", limit ? limit : "");
    error_print_progname = library_error_prefix;
    atexit(library_exit_status);
}

void hs_cli_exit_from_main(void)
{
    exiting_from_main = 1;
    cleanup_files();
}

void hs_cli_loading(const char *path)
{
    snprintf(library_exit_input, sizeof library_exit_input, "%s", path ? path : "");
}

/* HEAPSCAN_MAX_INFLATE: a positive size (bytes, or with a unit). */
static int inflate_env(uint64_t *out)
{
    const char *s = getenv("HEAPSCAN_MAX_INFLATE");
    if (!s || !*s) return 1;
    return hs_size_parse(s, out) || *out == 0 ? -1 : 0;
}

int hs_cli_apply_memory_limit(void)
{
    const char *s = getenv("HEAPSCAN_MAX_MEMORY");
    uint64_t bytes;
    if (inflate_env(&bytes) < 0) {
        hs_cli_failf("HEAPSCAN_MAX_INFLATE: '%s' is not a positive size (e.g. 4GiB)",
                     getenv("HEAPSCAN_MAX_INFLATE"));
        return -1;
    }
    if (!s || !*s) {
        bytes = hs_source_default_max_memory();
    } else if (hs_size_parse(s, &bytes) || bytes < (1u << 20)) {
        hs_cli_failf("HEAPSCAN_MAX_MEMORY: '%s' is not a size of at least 1MiB (e.g. 2GiB)", s);
        return -1;
    }
    if (HS_CLI_SANITIZED) return 0; /* the source layer's caps still hold */
    struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
    getrlimit(RLIMIT_DATA, &rl);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < bytes) bytes = rl.rlim_max;
    if ((!s || !*s) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= bytes)
        return 0; /* the default never raises a limit already in force */
    rl.rlim_cur = (rlim_t)bytes;
    if (setrlimit(RLIMIT_DATA, &rl) != 0) {
        hs_cli_failf("HEAPSCAN_MAX_MEMORY: cannot set the limit: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* --demangle short|templates|full|none (pprof's -symbolize=demangle=...). */
static int parse_demangle(const char *cmd, const char *v, hs_demangle_mode *out)
{
    static const char *const names[] = {"short", "templates", "full", "none"};
    for (int i = 0; i < 4; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = (hs_demangle_mode)i;
            return 0;
        }
    hs_cli_failf("%s: --demangle must be short, templates, full or none, not '%s'", cmd, v);
    return -1;
}

/* The source layer's limits from the environment (checked at start by
 * hs_cli_apply_memory_limit); the library itself reads no environment. */
static void source_options(hs_source_options *so)
{
    const char *mem = getenv("HEAPSCAN_MAX_MEMORY");
    so->memory_hint = "half the RAM; HEAPSCAN_MAX_MEMORY changes it";
    if (mem && *mem && hs_size_parse(mem, &so->max_memory) == 0)
        so->memory_hint = "HEAPSCAN_MAX_MEMORY";
    so->unpack_hint = "64 GiB; HEAPSCAN_MAX_INFLATE changes it";
    if (inflate_env(&so->max_unpack) == 0) so->unpack_hint = "HEAPSCAN_MAX_INFLATE";
    else so->max_unpack = 0;
    so->tmpdir = getenv("TMPDIR");
    const char *t = getenv("HEAPSCAN_HTTP_TIMEOUT"); /* seconds for an http(s):// input */
    long secs = t && *t ? strtol(t, NULL, 10) : 0;
    so->http_timeout = secs > 0 && secs < 86400 ? (unsigned)secs : 0;
}

static int parse_long(const char *cmd, const char *opt, const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0) {
        hs_cli_failf("%s: %s wants a non-negative integer, got '%s'", cmd, opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int add_multi(const char *cmd, const char *opt, const char **arr, int *n, const char *v)
{
    if (*n >= HS_CLI_MAX_MULTI) {
        hs_cli_failf("%s: too many %s options (at most %d)", cmd, opt, HS_CLI_MAX_MULTI);
        return -1;
    }
    arr[(*n)++] = v;
    return 0;
}

/* svg and html are charts: only commands that draw them (HS_OPT_TREND) take them. */
static int parse_format(const char *cmd, const char *s, unsigned allowed, hs_out_format *f)
{
    if (allowed & HS_OPT_TREND) {
        if (strcmp(s, "svg") == 0) return *f = HS_FMT_SVG, 0;
        if (strcmp(s, "html") == 0) return *f = HS_FMT_HTML, 0;
    }
    if (strcmp(s, "text") == 0) *f = HS_FMT_TEXT;
    else if (strcmp(s, "json") == 0) *f = HS_FMT_JSON;
    else if (strcmp(s, "csv") == 0) *f = HS_FMT_CSV;
    else if (strcmp(s, "dot") == 0) *f = HS_FMT_DOT;
    else {
        hs_cli_failf("%s: unknown --format '%s' (text, json, csv or dot)", cmd, s);
        return -1;
    }
    return 0;
}

static int apply(int c, const char *cmd, unsigned allowed, hs_cli_opts *o)
{
    switch (c) {
    case 'i': o->sample_index = optarg; return 0;
    case 'n': o->limit_set = 1; return parse_long(cmd, "--limit", optarg, &o->limit);
    case 'o': o->output = optarg; return 0;
    case O_BY: o->by = optarg; return 0;
    case O_SORT: o->sort = optarg; return 0;
    case O_FOCUS: o->focus = optarg; return 0;
    case O_IGNORE: o->ignore = optarg; return 0;
    case O_TAG: return add_multi(cmd, "--tag", o->tags, &o->n_tags, optarg);
    case O_FORMAT: o->format_set = 1; return parse_format(cmd, optarg, allowed, &o->format);
    case O_FAIL_IF: return add_multi(cmd, "--fail-if", o->fail_if, &o->n_fail_if, optarg);
    case O_NODECOUNT:
        o->nodecount_set = 1;
        return parse_long(cmd, "--nodecount", optarg, &o->nodecount);
    case O_BASE: o->base = optarg; return 0;
    case O_DOT: o->dot = 1; return 0;
    case O_PATHS: o->paths = optarg; return 0;
    case O_BINARY: o->binary = optarg; return 0;
    case O_SYSROOT: o->sysroot = optarg; return 0;
    case O_DEBUG_DIR: o->debug_dir = optarg; return 0;
    case O_DEMANGLE: return parse_demangle(cmd, optarg, &o->demangle);
    case O_DEPTH: o->depth_set = 1; return parse_long(cmd, "--depth", optarg, &o->depth);
    case O_MIN_RETAINED: o->min_retained = optarg; return 0;
    case O_CUM: o->cum = 1; return 0;
    case O_SKIP_BAD: o->skip_bad = 1; return 0;
    case O_EVERY: o->every = optarg; return 0;
    case O_COUNT: o->count_set = 1; return parse_long(cmd, "--count", optarg, &o->count);
    case O_DIR: o->dir = optarg; return 0;
    case O_STUCK: o->stuck = optarg; return 0;
    }
    return -1;
}

/* Words of an argument description ("FILE ADDR|NAME" = 2). */
static int count_words(const char *s)
{
    int n = 0;
    for (const char *p = s; *p; p++)
        n += *p != ' ' && (p == s || p[-1] == ' ');
    return n;
}

/* Standard input can be read once: '-' may stand for one input only. */
static int stdin_once(const char *cmd, const hs_cli_opts *o)
{
    int n = o->base && strcmp(o->base, "-") == 0;
    for (int i = 0; i < o->n_files; i++)
        n += strcmp(o->files[i], "-") == 0;
    if (n < 2) return 0;
    hs_cli_failf("%s: '-' (standard input) is given %d times, but it can be read only once", cmd,
                 n);
    return -1;
}

/* A gzip'd --binary inflated to a temporary file, so that every reader
 * (libdwfl opens the program by path) sees a plain ELF file. */
static int inflate_binary(const char *cmd, const hs_source *src, const char *dir, hs_cli_opts *o)
{
    snprintf(o->binary_tmp, sizeof o->binary_tmp, "%s/heapscan-binary-XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(o->binary_tmp);
    if (fd < 0) {
        hs_cli_failf("%s: --binary %s: cannot inflate: %s", cmd, o->binary, strerror(errno));
        return -1;
    }
    snprintf(cleanup_paths[0], sizeof cleanup_paths[0], "%s", o->binary_tmp);
    size_t done = 0;
    while (done < src->size) {
        ssize_t w = write(fd, src->data + done, src->size - done);
        if (w <= 0) break;
        done += (size_t)w;
    }
    if (close(fd) != 0 || done < src->size) {
        hs_cli_failf("%s: --binary %s: cannot inflate: %s", cmd, o->binary, strerror(errno));
        return -1;
    }
    o->binary = o->binary_tmp;
    return 0;
}

/* --binary is checked the same way for every input: it must open (plain or
 * gzip'd) and be ELF; --sysroot and --debug-dir must be directories. */
static int check_symbol_sources(const char *cmd, hs_cli_opts *o)
{
    const char *dirs[2] = {o->sysroot, o->debug_dir}, *names[2] = {"--sysroot", "--debug-dir"};
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (dirs[i] && (stat(dirs[i], &st) != 0 || !S_ISDIR(st.st_mode))) {
            hs_cli_failf("%s: %s %s is not a directory", cmd, names[i], dirs[i]);
            return -1;
        }
    }
    if (!o->binary) return 0;
    hs_source src;
    hs_source_options so = {0};
    hs_error err;
    char msg[1200];
    source_options(&so); /* the caps and temporary directory of every input */
    if (hs_source_open_with(&src, o->binary, &so, &err)) {
        hs_cli_failf("%s (--binary)", hs_error_format(&err, msg, sizeof msg));
        return -1;
    }
    int rc = 0;
    if (src.size < 4 || memcmp(src.data, "\177ELF", 4) != 0) {
        hs_cli_failf("%s: offset 0: --binary is not an ELF file", o->binary);
        rc = -1;
    } else if (src.compression) {
        rc = inflate_binary(cmd, &src, so.tmpdir, o);
    }
    hs_source_close(&src);
    return rc;
}

int hs_cli_parse(int argc, char **argv, unsigned allowed, const char *usage, const char *args,
                 hs_cli_opts *o)
{
    const char *cmd = argv[0];
    int want = count_words(args);
    memset(o, 0, sizeof *o);
    o->limit = 20;
    o->nodecount = 80;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":i:n:o:h", long_opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (c == '?') {
            hs_cli_failf("%s: unknown option '%s' (see 'heapscan help %s')", cmd, argv[optind - 1],
                         cmd);
            return -1;
        }
        if (c == ':') {
            hs_cli_failf("%s: option '%s' needs a value", cmd, argv[optind - 1]);
            return -1;
        }
        if (!(option_bit(c) & allowed)) {
            hs_cli_failf("%s: option --%s does not apply to '%s' (see 'heapscan help %s')", cmd,
                         option_name(c), cmd, cmd);
            return -1;
        }
        if (apply(c, cmd, allowed, o)) return -1;
    }
    /* getopt_long permuted argv: what is left are the positional arguments. */
    o->files = argv + optind;
    o->n_files = argc - optind;
    size_t alen = strlen(args);
    int variadic = alen > 3 && strcmp(args + alen - 3, "...") == 0;
    if (variadic && o->n_files >= want) {
        for (int i = 0; i < o->n_files && i < HS_CLI_MAX_ARGS; i++)
            o->args[o->n_args++] = o->files[i];
        optind = argc;
    }
    while (optind < argc) {
        if (o->n_args >= HS_CLI_MAX_ARGS) {
            hs_cli_failf("%s: too many arguments", cmd);
            return -1;
        }
        o->args[o->n_args++] = argv[optind++];
    }
    if (variadic ? o->n_files < want : o->n_args != want) {
        hs_cli_failf("%s: expected %s, got %d argument%s (see 'heapscan help %s')", cmd, args,
                     o->n_args, o->n_args == 1 ? "" : "s", cmd);
        return -1;
    }
    if (stdin_once(cmd, o) || check_symbol_sources(cmd, o)) return -1;
    return 0;
}

/* Options that mean something for one kind of input only. */
int hs_cli_check_kind(const char *cmd, const hs_cli_opts *o, const hs_model *m, const char *file)
{
    if (m->kind == HS_MODEL_HEAP) {
        const char *opt = o->sample_index ? "-i/--sample-index"
                          : o->focus      ? "--focus"
                          : o->ignore     ? "--ignore"
                          : o->n_tags     ? "--tag"
                                          : NULL;
        if (opt)
            return hs_cli_failf("%s: %s applies to profiles, not to heap dumps or cores (%s)", cmd,
                                opt, file);
        return 0;
    }
    if (o->paths)
        return hs_cli_failf("%s: --paths applies to heap dumps and cores, not to profiles (%s)",
                            cmd, file);
    return 0;
}

int hs_cli_progress_wanted(void)
{
    return isatty(2);
}

/* "\rloading: objects 42%" on a terminal, at most a few times a second. */
static void show_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (!total) return;
    fprintf(stderr, "\rheapscan: reading %s %3u%%\033[K", what,
            (unsigned)(done * 100 / total > 100 ? 100 : done * 100 / total));
    fflush(stderr);
}

/* HEAPSCAN_THREADS as a number of parts, or 0 (automatic) when unset or malformed. */
static unsigned env_threads(void)
{
    const char *s = getenv("HEAPSCAN_THREADS");
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v == 0) return 0;
    return v > 16 ? 16 : (unsigned)v;
}

void hs_cli_load_options(const hs_cli_opts *o, hs_load_options *lo)
{
    memset(lo, 0, sizeof *lo);
    lo->threads = env_threads();
    lo->binary = o->binary;
    lo->sysroot = o->sysroot;
    lo->debug_dir = o->debug_dir;
    lo->demangle = o->demangle;
    lo->drop_ref_offsets = !o->ref_offsets;
    lo->progress = hs_cli_progress_wanted();
    if (lo->progress) lo->on_progress = show_progress;
    source_options(&lo->source);
}

void hs_cli_progress_done(const hs_load_options *lo)
{
    if (lo->progress) fputs("\r\033[K", stderr);
}
