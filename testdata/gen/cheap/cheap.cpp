/* cheap: a C++ process whose glibc heap is known by construction, for
 * heapscan's core tests. It leaks N_LEAK blocks of LEAK_SIZE bytes (no
 * pointer to them survives), anchors N_BUTTON Button and N_LABEL Label
 * objects from a global array, hangs a LIST_LEN list from g_list, lets a
 * second thread allocate in its own arena, keeps one mmapped block, and frees
 * chunks into tcache, fastbins and the unsorted/small bins. Then it writes
 * mallinfo2() and the counts as JSON to argv[1] and waits for gcore.
 * Build: g++ -O0 -g -pthread cheap.cpp -o cheap */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_LEAK = 40, LEAK_SIZE = 72, N_BUTTON = 12, N_LABEL = 7, LIST_LEN = 25,
       N_THREAD_OBJ = 30, THREAD_OBJ_SIZE = 200, MMAP_SIZE = 300 * 1024,
       N_TCACHE_FREE = 5, TCACHE_SIZE = 500, N_FAST_FREE = 10, FAST_SIZE = 40,
       N_BIN_FREE = 12, BIN_SIZE = 1500 };

struct Widget {
    virtual ~Widget() {}
    virtual int kind() const = 0;
    long id;
};
struct Button : Widget {
    int kind() const override { return 1; }
    char caption[40];
};
struct Label : Widget {
    int kind() const override { return 2; }
    char text[88];
    Widget *buddy;
};
struct Node {
    Node *next;
    long value[3];
};

Widget *g_widgets[N_BUTTON + N_LABEL];
Node *g_list;
void *g_thread_objs[N_THREAD_OBJ];
void *g_mmapped;
void *g_keep[N_FAST_FREE + N_BIN_FREE + N_TCACHE_FREE + 1];
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_thread_done;

__attribute__((noinline)) static void leak(void)
{
    for (int i = 0; i < N_LEAK; i++) {
        char *p = (char *)malloc(LEAK_SIZE);
        memset(p, 0x41, LEAK_SIZE);
    }
}

/* Overwrite dead stack slots so no stale pointer to a leaked block survives. */
__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

static void *thread_main(void *)
{
    for (int i = 0; i < N_THREAD_OBJ; i++) {
        g_thread_objs[i] = malloc(THREAD_OBJ_SIZE);
        memset(g_thread_objs[i], 0x22, THREAD_OBJ_SIZE);
    }
    void *tmp[3];
    for (int i = 0; i < 3; i++) tmp[i] = malloc(THREAD_OBJ_SIZE);
    for (int i = 0; i < 3; i++) free(tmp[i]); /* into this thread's tcache */
    memset(tmp, 0, sizeof tmp);
    pthread_mutex_lock(&g_mu);
    g_thread_done = 1;
    pthread_cond_signal(&g_cv);
    pthread_mutex_unlock(&g_mu);
    for (;;) pause();
    return NULL;
}

static void free_some(void)
{
    /* Allocate interleaved with kept separators so freed chunks never coalesce. */
    void *t[N_TCACHE_FREE], *f[N_FAST_FREE], *b[N_BIN_FREE];
    int k = 0;
    for (int i = 0; i < N_TCACHE_FREE; i++) t[i] = malloc(TCACHE_SIZE), g_keep[k++] = malloc(24);
    for (int i = 0; i < N_FAST_FREE; i++) f[i] = malloc(FAST_SIZE), g_keep[k++] = malloc(24);
    for (int i = 0; i < N_BIN_FREE; i++) b[i] = malloc(BIN_SIZE), g_keep[k++] = malloc(24);
    for (int i = 0; i < N_TCACHE_FREE; i++) free(t[i]);
    for (int i = 0; i < N_BIN_FREE; i++) free(b[i]); /* too big for tcache: unsorted */
    void *big = malloc(5000); /* sorts the unsorted chunks into a small bin */
    g_keep[k] = big;
    /* After the large request (it consolidates fastbins): 7 to tcache, 3 to a fastbin. */
    for (int i = 0; i < N_FAST_FREE; i++) free(f[i]);
    memset(t, 0, sizeof t), memset(f, 0, sizeof f), memset(b, 0, sizeof b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cheap SIDECAR.json\n");
        return 2;
    }
    const char *out = argv[1];
    pthread_t th;
    pthread_create(&th, NULL, thread_main, NULL);
    pthread_mutex_lock(&g_mu);
    while (!g_thread_done) pthread_cond_wait(&g_cv, &g_mu);
    pthread_mutex_unlock(&g_mu);

    for (int i = 0; i < N_BUTTON; i++) {
        Button *b = new Button;
        b->id = i;
        snprintf(b->caption, sizeof b->caption, "button %d", i);
        g_widgets[i] = b;
    }
    for (int i = 0; i < N_LABEL; i++) {
        Label *l = new Label;
        l->id = 100 + i;
        l->buddy = g_widgets[i];
        g_widgets[N_BUTTON + i] = l;
    }
    for (int i = 0; i < LIST_LEN; i++) {
        Node *n = (Node *)malloc(sizeof *n);
        n->next = g_list;
        n->value[0] = i;
        g_list = n;
    }
    g_mmapped = malloc(MMAP_SIZE);
    memset(g_mmapped, 0x33, 4096);
    leak();
    free_some();
    scrub_stack();

    struct mallinfo2 mi = mallinfo2();
    char buf[2048];
    int n = snprintf(buf, sizeof buf,
                     "{\"pid\": %d, \"leaked\": %d, \"leak_size\": %d, \"buttons\": %d, "
                     "\"labels\": %d, \"list\": %d, \"thread_objs\": %d, \"mmapped\": 1, "
                     "\"tcache\": %d, \"fastbin\": %d, \"smallbin\": %d, \"arenas\": 2,\n"
                     " \"mallinfo2\": {\"arena\": %zu, \"ordblks\": %zu, \"smblks\": %zu, "
                     "\"hblks\": %zu, \"hblkhd\": %zu, \"usmblks\": %zu, \"fsmblks\": %zu, "
                     "\"uordblks\": %zu, \"fordblks\": %zu, \"keepcost\": %zu}}\n",
                     (int)getpid(), N_LEAK, LEAK_SIZE, N_BUTTON, N_LABEL, LIST_LEN,
                     N_THREAD_OBJ, N_TCACHE_FREE + 7 + 3, N_FAST_FREE - 7, N_BIN_FREE, mi.arena, mi.ordblks, mi.smblks, mi.hblks, mi.hblkhd,
                     mi.usmblks, mi.fsmblks, mi.uordblks, mi.fordblks, mi.keepcost);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, buf, (size_t)n) != n) return 1;
    close(fd);
    for (;;) pause();
}
