/* http(s):// inputs, read with libcurl as `go tool pprof` reads a live
 * endpoint: redirects followed (to http or https only), TLS verified, the
 * proxy variables of the environment honoured (libcurl reads http_proxy,
 * https_proxy and no_proxy itself), a connect and a total timeout. The body
 * goes into one buffer that may not grow past the source layer's memory
 * limit, like a stream. The total timeout grows by the ?seconds=N of a CPU
 * or delta profile, since the server answers only after N seconds.
 *
 * libcurl is loaded with dlopen when a URL is first read, not linked: its
 * dependencies (OpenSSL, GSSAPI, LDAP, libpsl, ...) cost the dynamic linker
 * about 2.5 ms at every start of heapscan, which most runs, reading files,
 * never need. It stays loaded (unloading OpenSSL under its own exit
 * handlers is not safe), as a linked library would. */
#include <curl/curl.h>
#include <dlfcn.h>
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

/* The libcurl functions heapscan calls, looked up in libcurl.so.4. */
typedef struct curl_api {
    CURL *(*init)(void);
    CURLcode (*setopt)(CURL *, CURLoption, ...);
    CURLcode (*perform)(CURL *);
    CURLcode (*getinfo)(CURL *, CURLINFO, ...);
    void (*cleanup)(CURL *);
    const char *(*strerror)(CURLcode);
} curl_api;

static int load_curl(curl_api *api, const char *url, hs_error *err)
{
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return hs_error_set(err, url, HS_NO_OFFSET,
                            "cannot fetch: http(s) URLs need libcurl (libcurl.so.4): %s",
                            dlerror());
    static const char *const names[] = {"curl_easy_init",    "curl_easy_setopt",
                                        "curl_easy_perform", "curl_easy_getinfo",
                                        "curl_easy_cleanup", "curl_easy_strerror"};
    void *fns[6];
    for (int i = 0; i < 6; i++)
        if (!(fns[i] = dlsym(lib, names[i])))
            return hs_error_set(err, url, HS_NO_OFFSET, "cannot fetch: libcurl has no %s",
                                names[i]);
    /* POSIX: a function pointer may be converted from dlsym's void *. */
    memcpy(&api->init, &fns[0], sizeof fns[0]);
    memcpy(&api->setopt, &fns[1], sizeof fns[1]);
    memcpy(&api->perform, &fns[2], sizeof fns[2]);
    memcpy(&api->getinfo, &fns[3], sizeof fns[3]);
    memcpy(&api->cleanup, &fns[4], sizeof fns[4]);
    memcpy(&api->strerror, &fns[5], sizeof fns[5]);
    return 0;
}

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

static int fail_curl(const curl_api *api, hs_error *err, const char *url, CURLcode rc,
                     const char *detail)
{
    return hs_error_set(err, url, HS_NO_OFFSET, "cannot fetch: %s",
                        detail && *detail ? detail : api->strerror(rc));
}

int hs_http_fetch(const char *url, uint64_t max_memory, const char *memory_hint,
                  unsigned timeout_seconds, uint8_t **out, size_t *out_size, hs_error *err)
{
    curl_api api = {0};
    if (load_curl(&api, url, err)) return -1;
    CURL *c = api.init();
    if (!c) return hs_error_set(err, url, HS_NO_OFFSET, "cannot start the HTTP client");
    body b = {.limit = max_memory < SIZE_MAX ? max_memory : SIZE_MAX};
    char detail[CURL_ERROR_SIZE] = "";
    long total = (timeout_seconds ? (long)timeout_seconds : 60) + query_seconds(url);
    api.setopt(c, CURLOPT_URL, url);
    api.setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    api.setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    api.setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    api.setopt(c, CURLOPT_MAXREDIRS, 10L);
    api.setopt(c, CURLOPT_CONNECTTIMEOUT, total < 10 ? total : 10L);
    api.setopt(c, CURLOPT_TIMEOUT, total);
    api.setopt(c, CURLOPT_NOSIGNAL, 1L);
    api.setopt(c, CURLOPT_FAILONERROR, 1L);
    api.setopt(c, CURLOPT_USERAGENT, "heapscan/" HEAPSCAN_VERSION);
    api.setopt(c, CURLOPT_ERRORBUFFER, detail);
    api.setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    api.setopt(c, CURLOPT_WRITEDATA, &b);
    CURLcode rc = api.perform(c);
    long status = 0;
    api.getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    api.cleanup(c);
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
    return fail_curl(&api, err, url, rc, detail);
}
