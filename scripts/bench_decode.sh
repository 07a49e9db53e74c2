#!/usr/bin/env bash
# Side by side: touchline-decode (OpenH264 + re_mp4) vs ffmpeg's H.264 decoder on the shared clips.
# ffmpeg runs `-benchmark -i clip -f null -` with one thread and with its default threads; ours is
# single-threaded, timed with (rgb) and without (yuv) the conversion to RGB frames.
# Prints a markdown table.   Usage: scripts/bench_decode.sh [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RUSTUP_TOOLCHAIN=stable
repeat=${1:-3}
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --locked -p touchline-benches --bin decode_timing
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$target/release/decode_timing" --repeat "$repeat" > "$tmp/ours.json"
for clip in ../shared/videos/*.mp4; do
  name=$(basename "$clip")
  for threads in 1 0; do
    best=""
    for _ in $(seq "$repeat"); do
      # `bench: utime=0.512s stime=0.012s rtime=0.530s`: keep the wall-clock rtime.
      t=$(ffmpeg -hide_banner -nostdin -benchmark -threads "$threads" -i "$clip" -map 0:v:0 -f null - 2>&1 \
          | sed -n 's/.*rtime=\([0-9.]*\)s.*/\1/p' | tail -1)
      echo "$t" >> "$tmp/$name.$threads"
    done
  done
done
python3 - "$tmp" <<'PY'
import json, os, statistics, sys
tmp = sys.argv[1]
ours = json.load(open(os.path.join(tmp, "ours.json")))
def med(name, threads):
    vals = [float(v) for v in open(os.path.join(tmp, f"{name}.{threads}")).read().split()]
    return statistics.median(vals)
print("| clip | frames | ours yuv (fps) | ours rgb (fps) | ffmpeg 1 thread (fps) | ffmpeg default threads (fps) |")
print("|---|---|---|---|---|---|")
for name, r in ours.items():
    if "error" in r:
        print(f"| {name} | ours failed: {r['error']} | | | | |"); continue
    n = r["frames"]
    f1, fd = med(name, 1), med(name, 0)
    print(f"| {name} | {n} | {r['yuv_fps']:.0f} | {r['rgb_fps']:.0f} | {n/f1:.0f} | {n/fd:.0f} |")
PY
