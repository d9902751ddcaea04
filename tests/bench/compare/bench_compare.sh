#!/bin/sh
# bench_compare.sh OLD_KCAP NEW_KCAP [WORKDIR] - two builds side by side in one
# run, on the same inputs, their runs interleaved (old, new, old, new, ...)
# so that a change of machine load hits both alike. Prints a Markdown table:
# the median wall time of each job per build and new/old.
#
# Jobs (the read-path benchmarks of docs/PERFORMANCE.md):
#   convert --json       2M synthetic events (kcap synth -n 2000000 --seed 1)
#   filter full scan     'comm = "bash" and ret < 0' --count on the same file
#   merge 4 x 500k       seeds 1-4, -o FILE
#   audit import         convert --from audit of WORKDIR/audit.log, when present
#                        (tests/bench/audit/make_audit_log.sh makes one; root)
# The recorder overhead has its own interleaved mode:
#   OLD=OLD_KCAP tests/bench/record/bench_record.sh NEW_BUILD overhead
# Environment: RUNS (default 9). Not run by ctest.
set -eu
old=${1:?usage: bench_compare.sh OLD_KCAP NEW_KCAP [WORKDIR]}
new=${2:?usage: bench_compare.sh OLD_KCAP NEW_KCAP [WORKDIR]}
work=${3:-${TMPDIR:-/tmp}/kcap-bench-compare}
runs=${RUNS:-9}
for k in "$old" "$new"; do
	[ -x "$k" ] || { echo "bench_compare.sh: no kcap at $k" >&2; exit 1; }
done
mkdir -p "$work"
cd "$work"

[ -s cap.kcap ] || "$new" synth -n 2000000 --seed 1 -o cap.kcap
for s in 1 2 3 4; do
	[ -s "m$s.kcap" ] || "$new" synth -n 500000 --seed "$s" -o "m$s.kcap"
done
sync

median() { sort -g | awk '{v[NR]=$1} END { print v[int((NR+1)/2)] }'; }
# secs CMD...: wall seconds of one run, output discarded.
secs() {
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "bench_compare.sh: failed: $*" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$t1 $t0" | awk '{printf "%.6f\n", $1 - $2}'
}
run_pair() {
	name=$1
	cmd=$2
	: >"$work/t.old"
	: >"$work/t.new"
	for i in $(seq 1 "$runs"); do
		secs sh -c "K=$old; $cmd" >>"$work/t.old"
		secs sh -c "K=$new; $cmd" >>"$work/t.new"
	done
	mo=$(median <"$work/t.old")
	mn=$(median <"$work/t.new")
	echo "| $name | $(echo "$mo" | awk '{printf "%.1f", $1 * 1000}') ms | $(echo "$mn" | awk '{printf "%.1f", $1 * 1000}') ms | $(echo "$mn $mo" | awk '{printf "%.3f", $1 / $2}') |"
}

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs interleaved runs each"
echo
echo "| job | old | new | new/old |"
echo "| --- | --- | --- | --- |"
run_pair "convert --json, 2M events" '"$K" convert --json cap.kcap -o /dev/null'
run_pair "filter full scan, 2M events" '"$K" filter "comm = \"bash\" and ret < 0" --count cap.kcap'
run_pair "merge 4 x 500k" '"$K" merge -o merged.kcap m1.kcap m2.kcap m3.kcap m4.kcap'
if [ -s audit.log ]; then
	run_pair "convert --from audit, $(($(stat -c %s audit.log) / 1048576)) MiB log" '"$K" convert --from audit audit.log -o audit.kcap'
else
	echo "| convert --from audit | (no $work/audit.log: make it with tests/bench/audit/make_audit_log.sh $work) | | |"
fi
