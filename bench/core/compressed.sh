#!/usr/bin/env bash
# Time and peak RSS of `heapscan top` on one core, plain and compressed each
# way (each tool at its default level): medians of RUNS (default 5) runs.
# Usage: bench/core/compressed.sh HEAPSCAN CORE[.gz] [--binary BIN]
# FORMATS (default "gz zst xz bz2 lz4") picks the compressions; GZIP_LEVEL (6).
# Output: a Markdown table for bench/core/RESULTS.md.
set -euo pipefail
HS=$1 core=$2
shift 2
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$(head -c2 "$core" | od -An -tx1 | tr -d ' \n')" = 1f8b ]; then
  gzip -dc "$core" >"$tmp/core"
else
  cp "$core" "$tmp/core"
fi
formats=${FORMATS:-gz zst xz bz2 lz4}
for e in $formats; do
  case $e in
    gz) gzip -"${GZIP_LEVEL:-6}" -c ;; zst) zstd -q -c ;; xz) xz -T2 -c ;; bz2) bzip2 -c ;;
    lz4) lz4 -q -c ;;
  esac <"$tmp/core" >"$tmp/core.$e"
done
plain_s=
echo "| input | size MiB | wall s | × plain | CPU s (user+sys) | × plain | peak RSS MiB | × plain |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for f in core $(printf 'core.%s ' $formats); do
  : >"$tmp/times"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/t" "$HS" top "$tmp/$f" "$@" >/dev/null
    cat "$tmp/t" >>"$tmp/times"
  done
  mid=$(((runs + 1) / 2)) # medians, each column on its own
  wall=$(cut -d' ' -f1 "$tmp/times" | sort -n | sed -n "${mid}p")
  rss=$(cut -d' ' -f2 "$tmp/times" | sort -n | sed -n "${mid}p")
  cpu=$(awk '{ print $3 + $4 }' "$tmp/times" | sort -n | sed -n "${mid}p")
  [ -z "$plain_s" ] && plain_s=$wall plain_rss=$rss plain_cpu=$cpu
  awk -v f="$f" -v sz="$(stat -c %s "$tmp/$f")" -v w="$wall" -v r="$rss" -v c="$cpu" \
    -v pw="$plain_s" -v pr="$plain_rss" -v pc="$plain_cpu" 'BEGIN {
      printf "| %s | %.1f | %.3f | %.2f | %.2f | %.2f | %.1f | %.2f |\n",
        f, sz / 1048576, w, w / pw, c, c / pc, r / 1024, r / pr }'
done
