/* Demangling through libiberty (demangle.h). cplus_demangle returns a
 * malloc'd string or NULL; it is copied into the caller's buffer so that
 * no reader holds memory it did not ask for. pprof's default leaves out
 * parameters and template arguments (its demangler prints the name
 * without those parts of the tree); libiberty has no switch for template
 * arguments, so they are cut from its text, minding operator names. */
#include "demangle.h"

#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>

/* Length of an operator's symbol after "operator" at s ("<<", "->*",
 * "<=>"), so that its '<' and '>' are not taken for brackets. */
static size_t operator_chars(const char *s)
{
    static const char word[] = "operator";
    if (strncmp(s, word, sizeof word - 1) != 0) return 0;
    size_t n = sizeof word - 1;
    while (s[n] && strchr("<>=-*", s[n]))
        n++;
    return n;
}

/* Remove every outermost open..close run from s in place, as pprof's
 * removeMatching; a close without its open leaves s as it was. */
static void remove_matching(char *s, char open, char close)
{
    size_t len = strlen(s), w = 0;
    char *out = malloc(len + 1);
    if (!out) return; /* the name stays longer: never wrong */
    int depth = 0;
    for (size_t r = 0; r < len;) {
        size_t op = operator_chars(s + r);
        if (op) {
            if (!depth) memcpy(out + w, s + r, op), w += op;
            r += op;
            continue;
        }
        char c = s[r++];
        if (c == open) {
            depth++;
        } else if (c == close) {
            if (--depth < 0) {
                free(out);
                return;
            }
        } else if (!depth) {
            out[w++] = c;
        }
    }
    if (depth == 0) {
        out[w] = 0;
        memcpy(s, out, w + 1);
    }
    free(out);
}

/* Drop " [clone .suffix]" parts (gcc's clones: foo.constprop.0). */
static void drop_clones(char *s)
{
    static const char tag[] = " [clone ";
    char *c;
    while ((c = strstr(s, tag)) != NULL) {
        char *end = strchr(c, ']');
        if (!end) return;
        memmove(c, end + 1, strlen(end + 1) + 1);
    }
}

int hs_demangle(const char *sym, hs_demangle_mode mode, char *buf, size_t size)
{
    if (!size) return -1;
    buf[0] = 0;
    if (mode == HS_DEMANGLE_NONE) return -1;
    if (strncmp(sym, "__Z", 3) == 0) sym++; /* macOS's extra '_', as pprof tries */
    if (strncmp(sym, "_Z", 2) != 0) return -1; /* C names, and old GNU v2 shapes */
    char *d = cplus_demangle(sym, DMGL_ANSI | (mode == HS_DEMANGLE_FULL ? DMGL_PARAMS : 0));
    if (!d) return -1;
    drop_clones(d);
    if (mode == HS_DEMANGLE_SHORT) remove_matching(d, '<', '>');
    size_t n = strlen(d);
    int rc = n < size ? 0 : -1;
    if (!rc) memcpy(buf, d, n + 1);
    free(d);
    return rc;
}

int hs_demangle_vtable(const char *sym, char *buf, size_t size)
{
    static const char prefix[] = "vtable for ";
    const size_t skip = sizeof prefix - 1;
    if (strncmp(sym, "_ZTV", 4) != 0 || hs_demangle(sym, HS_DEMANGLE_TEMPLATES, buf, size))
        return -1;
    if (strncmp(buf, prefix, skip) != 0) {
        buf[0] = 0;
        return -1;
    }
    memmove(buf, buf + skip, strlen(buf + skip) + 1);
    return 0;
}

/* pprof's test for a name that is demangled C++ already (not Java's
 * "Class.<init>", not Go's "pkg.(*T[...]).M"). */
static int looks_demangled(const char *s)
{
    if (strstr(s, ".<") || strstr(s, "]).")) return 0;
    return strpbrk(s, "<>[]") != NULL || strstr(s, "::") != NULL;
}

/* The name pprof shows for one function name, into buf; 0 when unchanged. */
static int shown_name(const char *name, hs_demangle_mode mode, char *buf, size_t size)
{
    if (hs_demangle(name, mode, buf, size) == 0) return 1;
    if (mode == HS_DEMANGLE_FULL || mode == HS_DEMANGLE_NONE || !looks_demangled(name)) return 0;
    size_t n = strlen(name);
    if (n >= size) return 0;
    memcpy(buf, name, n + 1);
    remove_matching(buf, '(', ')');
    if (mode == HS_DEMANGLE_SHORT) remove_matching(buf, '<', '>');
    return strcmp(buf, name) != 0;
}

int hs_demangle_profile(hs_profile *p, hs_demangle_mode mode, hs_error *err)
{
    if (mode == HS_DEMANGLE_NONE) return 0;
    char buf[4096];
    for (uint32_t i = 0; i < p->n_functions; i++) {
        hs_function *f = &p->functions[i];
        if (f->system_name && f->system_name != f->name &&
            strcmp(hs_profile_str(p, f->system_name), hs_profile_str(p, f->name)) != 0)
            continue; /* named by its producer already */
        const char *name = hs_profile_str(p, f->name);
        if (!shown_name(name, mode, buf, sizeof buf)) continue;
        uint32_t mangled = f->name, shown = hs_profile_intern(p, buf);
        if (shown == HS_STR_NONE) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
        f = &p->functions[i];
        f->system_name = mangled;
        f->name = shown;
    }
    return 0;
}
