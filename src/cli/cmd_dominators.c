/* heapscan dominators FILE: the dominator tree of a heap, largest children
 * first, down to --depth levels and --min-retained bytes (the library prunes
 * it, src/render/heap_tree.c prints it). */
#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan dominators [OPTIONS] FILE\n"
    "\n"
    "The dominator tree of a heap dump or core: under a virtual super-root, every root\n"
    "(global, goroutine stack, thread, finalizer ...) and below each vertex the objects it\n"
    "alone keeps alive, largest retained size first. Unreachable objects are not in the\n"
    "tree (see 'heapscan leaks'). Profiles have no object graph: exit 2.\n"
    "\n"
    "Options:\n"
    "  --depth N                levels below the super-root to print (default 6)\n"
    "  --min-retained SIZE      hide vertices retaining less (64KiB, 1MiB, or a share of\n"
    "                           the reachable bytes like 0.5%; default 1%); hidden\n"
    "                           children are summed in one '... N more' line\n"
    "  --format text|json       indented text, or {\"file\",\"format\",\"reachable\",\"depth\",\n"
    "                           \"min_retained\",\"nodes\":[{\"depth\",\"kind\",...}]} in\n"
    "                           display order\n"
    HS_USAGE_COMMON
    "\n"
    "Exit status: 0 success, 2 usage or input error.\n";

static int dominators(const hs_cli_opts *o, hs_heap *h, FILE *fp)
{
    if (hs_cli_format_ok(o, "dominators", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON)))
        return HS_EXIT_USAGE;
    hs_dom d;
    hs_error e;
    if (hs_dom_build_consume(h, &d, &e)) return hs_cli_fail(&e); /* nothing below follows references */
    uint64_t min;
    if (hs_domtree_parse_min(o->min_retained ? o->min_retained : "1%", d.retained[0], &min)) {
        hs_dom_free(&d);
        return hs_cli_failf("dominators: bad --min-retained '%s' (a size like 64KiB, or 0.5%%)",
                            o->min_retained);
    }
    uint32_t depth = o->depth_set ? (uint32_t)(o->depth > 1000000 ? 1000000 : o->depth) : 6;
    hs_domtree t;
    int rc = HS_EXIT_OK;
    if (hs_domtree_build(&d, depth, min, &t, &e)) {
        rc = hs_cli_fail(&e);
    } else {
        hs_render_heap_dominators(fp, o->format, o->args[0], h, &d, &t);
        hs_domtree_free(&t);
    }
    hs_dom_free(&d);
    return rc;
}

int cmd_dominators(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv, HS_OPT_TREE | HS_OPT_FORMAT | HS_OPT_BINARY, usage, "FILE", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    return hs_cli_run_heap(&o, "dominators", dominators);
}
