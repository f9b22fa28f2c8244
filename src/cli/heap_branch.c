/* Placeholder heap-model branches of info/top/diff/graph. The owner of the
 * heap commands replaces this file; each function keeps its signature from
 * cli.h and returns an exit status. */
#include "cli.h"

static int unsupported(const hs_model *m, const char *cmd)
{
    return hs_cli_failf("%s: heap models are not supported by %s yet", m->src.name, cmd);
}

int hs_cli_heap_info(const hs_cli_opts *o, hs_model *m) { return unsupported(m, "info"); }

int hs_cli_heap_top(const hs_cli_opts *o, hs_model *m) { return unsupported(m, "top"); }

int hs_cli_heap_diff(const hs_cli_opts *o, hs_model *before, hs_model *after)
{
    return unsupported(before->kind == HS_MODEL_HEAP ? before : after, "diff");
}

int hs_cli_heap_graph(const hs_cli_opts *o, hs_model *m, hs_model *base)
{
    return unsupported(m->kind == HS_MODEL_HEAP ? m : base, "graph");
}
