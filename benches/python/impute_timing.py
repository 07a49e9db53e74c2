"""Side-by-side timing and agreement of Touchline's interpolation imputers
with pandas / scipy / numpy on the same gapped input.

Steps (see docs/benchmarks.md):

    cargo run --release -p touchline-benches --bin make_gapped -- --seconds 5400 --out /tmp/gapped.csv
    for m in linear cubic-spline natural-spline steffen pchip akima makima; do
      target/release/touchline impute /tmp/gapped.csv --method $m --edges leave --out /tmp/ours/$m.csv
    done
    target/release/impute_timing --in /tmp/gapped.csv --repeat 5 > /tmp/rust_timing.json
    python benches/python/impute_timing.py --in /tmp/gapped.csv --ours /tmp/ours \
        --rust-timing /tmp/rust_timing.json --repeat 5

The input is Touchline long CSV (one row per frame and agent). It is read
once into wide arrays (frames x agents) for x, y and the observed mask;
reading is not timed. Each reference method then fills, per agent, the
*interior* gaps (between the first and last observation, as
`touchline impute --edges leave` does and pandas `limit_area="inside"`
does) and is timed from the wide arrays to the filled wide arrays, which
is what Touchline's `impute_with_report` does from a `TrackingData` to a
filled one. Single thread throughout (numpy/scipy do not thread these).

Agreement: the filled values are compared with Touchline's output CSVs
(`--ours DIR` holding `<method>.csv`): max |difference| over the gap
entries, and whether the same entries are filled.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd
from scipy.interpolate import Akima1DInterpolator, CubicSpline, PchipInterpolator


def read_wide(path: str):
    """Long CSV -> (t[nf], agents, x[nf, na], y[nf, na], observed[nf, na])."""
    df = pd.read_csv(path, comment="#", usecols=["time_s", "agent", "x", "y", "observed"])
    codes, agents = pd.factorize(df["agent"], sort=False)
    t, fidx = np.unique(df["time_s"].to_numpy(), return_inverse=True)
    nf, na = len(t), len(agents)
    x = np.full((nf, na), np.nan)
    y = np.full((nf, na), np.nan)
    obs = np.zeros((nf, na), dtype=bool)
    x[fidx, codes] = df["x"].to_numpy()
    y[fidx, codes] = df["y"].to_numpy()
    o = df["observed"]
    obs[fidx, codes] = o.astype(str).str.lower().isin(["1", "true"]).to_numpy()
    return t, list(agents), x, y, obs


# ---- per-agent reference imputers: (tk, vk[k, 2], tq) -> values[len(tq), 2]


def steffen_numpy(tk, vk, tq):
    """Steffen (1990) slopes, GSL's end rule (end secants), Hermite cubic."""
    h = np.diff(tk)
    s = np.diff(vk, axis=0) / h[:, None]
    d = np.empty_like(vk)
    d[0], d[-1] = s[0], s[-1]
    if len(tk) > 2:
        h0, h1 = h[:-1, None], h[1:, None]
        s0, s1 = s[:-1], s[1:]
        p = (s0 * h1 + s1 * h0) / (h0 + h1)
        sg0 = np.where(s0 < 0, -1.0, 1.0)
        sg1 = np.where(s1 < 0, -1.0, 1.0)
        d[1:-1] = (sg0 + sg1) * np.minimum(np.minimum(np.abs(s0), np.abs(s1)), 0.5 * np.abs(p))
    i = np.clip(np.searchsorted(tk, tq, side="right") - 1, 0, len(tk) - 2)
    hi = h[i][:, None]
    u = (tq - tk[i])[:, None]
    si, di, dj = s[i], d[i], d[i + 1]
    c2 = (3 * si - 2 * di - dj) / hi
    c3 = (di + dj - 2 * si) / (hi * hi)
    return vk[i] + u * (di + u * (c2 + u * c3))


def numpy_interp(tk, vk, tq):
    return np.column_stack([np.interp(tq, tk, vk[:, 0]), np.interp(tq, tk, vk[:, 1])])


PER_AGENT = {
    "numpy_interp": (numpy_interp, 2),
    "scipy_cubicspline_notaknot": (lambda tk, vk, tq: CubicSpline(tk, vk, bc_type="not-a-knot")(tq), 4),
    "scipy_cubicspline_natural": (lambda tk, vk, tq: CubicSpline(tk, vk, bc_type="natural")(tq), 3),
    "numpy_steffen": (steffen_numpy, 3),
    "scipy_pchip": (lambda tk, vk, tq: PchipInterpolator(tk, vk)(tq), 3),
    "scipy_akima": (lambda tk, vk, tq: Akima1DInterpolator(tk, vk)(tq), 3),
    "scipy_makima": (lambda tk, vk, tq: Akima1DInterpolator(tk, vk, method="makima")(tq), 3),
}


