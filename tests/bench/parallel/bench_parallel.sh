#!/bin/sh
# The parallel read path of issue 17 §1, measured side by side in one run.
#
#   tests/bench/parallel/bench_parallel.sh [BUILD_DIR [OUT_DIR]]
#
# BUILD_DIR (default: build, Release or RelWithDebInfo) holds the kcap CLI,
# libkcap/libkcap.a and tests/robustness/maxrss. OUT_DIR (default:
# ${TMPDIR:-/tmp}/kcap-bench-parallel) receives the inputs (2M- and
# 20M-event captures, the 2M capture's JSON compressed by zstd: about
# 600 MB, never committed) and results.md, the table docs/PERFORMANCE.md
# quotes. Environment:
#   N=2000000     events of the timed capture; BIG=20000000 for the RSS one
#   RUNS=7        runs per timed command (medians)
#   BENCH_RT=1    run the timed commands at SCHED_FIFO priority (chrt -f 50;
#                 root) so that other jobs on a shared machine set the
#                 figures less
# What it measures, each beside its reference in the same run:
#   convert --json of N events at -j 2, beside -j 1 and beside zstd -dc of
#     the same JSON (single-threaded, as zstd is by default);
#   a full-scan filter --count at -j 2 beside -j 1;
#   peak RSS of convert --json, filter, merge and slice at -j 2 over BIG
#     events beside the same over N;
#   the per-stage CPU costs of the read path (stages.c: CRC, block walk and
#     decompression, decode, filter, render, write; thread CPU time, which
#     load changes less than wall time), from which results.md models 8
#     cores.
# The load average (uptime) is printed before and after: on a loaded
# machine a speedup measured in wall time is meaningless.
# Needs hyperfine, zstd, jq and a C compiler. Not run by ctest.
set -eu

BUILD=$(cd "${1:-build}" && pwd)
OUT=${2:-${TMPDIR:-/tmp}/kcap-bench-parallel}
N=${N:-2000000}
BIG=${BIG:-20000000}
RUNS=${RUNS:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
K="$BUILD/kcap"
MAXRSS="$BUILD/tests/robustness/maxrss"
RT=
[ "${BENCH_RT:-0}" = 1 ] && RT="chrt -f 50"

for tool in hyperfine zstd jq cc; do
	command -v "$tool" >/dev/null || { echo "bench_parallel.sh: $tool is required" >&2; exit 1; }
done
[ -x "$K" ] && [ -x "$MAXRSS" ] || { echo "bench_parallel.sh: no kcap or maxrss in $BUILD" >&2; exit 1; }
mkdir -p "$OUT"
cd "$OUT"
load_before=$(uptime)
cpus=$(getconf _NPROCESSORS_ONLN)

echo "== inputs (N=$N, BIG=$BIG) in $OUT" >&2
[ -s cap.kcap ] || "$K" synth -n "$N" --seed 1 -o cap.kcap
[ -s big.kcap ] || "$K" synth -n "$BIG" --seed 1 -o big.kcap
[ -s cap.json.zst ] || "$K" convert --json -j 1 cap.kcap | zstd -q -3 -o cap.json.zst
cc -O2 -std=c11 -D_GNU_SOURCE -I"$SRC/kcap/include" -I"$SRC/kcap/src" "$HERE/stages.c" \
	"$BUILD/libkcap/libkcap.a" $(pkg-config --libs libzstd) -lcrypto -lpthread -lm -o stages
sync

# the outputs are the same whatever -j (ctest cli_parallel_same); checked here too
j1=$("$K" convert --json -j 1 cap.kcap | cksum)
j2=$("$K" convert --json -j 2 cap.kcap | cksum)
[ "$j1" = "$j2" ] || { echo "bench_parallel.sh: -j 1 and -j 2 differ" >&2; exit 1; }

SCAN_EXPR='comm = "bash" and ret < 0'
echo "== timing" >&2
hyperfine -N --style basic -w 2 -r "$RUNS" --export-json h_convert.json \
	"$RT $K convert --json -j 1 cap.kcap" "$RT $K convert --json -j 2 cap.kcap" "$RT zstd -dc cap.json.zst" >/dev/null
hyperfine -N --style basic -w 2 -r "$RUNS" --export-json h_filter.json \
	"$RT $K filter -j 1 --no-skip '$SCAN_EXPR' --count cap.kcap" \
	"$RT $K filter -j 2 --no-skip '$SCAN_EXPR' --count cap.kcap" >/dev/null

echo "== peak RSS" >&2
rss() { # FILE: peak KB of each command over FILE
	for c in "convert --json -j 2 $1" "filter -j 2 --no-skip comm=bash --json $1" \
		"merge -j 2 -o /dev/null $1 $1" "slice -j 2 --from +1s --json $1"; do
		"$MAXRSS" -o rss.txt "$K" $c >/dev/null 2>&1
		cut -d' ' -f1 rss.txt
	done
}
rss cap.kcap > rss_small.txt
rss big.kcap > rss_big.txt

echo "== stages" >&2
./stages cap.kcap "$SCAN_EXPR" "$RUNS" > stages.txt
load_after=$(uptime)

med() { jq -r ".results[$2].median * 1000" "h_$1.json"; }
cpu() { jq -r ".results[$2].user * 1000 + .results[$2].system * 1000" "h_$1.json"; }
fmt() { printf '%.1f' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$N" -v ms="$1" 'BEGIN { printf "%.2f", n / ms / 1000 }'; }
# a stage alone is a difference of two passes: noise can make a cheap one
# (write to /dev/null) negative; it counts as 0
stage() { awk -v s="$1" '$1 == s { print ($2 > 0 ? $2 : 0) }' stages.txt; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "met" : "not met") }'; }

c1=$(med convert 0) c2=$(med convert 1) z=$(med convert 2)
f1=$(med filter 0) f2=$(med filter 1)
conv_speedup=$(ratio "$c1" "$c2")
conv_vs_zstd=$(ratio "$z" "$c2")
filt_speedup=$(ratio "$f1" "$f2")

walk=$(stage walk) dec=$(stage decode) flt=$(stage filter) ren=$(stage render) wr=$(stage write)
# The model: the workers (W of them) take the walk (read, CRC,
# decompression); the caller keeps decode, filter or render, and write,
# on one core. Events per second on C cores is bounded by the caller's
# stage and by the workers' share: rate = 1 / max(caller, walk / W), W = C - 1
# (C = 1: everything on one core).
model() { # caller_ns walk_ns cores
	awk -v c="$1" -v w="$2" -v n="$3" 'BEGIN {
		t = n == 1 ? c + w : (c > w / (n - 1) ? c : w / (n - 1));
		printf "%.2f", (c + w) / t }'
}
conv_caller=$(awk -v a="$dec" -v b="$ren" -v c="$wr" 'BEGIN { print a + b + c }')
filt_caller=$(awk -v a="$dec" -v b="$flt" 'BEGIN { print a + (b > 0 ? b : 0) }')
# with rendering in the workers too (each block rendered into a buffer,
# the caller writing the buffers in order): the caller keeps write only
conv_all=$(awk -v a="$walk" -v b="$dec" -v c="$ren" 'BEGIN { print a + b + c }')

