#!/bin/sh
# bench_etw.sh [KCAP] [WORKDIR] - the ETW benchmarks of docs/PERFORMANCE.md
# ("ETW import"), on the shared corpus:
#   1. `kcap convert --from etl` to kcap on perfview's 4.9 MB compressed file
#      and on ShutdownPerfDiagLogger (3.2 MB, plain), beside the floor (the
#      same file through libfwnt decompression alone, and through kcap's
#      built-in XPRESS decoder alone, inflate_floor.c; for the plain file,
#      reading it: cat) and `kcap convert --from json` of the same events;
#      with OLD=path/to/kcap also that build's convert --from etl, in the
#      same rounds; events/s and MB/s of .etl;
#   2. sizes: the .etl, `zstd -3` of it, the .kcap.
# Runs are interleaved (RUNS rounds of every command), medians of wall and
# of CPU time (user + system of the command, from getrusage: the machine is
# shared, so the CPU time is the figure that holds). Prints Markdown tables.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../..
kcap=${1:-$src/build/kcap}
work=${2:-/tmp/kcap-bench-etw}
runs=${RUNS:-7}
old=${OLD:-}
corpus=${CORPUS:-$src/../shared/corpus/etw}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap"; exit 1; }
[ -z "$old" ] || [ -x "$old" ] || { echo "no kcap binary at OLD=$old"; exit 1; }
[ -d "$corpus" ] || { echo "SKIP: no ETW corpus at $corpus"; exit 77; }
mkdir -p "$work"
cc -O2 -I"$src/formats" "$here/inflate_floor.c" "$src/formats/etw/xpress.c" -lfwnt -o "$work/inflate_floor"
packed=$corpus/perfview/net.4.5.2.x64.etl
plain=$corpus/etl-parser/ShutdownPerfDiagLogger.etl

median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
timed() { # NAME CMD...: appends "WALL CPU" (seconds) to $work/NAME.runs
	name=$1; shift
	python3 -c '
import resource, subprocess, sys, time
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
w = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.4f %.4f" % (w, r.ru_utime + r.ru_stime - r0.ru_utime - r0.ru_stime))' "$@" >> "$work/$name.runs"
}
med() { awk -v c="$2" '{print $c}' "$work/$1.runs" | median; }

whats="etl floor json"
[ -z "$old" ] || whats="etl old floor json"
for f in packed plain; do
	eval src_f=\$$f
	"$kcap" convert --from etl "$src_f" -o "$work/$f.kcap"
	"$kcap" convert --json --no-proc "$work/$f.kcap" > "$work/$f.jsonl"
	"$kcap" convert --from json "$work/$f.jsonl" -o "$work/$f.json.kcap"
	zstd -3 -q -f -c "$src_f" > "$work/$f.etl.zst"
	rm -f "$work/$f"-*.runs
done
for i in $(seq "$runs"); do
	for f in packed plain; do
		eval src_f=\$$f
		timed "$f-etl" "$kcap" convert --from etl "$src_f" -o "$work/out.kcap"
		[ -z "$old" ] || timed "$f-old" "$old" convert --from etl "$src_f" -o "$work/out.kcap"
		if [ $f = packed ]; then
			timed "$f-floor" "$work/inflate_floor" "$src_f"
			timed "$f-floork" "$work/inflate_floor" -k "$src_f"
		else
			timed "$f-floor" cat "$src_f"
		fi
		timed "$f-json" "$kcap" convert --from json "$work/$f.jsonl" -o "$work/out.kcap"
	done
done
echo "| file | what | wall s (median of $runs) | CPU s | events/s (wall) | MB/s of .etl (wall) | events/s (CPU) | MB/s of .etl (CPU) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for f in packed plain; do
	eval src_f=\$$f
	ev=$("$kcap" info --json "$work/$f.kcap" | sed 's/.*"events":\([0-9]*\).*/\1/')
	sz=$(stat -c %s "$src_f")
	w_list=$whats
	[ $f = plain ] || w_list=$(echo "$whats" | sed 's/floor/floor floork/')
	for w in $w_list; do
		W=$(med "$f-$w" 1); C=$(med "$f-$w" 2)
		case $w in
		etl) what="kcap convert --from etl";;
		old) what="kcap convert --from etl, OLD build";;
		floor) [ $f = packed ] && what="libfwnt inflation alone (floor)" || what="cat (floor)";;
		floork) what="built-in XPRESS inflation alone";;
		json) what="kcap convert --from json, same events";;
		esac
		echo "$(basename "$src_f") $W $C $ev $sz" | awk -v what="$what" '{c = $3 > 0 ? $3 : 0.0005; printf "| %s | %s | %.3f | %.3f | %.2fM | %.1f | %.2fM | %.1f |\n", $1, what, $2, $3, $4 / $2 / 1e6, $5 / $2 / 1e6, $4 / c / 1e6, $5 / c / 1e6}'
	done
done
echo
echo "| file | .etl bytes | zstd -3 of the .etl | .kcap (zstd level 1) | JSON lines |"
echo "| --- | ---: | ---: | ---: | ---: |"
for f in packed plain; do
	eval src_f=\$$f
	echo "| $(basename "$src_f") | $(stat -c %s "$src_f") | $(stat -c %s "$work/$f.etl.zst") | $(stat -c %s "$work/$f.kcap") | $(stat -c %s "$work/$f.jsonl") |"
done
