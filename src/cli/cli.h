/* heapscan CLI shared pieces: the command table type, one option parser
 * for every command (each command says which options it accepts), output
 * files written atomically, error printing and exit codes. Only the CLI
 * prints errors and chooses exit statuses. */
#ifndef HEAPSCAN_CLI_H
#define HEAPSCAN_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "heapscan/analysis.h"
#include "heapscan/heap_analysis.h"
#include "heapscan/heapscan.h"
#include "heapscan/render.h"

enum { HS_EXIT_OK = 0, HS_EXIT_GATE = 1, HS_EXIT_USAGE = 2 };

typedef hs_render_format hs_out_format;

/* Option bits: which options a command accepts. */
enum {
    HS_OPT_SAMPLE_INDEX = 1u << 0, /* -i, --sample-index NAME */
    HS_OPT_LIMIT = 1u << 1,        /* -n, --limit N */
    HS_OPT_BY = 1u << 2,           /* --by KEY */
    HS_OPT_SORT = 1u << 3,         /* --sort KEY */
    HS_OPT_FILTER = 1u << 4,       /* --focus RE, --ignore RE, --tag K=V */
    HS_OPT_FORMAT = 1u << 5,       /* --format F, -o FILE */
    HS_OPT_FAIL_IF = 1u << 6,      /* --fail-if EXPR */
    HS_OPT_GRAPH = 1u << 7,        /* --nodecount N, --base FILE, --dot, --paths ADDR */
    HS_OPT_BINARY = 1u << 8,       /* --binary, --sysroot, --debug-dir, --demangle */
    HS_OPT_TREE = 1u << 9,         /* --depth N, --min-retained SIZE */
    HS_OPT_TREND = 1u << 10,       /* --cum, --skip-bad; --format svg|html */
    HS_OPT_COLLECT = 1u << 11,     /* --every DURATION, --count N, --dir DIR */
    HS_OPT_STUCK = 1u << 12,       /* --stuck DURATION (goroutines; 10, 11: trend on main) */
};

#define HS_CLI_MAX_MULTI 32
#define HS_CLI_MAX_ARGS 8

typedef struct hs_cli_opts {
    const char *sample_index;
    long limit;
    int limit_set;
    const char *by, *sort;
    const char *focus, *ignore;
    const char *tags[HS_CLI_MAX_MULTI];
    int n_tags;
    hs_out_format format;
    int format_set;
    const char *output;
    const char *fail_if[HS_CLI_MAX_MULTI];
    int n_fail_if;
    long nodecount;
    int nodecount_set;
    const char *base;
    int dot;
    const char *paths;
    const char *binary, *sysroot, *debug_dir;
    hs_demangle_mode demangle;
    char binary_tmp[4200]; /* a gzip'd --binary, inflated (removed when main returns) */
    int ref_offsets; /* the command shows reference offsets (paths): keep them */
    long depth;
    int depth_set;
    const char *min_retained;
    const char *stuck;
    const char *args[HS_CLI_MAX_ARGS];
    int n_args;
    /* every positional argument (args holds the first HS_CLI_MAX_ARGS): a
     * command whose argument description ends in "..." takes one or more */
    char **files;
    int n_files;
    int cum, skip_bad;              /* trend */
    const char *every, *dir;        /* collect */
    long count;
    int count_set;
} hs_cli_opts;

/* The option lines every command's usage ends with (same words everywhere). */
#define HS_USAGE_COMMON                                                                        \
    "  -o, --output FILE        write to FILE (replaced only when the command succeeds)\n"     \
    "  --binary PATH            the program's executable, for symbols (heap dumps, cores,\n"   \
    "                           text profiles with a memory map); may be gzip'd; must be ELF\n" \
    "  --sysroot DIR, --debug-dir DIR   where the core's libraries / debug files are\n"       \
    "  --demangle MODE          C++ names: short (pprof's default: no parameters or\n"     \
    "                           template arguments), templates, full, none\n"             \
    "  -h, --help               show this help\n"

typedef struct hs_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} hs_command;

/* Parse argv[1..] (argv[0] is the command name). Returns 0 to go on,
 * 1 when --help was printed (exit 0), -1 after printing a usage error
 * (exit 2). args names the positional arguments ("FILE", "BEFORE AFTER"),
 * one word each; a last word ending in "..." ("FILE...") takes one or more. Also refuses '-' for two inputs, and checks --binary
 * (opens, plain or gzip'd, and is ELF; a gzip'd one is inflated to a
 * temporary file) and that --sysroot and --debug-dir are directories. */
int hs_cli_parse(int argc, char **argv, unsigned allowed, const char *usage, const char *args,
                 hs_cli_opts *o);
