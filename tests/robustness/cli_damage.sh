#!/bin/sh
# CLI robustness (issue 2 §5): on damaged captures, `kcap info` and
# `kcap convert --json` print one line per damaged region naming the file and
# the offset, still output every intact event, and exit 3 (KCAP_EXIT_DAMAGED).
# usage: cli_damage.sh KCAP DAMAGE_CASES WORKDIR
set -u
KCAP=$1
CASES=$2
DIR=$3/cli-damage.$$
mkdir -p "$DIR" || exit 1
trap 'rm -rf "$DIR"' EXIT
. "$(dirname "$0")/../harness.sh"

"$KCAP" synth -n 4000 --seed 5 --block-size 16k -o "$DIR/intact.kcap" || { echo "synth failed"; exit 1; }
"$CASES" "$DIR/intact.kcap" "$DIR" > "$DIR/cases" || { echo "damage_cases failed"; exit 1; }
sum_before=$(cksum < "$DIR/intact.kcap")

# stderr must hold exactly one line per expected offset, each naming the
# file (or "(stdin)") and "offset N"
check_lines() { # label errfile name offsets
	if [ "$4" = "-" ]; then
		check "$1: no damage lines" "" "$(cat "$2")"
		return
	fi
	n=0
	for o in $(echo "$4" | tr ',' ' '); do
		n=$((n + 1))
		if grep -F -- "$3: offset $o:" "$2" > /dev/null; then ok "$1: line for offset $o"
		else bad "$1: no line naming $3 and offset $o in: $(cat "$2")"; fi
	done
	check "$1: one line per damage" "$n" "$(wc -l < "$2" | tr -d ' ')"
}

while read -r file events offsets; do
	name=$(basename "$file")
	[ "$offsets" = "-" ] && want_rc=0 || want_rc=3
	sum=$(cksum < "$file")

	"$KCAP" info "$file" > "$DIR/out" 2> "$DIR/err"
	check "info $name: exit" "$want_rc" "$?"
	check_lines "info $name" "$DIR/err" "$file" "$offsets"
	"$KCAP" info --json "$file" > "$DIR/out" 2> /dev/null
	check "info --json $name: events" "\"events\":$events," "$(grep -o '"events": *[0-9]*,' "$DIR/out" | tr -d ' ' | head -n 1)"
	ndmg=$(echo "$offsets" | tr ',' '\n' | grep -c '^[0-9]')
	check "info --json $name: damaged regions" "\"damaged_regions\":$ndmg" "$(grep -o '"damaged_regions": *[0-9]*' "$DIR/out" | tr -d ' ')"

	"$KCAP" convert --json "$file" > "$DIR/out" 2> "$DIR/err"
	check "convert --json $name: exit" "$want_rc" "$?"
	check_lines "convert $name" "$DIR/err" "$file" "$offsets"
	check "convert --json $name: intact events" "$events" "$(wc -l < "$DIR/out" | tr -d ' ')"

	# the same through a pipe (no seeking, no index)
	"$KCAP" convert --json < "$file" > "$DIR/out" 2> "$DIR/err"
	check "convert --json <$name: exit" "$want_rc" "$?"
	check_lines "convert <$name" "$DIR/err" "(stdin)" "$offsets"
	check "convert --json <$name: intact events" "$events" "$(wc -l < "$DIR/out" | tr -d ' ')"

	check "$name unmodified" "$sum" "$(cksum < "$file")"
done < "$DIR/cases"

# a crashed writer (cut at a boundary) is reported as not indexed
"$KCAP" info --json "$DIR/trunc-at-boundary.kcap" > "$DIR/out" 2>&1
check "boundary cut: not indexed" '"indexed":false' "$(grep -o '"indexed": *[a-z]*' "$DIR/out" | tr -d ' ')"
check "intact input unmodified" "$sum_before" "$(cksum < "$DIR/intact.kcap")"
check "cases written" 11 "$(wc -l < "$DIR/cases" | tr -d ' ')"

# A capture cut inside a block and followed by another (cat cut.kcap next.kcap,
# or a tar with a truncated member): the next capture is read whole, from its
# section header inside the bytes the cut block claims.
"$KCAP" synth -n 2000 --seed 6 -o "$DIR/next.kcap" || exit 1
size=$(wc -c < "$DIR/intact.kcap")
head -c $((size / 2)) "$DIR/intact.kcap" > "$DIR/cut.kcap"
cat "$DIR/cut.kcap" "$DIR/next.kcap" > "$DIR/cut-then-next.kcap"
{ "$KCAP" convert --json "$DIR/cut.kcap" 2> /dev/null; "$KCAP" convert --json "$DIR/next.kcap"; } > "$DIR/want.json"
"$KCAP" convert --json "$DIR/cut-then-next.kcap" > "$DIR/out" 2> "$DIR/err"
check "cut then next: exit" 3 "$?"
check "cut then next: one damage line" 1 "$(wc -l < "$DIR/err" | tr -d ' ')"
check "cut then next: the line names the cut block" 1 "$(grep -c "cut-then-next.kcap: offset [0-9]*: .*cut short by the next section" "$DIR/err")"
if cmp -s "$DIR/want.json" "$DIR/out"; then ok "cut then next: every event of both, as each alone"
else bad "cut then next: $(wc -l < "$DIR/out") events, want $(wc -l < "$DIR/want.json")"; fi
"$KCAP" convert --json < "$DIR/cut-then-next.kcap" > "$DIR/out" 2> /dev/null
if cmp -s "$DIR/want.json" "$DIR/out"; then ok "cut then next, from a pipe: every event of both"
else bad "cut then next, from a pipe: $(wc -l < "$DIR/out") events, want $(wc -l < "$DIR/want.json")"; fi

harness_done
