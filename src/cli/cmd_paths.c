/* heapscan paths FILE ADDR|NAME: why is this object alive: the shortest
 * chain of references from a root to it, with pointer offsets (so this is
 * the one command that keeps them when loading). */
#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan paths FILE ADDR|NAME [--format text|json] [-o OUT] [--binary EXE]\n\n"
    "The shortest chain of references from any root to one object, one hop a line, and\n"
    "how many roots reach it. ADDR is hexadecimal (0x...); an address inside an object\n"
    "means that object. NAME is a type or allocation-site name as 'heapscan top' prints\n"
    "it; the object of that name with the largest retained size is used.\n\n"
    "  --format text|json   JSON: {\"file\",\"format\",\"target\",\"reachable\",\"hops\":[...],\n"
    "                       \"roots_reaching\",\"other_roots\"}\n"
    "  -o FILE              write to FILE (replaced only on success)\n";

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
    int rc = hs_cli_parse(argc, argv, HS_OPT_FORMAT | HS_OPT_BINARY, usage, 2, 2, &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    o.ref_offsets = 1;
    return hs_cli_run_heap(&o, "paths", paths);
}
