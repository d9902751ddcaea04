#!/bin/sh
# bench_index_answers.sh [KCAP] [WORKDIR] [OLD_TREE] - issue 17 section 2,
# docs/PERFORMANCE.md ("Answers from the index"), side by side in one run:
#   1. `kcap info` of a 20M-event capture (`kcap synth -n 20000000`, about
#      257 MB) from the index (format 1.4 counts) beside `info --scan` (every
#      event read): target <= 2% of its time;
#   2. `kcap filter --count EXPR` from the block summaries beside
#      `--count --no-skip` (every block decoded) for expressions that the
#      summaries settle (type, time range) and that they settle in part
#      (pid = 42, a time range cut inside blocks);
#   3. the in-memory index per events block (index_mem.c), on a capture of
#      many small blocks, and the peak RSS of `filter --count` on it; with
#      OLD_TREE (a checkout of the tree before format 1.4, built in
#      OLD_TREE/b) the same for its kcap beside.
# Medians of RUNS (default 5). BENCH_RT=1 runs at SCHED_FIFO (bench_run.c).
# Prints Markdown, and `uptime` before and after.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
kcap=${1:-$src/build/kcap}
work=${2:-/tmp/kcap-bench-index}
old=${3:-}
runs=${RUNS:-5}
[ -x "$kcap" ] || { echo "no kcap binary at $kcap"; exit 1; }
mkdir -p "$work"
cc -O2 -o "$work/bench_run" "$here/bench_run.c"
run() { "$work/bench_run" "$@"; }
field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
echo "uptime before: $(uptime)"
big=$work/big20m.kcap
[ -s "$big" ] || "$kcap" synth -n 20000000 -o "$big"
small=$work/small-blocks.kcap
[ -s "$small" ] || "$kcap" synth -n 2000000 --block-size 16K -o "$small"
sync

echo
echo "| What | from the index | full read | ratio | target |"
echo "| --- | --- | --- | --- | --- |"
a=$(run "$runs" "$kcap" info "$big")
b=$(run "$runs" "$kcap" info --scan "$big")
echo "| info, 20M events ($(stat -c %s "$big") B), 'from': $("$kcap" info --json "$big" | jq -r .from) | $(field "$a" wall_ms) ms wall, $(field "$a" cpu_ms) ms CPU | info --scan: $(field "$b" wall_ms) ms wall, $(field "$b" cpu_ms) ms CPU | $(echo "$(field "$a" wall_ms) $(field "$b" wall_ms)" | awk '{printf "%.2f%%", 100 * $1 / $2}') | <= 2% |"
"$kcap" info --json "$big" | jq -S 'del(.from)' > "$work/a.json"
"$kcap" info --json --scan "$big" | jq -S 'del(.from)' > "$work/b.json"
same=no
cmp -s "$work/a.json" "$work/b.json" && same=yes
echo "| (info from the index == info --scan but for from: $same) | | | | |"
for e in 'type = execve' 'category = net and not type = connect' 'ts >= 2026-11-21T10:05:00Z and ts < 2026-11-21T10:06:00Z' 'pid = 42' 'pid = 42 and type = openat' 'type = read and ts >= 2026-11-21T10:05:00.123Z'; do
	a=$(run "$runs" "$kcap" filter --count "$e" "$big")
	b=$(run "$runs" "$kcap" filter --count --no-skip "$e" "$big")
	st=$("$kcap" filter --count --stats "$e" "$big" 2>&1 >/dev/null | sed 's/kcap filter: //')
	n1=$("$kcap" filter --count "$e" "$big")
	n2=$("$kcap" filter --count --no-skip "$e" "$big")
	same=no
	[ "$n1" = "$n2" ] && same=yes
	echo "| filter --count '$e' (= $n1, same as --no-skip: $same; $st) | $(field "$a" wall_ms) ms wall, $(field "$a" cpu_ms) ms CPU | --no-skip: $(field "$b" wall_ms) ms wall, $(field "$b" cpu_ms) ms CPU | $(echo "$(field "$b" wall_ms) $(field "$a" wall_ms)" | awk '{printf "%.1fx faster", $1 / $2}') | - |"
done

echo
echo "| index in memory, $(basename "$small") | blocks | sizeof(index_entry) | Bloom filters | counts | held | per events block | peak RSS of filter --count 'pid = 42' |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
mem() { # label tree lib kcap [-DNO_COUNTS]
	cc -O2 $5 -I"$2/kcap/include" -I"$2/kcap/src" -o "$work/index_mem$6" "$here/index_mem.c" "$3" -lzstd -lcrypto -lm -lpthread
	m=$("$work/index_mem$6" "$small")
	rss=$(/usr/bin/time -f %M "$4" filter --count 'pid = 42' "$small" 2>&1 >/dev/null | tail -n 1)
	echo "| $1 | $(field "$m" blocks) | $(field "$m" entry) B | $(field "$m" bloom) B | $(field "$m" counts) B | $(field "$m" held) B | $(field "$m" per_block) B | $rss KiB |"
}
mem "this tree (format 1.4)" "$src" "$src/build/libkcap/libkcap.a" "$kcap" "" new
if [ -n "$old" ]; then
	[ -s "$work/small-old.kcap" ] || "$old/b/kcap" synth -n 2000000 --block-size 16K -o "$work/small-old.kcap"
	small_new=$small
	small=$work/small-old.kcap
	mem "before (format 1.3, its own capture)" "$old" "$old/b/libkcap/libkcap.a" "$old/b/kcap" -DNO_COUNTS old
	small=$small_new
fi
# the write path: what counting per type and origin costs the writer
if [ -n "$old" ]; then
	a=$(run "$runs" "$kcap" synth -n 2000000 -o "$work/w-new.kcap")
	b=$(run "$runs" "$old/b/kcap" synth -n 2000000 -o "$work/w-old.kcap")
	echo
	echo "| write path, synth -n 2000000 | this tree | before (1.3) | ratio |"
	echo "| --- | --- | --- | --- |"
	echo "| wall, CPU | $(field "$a" wall_ms) ms, $(field "$a" cpu_ms) ms | $(field "$b" wall_ms) ms, $(field "$b" cpu_ms) ms | $(echo "$(field "$a" cpu_ms) $(field "$b" cpu_ms)" | awk '{printf "%.3f", $1 / $2}') in CPU |"
	echo "| size | $(stat -c %s "$work/w-new.kcap") B | $(stat -c %s "$work/w-old.kcap") B | |"
fi
echo
echo "uptime after: $(uptime)"
