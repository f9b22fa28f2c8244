// leaky: a Go program that leaks on purpose, in named functions with sizes
// known by construction, and writes heap, allocs, goroutine, mutex and block
// profiles (debug=0, gzip'd protobuf, as Go writes them; heap and goroutine
// also as debug=1 text, goroutine as a debug=2 dump) at three points in time,
// plus truth.N.json with what it knows by construction and its MemStats.
// leakRuntime allocates only through the runtime's helpers (map inserts,
// append, string concatenation, channels, closures): its values are not
// known by construction, but its text and protobuf profiles must agree.
//
// Invariant: runtime.MemProfileRate is 1 before any of our allocations, every
// leak is an exact Go size class (64, 512, 32768 bytes, or whole pages for
// 65536), no collection starts but at runtime.GC(), and leaked objects live in preallocated global arrays, so the
// inuse/alloc values of the leak functions in each profile are exact and
// equal the numbers written to truth.N.json.
//
// usage: leaky OUTDIR
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

func init() {
	runtime.MemProfileRate = 1
	// Collections only where the program asks for them: one started by an
	// allocation would charge the runtime's own allocations to it.
	debug.SetGCPercent(-1)
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
}

const (
	phases = 3

	bigSize    = 32768 // largest small size class
	bigPerStep = 100

	smallSize    = 64
	smallPerStep = 200

	hugeSize    = 65536 // large object: exactly 8 pages
	hugePerStep = 2

	// sizeof(treeNode) == 512, a size class; no more: from Go 1.22 an object
	// of more than 512 bytes with pointers carries an 8-byte header.
	nodeSize  = 512
	treeDepth = 8 // recursion depth: one node per level

	churnSize    = 4096
	churnPerStep = 50

	plainPerStep   = 3 // goroutines blocked in main.blockOnChan
	labeledPerStep = 2 // goroutines blocked in main.blockLabeled, with labels
)

type treeNode struct {
	child *treeNode
	pad   [nodeSize - 8]byte
}

// Everything leaked is kept here; the arrays are globals, so keeping a
// pointer never allocates (no slice growth charged to the leak functions).
var (
	bigKeep   [phases * bigPerStep][]byte
	nBig      int
	smallKeep [phases * smallPerStep][]byte
	nSmall    int
	hugeKeep  [phases * hugePerStep][]byte
	nHuge     int
	treeKeep  [phases]*treeNode
	sink      []byte
	block     = make(chan struct{})
	rtKeep    [phases * rtPerStep]rtLeak
	nRt       int
	mu        sync.Mutex
)

const rtPerStep = 20

// What leakRuntime keeps: each field allocated by a different runtime helper.
type rtLeak struct {
	m   map[string]int // runtime.makemap_small, then map inserts
	s   []int          // runtime.growslice
	str string         // runtime.concatstrings
	ch  chan int       // runtime.makechan
	fn  func() int     // the closure's context: runtime.newobject
}

//go:noinline
func leakRuntime(n int) {
	for i := 0; i < n; i++ {
		r := &rtKeep[nRt]
		nRt++
		r.m = map[string]int{}
		for j := 0; j < 12; j++ {
			r.m["key"+strconv.Itoa(j)] = j
		}
		for j := 0; j < 40; j++ {
			r.s = append(r.s, j)
		}
		r.str = strconv.Itoa(i) + "-" + strconv.Itoa(nRt) + "-leaked-string"
		r.ch = make(chan int, 4)
		x := i
		r.fn = func() int { x++; return x }
	}
}

// contend makes n mutex contentions (a goroutine waits for mu while main
// holds it) and n channel waits, for the mutex and block profiles.
//
//go:noinline
func contend(n int) {
	for i := 0; i < n; i++ {
		var wg sync.WaitGroup
		mu.Lock()
		wg.Add(1)
		go func() { mu.Lock(); mu.Unlock(); wg.Done() }()
		time.Sleep(time.Millisecond)
		mu.Unlock()
		wg.Wait()
		ch := make(chan int)
		go func() { time.Sleep(time.Millisecond); ch <- 1 }()
		<-ch
	}
}

//go:noinline
func leakBig(n int) {
	for i := 0; i < n; i++ {
		bigKeep[nBig] = make([]byte, bigSize)
		nBig++
	}
}

// newSmall is small enough to be inlined into leakSmall: its allocation's
// Location has two Lines, main.newSmall (innermost) then main.leakSmall.
func newSmall() []byte { return make([]byte, smallSize) }

//go:noinline
func leakSmall(n int) {
	for i := 0; i < n; i++ {
		smallKeep[nSmall] = newSmall()
		nSmall++
	}
}

//go:noinline
func leakHuge(n int) {
	for i := 0; i < n; i++ {
		hugeKeep[nHuge] = make([]byte, hugeSize)
		nHuge++
	}
}

// leakTree recurses depth times and allocates one node per level, so each
// sample's stack holds main.leakTree 1..depth times.
//
//go:noinline
func leakTree(depth int) *treeNode {
	if depth == 0 {
		return nil
	}
	n := &treeNode{}
	n.child = leakTree(depth - 1)
	return n
}

// churn allocates and drops: it shows in alloc_* but not in inuse_*.
//
//go:noinline
func churn(n int) {
	for i := 0; i < n; i++ {
		sink = make([]byte, churnSize)
	}
	sink = nil
}

//go:noinline
func blockOnChan(ready *sync.WaitGroup) {
	ready.Done()
	<-block
}

//go:noinline
func blockLabeled(ready *sync.WaitGroup) {
	ready.Done()
	<-block
}

