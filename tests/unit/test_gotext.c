/* Go's text profiles (formats/gotext.c): heap and count profiles built
 * here line by line, loaded through hs_load_memory (detection included),
 * and checked against their construction: pprof's sample types, values
 * (scaled values computed with Python's math.exp, outside heapscan),
 * addresses decremented by one, frames named by the "#" lines (inlined
 * frames), the frames Go's text writer leaves unnamed dropped as its
 * protobuf writer drops them, the "bytes" label, and one
 * error per kind of damage with its line and offset. gperftools profiles
 * end with the process's memory map: the tests write this test program's
 * own map, so an address of a function here must be named by it. */
#include <limits.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "heapscan/reader.h"

static int load_text(const char *text, hs_model *m, hs_error *e)
{
    hs_error_clear(e);
    return hs_load_memory("t.txt", (const uint8_t *)text, strlen(text), NULL, m, e);
}

static const char *type_name(const hs_profile *p, uint32_t i)
{
    return hs_profile_str(p, p->sample_types[i].type);
}

/* Name of frame j (innermost first) of location loc, or "" when unnamed. */
static const char *frame_name(const hs_profile *p, uint32_t loc, uint32_t j)
{
    const hs_location *l = &p->locations[loc];
    if (j >= l->n_lines) return "";
    return hs_profile_str(p, p->functions[p->lines[l->line_start + j].function].name);
}

static const char heap_text[] =
    "heap profile: 3: 1048672 [5: 2097248] @ heap/1048576\n"
    "1: 524288 [2: 1048576] @ 0x4110a5 0x4a3c14 0x4a3e01\n"
    "#\t0x4a3c13\tmain.leakBig+0x53\t/src/leaky/main.go:42\n"
    "#\t0x4a3e00\tmain.inlined+0x10\t/src/leaky/util.go:7\n"
    "#\t0x4a3e00\tmain.phase+0x200\t\t\t/src/leaky/main.go:99\n" /* tab-padded */
    "\n"
    "2: 96 [3: 96] @ 0x4a3c14\n"
    "#\t0x4a3c13\tmain.leakBig+0x53\t/src/leaky/main.go:42\n"
    "\n"
    "0: 0 [0: 0] @ 0x4a3e01\n"
    "\n"
    "# runtime.MemStats\n"
    "# Alloc = 1234\n";

static void test_heap_profile(void **state)
{
    hs_model m;
    hs_error e;
    assert_int_equal(load_text(heap_text, &m, &e), 0);
    assert_string_equal(m.reader->name, "go-text");
    const hs_profile *p = &m.profile;
    assert_string_equal(p->format, "go-text");
    assert_int_equal(p->n_sample_types, 4);
    const char *types[] = {"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"};
    for (uint32_t i = 0; i < 4; i++)
        assert_string_equal(type_name(p, i), types[i]);
    assert_int_equal(hs_profile_default_sample_type(p), 3);
    assert_int_equal(p->period, 524288); /* Go writes 2 * MemProfileRate */
    assert_int_equal(p->n_samples, 3);
    /* Sample 0: alloc 2 x 524288 B, in use 1: avg = rate, scale 1/(1-e^-1). */
    const int64_t v0[] = {3, 1658822, 1, 829411};
    assert_memory_equal(p->values, v0, sizeof v0);
    /* Sample 1: avg 32 B (alloc) and 48 B (in use). */
    const int64_t v1[] = {49153, 1572912, 21846, 1048624};
    assert_memory_equal(p->values + 4, v1, sizeof v1);
    const int64_t v2[] = {0, 0, 0, 0};
    assert_memory_equal(p->values + 8, v2, sizeof v2);
    /* Addresses are the calls (written - 1), one location each, shared;
     * the leading runtime frame (no "#" line) is left out of the stack. */
    assert_int_equal(p->n_locations, 3);
    const hs_sample *s = &p->samples[0];
    assert_int_equal(s->n_stack, 2);
    const uint32_t *st = p->stacks + s->stack_start - 1; /* st[1], st[2] as written */
    assert_int_equal(p->locations[st[1]].address, 0x4a3c13);
    assert_int_equal(p->locations[st[2]].address, 0x4a3e00);
    assert_string_equal(frame_name(p, st[1], 0), "main.leakBig");
    assert_int_equal(p->locations[st[2]].n_lines, 2); /* inlined, innermost first */
    assert_string_equal(frame_name(p, st[2], 0), "main.inlined");
    assert_string_equal(frame_name(p, st[2], 1), "main.phase");
    const hs_line *ln = &p->lines[p->locations[st[2]].line_start + 1];
    assert_int_equal(ln->line, 99);
    assert_string_equal(hs_profile_str(p, p->functions[ln->function].filename),
                        "/src/leaky/main.go");
    assert_int_equal(p->samples[1].n_stack, 1);
    assert_int_equal(p->stacks[p->samples[1].stack_start], st[1]);
    /* The block size label, as pprof: in use bytes / count before scaling. */
    assert_int_equal(s->n_labels, 1);
    assert_string_equal(hs_profile_str(p, p->labels[s->label_start].key), "bytes");
    assert_int_equal(p->labels[s->label_start].num, 524288);
    assert_int_equal(p->labels[p->samples[1].label_start].num, 48);
    hs_model_free(&m);
}

