#!/usr/bin/env bash
# The main job on an embedded default: `touchline info` on every provider sample in
# ../shared/data (format guessed from each file), and on a synthetic match.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RUSTUP_TOOLCHAIN=stable
cargo build -q --locked -p touchline-cli
bin=target/debug/touchline

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

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo; echo "\$ touchline synth --seconds 90 --out synthetic.csv"
"$bin" synth --seconds 90 --out "$tmp/synthetic.csv"
run "$tmp/synthetic.csv"
