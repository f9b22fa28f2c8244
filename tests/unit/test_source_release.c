/* hs_source_release: on a mapped file the released pages leave the resident
 * set and read back the same bytes; on gzip input (inflated, no file behind
 * it) it is a no-op; out-of-range and unaligned ranges are harmless. A
 * gzip'd ELF file (a core) is inflated into a temporary file and mapped, so
 * its pages are released too; when no temporary file can be written it is
 * inflated into memory, and damage gives the same error either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "heapscan/source.h"

enum { FILE_SIZE = 16 << 20 };

/* The file's bytes; an "ELF" file starts with the ELF magic. */
static uint8_t pattern(size_t i, int elf)
{
    if (elf && i < 4) return (uint8_t)"\177ELF"[i];
    return (uint8_t)(i * 2654435761u >> 13);
}

/* VmRSS of this process in KiB. */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) v = atol(line + 6);
    if (f) fclose(f);
    return v;
}

static void write_file(char *path, int gzip, int elf)
{
    strcpy(path, "/tmp/hs_release_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    uint8_t *buf = malloc(FILE_SIZE);
    assert_non_null(buf);
    for (size_t i = 0; i < FILE_SIZE; i++) buf[i] = pattern(i, elf);
    if (gzip) {
        gzFile g = gzopen(path, "wb1");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, buf, FILE_SIZE), FILE_SIZE);
        gzclose(g);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, FILE_SIZE, f), FILE_SIZE);
        fclose(f);
    }
    free(buf);
}

static int same_bytes_of(const hs_source *src, int elf)
{
    for (size_t i = 0; i < src->size; i++)
        if (src->data[i] != pattern(i, elf)) return 0;
    return 1;
}

static int same_bytes(const hs_source *src) { return same_bytes_of(src, 0); }

/* Touch every page, release them all: 16 MiB must come and go (4 MiB of
 * slack either way), and the bytes read back unchanged from the file. */
static void assert_release_drops_pages(const hs_source *src, int elf)
{
    assert_int_equal(src->size, FILE_SIZE);
    long before = rss_kib();
    assert_true(same_bytes_of(src, elf));
    long touched = rss_kib();
    hs_source_release(src, 0, src->size);
    long released = rss_kib();
    assert_true(touched - before >= 12 * 1024);
    assert_true(touched - released >= 12 * 1024);
    assert_true(same_bytes_of(src, elf));
}

static void test_mapped_pages_dropped(void **state)
{
    (void)state;
    char path[64];
    hs_source src;
    hs_error e;
    write_file(path, 0, 0);
    assert_int_equal(hs_source_open(&src, path, &e), 0);
    assert_release_drops_pages(&src, 0);
    hs_source_release(&src, 4095, 3 * 4096 + 7); /* unaligned: whole pages inside only */
    hs_source_release(&src, FILE_SIZE - 10, 1000); /* clipped at the end */
    hs_source_release(&src, FILE_SIZE + 4096, 4096); /* past the end */
    assert_true(same_bytes(&src));
    hs_source_close(&src);
    unlink(path);
}

static void test_gzip_is_kept(void **state)
{
    (void)state;
    char path[64];
    hs_source src;
    hs_error e;
    write_file(path, 1, 0);
    assert_int_equal(hs_source_open(&src, path, &e), 0);
    assert_string_equal(src.compression, "gzip");
    assert_int_equal(src.size, FILE_SIZE);
    hs_source_release(&src, 0, src.size); /* no file behind it: must not drop */
    assert_true(same_bytes(&src));
    hs_source_close(&src);
    unlink(path);
}

static void test_gzip_elf_is_mapped(void **state)
{
    (void)state;
    char path[64];
    hs_source src;
    hs_error e;
    write_file(path, 1, 1);
    assert_int_equal(hs_source_open(&src, path, &e), 0);
    assert_string_equal(src.compression, "gzip");
    assert_non_null(src.map_); /* the inflated temporary file */
    assert_release_drops_pages(&src, 1);
    hs_source_close(&src);
    unlink(path);
}

/* Open with a temporary directory and a file size limit in force. */
static int open_with(hs_source *src, const char *path, const char *tmpdir, rlim_t fsize,
                     hs_error *e)
{
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = fsize;
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead */
    setrlimit(RLIMIT_FSIZE, &lim);
    hs_source_options opt = {.tmpdir = tmpdir};
    int rc = hs_source_open_with(src, path, &opt, e);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_sig);
    return rc;
}

static void test_gzip_elf_without_temp_file(void **state)
{
    (void)state;
    char path[64];
    hs_source src;
    hs_error e;
    write_file(path, 1, 1);
    /* no such directory: inflated into memory */
    assert_int_equal(open_with(&src, path, "/nonexistent/dir", RLIM_INFINITY, &e), 0);
    assert_null(src.map_);
    assert_int_equal(src.size, FILE_SIZE);
    assert_true(same_bytes_of(&src, 1));
    hs_source_close(&src);
    /* the temporary file cannot grow past 1 MiB (as on a full disk): memory */
    assert_int_equal(open_with(&src, path, "/tmp", 1 << 20, &e), 0);
    assert_null(src.map_);
    assert_int_equal(src.size, FILE_SIZE);
    assert_true(same_bytes_of(&src, 1));
    hs_source_close(&src);
    unlink(path);
}

/* A truncated gzip'd ELF: the same one-line error from both paths. */
static void test_gzip_elf_truncated(void **state)
{
    (void)state;
    char path[64];
    hs_source src;
    hs_error via_file, via_memory;
    write_file(path, 1, 1);
    assert_int_equal(truncate(path, 100000), 0);
    assert_int_equal(hs_source_open(&src, path, &via_file), -1);
    assert_int_equal(open_with(&src, path, "/nonexistent/dir", RLIM_INFINITY, &via_memory), -1);
    assert_string_equal(via_file.msg, via_memory.msg);
    assert_int_equal(via_file.offset, via_memory.offset);
    assert_non_null(strstr(via_file.msg, "truncated gzip stream"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapped_pages_dropped),
        cmocka_unit_test(test_gzip_is_kept),
        cmocka_unit_test(test_gzip_elf_is_mapped),
        cmocka_unit_test(test_gzip_elf_without_temp_file),
        cmocka_unit_test(test_gzip_elf_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