/* What Go's text writer leaves without a "#" line, as its protobuf writer
 * leaves it out: a heap stack's leading runtime frames (0x1001, 0x1011) and
 * runtime.goexit (0x9001) go; a goroutine keeps its leading runtime frame
 * (gopark, 0x2001) and loses goexit; a record without "#" lines (a stack
 * of runtime frames only) is kept whole. */
static void test_hidden_frames(void **state)
{
    static const char heap[] = "heap profile: 3: 192 [3: 192] @ heap/2\n"
                               "1: 64 [1: 64] @ 0x1001 0x1011 0x5001 0x9001\n"
                               "#\t0x5000\tmain.leak+0x10\t/src/main.go:5\n"
                               "\n"
                               "2: 128 [2: 128] @ 0x1001 0x3001\n";
    static const char count[] = "goroutine profile: total 2\n"
                                "2 @ 0x2001 0x5001 0x9001\n"
                                "# labels: {\"k\":\"v\"}\n"
                                "#\t0x5000\tmain.block+0x10\t/src/main.go:5\n";
    hs_model m;
    hs_error e;
    assert_int_equal(load_text(heap, &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_int_equal(p->n_samples, 2);
    assert_int_equal(p->samples[0].n_stack, 1);
    assert_string_equal(frame_name(p, p->stacks[p->samples[0].stack_start], 0), "main.leak");
    assert_int_equal(p->samples[1].n_stack, 2);
    assert_int_equal(p->locations[p->stacks[p->samples[1].stack_start]].address, 0x1000);
    hs_model_free(&m);
    assert_int_equal(load_text(count, &m, &e), 0);
    p = &m.profile;
    assert_int_equal(p->samples[0].n_stack, 2);
    const uint32_t *st = p->stacks + p->samples[0].stack_start;
    assert_int_equal(p->locations[st[0]].address, 0x2000);
    assert_string_equal(frame_name(p, st[0], 0), "");
    assert_string_equal(frame_name(p, st[1], 0), "main.block");
    assert_int_equal(p->samples[0].n_labels, 1);
    hs_model_free(&m);
}

/* Equal in-use and allocated columns: pprof's two sample types. Rate 1 and
 * "heapprofile": values as written. */
static void test_heap_without_alloc(void **state)
{
    const char *texts[] = {
        "heap profile: 1: 64 [1: 64] @ heap/2\n1: 64 [1: 64] @ 0x1001\n",
        "heap profile: 1: 64 [0: 0] @ heapprofile\n1: 64 [0: 0] @ 0x1001\n",
    };
    for (int i = 0; i < 2; i++) {
        hs_model m;
        hs_error e;
        assert_int_equal(load_text(texts[i], &m, &e), 0);
        const hs_profile *p = &m.profile;
        assert_int_equal(p->n_sample_types, 2);
        assert_string_equal(type_name(p, 0), "objects");
        assert_string_equal(type_name(p, 1), "space");
        assert_int_equal(p->values[0], 1);
        assert_int_equal(p->values[1], 64);
        assert_int_equal(p->locations[0].address, 0x1000);
        hs_model_free(&m);
    }
}

static void test_count_profile(void **state)
{
    static const char text[] = "goroutine profile: total 5\n"
                               "3 @ 0x43a8d6 0x46e2a1\n"
                               "# labels: {\"worker\":\"leaky\"}\n"
                               "#\t0x43a8d5\truntime.gopark+0xd5\t/go/src/runtime/proc.go:363\n"
                               "#\t0x46e2a0\tmain.block+0x20\t/src/leaky/main.go:10\n"
                               "\n"
                               "2 @ 0x46e2a1\n"
                               "#\t0x46e2a0\tmain.block+0x20\t/src/leaky/main.go:10\n"
                               "\n"
                               "4 @ 0x46e2a1\n"
                               "# labels: {\"a\":\"x\\\"y\\\\z\\x41\\n\", \"b\":\"\\u00e9\"}\n"
                               "\n"
                               "1 @ 0x46e2a1\n"
                               "# labels: {\"unclosed\":\"v\"\n";
    hs_model m;
    hs_error e;
    assert_int_equal(load_text(text, &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_int_equal(p->n_sample_types, 1);
    assert_string_equal(type_name(p, 0), "goroutine");
    assert_string_equal(hs_profile_str(p, p->sample_types[0].unit), "count");
    assert_int_equal(p->n_samples, 4);
    assert_int_equal(p->values[0], 3);
    assert_int_equal(p->values[1], 2);
    /* Labels from the line after a record, unescaped as Go quoted them
     * (an escape other than \" \\ \n \t \r \xNN stays as written); a
     * line of another shape is a comment, as pprof reads every such line. */
    assert_int_equal(p->samples[0].n_labels, 1);
    const hs_label *lb = &p->labels[p->samples[0].label_start];
    assert_string_equal(hs_profile_str(p, lb->key), "worker");
    assert_string_equal(hs_profile_str(p, lb->str), "leaky");
    assert_int_equal(p->samples[1].n_labels, 0);
    assert_int_equal(p->samples[2].n_labels, 2);
    lb = &p->labels[p->samples[2].label_start];
    assert_string_equal(hs_profile_str(p, lb[0].key), "a");
    assert_string_equal(hs_profile_str(p, lb[0].str), "x\"y\\zA\n");
    assert_string_equal(hs_profile_str(p, lb[1].key), "b");
    assert_string_equal(hs_profile_str(p, lb[1].str), "\\u00e9");
    assert_int_equal(p->values[3], 1);
    assert_int_equal(p->samples[3].n_labels, 0);
    uint32_t top = p->stacks[p->samples[0].stack_start];
    assert_string_equal(frame_name(p, top, 0), "runtime.gopark");
    assert_int_equal(p->n_functions, 2);
    hs_model_free(&m);
}

/* Each damage: the message names the line and the offset is its start. */
static void test_errors(void **state)
{
    static const struct {
        const char *text, *want;
        uint64_t off;
    } cases[] = {
        {"heap profile: 1: 2 [3 4] @ heap/2\n", "line 1: malformed heap profile header", 0},
        {"heap profile: 1: 2 [3: 4] @ weird/2\n", "line 1: malformed heap profile header", 0},
        {"heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 @ 0x10\n", "line 2: malformed heap record", 35},
        {"heap profile: 1: 2 [3: 4] @ heap/2\n0: 8 [1: 8] @ 0x10\n",
         "line 2: in-use count is 0 but its bytes are 8", 35},
        {"heap profile: 1: 2 [3: 4] @ heap/2\n1: 8 [1: 8] @ 0x10 0xZZ\n", "line 2: bad address",
         35},
        {"heap profile: 1: 2 [3: 4] @ heap/2\n1: 8 [1: 8] @ 0x10000000000000000\n",
         "line 2: bad address", 35},
        {"heap profile: 1: 2 [3: 4] @ heap/2\n1: 8 [1: 8] @ 0x0\n", "line 2: address 0x0", 35},
        {"heap profile: 1: 2 [3: 4] @ heap/2\n99999999999999999999: 8 [1: 8] @ 0x1\n",
         "line 2: malformed heap record", 35},
        {"goroutine profile: total 1\n1 @\n", "line 2: count record without addresses", 27},
        {"goroutine profile: total 1\nx @ 0x1\n", "line 2: malformed count record", 27},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hs_model m;
        hs_error e;
        assert_int_equal(load_text(cases[i].text, &m, &e), -1);
        if (!strstr(e.msg, cases[i].want)) fail_msg("case %zu: got \"%s\"", i, e.msg);
        assert_int_equal(e.offset, cases[i].off);
        assert_string_equal(e.file, "t.txt");
    }
}

static void test_probe(void **state)
{
    const hs_reader *gotext = NULL;
    for (const hs_reader *const *r = hs_readers(); *r; r++)
        if (strcmp((*r)->name, "go-text") == 0) gotext = *r;
    assert_non_null(gotext);
    const char *mine[] = {heap_text, "# comment\n\ngoroutine profile: total 0\n",
                          "threadcreate profile: total 7\n"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(gotext->probe((const uint8_t *)mine[i], strlen(mine[i])), 100);
    const char *other[] = {"", "hello\n", "heap profile\n", "goroutine profile: total\n",
                           "# heap profile: 1: 2 [3: 4] @ heap/2\n"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(gotext->probe((const uint8_t *)other[i], strlen(other[i])), 0);
}

/* ---- gperftools: the memory map, names from the mapped files ---------- */

/* A function of this program that the tests look up by its address. */
__attribute__((noinline)) void hs_gotext_test_marker(void)
{
    __asm__ volatile("");
}

/* This program's own lines of /proc/self/maps, their path replaced by
 * `as` (or kept when NULL), appended to buf; with `brief`, in the form older
 * profilers wrote ("0xSTART-0xEND: PATH (@OFFSET)", no permissions: every
 * entry executable for pprof). */
static void append_map(char *buf, size_t size, const char *as, int brief)
{
    char exe[PATH_MAX], line[PATH_MAX + 256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        char *path = strchr(line, '/');
        if (!path || strncmp(path, exe, (size_t)n) != 0 || path[n] != '\n') continue;
        size_t len = strlen(buf);
        unsigned long long start, end, off;
        if (!brief) {
            snprintf(buf + len, size - len, "%.*s%s\n", (int)(path - line), line, as ? as : exe);
            continue;
        }
        assert_int_equal(sscanf(line, "%llx-%llx %*s %llx", &start, &end, &off), 3);
        snprintf(buf + len, size - len, "0x%llx-0x%llx: %s (@%llx)\n", start, end, as ? as : exe,
                 off);
    }
    fclose(f);
}

static void append_self_map(char *buf, size_t size, const char *as)
{
    append_map(buf, size, as, 0);
}

/* The profile of two records: one allocation in hs_gotext_test_marker (its
 * return address written as the marker + 1), one in a library not on disk. */
static void gperftools_text(char *buf, size_t size, const char *exe_as)
{
    snprintf(buf, size,
             "heap profile:    3:   300 [   5:   500] @ heapprofile\n"
             "   1:   100 [   2:   200] @ 0x%llx 0x7f0000000011\n"
             "   2:   200 [   3:   300] @ 0x7f0000000011\n"
             "\nMAPPED_LIBRARIES:\n"
             "7f0000001000-7f0000002000 rw-p 00001000 08:01 77 /nonexistent/libfake.so\n"
             "7f0000000000-7f0000001000 r-xp 00000000 08:01 77 /nonexistent/libfake.so\n"
             "this line is not a mapping\n",
             (unsigned long long)(uintptr_t)hs_gotext_test_marker + 1);
    append_self_map(buf, size, exe_as);
}

static uint32_t mapping_named(const hs_profile *p, const char *suffix)
{
    for (uint32_t i = 0; i < p->n_mappings; i++) {
        const char *f = hs_profile_str(p, p->mappings[i].filename);
        if (strlen(f) >= strlen(suffix) && !strcmp(f + strlen(f) - strlen(suffix), suffix))
            return i;
    }
    return HS_NONE;
}

static int load_with(const char *text, const hs_load_options *o, hs_model *m, hs_error *e)
{
    hs_error_clear(e);
    return hs_load_memory("t.heap", (const uint8_t *)text, strlen(text), o, m, e);
}

static void test_gperftools_map(void **state)
{
    static char text[1 << 16];
    gperftools_text(text, sizeof text, NULL);
    hs_model m;
    hs_error e;
    assert_int_equal(load_with(text, NULL, &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_string_equal(p->format, "gperftools-text");
    assert_int_equal(p->period, 1);
    const int64_t v0[] = {2, 200, 1, 100}, v1[] = {3, 300, 2, 200}; /* not scaled */
    assert_memory_equal(p->values, v0, sizeof v0);
    assert_memory_equal(p->values + 4, v1, sizeof v1);
    /* Executable entries only, sorted by address, the library's among them. */
    assert_true(p->n_mappings >= 2);
    for (uint32_t i = 0; i + 1 < p->n_mappings; i++)
        assert_true(p->mappings[i].limit <= p->mappings[i + 1].start);
    uint32_t lib = mapping_named(p, "/libfake.so");
    assert_int_not_equal(lib, HS_NONE);
    assert_int_equal(p->mappings[lib].start, 0x7f0000000000ull);
    assert_int_equal(p->mappings[lib].limit, 0x7f0000001000ull);
    /* The marker is named from this program's symbols; the library's
     * address stays unnamed (no file), each in its own mapping. */
    uint32_t mine = p->stacks[p->samples[0].stack_start];
    uint32_t other = p->stacks[p->samples[0].stack_start + 1];
    assert_int_equal(p->locations[mine].address, (uintptr_t)hs_gotext_test_marker);
    assert_string_equal(frame_name(p, mine, 0), "hs_gotext_test_marker");
    assert_int_not_equal(p->locations[mine].mapping, HS_NONE);
    assert_int_not_equal(p->locations[mine].mapping, lib);
    assert_int_equal(p->locations[other].address, 0x7f0000000010ull);
    assert_int_equal(p->locations[other].mapping, lib);
    assert_int_equal(p->locations[other].n_lines, 0);
    hs_model_free(&m);
}

/* The brief memory map: the same mappings (all of the program's entries,
 * the one at offset 0 where pprof would load it) and the marker named. */
static void test_gperftools_brief_map(void **state)
{
    (void)state;
    static char text[1 << 16];
    snprintf(text, sizeof text,
             "heap profile:    1:   100 [   2:   200] @ heapprofile\n"
             "   1:   100 [   2:   200] @ 0x%llx\n"
             "\nMAPPED_LIBRARIES:\n"
             "7f0000000000 7f0000001000: /nonexistent/libfake.so (@2000) 0123abcd\n",
             (unsigned long long)(uintptr_t)hs_gotext_test_marker + 1);
    append_map(text, sizeof text, NULL, 1);
    hs_model m;
    hs_error e;
    assert_int_equal(load_with(text, NULL, &m, &e), 0);
    const hs_profile *p = &m.profile;
    uint32_t lib = mapping_named(p, "/libfake.so");
    assert_int_not_equal(lib, HS_NONE);
    assert_int_equal(p->mappings[lib].start, 0x7f0000000000ull);
    assert_int_equal(p->mappings[lib].limit, 0x7f0000001000ull);
    assert_int_equal(p->mappings[lib].offset, 0x2000);
    uint32_t mine = p->stacks[p->samples[0].stack_start];
    assert_int_equal(p->locations[mine].address, (uintptr_t)hs_gotext_test_marker);
    assert_int_not_equal(p->locations[mine].mapping, HS_NONE);
    assert_string_equal(frame_name(p, mine, 0), "hs_gotext_test_marker");
    hs_model_free(&m);
}

/* The program's file: under --sysroot, or --binary for the lowest mapped
 * file (the program) whatever its name says. */
static void test_gperftools_binary_and_sysroot(void **state)
{
    static char text[1 << 16];
    gperftools_text(text, sizeof text, "/moved/away/prog");
    hs_load_options o;
    memset(&o, 0, sizeof o);
    hs_model m;
    hs_error e;
    assert_int_equal(load_with(text, &o, &m, &e), 0); /* not on disk: unnamed */
    uint32_t mine = m.profile.stacks[m.profile.samples[0].stack_start];
    assert_int_equal(m.profile.locations[mine].n_lines, 0);
    hs_model_free(&m);
    o.binary = "/proc/self/exe";
    assert_int_equal(load_with(text, &o, &m, &e), 0);
    assert_string_equal(frame_name(&m.profile, mine, 0), "hs_gotext_test_marker");
    hs_model_free(&m);

    gperftools_text(text, sizeof text, NULL); /* where it is, but under a sysroot */
    memset(&o, 0, sizeof o);
    o.sysroot = "/nonexistent-sysroot";
    assert_int_equal(load_with(text, &o, &m, &e), 0);
    assert_int_equal(m.profile.locations[mine].n_lines, 0);
    hs_model_free(&m);
}

static int main_program_bias(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    *(uintptr_t *)arg = info->dlpi_addr; /* the first entry is the program */
    return 1;
}

/* A Go text profile has no map: --binary names addresses as it was linked. */
static void test_binary_without_map(void **state)
{
    uintptr_t bias = 0;
    dl_iterate_phdr(main_program_bias, &bias);
    char text[256];
    snprintf(text, sizeof text, "heap profile: 1: 64 [1: 64] @ heap_v2/1\n1: 64 [1: 64] @ 0x%llx\n",
             (unsigned long long)((uintptr_t)hs_gotext_test_marker - bias + 1));
    hs_load_options o;
    memset(&o, 0, sizeof o);
    hs_model m;
    hs_error e;
    assert_int_equal(load_with(text, &o, &m, &e), 0);
    assert_int_equal(m.profile.locations[0].n_lines, 0);
    assert_string_equal(m.profile.format, "go-text");
    hs_model_free(&m);
    o.binary = "/proc/self/exe";
    assert_int_equal(load_with(text, &o, &m, &e), 0);
    assert_string_equal(frame_name(&m.profile, 0, 0), "hs_gotext_test_marker");
    hs_model_free(&m);
}

/* jemalloc: stacks before their counts, per-thread lines skipped, values
 * scaled as heap_v2 (computed with Python's math.exp: 2 x 100 B at rate
 * 524288 -> 10486 objects, 1048676 B), and the allocator's leaf-side frames
 * (here: in libjemalloc) dropped up to the caller. */
static void test_jemalloc(void **state)
{
    static char text[1 << 16];
    snprintf(text, sizeof text,
             "heap_v2/524288\n"
             "  t*: 3: 300 [0: 0]\n"
             "  t0: 3: 300 [0: 0]\n"
             "@ 0x7f0000000011 0x7f0000000021 0x%llx\n"
             "  t*: 2: 200 [0: 0]\n"
             "  t0: 2: 200 [0: 0]\n"
             "  t1: 0: 0 [0: 0]\n"
             "@ 0x%llx\n"
             "  t*: 1: 100 [0: 0]\n"
             "\nMAPPED_LIBRARIES:\n"
             "7f0000000000-7f0000001000 r-xp 00000000 08:01 77 /nonexistent/libjemalloc.so.2\n",
             (unsigned long long)(uintptr_t)hs_gotext_test_marker + 1,
             (unsigned long long)(uintptr_t)hs_gotext_test_marker + 1);
    append_self_map(text, sizeof text, NULL);
    hs_model m;
    hs_error e;
    assert_int_equal(load_with(text, NULL, &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_string_equal(p->format, "jemalloc-text");
    assert_int_equal(p->n_sample_types, 2);
    assert_string_equal(type_name(p, 0), "inuse_objects");
    assert_string_equal(type_name(p, 1), "inuse_space");
    assert_int_equal(p->period, 524288);
    assert_int_equal(p->n_samples, 2);
    const int64_t v[] = {10486, 1048676, 5243, 524338};
    assert_memory_equal(p->values, v, sizeof v);
    for (uint32_t i = 0; i < 2; i++) {
        assert_int_equal(p->samples[i].n_stack, 1);
        uint32_t leaf = p->stacks[p->samples[i].stack_start];
        assert_string_equal(frame_name(p, leaf, 0), "hs_gotext_test_marker");
    }
    hs_model_free(&m);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"heap_v2/1\n t*: 1: 8 [0: 0]\n@ 0x10\n@ 0x20\n t*: 1: 8 [0: 0]\n", "line 3: stack without counts"},
        {"heap_v2/1\n t*: 1: 8 [0: 0]\n t*: 1: 8 [0: 0]\n", "line 3: counts without a stack"},
        {"heap_v2/1\n t*: 1: 8 [0: 0]\n@ 0x10\n t*: 1: 8\n", "line 4: malformed jemalloc counts"},
        {"heap_v2/1\n t*: 1: 8 [0: 0]\n@ 0x10\n", "line 3: stack without counts"},
        {"heap_v2/1\n t*: 1: 8 [0: 0]\nhello\n", "line 3: malformed jemalloc line"},
        {"heap_v2/x\n", "line 1: malformed heap profile header"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(load_with(bad[i].text, NULL, &m, &e), -1);
        if (!strstr(e.msg, bad[i].want)) fail_msg("case %zu: got \"%s\"", i, e.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_profile),  cmocka_unit_test(test_hidden_frames),
        cmocka_unit_test(test_heap_without_alloc),
        cmocka_unit_test(test_count_profile), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_probe),        cmocka_unit_test(test_gperftools_map),
        cmocka_unit_test(test_gperftools_binary_and_sysroot),
        cmocka_unit_test(test_gperftools_brief_map),
        cmocka_unit_test(test_binary_without_map),
        cmocka_unit_test(test_jemalloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
