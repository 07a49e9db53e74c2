#!/usr/bin/env python3
"""Reference pitch control (Spearman 2018, Friends-of-Tracking defaults) in plain numpy.

A straightforward vectorised implementation of the model documented in docs/analytics.md, written
for this project (not a copy of any other code). It serves two purposes:

1. Agreement: `--fixture out.json` writes the velocities and the attacking team's control on a few
   frames of the TRACAB stretch; crates/touchline-analytics/tests/fixtures/pitch_control_tracab.json
   was produced by

       .venv/bin/python benches/python/pitch_control_reference.py \
           --fixture crates/touchline-analytics/tests/fixtures/pitch_control_tracab.json

   and crates/touchline-analytics/tests/reference.rs compares Rust against it.
2. Timing: `--time N` computes pitch control for the first N frames and prints seconds per frame
   and the extrapolation to every frame of the file (run with `--time 9000` for the full stretch).

Inputs are the databallpy wide CSV (metres, pitch-centre origin, home attacking +x) and its
metadata.json. Velocities: scipy's Savitzky-Golay filter (window 7, order 2, first derivative,
mode="interp") on each run of finite positions, as touchline-analytics does.
"""

import argparse
import json
import math
import pathlib
import time

import numpy as np
import pandas as pd
from scipy.signal import savgol_filter

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_CSV = HERE.parents[2] / "shared/data/tracab_databallpy/tracking_wide.csv"

PARAMS = dict(
    max_player_speed=5.0,
    reaction_time=0.7,
    tti_sigma=0.45,
    lambda_att=4.3,
    lambda_def=4.3,
    keeper_factor=3.0,
    ball_speed=15.0,
    int_dt=0.04,
    max_int_time=10.0,
    convergence_tol=0.01,
    veto=3.0,
)


def load(csv_path):
    meta = json.loads((csv_path.parent / "metadata.json").read_text())
    df = pd.read_csv(csv_path)
    df = df[df["period_id"] >= 1].reset_index(drop=True)
    players = {}
    for team in ("home", "away"):
        ids = sorted({c[: -2] for c in df.columns if c.startswith(team + "_") and c.endswith("_x")})
        for pid in ids:
            xy = df[[pid + "_x", pid + "_y"]].to_numpy(dtype=float)
            if np.isfinite(xy).any():
                players[pid] = (team, xy)
    ball = df[["ball_x", "ball_y"]].to_numpy(dtype=float)
    return meta, df, players, ball


def runs(ok):
    """Maximal [start, end) stretches where ok is True."""
    out, start = [], None
    for i, v in enumerate(ok):
        if v and start is None:
            start = i
        if not v and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(ok)))
    return out


def sg_derivative(y, dt, window=7, order=2):
    n = len(y)
    w = min(window, n if n % 2 == 1 else n - 1)
    if w < 3:
        if n == 2:
            return np.full(2, (y[1] - y[0]) / dt)
        return np.full(n, np.nan)
    return savgol_filter(y, w, min(order, w - 1), deriv=1, delta=dt, mode="interp")


def velocities(xy, dt):
    v = np.full_like(xy, np.nan)
    ok = np.isfinite(xy).all(axis=1)
    for s, e in runs(ok):
        for k in range(2):
            v[s:e, k] = sg_derivative(xy[s:e, k], dt)
    return v


def goalkeeper(players, team):
    best, best_med = None, -1.0
    for pid, (t, xy) in players.items():
        if t != team:
            continue
        med = np.nanmedian(np.abs(xy[:, 0]))
        if med > best_med:
            best, best_med = pid, med
    return best


def grid(length, width, nx=50):
    ny = int(math.floor(nx * width / length))
    xs = -length / 2 + (np.arange(nx) + 0.5) * length / nx
    ys = -width / 2 + (np.arange(ny) + 0.5) * width / ny
    return xs, ys


def time_to_control(lam, p):
    return p["veto"] * math.log(10) * (math.sqrt(3) * p["tti_sigma"] / math.pi + 1 / lam)


