#!/bin/sh
# bench_audit.sh [KCAP] [WORKDIR] [MB] - the audit importer benchmarks of
# docs/PERFORMANCE.md ("Audit import"):
#   1. import speed of `kcap convert --from audit` on a real log (MB/s);
#   2. `kcap filter 'pid=P' --count` on the capture vs `ausearch -if LOG -p P`
#      on the raw log (medians, and both counts must agree);
#   3. capture size vs the raw log and its gzip.
# The log is made at bench time on this machine by make_audit_log.sh (root,
# auditd); it is never committed. REUSE=1 keeps an existing WORKDIR/audit.log.
# Prints a Markdown table on stdout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kcap=${1:-$here/../../../build/kcap}
work=${2:-/tmp/kcap-bench-audit}
mb=${3:-40}
runs=${RUNS:-5}
aruns=${AUSEARCH_RUNS:-3}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap (pass it as the first argument)"; exit 1; }
command -v ausearch >/dev/null || { echo "SKIP: ausearch not installed"; exit 77; }
mkdir -p "$work"
log=$work/audit.log
cap=$work/audit.kcap
if [ "${REUSE:-0}" != 1 ] || [ ! -s "$log" ]; then
	"$here/make_audit_log.sh" "$work" "$mb" >&2
fi

# median of the numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
# one run of "$@", output discarded: prints "WALL CPU" in seconds. CPU is
# user + sys from /usr/bin/time (10 ms resolution), which the load of other
# processes on the machine moves much less than the wall time.
timed() {
	s=$(date +%s%N)
	/usr/bin/time -f "%U %S" -o "$work/time.out" "$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	awk -v w=$((e - s)) '{printf "%.4f %.2f\n", w / 1e9, $1 + $2}' "$work/time.out"
}
# runs "$@" N times; sets W and C to the median wall and CPU seconds
measure() {
	n=$1; shift
	: > "$work/runs"
	for i in $(seq "$n"); do timed "$@" >> "$work/runs"; done
	W=$(awk '{print $1}' "$work/runs" | median)
	C=$(awk '{print $2}' "$work/runs" | median)
}
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.0f", $1 / $2; else print "-" }'; }
mibs() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.0f", $1 / 1048576 / $2; else print "-" }'; }

size=$(stat -c %s "$log")
lines=$(wc -l < "$log")

# 1. import speed
measure "$runs" "$kcap" convert --from audit "$log" -o "$cap"
imp_wall=$W; imp_cpu=$C
events=$("$kcap" filter "ts >= 0" --count "$cap")

# 2. pid query: the busiest workload process, and a short-lived one
p_big=$(head -1 "$work/pids")
p_small=$(awk '$0 ~ /type=SYSCALL/ && $0 ~ / comm="ls"/ { sub(/.* pid=/, ""); sub(/ .*/, ""); print; exit }' "$log")
[ -n "$p_small" ] || p_small=$(sed -n 2p "$work/pids")
query_row() {
	p=$1
	kc=$("$kcap" filter "pid=$p" --count "$cap")
	ac=$(ausearch -if "$log" -p "$p" 2>/dev/null | grep -c '^----' || true)
	measure "$runs" "$kcap" filter "pid=$p" --count "$cap"; kw=$W; kcpu=$C
	measure "$aruns" ausearch -if "$log" -p "$p"; aw=$W; acpu=$C
	echo "| pid $p | $kc / $ac | $kw s ($kcpu s) | $aw s ($acpu s) | $(ratio "$aw" "$kw")x |"
}

# 3. sizes
gz=$(gzip -6 -c "$log" | wc -c)
capsz=$(stat -c %s "$cap")

echo "Machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
echo
echo "Log: $size bytes, $lines lines, $events kcap events ($(awk -v s="$size" 'BEGIN{printf "%.1f", s/1048576}') MiB)"
echo
echo "| import (median of $runs) | wall | CPU (user+sys) |"
echo "| --- | --- | --- |"
echo "| \`kcap convert --from audit\` | $imp_wall s = $(mibs "$size" "$imp_wall") MiB/s | $imp_cpu s = $(mibs "$size" "$imp_cpu") MiB/s |"
echo
echo "| query | events kcap / ausearch | \`kcap filter 'pid=P' --count\` wall (CPU), median of $runs | \`ausearch -if LOG -p P\` wall (CPU), median of $aruns | speed-up (wall) |"
echo "| --- | --- | --- | --- | --- |"
query_row "$p_big"
query_row "$p_small"
echo
echo "| file | bytes | vs raw log |"
echo "| --- | --- | --- |"
echo "| raw audit.log | $size | 1.00 |"
echo "| gzip -6 of the log | $gz | $(echo "$gz $size" | awk '{printf "%.3f", $1/$2}') |"
echo "| kcap capture (default zstd level, with the full audit JSON per event) | $capsz | $(echo "$capsz $size" | awk '{printf "%.3f", $1/$2}') |"
