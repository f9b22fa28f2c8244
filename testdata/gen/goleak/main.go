// goleak: a Go program that leaks goroutines on purpose, in three ways and
// at counts known by construction, beside a healthy worker pool, and writes
// at three moments (N = 1, 2, 3):
//   goroutine.N.dump.txt  pprof.Lookup("goroutine").WriteTo(f, 2): a debug=2 dump
//   goroutine.N.txt       the same moment as a debug=1 goroutine profile
//   goroutine.N.pb.gz     the same moment as a protobuf goroutine profile
//   truth.N.json          what the program knows: the goroutines of each kind
// Each step adds, per leak: recvPerStep goroutines blocked for ever in a
// channel receive (leakRecv), sendPerStep in a channel send (leakSend) and
// selectPerStep in a select whose context is never cancelled (leakSelect).
// The pool's poolSize workers are started once, and between snapshots they
// take jobs (so they wait briefly, then work), then all wait for the next.
// With -panic DIR, after the first step it prints log lines and panics, so
// GOTRACEBACK=all shows every goroutine in the middle of a log.
//
// Invariant: before each snapshot every goroutine of ours is parked where
// its kind says (each signals just before blocking; the program then
// waits until the runtime reports them all, and a little more).
//
// With -core DIR, after one step it starts holdCount more goroutines, each
// keeping a holdBytes []byte alive from its stack only while it waits in a
// channel receive (leakHold), writes DIR/goroutine.dump.txt (debug=2) and
// DIR/truth.json, prints "ready" and sleeps, so that a test can take a core
// of the process at the moment of the dump (tests/e2e/go_core_goroutines.sh).
//
// With -heapdump DIR, the same moment as -core (without os/signal's
// goroutine) is written as DIR/goroutine.dump.txt (debug=2), DIR/heap.dump
// (runtime/debug.WriteHeapDump) and DIR/truth.json, and the program exits
// (tests/e2e/heapdump_goroutines.sh).
//
// usage: goleak OUTDIR | goleak -panic | goleak -core DIR | goleak -heapdump DIR
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

const (
	recvPerStep   = 20
	sendPerStep   = 15
	selectPerStep = 10
	poolSize      = 8
	jobsPerStep   = 1000
)

var (
	started sync.WaitGroup
	// One channel per leak, so no leak's goroutines pair with another's.
	noSender   = make(chan int) // nobody sends to it
	noReceiver = make(chan int) // nobody receives from it
	noClose    = make(chan int) // nobody sends to it nor closes it
)

//go:noinline
func leakRecv(n int) {
	for i := 0; i < n; i++ {
		started.Add(1)
		go func() {
			started.Done()
			<-noSender
		}()
	}
}

//go:noinline
func leakSend(n int) {
	for i := 0; i < n; i++ {
		started.Add(1)
		go func(v int) {
			started.Done()
			noReceiver <- v
		}(i)
	}
}

//go:noinline
func leakSelect(n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		_ = cancel // the missing cancel: nobody calls it
		started.Add(1)
		go func() {
			started.Done()
			select {
			case <-ctx.Done():
			case <-noClose:
			}
		}()
	}
}

const holdCount = 12

// holdBytes is a variable, so that make cannot put the buffer on the stack.
var holdBytes = 65536

// afterHold is allocated after the holding goroutines' buffers: Go 1.26's
// runtime.mheap_ keeps the address of the latest large allocation in an
// integer field, which a conservative scan of the runtime's globals takes
// for a pointer; this way it is not one of theirs.
var afterHold []byte

//go:noinline
func leakHold(n int) {
	for i := 0; i < n; i++ {
		started.Add(1)
		go func() {
			buf := make([]byte, holdBytes)
			buf[0] = 1
			started.Done()
			<-noSender
			runtime.KeepAlive(buf)
		}()
	}
}

type pool struct {
	jobs chan int
	done sync.WaitGroup
	sum  int64
	mu   sync.Mutex
}

//go:noinline
func (p *pool) worker() {
	for j := range p.jobs {
		p.mu.Lock()
		p.sum += int64(j)
		p.mu.Unlock()
		p.done.Done()
	}
}

func startPool() *pool {
	p := &pool{jobs: make(chan int)}
	// The workers carry pprof labels: with GODEBUG=tracebacklabels=1 (the
	// regeneration script sets it) Go 1.26 prints them inside the header's
	// brackets, Go 1.27 after them; Go 1.19 never.
	for i := 0; i < poolSize; i++ {
		go pprof.Do(context.Background(), pprof.Labels("pool", "workers"), func(context.Context) { p.worker() })
	}
	return p
}

