#!/usr/bin/env bash
# Install what heapscan needs to build and test on Debian/Ubuntu, if missing.
# Build: cmake, pkg-config, a C compiler, libelf, libdw, zlib, libdeflate, cmocka,
# libiberty (C++ demangling), and libzstd, liblzma, libbz2, liblz4 (compressed
# inputs: cores as systemd-coredump stores them); the zstd, xz, bzip2 and lz4
# tools compress fixtures at test time.
# Tests: Go 1.19 (Debian's golang-go), 1.26 (/usr/local/go) and 1.27 (the
# go1.27.3 toolchain, which /usr/local/go downloads once through the module
# proxy into the module cache): fixtures, and `go tool pprof` ground truth
# (tests/e2e/lib/go.sh picks each by version, never by PATH), graphviz (dot
# renders our DOT), gdb (gcore), clang + libclang-rt (sanitizer and fuzz builds),
# libc6-dbg (main_arena's symbol, and glibc's malloc_state layout from DWARF:
# tested paths of the core reader), python3 (test scripts parse JSON with it),
# libgoogle-perftools-dev and libjemalloc-dev (gperftools and jemalloc heap
# profiles made fresh by a test; jeprof is a peer tool for the jemalloc ones).
set -euo pipefail
pkgs=(cmake make pkg-config gcc g++ clang libelf-dev libdw-dev zlib1g-dev libdeflate-dev libiberty-dev
      libcmocka-dev libzstd-dev liblzma-dev libbz2-dev liblz4-dev zstd xz-utils bzip2 lz4
      golang-go graphviz gdb libclang-rt-14-dev libc6-dbg python3 libgoogle-perftools-dev
      libjemalloc-dev librsvg2-bin libcurl4-openssl-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Go 1.26 is installed by hand (a tarball at /usr/local/go); 1.27 comes through it.
[ -x /usr/local/go/bin/go ] || { echo "deps: Go 1.26 missing at /usr/local/go (https://go.dev/dl/)" >&2; exit 1; }
source "$(dirname "$0")/../tests/e2e/lib/go.sh"
go_setup_all || { echo "deps: a Go version is missing" >&2; exit 1; }
# panicparse's pp, the peer tool for goroutine dumps (tests/e2e/goroutines.sh).
go_panicparse >/dev/null || echo "deps: panicparse not installed; goroutines.sh will skip its comparison" >&2
