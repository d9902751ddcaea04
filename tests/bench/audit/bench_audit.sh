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
# wall seconds of one run of "$@" (output discarded)
wall() {
	s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
	echo "$s $e" | awk '{printf "%.4f\n", $2-$1}'
}
# CPU seconds (user+sys) of one run
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.4f\n", $1+$2}'; }

size=$(stat -c %s "$log")
lines=$(wc -l < "$log")

# 1. import speed
: > "$work/imp_wall"; : > "$work/imp_cpu"
for i in $(seq "$runs"); do
	wall "$kcap" convert --from audit "$log" -o "$cap" >> "$work/imp_wall"
	cpu "$kcap" convert --from audit "$log" -o "$cap" >> "$work/imp_cpu"
done
imp_wall=$(median < "$work/imp_wall"); imp_cpu=$(median < "$work/imp_cpu")
events=$("$kcap" filter "ts >= 0" --count "$cap")

# 2. pid query: the busiest workload process, and a short-lived one
p_big=$(head -1 "$work/pids")
p_small=$(awk '$0 ~ /type=SYSCALL/ && $0 ~ / comm="ls"/ { sub(/.* pid=/, ""); sub(/ .*/, ""); print; exit }' "$log")
[ -n "$p_small" ] || p_small=$(sed -n 2p "$work/pids")
query_row() {
	p=$1
	kc=$("$kcap" filter "pid=$p" --count "$cap")
	ac=$(ausearch -if "$log" -p "$p" 2>/dev/null | grep -c '^----' || true)
	: > "$work/kq"; : > "$work/aq"
	for i in $(seq "$runs"); do wall "$kcap" filter "pid=$p" --count "$cap" >> "$work/kq"; done
	for i in $(seq "$aruns"); do wall ausearch -if "$log" -p "$p" >> "$work/aq"; done
	kt=$(median < "$work/kq"); at=$(median < "$work/aq")
	echo "| pid $p | $kc | $kt s | $ac | $at s | $(echo "$at $kt" | awk '{printf "%.0f", $1/$2}')x |"
}

# 3. sizes
gz=$(gzip -6 -c "$log" | wc -c)
capsz=$(stat -c %s "$cap")

echo "Machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
echo
echo "Log: $size bytes, $lines lines, $events kcap events ($(awk -v s="$size" 'BEGIN{printf "%.1f", s/1048576}') MiB)"
echo
echo "| import ($runs runs, median) | wall | CPU (user+sys) |"
echo "| --- | --- | --- |"
echo "| \`kcap convert --from audit\` | $imp_wall s = $(echo "$size $imp_wall" | awk '{printf "%.0f", $1/1048576/$2}') MiB/s | $imp_cpu s = $(echo "$size $imp_cpu" | awk '{printf "%.0f", $1/1048576/$2}') MiB/s |"
echo
echo "| query | kcap filter count | kcap filter --count (median of $runs) | ausearch events | ausearch -if LOG -p P (median of $aruns) | speed-up |"
echo "| --- | --- | --- | --- | --- | --- |"
query_row "$p_big"
query_row "$p_small"
echo
echo "| file | bytes | vs raw log |"
echo "| --- | --- | --- |"
echo "| raw audit.log | $size | 1.00 |"
echo "| gzip -6 of the log | $gz | $(echo "$gz $size" | awk '{printf "%.3f", $1/$2}') |"
echo "| kcap capture (zstd 3, with the full audit JSON per event) | $capsz | $(echo "$capsz $size" | awk '{printf "%.3f", $1/$2}') |"
