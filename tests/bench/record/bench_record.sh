#!/bin/sh
# bench_record.sh - recorder benchmarks (docs/PERFORMANCE.md, "Recorder").
#
#   tests/bench/record/bench_record.sh BUILD_DIR [overhead|sustained|all]
#
# Run as root on an otherwise idle machine. Not run by ctest.
#  overhead:  RUNS (default 7) runs each of a loop of N (default 300000)
#             open+close pairs, bare, under `kcap record -e file`, and under
#             bpftrace printing the same two syscall exits; prints the medians
#             and checks that every pair is in each kcap capture with 0 lost.
#  sustained: SECS (default 60) seconds of tools/bench/record/storm.c on every
#             core under `kcap record` (default options); prints events/s
#             recorded and lost, and the recorder's CPU and peak RSS.
set -eu

B=${1:?usage: bench_record.sh BUILD_DIR [overhead|sustained|all]}
WHAT=${2:-all}
K=$(cd "$B" && pwd)/kcap
HERE=$(cd "$(dirname "$0")" && pwd)
N=${N:-300000}
RUNS=${RUNS:-7}
SECS=${SECS:-60}
T=$(mktemp -d /tmp/kcap-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench_record: needs root" >&2; exit 1; }
[ -x "$K" ] || { echo "bench_record: no $K" >&2; exit 1; }
cc -O2 -o "$T/openclose" "$HERE/openclose.c"
cc -O2 -o "$T/storm" "$HERE/storm.c"
: > "$T/file"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"

overhead() {
	: > "$T/bare"; : > "$T/kcap"; : > "$T/bpftrace"; : > "$T/bare.cpu"; : > "$T/kcap.cpu"; : > "$T/bpftrace.cpu"
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

		"$K" record -q -e file -o "$T/cap.kcap" -- "$T/openclose" "$N" "$T/file" > "$T/out"
		awk '{print $6}' "$T/out" >> "$T/kcap"
		awk '{print $10}' "$T/out" >> "$T/kcap.cpu"
		pid=$(awk '{print $8}' "$T/out")
		"$K" convert --json "$T/cap.kcap" | grep "\"pid\":$pid," > "$T/ev"
		opens=$(grep '"type":"openat"' "$T/ev" | grep -c "\"path\":\"$T/file\"" || true)
		closes=$(grep '"type":"close"' "$T/ev" | grep -c '"fd":3,"ret":0' || true)
		lost=$("$K" info "$T/cap.kcap" | awk '/^Lost events:/ {print $3}')
		echo "  run $i: kcap capture: $opens openat of the file, $closes close(3), lost $lost"
		[ "$opens" -eq "$N" ] && [ "$closes" -ge "$N" ] && [ "$lost" = 0 ] ||
			{ echo "bench_record: capture incomplete" >&2; exit 1; }

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
	if [ $have_bt = 1 ] && [ -s "$T/bpftrace" ]; then
		row bpftrace bpftrace
	else
		echo "  bpftrace  (not available)"
	fi
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
sustained) sustained ;;
all) overhead; sustained ;;
*) echo "bench_record: unknown benchmark $WHAT" >&2; exit 2 ;;
esac
