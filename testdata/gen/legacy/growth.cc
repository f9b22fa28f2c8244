// Heap growth stacks from gperftools' tcmalloc (testdata/gen/regen-legacy.sh):
// MallocExtension::GetHeapGrowthStacks, the text pprof reads as
// "heap profile: ... @ growthz", written to the file given as argument
// (C linkage: heapscan shows symbols as written, not demangled).
// grow_a and grow_b each allocate large blocks, so tcmalloc has to grow the
// heap from their stacks; the file's own header holds the totals.
#include <gperftools/malloc_extension.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static std::vector<void *> keep;

extern "C" __attribute__((noinline)) void grow_a()
{
    for (int i = 0; i < 6; i++) {
        void *p = std::malloc(4 << 20);
        std::memset(p, 1, 4096);
        keep.push_back(p);
    }
}

extern "C" __attribute__((noinline)) void grow_b()
{
    for (int i = 0; i < 2; i++) {
        void *p = std::malloc(16 << 20);
        std::memset(p, 2, 4096);
        keep.push_back(p);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: growth FILE\n");
        return 2;
    }
    grow_a();
    grow_b();
    std::string s;
    MallocExtension::instance()->GetHeapGrowthStacks(&s);
    FILE *f = std::fopen(argv[1], "w");
    if (!f || std::fwrite(s.data(), 1, s.size(), f) != s.size() || std::fclose(f) != 0) return 1;
    return 0;
}
