/* heapscan goroutines FILE...: goroutines grouped by state and stack, and
 * across snapshots (files in time order) which groups grow, with leak
 * suspects first and --fail-if gates for CI. A file is a goroutine dump or
 * traceback (formats/godump.c), a goroutine profile (read as a profile,
 * then turned into goroutine records by the analysis layer) or a Go core
 * (its heap model carries its goroutines, formats/gocore_g.c; each group's
 * retained memory is computed over that heap). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "heapscan/godump.h"
#include "heapscan/goroutine_render.h"

static const char usage[] =
    "usage: heapscan goroutines [OPTIONS] FILE...\n"
    "\n"
    "Group the goroutines of a Go program by state and stack (functions and lines;\n"
    "arguments ignored), largest group first: count, state, wait time, the first\n"
    "frame outside the runtime (function), the creator, and the stack. FILE is a\n"
    "goroutine dump (/debug/pprof/goroutine?debug=2), a panic or GOTRACEBACK=all\n"
    "traceback (also inside a log), or a goroutine profile (protobuf or debug=1; its\n"
    "state and wait time are unknown), or a core of a Go program (gcore,\n"
    "GOTRACEBACK=crash; --binary when the executable is not where it ran): its\n"
    "goroutines as Go's dump would show them, and each group's retained memory:\n"
    "the bytes only that group's stacks keep alive (column retained); or a Go\n"
    "heap dump (debug.WriteHeapDump: retained memory; files, lines, inlined calls\n"
    "and creators with --binary, else physical frames without lines).\n"
    "\n"
    "Several FILEs are snapshots in time order: each group's count in each, a class\n"
    "(grows, steady, new, gone, shrinks), and leak suspects first: groups that grow\n"
    "at every step, or that are blocked (chan receive/send, select, sync, semacquire,\n"
    "IO wait) for --stuck or longer, and whose least wait kept growing since the\n"
    "previous snapshot (a healthy pool's workers come back to their wait, so theirs\n"
    "does not).\n"
    "\n"
    "Options:\n"
    "  --by KEY                 stack (default), state, function or created-by\n"
    "  --stuck DURATION         blocked this long is suspect (default 5m; e.g. 90s,\n"
    "                           10m, 2h; 0 = never); Go prints whole minutes\n"
    "  -n, --limit N            show N groups (default 20; 0 = all)\n"
    "  --fail-if EXPR           exit 1 when EXPR holds, first FILE to last\n"
    "                           (repeatable), e.g.\n"
    "                             goroutines>+100  the total grew by more than 100\n"
    "                             group>+50        some group grew by more than 50\n"
    "                             goroutines>5000  the last FILE has more than 5000\n"
    "                           operators > >= < <=; +N% is relative to the first\n"
    "                           FILE's total\n"
    "  --format text|json|csv|dot\n"
    "                           JSON: {\"files\":[str],\"totals\":[int],\"groups\":[{\n"
    "                           \"function\",\"state\",\"created_by\"(str|null),\n"
    "                           \"labels\"(str|null: \"k=v,k2=v2\"),\n"
    "                           \"counts\":[int],\"class\",\"suspect\"(bool),\n"
    "                           \"wait_minutes\":{\"min\",\"max\"}(null for profiles),\n"
    "                           \"stack\":[{\"function\",\"file\",\"line\"}],\n"
    "                           \"retained\":[int|null](cores only)}]}\n"
    "                           dot: the groups' call tree for Graphviz (as 'graph')\n"
    HS_USAGE_COMMON
    "\n"
    "What a reader skipped (damaged records, frames without a file line, unknown\n"
    "states) is counted in one note per file on stderr.\n"
    "\n"
    "Exit status: 0 success, 1 a --fail-if gate tripped, 2 usage or input error\n"
    "(including a file with no goroutine in it).\n";

typedef struct gjob {
    const hs_cli_opts *o;
    hs_goroutines *snaps; /* one per file (o->files) */
    hs_model *cores;      /* [i]: file i's heap when it is a core, else kind NONE */
    const char **formats;
    const hs_goroutines **snap_ptrs;
    uint32_t n;
    hs_gate gates[HS_CLI_MAX_MULTI];
    hs_gate_result results[HS_CLI_MAX_MULTI];
    uint32_t n_gates;
    hs_gr_options go;
} gjob;

