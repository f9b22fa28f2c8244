/* heapscan leaks FILE: objects no root reaches, grouped, and the leak roots
 * (unreachable objects nothing unreachable points to, one per cycle), each
 * with what it alone keeps among the garbage. */
#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan leaks [OPTIONS] FILE\n"
    "\n"
    "Objects that no root reaches (in a Go heap dump: garbage not yet swept; in a core:\n"
    "leaked malloc chunks), grouped by type (by site when the heap has no types), then\n"
    "the leak roots: unreachable objects that no other unreachable object points to,\n"
    "and one object for each unreachable cycle, largest retained size first.\n"
    "\n"
    "Options:\n"
    "  --by KEY                 type, site or object (default type, else site)\n"
    "  --sort KEY               retained (default), size or count\n"
    "  -n, --limit N            rows and leak roots to show (default 20; 0 = all)\n"
    "  --format text|json|csv   JSON: {\"file\",\"format\",\"by\",\"total\":{\"count\",\"size\"},\n"
    "                           \"rows\":[{\"name\",\"count\",\"size\",\"retained\"}],\n"
    "                           \"leak_roots\":[{\"address\",\"name\",\"size\",\"retained\",\n"
    "                           \"cycle\"}]}\n"
    HS_USAGE_COMMON
    "\n"
    "Exit status: 0 success, 2 usage or input error.\n";

static int leaks(const hs_cli_opts *o, hs_heap *h, FILE *fp)
{
    hs_group_by by;
    hs_group_sort sort;
    if (hs_cli_format_ok(o, "leaks",
                         HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON) | HS_FMTBIT(HS_FMT_CSV)) ||
        hs_cli_heap_by_sort(o, h, 1, &by, &sort))
        return HS_EXIT_USAGE;
    if (by == HS_GROUP_ROOT)
        return hs_cli_failf("leaks: --by root makes no sense: nothing reaches a leak");
    hs_leaks l;
    hs_error e;
    uint32_t limit = hs_cli_limit(o);
    if (hs_leaks_compute(h, by, sort, limit, &l, &e)) return hs_cli_fail(&e);
    hs_render_heap_leaks(fp, o->format, o->args[0], h, &l, limit);
    hs_leaks_free(&l);
    return HS_EXIT_OK;
}

int cmd_leaks(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv,
                          HS_OPT_BY | HS_OPT_SORT | HS_OPT_LIMIT | HS_OPT_FORMAT | HS_OPT_BINARY,
                          usage, "FILE", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    return hs_cli_run_heap(&o, "leaks", leaks);
}
