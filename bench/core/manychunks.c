/* Benchmark heap for `heapscan` on ELF cores: builds more than 5 million live
 * malloc chunks with the shapes real C services have, writes a ready file
 * (its counts, known by construction) and then waits to be dumped by gcore.
 *   main thread:  a linked list hung from a global, a binary search tree,
 *                 an array of pointers to mixed-size blocks (16..512 bytes,
 *                 mostly small), leaked blocks (some leaked chains), and
 *                 some freed blocks so the bins/tcache are not empty;
 *   second thread: a chained hash table in its own (non-main) arena.
 * Invariant: every count printed to the ready file is a number of malloc
 * calls whose result is still live (or leaked), not a measurement.
 * usage: manychunks READY_FILE [SCALE]   (SCALE 1 = about 5.4 M chunks) */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct list_node {
    struct list_node *next;
    long value;
} list_node;

typedef struct tree_node {
    struct tree_node *left, *right;
    long key;
    long pad[2];
} tree_node;

typedef struct hash_entry {
    struct hash_entry *next;
    char *name; /* a separate small string block */
    long value;
} hash_entry;

/* Roots (globals): what the process keeps alive. */
list_node *g_list;
tree_node *g_tree;
void **g_blocks;
size_t g_n_blocks;
hash_entry **g_table;
size_t g_table_size;

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Request sizes 16..512: 80% small (16..128), 20% uniform up to 512. */
static size_t mixed_size(void)
{
    uint64_t r = rnd();
    if (r % 10 < 8) return 16 + (size_t)((r >> 8) % 8) * 16;
    return 16 + (size_t)((r >> 8) % 497);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        perror("malloc");
        exit(1);
    }
    memset(p, 0, n);
    return p;
}

static tree_node *tree_insert(tree_node *root, tree_node *n)
{
    if (!root) return n;
    tree_node *t = root;
    for (;;) {
        tree_node **next = n->key < t->key ? &t->left : &t->right;
        if (!*next) {
            *next = n;
            return root;
        }
        t = *next;
    }
}

typedef struct thread_arg {
    size_t entries;
    volatile int done;
} thread_arg;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *hash_thread(void *p)
{
    thread_arg *a = p;
    size_t nb = a->entries / 4;
    g_table = xmalloc(nb * sizeof *g_table); /* large: an mmapped chunk */
    g_table_size = nb;
    for (size_t i = 0; i < a->entries; i++) {
        hash_entry *e = xmalloc(sizeof *e);
        e->name = xmalloc(16 + (i % 4) * 8);
        snprintf(e->name, 16, "k%u", (unsigned)(i % 100000000u));
        e->value = (long)i;
        size_t b = (i * 2654435761u) % nb;
        e->next = g_table[b];
        g_table[b] = e;
    }
    pthread_mutex_lock(&mu);
    a->done = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (;;) pause(); /* stays alive, so its arena is in use */
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: manychunks READY_FILE [SCALE]\n");
        return 2;
    }
    double scale = argc > 2 ? atof(argv[2]) : 1.0;
    size_t n_list = (size_t)(1000000 * scale), n_tree = (size_t)(1000000 * scale);
    size_t n_blocks = (size_t)(1800000 * scale), n_leak = (size_t)(300000 * scale);
    size_t n_chain = (size_t)(20000 * scale), chain_len = 5, n_hash = (size_t)(600000 * scale);

    thread_arg ta = {n_hash, 0};
    pthread_t th;
    if (pthread_create(&th, NULL, hash_thread, &ta)) return 1;

    for (size_t i = 0; i < n_list; i++) {
        list_node *n = xmalloc(sizeof *n);
        n->value = (long)i;
        n->next = g_list;
        g_list = n;
    }
    for (size_t i = 0; i < n_tree; i++) {
        tree_node *n = xmalloc(sizeof *n);
        n->key = (long)(rnd() >> 1);
        g_tree = tree_insert(g_tree, n);
    }
    g_blocks = xmalloc(n_blocks * sizeof *g_blocks); /* large: an mmapped chunk */
    g_n_blocks = n_blocks;
    size_t freed = 0;
    for (size_t i = 0; i < n_blocks; i++) {
        g_blocks[i] = xmalloc(mixed_size());
        if (i % 7 == 3) { /* a block that points at an earlier one */
            void **b = g_blocks[i];
            b[0] = g_blocks[i / 2];
        }
        if (i % 50 == 49) { /* churn: free one, so bins and tcache hold chunks */
            free(g_blocks[i - 10]);
            g_blocks[i - 10] = NULL;
            freed++;
        }
    }
    /* Leaks: single blocks whose pointer is dropped, and leaked chains
     * (one leak root each, chain_len blocks). */
    size_t leaked = 0;
    for (size_t i = 0; i < n_leak; i++) {
        volatile void *p = xmalloc(mixed_size());
        (void)p;
        leaked++;
    }
    for (size_t i = 0; i < n_chain; i++) {
        list_node *head = NULL;
        for (size_t k = 0; k < chain_len; k++) {
            list_node *n = xmalloc(sizeof *n);
            n->next = head;
            head = n;
            leaked++;
        }
    }

    pthread_mutex_lock(&mu);
    while (!ta.done) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);

    size_t live = n_list + n_tree + 1 + (n_blocks - freed) + 1 + 2 * n_hash;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *f = fopen(tmp, "w");
    if (!f) return 1;
    fprintf(f,
            "{\"pid\": %d, \"reachable_mallocs\": %zu, \"leaked_mallocs\": %zu, "
            "\"leak_roots\": %zu, \"freed\": %zu, \"total_live_mallocs\": %zu}\n",
            (int)getpid(), live, leaked, n_leak + n_chain, freed, live + leaked);
    fclose(f);
    rename(tmp, argv[1]);
    for (;;) pause();
}
