#!/usr/bin/env bash
# The main jobs on embedded defaults: `touchline info` on every provider sample in
# ../shared/data (format guessed from each file) and on a synthetic match; the gaps of that
# match filled and benchmarked; and, when ../shared is present, `touchline analyze-shot` on the
# penalty clip (goal or not, shooter, foot, speed, body at the strike, offline coaching).
# Outputs go to target/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RUSTUP_TOOLCHAIN=stable
cargo build -q --release --locked -p touchline-cli
bin="${CARGO_TARGET_DIR:-target}/release/touchline"
out=target/demo
mkdir -p "$out"

run() { echo; echo "\$ touchline info $*"; "$bin" info "$@"; }

S=../shared/data
if [ -d "$S" ]; then
  for f in \
    "$S/tracab_databallpy/tracking_wide.csv" \
    "$S/kloppy_samples/tracab/tracab_raw.dat" \
    "$S/kloppy_samples/tracab/tracab_raw.json" \
    "$S/kloppy_samples/metrica/metrica_home.csv" \
    "$S/kloppy_samples/metrica/epts_metrica_tracking.txt" \
    "$S/kloppy_samples/metrica/epts_metrica_tracking_with_empty_values.txt" \
    "$S/kloppy_samples/skillcorner/skillcorner_v3_raw_data.jsonl" \
    "$S/kloppy_samples/pff/pff_10517.jsonl" \
    "$S/kloppy_samples/pff/pff_3812.jsonl" \
    "$S/kloppy_samples/statsperform/statsperform_tracking_ma25.txt" \
    "$S/kloppy_samples/sportec_dfl/sportec_positional.xml" \
    "$S/kloppy_samples/sportec_dfl/sportec_positional_w_referee.xml" \
    "$S/kloppy_samples/signality/signality_p1_raw_data_subset.json" \
    "$S/kloppy_samples/hawkeye/hawkeye_1_1.football.samples.ball" \
    "$S/nba_socialvae/rebound/test/ATL_BOS_0021500389_3_314.96_312.36.txt"; do
    run "$f"
  done
else
  echo "../shared is absent: showing a synthetic match only"
fi

echo; echo "\$ touchline synth --seconds 90 --out $out/synthetic.csv"
"$bin" synth --seconds 90 --out "$out/synthetic.csv"
run "$out/synthetic.csv"
echo; echo "\$ touchline bench-impute --data $out/synthetic.csv --mask playerwise --rate 0.5 --seeds 2 --methods classical"
"$bin" bench-impute --data "$out/synthetic.csv" --mask playerwise --rate 0.5 --window 200 --hz 10 --seeds 2 \
  --methods classical --out "$out/bench.md"
cat "$out/bench.md"

clip=../shared/videos/soccer_penalty_lampard_goal.mp4
if [ -f "$clip" ]; then
  echo; echo "\$ touchline analyze-shot $clip --out $out/penalty"
  "$bin" analyze-shot "$clip" --out "$out/penalty" --quiet
  echo "(report.json, coaching.md, strike.png, annotated.mp4 and report.html are in $out/penalty)"
fi
