/* Replays the fuzz regression corpus (tests/fuzz/regress/TARGET/FILE: inputs
 * that once crashed, leaked or hung a fuzz target, plus hand-made seeds)
 * through hs_load_memory, the path the CLI takes. Each must load or fail
 * cleanly: no crash (the sanitizer build catches memory errors and leaks),
 * and a failure is one line naming the file. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "heapscan/reader.h"

#define REGRESS_DIR HS_SOURCE_DIR "/tests/fuzz/regress"

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    uint8_t *buf = malloc((size_t)n + 1); /* +1: never malloc(0) */
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *size = (size_t)n;
    return buf;
}

static void replay_one(const char *path, unsigned *loaded, unsigned *failed)
{
    size_t size;
    uint8_t *data = slurp(path, &size);
    hs_model m;
    hs_error e;
    hs_error_clear(&e);
    if (hs_load_memory(path, data, size, NULL, &m, &e) == 0) {
        assert_true(m.kind == HS_MODEL_PROFILE || m.kind == HS_MODEL_HEAP);
        hs_model_free(&m);
        (*loaded)++;
    } else {
        if (strcmp(e.file, path) != 0 || e.msg[0] == '\0' || strchr(e.msg, '\n'))
            fail_msg("%s: bad error: file '%s', msg '%s'", path, e.file, e.msg);
        (*failed)++;
    }
    free(data);
}

static void test_replay_regress_corpus(void **state)
{
    unsigned loaded = 0, failed = 0, targets = 0;
    DIR *top = opendir(REGRESS_DIR);
    assert_non_null(top);
    struct dirent *t;
    while ((t = readdir(top))) {
        if (t->d_name[0] == '.') continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", REGRESS_DIR, t->d_name);
        DIR *d = opendir(dir);
        if (!d) continue;
        targets++;
        struct dirent *f;
        while ((f = readdir(d))) {
            if (f->d_name[0] == '.') continue;
            char path[8192];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
            replay_one(path, &loaded, &failed);
        }
        closedir(d);
    }
    closedir(top);
    print_message("replayed %u inputs from %u targets: %u loaded, %u failed cleanly\n",
                  loaded + failed, targets, loaded, failed);
    assert_true(targets >= 2);
    assert_true(loaded + failed >= 10); /* the hand-made seeds at least */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_regress_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