/* After loading file: refuse, with one line, the options that apply to
 * the other kind of input (-i and the filters on heaps, --paths on
 * profiles). Returns HS_EXIT_USAGE after printing, else 0. */
int hs_cli_check_kind(const char *cmd, const hs_cli_opts *o, const hs_model *m, const char *file);

/* Print "heapscan: <error>" on stderr; returns HS_EXIT_USAGE. */
int hs_cli_fail(const hs_error *err);
int hs_cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* HEAPSCAN_MAX_MEMORY=SIZE caps the heap memory heapscan may allocate
 * (RLIMIT_DATA; mapped input files do not count). Allocation failures then
 * end in an "out of memory" error naming the limit. -1 on a bad value. */
int hs_cli_apply_memory_limit(void);
/* Make a library's own exit (libdw out of memory) a one-line error with
 * status 2; main calls hs_cli_exit_from_main() when it returns. */
void hs_cli_guard_library_exits(void);
void hs_cli_exit_from_main(void);
void hs_cli_loading(const char *path); /* named in that error; NULL when done */

/* Progress is shown only when stderr is a terminal. */
int hs_cli_progress_wanted(void);
void hs_cli_load_options(const hs_cli_opts *o, hs_load_options *lo);
/* Clear the progress line, if one was shown. */
void hs_cli_progress_done(const hs_load_options *lo);

/* Output: stdout, or -o FILE written to a temporary beside it and renamed
 * into place only on commit, so a failed run never clobbers FILE. */
typedef struct hs_output {
    FILE *fp;
    char path[4096];
    char tmp[4200];
} hs_output;
int hs_output_open(hs_output *out, const char *path); /* NULL or "-" = stdout */
int hs_output_commit(hs_output *out);                 /* 0 ok, else prints error */
void hs_output_abort(hs_output *out);
/* End a command whose body returned rc: keep the output when rc is success
 * or a tripped gate (its report is wanted), discard it otherwise. */
int hs_output_finish(hs_output *out, int rc);

/* ---- shared by the profile commands (info, top, diff, graph) ---- */

/* Load a model for cmd and check the options against its kind
 * (hs_cli_check_kind); on failure print the error and return -1 (exit 2). */
int hs_cli_load(const char *cmd, const char *path, const hs_cli_opts *o, hs_model *m);
/* Resolve -i NAME (a sample type name or a 0-based number; NULL = the
 * profile's default). Prints an error naming file and the choices on failure. */
int hs_cli_sample_index(const hs_profile *p, const char *file, const char *want, uint32_t *out);

/* --by, --sort, --focus, --ignore, --tag as analysis options, plus the
 * "Active filters" lines the reports show. */
typedef struct hs_cli_prof {
    hs_agg_by by;
    hs_agg_order order;
    hs_agg_filter filter;
    char filter_text[HS_CLI_MAX_MULTI + 2][256];
    const char *filter_lines[HS_CLI_MAX_MULTI + 2];
    uint32_t n_filter_lines;
} hs_cli_prof;
int hs_cli_prof_options(const char *cmd, const hs_cli_opts *o, hs_cli_prof *out);
/* -n as a row limit (0 = all). */
uint32_t hs_cli_limit(const hs_cli_opts *o);

/* ---- shared by the heap branches (src/cli/common.c) ---- */

/* Load o->args[i] and insist on a heap model; prints and returns exit 2 otherwise. */
int hs_cli_load_heap(const hs_cli_opts *o, int i, const char *cmd, hs_model *m);
/* Load o->args[0] as a heap, open -o, run body (which renders to fp), keep
 * the output when body returns 0 or 1, drop it on 2; frees the model. */
int hs_cli_run_heap(const hs_cli_opts *o, const char *cmd,
                    int (*body)(const hs_cli_opts *o, hs_heap *h, FILE *fp));
/* --by (default hs_group_default_by(h, prefer_type)) and --sort (default retained). */
int hs_cli_heap_by_sort(const hs_cli_opts *o, const hs_heap *h, int prefer_type,
                        hs_group_by *by, hs_group_sort *sort);
#define HS_FMTBIT(f) (1u << (f))
/* Check the output format against the allowed set (HS_FMTBIT bits); prints on error. */
int hs_cli_format_ok(const hs_cli_opts *o, const char *cmd, unsigned allowed_mask);
/* One "gate tripped" line on stderr per tripped gate; returns HS_EXIT_GATE if
 * one tripped, else HS_EXIT_OK. */
int hs_cli_report_gates(const hs_gate *g, const hs_gate_result *r, uint32_t n);

#endif