/* --stuck: "5m", "90s", "2h", "10min", "0"; in whole minutes, rounded up. */
static int parse_stuck(const char *s, uint32_t *minutes)
{
    char *end;
    if (!s) {
        *minutes = 5;
        return 0;
    }
    double v = strtod(s, &end);
    if (end == s || !(v >= 0) || v > 1e7) return -1;
    double secs = strcmp(end, "s") == 0                          ? v
                  : strcmp(end, "m") == 0 || !strcmp(end, "min") ? v * 60
                  : strcmp(end, "h") == 0                        ? v * 3600
                  : *end == 0 && v == 0                          ? 0
                                                                 : -1;
    if (secs < 0) return -1;
    *minutes = (uint32_t)((secs + 59) / 60);
    return 0;
}

static int parse_by(const char *s, hs_gr_by *by)
{
    if (!s || strcmp(s, "stack") == 0) *by = HS_GR_BY_STACK;
    else if (strcmp(s, "state") == 0) *by = HS_GR_BY_STATE;
    else if (strcmp(s, "function") == 0) *by = HS_GR_BY_FUNCTION;
    else if (strcmp(s, "created-by") == 0) *by = HS_GR_BY_CREATED_BY;
    else return hs_cli_failf("goroutines: unknown --by '%s' (stack, state, function or created-by)", s);
    return 0;
}

/* "goroutines OP V" is the total's gate, "group OP V" any group's: the
 * gate grammar of diff (analysis.h) with these two subjects and counts. */
static int parse_gate(const char *expr, hs_gate *g)
{
    char s[120];
    size_t n = 0;
    for (const char *c = expr; *c && n + 1 < sizeof s; c++)
        if (!isspace((unsigned char)*c)) s[n++] = *c;
    s[n] = 0;
    const char *subject = strncmp(s, "goroutines", 10) == 0 ? "total"
                          : strncmp(s, "group", 5) == 0     ? "any"
                                                            : NULL;
    if (!subject)
        return hs_cli_failf("--fail-if: '%s': expected 'goroutines' or 'group' first (e.g. "
                            "goroutines>+100, group>+50)",
                            expr);
    char rewritten[192];
    snprintf(rewritten, sizeof rewritten, "%s%s", subject, s + (*subject == 't' ? 10 : 5));
    hs_error err;
    if (hs_gate_parse(rewritten, NULL, 0, g, &err)) {
        const char *why = strstr(err.msg, "': ");
        return hs_cli_failf("--fail-if: '%s': %s", s, why ? why + 3 : err.msg);
    }
    if (hs_gate_check_unit(g, "count", &err)) return hs_cli_fail(&err);
    snprintf(g->expr, sizeof g->expr, "%s", s);
    g->column_name = "count";
    return 0;
}

static void eval_gates(gjob *j, const hs_gr_report *r)
{
    uint32_t last = r->n_files - 1;
    for (uint32_t i = 0; i < j->n_gates; i++) {
        hs_gate *g = &j->gates[i];
        hs_gate_result *res = &j->results[i];
        if (g->subject == HS_GATE_TOTAL) {
            hs_gate_total(g, (int64_t)r->totals[0], (int64_t)r->totals[last], res);
        } else {
            hs_gate_start(res);
            for (uint32_t k = 0; k < r->n_groups; k++)
                hs_gate_entry(g, hs_strtab_get(&r->strings, r->groups[k].function),
                              (int64_t)hs_gr_count(r, k, 0), (int64_t)hs_gr_count(r, k, last),
                              (int64_t)r->totals[0], res);
        }
        res->unit = "count";
    }
}

/* One note on stderr when the reader skipped or guessed something. */
static void note_damage(const char *file, const hs_goroutines *m)
{
    if (!m->skipped_records && !m->truncated && !m->frames_without_file && !m->unknown_states)
        return;
    fprintf(stderr,
            "heapscan: %s: note: %llu unreadable goroutine header(s) skipped, %llu record(s) cut "
            "off before their first frame skipped, %llu frame(s) without a file line, %llu "
            "unknown state(s) kept as written\n",
            file, (unsigned long long)m->skipped_records, (unsigned long long)m->truncated,
            (unsigned long long)m->frames_without_file, (unsigned long long)m->unknown_states);
}

