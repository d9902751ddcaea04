#!/bin/sh
# Peak RSS of every reading command over the hostile captures (issue 11:
# "at most 300 MB"), one row per file, one column per command.
#
#   tests/bench/robustness/rss_hostile.sh BUILD_DIR [WORKDIR]
#
# BUILD_DIR holds kcap, tests/fuzz/fuzz_reader_seeds (which writes the fuzz
# seeds: our own small captures, cut ones, and the hostile captures of
# tests/robustness/hostile.c) and tests/robustness/maxrss (the child's
# ru_maxrss from wait4). Besides those files, the set holds 10,000
# concatenated captures, a tar of 10,000 members (issue 11 §6), and the two
# regular expressions that once took gigabytes in regcomp (§2), given to
# filter on a plain capture. WORKDIR (default: a temporary directory,
# removed at the end) receives the files (about 140 MB) and results.md.
# Each cell is "peak MB (exit code)"; a cell over LIMIT_MB (default 300) is
# marked "!" and listed at the end, and the script exits 1 then. Not run by
# ctest.
set -u
BUILD=$(cd "${1:?usage: rss_hostile.sh BUILD_DIR [WORKDIR]}" && pwd)
LIMIT_MB=${LIMIT_MB:-300}
K=$BUILD/kcap
M=$BUILD/tests/robustness/maxrss
SEEDS=$BUILD/tests/fuzz/fuzz_reader_seeds
. "$(dirname "$0")/bench_env.sh"
bench_tools rss_hostile "$K" "$M" "$SEEDS"
bench_workdir "${2:-}"
F=$W/files
rm -rf "$F"
mkdir -p "$F"
"$SEEDS" "$F" || { echo "rss_hostile: fuzz_reader_seeds failed" >&2; exit 1; }

# one capture of 20 events whose schema comes in several blocks (as an
# import writes it), 10,000 times
"$K" synth -n 20 --seed 3 -o - | "$K" convert --json | "$K" convert --from json -o "$W/one.kcap" || exit 1
sh "$(dirname "$0")/../../robustness/concat_copies.sh" "$W/one.kcap" 10000 "$F/sections-10000.kcap" || exit 1
(cd "$W" && yes one.kcap | head -n 10000 | tar cf "$F/members-10000.tar" --hard-dereference -T -) || exit 1

COMMANDS="info cat convert-json convert-text convert-csv filter-count slice merge replay"
run() { # FILE COMMAND: prints "MB (rc)"
	f=$1
	case $2 in
	info) set -- info "$f" ;;
	cat) set -- cat -o "$W/out.kcap" "$f" ;;
	convert-json) set -- convert --json "$f" ;;
	convert-text) set -- convert --text "$f" ;;
	convert-csv) set -- convert --csv "$f" ;;
	filter-count) set -- filter --count "pid = 42 or comm ~ \"^ba\"" "$f" ;;
	filter-re1) set -- filter --count 'comm ~ "s+++++++++++++++++++++++++"' "$f" ;;
	filter-re2) set -- filter --count 'comm ~ "a{1,32767}{1,32767}"' "$f" ;;
	slice) set -- slice --from +1ms -o "$W/out.kcap" "$f" ;;
	merge) set -- merge -o "$W/out.kcap" "$f" "$f" ;;
	replay) set -- replay -n --json "$f" ;;
	esac
	"$M" -o "$W/rss" "$K" "$@" > /dev/null 2> "$W/err" < /dev/null
	read -r kb rc < "$W/rss"
	rm -f "$W/out.kcap"
	mb=$(( (kb + 512) / 1024 ))
	mark=
	if [ "$mb" -gt "$LIMIT_MB" ]; then
		mark=!
		echo "$(basename "$f") $2: $mb MB" >> "$W/over"
	fi
	printf '%s%s (%s)' "$mb" "$mark" "$rc"
}

: > "$W/over"
{
	printf '| file | size |'
	for c in $COMMANDS; do printf ' %s |' "$c"; done
	printf '\n| --- | ---: |'
	for c in $COMMANDS; do printf ' ---: |'; done
	printf '\n'
	for f in "$F"/*; do
		printf '| %s | %s |' "$(basename "$f")" "$(wc -c < "$f" | tr -d ' ')"
		for c in $COMMANDS; do
			printf ' %s |' "$(run "$f" "$c")"
		done
		printf '\n'
	done
	printf '\n| filter --count on plain.kcap | peak MB (exit) |\n| --- | ---: |\n'
	printf "| \`comm ~ \"s+++++++++++++++++++++++++\"\` | %s |\n" "$(run "$F/plain.kcap" filter-re1)"
	printf "| \`comm ~ \"a{1,32767}{1,32767}\"\` | %s |\n" "$(run "$F/plain.kcap" filter-re2)"
} > "$W/results.md"
cat "$W/results.md"
max=$(grep -o '[0-9]*!\? (' "$W/results.md" | tr -d '!( ' | sort -n | tail -1)
echo
echo "largest peak: $max MB (limit $LIMIT_MB MB); cells are peak RSS in MB (exit code)"
if [ -s "$W/over" ]; then
	echo "over $LIMIT_MB MB:"
	cat "$W/over"
	exit 1
fi
exit 0
