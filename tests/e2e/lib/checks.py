"""Small helpers for the Python checks the end-to-end scripts write inline:
one line per check ("ok" or "FAIL"), the exit status at the end, and the
truth.json that testdata/gen/goleak writes for a moment (-core, -heapdump).
Import with sys.path.insert(0, "tests/e2e/lib") (the scripts run from the
repository root)."""
import json
import sys


class Checks:
    def __init__(self):
        self.bad = []

    def want(self, ok, msg):
        print(f"  {'ok  ' if ok else 'FAIL'} {msg}")
        if not ok:
            self.bad.append(msg)

    def exit(self):
        sys.exit(1 if self.bad else 0)


def goleak_truth(d):
    """(truth, hold, hold_bytes) of goleak's DIR/truth.json."""
    t = json.load(open(f"{d}/truth.json"))
    return t["truth"], t["hold"], t["hold_bytes"]
