// A C++ program whose leaks are made in functions with every shape of C++
// name that demangling must get right: a namespace, a class template's
// member, an overloaded operator, a constructor, a lambda, a function
// template and a function overloaded on its parameters. It runs under
// gperftools' heap profiler (linked with -ltcmalloc) and writes one heap
// profile; testdata/gen/regen-gperftools.sh keeps it with the program so
// that tests/e2e/demangle_names.sh can compare heapscan's names with
// pprof's in each --demangle mode.
#include <gperftools/heap-profiler.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace store {
template <typename T> struct Cache {
    std::vector<T *> items;
    __attribute__((noinline)) void put(const T &v) { items.push_back(new T(v)); }
};
} // namespace store

struct Widget {
    char *buf;
    __attribute__((noinline)) explicit Widget(size_t n) : buf(static_cast<char *>(malloc(n))) {}
};

struct Log {
    std::vector<char *> lines;
};

__attribute__((noinline)) Log &operator<<(Log &log, int n)
{
    log.lines.push_back(static_cast<char *>(malloc(static_cast<size_t>(n))));
    return log;
}

template <typename T> __attribute__((noinline)) T *make_array(size_t n) { return new T[n]; }

__attribute__((noinline)) void *grab(int n) { return malloc(static_cast<size_t>(n) * 1000); }
__attribute__((noinline)) void *grab(double d) { return malloc(static_cast<size_t>(d) * 3000); }

static std::vector<void *> keep;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cxxleak PROFILE_PREFIX\n");
        return 2;
    }
    HeapProfilerStart(argv[1]);
    static store::Cache<std::vector<long>> cache;
    for (int i = 0; i < 100; i++)
        cache.put(std::vector<long>(64)); // the vector object and its 512-byte body
    for (int i = 0; i < 50; i++)
        keep.push_back(new Widget(4096));
    static Log log;
    for (int i = 0; i < 40; i++)
        log << 2048;
    auto lambda = [](size_t n) { return malloc(n); };
    for (int i = 0; i < 30; i++)
        keep.push_back(reinterpret_cast<void *(*)(size_t)>(+lambda)(8192));
    for (int i = 0; i < 20; i++)
        keep.push_back(make_array<double>(1024));
    for (int i = 0; i < 10; i++) {
        keep.push_back(grab(7));
        keep.push_back(grab(5.0));
    }
    HeapProfilerDump("end");
    HeapProfilerStop();
    return 0;
}
