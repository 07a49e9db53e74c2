#!/usr/bin/env bash
# Installs what Touchline needs on a fresh machine, and only what is missing.
# Safe to run again and again. Called by scripts/test.sh and scripts/demo.sh.
#
#   APT_PACKAGES     Debian packages a build or test needs (checked with dpkg -s)
#   PY_REQUIREMENTS  pip requirement lines installed into .venv/ for the tests (onnxruntime:
#                    the ONNX Runtime library touchline-onnx loads)
#   --bench          also installs the Python tools our side-by-side benchmarks time us
#                    against (kloppy, pandas, scipy, numpy), pinned, into .venv/
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(pkg-config gcc g++ make nasm ffmpeg)
PY_REQUIREMENTS=(onnxruntime==1.31.1)
BENCH_PY_REQUIREMENTS=(kloppy==3.19.1 pandas==3.1.1 scipy==1.17.1 numpy==2.4.6 scikit-learn==1.9.1)
if [ "${1:-}" = "--bench" ]; then PY_REQUIREMENTS+=("${BENCH_PY_REQUIREMENTS[@]}"); fi

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Rust: the stable toolchain with rustfmt and clippy --------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: install the Rust stable toolchain (rustup) first"; exit 1
fi
export RUSTUP_TOOLCHAIN=stable
for comp in rustfmt clippy; do
  if ! cargo "${comp/rustfmt/fmt}" --version >/dev/null 2>&1; then
    log "installing rust component $comp"
    rustup component add "$comp" --toolchain stable
  fi
done

# --- Debian packages ---------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Python packages in .venv/ (only when some are required) ------------------------------
if [ ${#PY_REQUIREMENTS[@]} -gt 0 ]; then
  if [ ! -x .venv/bin/python ]; then
    log "creating .venv"
    python3 -m venv .venv
  fi
  need=()
  for req in "${PY_REQUIREMENTS[@]}"; do
    name=${req%%[=<>]*}; want=${req#*==}
    have=$(.venv/bin/python -m pip show "$name" 2>/dev/null | awk '/^Version:/{print $2}' || true)
    if [ "$req" = "$name" ]; then [ -n "$have" ] || need+=("$req")
    else [ "$have" = "$want" ] || need+=("$req"); fi
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "pip installing into .venv: ${need[*]}"
    .venv/bin/python -m pip install -q "${need[@]}"
  fi
fi

# --- shared assets ----------------------------------------------------------------------
if [ ! -d ../shared/data ]; then
  log "note: ../shared is absent; tests that read real data will fail naming the path they need"
fi
log "ready"
