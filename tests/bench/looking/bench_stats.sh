#!/bin/sh
# bench_stats.sh [KCAP] [WORKDIR] - `kcap stats --by comm` on the 2M-event
# capture (kcap synth -n 2000000 --seed 1) side by side with
#   a. a full-scan `kcap filter --count` (--no-skip, every event read), and
#   b. the pipeline `kcap convert --json | jq -r .comm | sort | uniq -c`,
# interleaved, RUNS rounds (default 3; the pipeline takes minutes). Prints the
# median wall time and user+sys CPU time of each (the CPU time of the whole
# pipeline, every process of it) and the ratios as Markdown
# (docs/PERFORMANCE.md "stats"). Not run by ctest.
set -eu
kcap=${1:-$(cd "$(dirname "$0")" && pwd)/../../../build/kcap}
work=${2:-/tmp/kcap-bench-looking}
runs=${RUNS:-3}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap"; exit 1; }
mkdir -p "$work"
cap=$work/cap.kcap
[ -s "$cap" ] || "$kcap" synth -n 2000000 --seed 1 -o "$cap"
sync
# one timing: "wall cpu" in seconds, of sh -c "$1" and all its children
timeit() {
	/usr/bin/time -f '%e %U %S' -o "$work/t" sh -c "$1" >/dev/null
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/t"
}
: >"$work/stats" ; : >"$work/filter" ; : >"$work/pipe"
i=0
while [ $i -lt "$runs" ]; do
	timeit "\"$kcap\" stats --by comm \"$cap\"" >>"$work/stats"
	timeit "\"$kcap\" filter 'comm = \"bash\" and ret < 0' --count --no-skip \"$cap\"" >>"$work/filter"
	timeit "\"$kcap\" convert --json \"$cap\" | jq -r .comm | sort | uniq -c" >>"$work/pipe"
	i=$((i + 1))
done
med() { sort -n -k"$2" "$1" | awk -v k="$2" '{ a[NR] = $k } END { print a[int((NR + 1) / 2)] }'; }
sw=$(med "$work/stats" 1); sc=$(med "$work/stats" 2)
fw=$(med "$work/filter" 1); fc=$(med "$work/filter" 2)
pw=$(med "$work/pipe" 1); pc=$(med "$work/pipe" 2)
echo "| command (2M events, median of $runs, interleaved) | wall s | user+sys s |"
echo "| --- | --- | --- |"
echo "| kcap stats --by comm | $sw | $sc |"
echo "| kcap filter 'comm = \"bash\" and ret < 0' --count --no-skip | $fw | $fc |"
echo "| kcap convert --json \\| jq -r .comm \\| sort \\| uniq -c | $pw | $pc |"
echo
awk -v sw="$sw" -v sc="$sc" -v fw="$fw" -v fc="$fc" -v pw="$pw" -v pc="$pc" 'BEGIN {
	printf "stats / filter --count: %.2fx wall, %.2fx CPU (target <= 1.5x)\n", sw / fw, sc / fc
	printf "pipeline / stats: %.0fx wall, %.0fx CPU (target >= 50x)\n", pw / sw, pc / sc }'
