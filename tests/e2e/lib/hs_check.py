#!/usr/bin/env python3
"""Checks for the end-to-end tests: compare heapscan's JSON output with
ground truth from outside heapscan (go tool pprof TSV from
testdata/gen/pprof-truth.sh, and the generator's truth.N.json).

Every subcommand prints one line per mismatch and exits 1 if there was any.
Names are compared after removing pprof's " (inline)"/" (partial-inline)"
decoration; for --by line the key is the set of whitespace-separated tokens
("FUNC FILE:LINE" in either order). Entries pprof does not list are (0, 0).

  hs_check.py top  JSON TSV --file F --type T --unit U --by B [--limit N] [--sort flat|cum] [--filtered]
  hs_check.py diff JSON DELTA_TSV BEFORE_TSV AFTER_TSV --before F --after F --type T --unit U --by B
  hs_check.py top-address JSON TSV --file F --type T [--format go-text]
  hs_check.py top-named JSON TSV --file F --type T [--format gperftools-text]
  hs_check.py truth-heap JSON TRUTH_JSON --type T     (leak functions' flat/cum by construction)
  hs_check.py truth-goroutine JSON TRUTH_JSON          (blocked goroutines by construction)
  hs_check.py field JSON PATH...                       (print json values, e.g. total.delta)
  hs_check.py gates JSON EXPR TRIPPED                  (one gate, tripped = true|false)
"""
import argparse
import json
import re
import sys

errors = []
SHOWN = {}  # tsv path -> pprof's "Showing nodes accounting for" sum


def err(msg):
    errors.append(msg)
    print("FAIL: " + msg)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def norm(name, by):
    name = re.sub(r" \((partial-)?inline\)$", "", name)
    if by == "line":
        return " ".join(sorted(name.split()))
    return name


