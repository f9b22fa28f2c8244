// Command heapdump writes a Go heap dump whose retained sizes are known by
// construction, plus a JSON sidecar with what the program itself knows
// (object addresses, sizes, runtime.MemStats read just before the dump).
//
// Structures (all reachable only as described, so dominators are exact):
//   - treeRoot: a complete binary tree of 1023 nodes, 64 bytes each
//     (two pointers + 48 bytes), retained by main.treeRoot alone: 65472 B;
//   - sharedA, sharedB: two globals pointing at one 1024-byte object,
//     which neither global retains alone;
//   - leafSlice: a slice of 100 pointers to distinct 32-byte leaves;
//   - a worker goroutine blocked on a channel with a 20000-byte buffer
//     (size class 20480) referenced only from its stack;
//   - finObj: an object with a registered finalizer; it points at a child;
//   - a queued finalizer: the finalizer goroutine is kept blocked in a first
//     finalizer, so a second unreachable finalized object stays queued;
//   - a goroutine blocked inside a deferred call while panicking.
//
// Usage: heapdump OUT.dump OUT.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

type node struct {
	left, right *node
	data        [6]uint64
}

type blob struct {
	b [1024]byte
}

type leaf struct {
	p *int
	x [3]uint64
}

type finChild struct {
	payload [200]byte
}

type finHolder struct {
	child *finChild
	pad   [3]uint64
}

type panicVal struct {
	msg  string
	data [40]uint64
}

var (
	treeRoot  *node
	sharedA   *blob
	sharedB   *blob
	leafSlice []*leaf
	finObj    *finHolder
	block     = make(chan struct{})
	finBlock  = make(chan struct{})
)

func build(depth int) *node {
	n := &node{}
	n.data[0] = uint64(depth)
	if depth > 1 {
		n.left = build(depth - 1)
		n.right = build(depth - 1)
	}
	return n
}

func goid() int64 {
	var b [64]byte
	s := string(b[:runtime.Stack(b[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	id, _ := strconv.ParseInt(s[:strings.IndexByte(s, ' ')], 10, 64)
	return id
}

type workerInfo struct {
	Goid    int64  `json:"goid"`
	BufAddr string `json:"buf_addr"`
	BufLen  int    `json:"buf_len"`
}

//go:noinline
func worker(n int, info chan<- workerInfo) {
	buf := make([]byte, n)
	buf[0] = 1
	info <- workerInfo{goid(), fmt.Sprintf("%p", &buf[0]), n}
	<-block
	runtime.KeepAlive(buf)
}

//go:noinline
func panicker(ready chan<- int64) {
	defer func() {
		r := recover()
		ready <- goid()
		<-block
		runtime.KeepAlive(r)
	}()
	panic(&panicVal{msg: "held"})
}

func main() {
	runtime.MemProfileRate = 1
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: heapdump OUT.dump OUT.json")
		os.Exit(2)
	}
	treeRoot = build(10)
	sharedA = &blob{}
	sharedB = sharedA
	leafSlice = make([]*leaf, 100)
	for i := range leafSlice {
		leafSlice[i] = &leaf{}
	}
	finObj = &finHolder{child: &finChild{}}
	runtime.SetFinalizer(finObj, func(*finHolder) {})

	// Queued finalizer: the first finalizer blocks the finalizer goroutine.
	first := &finHolder{}
	runtime.SetFinalizer(first, func(*finHolder) { <-finBlock })
	first = nil
	runtime.GC()
	time.Sleep(50 * time.Millisecond) // let the finalizer goroutine start and block
	queued := &finHolder{child: &finChild{}}
	queuedAddr := fmt.Sprintf("%p", queued)
	runtime.SetFinalizer(queued, func(*finHolder) {})
	queued = nil
	runtime.GC()

	info := make(chan workerInfo)
	go worker(20000, info)
	wi := <-info
	pready := make(chan int64)
	go panicker(pready)
	pgoid := <-pready
	time.Sleep(20 * time.Millisecond)

	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fd := f.Fd() // before the stats: Fd may allocate (Go 1.27 does)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.WriteHeapDump(fd)
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	deepest := treeRoot
	for deepest.left != nil {
		deepest = deepest.left
	}
	side := map[string]interface{}{
		"go_version":       runtime.Version(),
		"goarch":           runtime.GOARCH,
		"tree_root":        fmt.Sprintf("%p", treeRoot),
		"tree_nodes":       1023,
		"tree_depth":       10,
		"tree_leaf":        fmt.Sprintf("%p", deepest),
		"node_size":        unsafe.Sizeof(node{}),
		"tree_retained":    1023 * unsafe.Sizeof(node{}),
		"shared":           fmt.Sprintf("%p", sharedA),
		"shared_size":      unsafe.Sizeof(blob{}),
		"leaf_slice":       fmt.Sprintf("%p", &leafSlice[0]),
		"leaf_count":       len(leafSlice),
		"leaf_size":        unsafe.Sizeof(leaf{}),
		"leaf_slice_bytes": uintptr(len(leafSlice)) * unsafe.Sizeof(leafSlice[0]),
		"fin_obj":          fmt.Sprintf("%p", finObj),
		"fin_child":        fmt.Sprintf("%p", finObj.child),
		"fin_child_size":   unsafe.Sizeof(finChild{}),
		"queued_fin_obj":   queuedAddr,
		"worker":           wi,
		"panic_goid":       pgoid,
		"memstats": map[string]uint64{
			"Alloc": ms.Alloc, "TotalAlloc": ms.TotalAlloc, "Sys": ms.Sys,
			"Mallocs": ms.Mallocs, "Frees": ms.Frees, "HeapAlloc": ms.HeapAlloc,
			"HeapObjects": ms.HeapObjects, "HeapInuse": ms.HeapInuse,
			"NumGC": uint64(ms.NumGC),
		},
	}
	out, _ := json.MarshalIndent(side, "", "  ")
	if err := os.WriteFile(os.Args[2], append(out, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	close(finBlock)
}
