#!/bin/sh
# bench_scap.sh [KCAP] [WORKDIR] [EVENTS] - the scap import benchmark of
# docs/PERFORMANCE.md ("scap import", issue 12 section 4, first row):
# `kcap convert --from scap big.scap -o big.kcap` against `sysdig -r big.scap
# -q` (which only parses), interleaved, RUNS times each, medians of wall and
# of CPU (user+sys). big.scap (EVENTS event blocks, default 2M) is made by
# make_big_scap.py from the largest corpus capture; it is never committed.
# Also the size of big.kcap against gzip -6 of big.scap (section 4, last row).
# Prints a Markdown table on stdout. Needs sysdig and python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kcap=${1:-$here/../../../build/kcap}
work=${2:-/tmp/kcap-bench-scap}
events=${3:-2000000}
runs=${RUNS:-5}
corpus=${CORPUS:-$here/../../../../shared/corpus/scap}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap (pass it as the first argument)"; exit 1; }
command -v sysdig >/dev/null || { echo "SKIP: sysdig not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
[ -d "$corpus" ] || { echo "SKIP: no scap corpus at $corpus"; exit 77; }
mkdir -p "$work"
big=$work/big.scap
if [ "${REUSE:-0}" != 1 ] || [ ! -s "$big" ]; then
	python3 "$here/make_big_scap.py" "$corpus/sfc_mpm-event_full_capture.scap" "$big" "$events" >&2
fi

median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
# one run: appends "WALL CPU" (seconds) to the file $1
timed() {
	f=$1; shift
	s=$(date +%s%N)
	/usr/bin/time -f "%U %S" -o "$work/time.out" "$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	awk -v w=$((e - s)) '{printf "%.4f %.2f\n", w / 1e9, $1 + $2}' "$work/time.out" >> "$f"
}
: > "$work/kcap.runs"; : > "$work/sysdig.runs"
for i in $(seq "$runs"); do
	timed "$work/kcap.runs" "$kcap" convert --from scap "$big" -o "$work/big.kcap"
	timed "$work/sysdig.runs" sysdig -r "$big" -q
done
kw=$(awk '{print $1}' "$work/kcap.runs" | median); kc=$(awk '{print $2}' "$work/kcap.runs" | median)
sw=$(awk '{print $1}' "$work/sysdig.runs" | median); sc=$(awk '{print $2}' "$work/sysdig.runs" | median)
rate() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2 / 1e6; else print "-" }'; }
kev=$("$kcap" filter 'ts >= 0' --count "$work/big.kcap")
size=$(stat -c %s "$big"); ksize=$(stat -c %s "$work/big.kcap"); gz=$(gzip -6 -c "$big" | wc -c)
echo "Machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r); other jobs shared it"
echo
echo "big.scap: $events event blocks, $size bytes; big.kcap: $kev events (enter/exit pairs are one event)"
echo
echo "| median of $runs, interleaved | wall | CPU (user+sys) | scap events/s (wall) | scap events/s (CPU) |"
echo "| --- | --- | --- | --- | --- |"
echo "| \`kcap convert --from scap big.scap -o big.kcap\` | $kw s | $kc s | $(rate "$events" "$kw") M | $(rate "$events" "$kc") M |"
echo "| \`sysdig -r big.scap -q\` | $sw s | $sc s | $(rate "$events" "$sw") M | $(rate "$events" "$sc") M |"
echo
echo "| size | bytes | vs gzip -6 of big.scap |"
echo "| --- | --- | --- |"
echo "| big.scap | $size | |"
echo "| gzip -6 of big.scap | $gz | 1 |"
echo "| big.kcap | $ksize | $(echo "$ksize $gz" | awk '{printf "%.2f", $1 / $2}')x |"
