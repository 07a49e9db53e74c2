#!/usr/bin/env bash
# Side by side: touchline-io loaders vs the Python tools a user would pick (kloppy for the
# provider samples, pandas for databallpy's wide CSV), same files, same repeat count.
# Prints a markdown table for docs/benchmarks.md.   Usage: scripts/bench_io.sh [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
export RUSTUP_TOOLCHAIN=stable
repeat=${1:-20}
cargo build -q --release --locked -p touchline-benches --bin io_timing
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
target/release/io_timing --repeat "$repeat" > "$tmp/rust.json"
.venv/bin/python benches/python/io_reference.py --repeat "$repeat" > "$tmp/py.json" 2>/dev/null
.venv/bin/python - "$tmp/rust.json" "$tmp/py.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); p = json.load(open(sys.argv[2]))
print("| file | frames (ours / Python) | ours (ms) | Python (ms) | ratio |")
print("|---|---|---|---|---|")
for k, a in r.items():
    b = p.get(k, {})
    if "error" in a:
        print(f"| {k} | ours failed: {a['error']} | | | |"); continue
    if "error" in b:
        print(f"| {k} | {a['frames']} / - | {a['median_s']*1e3:.2f} | cannot load: {b['error'][:50]} | - |"); continue
    print(f"| {k} | {a['frames']} / {b['frames']} | {a['median_s']*1e3:.2f} | {b['median_s']*1e3:.1f} | {b['median_s']/a['median_s']:.0f}x |")
PY