func (p *pool) run(n int) {
	p.done.Add(n)
	for i := 0; i < n; i++ {
		p.jobs <- i
	}
	p.done.Wait()
}

type truth struct {
	Step       int `json:"step"`
	LeakRecv   int `json:"leak_recv"`
	LeakSend   int `json:"leak_send"`
	LeakSelect int `json:"leak_select"`
	Pool       int `json:"pool"`
	Main       int `json:"main"`
	Signal     int `json:"signal,omitempty"` // os/signal's goroutine, in a system call (-core)
	Total      int `json:"total"`
	NumG       int `json:"num_goroutine"`
}

func settle(want int) {
	started.Wait()
	for i := 0; i < 1000 && runtime.NumGoroutine() != want; i++ {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // each has parked by now
}

func write(dir, name string, debug int) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func snapshot(dir string, step int) {
	t := truth{Step: step, LeakRecv: recvPerStep * step, LeakSend: sendPerStep * step,
		LeakSelect: selectPerStep * step, Pool: poolSize, Main: 1}
	t.Total = t.LeakRecv + t.LeakSend + t.LeakSelect + t.Pool + t.Main
	settle(t.Total)
	t.NumG = runtime.NumGoroutine()
	write(dir, fmt.Sprintf("goroutine.%d.dump.txt", step), 2)
	write(dir, fmt.Sprintf("goroutine.%d.txt", step), 1)
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("goroutine.%d.pb.gz", step)))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 0); err != nil {
		panic(err)
	}
	f.Close()
	b, _ := json.MarshalIndent(t, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("truth.%d.json", step)), append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
}

func step(p *pool) {
	p.run(jobsPerStep)
	leakRecv(recvPerStep)
	leakSend(sendPerStep)
	leakSelect(selectPerStep)
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-core" {
		coreMoment(startPool(), os.Args[2])
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "-heapdump" {
		heapDumpMoment(startPool(), os.Args[2])
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goleak OUTDIR | goleak -panic | goleak -core DIR | goleak -heapdump DIR")
		os.Exit(2)
	}
	p := startPool()
	if os.Args[1] == "-panic" {
		step(p)
		settle(recvPerStep + sendPerStep + selectPerStep + poolSize + 1)
		fmt.Println("2026/12/04 03:00:00 server: serving on :8080")
		fmt.Println("2026/12/04 03:00:01 server: shutting down")
		panic("goleak: on purpose")
	}
	for k := 1; k <= 3; k++ {
		step(p)
		snapshot(os.Args[1], k)
	}
}

// coreMoment: one step and the holding goroutines, a debug=2 dump and the
// truth, then "ready" and sleep until killed (main sleeps: not running).
// signal.Notify starts os/signal's goroutine, which waits in a system call.
func coreMoment(p *pool, dir string) {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGUSR1)
	step(p)
	leakHold(holdCount)
	t := truth{Step: 1, LeakRecv: recvPerStep, LeakSend: sendPerStep,
		LeakSelect: selectPerStep, Pool: poolSize, Main: 1, Signal: 1}
	t.Total = t.LeakRecv + t.LeakSend + t.LeakSelect + t.Pool + t.Main + t.Signal + holdCount
	settle(t.Total)
	afterHold = make([]byte, holdBytes)
	t.NumG = runtime.NumGoroutine()
	write(dir, "goroutine.dump.txt", 2)
	b, _ := json.Marshal(map[string]any{"truth": t, "hold": holdCount, "hold_bytes": holdBytes})
	if err := os.WriteFile(filepath.Join(dir, "truth.json"), append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
}

// heapDumpMoment: one step and the holding goroutines, then a debug=2 dump,
// a heap dump of the same moment (the goroutines are parked: neither
// writing changes them) and the truth.
func heapDumpMoment(p *pool, dir string) {
	step(p)
	leakHold(holdCount)
	t := truth{Step: 1, LeakRecv: recvPerStep, LeakSend: sendPerStep,
		LeakSelect: selectPerStep, Pool: poolSize, Main: 1}
	t.Total = t.LeakRecv + t.LeakSend + t.LeakSelect + t.Pool + t.Main + holdCount
	settle(t.Total)
	t.NumG = runtime.NumGoroutine()
	write(dir, "goroutine.dump.txt", 2)
	f, err := os.Create(filepath.Join(dir, "heap.dump"))
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		panic(err)
	}
	b, _ := json.Marshal(map[string]any{"truth": t, "hold": holdCount, "hold_bytes": holdBytes})
	if err := os.WriteFile(filepath.Join(dir, "truth.json"), append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
}
