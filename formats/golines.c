/* Logical frames of Go code at a pc from DWARF (golines.h). */
#include "golines.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

void hs_golines_init(hs_golines *x, Dwarf *dw, uint64_t bias, hs_strtab *strings)
{
    memset(x, 0, sizeof *x);
    x->bias = bias, x->strings = strings;
    hs_gocu_build(&x->cus, dw);
}

void hs_golines_free(hs_golines *x)
{
    hs_gocu_free(&x->cus);
    free(x->pcs), free(x->frames);
    memset(x, 0, sizeof *x);
}

static Dwarf_Die *cu_of(const hs_golines *x, uint64_t pc, Dwarf_Die *die)
{
    return hs_gocu_at(&x->cus, pc - x->bias, die) ? NULL : die;
}

static const char *src_in(const hs_golines *x, Dwarf_Die *cu, uint64_t pc, int *line)
{
    Dwarf_Line *l = cu ? dwarf_getsrc_die(cu, pc - x->bias) : NULL;
    const char *f = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
    if (!f || dwarf_lineno(l, line) != 0) *line = 0;
    return f ? f : "";
}

const char *hs_golines_src(const hs_golines *x, uint64_t pc, int *line)
{
    Dwarf_Die die;
    return src_in(x, cu_of(x, pc, &die), pc, line);
}

static uint32_t intern(hs_golines *x, const char *s)
{
    return hs_strtab_intern(x->strings, s, strlen(s));
}

/* A frame onto frames[], if the runtime's traceback would show it. */
static int push_frame(hs_golines *x, const char *fn, const char *file, int line)
{
    if (!hs_goroutines_frame_shown(fn)) return 0;
    if (x->n_frames == x->cap_frames) {
        uint32_t cap = x->cap_frames ? x->cap_frames * 2 : 256;
        hs_gr_frame *f = cap > x->cap_frames ? realloc(x->frames, cap * sizeof *f) : NULL;
        if (!f) return -1;
        x->frames = f, x->cap_frames = cap;
    }
    hs_gr_frame f = {intern(x, fn), intern(x, file), line > 0 ? (uint32_t)line : 0};
    if (f.function == HS_STR_NONE || f.file == HS_STR_NONE) return -1;
    x->frames[x->n_frames++] = f;
    return 0;
}

/* Whether the function holding pc is a compiler-made wrapper (a go
 * statement's closure, a method value: DW_AT_trampoline), which the
 * runtime's showframe elides. dwarf_getscopes follows an inlined call to
 * its abstract origin, so the concrete subprogram is looked up here. */
static int trampoline(const hs_golines *x, Dwarf_Die *cu, uint64_t pc)
{
    Dwarf_Die d;
    return !hs_gocu_function(cu, pc - x->bias, &d) && dwarf_hasattr(&d, DW_AT_trampoline);
}

static int frames_at(hs_golines *x, uint64_t pc, const char *fn)
{
    Dwarf_Die cu_die, *cu = cu_of(x, pc, &cu_die), *scopes = NULL;
    int line;
    const char *file = src_in(x, cu, pc, &line);
    int ns = cu ? dwarf_getscopes(cu, pc - x->bias, &scopes) : 0;
    Dwarf_Files *files = NULL;
    size_t nfiles = 0;
    if (cu && dwarf_getsrcfiles(cu, &files, &nfiles) != 0) files = NULL;
    int rc = 0;
    for (int i = 0; i < ns && !rc; i++) {
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine) continue;
        const char *name = dwarf_diename(&scopes[i]);
        rc = push_frame(x, name ? name : fn, file, line);
        Dwarf_Attribute a;
        Dwarf_Word cl = 0, cf = 0;
        if (dwarf_attr(&scopes[i], DW_AT_call_line, &a)) dwarf_formudata(&a, &cl);
        if (dwarf_attr(&scopes[i], DW_AT_call_file, &a)) dwarf_formudata(&a, &cf);
        const char *callf = files && cf < nfiles ? dwarf_filesrc(files, cf, NULL, NULL) : NULL;
        file = callf ? callf : "", line = (int)cl;
    }
    free(scopes);
    return rc || (cu && trampoline(x, cu, pc)) ? rc : push_frame(x, fn, file, line);
}

static uint32_t slot(uint64_t pc, uint32_t cap)
{
    return (uint32_t)(pc * 0x9e3779b97f4a7c15ull >> 40) & (cap - 1);
}

/* Room for one more pc at most half full; -1 when out of memory. */
static int reserve(hs_golines *x)
{
    if (x->n_pcs * 2 < x->cap_pcs) return 0;
    uint32_t cap = x->cap_pcs ? x->cap_pcs * 2 : 1024;
    hs_golines_pc *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (uint32_t i = 0; i < x->cap_pcs; i++) {
        if (!x->pcs[i].pc) continue;
        uint32_t k = slot(x->pcs[i].pc, cap);
        while (t[k].pc)
            k = (k + 1) & (cap - 1);
        t[k] = x->pcs[i];
    }
    free(x->pcs);
    x->pcs = t, x->cap_pcs = cap;
    return 0;
}

int hs_golines_at(hs_golines *x, uint64_t pc, const char *fn, const hs_gr_frame **frames,
                  uint32_t *n)
{
    if (reserve(x)) return -1;
    uint32_t k = slot(pc, x->cap_pcs);
    while (x->pcs[k].pc && x->pcs[k].pc != pc)
        k = (k + 1) & (x->cap_pcs - 1);
    if (!x->pcs[k].pc) {
        uint32_t first = x->n_frames;
        if (frames_at(x, pc, fn)) return -1;
        x->pcs[k] = (hs_golines_pc){pc, first, x->n_frames - first};
        x->n_pcs++;
    }
    *n = x->pcs[k].n;
    *frames = *n ? x->frames + x->pcs[k].first : NULL;
    return 0;
}
