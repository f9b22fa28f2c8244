/* The pc tables of a Go executable, read as the runtime reads them
 * (runtime/symtab.go). runtime.firstmoduledata points at them: pcHeader
 * (its magic says the format: 0xfffffff0 Go 1.18-1.19, 0xfffffff1 1.20+),
 * pctab (every pcvalue table), pclntable (ftab: per function its entry as
 * an offset from moduledata.text and its _func record's offset into
 * pclntable; one more entry ends the last function) and gofunc (funcdata
 * offsets are from it; ^0 is none). A _func record (its layout from the
 * DWARF of runtime._func: 1.20 added startLine) is followed by npcdata
 * uint32 offsets into pctab and nfuncdata uint32 funcdata offsets.
 * A pcvalue table is a sequence of (value delta, pc delta) pairs from the
 * function's entry with the value -1: the value delta zig-zag encoded,
 * both unsigned varints (7 bits a byte, low first, high bit: more), the pc
 * delta in units of the pc quantum; a zero value delta after the first
 * pair ends the table. The value at a pc is the one of the first pair whose
 * pc passes it. Everything here is bounds-checked against the copied
 * tables: a damaged table is a failed lookup, never a crash. */
#include "gopclntab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCLN_MAX ((uint64_t)1 << 28)
#define MAGIC_119 0xfffffff0u
#define MAGIC_120 0xfffffff1u

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t field_u(const uint8_t *p, hs_go_field f)
{
    uint64_t v = 0;
    if (f.size && f.size <= 8) memcpy(&v, p + f.off, f.size);
    return v;
}

/* A copy of the slice (pointer, length) at md + f.off; NULL when absent. */
static uint8_t *copy_slice(const hs_core *c, uint64_t md, hs_go_field f, uint64_t *len)
{
    uint64_t hdr[2];
    if (f.size != 24 || hs_core_read_mapped(c, md + f.off, hdr, sizeof hdr) || !hdr[1] ||
        hdr[1] > PCLN_MAX)
        return NULL;
    uint8_t *p = malloc(hdr[1]);
    if (p && hs_core_read_mapped(c, hdr[0], p, hdr[1])) {
        free(p);
        return NULL;
    }
    *len = hdr[1];
    return p;
}

static int read_word(const hs_core *c, uint64_t md, hs_go_field f, uint64_t *out)
{
    return f.size == 8 ? hs_core_read_mapped(c, md + f.off, out, 8) : -1;
}

/* runtime._func's layout; -1 when a field the scan needs is missing. */
static int func_layout(hs_gopcln *t, Dwarf *dw)
{
    static const char *const names[1] = {"runtime._func"};
    Dwarf_Die d;
    int found = 0;
    Dwarf_Word size;
    hs_go_find_structs(dw, names, 1, &d, &found);
    if (!found || dwarf_aggregate_size(&d, &size) || size > 256) return -1;
    t->func_size = (uint32_t)size;
    t->f_entry = hs_go_member(&d, "entryOff"); /* 1.20+ */
    if (!t->f_entry.size) t->f_entry = hs_go_member(&d, "entryoff");
    t->f_args = hs_go_member(&d, "args");
    t->f_pcsp = hs_go_member(&d, "pcsp");
    t->f_npcdata = hs_go_member(&d, "npcdata");
    t->f_nfuncdata = hs_go_member(&d, "nfuncdata");
    return t->f_entry.size == 4 && t->f_args.size == 4 && t->f_pcsp.size == 4 &&
                   t->f_npcdata.size == 4 && t->f_nfuncdata.size == 1
               ? 0
               : -1;
}

typedef struct md_fields {
    hs_go_field header, pctab, pclntable, ftab, text, minpc, maxpc, gofunc;
} md_fields;

static int md_layout(Dwarf *dw, md_fields *m)
{
    static const char *const names[1] = {"runtime.moduledata"};
    Dwarf_Die d;
    int found = 0;
    hs_go_find_structs(dw, names, 1, &d, &found);
    if (!found) return -1;
    m->header = hs_go_member(&d, "pcHeader");
    m->pctab = hs_go_member(&d, "pctab");
    m->pclntable = hs_go_member(&d, "pclntable");
    m->ftab = hs_go_member(&d, "ftab");
    m->text = hs_go_member(&d, "text");
    m->minpc = hs_go_member(&d, "minpc");
    m->maxpc = hs_go_member(&d, "maxpc");
    m->gofunc = hs_go_member(&d, "gofunc");
    return 0;
}

static int fail(hs_gopcln *t, char *why, size_t n, const char *msg)
{
    hs_gopcln_close(t);
    snprintf(why, n, "%s", msg);
    return -1;
}

