#!/usr/bin/env bash
# Wall time of `touchline analyze-shot` on the 3.5 s 720p penalty clip (offline coach), the issue's
# speed target (under 3.5 s on 2 cores). Runs each binary RUNS times, interleaved (A B A B ...) so
# a machine whose speed drifts treats both alike, and prints a markdown table of the stage times
# from each run's report.json plus the wall time of the whole command.
# Usage: scripts/bench_analyze_shot.sh [runs] [other-binary] [extra options...]
#   other-binary: a second `touchline` build to compare with (e.g. an older commit's), or "-".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RUSTUP_TOOLCHAIN=stable
runs=${1:-5}
other=${2:--}
shift $(( $# > 2 ? 2 : $# ))
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --locked -p touchline-cli --bin touchline
clip=../shared/videos/soccer_penalty_lampard_goal.mp4
[ -f "$clip" ] || { echo "missing $clip" >&2; exit 1; }
bins=("$target/release/touchline")
[ "$other" != "-" ] && bins+=("$other")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "cores: $(nproc); $(uptime)"
echo
echo "| binary | run | wall s | load | decode wait | detect | model runs | shot | pose | video |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in $(seq 1 "$runs"); do
  for b in "${bins[@]}"; do
    out="$tmp/out"
    rm -rf "$out"
    t0=$(date +%s.%N)
    "$b" analyze-shot "$clip" --out "$out" --quiet "$@" > /dev/null 2>&1
    t1=$(date +%s.%N)
    python3 - "$out/report.json" "$b" "$r" "$t0" "$t1" <<'PY'
import json, sys
path, b, r, t0, t1 = sys.argv[1:6]
t = json.load(open(path))["timings_s"]
p, s = t["pipeline"], t["steps"]
print(f"| {b} | {r} | {float(t1) - float(t0):.2f} | {p['load_s']:.2f} | {p['decode_s']:.2f} | {p['detect_s']:.2f} "
      f"| {p['model_runs']} | {s['shot_s'] + s['region_s']:.2f} | {s['pose_s']:.2f} | {s['render_s']:.2f} |")
PY
  done
done
