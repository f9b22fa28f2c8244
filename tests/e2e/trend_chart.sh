#!/usr/bin/env bash
# heapscan trend --format svg|html draws something a renderer accepts: the
# SVG (and the SVG inside the HTML page) is well-formed XML, rsvg-convert
# (librsvg, scripts/deps.sh) turns it into a PNG, and the PNG, decoded here
# with python's zlib, is not blank: enough non-white pixels, and the colours
# of the total and of each drawn entry. The HTML table has one row per entry
# plus the total.
# usage: bash tests/e2e/trend_chart.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
HS=$1
command -v rsvg-convert >/dev/null || { echo "trend_chart: rsvg-convert is required (librsvg2-bin; scripts/deps.sh)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=testdata/profiles
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# png_check PNG COLOUR...: decode (8-bit RGB/RGBA, non-interlaced); the PNG
# must have ink, and at least 20 pixels of each colour (#rrggbb) given.
png_check() {
  python3 - "$@" <<'EOF'
import struct, sys, zlib
path, want = sys.argv[1], [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in sys.argv[2:]]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
    if kind == b"IDAT": idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours, ink = {}, 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(w):
        px = tuple(line[x * bpp:x * bpp + 3])
        if bpp == 4 and line[x * bpp + 3] == 0: px = (255, 255, 255)
        if px != (255, 255, 255): ink += 1
        colours[px] = colours.get(px, 0) + 1
    prev = line
share = ink / (w * h)
missing = ["#%02x%02x%02x" % c for c in want if colours.get(c, 0) < 20]
ok = share > 0.01 and not missing
print("%s   %s: %dx%d, %.1f%% non-white, %d distinct colours; line colours %s" %
      ("ok" if ok else "FAIL:", path.rsplit("/", 1)[1], w, h, 100 * share, len(colours),
       "missing: " + " ".join(missing) if missing else "all present (%d)" % len(want)))
sys.exit(0 if ok else 1)
EOF
}

xml_ok() {
  python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" 2>"$tmp/xml.err" ||
    fail "$1 is not well-formed XML: $(head -c 300 "$tmp/xml.err")"
}

files=("$P/heap.1.pb.gz" "$P/heap.2.pb.gz" "$P/heap.3.pb.gz")
"$HS" trend --format svg -n 6 -o "$tmp/t.svg" "${files[@]}" || fail "trend --format svg exited $?"
xml_ok "$tmp/t.svg"
grep -q 'main.leakBig' "$tmp/t.svg" || fail "the SVG's legend does not name main.leakBig"
grep -q 'MiB' "$tmp/t.svg" || fail "the SVG's axis has no MiB labels"
rsvg-convert "$tmp/t.svg" -o "$tmp/t.png" || fail "rsvg-convert rejected the SVG"
# the total's black and the first 6 colours of the palette (render/trend.c)
six=("#000000" "#1f77b4" "#d62728" "#2ca02c" "#ff7f0e" "#9467bd" "#8c564b")
png_check "$tmp/t.png" "${six[@]}" || fails=$((fails + 1))

# Without times (text profiles): the x axis is the snapshot number.
"$HS" trend --format svg "$P/heap.1.txt.gz" "$P/heap.2.txt.gz" "$P/heap.3.txt.gz" >"$tmp/n.svg" || fail "trend svg (text profiles) exited $?"
xml_ok "$tmp/n.svg"
grep -q '>snapshot<' "$tmp/n.svg" || fail "no 'snapshot' x axis without times"
rsvg-convert "$tmp/n.svg" -o "$tmp/n.png" && { png_check "$tmp/n.png" "${six[@]}" || fails=$((fails + 1)); } || fail "rsvg-convert (no times)"

# HTML: the chart and a table (total + every entry with -n 0).
"$HS" trend --format html -n 0 "${files[@]}" >"$tmp/t.html" || fail "trend --format html exited $?"
rows=$("$HS" trend --format json -n 0 "${files[@]}" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
trs=$(grep -c '^<tr><td>' "$tmp/t.html")
[ "$trs" = $((rows + 1)) ] && echo "ok   html table: $trs rows = $rows entries + total" || fail "html table has $trs rows, want $((rows + 1))"
python3 -c 'import re,sys; s=open(sys.argv[1]).read(); open(sys.argv[2],"w").write(re.search(r"<svg.*?</svg>", s, re.S).group(0))' "$tmp/t.html" "$tmp/h.svg" || fail "no <svg> in the HTML"
rsvg-convert "$tmp/h.svg" -o "$tmp/h.png" && { png_check "$tmp/h.png" "${six[@]}" || fails=$((fails + 1)); } || fail "rsvg-convert (html's svg)"

# svg/html are trend's formats only
"$HS" top --format svg "$P/heap.1.pb.gz" >/dev/null 2>&1
[ $? -eq 2 ] && echo "ok   top --format svg: exit 2" || fail "top --format svg did not exit 2"

echo "trend_chart: $fails failed"
[ "$fails" -eq 0 ]
