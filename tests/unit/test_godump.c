/* Go goroutine dumps and tracebacks (formats/godump.c) and their groups
 * (src/analysis/goroutines.c), on texts written here in the layouts the Go
 * runtime prints (traceback.go of Go 1.19 and 1.26: goroutineheader,
 * printFuncName, "created by ... in goroutine K", elided frames, ancestors,
 * GOTRACEBACK=system's gp=/m= and fp=/sp=, tracebacklabels' labels), each
 * checked against what the text says by construction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/godump.h"
#include "heapscan/goroutine_analysis.h"

static int load(const char *text, hs_goroutines *m, hs_error *e)
{
    hs_source src;
    hs_error_clear(e);
    if (hs_source_from_memory(&src, "t.txt", (const uint8_t *)text, strlen(text), e)) return -1;
    int rc = hs_godump_load(&src, m, e);
    hs_source_close(&src);
    return rc;
}

static const char *fn(const hs_goroutines *m, uint32_t g, uint32_t k)
{
    return hs_gr_str(m, m->frames[m->g[g].frame_start + k].function);
}

static const char *const in_a_log =
    "2026/12/04 03:00:00 server: starting\n"
    "panic: runtime error: index out of range [5] with length 3\n"
    "\n"
    "goroutine 1 gp=0xc000002380 m=0 mp=0x5a8e40 [running]:\n"
    "main.(*T[...]).run(0xc000010000, {0x4b2f00, 0x3})\n"
    "\t/src/app/main.go:42 +0x1d fp=0xc000067f40 sp=0xc000067f20 pc=0x47e0fd\n"
    "main.main()\n"
    "\t/src/app/main.go:10 +0x25\n"
    "\n"
    "goroutine 7 [chan receive, 12 minutes, locked to thread labels:{\"job\": \"a, b\"}]:\n"
    "main.wait(...)\n"
    "\t/src/app/wait.go:7\n"
    "main.worker(0x0?)\n"
    "\t/src/app/wait.go:20 +0x33\n"
    "...additional frames elided...\n"
    "created by main.start in goroutine 1\n"
    "\t/src/app/main.go:30 +0x52\n"
    "\n"
    "goroutine 8 [select (scan), 1 minutes]:\n"
    "main.loop()\n"
    "\t/src/app/loop.go:3 +0x10\n"
    "created by main.start\n"
    "\t/src/app/main.go:31 +0x60\n"
    "[originating from goroutine 1]:\n"
    "main.ancestor(...)\n"
    "\t/src/app/anc.go:1 +0x1\n"
    "\n"
    "goroutine 10 [sleep, 3 minutes] {job: a, \"b c\": d}:\n"
    "main.nap()\n"
    "\t/src/app/nap.go:5 +0x1\n"
    "\n"
    "goroutine 9 [running]:\n"
    "\tgoroutine running on other thread; stack unavailable\n"
    "exit status 2\n";

static void reads_every_layout(void **state)
{
    (void)state;
    hs_goroutines m;
    hs_error e;
    assert_int_equal(load(in_a_log, &m, &e), 0);
    assert_int_equal(m.n, 5);
    assert_int_equal(m.total, 5);
    assert_int_equal(m.g[0].id, 1);
    assert_string_equal(hs_gr_str(&m, m.g[0].state), "running");
    assert_int_equal(m.g[0].n_frames, 2);
    assert_string_equal(fn(&m, 0, 0), "main.(*T[...]).run");
    assert_int_equal(m.frames[m.g[0].frame_start].line, 42);
    assert_string_equal(hs_gr_str(&m, m.frames[m.g[0].frame_start].file), "/src/app/main.go");
    assert_int_equal(m.g[0].created_by.function, HS_STR_NONE);

    assert_int_equal(m.g[1].id, 7);
    assert_string_equal(hs_gr_str(&m, m.g[1].state), "chan receive");
    assert_int_equal(m.g[1].wait_minutes, 12);
    assert_int_equal(m.g[1].locked, 1);
    assert_int_equal(m.g[1].elided, 1);
    assert_string_equal(hs_gr_str(&m, m.g[1].labels), "job=a, b"); /* canonical: k=v */
    assert_int_equal(m.g[1].n_frames, 2);
    assert_string_equal(fn(&m, 1, 0), "main.wait");
    assert_int_equal(m.frames[m.g[1].frame_start].line, 7); /* an inlined frame: no +0x */
    assert_string_equal(hs_gr_str(&m, m.g[1].created_by.function), "main.start");
    assert_int_equal(m.g[1].created_by.line, 30);
    assert_int_equal(m.g[1].creator_id, 1);

    assert_string_equal(hs_gr_str(&m, m.g[2].state), "select"); /* " (scan)" is transient */
    assert_int_equal(m.g[2].wait_minutes, 1);
    assert_int_equal(m.g[2].n_frames, 1); /* the ancestor's frames are not its own */
    assert_int_equal(m.g[2].creator_id, 0);
    assert_int_equal(m.g[2].created_by.line, 31);

    assert_int_equal(m.g[3].id, 10); /* Go 1.27's labels after the bracket */
    assert_string_equal(hs_gr_str(&m, m.g[3].state), "sleep");
    assert_int_equal(m.g[3].wait_minutes, 3);
    assert_string_equal(hs_gr_str(&m, m.g[3].labels), "b c=d,job=a"); /* sorted by key */
    assert_int_equal(m.g[4].n_frames, 0); /* kept: the runtime says why */
    assert_int_equal(m.skipped_records + m.truncated + m.frames_without_file + m.unknown_states, 0);
    hs_goroutines_free(&m);
}

