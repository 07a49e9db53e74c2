#!/usr/bin/env bash
# End-to-end speed of `touchline track` on the 720p clips (penalty, NBA broadcast) with YOLOX-nano,
# next to ffmpeg's decode of the same clip (`ffmpeg -i clip -f null -`, one thread and default).
# Each clip runs with the default ball tiles (`--tiles ball`: around the tracked ball, a rationed
# sweep while it is lost), with every ball tile on every frame the ball is lost (`ball-all`:
# `--tile-search all --tile-skip none`, the most recall) and full frame only (`--tiles none`);
# the detector runs SESSIONS ONNX Runtime sessions side by side with THREADS intra-op threads each
# (default 0 0: automatic, one single-threaded session per core; `1 2` is the layout before
# session 12: one session with two threads). Prints
# uptime (the load matters) and a markdown table of fps, per-frame stage times, model runs per
# frame (independent of the load) and ball recall (frames with a ball detection, frames where the
# ball tracker accepted one) from each run's summary.json and detections.json.
# Usage: scripts/bench_track.sh [threads] [sessions]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RUSTUP_TOOLCHAIN=stable
threads=${1:-0}
sessions=${2:-0}
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --locked -p touchline-cli --bin touchline
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "cores: $(nproc); threads $threads, sessions $sessions (0 = automatic); $(uptime)"
clips=(../shared/videos/soccer_penalty_lampard_goal.mp4 ../shared/videos/basketball_nba_broadcast_17590_q4.mp4)
for clip in "${clips[@]}"; do
  [ -f "$clip" ] || { echo "missing $clip" >&2; exit 1; }
done
echo
echo "| clip | tiles | frames | end-to-end fps | tracking fps | decode ms | preprocess ms | model ms | runs/frame | ball det. frames | ball tracked frames | track ms | teams ms | render+encode ms | ffmpeg -f null fps (1 thread / default) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for clip in "${clips[@]}"; do
  name=$(basename "$clip" .mp4)
  ff=()
  for t in 1 0; do
    r=$(ffmpeg -hide_banner -nostdin -benchmark -threads "$t" -i "$clip" -map 0:v:0 -f null - 2>&1 \
        | sed -n 's/.*rtime=\([0-9.]*\)s.*/\1/p' | tail -1)
    ff+=("$r")
  done
  for tiles in ball ball-all none; do
    out="$tmp/$name.$tiles"
    case $tiles in
      ball-all) opts=(--tiles ball --tile-search all --tile-skip none) ;;
      *) opts=(--tiles "$tiles") ;;
    esac
    "$target/release/touchline" track "$clip" --out "$out" "${opts[@]}" --threads "$threads" --sessions "$sessions" --quiet
    python3 - "$out" "$name" "$tiles" "${ff[0]}" "${ff[1]}" <<'PY'
import json, sys
out, name, tiles, f1, fd = sys.argv[1:6]
s = json.load(open(f"{out}/summary.json"))
dets = json.load(open(f"{out}/detections.json"))["frames"]
ball_dets = sum(1 for f in dets if any(d["label"] == "ball" for d in f["detections"]))
n = s["frames"]; st = s["stages"]; d = st["detect_detail"]
print(f"| {name} | {tiles} | {n} | {s['fps']['end_to_end']:.1f} | {s['fps']['tracking']:.1f} "
      f"| {st['decode']['per_frame_ms']:.1f} | {d['preprocess_ms']/n:.1f} | {d['model_ms']/n:.1f} "
      f"| {d['model_runs']/n:.2f} | {ball_dets} | {s['ball']['detected_frames']} | {st['track']['per_frame_ms']:.2f} | {st['teams']['per_frame_ms']:.2f} "
      f"| {st['render']['per_frame_ms']:.1f} | {n/float(f1):.0f} / {n/float(fd):.0f} |")
PY
  done
done