type allocTruth struct {
	InuseObjects int64 `json:"inuse_objects"`
	InuseSpace   int64 `json:"inuse_space"`
	AllocObjects int64 `json:"alloc_objects"`
	AllocSpace   int64 `json:"alloc_space"`
}

type truth struct {
	Phase          int                   `json:"phase"`
	MemProfileRate int                   `json:"mem_profile_rate"`
	Note           string                `json:"note"`
	HeapFlat       map[string]allocTruth `json:"heap_flat"`
	HeapCum        map[string]allocTruth `json:"heap_cum"`
	Goroutines     map[string]int        `json:"goroutines_cum"`
	GoroutineLabel map[string]int        `json:"goroutines_by_label"`
	NumGoroutine   int                   `json:"num_goroutine"`
	MemStats       map[string]uint64     `json:"memstats"`
}

func both(objs, size int64, inuse bool) allocTruth {
	t := allocTruth{AllocObjects: objs, AllocSpace: objs * size}
	if inuse {
		t.InuseObjects, t.InuseSpace = objs, objs*size
	}
	return t
}

func buildTruth(k int) truth {
	k64 := int64(k)
	small := both(k64*smallPerStep, smallSize, true)
	tree := both(k64*treeDepth, nodeSize, true)
	t := truth{
		Phase:          k,
		MemProfileRate: runtime.MemProfileRate,
		Note: "by construction; heap_flat = values pprof gives as flat to that function " +
			"(newSmall is inlined into leakSmall), heap_cum = cum; " +
			"goroutine counts are cum per function",
		HeapFlat: map[string]allocTruth{
			"main.leakBig":   both(k64*bigPerStep, bigSize, true),
			"main.newSmall":  small,
			"main.leakHuge":  both(k64*hugePerStep, hugeSize, true),
			"main.leakTree":  tree,
			"main.churn":     both(k64*churnPerStep, churnSize, false),
			"main.leakSmall": {},
		},
		HeapCum: map[string]allocTruth{
			"main.leakBig":   both(k64*bigPerStep, bigSize, true),
			"main.newSmall":  small,
			"main.leakSmall": small,
			"main.leakHuge":  both(k64*hugePerStep, hugeSize, true),
			"main.leakTree":  tree,
			"main.churn":     both(k64*churnPerStep, churnSize, false),
		},
		Goroutines: map[string]int{
			"main.blockOnChan":  k * plainPerStep,
			"main.blockLabeled": k * labeledPerStep,
		},
		GoroutineLabel: map[string]int{"worker=leaky": k * labeledPerStep},
	}
	for p := 1; p <= k; p++ {
		t.GoroutineLabel["phase="+strconv.Itoa(p)] = labeledPerStep
	}
	return t
}

func startGoroutines(k int) {
	var ready sync.WaitGroup
	ready.Add(plainPerStep + labeledPerStep)
	for i := 0; i < plainPerStep; i++ {
		go blockOnChan(&ready)
	}
	labels := pprof.Labels("worker", "leaky", "phase", strconv.Itoa(k))
	pprof.Do(context.Background(), labels, func(context.Context) {
		for i := 0; i < labeledPerStep; i++ {
			go blockLabeled(&ready) // inherits the labels of this goroutine
		}
	})
	ready.Wait()
	// Give them time to park in the channel receive.
	for i := 0; i < 10; i++ {
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond)
	}
}

// writeProfile writes profile name as Go's gzip'd protobuf (debug 0, NAME.K.pb.gz),
// as text (debug 1, NAME.K.txt) or as a goroutine dump (debug 2, NAME.K.dump.txt).
func writeProfile(dir, name string, k, debug int) error {
	ext := []string{"pb.gz", "txt", "dump.txt"}[debug]
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s.%d.%s", name, k, ext)))
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func phase(dir string, k int) error {
	leakBig(bigPerStep)
	leakSmall(smallPerStep)
	leakHuge(hugePerStep)
	treeKeep[k-1] = leakTree(treeDepth)
	churn(churnPerStep)
	leakRuntime(rtPerStep)
	contend(5)
	startGoroutines(k)

	t := buildTruth(k)
	// runtime.GC publishes the heap profile as of this moment; the stats
	// are read right after it, before the profile writers allocate.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.NumGoroutine = runtime.NumGoroutine()
	t.MemStats = map[string]uint64{
		"HeapAlloc": ms.HeapAlloc, "HeapObjects": ms.HeapObjects,
		"Mallocs": ms.Mallocs, "Frees": ms.Frees, "NumGC": uint64(ms.NumGC),
		"TotalAlloc": ms.TotalAlloc,
	}
	for _, name := range []string{"heap", "allocs", "goroutine", "mutex", "block"} {
		if err := writeProfile(dir, name, k, 0); err != nil {
			return err
		}
	}
	// The same heap and goroutines as text (debug=1, "legacy" profiles).
	for _, name := range []string{"heap", "goroutine"} {
		if err := writeProfile(dir, name, k, 1); err != nil {
			return err
		}
	}
	if err := writeProfile(dir, "goroutine", k, 2); err != nil {
		return err
	}
	js, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, fmt.Sprintf("truth.%d.json", k)), append(js, '\n'), 0o644)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: leaky OUTDIR")
		os.Exit(2)
	}
	for k := 1; k <= phases; k++ {
		if err := phase(os.Args[1], k); err != nil {
			fmt.Fprintln(os.Stderr, "leaky:", err)
			os.Exit(1)
		}
	}
}
