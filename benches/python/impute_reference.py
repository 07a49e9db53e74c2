"""Side-by-side reference for `touchline bench-impute`.

Imputes the SAME saved masks over the SAME ground-truth windows with
numpy / pandas / scipy / scikit-learn, scores them with the same metrics
(docs/imputation.md, "Benchmarking"; MIDAS definitions), times them, and
compares with our results JSON:

    touchline bench-impute --data D --mask camera --masks-out m.json \
        --dump-windows w.json --out ours.json ...
    python benches/python/impute_reference.py --windows w.json --masks m.json \
        --ours ours.json --out ref.md

Methods (each per window, per agent, x and y, knots = the observed frames,
queries = the hidden frames, as ours):
  numpy.interp (linear), pandas interpolate(method="cubicspline"),
  scipy CubicSpline (not-a-knot), scipy PchipInterpolator, scipy
  Akima1DInterpolator, Steffen in numpy (GSL's formulas), and sklearn
  KNNImputer(n_neighbors=5, weights="distance") on the window's
  [frames, 2 * agents] matrix (rows = frames, as MIDAS's KNN baseline).
Agents with fewer knots than a method needs fall back to linear (as ours).
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import pandas as pd
from scipy.interpolate import Akima1DInterpolator, CubicSpline, PchipInterpolator
from sklearn.impute import KNNImputer

FAST, ACCEL = 12.0, 8.0


def steffen(tk, vk, tq):
    """Steffen (1990) slopes with GSL's end rule (end secants), Hermite cubic."""
    h = np.diff(tk)
    s = np.diff(vk) / h
    d = np.empty_like(vk)
    d[0], d[-1] = s[0], s[-1]
    if len(tk) > 2:
        h0, h1, s0, s1 = h[:-1], h[1:], s[:-1], s[1:]
        p = (s0 * h1 + s1 * h0) / (h0 + h1)
        sg0 = np.where(s0 < 0, -1.0, 1.0)
        sg1 = np.where(s1 < 0, -1.0, 1.0)
        d[1:-1] = (sg0 + sg1) * np.minimum(np.minimum(np.abs(s0), np.abs(s1)), 0.5 * np.abs(p))
    i = np.clip(np.searchsorted(tk, tq, side="right") - 1, 0, len(tk) - 2)
    hi, u = h[i], tq - tk[i]
    si, di, dj = s[i], d[i], d[i + 1]
    c2 = (3 * si - 2 * di - dj) / hi
    c3 = (di + dj - 2 * si) / (hi * hi)
    return vk[i] + u * (di + u * (c2 + u * c3))


PER_AGENT = {
    "numpy.interp": (lambda tk, vk, tq: np.interp(tq, tk, vk), 2, "linear"),
    "scipy CubicSpline": (lambda tk, vk, tq: CubicSpline(tk, vk, bc_type="not-a-knot")(tq), 4, "cubic-spline"),
    "scipy PchipInterpolator": (lambda tk, vk, tq: PchipInterpolator(tk, vk)(tq), 3, "pchip"),
    "scipy Akima1DInterpolator": (lambda tk, vk, tq: Akima1DInterpolator(tk, vk)(tq), 3, "akima"),
    "numpy Steffen (GSL)": (steffen, 3, "steffen"),
}


def per_agent(fn, min_knots):
    def run(t, pos, hidden):
        out = pos.copy()
        for a in range(pos.shape[1]):
            h = hidden[:, a]
            if not h.any():
                continue
            k = ~h
            tk, tq = t[k], t[h]
            f = fn if k.sum() >= min_knots else PER_AGENT["numpy.interp"][0]
            out[h, a, 0] = f(tk, pos[k, a, 0], tq)
            out[h, a, 1] = f(tk, pos[k, a, 1], tq)
        return out

    return run


def pandas_cubicspline(t, pos, hidden):
    T, N, _ = pos.shape
    m = pos.reshape(T, 2 * N).copy()
    hid = np.repeat(hidden, 2, axis=1)
    m[hid] = np.nan
    df = pd.DataFrame(m, index=pd.Index(t))
    df = df.interpolate(method="cubicspline", limit_area="inside")
    return df.to_numpy().reshape(T, N, 2)


def sklearn_knn(t, pos, hidden):
    T, N, _ = pos.shape
    m = pos.reshape(T, 2 * N).copy()
    m[np.repeat(hidden, 2, axis=1)] = np.nan
    filled = KNNImputer(n_neighbors=5, weights="distance", keep_empty_features=True).fit_transform(m)
    return filled.reshape(T, N, 2)


METHODS = {name: (per_agent(fn, k), ours) for name, (fn, k, ours) in PER_AGENT.items()}
METHODS["pandas cubicspline"] = (pandas_cubicspline, "cubic-spline")
METHODS["sklearn KNNImputer(5, distance)"] = (sklearn_knn, None)


