#!/bin/sh
# Peak RSS of the reading commands over many sections and many blocks
# (issue 11 §6: memory must not grow with the sections already passed; what
# the index holds per events block, docs/FORMAT.md "What a reader holds of
# an index"), one row per file and command:
#
#   tests/bench/robustness/rss_sections.sh BUILD_DIR [WORKDIR]
#
# Files: 1,000 and 10,000 concatenated copies of a 20-event capture imported
# from JSON lines (several schema blocks a section; 15 events blocks), tars
# of as many members, and one section of 4,000,000 events in blocks of
# 4 KiB (35,170 events blocks). Commands: info, cat, convert --json,
# filter --count, slice --from. A cell is the peak RSS in KB (maxrss: the
# child's ru_maxrss from wait4), the exit code and the wall time (not a
# target: the machine is shared). WORKDIR (default a temporary directory,
# removed at the end) receives about 1 GB of files. Not run by ctest.
set -u
BUILD=$(cd "${1:?usage: rss_sections.sh BUILD_DIR [WORKDIR]}" && pwd)
K=$BUILD/kcap
M=$BUILD/tests/robustness/maxrss
. "$(dirname "$0")/bench_env.sh"
bench_tools rss_sections "$K" "$M"
bench_workdir "${2:-}"
here=$(dirname "$0")
"$K" synth -n 20 --seed 3 -o - | "$K" convert --json | "$K" convert --from json -o "$W/one.kcap" || exit 1
for n in 1000 10000; do
	sh "$here/../../robustness/concat_copies.sh" "$W/one.kcap" $n "$W/sections-$n.kcap" || exit 1
	(cd "$W" && yes one.kcap | head -n $n | tar cf "members-$n.tar" --hard-dereference -T -) || exit 1
done
"$K" synth -n 4000000 --block-size 4K -o "$W/blocks-4k.kcap" || exit 1

echo "| file | command | peak RSS KB | exit | wall s |"
echo "| --- | --- | ---: | ---: | ---: |"
for f in sections-1000.kcap sections-10000.kcap members-1000.tar members-10000.tar blocks-4k.kcap; do
	for c in info cat convert-json filter-count slice; do
		case $c in
		info) set -- info "$W/$f" ;;
		cat) set -- cat -o "$W/out.kcap" "$W/$f" ;;
		convert-json) set -- convert --json "$W/$f" ;;
		filter-count) set -- filter --count 'pid > 100' "$W/$f" ;;
		slice) set -- slice --from +1ns -o "$W/out.kcap" "$W/$f" ;;
		esac
		s=$(date +%s%N)
		"$M" -o "$W/rss" "$K" "$@" > /dev/null 2> "$W/err" < /dev/null
		e=$(date +%s%N)
		read -r kb rc < "$W/rss"
		rm -f "$W/out.kcap"
		echo "| $f | $c | $kb | $rc | $(( (e - s) / 100000000 / 10 )).$(( (e - s) / 100000000 % 10 )) |"
	done
done
