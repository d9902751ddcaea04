#!/bin/sh
# bench_inspect.sh [KCAP] [WORKDIR] - the first page of `kcap inspect`'s
# /api/events (100 events) on the 2M-event capture (kcap synth -n 2000000
# --seed 1), per query, side by side with the same query on the command line
# (`kcap filter EXPR --json | head -n 100`, which also stops at the 100th
# event) and with a full scan (`kcap filter EXPR --count`), interleaved, RUNS
# rounds (default 5). Prints the median wall time of each as Markdown
# (docs/PERFORMANCE.md "inspect"); target: the first page within 200 ms of
# the query. With OLD=/path/to/an/older/kcap, a second server of that build
# serves the same capture and its first page is timed in the same rounds
# (an extra column). Not run by ctest. The servers are stopped by PID on
# every exit.
set -eu
kcap=${1:-$(cd "$(dirname "$0")" && pwd)/../../../build/kcap}
work=${2:-/tmp/kcap-bench-looking}
runs=${RUNS:-5}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap"; exit 1; }
mkdir -p "$work"
cap=$work/cap.kcap
[ -s "$cap" ] || "$kcap" synth -n 2000000 --seed 1 -o "$cap"
sync
spid="" opid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; [ -n "$opid" ] && kill "$opid" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP
# serve BIN OUT: starts `BIN inspect` on the capture, sets $url and $pid
serve() {
	"$1" inspect --no-verify "$cap" >"$work/$2.out" 2>"$work/$2.err" &
	pid=$!
	url=""
	while [ -z "$url" ]; do
		kill -0 "$pid" || { cat "$work/$2.err"; exit 1; }
		sleep 0.05
		url=$(sed -n 's/^kcap inspect: serving .* at //p' "$work/$2.out")
	done
}
t0=$(date +%s.%N)
serve "$kcap" inspect
spid=$pid
t1=$(date +%s.%N)
ourl=""
if [ -n "${OLD:-}" ]; then
	serve "$OLD" inspect-old
	opid=$pid ourl=$url
	url=$(sed -n 's/^kcap inspect: serving .* at //p' "$work/inspect.out")
fi
# the middle second of the capture, for the brush
mid=$("$kcap" filter 'seq = 1000000' --json "$cap" | jq '.ts / 1000000000 | floor')
from=$((mid * 1000000000)); to=$(((mid + 1) * 1000000000))
ms() { awk '{ printf "%.1f\n", $1 * 1000 }'; }
wall() { /usr/bin/time -f '%e' -o "$work/t" sh -c "$1" >/dev/null 2>&1 || true; awk '{ printf "%.1f\n", $1 * 1000 }' "$work/t"; }
med() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "inspect start (read, stats, tree of 2M events, page built; no verify): $(echo "$t1 - $t0" | bc) s"
echo
if [ -n "$ourl" ]; then
	echo "| query (2M events, median of $runs, ms) | inspect first page | same, OLD | filter \\| head -100 | filter --count (full) | rows |"
	echo "| --- | --- | --- | --- | --- | --- |"
else
	echo "| query (2M events, median of $runs, ms) | inspect first page | filter \\| head -100 | filter --count (full) | rows |"
	echo "| --- | --- | --- | --- | --- |"
fi
for q in '' 'type = execve' 'pid = 42' 'comm = "curl" and ret < 0' 'path = "/no/such/file"' "brush:$from:$to"; do
	case $q in
	brush:*) api="from=$from&to=$to"; expr="ts >= $from and ts < $to"; label="brush: one second ($mid)" ;;
	'') api="expr="; expr="seq >= 0"; label="(none)" ;;
	*) api="expr=$(printf '%s' "$q" | jq -sRr @uri)"; expr=$q; label=$q ;;
	esac
	: >"$work/a"; : >"$work/b"; : >"$work/c"; : >"$work/o"
	i=0
	while [ $i -lt "$runs" ]; do
		curl -s -o "$work/page.json" -w '%{time_total}\n' "${url}api/events?$api" | ms >>"$work/a"
		[ -z "$ourl" ] || curl -s -o "$work/page-old.json" -w '%{time_total}\n' "${ourl}api/events?$api" | ms >>"$work/o"
		wall "\"$kcap\" filter '$expr' --json \"$cap\" | head -n 100" >>"$work/b"
		wall "\"$kcap\" filter '$expr' --count \"$cap\"" >>"$work/c"
		i=$((i + 1))
	done
	old_col=""
	[ -z "$ourl" ] || old_col=" $(med "$work/o") |"
	echo "| \`$label\` | $(med "$work/a") |$old_col $(med "$work/b") | $(med "$work/c") | $(jq '.rows | length' "$work/page.json") |"
done
kill -TERM "$spid"
wait "$spid" || true
spid=""
if [ -n "$opid" ]; then
	kill -TERM "$opid"
	wait "$opid" || true
	opid=""
fi