int hs_gopcln_open(hs_gopcln *t, const hs_core *c, Dwarf *dw, char *why, size_t n)
{
    memset(t, 0, sizeof *t);
    md_fields m;
    uint64_t md = hs_core_lookup(c, "runtime.firstmoduledata"), hdr = 0, ftab[2];
    uint32_t magic = 0;
    if (!md || !dw || md_layout(dw, &m) || func_layout(t, dw))
        return fail(t, why, n, "no runtime.moduledata or runtime._func in the DWARF");
    if (read_word(c, md, m.header, &hdr) || hs_core_read_mapped(c, hdr, &magic, 4) ||
        (magic != MAGIC_119 && magic != MAGIC_120))
        return fail(t, why, n, "pcHeader unreadable or of an unknown magic");
    if (read_word(c, md, m.text, &t->text) || read_word(c, md, m.minpc, &t->minpc) ||
        read_word(c, md, m.maxpc, &t->maxpc) || read_word(c, md, m.gofunc, &t->gofunc) ||
        m.ftab.size != 24 || hs_core_read_mapped(c, md + m.ftab.off, ftab, sizeof ftab))
        return fail(t, why, n, "moduledata's text, minpc, maxpc, gofunc or ftab unreadable");
    t->pcln = copy_slice(c, md, m.pclntable, &t->n_pcln);
    t->pctab = copy_slice(c, md, m.pctab, &t->n_pctab);
    if (!t->pcln || !t->pctab) return fail(t, why, n, "pclntable or pctab unreadable");
    /* ftab is the start of pclntable: its entries are 8 bytes */
    uint64_t at = 0;
    if (hs_core_read_mapped(c, md + m.pclntable.off, &at, 8) || ftab[0] != at || ftab[1] < 2 ||
        ftab[1] * 8 > t->n_pcln)
        return fail(t, why, n, "ftab is not the start of pclntable");
    t->nftab = (uint32_t)(ftab[1] - 1);
    t->quantum = c->machine == EM_X86_64 ? 1 : 4;
    return 0;
}

void hs_gopcln_close(hs_gopcln *t)
{
    free(t->pcln);
    free(t->pctab);
    memset(t, 0, sizeof *t);
}

int hs_gopcln_find(const hs_gopcln *t, uint64_t pc, hs_gopcln_func *f)
{
    if (!t->pcln || pc < t->minpc || pc >= t->maxpc || pc < t->text) return -1;
    uint64_t off = pc - t->text;
    uint32_t lo = 0, hi = t->nftab; /* last entry with entryoff <= off */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (u32(t->pcln + 8ull * mid) <= off) lo = mid + 1;
        else hi = mid;
    }
    if (!lo) return -1;
    const uint8_t *e = t->pcln + 8ull * (lo - 1);
    uint64_t fo = u32(e + 4);
    if (fo + t->func_size > t->n_pcln) return -1;
    const uint8_t *p = t->pcln + fo;
    f->entry = t->text + u32(e), f->end = t->text + u32(e + 8);
    f->args = (int32_t)field_u(p, t->f_args);
    f->pcsp = (uint32_t)field_u(p, t->f_pcsp);
    f->npcdata = (uint32_t)field_u(p, t->f_npcdata);
    f->nfuncdata = (uint32_t)field_u(p, t->f_nfuncdata);
    f->tail = p + t->func_size;
    if (field_u(p, t->f_entry) != u32(e) || f->npcdata > 64 ||
        fo + t->func_size + 4ull * (f->npcdata + f->nfuncdata) > t->n_pcln)
        return -1;
    return 0;
}

/* An unsigned varint at p[*i, n) into *v; -1 when cut or over 32 bits. */
static int varint(const uint8_t *p, uint64_t n, uint64_t *i, uint32_t *v)
{
    uint32_t shift = 0;
    *v = 0;
    for (;;) {
        if (*i >= n || shift > 28) return -1;
        uint8_t b = p[(*i)++];
        *v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return 0;
        shift += 7;
    }
}

int hs_gopcln_pcvalue(const uint8_t *p, uint64_t n, uint64_t entry, uint64_t target,
                      uint32_t quantum, int32_t *out)
{
    uint64_t i = 0, pc = entry;
    int32_t val = -1;
    for (;;) {
        uint32_t uv, pcd;
        if (i >= n || (p[i] == 0 && pc != entry) || varint(p, n, &i, &uv) ||
            varint(p, n, &i, &pcd))
            return -1;
        val += (int32_t)(-(uv & 1) ^ (uv >> 1));
        pc += (uint64_t)pcd * quantum;
        if (target < pc) {
            *out = val;
            return 0;
        }
    }
}

static int table_value(const hs_gopcln *t, const hs_gopcln_func *f, uint32_t off, uint64_t pc,
                       int32_t *out)
{
    if (!off || off >= t->n_pctab) return -1;
    return hs_gopcln_pcvalue(t->pctab + off, t->n_pctab - off, f->entry, pc, t->quantum, out);
}

int hs_gopcln_spdelta(const hs_gopcln *t, const hs_gopcln_func *f, uint64_t pc, int32_t *out)
{
    return table_value(t, f, f->pcsp, pc, out);
}

int hs_gopcln_pcdata(const hs_gopcln *t, const hs_gopcln_func *f, uint32_t k, uint64_t pc,
                     int32_t *out)
{
    *out = -1;
    if (k >= f->npcdata) return 0;
    uint32_t off = u32(f->tail + 4 * k);
    return off ? table_value(t, f, off, pc, out) : 0;
}

uint64_t hs_gopcln_funcdata(const hs_gopcln *t, const hs_gopcln_func *f, uint32_t k)
{
    if (k >= f->nfuncdata) return 0;
    uint32_t off = u32(f->tail + 4 * (f->npcdata + k));
    return off == UINT32_MAX ? 0 : t->gofunc + off;
}

int hs_gopcln_stackmap(const hs_core *c, uint64_t addr, int32_t idx, uint8_t *bits, uint32_t cap,
                       uint32_t *nbit)
{
    int32_t hdr[2];
    if (!addr || hs_core_read_mapped(c, addr, hdr, sizeof hdr) || hdr[0] <= 0 || hdr[1] < 0 ||
        idx < 0 || idx >= hdr[0])
        return -1;
    uint32_t bytes = ((uint32_t)hdr[1] + 7) / 8;
    if (bytes > cap) return -1;
    *nbit = (uint32_t)hdr[1];
    return bytes ? hs_core_read_mapped(c, addr + 8 + (uint64_t)idx * bytes, bits, bytes) : 0;
}