def run_per_agent(fn, min_knots, t, x, y, obs):
    """Fills interior gaps agent by agent; returns new (x, y)."""
    ox, oy = x.copy(), y.copy()
    for a in range(x.shape[1]):
        m = obs[:, a]
        idx = np.flatnonzero(m)
        if len(idx) < min_knots:
            continue
        q = np.flatnonzero(~m[idx[0] : idx[-1] + 1]) + idx[0]
        if len(q) == 0:
            continue
        tk = t[idx]
        vk = np.column_stack([x[idx, a], y[idx, a]])
        v = fn(tk, vk, t[q])
        ox[q, a] = v[:, 0]
        oy[q, a] = v[:, 1]
    return ox, oy


def pandas_method(method):
    def run(t, x, y, obs, df):
        out = df.interpolate(method=method, limit_area="inside")
        na = x.shape[1]
        v = out.to_numpy()
        return v[:, :na], v[:, na:]

    return run


PANDAS = {
    "pandas_linear": pandas_method("linear"),
    "pandas_cubicspline": pandas_method("cubicspline"),
}

# reference -> our method (the CSV name in --ours)
OURS = {
    "pandas_linear": "linear",
    "numpy_interp": "linear",
    "pandas_cubicspline": "cubic-spline",
    "scipy_cubicspline_notaknot": "cubic-spline",
    "scipy_cubicspline_natural": "natural-spline",
    "numpy_steffen": "steffen",
    "scipy_pchip": "pchip",
    "scipy_akima": "akima",
    "scipy_makima": "makima",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--in", dest="inp", required=True, help="gapped long CSV (make_gapped)")
    ap.add_argument("--ours", help="directory with touchline impute outputs <method>.csv")
    ap.add_argument("--rust-timing", help="JSON printed by the impute_timing binary")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    t0 = time.perf_counter()
    t, agents, x, y, obs = read_wide(a.inp)
    print(
        f"read {x.shape[0]} frames x {x.shape[1]} agents ({100 * (~obs).mean():.2f}% unobserved) "
        f"in {time.perf_counter() - t0:.1f} s (not timed below)",
        file=sys.stderr,
    )
    na = x.shape[1]
    # the wide frame pandas works on: time index, x columns then y columns
    df = pd.DataFrame(np.hstack([x, y]), index=pd.Index(t, name="time_s"))
    gaps = ~obs

    rust = {}
    if a.rust_timing:
        with open(a.rust_timing) as f:
            rust = json.load(f)

    ours_cache = {}

    def ours(method):
        if method not in ours_cache:
            _, ag, ux, uy, uobs = read_wide(os.path.join(a.ours, f"{method}.csv"))
            assert ag == agents, "agent order differs"
            assert (uobs == obs).all(), "observed mask differs"
            ours_cache[method] = (ux, uy)
        return ours_cache[method]

    results = {}
    runs = [(n, lambda fn=fn: fn(t, x, y, obs, df)) for n, fn in PANDAS.items()]
    runs += [(n, lambda f=f, k=k: run_per_agent(f, k, t, x, y, obs)) for n, (f, k) in PER_AGENT.items()]
    for name, fn in runs:
        times = []
        for _ in range(a.repeat):
            s = time.perf_counter()
            rx, ry = fn()
            times.append(time.perf_counter() - s)
        med = statistics.median(times)
        r = {"median_s": med, "min_s": min(times), "runs": a.repeat, "ours": OURS[name]}
        r["filled"] = int((gaps & np.isfinite(rx) & np.isfinite(ry)).sum())
        if a.ours:
            ux, uy = ours(OURS[name])
            ref_f = gaps & np.isfinite(rx)
            our_f = gaps & np.isfinite(ux)
            both = ref_f & our_f
            r["same_entries_filled"] = bool((ref_f == our_f).all())
            r["entries_filled_only_by_one"] = int((ref_f != our_f).sum())
            diff = np.maximum(np.abs(rx[both] - ux[both]), np.abs(ry[both] - uy[both]))
            r["max_abs_diff_m"] = float(diff.max()) if diff.size else 0.0
            r["compared_entries"] = int(both.sum())
        rt = rust.get(OURS[name])
        if rt:
            r["ours_median_s"] = rt["median_s"]
            r["speedup"] = med / rt["median_s"]
        results[name] = r
        print(f"{name}: {med:.3f} s", file=sys.stderr)

    print("| reference | ours | reference s | ours s | reference / ours | max abs diff (m) | same entries filled |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name, r in results.items():
        o = f"{r['ours_median_s']:.3f}" if "ours_median_s" in r else "-"
        sp = f"{r['speedup']:.1f}x" if "speedup" in r else "-"
        md = f"{r['max_abs_diff_m']:.2e}" if "max_abs_diff_m" in r else "-"
        se = str(r.get("same_entries_filled", "-"))
        print(f"| {name} | {r['ours']} | {r['median_s']:.3f} | {o} | {sp} | {md} | {se} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
