/* Demangling through libiberty (demangle.h). cplus_demangle returns a
 * malloc'd string or NULL; it is copied into the caller's buffer so that
 * no reader holds memory it did not ask for. */
#include "demangle.h"

#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>

int hs_demangle(const char *sym, hs_demangle_style style, char *buf, size_t size)
{
    if (!size) return -1;
    buf[0] = 0;
    if (strncmp(sym, "_Z", 2) != 0) return -1; /* C names, and old GNU v2 shapes */
    char *d = cplus_demangle(sym, DMGL_ANSI | (style == HS_DEMANGLE_FULL ? DMGL_PARAMS : 0));
    if (!d) return -1;
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
    if (strncmp(sym, "_ZTV", 4) != 0 || hs_demangle(sym, HS_DEMANGLE_SHORT, buf, size)) return -1;
    if (strncmp(buf, prefix, skip) != 0) {
        buf[0] = 0;
        return -1;
    }
    memmove(buf, buf + skip, strlen(buf + skip) + 1);
    return 0;
}
