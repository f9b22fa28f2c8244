/* The one error type: formatting and filling. See include/heapscan/error.h. */
#include "heapscan/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages quote bytes from hostile files (names, regexes): control
 * characters become '?' so an error always stays one line on a terminal. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

int hs_error_set(hs_error *err, const char *file, uint64_t offset, const char *fmt, ...)
{
    if (!err) return -1;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    one_line(err->file);
    one_line(err->msg);
    return -1;
}

void hs_error_clear(hs_error *err)
{
    if (!err) return;
    err->file[0] = 0;
    err->msg[0] = 0;
    err->offset = HS_NO_OFFSET;
}

const char *hs_error_format(const hs_error *err, char *buf, unsigned size)
{
    if (err->file[0] && err->offset != HS_NO_OFFSET)
        snprintf(buf, size, "%s: offset %llu: %s", err->file, (unsigned long long)err->offset,
                 err->msg);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, err->msg);
    else
        snprintf(buf, size, "%s", err->msg);
    return buf;
}
