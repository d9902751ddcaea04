#!/bin/sh
# Start-up cost of kcap processes, side by side: for each binary given, the
# median task-clock (CPU ms) and wall ms over RUNS runs of `kcap --version`
# and of `kcap info` on a small capture, interleaved binary by binary so a
# stall of the machine hits them alike. Needs perf(1) (task-clock is a
# software counter: no hardware counters needed). Figures: docs/PERFORMANCE.md
# "Start-up".
# usage: startup.sh RUNS CAPTURE KCAP...
set -eu
RUNS=$1 CAP=$2
shift 2
command -v perf >/dev/null || { echo "SKIP: perf(1) is absent" >&2; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
one() { # FILE CMD...: appends "cpu_ms wall_ms" of one run
	f=$1
	shift
	perf stat -x, -e task-clock -o "$W/stat" "$@" >/dev/null 2>&1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	cpu=$(sed -n 's/^\([0-9.]*\),msec,task-clock.*/\1/p' "$W/stat")
	echo "$cpu $(( (t1 - t0) / 1000 ))" >>"$f"
}
i=0
while [ $i -lt "$RUNS" ]; do
	n=0
	for k in "$@"; do
		one "$W/v$n" "$k" --version
		one "$W/i$n" "$k" info "$CAP"
		n=$((n + 1))
	done
	i=$((i + 1))
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| binary | --version CPU ms | --version wall ms | info CPU ms | info wall ms |"
echo "| --- | --- | --- | --- | --- |"
n=0
for k in "$@"; do
	vc=$(cut -d' ' -f1 "$W/v$n" | med) vw=$(cut -d' ' -f2 "$W/v$n" | med)
	ic=$(cut -d' ' -f1 "$W/i$n" | med) iw=$(cut -d' ' -f2 "$W/i$n" | med)
	printf '| %s | %.2f | %.2f | %.2f | %.2f |\n' "$k" "$vc" "$(echo "$vw / 1000" | bc -l)" "$ic" "$(echo "$iw / 1000" | bc -l)"
	n=$((n + 1))
done
