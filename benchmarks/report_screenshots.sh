#!/usr/bin/env bash
# Screenshots of a report's first page as a user opens it, in headless Chromium, at the widths of common screens:
# the answer must read at first sight, nothing laid over it (docs/benchmarks.md, "The report").
#
#   benchmarks/report_screenshots.sh results/report.html [OUT_FOLDER] [WIDTHS...]     (default: 1280 1920)
#
# Needs Debian's chromium (apt-get install chromium). Writes OUT_FOLDER/report_<width>.png (default: results/).
set -euo pipefail
report=$(realpath "$1")
out=${2:-$(dirname "$report")}
shift $(($# < 2 ? $# : 2))
widths=("${@:-1280 1920}")
read -r -a widths <<<"${widths[*]}"
command -v chromium >/dev/null || { echo "report_screenshots: chromium not found (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for width in "${widths[@]}"; do
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
        --window-size="$width,1100" --virtual-time-budget=15000 \
        --screenshot="$out/report_$width.png" "file://$report" 2>/dev/null
    echo "$out/report_$width.png"
done
