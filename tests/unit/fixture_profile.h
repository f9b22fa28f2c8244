/* A small hand-built profile shared by the analysis and render tests.
 * Every expected number in those tests is worked out from this construction
 * (see the table below), not from heapscan's output.
 *
 * Functions (file): main (main.go), a (a.go), inl (a.go), b (b.go), c (c.go).
 * Mapping 0: /usr/bin/prog, build id "abc123". Locations (innermost first):
 *   L1 0x1000 [main:10]   L2 0x2000 [a:20]   L3 0x3000 [inl:30, a:21] (inl inlined in a)
 *   L4 0x4000 [b:40]      L5 0x5000 [c:50]
 * Samples (leaf first)        objects  space   labels
 *   S1 L3 L1                  1        100     region=eu
 *   S2 L4 L2 L1               2        200     region=us
 *   S3 L2 L4 L2 L1 (a->b->a)  3        400     bytes=400 (numeric)
 *   S4 L5                     1        800     region=eu
 *   S5 L4 L1                  1          0
 * space by function: flat c 800, a 400, b 200, inl 100, main 0;
 *                    cum  c 800, a 700, main 700, b 600, inl 100; total 1500. */
#ifndef HS_FIXTURE_PROFILE_H
#define HS_FIXTURE_PROFILE_H

#include <string.h>

#include "heapscan/profile.h"

static inline uint32_t fx_fn(hs_profile *p, const char *name, const char *file)
{
    hs_function f;
    memset(&f, 0, sizeof f);
    f.id = p->n_functions + 1;
    f.name = hs_profile_intern(p, name);
    f.system_name = f.name;
    f.filename = hs_profile_intern(p, file);
    return hs_profile_add_function(p, &f);
}

static inline void fx_types(hs_profile *p, const char *t0, const char *u0, const char *t1,
                            const char *u1)
{
    hs_value_type t[2] = {{hs_profile_intern(p, t0), hs_profile_intern(p, u0)},
                          {hs_profile_intern(p, t1), hs_profile_intern(p, u1)}};
    hs_profile_set_sample_types(p, t, 2);
}

static inline void fx_sample(hs_profile *p, int64_t v0, int64_t v1, const uint32_t *locs,
                             uint32_t n, const hs_label *labels, uint32_t nl)
{
    int64_t v[2] = {v0, v1};
    hs_profile_add_sample(p, v, locs, n, labels, nl);
}

/* The profile of the table above. */
static inline void fx_build(hs_profile *p)
{
    hs_profile_init(p);
    fx_types(p, "objects", "count", "space", "bytes");
    hs_mapping m;
    memset(&m, 0, sizeof m);
    m.id = 1;
    m.start = 0x1000;
    m.limit = 0x9000;
    m.filename = hs_profile_intern(p, "/usr/bin/prog");
    m.build_id = hs_profile_intern(p, "abc123");
    m.has_functions = 1;
    hs_profile_add_mapping(p, &m);
    uint32_t fmain = fx_fn(p, "main", "main.go"), fa = fx_fn(p, "a", "a.go"),
             finl = fx_fn(p, "inl", "a.go"), fb = fx_fn(p, "b", "b.go"), fc = fx_fn(p, "c", "c.go");
    int64_t l10 = 10, l20 = 20, l40 = 40, l50 = 50, l3[2] = {30, 21};
    uint32_t f3[2] = {finl, fa};
    uint32_t L1 = hs_profile_add_location(p, 1, 0x1000, 0, &fmain, &l10, 1);
    uint32_t L2 = hs_profile_add_location(p, 2, 0x2000, 0, &fa, &l20, 1);
    uint32_t L3 = hs_profile_add_location(p, 3, 0x3000, 0, f3, l3, 2);
    uint32_t L4 = hs_profile_add_location(p, 4, 0x4000, 0, &fb, &l40, 1);
    uint32_t L5 = hs_profile_add_location(p, 5, 0x5000, 0, &fc, &l50, 1);
    hs_label eu = {hs_profile_intern(p, "region"), hs_profile_intern(p, "eu"), 0, 0};
    hs_label us = {hs_profile_intern(p, "region"), hs_profile_intern(p, "us"), 0, 0};
    hs_label num = {hs_profile_intern(p, "bytes"), 0, 400, 0};
    uint32_t s1[] = {L3, L1}, s2[] = {L4, L2, L1}, s3[] = {L2, L4, L2, L1}, s4[] = {L5},
             s5[] = {L4, L1};
    fx_sample(p, 1, 100, s1, 2, &eu, 1);
    fx_sample(p, 2, 200, s2, 3, &us, 1);
    fx_sample(p, 3, 400, s3, 4, &num, 1);
    fx_sample(p, 1, 800, s4, 1, &eu, 1);
    fx_sample(p, 1, 0, s5, 2, NULL, 0);
}

#endif