{
	echo "# bench_parallel.sh results"
	echo
	echo "$cpus online CPUs. Load before: \`$load_before\`; after: \`$load_after\`."
	echo "Commands: \`tests/bench/parallel/bench_parallel.sh\` (N=$N, BIG=$BIG, RUNS=$RUNS${RT:+, BENCH_RT=1})."
	echo
	echo "| What | Command | Median wall ms | CPU ms | Events/s (M) |"
	echo "| --- | --- | ---: | ---: | ---: |"
	echo "| convert -j 1 | \`kcap convert --json -j 1 cap.kcap\` | $(fmt "$c1") | $(fmt "$(cpu convert 0)") | $(rate "$c1") |"
	echo "| convert -j 2 | \`kcap convert --json -j 2 cap.kcap\` | $(fmt "$c2") | $(fmt "$(cpu convert 1)") | $(rate "$c2") |"
	echo "| zstd -dc | \`zstd -dc cap.json.zst\` (the same JSON) | $(fmt "$z") | $(fmt "$(cpu convert 2)") | $(rate "$z") |"
	echo "| filter -j 1 | \`kcap filter -j 1 --no-skip '$SCAN_EXPR' --count cap.kcap\` | $(fmt "$f1") | $(fmt "$(cpu filter 0)") | $(rate "$f1") |"
	echo "| filter -j 2 | \`kcap filter -j 2 --no-skip '$SCAN_EXPR' --count cap.kcap\` | $(fmt "$f2") | $(fmt "$(cpu filter 1)") | $(rate "$f2") |"
	echo
	echo "| Target | Measured | Target | Verdict |"
	echo "| --- | ---: | ---: | --- |"
	echo "| convert --json -j 2 / -j 1 rate | ${conv_speedup}x | >= 1.7x | $(verdict "$conv_speedup" 1.7) |"
	echo "| convert --json -j 2 faster than zstd -dc | ${conv_vs_zstd}x | >= 1.6x | $(verdict "$conv_vs_zstd" 1.6) |"
	echo "| filter full scan -j 2 / -j 1 rate | ${filt_speedup}x | >= 1.8x | $(verdict "$filt_speedup" 1.8) |"
	echo
	echo "Peak RSS (KB), -j 2, $N events beside $BIG:"
	echo
	echo "| Command | $N | $BIG | Ratio (target <= 1.2x) |"
	echo "| --- | ---: | ---: | ---: |"
	i=1
	for c in "convert --json" "filter --no-skip comm=bash --json" "merge FILE FILE -o /dev/null" "slice --from +1s --json"; do
		a=$(sed -n "${i}p" rss_small.txt) b=$(sed -n "${i}p" rss_big.txt)
		echo "| $c | $a | $b | $(ratio "$b" "$a")x |"
		i=$((i + 1))
	done
	echo
	echo "Per-stage CPU, ns per event (\`stages cap.kcap\`, best of $RUNS, thread CPU time):"
	echo
	echo '```'
	cat stages.txt
	echo '```'
	echo
	echo "Model (workers take the walk; the caller decodes, filters or renders, and writes):"
	echo
	echo "| Cores | convert --json (caller $conv_caller ns, walk $walk ns) | full-scan filter (caller $filt_caller ns) | convert --json, rendering in the workers (caller $wr ns) |"
	echo "| ---: | ---: | ---: | ---: |"
	for n in 1 2 4 8; do
		echo "| $n | $(model "$conv_caller" "$walk" "$n")x | $(model "$filt_caller" "$walk" "$n")x | $(model "$wr" "$conv_all" "$n")x |"
	done
} > results.md
cat results.md
