/* cheap (C): a process whose glibc heap is known by construction, for
 * heapscan's core tests. N_LEAK blocks of LEAK_SIZE bytes are leaked; a
 * binary tree of TREE_NODES nodes hangs from g_tree; N_THREADS threads each
 * allocate in their own arena, the first one more than a 64 MiB heap holds
 * (so its arena has two heap_info-linked heaps); two mmapped blocks; chunks
 * freed into tcache, a fastbin and a small bin. Then it writes mallinfo2()
 * and the counts as JSON to argv[1] and waits for gcore.
 * Build: gcc -O0 -g -pthread cheap.c -o cheap */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_LEAK = 24, LEAK_SIZE = 100, TREE_NODES = 31, N_THREADS = 3, PER_THREAD = 10,
       THREAD_SIZE = 120, N_BIG = 700, BIG_SIZE = 100000, N_MMAP = 2, MMAP_SIZE = 1 << 20,
       N_TCACHE = 4, TCACHE_SIZE = 300, N_FAST = 9, FAST_SIZE = 56, N_BIN = 6, BIN_SIZE = 2000 };

struct tree {
    struct tree *left, *right;
    int key;
};

struct tree *g_tree;
void *g_thread_objs[N_THREADS][PER_THREAD];
void *g_big[N_BIG];
void *g_mmapped[N_MMAP];
void *g_keep[N_TCACHE + N_FAST + N_BIN + 1];
static pthread_barrier_t g_ready;

static struct tree *build(int lo, int hi)
{
    if (lo > hi) return NULL;
    struct tree *t = malloc(sizeof *t);
    int mid = (lo + hi) / 2;
    t->key = mid;
    t->left = build(lo, mid - 1);
    t->right = build(mid + 1, hi);
    return t;
}

__attribute__((noinline)) static void leak(void)
{
    for (int i = 0; i < N_LEAK; i++) memset(malloc(LEAK_SIZE), 0x41, LEAK_SIZE);
}

__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < PER_THREAD; i++) g_thread_objs[id][i] = memset(malloc(THREAD_SIZE), 0x22, THREAD_SIZE);
    if (id == 0)
        for (int i = 0; i < N_BIG; i++) g_big[i] = malloc(BIG_SIZE);
    pthread_barrier_wait(&g_ready);
    for (;;) pause();
    return NULL;
}

static void free_some(void)
{
    void *t[N_TCACHE], *f[N_FAST], *b[N_BIN];
    int k = 0;
    for (int i = 0; i < N_TCACHE; i++) t[i] = malloc(TCACHE_SIZE), g_keep[k++] = malloc(24);
    for (int i = 0; i < N_FAST; i++) f[i] = malloc(FAST_SIZE), g_keep[k++] = malloc(24);
    for (int i = 0; i < N_BIN; i++) b[i] = malloc(BIN_SIZE), g_keep[k++] = malloc(24);
    for (int i = 0; i < N_TCACHE; i++) free(t[i]);
    for (int i = 0; i < N_BIN; i++) free(b[i]); /* too big for tcache: unsorted */
    g_keep[k] = malloc(5000);                   /* sorts them into a small bin */
    for (int i = 0; i < N_FAST; i++) free(f[i]); /* 7 to tcache, 2 to a fastbin */
    memset(t, 0, sizeof t), memset(f, 0, sizeof f), memset(b, 0, sizeof b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cheap SIDECAR.json\n");
        return 2;
    }
    pthread_barrier_init(&g_ready, NULL, N_THREADS + 1);
    pthread_t th[N_THREADS];
    for (long i = 0; i < N_THREADS; i++) {
        pthread_create(&th[i], NULL, worker, (void *)i);
        usleep(20000); /* one at a time: each thread creates its own arena */
    }
    pthread_barrier_wait(&g_ready);
    g_tree = build(1, TREE_NODES);
    for (int i = 0; i < N_MMAP; i++) g_mmapped[i] = malloc(MMAP_SIZE);
    leak();
    free_some();
    scrub_stack();

    struct mallinfo2 mi = mallinfo2();
    char buf[2048];
    int n = snprintf(buf, sizeof buf,
                     "{\"pid\": %d, \"leaked\": %d, \"leak_size\": %d, \"tree\": %d, "
                     "\"thread_objs\": %d, \"thread_size\": %d, \"big\": %d, \"mmapped\": %d, "
                     "\"tcache\": %d, \"fastbin\": %d, \"smallbin\": %d, \"arenas\": %d,\n"
                     " \"mallinfo2\": {\"arena\": %zu, \"ordblks\": %zu, \"smblks\": %zu, "
                     "\"hblks\": %zu, \"hblkhd\": %zu, \"usmblks\": %zu, \"fsmblks\": %zu, "
                     "\"uordblks\": %zu, \"fordblks\": %zu, \"keepcost\": %zu}}\n",
                     (int)getpid(), N_LEAK, LEAK_SIZE, TREE_NODES, N_THREADS * PER_THREAD,
                     THREAD_SIZE, N_BIG, N_MMAP, N_TCACHE + 7, N_FAST - 7, N_BIN, N_THREADS + 1,
                     mi.arena, mi.ordblks, mi.smblks, mi.hblks, mi.hblkhd, mi.usmblks, mi.fsmblks,
                     mi.uordblks, mi.fordblks, mi.keepcost);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, buf, (size_t)n) != n) return 1;
    close(fd);
    for (;;) pause();
}
