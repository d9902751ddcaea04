#!/bin/sh
# bench_query.sh [KCAP] [WORKDIR] - the query-tool benchmarks of
# docs/PERFORMANCE.md ("Query tools"):
#   1. `kcap merge` of 4 synthetic captures of 500k events each (seeds 1-4,
#      same time span, so the events interleave finely): events/s from the
#      wall time and CPU time of the command, and as measured inside kcap
#      (--stats), at libkcap's default zstd level (1), 3, -1 and uncompressed
#      (0); and at the default level with --decode-all (every event decoded
#      and encoded again, the path before records were copied) beside it;
#   2. `kcap slice --from +30s --head 1` on the 2M-event capture (60 s): time
#      to the first event, through the index, beside --no-index (forward,
#      skipping blocks by their headers) and a pipe; plus `kcap --version`
#      as the cost of starting the process.
# Medians of RUNS (default 5; 21 for the slice timings). BENCH_RT=1 runs the
# commands at SCHED_FIFO priority (see bench_run.c). Prints Markdown.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kcap=${1:-$here/../../../build/kcap}
work=${2:-/tmp/kcap-bench-query}
runs=${RUNS:-5}
sruns=${SLICE_RUNS:-21}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap (pass it as the first argument)"; exit 1; }
mkdir -p "$work"
cc -O2 -o "$work/bench_run" "$here/bench_run.c"
run() { "$work/bench_run" "$@"; }
field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
rt=""
[ "${BENCH_RT:-0}" = 1 ] && rt="chrt -f 10"

[ -s "$work/big.kcap" ] || "$kcap" synth -n 2000000 -o "$work/big.kcap"
for s in 1 2 3 4; do
	[ -s "$work/m$s.kcap" ] || "$kcap" synth -n 500000 -s $s -o "$work/m$s.kcap"
done
sync # the inputs may just have been written: no writeback while timing

echo "| What | Figure (median) | Target |"
echo "| --- | --- | --- |"
for level in default 3 -1 0 decode-all; do
	lv="--level=$level"
	[ "$level" = default ] && lv=""
	[ "$level" = decode-all ] && lv="--decode-all"
	r=$(run "$runs" "$kcap" merge $lv -o "$work/merged.kcap" "$work/m1.kcap" "$work/m2.kcap" \
		"$work/m3.kcap" "$work/m4.kcap")
	n=$("$kcap" filter 'seq > 0' --count "$work/merged.kcap")
	w=$(field "$r" wall_ms)
	c=$(field "$r" cpu_ms)
	size=$(stat -c %s "$work/merged.kcap")
	# the rate kcap measures itself, from the first event read to the last written
	inr=$(for i in $(seq 1 "$runs"); do $rt "$kcap" merge $lv --stats -o "$work/merged.kcap" "$work/m1.kcap" \
		"$work/m2.kcap" "$work/m3.kcap" "$work/m4.kcap" 2>&1 | sed -n 's/.*(\([0-9.]*\) M events\/s).*/\1/p'; done |
		sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
	what="zstd level $level"
	target=">= 5M events/s"
	[ "$level" = decode-all ] && what="zstd level default, --decode-all (reference)" && target=reference
	echo "| merge 4 x 500k, $what | $(echo "$n $w" | awk '{printf "%.2f", $1 / $2 / 1000}') M events/s for the whole command ($w ms wall, $c ms CPU); $inr M events/s inside kcap; output $((size / 1048576)) MiB | $target |"
done
r=$(run "$sruns" "$kcap" --version)
echo "| process start (kcap --version) | $(field "$r" wall_ms) ms wall, $(field "$r" cpu_ms) ms CPU | - |"
r=$(run "$sruns" "$kcap" slice --from +30s --head 1 --json "$work/big.kcap")
echo "| slice --from +30s --head 1, index | first event $(field "$r" first_byte_ms) ms after exec ($(field "$r" cpu_ms) ms CPU) | < 20 ms |"
in=$(for i in $(seq 1 "$sruns"); do $rt "$kcap" slice --from +30s --head 1 --json --stats "$work/big.kcap" 2>&1 >/dev/null |
	sed -n 's/.*first event after \([0-9.]*\) ms.*/\1/p'; done | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
blk=$("$kcap" slice --from +30s --head 1 --json --stats "$work/big.kcap" 2>&1 >/dev/null | tail -n 1 | sed 's/kcap slice: total: //; s/;.*//')
echo "| ... measured inside kcap (command start to first event) | $in ms; $blk | < 20 ms |"
r=$(run "$sruns" "$kcap" slice --from +30s --head 1 --json --no-index "$work/big.kcap")
echo "| slice --from +30s --head 1, --no-index (header walk) | first event $(field "$r" first_byte_ms) ms after exec ($(field "$r" cpu_ms) ms CPU) | reference |"
r=$(run "$runs" /bin/sh -c "cat '$work/big.kcap' | '$kcap' slice --from +30s --head 1 --json")
echo "| slice --from +30s --head 1, from a pipe | first event $(field "$r" first_byte_ms) ms after exec ($(field "$r" cpu_ms) ms CPU of sh) | reference |"
r=$(run "$runs" "$kcap" filter --no-skip 'ts >= 2026-11-21T10:00:30Z' --count "$work/big.kcap")
echo "| full decode of the file (filter --no-skip 'ts >= 10:00:30Z' --count) | $(field "$r" wall_ms) ms ($(field "$r" cpu_ms) ms CPU) | reference |"