class Acc:
    """The metrics of crates/touchline-impute/src/eval/metrics.rs, in numpy."""

    def __init__(self):
        self.nm = self.unf = self.ne = 0
        self.err = self.sq = self.ape = self.se = self.sce = self.ple = 0.0
        self.pairs_a, self.pairs_b, self.sp_i, self.sp_t = [], [], [], []
        self.fast = self.accel = 0

    def add(self, t, truth, hidden, out, pitch):
        T, N, _ = truth.shape
        dt = np.diff(t)
        for a in range(N):
            h = hidden[:, a]
            est = np.where(h[:, None], out[:, a], truth[:, a])
            tru = truth[:, a]
            ok = np.isfinite(est).all(axis=1)
            self.nm += int(h.sum())
            self.unf += int((h & ~ok).sum())
            sel = h & ok
            e = est[sel] - tru[sel]
            d = np.hypot(e[:, 0], e[:, 1])
            self.err += d.sum()
            self.sq += (d * d).sum()
            self.ape += (np.abs(e[:, 0]) / pitch[0] + np.abs(e[:, 1]) / pitch[1]).sum()
            for k in range(2):
                self.pairs_a.append(est[sel, k])
                self.pairs_b.append(tru[sel, k])
            step_e = np.hypot(*np.diff(est, axis=0).T)
            step_t = np.hypot(*np.diff(tru, axis=0).T)
            okstep = ok[1:] & ok[:-1]
            # speeds of steps ending at a hidden entry
            hs = h[1:] & okstep
            vi, vt = step_e[hs] / dt[hs], step_t[hs] / dt[hs]
            self.sp_i.append(vi)
            self.sp_t.append(vt)
            self.fast += int((vi > FAST).sum())
            for f in np.nonzero(h)[0]:
                if 1 <= f < T - 1 and ok[f - 1] and ok[f] and ok[f + 1]:
                    d0, d1 = dt[f - 1], dt[f]
                    v0 = (est[f] - est[f - 1]) / d0
                    v1 = (est[f + 1] - est[f]) / d1
                    self.accel += int(np.hypot(*(v1 - v0)) / ((d0 + d1) / 2) > ACCEL)
            self.se += (np.abs(step_e - step_t)[okstep] / dt[okstep]).sum()
            self.ne += T
            if ok[h].all() and T >= 2:
                self.sce += abs(np.std(step_e, ddof=1) - np.std(step_t, ddof=1))
                self.ple += abs(step_e.sum() - step_t.sum())

    def finish(self):
        n = self.nm - self.unf
        a, b = np.concatenate(self.pairs_a), np.concatenate(self.pairs_b)
        vi, vt = np.concatenate(self.sp_i), np.concatenate(self.sp_t)
        pooled = math.sqrt(((len(vi) - 1) * vi.var(ddof=1) + (len(vt) - 1) * vt.var(ddof=1)) / (len(vi) + len(vt) - 2))
        return {
            "pe": self.err / n,
            "rmse": math.sqrt(self.sq / n),
            "mape": 100 * self.ape / (2 * n),
            "se": self.se / self.nm,
            "sce": 1000 * self.sce / self.ne,
            "ple": self.ple / self.ne,
            "r": float(np.corrcoef(a, b)[0, 1]),
            "d": (vi.mean() - vt.mean()) / pooled if pooled > 0 else float("nan"),
            "fast": self.fast,
            "accel": self.accel,
            "unfilled": self.unf,
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--windows", required=True, help="--dump-windows output of touchline bench-impute")
    ap.add_argument("--masks", required=True, help="--masks-out output of touchline bench-impute")
    ap.add_argument("--ours", help="our results JSON (--out x.json) to compare PE and time with")
    ap.add_argument("--out", help="write the Markdown report here (also printed)")
    ap.add_argument("--json", help="write the raw results as JSON here")
    args = ap.parse_args()

    W = json.load(open(args.windows))
    M = json.load(open(args.masks))
    n_train = W["n_train"]
    wins = W["windows"][n_train:]
    arrays = [(np.array(w["times"]), np.array(w["positions"], dtype=float), w) for w in wins]
    results = {}
    for name, (fn, _) in METHODS.items():
        per_seed = []
        for s in M["seeds"]:
            acc, secs = Acc(), 0.0
            for (t, truth, w), wm in zip(arrays, s["windows"][n_train:]):
                assert wm["source"] == w["source"] and wm["window"] == w["index"], "masks and windows differ"
                hidden = np.zeros(truth.shape[:2], dtype=bool)
                for a, st, en in wm["hidden"]:
                    hidden[st:en, a] = True
                players = np.array([tm != "ball" for tm in w["teams"]])
                masked = truth.copy()
                masked[hidden] = np.nan
                t0 = time.perf_counter()
                out = fn(t, masked, hidden)
                secs += time.perf_counter() - t0
                acc.add(t, truth[:, players], hidden[:, players], out[:, players], w["pitch"])
            r = acc.finish()
            r["seed"], r["seconds"] = s["seed"], secs
            per_seed.append(r)
        results[name] = per_seed

    ours = None
    if args.ours:
        ours = {m["method"]: m for m in json.load(open(args.ours))["methods"]}
    lines = [
        f"mask `{M['kind']}`, {len(M['seeds'])} seeds, {len(wins)} scored windows (of {len(W['windows'])}).",
        "",
        "| reference | PE (m) | RMSE (m) | SE | SCE | PLE | r | d | ref s | ours | our PE | max abs PE diff | ref s / our s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for name, per_seed in results.items():
        mean = lambda k: float(np.mean([r[k] for r in per_seed]))
        ours_name = METHODS[name][1]
        cmp = ["-", "-", "-", "-"]
        if ours and ours_name in ours:
            o = ours[ours_name]
            o_pe = [sr["players"]["pe"] for sr in o["seeds"]]
            diff = max(abs(a - r["pe"]) for a, r in zip(o_pe, per_seed))
            o_t = float(np.mean([sr["impute_seconds"] for sr in o["seeds"]]))
            cmp = [ours_name, f"{np.mean(o_pe):.6f}", f"{diff:.1e}", f"{mean('seconds') / o_t:.1f}x"]
        lines.append(
            f"| {name} | {mean('pe'):.6f} | {mean('rmse'):.3f} | {mean('se'):.3f} | {mean('sce'):.3f} | "
            f"{mean('ple'):.4f} | {mean('r'):.4f} | {mean('d'):.3f} | {mean('seconds'):.4f} | " + " | ".join(cmp) + " |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        open(args.out, "w").write(text)
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
