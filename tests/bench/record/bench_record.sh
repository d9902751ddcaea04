#!/bin/sh
# bench_record.sh - recorder benchmarks (docs/PERFORMANCE.md, "Recorder").
#
#   tests/bench/record/bench_record.sh BUILD_DIR [overhead|progcost|sustained|all]
#
# Run as root on an otherwise idle machine. Not run by ctest.
#  overhead:  RUNS (default 7) runs each of a loop of N (default 300000)
#             open+close pairs, bare, under `kcap record -e file`, and under
#             bpftrace printing the same two syscall exits; prints the medians
#             and checks that every pair is in each kcap capture with 0 lost.
#             OLD=/path/to/kcap adds a row for another build, its runs
#             interleaved with the others (bare, kcap, old, bpftrace, bare...).
#  progcost:  RUNS runs of the same loop under `kcap record -e file` (and OLD)
#             with kernel.bpf_stats_enabled set for the run (restored after):
#             the median run time of the sys_exit program per pair, in ns,
#             which the load of other processes moves much less than the
#             loop's own rates (the stats add two clock reads per run).
#  sustained: SECS (default 60) seconds of tools/bench/record/storm.c on every
#             core under `kcap record` (default options); prints events/s
#             recorded and lost, and the recorder's CPU and peak RSS.
set -eu