/* The reader that would load these bytes as a profile or heap, or NULL. */
static const hs_reader *other_reader(const hs_source *src)
{
    const hs_reader *best = NULL;
    int best_score = 0;
    for (const hs_reader *const *r = hs_readers(); *r; r++) {
        int s = (*r)->probe(src->data, src->size);
        if (s > best_score) best_score = s, best = *r;
    }
    return best;
}

static int load_dump(gjob *j, uint32_t i, const hs_source *src)
{
    hs_error err;
    if (hs_godump_load(src, &j->snaps[i], &err)) return hs_cli_fail(&err);
    j->formats[i] = "go goroutine dump";
    note_damage(j->o->files[i], &j->snaps[i]);
    return 0;
}

static int load_profile(gjob *j, uint32_t i, const hs_source *src, const hs_load_options *lo)
{
    hs_model m;
    hs_error err;
    if (hs_load_memory(src->name, src->data, src->size, lo, &m, &err)) return hs_cli_fail(&err);
    int rc = hs_gr_from_profile(&m.profile, src->name, &j->snaps[i], &err) ? hs_cli_fail(&err) : 0;
    j->formats[i] = "go goroutine profile";
    hs_model_free(&m);
    return rc;
}

/* A Go core or heap dump: its heap, whose goroutines become snapshot i. */
static int load_heap(gjob *j, uint32_t i, const hs_source *src, const hs_load_options *lo,
                     int core)
{
    hs_model *m = &j->cores[i];
    hs_error err;
    if (hs_load_memory(src->name, src->data, src->size, lo, m, &err)) return hs_cli_fail(&err);
    if (!m->heap.goroutines) {
        hs_model_free(m);
        memset(m, 0, sizeof *m);
        return hs_cli_failf(core ? "%s: no Go goroutines in this core (not a Go program, or its "
                                   "runtime.allgs is unreadable)"
                                 : "%s: this Go heap dump holds no goroutine records",
                            src->name);
    }
    j->snaps[i] = *m->heap.goroutines;
    free(m->heap.goroutines);
    m->heap.goroutines = NULL;
    j->formats[i] = core ? "go core" : "go heap dump";
    return 0;
}

/* A dump or traceback, else a goroutine profile; the source is read once
 * (it may be standard input). Without any reader's format, the dump
 * reader's error says what was expected. */
static int load_one(gjob *j, uint32_t i)
{
    const char *path = j->o->files[i];
    hs_load_options lo;
    hs_cli_load_options(j->o, &lo);
    hs_source src;
    hs_error err;
    hs_cli_loading(path);
    if (hs_source_open_with(&src, path, &lo.source, &err)) {
        hs_cli_loading(NULL);
        return hs_cli_fail(&err);
    }
    /* A heap dump or core is refused before the dump probe reads it all. */
    const hs_reader *other = other_reader(&src);
    int rc;
    if (other && strcmp(other->name, "elf-core") == 0) rc = load_heap(j, i, &src, &lo, 1);
    else if (other && strcmp(other->name, "go-heapdump") == 0) rc = load_heap(j, i, &src, &lo, 0);
    else if (other && other->kind != HS_MODEL_PROFILE)
        rc = hs_cli_failf("%s: goroutines does not read %s files (a goroutine dump, profile, "
                          "Go heap dump or Go core is needed)",
                          src.name, other->name);
    else if (!other || hs_godump_probe(src.data, src.size)) rc = load_dump(j, i, &src);
    else rc = load_profile(j, i, &src, &lo);
    hs_source_close(&src);
    hs_cli_loading(NULL);
    return rc;
}

