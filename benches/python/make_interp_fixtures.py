#!/usr/bin/env python3
"""Reference values for touchline-impute's 1-D interpolants (parity fixtures).

scipy for linear (numpy.interp), CubicSpline (natural, not-a-knot),
PchipInterpolator, Akima1DInterpolator (akima, makima); Steffen from GSL's
`gsl_interp_steffen` formulas (Steffen 1990, eq. 11, end slopes the end
secants) written out below in numpy, since GSL has no Python binding here.
Fixed inputs, uneven spacing included; queries between and on knots.
Not run in CI. Regenerate with (from the repository root):

    /work/main/.venv/bin/python benches/python/make_interp_fixtures.py \
        > crates/touchline-impute/tests/fixtures/interp_parity.json
"""
import json
import sys

import numpy as np
import scipy
from scipy.interpolate import Akima1DInterpolator, CubicSpline, PchipInterpolator

COMMAND = (
    "/work/main/.venv/bin/python benches/python/make_interp_fixtures.py "
    "> crates/touchline-impute/tests/fixtures/interp_parity.json"
)


def steffen(t, y, x):
    """Steffen's monotone cubic with GSL's choices, evaluated at x."""
    t = np.asarray(t, float)
    y = np.asarray(y, float)
    h = np.diff(t)
    s = np.diff(y) / h
    d = np.empty_like(y)
    d[0] = s[0]
    d[-1] = s[-1]
    h0, h1 = h[:-1], h[1:]
    s0, s1 = s[:-1], s[1:]
    p = (s0 * h1 + s1 * h0) / (h0 + h1)
    sg = lambda v: np.where(v < 0, -1.0, 1.0)  # noqa: E731  (0 counts as +1, as in GSL)
    d[1:-1] = (sg(s0) + sg(s1)) * np.minimum(np.minimum(np.abs(s0), np.abs(s1)), 0.5 * np.abs(p))
    i = np.clip(np.searchsorted(t, x, side="right") - 1, 0, len(t) - 2)
    u = x - t[i]
    a = (d[i] + d[i + 1] - 2 * s[i]) / h[i] / h[i]
    b = (3 * s[i] - 2 * d[i] - d[i + 1]) / h[i]
    return y[i] + u * (d[i] + u * (b + u * a))


def cases():
    rng = np.random.default_rng(20240611)
    out = []
    # uneven spacing, smooth-ish player track (metres, seconds)
    t = np.cumsum(rng.uniform(0.04, 0.6, 14))
    y = 10 * np.sin(t) + 0.3 * t**2 - 5
    out.append(("smooth_uneven", t, y))
    # monotone with flat stretches (zero secants exercise the degenerate branches)
    t = np.array([0.0, 0.3, 0.5, 1.1, 1.2, 2.0, 2.7, 3.0, 3.9])
    y = np.array([-3.0, -2.0, -2.0, -2.0, 0.5, 4.0, 4.0, 6.5, 7.0])
    out.append(("monotone_flats", t, y))
    # sign changes and a spike
    t = np.array([0.0, 0.1, 0.25, 0.3, 0.8, 0.9, 1.5, 1.55, 2.5])
    y = np.array([1.0, 3.0, -2.0, -2.5, 4.0, 4.1, -1.0, 0.0, 2.0])
    out.append(("oscillating", t, y))
    # noisy random walk, 30 knots, 25 Hz with dropped frames
    frames = np.sort(rng.choice(np.arange(200), 30, replace=False))
    t = frames / 25.0
    y = np.cumsum(rng.normal(0, 0.4, 30)) + 20
    out.append(("random_walk_25hz", t, y))
    # the minimum sizes
    out.append(("three_knots", np.array([0.0, 0.7, 1.0]), np.array([2.0, -1.0, 0.5])))
    out.append(("four_knots", np.array([-1.0, 0.2, 0.5, 3.0]), np.array([0.0, 2.0, 1.0, 1.5])))
    # large coordinates, tiny steps (TRACAB-like cm scale, 40 ms)
    t = 1000.0 + np.array([0.0, 0.04, 0.08, 0.2, 0.24, 0.6, 0.64])
    y = np.array([5230.0, 5241.0, 5250.5, 5290.0, 5301.0, 5399.0, 5405.0])
    out.append(("large_values", t, y))
    return out


def queries(t):
    inside = np.linspace(t[0], t[-1], 41)
    mids = (t[:-1] + t[1:]) / 2
    return np.unique(np.concatenate([inside, mids, t]))


def main():
    result = {
        "command": COMMAND,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "steffen": "numpy transcription of GSL gsl_interp_steffen formulas (this script)",
        "cases": [],
    }
    for name, t, y in cases():
        x = queries(t)
        exp = {
            "linear": np.interp(x, t, y),
            "natural_spline": CubicSpline(t, y, bc_type="natural")(x),
            "steffen": steffen(t, y, x),
            "pchip": PchipInterpolator(t, y)(x),
            "akima": Akima1DInterpolator(t, y, method="akima")(x),
            "makima": Akima1DInterpolator(t, y, method="makima")(x),
        }
        if len(t) >= 4:
            exp["not_a_knot_spline"] = CubicSpline(t, y, bc_type="not-a-knot")(x)
        for k, v in exp.items():
            assert np.all(np.isfinite(v)), (name, k)
        result["cases"].append(
            {
                "name": name,
                "t": t.tolist(),
                "y": y.tolist(),
                "x": x.tolist(),
                "expected": {k: np.asarray(v).tolist() for k, v in exp.items()},
            }
        )
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
