/* heapscan paths FILE ADDR|NAME: why is this object alive (see heap_paths.c). */
#include "commands.h"
#include "heap_cli.h"

static const char usage[] =
    "usage: heapscan paths FILE ADDR|NAME [--format text|json] [-o OUT] [--binary EXE]\n\n"
    "The shortest chain of references from any root to one object, one hop a line, and\n"
    "how many roots reach it. ADDR is hexadecimal (0x...); an address inside an object\n"
    "means that object. NAME is a type or allocation-site name as 'heapscan top' prints\n"
    "it; the object of that name with the largest retained size is used.\n\n"
    "  --format text|json   JSON: {\"file\",\"format\",\"target\",\"reachable\",\"hops\":[...],\n"
    "                       \"roots_reaching\",\"other_roots\"}\n"
    "  -o FILE              write to FILE (replaced only on success)\n";

int cmd_paths(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv, HS_OPT_FORMAT | HS_OPT_BINARY, usage, 2, 2, &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    o.ref_offsets = 1;
    return hs_heapcli_run(&o, "paths", hs_heapcli_paths);
}