static void counts_damage(void **state)
{
    (void)state;
    static const char text[] = "goroutine 1 [chan receive]:\n"
                               "\n"
                               "goroutine 2 [in a new state]:\n"
                               "main.f(0x1)\n"
                               "goroutine 3 [sel\n"
                               "goroutine 4 [chan send]:\r\n"
                               "main.g()\r\n"
                               "\t/a/b.go:9 +0x1\r\n"
                               "goroutine 5 [sleep]:\n"
                               "main.h()";
    hs_goroutines m;
    hs_error e;
    assert_int_equal(load(text, &m, &e), 0);
    assert_int_equal(m.n, 3); /* 2, 4, 5 */
    assert_int_equal(m.truncated, 1);
    assert_int_equal(m.unknown_states, 1);
    assert_int_equal(m.skipped_records, 1);
    assert_int_equal(m.frames_without_file, 2); /* main.f and main.h */
    assert_int_equal(m.frames[m.g[1].frame_start].line, 9);
    hs_goroutines_free(&m);
}

static void nothing_recognisable_is_an_error(void **state)
{
    (void)state;
    hs_goroutines m;
    hs_error e;
    assert_int_equal(load("hello\nworld\n", &m, &e), -1);
    assert_string_equal(e.file, "t.txt");
    assert_int_equal(e.offset, 0);
    assert_non_null(strstr(e.msg, "no goroutine found"));
    assert_int_equal(hs_godump_probe((const uint8_t *)"goroutine 1 [x]:\n", 17), 0);
    assert_int_equal(hs_godump_probe((const uint8_t *)in_a_log, strlen(in_a_log)), 100);
}

/* Two snapshots: a growing group, a pool whose wait restarted, a stuck one. */
static void groups_classes_and_suspects(void **state)
{
    (void)state;
    static const char a[] = "goroutine 1 [chan receive, 9 minutes]:\nmain.pool()\n\t/p.go:1 +0x1\n\n"
                            "goroutine 2 [chan receive, 9 minutes]:\nmain.pool()\n\t/p.go:1 +0x1\n\n"
                            "goroutine 3 [chan send]:\nmain.leak(0x1)\n\t/l.go:5 +0x1\n\n"
                            "goroutine 4 [select, 6 minutes]:\nmain.stuck()\n\t/s.go:2 +0x1\n\n"
                            "goroutine 5 [sleep]:\nmain.gone()\n\t/g.go:2 +0x1\n";
    static const char b[] = "goroutine 1 [chan receive, 2 minutes]:\nmain.pool()\n\t/p.go:1 +0x1\n\n"
                            "goroutine 2 [chan receive, 9 minutes]:\nmain.pool()\n\t/p.go:1 +0x1\n\n"
                            "goroutine 3 [chan send]:\nmain.leak(0x1)\n\t/l.go:5 +0x1\n\n"
                            "goroutine 6 [chan send]:\nmain.leak(0x2)\n\t/l.go:5 +0x1\n\n"
                            "goroutine 4 [select, 8 minutes]:\nmain.stuck()\n\t/s.go:2 +0x1\n\n"
                            "goroutine 7 [sleep]:\nmain.other()\n\t/g.go:3 +0x1\n";
    hs_goroutines ma, mb;
    hs_error e;
    assert_int_equal(load(a, &ma, &e), 0);
    assert_int_equal(load(b, &mb, &e), 0);
    const hs_goroutines *snaps[2] = {&ma, &mb};
    hs_gr_options o = {HS_GR_BY_STACK, 5};
    hs_gr_report r;
    assert_int_equal(hs_gr_report_build(snaps, 2, &o, &r, &e), 0);
    assert_int_equal(r.n_groups, 5);
    assert_int_equal(r.n_suspects, 2);
    assert_int_equal(r.totals[0], 5);
    assert_int_equal(r.totals[1], 6);
    /* suspects first, by last count: leak (1 -> 2, grows), stuck (1 -> 1) */
    assert_string_equal(hs_strtab_get(&r.strings, r.groups[0].function), "main.leak");
    assert_int_equal(r.groups[0].why, HS_GR_GROWS_EVERY_STEP);
    assert_int_equal(r.groups[0].cls, HS_GR_GROWS);
    assert_string_equal(hs_strtab_get(&r.strings, r.groups[1].function), "main.stuck");
    assert_int_equal(r.groups[1].why, HS_GR_STUCK);
    assert_int_equal(r.groups[1].wait_min, 8);
    assert_string_equal(hs_strtab_get(&r.strings, r.groups[2].function), "main.pool");
    assert_int_equal(r.groups[2].why, HS_GR_NOT_SUSPECT);
    assert_int_equal(r.groups[2].cls, HS_GR_STEADY);
    assert_int_equal(r.groups[2].wait_min, 2);
    assert_int_equal(r.groups[2].wait_max, 9);
    /* new, then gone; equal last counts keep first-seen order */
    assert_int_equal(hs_gr_count(&r, 3, 1), 1);
    assert_string_equal(hs_strtab_get(&r.strings, r.groups[3].function), "main.other");
    assert_int_equal(r.groups[3].cls, HS_GR_NEW);
    assert_int_equal(r.groups[4].cls, HS_GR_GONE);
    hs_gr_report_free(&r);

    o.by = HS_GR_BY_STATE;
    assert_int_equal(hs_gr_report_build(snaps, 2, &o, &r, &e), 0);
    assert_int_equal(r.n_groups, 4); /* receive, send, select, sleep */
    assert_string_equal(hs_strtab_get(&r.strings, r.groups[3].function), "(various)");
    hs_gr_report_free(&r);
    hs_goroutines_free(&ma);
    hs_goroutines_free(&mb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_layout),
        cmocka_unit_test(counts_damage),
        cmocka_unit_test(nothing_recognisable_is_an_error),
        cmocka_unit_test(groups_classes_and_suspects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
