#!/usr/bin/env bash
# The layers build against what they may use only (CMakeLists.txt: one
# library per layer with an include tree of its own under BUILD/layers):
# model <- formats, model <- analysis <- render. Each layer's tree must
# compile an #include of what it may use and refuse one against the
# layering (a model file including analysis.h, a reader including
# heap_analysis.h, a renderer including reader.h or a private model header,
# analysis including the renderers' private header). And the public API
# (include/heapscan) holds no builder internals or utilities.
# Usage: bash tests/e2e/layers.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: layers.sh HEAPSCAN}
B=$(cd "$(dirname "$HS")" && pwd)/layers
[ -d "$B" ] || { echo "FAIL: no layer include trees in $B" >&2; exit 1; }
CC=${CC:-cc}
fails=0
try() { # WANT(ok|refused) LAYER HEADER
  local rc=0
  printf '#include "%s"\nint hs_layer_probe;\n' "$3" |
    "$CC" -std=c11 -D_GNU_SOURCE -fsyntax-only -I "$B/$2" -x c - 2>/dev/null || rc=$?
  local got=ok
  [ $rc -ne 0 ] && got=refused
  if [ "$got" = "$1" ]; then echo "ok   $2 + $3: $got"; else echo "FAIL $2 + $3: $got, want $1"; fails=1; fi
}
try ok      model    heapscan/heap.h
try ok      model    model/heap_build.h
try refused model    heapscan/analysis.h
try refused model    heapscan/source.h
try ok      formats  heapscan/reader.h
try ok      formats  model/parallel.h
try refused formats  heapscan/heap_analysis.h
try refused formats  heapscan/render.h
try ok      analysis heapscan/heap_analysis.h
try refused analysis heapscan/reader.h
try refused analysis render/internal.h
try ok      render   heapscan/render.h
try refused render   heapscan/reader.h
try refused render   model/heap_build.h
for f in include/heapscan/*.h; do
  if grep -nE 'pending_|bucket_first_|hs_heap_add_ref|getenv' "$f"; then
    echo "FAIL $f: builder internals or environment in the public API"; fails=1
  fi
done
[ ! -e include/heapscan/mem.h ] && [ ! -e include/heapscan/parallel.h ] ||
  { echo "FAIL: utilities in the public API"; fails=1; }
grep -rn 'getenv' src/model src/analysis src/render && { echo "FAIL: the library reads the environment"; fails=1; }
exit $fails
