#!/usr/bin/env bash
# Opens <dir>/report.html (written by `touchline analyze-shot`) in headless Chromium and saves
# a screenshot as <dir>/report.png, so a person can see what a user sees. Not part of CI.
#
#   scripts/check_report.sh out/penalty
#
# Installs Debian's `chromium` with apt when it is missing (needs root or sudo).
set -euo pipefail

dir="${1:?usage: scripts/check_report.sh <analyze-shot output dir>}"
html="$(cd "$dir" && pwd)/report.html"
[[ -f "$html" ]] || { echo "no report.html in $dir" >&2; exit 2; }

if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --hide-scrollbars --screenshot="$(cd "$dir" && pwd)/report.png" --window-size=1280,2000 \
    "file://$html" 2>/dev/null
echo "wrote $dir/report.png"
