// Command gocore builds heap structures whose sizes are known by
// construction, writes a Go heap dump of itself, then says "ready" on stdout
// and sleeps so that a test can take a core of the same process (gcore).
//
// Structures:
//   - treeRoot: a complete binary tree of 1023 nodes of 64 bytes (two
//     pointers + 48 bytes), reachable only from main.treeRoot: 65472 B;
//   - spare: a slice of 500 pointers to 500 other distinct nodes, so the
//     process holds 1523 objects of type main.node;
//   - sharedA, sharedB: two globals pointing at one 1 MiB buffer, which
//     neither retains alone;
//   - a worker goroutine blocked on a channel whose stack alone holds a
//     200000-byte buffer;
//   - sessions: a map of 100 *main.session (GOCORE_SESSIONS=N: N);
//   - deadKeep: a 1.5 MiB buffer (1572864 B) that a second goroutine
//     allocated, stored there, used across calls (so its stack frame holds
//     the pointer) and then left dead before blocking: the runtime's stack
//     maps say the frame's word is dead, so deadKeep alone retains it (a
//     conservative stack scan would share it with that goroutine);
//   - keeper: a pointer to a 3072-byte array, which it alone retains, and
//     keeperAddr: a uintptr holding the same address (an integer: no
//     reference, whatever its value looks like);
//   - finHolder: a 16-byte object with a finalizer, pointing at a
//     5000-byte array (5376 B slot): the finalizer keeps the array alive
//     (not the object), so finHolder retains its 16 bytes only;
//   - a stackChain goroutine whose local variable alone holds a list of
//     37 main.link (24 bytes each: 888 B), small objects the runtime keeps
//     no type for: only the variable's DWARF type names them.
//
// Usage: gocore OUT.dump
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
	"unsafe"
)

type node struct {
	left, right *node
	data        [6]uint64
}

type finalized struct {
	payload *[5000]byte
	n       uint64
}

type session struct {
	id    int
	name  string
	attrs [10]uint64
}

var (
	treeRoot         *node
	spare            []*node
	sharedA, sharedB *[1 << 20]byte
	sessions         map[string]*session
	keeper           *[3072]byte
	keeperAddr       uintptr
	finHolder        *finalized
	deadKeep         []byte
	block            = make(chan struct{})
	started          = make(chan struct{})
	deadStarted      = make(chan struct{})
	chainStarted     = make(chan struct{})
)

func build(depth int) *node {
	n := &node{}
	if depth > 1 {
		n.left = build(depth - 1)
		n.right = build(depth - 1)
	}
	return n
}

//go:noinline
func worker() {
	buf := make([]byte, 200000)
	buf[0] = 1
	close(started)
	<-block
	runtime.KeepAlive(buf)
}

// link is 24 bytes: a size class of its own, no malloc header.
type link struct {
	next *link
	val  [2]int
}

//go:noinline
func stackChain() {
	var head *link
	for i := 0; i < 37; i++ {
		head = &link{next: head, val: [2]int{i, i}}
	}
	close(chainStarted)
	<-block
	runtime.KeepAlive(head)
}

//go:noinline
func touch(b []byte) {
	b[len(b)-1]++
}

// deadFrame's buf is live across the first call to touch, so it is kept in
// a stack slot; after the second call it is dead, and the slot still holds
// it while the goroutine blocks.
//
//go:noinline
func deadFrame() {
	buf := make([]byte, 1536<<10)
	deadKeep = buf
	touch(buf)
	touch(buf)
	close(deadStarted)
	<-block
}

func main() {
	treeRoot = build(10)
	spare = make([]*node, 500)
	for i := range spare {
		spare[i] = &node{}
	}
	shared := new([1 << 20]byte)
	sharedA, sharedB = shared, shared
	keeper = new([3072]byte)
	keeperAddr = uintptr(unsafe.Pointer(keeper))
	finHolder = &finalized{payload: new([5000]byte)}
	runtime.SetFinalizer(finHolder, func(*finalized) {})
	sessions = make(map[string]*session)
	n := 100
	if v, err := strconv.Atoi(os.Getenv("GOCORE_SESSIONS")); err == nil && v >= 0 {
		n = v // a second snapshot with more sessions, for diff
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("session-%03d", i)
		sessions[name] = &session{id: i, name: name}
	}
	go worker()
	<-started
	go deadFrame()
	<-deadStarted
	go stackChain()
	<-chainStarted
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	f.Close()
	fmt.Println("ready")
	time.Sleep(time.Hour)
	// f stays live in this frame, as it was while the dump was written: the
	// core's precise stack scan and the dump then agree on what it reaches.
	runtime.KeepAlive(f)
}
