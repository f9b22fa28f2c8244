/* Run one command and write "wall_s user_s sys_s maxrss_kib" to OUT, for
 * bench/run.sh.
 *
 *   usage: timeit OUT CMD [ARG...]
 *
 * The wall clock is read just before the fork and just after wait4, so it
 * holds the command's life and one fork+exec (~0.5 ms here): `date` before
 * and after /usr/bin/time put two more process starts partly inside the
 * span (3-5 ms, a tenth of a 40 ms run), and a Python timer adds 3-8 ms.
 * CPU times and peak RSS come from wait4's rusage. This program is small on
 * purpose: a child's peak RSS counts what it held before exec, which for a
 * Python parent is ~10 MiB. The exit status is the command's (128 + N when
 * killed by signal N). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: timeit OUT CMD [ARG...]\n", stderr);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("timeit: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("timeit: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("timeit: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(f, "%.6f %ld.%06ld %ld.%06ld %ld\n", wall, (long)ru.ru_utime.tv_sec,
            (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec,
            ru.ru_maxrss);
    if (fclose(f)) return 2;
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
