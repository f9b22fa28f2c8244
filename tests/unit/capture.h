/* A report written to memory, for render tests: cap_open gives the FILE the
 * renderer writes to, cap_close ends it and returns the text (the caller
 * frees c->buf). */
#ifndef HS_TEST_CAPTURE_H
#define HS_TEST_CAPTURE_H

#include <stdio.h>
#include <string.h>

typedef struct capture {
    char *buf;
    size_t len;
    FILE *fp;
} capture;

static FILE *cap_open(capture *c)
{
    memset(c, 0, sizeof *c);
    c->fp = open_memstream(&c->buf, &c->len);
    assert_non_null(c->fp);
    return c->fp;
}

static char *cap_close(capture *c)
{
    fclose(c->fp);
    return c->buf;
}

#endif
