// leakservice: a Go service that leaks at a known rate, for `heapscan
// collect` and `heapscan trend` (tests/e2e/trend_live.sh). It serves
// net/http/pprof on 127.0.0.1 (a free port, printed as "listening on
// http://ADDR" on stdout), and every tick main.leak keeps `-bytes` more bytes
// (4096-byte objects, an exact Go size class) in a global slice while
// main.churn allocates the same and drops the previous tick's: it keeps a
// ring of the last tick's objects, so its inuse_space stays at -bytes
// (steady, present in every snapshot) while its alloc_space grows as fast
// as main.leak's. runtime.MemProfileRate = 1, so
// the heap profile (?gc=1 collects first) counts every object: main.leak's
// inuse_space grows by bytes/tick exactly, by bytes*(1s/tick) per second on
// average. Extra endpoints for the HTTP error paths: /redirect (302 to the
// heap profile), /text (a body that is no profile), /slow (never answers).
//
// usage: leakservice [-tick 50ms] [-bytes 65536]
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"time"
)

const objSize = 4096

var (
	kept [][]byte
	ring [][]byte // main.churn's objects of the last tick
)

//go:noinline
func leak(n int) {
	for i := 0; i < n; i++ {
		kept = append(kept, make([]byte, objSize))
	}
}

//go:noinline
func churn(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, objSize)
		b[0] = byte(i)
		ring[i] = b // the previous tick's object in this slot is garbage now
	}
}

func main() {
	runtime.MemProfileRate = 1
	tick := flag.Duration("tick", 50*time.Millisecond, "time between leaks")
	bytes := flag.Int("bytes", 16*objSize, "bytes kept per tick (a multiple of 4096)")
	flag.Parse()
	kept = make([][]byte, 0, 1<<16) // no regrowth of the slice while leaking
	n := *bytes / objSize
	ring = make([][]byte, n)

	http.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/debug/pprof/heap?gc=1", http.StatusFound)
	})
	http.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "<html><body>this is not a profile</body></html>")
	})
	http.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() {
		t := time.NewTicker(*tick)
		for range t.C {
			leak(n)
			churn(n)
		}
	}()
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
