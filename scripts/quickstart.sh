#!/usr/bin/env bash
# Fresh machine to first result: install dependencies, build, and show the
# top allocators of a heap profile shipped in testdata/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/heapscan top testdata/profiles/heap.3.pb.gz
