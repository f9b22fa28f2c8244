/* A CPU-bound program for gperftools' CPU profiler (testdata/gen/regen-legacy.sh):
 * main -> outer_a -> burn (3 units of work) and main -> outer_b -> burn
 * (1 unit), each call followed by work of its own so that no call is a tail
 * call. Linked with -lprofiler and run with CPUPROFILE=FILE; the profiler
 * prints its interrupt count (the samples' total) on stderr at exit. */
#include <stdio.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void burn(unsigned long units)
{
    for (unsigned long i = 0; i < units * 400000000UL; i++)
        sink += i ^ (i >> 3);
}

__attribute__((noinline)) static void outer_a(void)
{
    burn(3);
    sink++;
}

__attribute__((noinline)) static void outer_b(void)
{
    burn(1);
    sink++;
}

int main(void)
{
    outer_a();
    outer_b();
    printf("%lu\n", (unsigned long)sink & 1);
    return 0;
}
