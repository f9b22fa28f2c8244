/* heapscan paths FILE ADDR|NAME: why is this object alive: the shortest
 * chain of references from a root to it, with pointer offsets (so this is
 * the one command that keeps them when loading). */
#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan paths [OPTIONS] FILE ADDR|NAME\n"
    "\n"
    "The shortest chain of references from any root to one object of a heap dump or\n"
    "core, one hop a line with the offset of each pointer, and how many roots reach it.\n"
    "ADDR is hexadecimal (0x...); an address inside an object means that object. NAME\n"
    "is a type or allocation-site name as 'heapscan top' prints it; the object of that\n"
    "name with the largest retained size is used.\n"
    "\n"
    "Options:\n"
    "  --format text|json       JSON: {\"file\",\"format\",\"target\",\"reachable\",\"hops\":[...],\n"
    "                           \"roots_reaching\",\"other_roots\"}\n"
    HS_USAGE_COMMON
    "\n"
    "Exit status: 0 success, 2 usage or input error (also when no object has that\n"
    "address or name).\n";

static int paths(const hs_cli_opts *o, hs_heap *h, FILE *fp)
{
    if (hs_cli_format_ok(o, "paths", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON)))
        return HS_EXIT_USAGE;
    hs_dom d;
    hs_error e;
    if (hs_dom_build(h, &d, &e)) return hs_cli_fail(&e);
    uint32_t obj;
    hs_path p;
    int rc = HS_EXIT_OK;
    if (hs_heap_resolve(h, &d, o->args[0], o->args[1], &obj, &e) || hs_path_find(h, obj, &p, &e)) {
        rc = hs_cli_fail(&e);
    } else {
        hs_render_heap_paths(fp, o->format, o->args[0], h, &d, obj, &p);
        hs_path_free(&p);
    }
    hs_dom_free(&d);
    return rc;
}

int cmd_paths(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv, HS_OPT_FORMAT | HS_OPT_BINARY, usage, "FILE ADDR|NAME", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    o.ref_offsets = 1;
    return hs_cli_run_heap(&o, "paths", paths);
}
