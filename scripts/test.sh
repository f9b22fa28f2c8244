#!/usr/bin/env bash
# The whole test suite: install dependencies, build (gcc, warnings as errors),
# run unit and end-to-end tests with ctest; then the same suite under
# AddressSanitizer + UBSan built with clang; then each fuzz target for a
# bounded time. HEAPSCAN_SKIP_SANITIZE=1 / HEAPSCAN_SKIP_FUZZ=1 skip those.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
# go tool pprof's answers, asked once per run and reused by the sanitized
# run (testdata/gen/pprof-truth.sh).
export PPROF_TRUTH_CACHE=$PWD/build/pprof-truth-cache
rm -rf "$PPROF_TRUTH_CACHE"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
# Damaged variants of every fixture: 240 s of the damage budget (the
# fuzzers go further; tests/e2e/damaged_inputs.sh alone takes 420 s).
(cd build && HEAPSCAN_DAMAGE_SECONDS=${HEAPSCAN_DAMAGE_SECONDS:-240} ctest --output-on-failure -j"$jobs")
if [ "${HEAPSCAN_SKIP_SANITIZE:-0}" != 1 ]; then
  CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHEAPSCAN_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  # The sanitized run looks for memory errors in what the regular run has
  # already checked against its truth, within CI's time: it damages fewer
  # variants per fixture (120 s of the damage budget; the fuzzers go
  # further), and runs the Go tests on the oldest Go and the one on PATH
  # (1.27's readers and walker take 1.26's paths), marked by HEAPSCAN_SANITIZED.
  (cd build-asan && HEAPSCAN_SANITIZED=1 HEAPSCAN_DAMAGE_SECONDS=${HEAPSCAN_DAMAGE_SECONDS:-120} \
     HEAPSCAN_GO_VERSIONS=${HEAPSCAN_GO_VERSIONS:-1.19 1.26} ASAN_OPTIONS=detect_leaks=1 \
     ctest --output-on-failure -j"$jobs")
fi
# Fuzzing (issue 5): each libFuzzer target for a bounded time; fails on any
# crash, leak, timeout or OOM (inputs are saved to tests/fuzz/regress/<target>/
# and replayed by the unit tests from then on).
if [ "${HEAPSCAN_SKIP_FUZZ:-0}" != 1 ]; then
  FUZZ_SECONDS=${HEAPSCAN_FUZZ_SECONDS:-20} \
  FUZZ_SECONDS_fuzz_elfcore=${HEAPSCAN_FUZZ_SECONDS_CORE:-60} \
  FUZZ_REPORT=build-fuzz/FUZZ.md scripts/fuzz.sh
fi
