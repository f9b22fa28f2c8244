/* lastword (C): every heap block here is reachable only through the LAST
 * word its user may write (malloc_usable_size(p) - 8: an in-use chunk owns
 * the next chunk's prev_size word; an mmapped chunk does not), or through a
 * thread register pointing at a chunk's header. For each size in SIZES a
 * chain of CHAIN blocks hangs from g_chain[k] (each block's last word holds
 * the next block), and a leaked pair (a block whose last word holds a second
 * block, no pointer to the first) is made. A thread parks with a pointer to
 * one block's chunk header in r12 (x86-64) and no other copy anywhere.
 * Writes the counts and mallinfo2() as JSON to argv[1], then waits for gcore.
 * Build: gcc -O0 -g -pthread lastword.c -o lastword */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_SIZES 5
enum { CHAIN = 4, LEAK_PAIR = 2 };
static const size_t SIZES[N_SIZES] = {24, 40, 48, 1032, 200000}; /* the last one is mmapped */

void *g_chain[N_SIZES];
void *g_reg_only; /* handed to the parked thread, which clears it */

static void *block(size_t size, void *next)
{
    char *p = malloc(size);
    size_t usable = malloc_usable_size(p);
    memset(p, 0, usable);
    memcpy(p + usable - sizeof next, &next, sizeof next);
    return p;
}

__attribute__((noinline)) static void build(void)
{
    for (int k = 0; k < N_SIZES; k++) {
        void *next = NULL;
        for (int i = 0; i < CHAIN; i++)
            next = block(SIZES[k], next);
        g_chain[k] = next;
        block(SIZES[k], block(SIZES[k], NULL)); /* the leaked pair */
    }
    g_reg_only = block(64, NULL);
}

__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

/* Moves g_reg_only - 16 (its chunk header) into r12, clears g_reg_only and
 * sleeps in pause() forever: the register is the block's only reference. */
static void *parked(void *arg)
{
#if defined(__x86_64__)
    __asm__ volatile("mov g_reg_only(%%rip), %%r12\n\t"
                     "sub $16, %%r12\n\t"
                     "movq $0, g_reg_only(%%rip)\n\t"
                     "1: mov $34, %%eax\n\t" /* SYS_pause */
                     "syscall\n\t"
                     "jmp 1b" ::: "rax", "rcx", "r11", "r12", "memory");
#endif
    for (;;) pause();
    return arg;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: lastword SIDECAR.json\n");
        return 2;
    }
    build();
    pthread_t th;
    pthread_create(&th, NULL, parked, NULL);
    while (*(void *volatile *)&g_reg_only)
        usleep(1000);
    scrub_stack();
    struct mallinfo2 mi = mallinfo2();
    char buf[2048];
    int n = snprintf(buf, sizeof buf,
                     "{\"pid\": %d, \"sizes\": [%zu, %zu, %zu, %zu, %zu], \"chain\": %d, "
                     "\"leaked\": %d, \"leak_roots\": %d, \"register_only\": 1, "
                     "\"register_only_size\": 64,\n"
                     " \"mallinfo2\": {\"arena\": %zu, \"ordblks\": %zu, \"smblks\": %zu, "
                     "\"hblks\": %zu, \"hblkhd\": %zu, \"usmblks\": %zu, \"fsmblks\": %zu, "
                     "\"uordblks\": %zu, \"fordblks\": %zu, \"keepcost\": %zu}}\n",
                     (int)getpid(), SIZES[0], SIZES[1], SIZES[2], SIZES[3], SIZES[4], CHAIN,
                     N_SIZES * LEAK_PAIR, N_SIZES, mi.arena, mi.ordblks, mi.smblks, mi.hblks,
                     mi.hblkhd, mi.usmblks, mi.fsmblks, mi.uordblks, mi.fordblks, mi.keepcost);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, buf, (size_t)n) != n) return 1;
    close(fd);
    for (;;) pause();
}
