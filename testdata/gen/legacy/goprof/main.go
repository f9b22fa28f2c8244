// Command goprof writes Go's text profiles that pprof reads as legacy
// formats: mutex and block (debug=1: "--- mutex:" / "--- contention:") and
// a custom pprof.Profile ("NAME profile: total N"), into the directory given
// as its argument, with the custom profile's counts known by construction:
// addN adds N entries, each from its own stack (truth.json).
//
//	usage: goprof DIR
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var custom = pprof.NewProfile("heapscan.custom")

type handle struct{ n int }

//go:noinline
func add3(keep *[]*handle) {
	for i := 0; i < 3; i++ {
		h := &handle{i}
		*keep = append(*keep, h)
		custom.Add(h, 1)
	}
}

//go:noinline
func add5(keep *[]*handle) {
	for i := 0; i < 5; i++ {
		h := &handle{i}
		*keep = append(*keep, h)
		custom.Add(h, 1)
	}
}

//go:noinline
func holdMutex(mu *sync.Mutex, d time.Duration) {
	mu.Lock()
	time.Sleep(d)
	mu.Unlock()
}

//go:noinline
func waitMutex(mu *sync.Mutex, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	mu.Unlock()
}

//go:noinline
func blockOnChan(ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ch
}

func contend() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for round := 0; round < 4; round++ {
		go holdMutex(&mu, 20*time.Millisecond)
		time.Sleep(2 * time.Millisecond)
		wg.Add(2)
		go waitMutex(&mu, &wg)
		go waitMutex(&mu, &wg)
		wg.Wait()
	}
	ch := make(chan int)
	wg.Add(3)
	for i := 0; i < 3; i++ {
		go blockOnChan(ch, &wg)
	}
	time.Sleep(10 * time.Millisecond)
	for i := 0; i < 3; i++ {
		ch <- i
	}
	wg.Wait()
}

func write(dir, name string, p *pprof.Profile) {
	f, err := os.Create(filepath.Join(dir, name))
	if err == nil {
		err = p.WriteTo(f, 1)
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goprof DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	var keep []*handle
	add3(&keep)
	add5(&keep)
	contend()
	write(dir, "mutex.txt", pprof.Lookup("mutex"))
	write(dir, "block.txt", pprof.Lookup("block"))
	write(dir, "custom.txt", custom)
	truth := map[string]interface{}{
		"go":     runtime.Version(),
		"custom": map[string]int{"total": custom.Count(), "main.add3": 3, "main.add5": 5},
	}
	b, _ := json.MarshalIndent(truth, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "truth.json"), append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.KeepAlive(keep)
}
