#!/bin/sh
# Issue 11 §4 at the command line: a capture whose index lies (the hostile
# captures of hostile.c that fuzz_reader_seeds writes, and one whose index
# entry carries other counts per type than its block, lie_counts.py index)
# is reported once as damage by every command that loads the index (info,
# which answers from the index's counts, filter, slice), which exits 3, and
# the answer is that of a reading in order: info as `info --scan` (but for
# from and the damage it reports), filter --count as --no-skip, slice as the
# slice of the same bytes through a pipe (no index). Against fd161ef, info
# exits 0 on each of these files (it did not load the index).
# usage: index_lies_cli.sh KCAP FUZZ_READER_SEEDS SRCDIR WORKDIR
set -u
KCAP=$1
SEEDS=$2
SRC=$3
. "$(dirname "$0")/../harness.sh"
harness_workdir "$4/index-lies.$$"
"$SEEDS" "$DIR/seeds" > /dev/null || { echo "fuzz_reader_seeds failed"; exit 1; }
python3 "$SRC/tests/query/lie_counts.py" "$DIR/counts-lie-index.kcap" "$KCAP" index || { echo "lie_counts.py failed"; exit 1; }
files="$DIR/counts-lie-index.kcap"
for n in index-no-schema-context index-offset-2p63 index-past-end index-pid-lie; do
	[ -f "$DIR/seeds/$n.kcap" ] || bad "fuzz_reader_seeds wrote no $n.kcap"
	files="$files $DIR/seeds/$n.kcap"
done

# CMD... : runs it; RC its exit, LIES the lines of stderr naming the lie,
# ERRS all lines of stderr but warnings (a type that does not occur)
run() {
	"$@" > "$DIR/out" 2> "$DIR/err"
	RC=$?
	LIES=$(grep -c 'index disagrees with its blocks' "$DIR/err")
	ERRS=$(grep -vc ': warning: ' "$DIR/err")
}
figures() { jq -S 'del(.from, .damaged, .damaged_regions, .file)'; }

for f in $files; do
	n=$(basename "$f")
	"$KCAP" info --json --scan "$f" | figures > "$DIR/want.json"
	check "$n: info --scan reads in order without the index" 0 "$("$KCAP" info --scan "$f" > /dev/null 2>&1; echo $?)"
	run "$KCAP" info --json "$f"
	check "$n: info --json exit" 3 "$RC"
	check "$n: info --json reports the lie once (and nothing else)" "1 1" "$LIES $ERRS"
	check "$n: info --json figures as --scan" "" "$(figures < "$DIR/out" | cmp - "$DIR/want.json" 2>&1)"
	check "$n: info --json says it is damaged" "true 1" "$(jq -r '"\(.damaged) \(.damaged_regions)"' "$DIR/out")"
	check "$n: info --json answered from the blocks, not the index" summaries "$(jq -r .from "$DIR/out")"
	run "$KCAP" info "$f"
	check "$n: info exit" 3 "$RC"
	check "$n: info reports the lie once" "1 1" "$LIES $ERRS"
	check "$n: info events as --scan" "$(jq .events "$DIR/want.json")" \
		"$(sed -n 's/^Events: *\([0-9]*\)$/\1/p' "$DIR/out")"

	for e in 'pid = 42' 'type = read' 'comm ~ "^ba"'; do
		want=$("$KCAP" filter --count --no-skip "$e" "$f" 2> /dev/null)
		run "$KCAP" filter --count "$e" "$f"
		check "$n: filter --count '$e' exit" 3 "$RC"
		check "$n: filter --count '$e' reports the lie once" "1 1" "$LIES $ERRS"
		check "$n: filter --count '$e' as --no-skip" "$want" "$(cat "$DIR/out")"
	done

	first=$(jq .first_ts "$DIR/want.json")
	last=$(jq .last_ts "$DIR/want.json")
	mid=$(((first + last) / 2))
	# the output's derived_from names the command line, which differs
	cat "$f" | "$KCAP" slice --from "$mid" -o - | "$KCAP" convert --json | sed 's/"derived_from":"[^"]*"//' > "$DIR/want.jsonl"
	run "$KCAP" slice --from "$mid" -o "$DIR/sliced.kcap" "$f"
	check "$n: slice --from the middle exit" 3 "$RC"
	check "$n: slice reports the lie once" "1 1" "$LIES $ERRS"
	"$KCAP" convert --json "$DIR/sliced.kcap" | sed 's/"derived_from":"[^"]*"//' > "$DIR/got.jsonl"
	[ -s "$DIR/want.jsonl" ] || bad "$n: the slice of a pipe is empty"
	check "$n: slice as through a pipe ($(wc -l < "$DIR/want.jsonl" | tr -d ' ') events)" "" \
		"$(cmp "$DIR/want.jsonl" "$DIR/got.jsonl" 2>&1)"
done
harness_done
