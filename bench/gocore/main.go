// Benchmark process for heapscan on Go cores (bench/gocore/run.sh): about N
// live heap objects of several kinds, then "ready" in the file named by the
// first argument and a sleep until killed, so that gcore can dump it.
//   - a binary tree of N/4 *node structs (56 bytes: 64-byte size class),
//   - each node's []byte payload (16-112 bytes) and its name string,
//   - a map[int]*session of N/4/8 sessions, each with a []byte token.
//
// usage: gocorebench READY_FILE N
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

type node struct {
	left, right *node
	payload     []byte
	name        string
}

type session struct {
	id    int
	token []byte
	user  *node
}

var (
	tree     *node
	sessions map[int]*session
)

// build makes a balanced tree of n nodes, iteratively by level order.
func build(n int) *node {
	if n == 0 {
		return nil
	}
	nodes := make([]*node, n)
	for i := range nodes {
		nodes[i] = &node{payload: make([]byte, 16+(i%7)*16), name: "node-" + strconv.Itoa(i)}
	}
	for i := range nodes {
		if l := 2*i + 1; l < n {
			nodes[i].left = nodes[l]
		}
		if r := 2*i + 2; r < n {
			nodes[i].right = nodes[r]
		}
	}
	return nodes[0]
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gocorebench READY_FILE N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 8 {
		fmt.Fprintln(os.Stderr, "N must be an integer >= 8")
		os.Exit(2)
	}
	tree = build(n / 4)
	sessions = make(map[int]*session)
	for i := 0; i < n/32; i++ {
		sessions[i] = &session{id: i, token: make([]byte, 32), user: tree}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	msg := fmt.Sprintf("{\"objects\": %d, \"bytes\": %d, \"go\": %q}\n", ms.HeapObjects, ms.HeapAlloc, runtime.Version())
	if err := os.WriteFile(os.Args[1], []byte(msg), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for {
		time.Sleep(time.Hour)
	}
}
