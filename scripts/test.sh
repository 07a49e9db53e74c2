#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup, formatting, lints, every test and doctest.
# Stable toolchain only (a nightly may exist on one machine but not on CI's).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RUSTUP_TOOLCHAIN=stable
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test (unit, integration, doc)"
cargo test --workspace --locked
