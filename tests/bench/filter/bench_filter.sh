#!/bin/sh
# Filter benchmarks of issue 3 section 6, measured side by side in one run.
#
#   tests/bench/filter/bench_filter.sh [BUILD_DIR [OUT_DIR]]
#
# BUILD_DIR (default: build) holds the kcap CLI. OUT_DIR (default:
# ${TMPDIR:-/tmp}/kcap-bench-filter) receives the inputs (a 2M-event capture
# and its JSON lines, about 1 GB, never committed) and results.md, the table
# docs/PERFORMANCE.md quotes. Environment:
#   N=2000000    events (`kcap synth -n N --seed 1`)
#   RUNS=7       runs per kcap command; jq gets RUNS_JQ=3 (it takes seconds)
#   SKIP_JQ=1    leave out jq
# Needs hyperfine and jq. Not run by ctest: speed targets live here.
set -eu

BUILD=$(cd "${1:-build}" && pwd)
OUT=${2:-${TMPDIR:-/tmp}/kcap-bench-filter}
N=${N:-2000000}
RUNS=${RUNS:-7}
RUNS_JQ=${RUNS_JQ:-3}
K="$BUILD/kcap"

for tool in hyperfine jq; do
	command -v "$tool" >/dev/null || { echo "bench_filter.sh: $tool is required" >&2; exit 1; }
done
[ -x "$K" ] || { echo "bench_filter.sh: no kcap CLI at $K" >&2; exit 1; }
mkdir -p "$OUT"
cd "$OUT"

echo "== inputs (N=$N) in $OUT" >&2
"$K" synth -n "$N" --seed 1 -o cap.kcap
# jq reads the lines without the "proc" object: smaller, so jq is faster
# on them and the ratio is the conservative one.
[ "${SKIP_JQ:-0}" = 1 ] || "$K" convert --json --no-proc cap.kcap -o cap.json

# the inputs were just written: let writeback finish before timing reads
sync

SKIP="$K filter pid=42 --count cap.kcap"
NOSKIP="$K filter --no-skip pid=42 --count cap.kcap"
SCAN="$K filter --no-skip 'comm = \"bash\" and ret < 0' --count cap.kcap"
JQ="jq -c 'select(.pid==42)' cap.json"

bench() { # name runs warmup command...
	name=$1 runs=$2 warm=$3
	shift 3
	hyperfine -N --style basic -w "$warm" -r "$runs" --export-json "h_$name.json" "$@" >/dev/null
}
echo "== timing" >&2
bench skip "$RUNS" 2 "$SKIP" "$NOSKIP"
bench scan "$RUNS" 2 "$SCAN"
[ "${SKIP_JQ:-0}" = 1 ] || bench jq "$RUNS_JQ" 0 "$JQ" "$SKIP"

med() { jq -r ".results[$2].median * 1000" "h_$1.json"; }
cpu() { jq -r ".results[$2].user * 1000 + .results[$2].system * 1000" "h_$1.json"; }
fmt() { printf '%.1f' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
rate() { awk -v n="$N" -v ms="$1" 'BEGIN { printf "%.2f", n / ms / 1000 }'; }

blocks=$("$K" filter pid=42 --count --stats cap.kcap 2>&1 >/dev/null | sed 's/^kcap filter: //; s/ *$//' | paste -sd ' ')
count=$("$K" filter pid=42 --count cap.kcap)
scan_count=$(sh -c "$SCAN")
{
	echo "| What | Command | Median | Target |"
	echo "| --- | --- | --- | --- |"
	echo "| index skipping | \`kcap filter pid=42 --count cap.kcap\` ($count events; $blocks) | $(fmt "$(med skip 0)") ms | |"
	echo "| forced full scan | \`kcap filter --no-skip pid=42 --count cap.kcap\` | $(fmt "$(med skip 1)") ms: skipping is **$(ratio "$(med skip 1)" "$(med skip 0)")x** faster | >= 10x |"
	echo "| full-scan filter | \`kcap filter --no-skip 'comm = \"bash\" and ret < 0' --count cap.kcap\` ($scan_count events) | $(fmt "$(med scan 0)") ms wall ($(fmt "$(cpu scan 0)") ms CPU): **$(rate "$(med scan 0)")M events/s** wall, $(rate "$(cpu scan 0)")M per CPU-second | >= 8M events/s |"
	if [ "${SKIP_JQ:-0}" != 1 ]; then
		jq_count=$(jq -c 'select(.pid==42)' cap.json | wc -l)
		echo "| jq beside it | \`jq -c 'select(.pid==42)' cap.json\` ($jq_count lines; $(stat -c %s cap.json) bytes of JSON lines) | $(fmt "$(med jq 0)") ms = $(rate "$(med jq 0)")M events/s; kcap (same run, $(fmt "$(med jq 1)") ms) is **$(ratio "$(med jq 0)" "$(med jq 1)")x** faster | >= 30x |"
	fi
} | tee results.md
