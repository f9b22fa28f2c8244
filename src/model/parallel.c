/* Parts on threads (C11 <threads.h>): hs_par_run starts parts 1..n-1 on
 * their own threads, runs part 0 itself, joins all, and reports the first
 * failing part in part order. A thread that cannot be created has its part
 * run on the calling thread afterwards, so the work is always done. */
#include "heapscan/parallel.h"

#include <errno.h>
#include <stdlib.h>
#include <threads.h>
#include <unistd.h>

typedef struct par_job {
    int (*fn)(void *arg, unsigned part);
    void *arg;
    unsigned part;
    int rc;
} par_job;

static int job_main(void *p)
{
    par_job *j = p;
    j->rc = j->fn(j->arg, j->part);
    return 0;
}

/* HEAPSCAN_THREADS as a number of parts, or 0 when unset or malformed. */
static unsigned env_threads(void)
{
    const char *s = getenv("HEAPSCAN_THREADS");
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v == 0) return 0;
    return v > HS_PAR_MAX_PARTS ? HS_PAR_MAX_PARTS : (unsigned)v;
}

unsigned hs_par_parts(uint64_t n_items, uint64_t min_per_part)
{
    unsigned forced = env_threads(), parts;
    if (forced) {
        parts = forced;
    } else {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        parts = cpus < 1 ? 1 : cpus > 4 ? 4 : (unsigned)cpus;
        if (min_per_part == 0) min_per_part = 1;
        while (parts > 1 && n_items / parts < min_per_part)
            parts--;
    }
    if (parts > n_items) parts = n_items ? (unsigned)n_items : 1;
    return parts;
}

int hs_par_run(unsigned n_parts, int (*fn)(void *arg, unsigned part), void *arg)
{
    if (n_parts > HS_PAR_MAX_PARTS) n_parts = HS_PAR_MAX_PARTS;
    par_job jobs[HS_PAR_MAX_PARTS];
    thrd_t tid[HS_PAR_MAX_PARTS];
    int started[HS_PAR_MAX_PARTS] = {0};
    for (unsigned i = 0; i < n_parts; i++) {
        jobs[i] = (par_job){fn, arg, i, 0};
        if (i > 0) started[i] = thrd_create(&tid[i], job_main, &jobs[i]) == thrd_success;
    }
    if (n_parts > 0) job_main(&jobs[0]);
    for (unsigned i = 1; i < n_parts; i++) {
        if (started[i])
            thrd_join(tid[i], NULL);
        else
            job_main(&jobs[i]);
    }
    for (unsigned i = 0; i < n_parts; i++)
        if (jobs[i].rc) return jobs[i].rc;
    return 0;
}
