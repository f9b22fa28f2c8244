/* The heap-model branches of info/top/diff/graph: open the output, run the
 * heap body (src/cli/heap_*.c), and keep the output only when the body
 * succeeded or a gate tripped (a tripped gate still writes its report). */
#include "cli.h"
#include "heap_cli.h"

static int finish(hs_output *out, int rc)
{
    if (rc == HS_EXIT_OK || rc == HS_EXIT_GATE) {
        if (hs_output_commit(out)) return HS_EXIT_USAGE;
        return rc;
    }
    hs_output_abort(out);
    return rc;
}

int hs_cli_heap_info(const hs_cli_opts *o, hs_model *m)
{
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return finish(&out, hs_heap_cmd_info(o, m, &out));
}

int hs_cli_heap_top(const hs_cli_opts *o, hs_model *m)
{
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return finish(&out, hs_heap_cmd_top(o, m, &out));
}

int hs_cli_heap_diff(const hs_cli_opts *o, hs_model *before, hs_model *after)
{
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return finish(&out, hs_heap_cmd_diff(o, before, after, &out));
}

int hs_cli_heap_graph(const hs_cli_opts *o, hs_model *m, hs_model *base)
{
    if (base)
        return hs_cli_failf("graph: --base compares profiles; for heaps use 'heapscan diff'");
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    return finish(&out, hs_heap_cmd_graph(o, m, &out));
}
