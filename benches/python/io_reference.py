#!/usr/bin/env python3
"""Time the Python tools a user would pick to load the same provider files Touchline loads.

kloppy (3.19.1) for the provider samples; pandas.read_csv + numpy reshape into
[frames, agents, 2] positions and an observed mask for databallpy's wide CSV.
Prints one JSON object: {name: {"median_s": ..., "runs": n, "frames": ...}}.

    .venv/bin/python benches/python/io_reference.py --repeat 5
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

S = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
K = S / "kloppy_samples"


def wide_csv():
    import numpy as np
    import pandas as pd

    df = pd.read_csv(S / "tracab_databallpy" / "tracking_wide.csv")
    xs = [c for c in df.columns if c.endswith("_x") and (c.startswith("home_") or c.startswith("away_"))]
    xs = [c for c in xs if df[c].notna().any()] + ["ball_x"]
    pos = np.stack([df[xs].to_numpy(float), df[[c[:-2] + "_y" for c in xs]].to_numpy(float)], axis=-1)
    observed = np.isfinite(pos).all(axis=-1)
    return pos.shape[0], observed


def kloppy_cases():
    from kloppy import hawkeye, metrica, pff, signality, skillcorner, sportec, statsperform, tracab

    return {
        "tracab_dat": lambda: tracab.load(meta_data=K / "tracab/tracab_meta.xml", raw_data=K / "tracab/tracab_raw.dat"),
        "tracab_json": lambda: tracab.load(meta_data=K / "tracab/tracab_meta.json", raw_data=K / "tracab/tracab_raw.json"),
        "metrica_csv": lambda: metrica.load_tracking_csv(K / "metrica/metrica_home.csv", K / "metrica/metrica_away.csv"),
        "metrica_epts": lambda: metrica.load_tracking_epts(
            meta_data=K / "metrica/epts_metrica_metadata.xml", raw_data=K / "metrica/epts_metrica_tracking.txt"
        ),
        "skillcorner_v3": lambda: skillcorner.load(
            meta_data=K / "skillcorner/skillcorner_meta_data.json",
            raw_data=K / "skillcorner/skillcorner_v3_raw_data.jsonl",
            include_empty_frames=True,
        ),
        "pff_10517": lambda: pff.load_tracking(
            meta_data=K / "pff/pff_metadata_10517.json",
            roster_meta_data=K / "pff/pff_rosters_10517.json",
            raw_data=K / "pff/pff_10517.jsonl",
        ),
        "statsperform_ma25": lambda: statsperform.load_tracking(
            ma1_data=K / "statsperform/statsperform_tracking_ma1.json",
            ma25_data=K / "statsperform/statsperform_tracking_ma25.txt",
            tracking_system="sportvu",
        ),
        "sportec_xml": lambda: sportec.load_tracking(
            meta_data=K / "sportec_dfl/sportec_meta.xml", raw_data=K / "sportec_dfl/sportec_positional.xml"
        ),
        "signality": lambda: signality.load(
            meta_data=K / "signality/signality_meta_data.json",
            raw_data_feeds=[
                K / "signality/signality_p1_raw_data_subset.json",
                K / "signality/signality_p2_raw_data_subset.json",
            ],
            venue_information=K / "signality/signality_venue_information.json",
        ),
        "hawkeye_ball": lambda: hawkeye.load(
            ball_feeds=K / "hawkeye/hawkeye_1_1.football.samples.ball",
            player_centroid_feeds=[],
            meta_data=K / "hawkeye/hawkeye_meta.json",
        ),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not S.is_dir():
        sys.exit(f"missing shared data at {S}")
    cases = {"databallpy_wide_csv": wide_csv}
    cases.update(kloppy_cases())
    out = {}
    for name, fn in cases.items():
        times = []
        frames = None
        try:
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                r = fn()
                times.append(time.perf_counter() - t0)
            frames = r[0] if isinstance(r, tuple) else len(r)
            out[name] = {"median_s": statistics.median(times), "runs": len(times), "frames": frames}
        except Exception as e:  # a loader kloppy cannot run on this file is reported, not hidden
            out[name] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
