/* http(s):// inputs for the source layer (http.c, over libcurl). */
#ifndef HS_FORMATS_HTTP_H
#define HS_FORMATS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "heapscan/error.h"

/* Nonzero when path starts with http:// or https://. */
int hs_http_is_url(const char *path);
/* GET url; the body (at most max_memory bytes) into a malloc'd *out.
 * timeout_seconds 0 = 60 (plus ?seconds=N). Errors name the URL: an HTTP
 * status, a timeout, a refused connection, a TLS failure. */
int hs_http_fetch(const char *url, uint64_t max_memory, const char *memory_hint,
                  unsigned timeout_seconds, uint8_t **out, size_t *out_size, hs_error *err);

#endif
