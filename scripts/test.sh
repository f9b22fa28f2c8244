#!/usr/bin/env bash
# The whole test suite: install dependencies, build (gcc, warnings as errors),
# run unit and end-to-end tests with ctest; then the same suite under
# AddressSanitizer + UBSan built with clang.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
if [ "${HEAPSCAN_SKIP_SANITIZE:-0}" != 1 ]; then
  CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHEAPSCAN_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")
fi
