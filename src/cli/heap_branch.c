/* The heap-model branches of info/top/diff/graph: open the output, run the
 * heap body (src/cli/heap_*.c), and let hs_output_finish keep or drop it. */
#include "cli.h"
#include "heap_cli.h"

int hs_cli_heap_info(const hs_cli_opts *o, hs_model *m)
{
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return hs_output_finish(&out, hs_heap_cmd_info(o, m, &out));
}

int hs_cli_heap_top(const hs_cli_opts *o, hs_model *m)
{
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return hs_output_finish(&out, hs_heap_cmd_top(o, m, &out));
}

int hs_cli_heap_diff(const hs_cli_opts *o, hs_model *before, hs_model *after)
{
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return hs_output_finish(&out, hs_heap_cmd_diff(o, before, after, &out));
}

int hs_cli_heap_graph(const hs_cli_opts *o, hs_model *m, hs_model *base)
{
    if (base)
        return hs_cli_failf("graph: --base compares profiles; for heaps use 'heapscan diff'");
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return hs_output_finish(&out, hs_heap_cmd_graph(o, m, &out));
}
