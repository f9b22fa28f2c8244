/* heapscan leaks FILE: unreachable objects and leak roots (see heap_leaks.c). */
#include "commands.h"
#include "heap_cli.h"

static const char usage[] =
    "usage: heapscan leaks FILE [--by type|site|object] [--sort retained|size|count] [-n N]\n"
    "                      [--format text|json|csv] [-o OUT] [--binary EXE]\n\n"
    "Objects that no root reaches (in a Go heap dump: garbage not yet swept; in a core:\n"
    "leaked malloc chunks), grouped by type (by site when the heap has no types), then\n"
    "the leak roots: unreachable objects that no other unreachable object points to,\n"
    "and one object for each unreachable cycle, largest retained size first.\n\n"
    "  --by KEY             type, site or object (default type, else site)\n"
    "  --sort KEY           retained (default), size or count\n"
    "  -n, --limit N        rows and leak roots to show (default 20, 0 = all)\n"
    "  --format F           text, csv, or JSON {\"file\",\"format\",\"by\",\"total\":{\"count\",\n"
    "                       \"size\"},\"rows\":[{\"name\",\"count\",\"size\",\"retained\"}],\n"
    "                       "
    "\"leak_roots\":[{\"address\",\"name\",\"size\",\"retained\",\"cycle\"}]}\n"
    "  -o FILE              write to FILE (replaced only on success)\n";

int cmd_leaks(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv,
                          HS_OPT_BY | HS_OPT_SORT | HS_OPT_LIMIT | HS_OPT_FORMAT | HS_OPT_BINARY,
                          usage, 1, 1, &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    return hs_heapcli_run(&o, "leaks", hs_heapcli_leaks);
}
