/* heapscan dominators FILE: the dominator tree of a heap (see heap_dominators.c). */
#include "commands.h"
#include "heap_cli.h"

static const char usage[] =
    "usage: heapscan dominators FILE [--depth N] [--min-retained SIZE] [--format text|json]\n"
    "                           [-o OUT] [--binary EXE]\n\n"
    "The dominator tree of a heap dump or core: under a virtual super-root, every root\n"
    "(global, goroutine stack, thread, finalizer ...) and below each vertex the objects it\n"
    "alone keeps alive, largest retained size first. Unreachable objects are not in the\n"
    "tree (see 'heapscan leaks').\n\n"
    "  --depth N            levels below the super-root to print (default 6)\n"
    "  --min-retained SIZE  hide vertices retaining less (64KiB, 1MiB, or a share of the\n"
    "                       reachable bytes like 0.5%; default 1%); hidden children are\n"
    "                       summed in one '... N more' line\n"
    "  --format text|json   indented text, or {\"file\",\"format\",\"reachable\",\"depth\",\n"
    "                       \"min_retained\",\"nodes\":[{\"depth\",\"kind\",...}]} in display "
    "order\n"
    "  -o FILE              write to FILE (replaced only on success)\n";

int cmd_dominators(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv, HS_OPT_TREE | HS_OPT_FORMAT | HS_OPT_BINARY, usage, 1, 1, &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    return hs_heapcli_run(&o, "dominators", hs_heapcli_dominators);
}