def load_tsv(path, by):
    total, rows = None, {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#total\t"):
                total = int(line.split("\t")[1])
                continue
            if line.startswith("#shown\t"):
                SHOWN[path] = int(line.split("\t")[1])
                continue
            name, flat, cum = line.rsplit("\t", 2)
            key = norm(name, by)
            if key in rows:
                # The pprof of Go 1.26+ lists one -files node per function
                # (each named by its file): the file's flat is their sum,
                # its cum is not in the output (None: not checked).
                if by != "file":
                    sys.exit("duplicate pprof entry %r in %s" % (name, path))
                rows[key] = (rows[key][0] + int(flat), None)
                continue
            rows[key] = (int(flat), int(cum))
    if total is None:
        sys.exit("no #total line in " + path)
    return total, rows


def agrees(got, want):
    """(flat, cum) against pprof's; a cum pprof does not give (None) is not checked."""
    return got[0] == want[0] and (want[1] is None or got[1] == want[1])


def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        err("%s: not valid JSON: %s" % (what, e))
        return None


def check_keys(obj, keys, what):
    if not isinstance(obj, dict):
        err("%s: not an object: %r" % (what, obj))
        return False
    if set(obj) != set(keys):
        err("%s: keys %s, schema wants %s" % (what, sorted(obj), sorted(keys)))
        return False
    return True


def top_rows(doc, what, by):
    """Validate the top schema; return {key: (flat, cum)} and the row list."""
    if not check_keys(doc, ["file", "format", "sample_type", "unit", "total", "rows"], what):
        return None, None
    if not is_int(doc["total"]):
        err("%s: total %r is not an integer" % (what, doc["total"]))
    rows, order = {}, []
    for i, r in enumerate(doc["rows"]):
        if not check_keys(r, ["name", "flat", "cum"], "%s rows[%d]" % (what, i)):
            continue
        if not (isinstance(r["name"], str) and is_int(r["flat"]) and is_int(r["cum"])):
            err("%s rows[%d]: wrong types %r" % (what, i, r))
            continue
        key = norm(r["name"], by)
        if key in rows:
            err("%s: entry %r listed twice" % (what, r["name"]))
        rows[key] = (r["flat"], r["cum"])
        order.append((key, r["flat"], r["cum"]))
    return rows, order


def cmd_top(a):
    what = "top %s -i %s --by %s" % (a.file, a.type, a.by)
    doc = load_json(a.json, what)
    if doc is None:
        return
    total, truth = load_tsv(a.tsv, a.by)
    rows, order = top_rows(doc, what, a.by)
    if rows is None:
        return
    for name in a.skip:
        rows.pop(name, None)
        truth.pop(name, None)
    for k, want in (("format", a.format), ("sample_type", a.type), ("unit", a.unit)):
        if doc[k] != want:
            err("%s: %s is %r, want %r" % (what, k, doc[k], want))
    if doc["file"] != a.file and not (a.file == "-" and doc["file"] in ("<stdin>", "-")):
        err("%s: file is %r, want %r" % (what, doc["file"], a.file))
    if a.filtered:
        # pprof's total ignores --focus/--tag filters; the sum of what is
        # left is "#shown". Either is a defensible "total"; accept both.
        if doc["total"] not in (total, SHOWN[a.tsv]):
            err("%s: total heapscan=%r pprof=%d (unfiltered) or %d (filtered)"
                % (what, doc["total"], total, SHOWN[a.tsv]))
        if sum(r[1] for r in order) != SHOWN[a.tsv]:
            err("%s: sum of flat %d, pprof filtered sum %d" % (what, sum(r[1] for r in order), SHOWN[a.tsv]))
    elif doc["total"] != total:
        err("%s: total heapscan=%r pprof=%d" % (what, doc["total"], total))
    for key, (flat, cum) in rows.items():
        pf, pc = truth.get(key, (0, 0))
        if not agrees((flat, cum), (pf, pc)):
            err("%s: %s flat/cum heapscan=%d/%d pprof=%d/%s" % (what, key, flat, cum, pf, pc))
    if a.limit == 0:
        for key, (pf, pc) in truth.items():
            if key not in rows:
                err("%s: %s missing (pprof flat/cum %d/%s)" % (what, key, pf, pc))
    else:
        want_n = min(a.limit, len(truth))
        if len(order) != want_n:
            err("%s -n %d: %d rows, want %d" % (what, a.limit, len(order), want_n))
        col = 0 if a.sort == "flat" else 1
        want_top = sorted((v[col] for v in truth.values() if v[col] is not None), reverse=True)[: a.limit]
        got_top = sorted((r[1 + col] for r in order), reverse=True)
        if got_top != want_top and len(want_top) == len(truth):
            err("%s -n %d: top %s values %s, pprof's largest %s" % (what, a.limit, a.sort, got_top, want_top))
    col = 1 if a.sort == "flat" else 2
    vals = [r[col] for r in order]
    if vals != sorted(vals, reverse=True):
        err("%s: rows not in decreasing %s order: %s" % (what, a.sort, vals[:12]))
    if not errors:
        print("ok   %s: total %d, %d rows" % (what, total, len(order)))


def triple(obj, what):
    if not check_keys(obj, ["before", "after", "delta"], what):
        return None
    if not all(is_int(obj[k]) for k in obj):
        err("%s: not integers: %r" % (what, obj))
        return None
    if obj["after"] - obj["before"] != obj["delta"]:
        err("%s: delta %d != after %d - before %d" % (what, obj["delta"], obj["after"], obj["before"]))
    return obj


def cmd_diff(a):
    what = "diff %s %s -i %s --by %s" % (a.before, a.after, a.type, a.by)
    doc = load_json(a.json, what)
    if doc is None:
        return
    _, delta = load_tsv(a.delta_tsv, a.by)
    tb, before = load_tsv(a.before_tsv, a.by)
    ta, after = load_tsv(a.after_tsv, a.by)
    if not check_keys(doc, ["before", "after", "sample_type", "unit", "total", "rows", "gates"], what):
        return
    for k, want in (("before", a.before), ("after", a.after), ("sample_type", a.type), ("unit", a.unit)):
        if doc[k] != want:
            err("%s: %s is %r, want %r" % (what, k, doc[k], want))
    t = triple(doc["total"], what + " total")
    if t and (t["before"], t["after"]) != (tb, ta):
        err("%s: total before/after heapscan=%d/%d pprof=%d/%d" % (what, t["before"], t["after"], tb, ta))
    seen, order = set(), []
    for i, r in enumerate(doc["rows"]):
        w = "%s rows[%d]" % (what, i)
        if not check_keys(r, ["name", "flat", "cum"], w):
            continue
        key = norm(r["name"], a.by)
        if key in seen:
            err("%s: entry %r listed twice" % (what, r["name"]))
        seen.add(key)
        f, c = triple(r["flat"], w + " flat"), triple(r["cum"], w + " cum")
        if not (f and c):
            continue
        order.append(f["delta"])
        want = {
            "delta": delta.get(key, (0, 0)),
            "before": before.get(key, (0, 0)),
            "after": after.get(key, (0, 0)),
        }
        for part in ("before", "after", "delta"):
            got = (f[part], c[part])
            if not agrees(got, want[part]):
                err("%s: %s %s flat/cum heapscan=%d/%d pprof=%d/%s"
                    % (what, key, part, got[0], got[1], want[part][0], want[part][1]))
    for key, (df, dc) in delta.items():
        if (df, dc or 0) != (0, 0) and key not in seen:
            err("%s: %s missing (pprof -diff_base flat/cum %+d/%s)" % (what, key, df, dc))
    mags = [abs(d) for d in order]
    if mags != sorted(mags, reverse=True):
        err("%s: rows not sorted by |flat delta|: %s" % (what, order[:12]))
    if not errors:
        print("ok   %s: total %+d, %d rows" % (what, ta - tb, len(order)))


def flat_cum(doc, name):
    for r in doc.get("rows", []):
        if norm(r.get("name", ""), "function") == name:
            return r["flat"], r["cum"]
    return 0, 0


def cmd_truth_heap(a):
    doc = load_json(a.json, a.json)
    with open(a.truth) as f:
        truth = json.load(f)
    what = "truth %s phase %d %s" % (a.json, truth["phase"], a.type)
    for name in sorted(set(truth["heap_flat"]) | set(truth["heap_cum"])):
        wf = truth["heap_flat"].get(name, {}).get(a.type, 0)
        wc = truth["heap_cum"].get(name, {}).get(a.type, 0)
        got = flat_cum(doc, name)
        if got != (wf, wc):
            err("%s: %s flat/cum heapscan=%d/%d construction=%d/%d" % (what, name, got[0], got[1], wf, wc))
    if not errors:
        print("ok   %s: leak functions match construction" % what)


def cmd_truth_goroutine(a):
    doc = load_json(a.json, a.json)
    with open(a.truth) as f:
        truth = json.load(f)
    what = "truth %s phase %d" % (a.json, truth["phase"])
    if doc["total"] != truth["num_goroutine"]:
        err("%s: total heapscan=%d runtime.NumGoroutine=%d" % (what, doc["total"], truth["num_goroutine"]))
    for name, n in sorted(truth["goroutines_cum"].items()):
        got = flat_cum(doc, name)[1]
        if got != n:
            err("%s: %s cum heapscan=%d construction=%d" % (what, name, got, n))
    if not errors:
        print("ok   %s: goroutines match construction" % what)


def short_generics(name):
    """A function name as Go's text writer prints it: the type arguments of
    a generic function or type are "[...]" (the protobuf has them whole)."""
    out, depth = [], 0
    for ch in name:
        if ch == "[":
            if depth == 0:
                out.append("[...]")
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def merged(pairs):
    """{name: (flat, largest cum, sum of cums)} from (name, (flat, cum))
    pairs whose names may coincide after short_generics: flats add up; the
    cum of the merged entry lies between the largest and the sum (a stack
    holding two instances counts once)."""
    out = {}
    for name, (flat, cum) in pairs:
        f, c, t = out.get(name, (0, 0, 0))
        out[name] = (f + flat, max(c, cum), t + cum)
    return out


def cmd_text_vs_pb(a):
    """heapscan top on a Go text profile against pprof on the protobuf of
    the same moment, by function (generic names shortened on both sides).
    With the program (--binary): every function's flat and cum equal.
    Without: every function but the runtime's is equal, and the flat of the
    entries heapscan cannot name is exactly the runtime functions' flat it
    is short of."""
    doc = load_json(a.json, a.what)
    if doc is None:
        return
    total, truth = load_tsv(a.tsv, "function")
    want = merged((short_generics(n), v) for n, v in truth.items())
    got = merged((short_generics(r["name"]), (r["flat"], r["cum"])) for r in doc.get("rows", []))
    rt = lambda n: n.startswith("runtime.") or n.startswith("internal/runtime/")
    unknown = lambda n: "<unknown>" in n
    if doc.get("total") != total:
        err("%s: total heapscan=%r pprof=%d" % (a.what, doc.get("total"), total))
    for n in sorted(set(got) | set(want)):
        if any(n.startswith(p) for p in a.skip_prefix):
            continue
        if a.binary or not (unknown(n) or rt(n)):
            (gf, gc, _), (wf, wc, wt) = got.get(n, (0, 0, 0)), want.get(n, (0, 0, 0))
            if gf != wf or not wc <= gc <= wt:
                err("%s: %s heapscan flat/cum=%d/%d pprof=%d/%d%s" % (a.what, n, gf, gc, wf, wc,
                    "" if wc == wt else " (instances' cums add up to %d)" % wt))
    unnamed = sum(v[0] for n, v in got.items() if unknown(n))
    short = sum(want[n][0] - got.get(n, (0, 0))[0] for n in want if rt(n))
    if a.binary and unnamed:
        err("%s: %d flat unnamed with the program" % (a.what, unnamed))
    if not a.binary and unnamed != short:
        err("%s: unnamed flat %d, runtime functions short of %d" % (a.what, unnamed, short))
    if not errors:
        print("ok   %s: %d functions' flat and cum equal pprof on the protobuf%s" %
              (a.what, len(want), "" if a.binary else "; unnamed flat %d = runtime's missing flat" % unnamed))


def unnamed_somewhere(path):
    """The PCs (address - 1) some record of a Go text profile lists on its
    "@" line without a "#" line under it."""
    import gzip
    opener = gzip.open if path.endswith(".gz") else open
    hidden, stack, shown = set(), [], set()
    def close():
        if shown:
            hidden.update(pc for pc in stack if pc not in shown)
    with opener(path, "rt") as f:
        for line in f:
            if "@ 0x" in line and not line.startswith("#"):
                close()
                stack = [int(w, 16) - 1 for w in line.split("@", 1)[1].split()]
                shown = set()
            elif line.startswith("#") and line[1:].strip().startswith("0x"):
                shown.add(int(line[1:].split()[0], 16))
    close()
    return hidden


def cmd_top_address(a):
    """--by address against pprof -addresses on a profile pprof cannot name
    (a Go text profile): both keyed by the address that starts each name.
    With --cum-only, heapscan has left out frames Go's protobuf writer
    leaves out (so their flat moved to the next frame): the total and the
    cum of every address no record of the file leaves unnamed are checked.
    heapscan names frames from the text's "#" lines, so a location with
    inlined frames is one entry per frame: their flats add up to pprof's
    flat of the address, and each has the address's cum."""
    what = "top --by address %s -i %s" % (a.file, a.type)
    doc = load_json(a.json, what)
    if doc is None:
        return
    total, truth = load_tsv(a.tsv, "address")
    want = {}
    for name, (flat, cum) in truth.items():
        addr = name.split()[0]
        if addr in want:
            err("%s: pprof lists address %s twice" % (what, addr))
        want[addr] = (flat, cum)
    got = {}
    for r in doc.get("rows", []):
        addr = r["name"].split()[0]
        flat, cum = got.get(addr, (0, None))
        if cum is not None and cum != r["cum"]:
            err("%s: frames of %s have cum %d and %d" % (what, addr, cum, r["cum"]))
        got[addr] = (flat + r["flat"], r["cum"])
    if doc.get("format") != a.format:
        err("%s: format is %r, want %r" % (what, doc.get("format"), a.format))
    if doc.get("total") != total:
        err("%s: total heapscan=%r pprof=%d" % (what, doc.get("total"), total))
    if a.cum_only:
        # An address some record leaves without a "#" line may be left out
        # of one stack and kept in another (a stack of runtime frames
        # only): its cum is not pprof's. Those are found in the file itself.
        hidden = unnamed_somewhere(a.file)
        named = sorted(a for a in got if int(a, 16) not in hidden)
        for addr in named:
            if got[addr][1] != want.get(addr, (0, 0))[1]:
                err("%s: %s cum heapscan=%s pprof=%s" % (what, addr, got[addr][1], want.get(addr)))
        if not named:
            err("%s: every address hidden somewhere" % what)
        if not errors:
            print("ok   %s: total %d, cum of all %d addresses no record hides (pprof lists %d)"
                  % (what, total, len(named), len(want)))
        return
    for addr in sorted(set(want) | set(got)):
        if got.get(addr, (0, 0)) != want.get(addr, (0, 0)):
            err("%s: %s flat/cum heapscan=%s pprof=%s" % (what, addr, got.get(addr), want.get(addr)))
    if not errors:
        print("ok   %s: total %d, %d addresses" % (what, total, len(want)))


def cmd_top_named(a):
    """--by function against pprof on a profile whose program pprof names
    from the binary while other mapped files show as "[file]" rows: every
    function pprof names has heapscan's flat and cum, and the entries
    heapscan names beyond those (from other files' symbols) carry exactly
    the flat of pprof's "[file]" rows."""
    what = "top %s -i %s (named by pprof)" % (a.file, a.type)
    doc = load_json(a.json, what)
    if doc is None:
        return
    total, truth = load_tsv(a.tsv, "function")
    if doc.get("format") != a.format:
        err("%s: format is %r, want %r" % (what, doc.get("format"), a.format))
    if doc.get("total") != total:
        err("%s: total heapscan=%r pprof=%d" % (what, doc.get("total"), total))
    rows = {norm(r["name"], "function"): (r["flat"], r["cum"]) for r in doc.get("rows", [])}
    named = {k: v for k, v in truth.items() if not k.startswith("[")}
    if not named:
        err("%s: pprof names no function" % what)
    for k, v in sorted(named.items()):
        if rows.get(k, (0, 0)) != v:
            err("%s: %s flat/cum heapscan=%s pprof=%s" % (what, k, rows.get(k), v))
    extra = sum(f for k, (f, c) in rows.items() if k not in named)
    unnamed = sum(f for k, (f, c) in truth.items() if k.startswith("["))
    if extra != unnamed:
        err("%s: flat of entries pprof does not name: heapscan %d, pprof's [file] rows %d"
            % (what, extra, unnamed))
    if not errors:
        print("ok   %s: total %d, %d functions named by both" % (what, total, len(named)))


def cmd_field(a):
    doc = load_json(a.json, a.json)
    for p in a.paths:
        v = doc
        for part in p.split("."):
            v = v[int(part)] if isinstance(v, list) else v[part]
        print(json.dumps(v) if not isinstance(v, str) else v)


def cmd_gates(a):
    doc = load_json(a.json, a.json)
    if doc is None:
        return
    gates = doc.get("gates")
    want = a.tripped == "true"
    if not isinstance(gates, list) or len(gates) != 1:
        err("gates in %s: want one gate, got %r" % (a.json, gates))
        return
    g = gates[0]
    if not check_keys(g, ["expr", "tripped", "detail"], "gate"):
        return
    if g["expr"] != a.expr or g["tripped"] is not want or not isinstance(g["detail"], str):
        err("gate: got %r, want expr=%r tripped=%r" % (g, a.expr, want))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("top")
    t.add_argument("json")
    t.add_argument("tsv")
    d = sub.add_parser("diff")
    d.add_argument("json")
    d.add_argument("delta_tsv")
    d.add_argument("before_tsv")
    d.add_argument("after_tsv")
    d.add_argument("--before", required=True)
    d.add_argument("--after", required=True)
    for q in (t, d):
        q.add_argument("--type", required=True)
        q.add_argument("--unit", required=True)
        q.add_argument("--by", default="function")
    t.add_argument("--file", required=True)
    t.add_argument("--limit", type=int, default=0)
    t.add_argument("--sort", default="flat", choices=["flat", "cum"])
    t.add_argument("--filtered", action="store_true", help="heapscan ran with --focus/--ignore/--tag")
    t.add_argument("--format", default="pprof", help="the format heapscan must report")
    t.add_argument("--skip", action="append", default=[], help="an entry left out of both sides")
    for name, fmt in (("top-address", "go-text"), ("top-named", "gperftools-text")):
        q = sub.add_parser(name)
        q.add_argument("json")
        q.add_argument("tsv")
        q.add_argument("--file", required=True)
        q.add_argument("--type", required=True)
        q.add_argument("--format", default=fmt)
        q.add_argument("--cum-only", action="store_true")
    tp = sub.add_parser("text-vs-pb")
    tp.add_argument("json")
    tp.add_argument("tsv")
    tp.add_argument("what")
    tp.add_argument("--binary", action="store_true", help="heapscan had the program")
    tp.add_argument("--skip-prefix", action="append", default=[], help="functions not compared")
    h = sub.add_parser("truth-heap")
    h.add_argument("json")
    h.add_argument("truth")
    h.add_argument("--type", required=True)
    g = sub.add_parser("truth-goroutine")
    g.add_argument("json")
    g.add_argument("truth")
    f = sub.add_parser("field")
    f.add_argument("json")
    f.add_argument("paths", nargs="+")
    gt = sub.add_parser("gates")
    gt.add_argument("json")
    gt.add_argument("expr")
    gt.add_argument("tripped", choices=["true", "false"])
    a = p.parse_args()
    {"top": cmd_top, "top-address": cmd_top_address, "top-named": cmd_top_named, "diff": cmd_diff, "truth-heap": cmd_truth_heap,
     "text-vs-pb": cmd_text_vs_pb, "truth-goroutine": cmd_truth_goroutine, "field": cmd_field, "gates": cmd_gates}[a.cmd](a)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