def pitch_control_frame(f, attacking, players, vel, ball, keepers, xs, ys, p=PARAMS):
    gx, gy = np.meshgrid(xs, ys)  # [ny, nx]
    tx, ty = gx.ravel(), gy.ravel()
    b = ball[f]
    t_ball = np.hypot(tx - b[0], ty - b[1]) / p["ball_speed"] if np.isfinite(b).all() else np.zeros_like(tx)

    def team_arrays(team, lam, keeper_lam):
        rx, ry, lams = [], [], []
        for pid, (t, xy) in players.items():
            if t != team or not np.isfinite(xy[f]).all():
                continue
            v = vel[pid][f]
            if not np.isfinite(v).all():
                v = np.zeros(2)
            rx.append(xy[f, 0] + v[0] * p["reaction_time"])
            ry.append(xy[f, 1] + v[1] * p["reaction_time"])
            lams.append(keeper_lam if pid in keepers else lam)
        rx, ry = np.array(rx)[:, None], np.array(ry)[:, None]
        tau = p["reaction_time"] + np.hypot(tx[None, :] - rx, ty[None, :] - ry) / p["max_player_speed"]
        return tau, np.array(lams)[:, None]

    defending = "away" if attacking == "home" else "home"
    tau_a, lam_a = team_arrays(attacking, p["lambda_att"], p["lambda_att"])
    tau_d, lam_d = team_arrays(defending, p["lambda_def"], p["lambda_def"] * p["keeper_factor"])
    min_a, min_d = tau_a.min(axis=0), tau_d.min(axis=0)
    ttc_a, ttc_d = time_to_control(p["lambda_att"], p), time_to_control(p["lambda_def"], p)

    att = np.zeros_like(tx)
    dfd = np.zeros_like(tx)
    def_wins = min_a - np.maximum(t_ball, min_d) >= ttc_d
    att_wins = ~def_wins & (min_d - np.maximum(t_ball, min_a) >= ttc_a)
    dfd[def_wins] = 1.0
    att[att_wins] = 1.0
    solve = ~(def_wins | att_wins)

    live_a = (tau_a - min_a[None, :] < ttc_a) & solve[None, :]
    live_d = (tau_d - min_d[None, :] < ttc_d) & solve[None, :]
    acc_a = np.zeros_like(tau_a)
    acc_d = np.zeros_like(tau_d)
    k = math.pi / math.sqrt(3) / p["tti_sigma"]
    dt = p["int_dt"]
    steps = int(math.ceil((p["max_int_time"] + dt) / dt - 1e-9))
    pa = np.zeros_like(tx)
    pd_ = np.zeros_like(tx)
    i = 1
    active = solve.copy()
    while active.any() and i < steps:
        T = t_ball - dt + i * dt
        free = 1.0 - pa - pd_
        fa = 1.0 / (1.0 + np.exp(-k * (T[None, :] - tau_a)))
        fd = 1.0 / (1.0 + np.exp(-k * (T[None, :] - tau_d)))
        upd_a = live_a & active[None, :]
        upd_d = live_d & active[None, :]
        acc_a += np.where(upd_a, free[None, :] * fa * lam_a * dt, 0.0)
        acc_d += np.where(upd_d, free[None, :] * fd * lam_d * dt, 0.0)
        pa = np.where(active, (acc_a * live_a).sum(axis=0), pa)
        pd_ = np.where(active, (acc_d * live_d).sum(axis=0), pd_)
        active = active & (1.0 - (pa + pd_) > p["convergence_tol"])
        i += 1
    att[solve] = pa[solve]
    dfd[solve] = pd_[solve]
    return att.reshape(gx.shape), dfd.reshape(gx.shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", type=pathlib.Path, default=DEFAULT_CSV)
    ap.add_argument("--fixture", type=pathlib.Path, help="write the agreement fixture here")
    ap.add_argument("--frames", default="0,1500,3000,4500,6000,8999", help="frames of the fixture")
    ap.add_argument("--time", type=int, default=0, help="time pitch control on the first N frames")
    args = ap.parse_args()

    meta, df, players, ball = load(args.csv)
    hz = float(meta["tracking_data_frame_rate"])
    length, width = meta["pitch_dimensions"]
    dt = 1.0 / hz
    t0 = time.perf_counter()
    vel = {pid: velocities(xy, dt) for pid, (_, xy) in players.items()}
    t_vel = time.perf_counter() - t0
    keepers = {goalkeeper(players, "home"), goalkeeper(players, "away")}
    xs, ys = grid(length, width)
    possession = df["team_possession"].tolist()

    if args.fixture:
        frames = [int(v) for v in args.frames.split(",")]
        out = {
            "source": "benches/python/pitch_control_reference.py",
            "csv": "shared/data/tracab_databallpy/tracking_wide.csv",
            "params": PARAMS,
            "grid": {"xs": xs.tolist(), "ys": ys.tolist()},
            "keepers": sorted(keepers),
            "frames": [],
        }
        for f in frames:
            att, dfd = pitch_control_frame(f, possession[f], players, vel, ball, keepers, xs, ys)
            out["frames"].append({
                "frame": f,
                "attacking": possession[f],
                "attack": [[round(v, 12) for v in row] for row in att.tolist()],
                "velocity": {pid: [round(float(v), 12) for v in vel[pid][f]] for pid in sorted(vel)},
            })
        args.fixture.write_text(json.dumps(out) + "\n")
        print(f"wrote {args.fixture} ({len(frames)} frames)")

    if args.time:
        n = min(args.time, len(df))
        t0 = time.perf_counter()
        for f in range(n):
            pitch_control_frame(f, possession[f], players, vel, ball, keepers, xs, ys)
        el = time.perf_counter() - t0
        print(json.dumps({
            "frames": n,
            "seconds": el,
            "seconds_per_frame": el / n,
            "velocity_seconds": t_vel,
            "extrapolated_all_frames_seconds": el / n * len(df) + t_vel,
            "all_frames": len(df),
        }))


if __name__ == "__main__":
    main()
