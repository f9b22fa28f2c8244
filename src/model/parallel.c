/* Parts on threads (POSIX threads): hs_par_run starts parts 1..n-1 on
 * their own threads, runs part 0 itself, joins all, and reports the first
 * failing part in part order. A thread that cannot be created has its part
 * run on the calling thread afterwards, so the work is always done.
 * Linux puts a new thread on its creator's CPU, and an idle CPU pulls it
 * only at a later balancing tick: measured here, parts often started 2-4 ms
 * late, longer than a whole part of a 50,000-sample profile. So each thread
 * is started on another CPU the process may use, and once running it may
 * again move to any of them. */
#include "model/parallel.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct par_job {
    int (*fn)(void *arg, unsigned part);
    void *arg;
    unsigned part;
    int rc;
#ifdef CPU_SET
    int placed; /* started on one CPU: widen to `allowed` */
    cpu_set_t allowed;
#endif
} par_job;

static void *job_main(void *p)
{
    par_job *j = p;
#ifdef CPU_SET
    if (j->placed) (void)pthread_setaffinity_np(pthread_self(), sizeof j->allowed, &j->allowed);
#endif
    j->rc = j->fn(j->arg, j->part);
    return NULL;
}

/* Start job j (part i) on a thread of its own, placed on the i-th allowed
 * CPU after the caller's. 0 when started. */
static int start_job(par_job *j, unsigned i, pthread_t *tid)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr)) return -1;
#ifdef CPU_SET
    int self = sched_getcpu();
    j->placed = 0;
    if (self >= 0 && sched_getaffinity(0, sizeof j->allowed, &j->allowed) == 0 &&
        CPU_COUNT(&j->allowed) > 1) {
        int cpu = self;
        for (unsigned k = 0; k < i;) { /* the i-th allowed CPU after self, cyclically */
            cpu = (cpu + 1) % CPU_SETSIZE;
            if (CPU_ISSET(cpu, &j->allowed)) k++;
        }
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        j->placed = pthread_attr_setaffinity_np(&attr, sizeof one, &one) == 0;
    }
#else
    (void)i;
#endif
    int rc = pthread_create(tid, &attr, job_main, j);
    pthread_attr_destroy(&attr);
    return rc ? -1 : 0;
}

unsigned hs_par_parts(uint64_t n_items, uint64_t min_per_part, unsigned threads)
{
    unsigned parts;
    if (threads) {
        parts = threads > HS_PAR_MAX_PARTS ? HS_PAR_MAX_PARTS : threads;
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
    pthread_t tid[HS_PAR_MAX_PARTS];
    int started[HS_PAR_MAX_PARTS] = {0};
    for (unsigned i = 0; i < n_parts; i++) {
        jobs[i] = (par_job){.fn = fn, .arg = arg, .part = i};
        if (i > 0) started[i] = start_job(&jobs[i], i, &tid[i]) == 0;
    }
    if (n_parts > 0) job_main(&jobs[0]);
    for (unsigned i = 1; i < n_parts; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            job_main(&jobs[i]);
    }
    for (unsigned i = 0; i < n_parts; i++)
        if (jobs[i].rc) return jobs[i].rc;
    return 0;
}
