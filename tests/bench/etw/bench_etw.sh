#!/bin/sh
# bench_etw.sh [KCAP] [WORKDIR] - the ETW benchmarks of docs/PERFORMANCE.md
# ("ETW import"), on the shared corpus:
#   1. `kcap convert --from etl` to kcap on perfview's 4.9 MB compressed file
#      and on ShutdownPerfDiagLogger (3.2 MB, plain), beside the floor (the
#      same file through libfwnt decompression alone, inflate_floor.c; for
#      the plain file, reading it: cat) and `kcap convert --from json` of the
#      same events; events/s and MB/s of .etl;
#   2. sizes: the .etl, `zstd -3` of it, the .kcap.
# Runs are interleaved (RUNS rounds of every command), medians of wall and
# user+sys CPU time. Prints a Markdown table on stdout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kcap=${1:-$here/../../../build/kcap}
work=${2:-/tmp/kcap-bench-etw}
runs=${RUNS:-7}
corpus=${CORPUS:-$here/../../../../shared/corpus/etw}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap"; exit 1; }
[ -d "$corpus" ] || { echo "SKIP: no ETW corpus at $corpus"; exit 77; }
mkdir -p "$work"
cc -O2 "$here/inflate_floor.c" -lfwnt -o "$work/inflate_floor"
packed=$corpus/perfview/net.4.5.2.x64.etl
plain=$corpus/etl-parser/ShutdownPerfDiagLogger.etl

median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
timed() { # NAME CMD...: appends "WALL CPU" to $work/NAME.runs
	name=$1; shift
	s=$(date +%s%N)
	/usr/bin/time -f "%U %S" -o "$work/time.out" "$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	awk -v w=$((e - s)) '{printf "%.4f %.2f\n", w / 1e9, $1 + $2}' "$work/time.out" >> "$work/$name.runs"
}
med() { awk -v c="$2" '{print $c}' "$work/$1.runs" | median; }

for f in packed plain; do
	eval src=\$$f
	"$kcap" convert --from etl "$src" -o "$work/$f.kcap"
	"$kcap" convert --json --no-proc "$work/$f.kcap" > "$work/$f.jsonl"
	"$kcap" convert --from json "$work/$f.jsonl" -o "$work/$f.json.kcap"
	zstd -3 -q -f -c "$src" > "$work/$f.etl.zst"
	rm -f "$work/$f-etl.runs" "$work/$f-floor.runs" "$work/$f-json.runs"
done
for i in $(seq "$runs"); do
	for f in packed plain; do
		eval src=\$$f
		timed "$f-etl" "$kcap" convert --from etl "$src" -o "$work/out.kcap"
		if [ $f = packed ]; then
			timed "$f-floor" "$work/inflate_floor" "$src"
		else
			timed "$f-floor" cat "$src"
		fi
		timed "$f-json" "$kcap" convert --from json "$work/$f.jsonl" -o "$work/out.kcap"
	done
done
echo "| file | what | wall s (median of $runs) | user+sys s | events/s (wall) | MB/s of .etl (wall) | events/s (user+sys) | MB/s of .etl (user+sys) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for f in packed plain; do
	eval src=\$$f
	ev=$("$kcap" info --json "$work/$f.kcap" | sed 's/.*"events":\([0-9]*\).*/\1/')
	sz=$(stat -c %s "$src")
	for w in etl floor json; do
		W=$(med "$f-$w" 1); C=$(med "$f-$w" 2)
		case $w in etl) what="kcap convert --from etl";; floor) [ $f = packed ] && what="libfwnt inflation alone (floor)" || what="cat (floor)";; json) what="kcap convert --from json, same events";; esac
		echo "$(basename "$src") $W $C $ev $sz" | awk -v what="$what" '{c = $3 > 0 ? $3 : 0.005; printf "| %s | %s | %.3f | %.2f | %.2fM | %.1f | %.2fM | %.1f |\n", $1, what, $2, $3, $4 / $2 / 1e6, $5 / $2 / 1e6, $4 / c / 1e6, $5 / c / 1e6}'
	done
done
echo
echo "| file | .etl bytes | zstd -3 of the .etl | .kcap (zstd level 1) | JSON lines |"
echo "| --- | ---: | ---: | ---: | ---: |"
for f in packed plain; do
	eval src=\$$f
	echo "| $(basename "$src") | $(stat -c %s "$src") | $(stat -c %s "$work/$f.etl.zst") | $(stat -c %s "$work/$f.kcap") | $(stat -c %s "$work/$f.jsonl") |"
done
