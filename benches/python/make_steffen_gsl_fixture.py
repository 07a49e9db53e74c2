#!/usr/bin/env python3
"""Steffen parity against GSL itself (not a re-implementation of its formulas).

Compiles benches/reference/gsl_steffen.c against Debian's libgsl-dev (apt-get install
libgsl-dev), evaluates gsl_interp_steffen on every case of the interpolation fixture
(crates/touchline-impute/tests/fixtures/interp_parity.json) at its query points, and writes
the values as a fixture for crates/touchline-impute/tests/parity.rs. Not run in CI.

    python3 benches/python/make_steffen_gsl_fixture.py \
        > crates/touchline-impute/tests/fixtures/steffen_gsl.json
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "benches/reference/gsl_steffen.c"
FIX = ROOT / "crates/touchline-impute/tests/fixtures/interp_parity.json"


def main():
    exe = Path(tempfile.mkdtemp()) / "gsl_steffen"
    subprocess.run(["gcc", "-O2", "-o", str(exe), str(SRC), "-lgsl", "-lgslcblas", "-lm"], check=True)
    version = subprocess.run(["gsl-config", "--version"], capture_output=True, text=True).stdout.strip()
    cases = []
    for c in json.load(open(FIX))["cases"]:
        t, y, x = c["t"], c["y"], c["x"]
        if len(t) < 3:
            continue
        lo, hi = t[0], t[-1]
        xs = [v for v in x if lo <= v <= hi]
        stdin = " ".join(map(repr, [len(t), *t, *y, len(xs), *xs]))
        out = subprocess.run([str(exe)], input=stdin, capture_output=True, text=True, check=True).stdout
        cases.append({"name": c["name"], "t": t, "y": y, "x": xs, "steffen": [float(v) for v in out.split()]})
    json.dump(
        {
            "command": "python3 benches/python/make_steffen_gsl_fixture.py > crates/touchline-impute/tests/fixtures/steffen_gsl.json",
            "gsl": version,
            "cases": cases,
        },
        sys.stdout,
        indent=1,
    )


if __name__ == "__main__":
    main()
