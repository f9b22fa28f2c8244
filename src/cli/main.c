/* heapscan entry point: the command table and dispatch, git-style.
 * Each command lives in src/cli/cmd_NAME.c as int cmd_NAME(argc, argv),
 * parses its own options and owns its usage text; this file only routes. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const hs_command commands[] = {
    {"info", cmd_info, "describe a file: format, totals, sample types or heap summary"},
    {"top", cmd_top, "entries with the largest flat/cum values (like pprof -top)"},
    {"goroutines", cmd_goroutines, "goroutines grouped by state and stack; leak suspects across dumps"},
    {"diff", cmd_diff, "signed changes between two files, with --fail-if gates"},
    {"graph", cmd_graph, "call graph as Graphviz DOT (--base for a diff graph)"},
    {"dominators", cmd_dominators, "dominator tree of a heap: what keeps what alive"},
    {"paths", cmd_paths, "shortest path from a root to an object"},
    {"leaks", cmd_leaks, "unreachable objects and leak roots of a heap"},
    {"trend", cmd_trend, "what grows across snapshots, and how fast (--fail-if grows>0)"},
    {"collect", cmd_collect, "save snapshots of live endpoints over time, for trend"},
    {NULL, NULL, NULL},
};

static void usage(FILE *fp)
{
    fputs("usage: heapscan COMMAND [OPTIONS] FILE...\n\n"
          "Find where memory went and what keeps it alive, in pprof profiles (protobuf, or\n"
          "Go's debug=1 text), gperftools and jemalloc heap profiles, the other formats\n"
          "pprof reads (binary CPU, contention, growth, thread and Java profiles), Go heap\n"
          "dumps and ELF core files (plain or compressed; '-' reads standard input).\n\n"
          "Commands:\n",
          fp);
    for (const hs_command *c = commands; c->name; c++)
        fprintf(fp, "  %-12s %s\n", c->name, c->summary);
    fputs("\n'heapscan help COMMAND' or 'heapscan COMMAND --help' describes a command;\n"
          "'heapscan --version' prints the version.\n"
          "Exit status: 0 success, 1 a --fail-if gate tripped, 2 usage or input error.\n"
          "See heapscan(1) for formats, JSON schemas and examples.\n",
          fp);
}

static const hs_command *find(const char *name)
{
    for (const hs_command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

static int run(int argc, char **argv)
{
    if (hs_cli_apply_memory_limit()) return HS_EXIT_USAGE;
    if (argc < 2) {
        usage(stderr);
        return HS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return HS_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("heapscan %s\n", HEAPSCAN_VERSION);
        return HS_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return HS_EXIT_OK;
        }
        const hs_command *c = find(argv[2]);
        if (!c) return hs_cli_failf("unknown command '%s' (see 'heapscan --help')", argv[2]);
        char *help_argv[] = {argv[2], "--help", NULL};
        return c->fn(2, help_argv);
    }
    const hs_command *c = find(name);
    if (!c) return hs_cli_failf("unknown command '%s' (see 'heapscan --help')", name);
    return c->fn(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    hs_cli_guard_library_exits();
    int rc = run(argc, argv);
    hs_cli_exit_from_main();
    return rc;
}
