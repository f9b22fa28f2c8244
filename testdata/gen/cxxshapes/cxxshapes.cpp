/* cxxshapes: a C++ process whose libstdc++ containers are known by
 * construction, for heapscan's container patterns (formats/cxxshapes.c).
 * Globals hold N_VEC_GLOBAL vectors of VEC_LEN ints, N_MAP std::map<int,int>
 * of MAP_LEN nodes, N_UMAP unordered_map<int,int> of UMAP_LEN nodes,
 * N_DEQUE deques of DEQUE_LEN ints, N_STR_GLOBAL long strings and N_SHARED
 * make_shared<Widget>; N_REGISTRY heap Registry objects (with a vtable) each
 * hold one vector and one long string; one heap std::vector<int> is leaked
 * with its body (2 chunks). The deque blocks are counted by the program
 * from element addresses. Writes the counts and mallinfo2() as JSON to
 * argv[1], then waits for gcore. Build without debug info:
 * g++ -O1 -g0 cxxshapes.cpp -o cxxshapes */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

enum { N_VEC_GLOBAL = 4, VEC_LEN = 100, N_MAP = 5, MAP_LEN = 30, N_UMAP = 3, UMAP_LEN = 40,
       N_DEQUE = 4, DEQUE_LEN = 1000, N_STR_GLOBAL = 3, N_SHARED = 9, N_REGISTRY = 3,
       LEAK_LEN = 50 };

struct Widget {
    virtual ~Widget() {}
    virtual int kind() const { return 1; }
    long id = 0;
};

struct Registry {
    virtual ~Registry() {}
    std::vector<int> ids;
    std::string name;
};

std::vector<int> g_vecs[N_VEC_GLOBAL];
std::map<int, int> g_maps[N_MAP];
std::unordered_map<int, int> g_umaps[N_UMAP];
std::deque<int> g_deques[N_DEQUE];
std::string g_strs[N_STR_GLOBAL];
std::shared_ptr<Widget> g_shared[N_SHARED];
Registry *g_registries[N_REGISTRY];
std::vector<int> *volatile g_leak_tmp; /* keeps the compiler from eliding the leak */

/* Blocks of a deque: runs of contiguous elements (none is empty here). */
static int deque_blocks(const std::deque<int> &d)
{
    int n = d.empty() ? 0 : 1;
    for (size_t i = 1; i < d.size(); i++)
        n += &d[i] != &d[i - 1] + 1;
    return n;
}

__attribute__((noinline)) static void leak(void)
{
    g_leak_tmp = new std::vector<int>(LEAK_LEN, 7);
    g_leak_tmp = nullptr;
}

__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    for (int i = 0; i < N_VEC_GLOBAL; i++)
        for (int k = 0; k < VEC_LEN; k++) g_vecs[i].push_back(k * i);
    for (int i = 0; i < N_MAP; i++)
        for (int k = 0; k < MAP_LEN; k++) g_maps[i][k * 7 + i] = k;
    for (int i = 0; i < N_UMAP; i++)
        for (int k = 0; k < UMAP_LEN; k++) g_umaps[i][k * 13 + i] = k;
    int blocks = 0;
    for (int i = 0; i < N_DEQUE; i++) {
        for (int k = 0; k < DEQUE_LEN + 37 * i; k++) g_deques[i].push_back(k);
        blocks += deque_blocks(g_deques[i]);
    }
    for (int i = 0; i < N_STR_GLOBAL; i++)
        g_strs[i] = std::string("a long string, longer than fifteen bytes, number ") + char('0' + i);
    for (int i = 0; i < N_SHARED; i++) {
        g_shared[i] = std::make_shared<Widget>();
        g_shared[i]->id = i;
    }
    for (int i = 0; i < N_REGISTRY; i++) {
        g_registries[i] = new Registry;
        g_registries[i]->ids.assign(VEC_LEN, i);
        g_registries[i]->name = std::string("registry with a long name, number ") + char('0' + i);
    }
    leak();
    scrub_stack();
    /* mallinfo2 after fopen and before the first write: the FILE (in tcache
     * once closed) is counted as glibc counts tcache chunks, in use; the
     * stream's buffer, allocated by the first write and merged into the top
     * chunk by fclose, is not. */
    FILE *f = fopen(argv[1], "w");
    if (!f) return 1;
    struct mallinfo2 mi = mallinfo2();
    fprintf(f,
            "{\"pid\": %d, \"vector_bodies\": %d, \"vector_bodies_in_registry\": %d, "
            "\"map_nodes\": %d, \"unordered_buckets\": %d, \"unordered_nodes\": %d, "
            "\"deque_maps\": %d, \"deque_blocks\": %d, \"string_bodies\": %d, "
            "\"string_bodies_in_registry\": %d, \"shared_widgets\": %d, \"registries\": %d, "
            "\"leaked\": 2, \"leaked_vector_bodies\": 1, \"leaked_vector_len\": %d,\n \"mallinfo2\": {\"arena\": %zu, "
            "\"ordblks\": %zu, \"hblks\": %zu, \"uordblks\": %zu, \"fordblks\": %zu}}\n",
            (int)getpid(), N_VEC_GLOBAL + 1, N_REGISTRY, N_MAP * MAP_LEN, N_UMAP,
            N_UMAP * UMAP_LEN, N_DEQUE, blocks, N_STR_GLOBAL, N_REGISTRY, N_SHARED, N_REGISTRY,
            (int)LEAK_LEN, mi.arena, mi.ordblks, mi.hblks, mi.uordblks, mi.fordblks);
    fclose(f);
    for (;;) pause();
}
