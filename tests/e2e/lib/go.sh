# Which Go a test runs, chosen by version, never by PATH (sourced).
#   GO_VERSIONS        the versions every Go test covers (1.19 1.26 1.27)
#   GO_NEWEST          the newest of them: its `go tool pprof` is the truth
#   go_cmd VER ARGS..  the go command of VER (GOTOOLCHAIN=local, GOPROXY=off,
#                      modules on): 1.19 Debian's /usr/lib/go-1.19, 1.26
#                      /usr/local/go, 1.27 the go1.27.3 toolchain that
#                      /usr/local/go downloads once (scripts/deps.sh does)
#   go_root VER        that version's GOROOT (exit 1 with a message if missing)
#   go_pprof VER       the path of that version's pprof binary (what
#                      `go tool pprof` runs); go_pprof newest = GO_NEWEST's
#   pprof_latest       the newest standalone pprof (github.com/google/pprof at
#                      PPROF_LATEST_VERSION), installed once with Go 1.26
#                      into PPROF_LATEST_DIR: the peer of the benchmarks
# Results are remembered (exported) in GO_ROOT_<VER> and GO_PPROF_<VER>:
# call go_setup_all first, and each version is asked once per test.
GO_VERSIONS=(1.19 1.26 1.27)
GO_NEWEST=1.27
# HEAPSCAN_GO_VERSIONS="1.19 1.26" narrows the versions a run tests: the
# sanitized run of scripts/test.sh (its regular run has tested all three).
if [ -n "${HEAPSCAN_GO_VERSIONS:-}" ]; then read -r -a GO_VERSIONS <<<"$HEAPSCAN_GO_VERSIONS"; fi

go_root() {
  local v=$1 var root
  [ "$v" = newest ] && v=$GO_NEWEST
  var=GO_ROOT_${v//./_}
  if [ -n "${!var:-}" ]; then
    echo "${!var}"
    return 0
  fi
  case $v in
    1.19) root=/usr/lib/go-1.19 ;;
    1.26) root=/usr/local/go ;;
    # The go command fetches the toolchain into the module cache (once,
    # through the module proxy) and says where it is.
    1.27) root=$(GOTOOLCHAIN=go1.27.3 GOFLAGS= /usr/local/go/bin/go env GOROOT 2>/dev/null) || root= ;;
    *) echo "go.sh: unknown Go version '$v' (known: ${GO_VERSIONS[*]})" >&2; return 1 ;;
  esac
  if [ -z "$root" ] || [ ! -x "$root/bin/go" ]; then
    echo "go.sh: Go $v not found${root:+ at $root} (scripts/deps.sh installs it)" >&2
    return 1
  fi
  # The go command may report its own version as x.y.z: check the x.y.
  case $("$root/bin/go" env GOVERSION 2>/dev/null) in
    go"$v" | go"$v".* | go"$v"rc*) ;;
    *) echo "go.sh: $root/bin/go is not Go $v" >&2; return 1 ;;
  esac
  printf -v "$var" '%s' "$root"
  export "${var?}"
  echo "$root"
}

go_cmd() {
  local root
  root=$(go_root "$1") || return 1
  shift
  GOTOOLCHAIN=local GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off "$root/bin/go" "$@"
}

go_pprof() {
  local v=$1 var path
  [ "$v" = newest ] && v=$GO_NEWEST
  var=GO_PPROF_${v//./_}
  if [ -n "${!var:-}" ] && [ -x "${!var}" ]; then
    echo "${!var}"
    return 0
  fi
  # Go 1.26 and later ship no pprof binary: `go tool -n` builds it into the
  # build cache (once, offline: its sources are in GOROOT) and says where.
  path=$(go_cmd "$v" tool -n pprof) && [ -x "$path" ] ||
    { echo "go.sh: no pprof for Go $v" >&2; return 1; }
  printf -v "$var" '%s' "$path"
  export "${var?}"
  echo "$path"
}

PPROF_LATEST_VERSION=${PPROF_LATEST_VERSION:-v0.0.0-20261105003125-4bf881d7fb0b}

pprof_latest() {
  local dir=${PPROF_LATEST_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/heapscan-tools/pprof-$PPROF_LATEST_VERSION}
  if [ ! -x "$dir/pprof" ]; then
    mkdir -p "$dir" &&
      GOBIN=$dir GOTOOLCHAIN=local GOFLAGS=-mod=mod "$(go_root 1.26)/bin/go" install \
        "github.com/google/pprof@$PPROF_LATEST_VERSION" >&2 ||
      { echo "go.sh: cannot install github.com/google/pprof@$PPROF_LATEST_VERSION" >&2; return 1; }
  fi
  echo "$dir/pprof"
}

# go_setup_all: find every version once in this shell (so subshells and
# child scripts inherit GO_ROOT_*); 1 if one is missing.
go_setup_all() {
  local v
  for v in "${GO_VERSIONS[@]}"; do
    go_root "$v" >/dev/null && go_pprof "$v" >/dev/null || return 1
  done
}

# go_panicparse: the path of panicparse's `pp` (the peer tool for goroutine
# dumps), installed once by Go 1.26 through the module proxy into
# ${HEAPSCAN_TOOLS:-$HOME/.cache/heapscan/tools} (scripts/deps.sh does it);
# exit 1 with a message when it cannot be installed (offline).
go_panicparse() {
  local dir=${HEAPSCAN_TOOLS:-${HOME:-/tmp}/.cache/heapscan/tools} root
  if [ -x "$dir/pp" ]; then
    echo "$dir/pp"
    return 0
  fi
  root=$(go_root 1.26) || return 1
  mkdir -p "$dir" &&
    GOBIN=$dir GOTOOLCHAIN=local GOFLAGS= "$root/bin/go" install \
      github.com/maruel/panicparse/v2/cmd/pp@latest >"$dir/pp-install.log" 2>&1 && [ -x "$dir/pp" ] ||
    { echo "go.sh: cannot install panicparse's pp (see $dir/pp-install.log)" >&2; return 1; }
  echo "$dir/pp"
}
