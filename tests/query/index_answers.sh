#!/bin/sh
# Answers from the index (format 1.4 counts): `kcap info` from the index
# equals `kcap info --scan` byte for byte but for its "from" (text and JSON),
# on every testdata capture (older formats: read event by event) and on
# synthetic captures of several hosts, sections, block sizes and an audit
# import; `filter --count` from the summaries equals a full read for every
# expression of count_cases.txt; a summary that lies is caught by verify.
# usage: index_answers.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/index-answers.$$"

S=$DIR/s.kcap
"$KCAP" synth -n 30000 --block-size 32K -o "$S" || exit 1
"$KCAP" synth -n 10000 --host h1 --block-size 16K -o "$DIR/h1.kcap" || exit 1
"$KCAP" synth -n 10000 --host h2 --seed 2 --block-size 16K -o "$DIR/h2.kcap" || exit 1
"$KCAP" merge -o "$DIR/merged.kcap" "$DIR/h1.kcap" "$DIR/h2.kcap" || exit 1
"$KCAP" cat -o "$DIR/sections.kcap" "$DIR/h1.kcap" "$S" "$DIR/h2.kcap" || exit 1
"$KCAP" filter 'type != read' -o "$DIR/filtered.kcap" "$S" || exit 1
"$KCAP" slice --from 2026-11-21T10:00:00.5Z --to 2026-11-21T10:00:01.5Z -o "$DIR/sliced.kcap" "$S" || exit 1
"$KCAP" convert --json "$S" | "$KCAP" convert --from json -o "$DIR/fromjson.kcap" || exit 1
AUDIT=$SRC/tests/audit/data
for f in "$SRC"/../shared/corpus/audit/audit-rhel7.log; do
	[ -f "$f" ] && "$KCAP" convert --from audit -o "$DIR/audit.kcap" "$f" 2>/dev/null
done
[ -f "$DIR/audit.kcap" ] || echo "SKIP: no audit corpus at $SRC/../shared/corpus/audit (audit import not compared)"

new="$S $DIR/merged.kcap $DIR/sections.kcap $DIR/filtered.kcap $DIR/sliced.kcap $DIR/fromjson.kcap"
[ -f "$DIR/audit.kcap" ] && new="$new $DIR/audit.kcap"
old=$(ls "$SRC"/testdata/*.kcap "$SRC"/tests/*/*.kcap 2>/dev/null)

# --- info: from the index == --scan, but for "from" ---
for f in $new $old; do
	n=$(basename "$f")
	"$KCAP" info "$f" > "$DIR/a.txt" 2>&1
	"$KCAP" info --scan "$f" > "$DIR/b.txt" 2>&1
	check "info $n: text as --scan but for its source" "" \
		"$(diff "$DIR/a.txt" "$DIR/b.txt" | grep '^[<>]' | grep -v 'Answered from:')"
	"$KCAP" info --json "$f" | jq -S 'del(.from)' > "$DIR/a.json"
	"$KCAP" info --json --scan "$f" | jq -S 'del(.from)' > "$DIR/b.json"
	check "info $n: JSON as --scan but for from" "" "$(cmp "$DIR/a.json" "$DIR/b.json" 2>&1)"
	check "info --scan $n: from scan" scan "$("$KCAP" info --json --scan "$f" | jq -r .from)"
done
for f in $new; do
	check "info $(basename "$f"): answered from the index" index "$("$KCAP" info --json "$f" | jq -r .from)"
	check "info $(basename "$f"): version 1.4" '"1.4"' "$("$KCAP" info --json "$f" | jq .version)"
done
for f in $old; do # committed captures: those written before 1.4 are read event by event
	if [ "$("$KCAP" info --json "$f" | jq -r .version)" = 1.4 ]; then
		check "info $(basename "$f") (format 1.4): answered from the index" index "$("$KCAP" info --json "$f" | jq -r .from)"
	else
		check "info $(basename "$f") (format before 1.4): read event by event" scan \
			"$("$KCAP" info --json "$f" | jq -r .from)"
	fi
done
# an old capture (1.3) beside new blocks in one file: the old blocks are read
cat "$SRC/testdata/synth-v13.kcap" "$S" > "$DIR/mixed.kcap"
check "info of 1.3 + 1.4 sections: as --scan" "$("$KCAP" info --json --scan "$DIR/mixed.kcap" | jq -S 'del(.from)')" \
	"$("$KCAP" info --json "$DIR/mixed.kcap" | jq -S 'del(.from)')"
check "info of 1.3 + 1.4 sections: from scan" scan "$("$KCAP" info --json "$DIR/mixed.kcap" | jq -r .from)"
check "1.3 capture: sections" 2 "$("$KCAP" info --json "$SRC/testdata/synth-v13.kcap" | jq .sections)"
check "1.3 capture: version" '"1.3"' "$("$KCAP" info --json "$SRC/testdata/synth-v13.kcap" | jq .version)"
# a pipe has no index: each block is read (its CRC checked) but not decompressed
check "info of a pipe: from the blocks' summaries" summaries "$(cat "$S" | "$KCAP" info --json - | jq -r .from)"
check "info of a pipe: as --scan" "$("$KCAP" info --json --scan "$S" | jq -S 'del(.from,.file)')" \
	"$(cat "$S" | "$KCAP" info --json - | jq -S 'del(.from,.file)')"
