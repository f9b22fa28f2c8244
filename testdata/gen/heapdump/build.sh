# go_build_heapdump VERSION OUT (sourced, after tests/e2e/lib/go.sh): build
# this directory's program with Go VERSION, reproducibly (-trimpath, no build
# id, no DWARF, no cgo), so the same toolchain makes the same executable.
go_build_heapdump() {
  (cd "$(dirname "${BASH_SOURCE[0]}")" &&
    CGO_ENABLED=0 go_cmd "$1" build -trimpath -buildvcs=false -ldflags='-w -buildid=' -o "$2" .)
}