static int run(gjob *j)
{
    const hs_cli_opts *o = j->o;
    for (j->n = 0; j->n < (uint32_t)o->n_files; j->n++)
        if (load_one(j, j->n)) return HS_EXIT_USAGE;
    for (uint32_t i = 0; i < j->n; i++)
        j->snap_ptrs[i] = &j->snaps[i];
    hs_gr_report r;
    hs_error err;
    if (hs_gr_report_build(j->snap_ptrs, j->n, &j->go, &r, &err)) return hs_cli_fail(&err);
    for (uint32_t i = 0; i < j->n; i++)
        if (j->cores[i].kind == HS_MODEL_HEAP &&
            hs_gr_report_add_retained(&r, i, &j->cores[i].heap, &j->snaps[i], &err)) {
            hs_gr_report_free(&r);
            return hs_cli_fail(&err);
        }
    eval_gates(j, &r);
    hs_gr_render_meta meta = {(const char *const *)o->files, j->formats, j->go.stuck_minutes, hs_cli_limit(o), 1,
                              j->gates, j->results, j->n_gates};
    hs_gr_tree t = {0};
    if (o->format == HS_FMT_DOT && hs_gr_tree_build(&r, meta.limit, &t, &err)) {
        hs_gr_report_free(&r);
        return hs_cli_fail(&err);
    }
    hs_output out;
    int rc = HS_EXIT_USAGE;
    if (hs_output_open(&out, o->output) == 0) {
        if (o->format == HS_FMT_DOT) hs_render_goroutines_dot(out.fp, &meta, &r, &t);
        else hs_render_goroutines(out.fp, o->format, &meta, &r);
        rc = hs_output_commit(&out) ? HS_EXIT_USAGE
                                    : hs_cli_report_gates(j->gates, j->results, j->n_gates);
    }
    hs_gr_tree_free(&t);
    hs_gr_report_free(&r);
    return rc;
}

/* The goroutine report of o->files: load, group, gates, render. */
static int goroutines_job(const hs_cli_opts *op)
{
    int rc = 0;
    gjob *j = calloc(1, sizeof *j);
    size_t nf = (size_t)op->n_files;
    if (j) {
        j->snaps = calloc(nf, sizeof *j->snaps);
        j->formats = calloc(nf, sizeof *j->formats);
        j->snap_ptrs = calloc(nf, sizeof *j->snap_ptrs);
        j->cores = calloc(nf, sizeof *j->cores);
    }
    if (!j || !j->snaps || !j->formats || !j->snap_ptrs || !j->cores) {
        if (j) free(j->snaps), free(j->formats), free(j->snap_ptrs), free(j->cores);
        free(j);
        return hs_cli_failf("goroutines: out of memory");
    }
    j->o = op;
    if (parse_by(op->by, &j->go.by)) rc = HS_EXIT_USAGE;
    else if (parse_stuck(op->stuck, &j->go.stuck_minutes))
        rc = hs_cli_failf("goroutines: --stuck wants a duration such as 5m, 90s or 2h, got '%s'",
                          op->stuck);
    for (int i = 0; !rc && i < op->n_fail_if; i++)
        if (parse_gate(op->fail_if[i], &j->gates[j->n_gates++])) rc = HS_EXIT_USAGE;
    if (!rc) rc = run(j);
    for (uint32_t i = 0; i < (uint32_t)op->n_files; i++) {
        hs_goroutines_free(&j->snaps[i]);
        if (j->cores[i].kind != HS_MODEL_NONE) hs_model_free(&j->cores[i]);
    }
    free(j->snaps), free(j->formats), free(j->snap_ptrs), free(j->cores);
    free(j);
    return rc;
}

int cmd_goroutines(int argc, char **argv)
{
    hs_cli_opts o;
    unsigned allowed =
        HS_OPT_LIMIT | HS_OPT_BY | HS_OPT_FORMAT | HS_OPT_FAIL_IF | HS_OPT_STUCK | HS_OPT_BINARY;
    int rc = hs_cli_parse(argc, argv, allowed, usage, "FILE...", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    if (hs_cli_format_ok(&o, "goroutines",
                         HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON) | HS_FMTBIT(HS_FMT_CSV) |
                             HS_FMTBIT(HS_FMT_DOT)))
        return HS_EXIT_USAGE;
    return goroutines_job(&o);
}

int hs_cli_is_goroutine_dump(const char *path)
{
    struct stat st;
    if (stat(path, &st) || !S_ISREG(st.st_mode)) return 0; /* stdin, URLs: read once */
    hs_source src;
    hs_error err;
    if (hs_source_open(&src, path, &err)) return 0;
    int yes = !other_reader(&src) && hs_godump_probe(src.data, src.size) > 0;
    hs_source_close(&src);
    return yes;
}

int hs_cli_goroutines_graph(const hs_cli_opts *graph_opts)
{
    hs_cli_opts o = *graph_opts;
    o.limit = o.nodecount_set ? o.nodecount : 20;
    o.limit_set = 1;
    o.format = HS_FMT_DOT;
    o.by = NULL;
    return goroutines_job(&o);
}