# a capture cut short has no index: its whole blocks are counted, the cut one read
head -c 400000 "$S" > "$DIR/cut.kcap"
check "info of a cut capture: as --scan" "$("$KCAP" info --json --scan "$DIR/cut.kcap" | jq -S 'del(.from)')" \
	"$("$KCAP" info --json "$DIR/cut.kcap" | jq -S 'del(.from)')"

# --- filter --count from the summaries == a full read ---
# (read from a file, not a pipe: a loop on a pipe's end runs in a subshell,
# whose checks would not count)
grep -v '^#' "$(dirname "$0")/count_cases.txt" > "$DIR/cases"
while IFS= read -r line <&3; do
	[ -n "$line" ] || continue
	settled=0 bytes=0
	case $line in "= "*) settled=1; line=${line#= } ;; "~ "*) bytes=1; line=${line#~ } ;; esac
	# merged: two origins interleaved in one section; sections: three sections
	for f in "$DIR/merged.kcap" "$DIR/sections.kcap"; do
		n=$(basename "$f")
		full=$("$KCAP" filter --count --no-skip "$line" "$f" 2>&1)
		got=$("$KCAP" filter --count --stats "$line" "$f" 2>"$DIR/stats")
		check "count '$line' on $n" "$full" "$got"
		[ "$n" = sections.kcap ] && check "count -v '$line' on $n" \
			"$("$KCAP" filter -v --count --no-skip "$line" "$f" 2>&1)" "$("$KCAP" filter -v --count "$line" "$f" 2>&1)"
		if [ $settled = 1 ]; then
			check "count '$line' on $n: no block decoded" "0 decoded" \
				"$(sed -n 's/.* seen, \([0-9]* decoded\).*/\1/p' "$DIR/stats")"
		fi
		if [ $bytes = 1 ]; then
			# (merged.kcap's few big blocks all hold curl)
			ruled=$(sed -n 's/.* \([0-9]*\) ruled out by their decompressed bytes.*/\1/p' "$DIR/stats")
			[ "$n" = sections.kcap ] &&
				check "count '$line' on $n: a block ruled out by its bytes" yes "$([ "${ruled:-0}" -gt 0 ] && echo yes)"
			"$KCAP" filter --no-skip --json "$line" "$f" > "$DIR/full.json" 2>&1
			"$KCAP" filter --json "$line" "$f" > "$DIR/got.json" 2>&1
			check "--json '$line' on $n: as --no-skip" same "$(cmp -s "$DIR/full.json" "$DIR/got.json" && echo same)"
		fi
	done
	echo "$line" > "$DIR/last-case"
done 3< "$DIR/cases"
check "every count case ran" 'path = "/no/such/file" or not path = "/no/such/file"' "$(cat "$DIR/last-case")"

# --- a summary that lies (its CRC recomputed) ---
python3 "$(dirname "$0")/lie_counts.py" "$DIR/s2.kcap" "$KCAP" || bad "lie_counts.py failed"
"$KCAP" info --json "$DIR/s2.kcap" > "$DIR/lie.json"
check "lying counts: info says it answered from the index" index "$(jq -r .from "$DIR/lie.json")"
check "lying counts: --scan differs" 1 \
	"$("$KCAP" info --json --scan "$DIR/s2.kcap" | jq -S 'del(.from)' | cmp -s - "$(jq -S 'del(.from)' "$DIR/lie.json" > "$DIR/l2.json"; echo "$DIR/l2.json")"; echo $?)"
"$KCAP" verify "$DIR/s2.kcap" > "$DIR/verify.out" 2>&1
check "lying counts: verify exit" 3 $?
check "lying counts: verify names the lie" 1 \
	"$(grep -c "summary disagrees with its events (counts per type)" "$DIR/verify.out")"
# counts that do not add up to the block's count are not taken: the block is read
python3 "$(dirname "$0")/lie_counts.py" "$DIR/s3.kcap" "$KCAP" badsum || bad "lie_counts.py badsum failed"
check "counts not adding up: info reads the block" scan "$("$KCAP" info --json "$DIR/s3.kcap" | jq -r .from)"
check "counts not adding up: info as --scan" "$("$KCAP" info --json --scan "$DIR/s3.kcap" | jq -S 'del(.from)')" \
	"$("$KCAP" info --json "$DIR/s3.kcap" | jq -S 'del(.from)')"
check "counts not adding up: filter --count as --no-skip" \
	"$("$KCAP" filter --count --no-skip 'type = read' "$DIR/s3.kcap")" "$("$KCAP" filter --count 'type = read' "$DIR/s3.kcap")"
"$KCAP" verify "$DIR/s3.kcap" > "$DIR/verify.out" 2>&1
check "counts not adding up: verify exit" 3 $?
check "counts not adding up: verify names them" 1 "$(grep -c "counts do not hold together" "$DIR/verify.out")"
check "intact capture: verify exit" 0 "$("$KCAP" verify "$S" >/dev/null 2>&1; echo $?)"

harness_done
