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
# Each job row gives the median wall time and the median CPU time
# (user+sys, which other load on the machine moves much less), and, with
# IR=1, the user-space instructions of one run of each build: perf stat's
# instructions:u where the CPU counts them (not in a VM without a PMU), else
# valgrind's (callgrind, the job's processes summed), which does not depend on
# load at all (a 2M-event convert takes about 90 s under it).
# CPU time is perf's task-clock (every thread, to the microsecond) where perf
# runs, else user+sys from time(1) (to 10 ms).
# Environment: RUNS (default 9), IR, NEW_OPTS (options given to the new
# build's commands after the subcommand name, e.g. NEW_OPTS=-j1 to read on
# one thread as the old build did). Not run by ctest.
set -eu
old=${1:?usage: bench_compare.sh OLD_KCAP NEW_KCAP [WORKDIR]}
new=${2:?usage: bench_compare.sh OLD_KCAP NEW_KCAP [WORKDIR]}
work=${3:-${TMPDIR:-/tmp}/kcap-bench-compare}
runs=${RUNS:-9}
new_opts=${NEW_OPTS:-}
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

median() { sort -g | awk '{v[NR]=$1} END { print v[int((NR+1)/2)]}'; }
# secs CMD...: "wall cpu" seconds of one run (cpu = user+sys, to 10 ms),
# output discarded.
if perf stat -x, -e task-clock -o /dev/null true >/dev/null 2>&1; then
	cpu_tool=perf
else
	cpu_tool=time
fi
secs() {
	t0=$(date +%s.%N)
	if [ $cpu_tool = perf ]; then
		perf stat -x, -e task-clock -o "$work/t.tc" "$@" >/dev/null 2>&1 ||
			{ echo "bench_compare.sh: failed: $*" >&2; exit 1; }
		cpu=$(awk -F, '/task-clock/ {printf "%.6f", $1 / 1000}' "$work/t.tc")
	else
		/usr/bin/time -f '%U %S' -o "$work/t.one" "$@" >/dev/null 2>&1 ||
			{ echo "bench_compare.sh: failed: $*" >&2; exit 1; }
		cpu=$(awk '{printf "%.6f", $1 + $2}' "$work/t.one")
	fi
	t1=$(date +%s.%N)
	echo "$t1 $t0 $cpu" | awk '{printf "%.6f %.6f\n", $1 - $2, $3}'
}
ir_tool=
if [ "${IR:-0}" = 1 ]; then
	if perf stat -x, -e instructions:u true 2>&1 >/dev/null | grep -q '^[0-9]'; then
		ir_tool=perf
	elif command -v valgrind >/dev/null; then
		ir_tool=valgrind
	else
		echo "bench_compare.sh: IR=1 needs perf with instruction counters or valgrind" >&2
		exit 1
	fi
fi
# instr CMD...: user-space instructions of one run.
instr() {
	if [ "$ir_tool" = perf ]; then
		perf stat -x, -e instructions:u -o "$work/t.ir" "$@" >/dev/null 2>&1 ||
			{ echo "bench_compare.sh: failed: $*" >&2; exit 1; }
		awk -F, '/instructions/ {print $1}' "$work/t.ir"
	else
		rm -f "$work"/t.ir.*
		valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=/dev/null \
			--log-file="$work/t.ir.%p" "$@" >/dev/null 2>&1 ||
			{ echo "bench_compare.sh: failed: $*" >&2; exit 1; }
		cat "$work"/t.ir.* | awk '/Collected/ {n += $NF} END {print n}'
		rm -f "$work"/t.ir.*
	fi
}
ms() { awk '{printf "%.1f", $1 * 1000}'; }
run_pair() {
	name=$1
	cmd=$2
	: >"$work/t.old"
	: >"$work/t.new"
	for i in $(seq 1 "$runs"); do
		secs sh -c "K=$old; O=; $cmd" >>"$work/t.old"
		secs sh -c "K=$new; O='$new_opts'; $cmd" >>"$work/t.new"
	done
	wo=$(cut -d' ' -f1 "$work/t.old" | median); wn=$(cut -d' ' -f1 "$work/t.new" | median)
	co=$(cut -d' ' -f2 "$work/t.old" | median); cn=$(cut -d' ' -f2 "$work/t.new" | median)
	row="| $name | $(echo "$wo" | ms) ms | $(echo "$wn" | ms) ms | $(echo "$wn $wo" | awk '{printf "%.3f", $1 / $2}')"
	row="$row | $(echo "$co" | ms) ms | $(echo "$cn" | ms) ms | $(echo "$cn $co" | awk '{printf "%.3f", $1 / $2}')"
	if [ -n "$ir_tool" ]; then
		io=$(instr sh -c "K=$old; O=; $cmd"); in=$(instr sh -c "K=$new; O='$new_opts'; $cmd")
		row="$row | $(echo "$io" | awk '{printf "%.1f M", $1 / 1e6}') | $(echo "$in" | awk '{printf "%.1f M", $1 / 1e6}') | $(echo "$in $io" | awk '{printf "%.3f", $1 / $2}')"
	fi
	echo "$row |"
}

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs interleaved runs each, CPU by $cpu_tool${ir_tool:+, instructions by $ir_tool}${new_opts:+, new with $new_opts}"
echo
if [ -n "$ir_tool" ]; then
	echo "| job | old wall | new wall | new/old | old CPU | new CPU | new/old | old instr | new instr | new/old |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
else
	echo "| job | old wall | new wall | new/old | old CPU | new CPU | new/old |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
fi
run_pair "convert --json, 2M events" '"$K" convert $O --json cap.kcap -o /dev/null'
run_pair "filter full scan, 2M events" '"$K" filter $O "comm = \"bash\" and ret < 0" --count cap.kcap'
run_pair "merge 4 x 500k" '"$K" merge $O -o merged.kcap m1.kcap m2.kcap m3.kcap m4.kcap'
if [ -s audit.log ]; then
	run_pair "convert --from audit, $(($(stat -c %s audit.log) / 1048576)) MiB log" '"$K" convert --from audit audit.log -o audit.kcap'
else
	echo "| convert --from audit | (no $work/audit.log: make it with tests/bench/audit/make_audit_log.sh $work) | | |"
fi
