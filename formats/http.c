/* http(s):// inputs, read with libcurl as `go tool pprof` reads a live
 * endpoint: redirects followed (to http or https only), TLS verified, the
 * proxy variables of the environment honoured (libcurl reads http_proxy,
 * https_proxy and no_proxy itself), a connect and a total timeout. The body
 * goes into one buffer that may not grow past the source layer's memory
 * limit, like a stream. The total timeout grows by the ?seconds=N of a CPU
 * or delta profile, since the server answers only after N seconds. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

typedef struct body {
    uint8_t *buf;
    size_t len, cap;
    uint64_t limit;
    int over;     /* the limit was reached */
    int no_memory;
} body;

int hs_http_is_url(const char *path)
{
    return strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    body *b = ctx;
    size_t n = size * nmemb;
    if (b->len + n > b->limit) {
        b->over = 1;
        return 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > b->limit) cap = (size_t)b->limit;
        uint8_t *nb = realloc(b->buf, cap);
        if (!nb) {
            b->no_memory = 1;
            return 0;
        }
        b->buf = nb, b->cap = cap;
    }
    memcpy(b->buf + b->len, ptr, n);
    b->len += n;
    return n;
}

/* The N of "seconds=N" in the query, else 0. */
static long query_seconds(const char *url)
{
    const char *q = strchr(url, '?');
    while (q) {
        q++;
        if (strncmp(q, "seconds=", 8) == 0) {
            long v = strtol(q + 8, NULL, 10);
            return v > 0 && v < 86400 ? v : 0;
        }
        q = strchr(q, '&');
    }
    return 0;
}

static int fail_curl(hs_error *err, const char *url, CURLcode rc, const char *detail)
{
    return hs_error_set(err, url, HS_NO_OFFSET, "cannot fetch: %s",
                        detail && *detail ? detail : curl_easy_strerror(rc));
}

int hs_http_fetch(const char *url, uint64_t max_memory, const char *memory_hint,
                  unsigned timeout_seconds, uint8_t **out, size_t *out_size, hs_error *err)
{
    CURL *c = curl_easy_init();
    if (!c) return hs_error_set(err, url, HS_NO_OFFSET, "cannot start the HTTP client");
    body b = {.limit = max_memory < SIZE_MAX ? max_memory : SIZE_MAX};
    char detail[CURL_ERROR_SIZE] = "";
    long total = (timeout_seconds ? (long)timeout_seconds : 60) + query_seconds(url);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, total < 10 ? total : 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, total);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "heapscan/" HEAPSCAN_VERSION);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK) {
        *out = b.buf;
        *out_size = b.len;
        return 0;
    }
    free(b.buf);
    if (b.over)
        return hs_error_set(err, url, b.len,
                            "stopped reading the response: it goes on past the memory limit of "
                            "%llu bytes%s%s%s",
                            (unsigned long long)b.limit, memory_hint ? " (" : "",
                            memory_hint ? memory_hint : "", memory_hint ? ")" : "");
    if (b.no_memory)
        return hs_error_set(err, url, b.len, "out of memory reading the response");
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return hs_error_set(err, url, HS_NO_OFFSET, "HTTP status %ld", status);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return hs_error_set(err, url, HS_NO_OFFSET, "timed out after %ld s (%s)", total, detail);
    return fail_curl(err, url, rc, detail);
}
