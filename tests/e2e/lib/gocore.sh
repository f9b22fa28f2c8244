# A core of a live Go program, for the Go core tests (sourced after go.sh).
# Cores of Go processes are hundreds of MB of mostly reserved address space:
# they are made at test time in the caller's temporary directory, never
# committed. The program says "ready" on its output once it has built what
# the test checks (and written its own dump), then waits to be dumped.
#   gocore_build VER DIR OUT [FLAGS..]  go build (Go VER) the program in DIR
#                                       into OUT; CGO_ENABLED from the caller
#   gocore_take CORE LOG CMD [ARGS..]   run CMD (`env VAR=.. EXE ..` for its
#                                       environment), its output into LOG;
#                                       once it says ready, gcore it into
#                                       CORE and kill it
#   gocore_kill                         kill what gocore_take left running
#                                       (call it from the caller's EXIT trap)
# Both return 1 with one line on stderr when a step fails (a program not
# ready in GOCORE_READY_SECONDS, default 60: its state is said).
GOCORE_PIDS=()
GOCORE_READY_SECONDS=${GOCORE_READY_SECONDS:-60}

gocore_build() {
  local v=$1 dir=$2 out=$3
  shift 3
  (cd "$dir" && go_cmd "$v" build -buildvcs=false "$@" -o "$out" .) ||
    { echo "gocore: go $v build in $dir failed" >&2; return 1; }
}

# One start of CMD: 0 once it says ready (its pid in GOCORE_PID), 1 if not
# in GOCORE_READY_SECONDS (it is killed; its state goes to stderr).
gocore_start() {
  local log=$1 i
  shift
  "$@" >"$log" 2>&1 &
  GOCORE_PID=$!
  GOCORE_PIDS+=("$GOCORE_PID")
  for ((i = 0; i < GOCORE_READY_SECONDS * 10; i++)); do
    grep -q ready "$log" && return 0
    kill -0 "$GOCORE_PID" 2>/dev/null || break
    sleep 0.1
  done
  grep -q ready "$log" && return 0
  echo "gocore: '$*' not ready after $((i / 10)) s (process: $(ps -o stat=,wchan= -p "$GOCORE_PID" 2>/dev/null || echo gone)): $(head -c 300 "$log")" >&2
  kill "$GOCORE_PID" 2>/dev/null || true
  wait "$GOCORE_PID" 2>/dev/null || true
  return 1
}

# A Go program of these tests stays silent and spinning, never ready, in
# about 1 start of 50 while other jobs load the machine (seen with Go 1.27,
# before its own heap dump): a second start is made before giving up.
gocore_take() {
  local core=$1 log=$2
  shift 2
  command -v gcore >/dev/null || { echo "gocore: gdb's gcore is not installed (scripts/deps.sh)" >&2; return 1; }
  gocore_start "$log" "$@" || { echo "gocore: starting it again" >&2; gocore_start "$log" "$@"; } || return 1
  gcore -o "$core" "$GOCORE_PID" >/dev/null 2>&1 || { echo "gocore: gcore failed on '$*'" >&2; return 1; }
  kill "$GOCORE_PID" 2>/dev/null || true
  wait "$GOCORE_PID" 2>/dev/null || true
  mv "$core.$GOCORE_PID" "$core"
}

gocore_kill() {
  local p
  for p in "${GOCORE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