B=${1:?usage: bench_record.sh BUILD_DIR [overhead|progcost|sustained|all]}
WHAT=${2:-all}
K=$(cd "$B" && pwd)/kcap
HERE=$(cd "$(dirname "$0")" && pwd)
N=${N:-300000}
RUNS=${RUNS:-7}
SECS=${SECS:-60}
OLD=${OLD:-}
T=$(mktemp -d /tmp/kcap-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench_record: needs root" >&2; exit 1; }
[ -x "$K" ] || { echo "bench_record: no $K" >&2; exit 1; }
[ -z "$OLD" ] || [ -x "$OLD" ] || { echo "bench_record: no $OLD" >&2; exit 1; }
cc -O2 -o "$T/openclose" "$HERE/openclose.c"
cc -O2 -o "$T/storm" "$HERE/storm.c"
: > "$T/file"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# kcap_run NAME KCAP: one recorded loop; appends its rates to $T/NAME and
# fails unless every pair is in the capture with 0 lost.
kcap_run() {
	"$2" record -q -e file -o "$T/cap.kcap" -- "$T/openclose" "$N" "$T/file" > "$T/out"
	awk '{print $6}' "$T/out" >> "$T/$1"
	awk '{print $10}' "$T/out" >> "$T/$1.cpu"
	pid=$(awk '{print $8}' "$T/out")
	"$2" convert --json "$T/cap.kcap" | grep "\"pid\":$pid," > "$T/ev"
	opens=$(grep '"type":"openat"' "$T/ev" | grep -c "\"path\":\"$T/file\"" || true)
	closes=$(grep '"type":"close"' "$T/ev" | grep -c '"fd":3,"ret":0' || true)
	lost=$("$2" info "$T/cap.kcap" | awk '/^Lost events:/ {print $3}')
	echo "  run $i: $1 capture: $opens openat of the file, $closes close(3), lost $lost"
	[ "$opens" -eq "$N" ] && [ "$closes" -ge "$N" ] && [ "$lost" = 0 ] ||
		{ echo "bench_record: capture incomplete" >&2; exit 1; }
}

overhead() {
	: > "$T/bare"; : > "$T/kcap"; : > "$T/bpftrace"; : > "$T/bare.cpu"; : > "$T/kcap.cpu"; : > "$T/bpftrace.cpu"
	: > "$T/kcap-old"; : > "$T/kcap-old.cpu"
	have_bt=0
	if command -v bpftrace >/dev/null; then
		have_bt=1
		# bpftrace's syscall tracepoints need tracefs
		[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing || have_bt=0
	fi
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		"$T/openclose" "$N" "$T/file" > "$T/out"
		awk '{print $6}' "$T/out" >> "$T/bare"
		awk '{print $10}' "$T/out" >> "$T/bare.cpu"

		kcap_run kcap "$K"
		[ -z "$OLD" ] || kcap_run kcap-old "$OLD"

		if [ $have_bt = 1 ]; then
			bpftrace -e 'tracepoint:syscalls:sys_exit_openat { printf("openat %d %s %d\n", pid, comm, args->ret); }
			             tracepoint:syscalls:sys_exit_close { printf("close %d %s %d\n", pid, comm, args->ret); }' \
				-c "$T/openclose $N $T/file" > "$T/bt.out" 2>/dev/null
			grep '^pairs' "$T/bt.out" | awk '{print $6}' >> "$T/bpftrace"
			grep '^pairs' "$T/bt.out" | awk '{print $10}' >> "$T/bpftrace.cpu"
		fi
	done
	row() { # name file
		w=$(median < "$T/$2"); c=$(median < "$T/$2.cpu")
		printf "  %-9s %9s pairs/s wall (%sx)   %9s pairs/CPU-s (%sx)\n" "$1" "$w" \
			"$(echo "$bw $w" | awk '{printf "%.2f", $1/$2}')" "$c" "$(echo "$bc $c" | awk '{printf "%.2f", $1/$2}')"
	}
	bw=$(median < "$T/bare"); bc=$(median < "$T/bare.cpu")
	echo "open+close pairs, median of $RUNS runs of $N pairs (slowdown against bare):"
	row bare bare
	row kcap kcap
	[ -z "$OLD" ] || row kcap-old kcap-old
	if [ $have_bt = 1 ] && [ -s "$T/bpftrace" ]; then
		row bpftrace bpftrace
	else
		echo "  bpftrace  (not available)"
	fi
}

# prog_ns KCAP: the sys_exit program's run time per pair (ns) over one loop
# under a background `KCAP record -e file`.
prog_ns() {
	"$1" record -q -e file -o "$T/cost.kcap" &
	rp=$!
	id=
	n=0
	while [ -z "$id" ] && [ $n -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
		# the programs this recorder holds (other recorders may run too)
		for p in $(cat /proc/$rp/fdinfo/* 2>/dev/null | awk '/^prog_id:/ {print $2}'); do
			[ "$(bpftool prog show id "$p" -j | jq -r .name)" = sys_exit ] && id=$p
		done
	done
	[ -n "$id" ] || { kill -INT $rp; echo "bench_record: no sys_exit program of $1" >&2; exit 1; }
	sleep 0.2 # attached
	r0=$(bpftool prog show id "$id" -j | jq '.run_time_ns // 0')
	"$T/openclose" "$N" "$T/file" > /dev/null
	r1=$(bpftool prog show id "$id" -j | jq '.run_time_ns // 0')
	kill -INT $rp
	wait $rp || true
	echo $(((r1 - r0) / N))
}

progcost() {
	command -v bpftool > /dev/null && command -v jq > /dev/null ||
		{ echo "bench_record: progcost needs bpftool and jq" >&2; exit 1; }
	was=$(cat /proc/sys/kernel/bpf_stats_enabled)
	trap 'echo "$was" > /proc/sys/kernel/bpf_stats_enabled; rm -rf "$T"' EXIT
	echo 1 > /proc/sys/kernel/bpf_stats_enabled
	: > "$T/cost.new"; : > "$T/cost.old"
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		prog_ns "$K" >> "$T/cost.new"
		[ -z "$OLD" ] || prog_ns "$OLD" >> "$T/cost.old"
	done
	echo "sys_exit program run time per open+close pair, median of $RUNS runs of $N pairs:"
	echo "  kcap      $(median < "$T/cost.new") ns  (runs: $(tr '\n' ' ' < "$T/cost.new"))"
	[ -z "$OLD" ] || echo "  kcap-old  $(median < "$T/cost.old") ns  (runs: $(tr '\n' ' ' < "$T/cost.old"))"
}

sustained() {
	ncpu=$(nproc)
	/usr/bin/time -f "%U %S %M" -o "$T/time" "$K" record -o "$T/sus.kcap" --duration "$((SECS + 2))s" \
		2> "$T/summary" &
	rec=$!
	sleep 1
	j=0
	while [ $j -lt "$ncpu" ]; do
		j=$((j + 1))
		"$T/storm" "$SECS" "$T/file" >> "$T/storm.out" &
	done
	wait $rec || true
	wait
	cat "$T/summary"
	read -r u s rss < "$T/time"
	total=$(awk '{n += $2} END {print n}' "$T/storm.out")
	events=$("$K" info "$T/sus.kcap" | awk '/^Events:/ {print $2}')
	lost=$("$K" info "$T/sus.kcap" | awk '/^Lost events:/ {print $3}')
	echo "sustained $SECS s, $ncpu storm processes: $total syscalls issued ($(echo "$total $SECS" | awk '{printf "%.0f", $1/$2}')/s)"
	echo "  recorded $events events ($(echo "$events $SECS" | awk '{printf "%.0f", $1/($2+2)}')/s over the capture), lost $lost"
	echo "  recorder CPU $(echo "$u $s $SECS" | awk '{printf "%.1f s user + %.1f s sys = %.0f%% of one core", $1, $2, 100*($1+$2)/($3+2)}'), peak RSS $((rss / 1024)) MiB"
	echo "  file $(stat -c %s "$T/sus.kcap") bytes"
}

case $WHAT in
overhead) overhead ;;
progcost) progcost ;;
sustained) sustained ;;
all) overhead; sustained ;;
*) echo "bench_record: unknown benchmark $WHAT" >&2; exit 2 ;;
esac
