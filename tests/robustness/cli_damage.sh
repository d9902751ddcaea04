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

"$KCAP" convert --json "$DIR/intact.kcap" > "$DIR/intact.json" || { echo "convert failed"; exit 1; }
while read -r file events offsets recovered; do
	name=$(basename "$file")
	[ "$offsets" = "-" ] && want_rc=0 || want_rc=3
	sum=$(cksum < "$file")

	# info --scan reads every block; plain info answers from the index
	# (format 1.4 counts) without reading the events blocks, so a flip inside
	# one is for verify to find (below)
	"$KCAP" info --scan "$file" > "$DIR/out" 2> "$DIR/err"
	check "info $name: exit" "$want_rc" "$?"
	check_lines "info $name" "$DIR/err" "$file" "$offsets"
	"$KCAP" info --scan --json "$file" > "$DIR/out" 2> /dev/null
	check "info --json $name: events" "\"events\":$events," "$(grep -o '"events": *[0-9]*,' "$DIR/out" | tr -d ' ' | head -n 1)"
	ndmg=$(echo "$offsets" | tr ',' '\n' | grep -c '^[0-9]')
	check "info --json $name: damaged regions" "\"damaged_regions\":$ndmg" "$(grep -o '"damaged_regions": *[0-9]*' "$DIR/out" | tr -d ' ')"

	"$KCAP" convert --json "$file" > "$DIR/out" 2> "$DIR/err"
	check "convert --json $name: exit" "$want_rc" "$?"
	check_lines "convert $name" "$DIR/err" "$file" "$offsets"
	check "convert --json $name: intact events" "$events" "$(wc -l < "$DIR/out" | tr -d ' ')"
	check "convert $name: events recovered, as the line says" "$recovered" \
		"$(grep -o '[0-9]* events recovered' "$DIR/err" | awk '{ n += $1 } END { print n + 0 }')"
	case $name in trunc-*)
		if head -n "$events" "$DIR/intact.json" | cmp -s - "$DIR/out"; then ok "convert $name: the first events of the intact capture"
		else bad "convert $name: events differ from the intact capture's first $events"; fi ;;
	esac

	# the same through a pipe (no seeking, no index)
	"$KCAP" convert --json < "$file" > "$DIR/out" 2> "$DIR/err"
	check "convert --json <$name: exit" "$want_rc" "$?"
	check_lines "convert <$name" "$DIR/err" "(stdin)" "$offsets"
	check "convert --json <$name: intact events" "$events" "$(wc -l < "$DIR/out" | tr -d ' ')"

	check "$name unmodified" "$sum" "$(cksum < "$file")"
done < "$DIR/cases"

# a flip inside an events block: info from the index does not read it, and
# says so; verify reads it
if [ -f "$DIR/flip-events.kcap" ]; then
	check "info flip-events.kcap: answered from the index" '"from":"index"' \
		"$("$KCAP" info --json "$DIR/flip-events.kcap" 2>/dev/null | grep -o '"from":"[a-z]*"')"
	"$KCAP" verify "$DIR/flip-events.kcap" > /dev/null 2>&1
	check "verify flip-events.kcap: damaged" 3 $?
else
	bad "damage_cases wrote no flip-events.kcap"
fi

# Issue 11 §5: events whose types no schema defines (their schema block
# lost) are reported and never delivered as made-up types, by every
# command alike: damage (3), not a write failure (1) in a kcap output
f=$DIR/flip-schema.kcap
"$KCAP" convert --json "$f" > "$DIR/out" 2> "$DIR/err"
check "schema lost: convert --json exit" 3 "$?"
check "schema lost: no made-up type" 0 "$(grep -c '"type":"type_' "$DIR/out")"
check "schema lost: the events blocks named" 1 "$(grep -c "$f: offset [0-9]*: event #0 in events block has type [0-9]*, which the schema does not define" "$DIR/err" | awk '{ print ($1 > 1) }')"
for cmd in "slice --tail 1" "cat" "filter pid>0" "merge"; do
	# shellcheck disable=SC2086
	"$KCAP" $cmd "$f" -o "$DIR/copy.kcap" 2> "$DIR/err"
	check "schema lost: $cmd exit" 3 "$?"
	check "schema lost: $cmd writes no undefined type" 0 "$(grep -c 'not in the schema' "$DIR/err")"
done
"$KCAP" verify "$f" > "$DIR/out" 2>&1
check "schema lost: verify exit" 3 "$?"
check "schema lost: verify counts the events lost" 1 "$(grep -c 'which the schema does not define.*events lost' "$DIR/out" | awk '{ print ($1 > 1) }')"

# a crashed writer (cut at a boundary) is reported as not indexed
"$KCAP" info --json "$DIR/trunc-at-boundary.kcap" > "$DIR/out" 2>&1
check "boundary cut: not indexed" '"indexed":false' "$(grep -o '"indexed": *[a-z]*' "$DIR/out" | tr -d ' ')"
check "intact input unmodified" "$sum_before" "$(cksum < "$DIR/intact.kcap")"
check "cases written" 12 "$(wc -l < "$DIR/cases" | tr -d ' ')"

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

# A capture cut inside a 1 MiB events block (a recorder killed mid-write, a
# partial copy): the events in the part present are delivered, and the one
# damage line says how many, and that the block's CRC does not cover them.
"$KCAP" synth -n 20000 -o "$DIR/t.kcap" || exit 1
head -c 100000 "$DIR/t.kcap" > "$DIR/cut.kcap"
"$KCAP" convert --json "$DIR/t.kcap" > "$DIR/t.json"
"$KCAP" convert --json "$DIR/cut.kcap" > "$DIR/out" 2> "$DIR/err"
check "1 MiB block cut: exit" 3 "$?"
n=$(wc -l < "$DIR/out" | tr -d ' ')
if [ "$n" -gt 0 ]; then ok "1 MiB block cut: $n events recovered"; else bad "1 MiB block cut: no events"; fi
check "1 MiB block cut: one damage line" 1 "$(wc -l < "$DIR/err" | tr -d ' ')"
check "1 MiB block cut: the line names file, offset and count" 1 \
	"$(grep -c "^kcap convert: $DIR/cut.kcap: offset [0-9]*: events block truncated: [0-9]* of [0-9]* bytes present; $n events recovered from the part present (not covered by the block's CRC)\$" "$DIR/err")"
if head -n "$n" "$DIR/t.json" | cmp -s - "$DIR/out"; then ok "1 MiB block cut: the first $n events of the whole capture"
else bad "1 MiB block cut: events differ from the whole capture's first $n"; fi
"$KCAP" convert --json < "$DIR/cut.kcap" > "$DIR/out2" 2> "$DIR/err"
check "1 MiB block cut, stdin: exit" 3 "$?"
check "1 MiB block cut, stdin: the line" 1 "$(grep -c "^kcap convert: (stdin): offset [0-9]*: .* $n events recovered" "$DIR/err")"
if cmp -s "$DIR/out" "$DIR/out2"; then ok "1 MiB block cut, stdin: same events"; else bad "1 MiB block cut, stdin: events differ"; fi
"$KCAP" info --json "$DIR/cut.kcap" > "$DIR/info" 2> /dev/null
check "1 MiB block cut: info counts what is delivered" "\"events\":$n," "$(grep -o '"events": *[0-9]*,' "$DIR/info" | tr -d ' ')"
# copies re-encode the recovered events (a cut block is never copied raw)
"$KCAP" cat "$DIR/cut.kcap" -o "$DIR/cat.kcap" 2> "$DIR/err"
check "cat of the cut capture: exit" 3 "$?"
check "cat of the cut capture: one line" 1 "$(grep -c "events recovered" "$DIR/err")"
"$KCAP" convert --json "$DIR/cat.kcap" > "$DIR/out2" 2> "$DIR/err"
check "cat of the cut capture: intact copy" "0 0" "$? $(wc -l < "$DIR/err" | tr -d ' ')"
if cmp -s "$DIR/out" "$DIR/out2"; then ok "cat of the cut capture: the recovered events"; else bad "cat of the cut capture: events differ"; fi
"$KCAP" cat < "$DIR/cut.kcap" | "$KCAP" convert --json > "$DIR/out2" 2> /dev/null
if cmp -s "$DIR/out" "$DIR/out2"; then ok "cat of the cut capture from stdin to a pipe"; else bad "cat from stdin: events differ"; fi
"$KCAP" merge "$DIR/cut.kcap" "$DIR/next.kcap" -o "$DIR/merged.kcap" 2> "$DIR/err"
check "merge with the cut capture: exit" 3 "$?"
{ "$KCAP" convert --json --no-proc "$DIR/cut.kcap" 2> /dev/null; "$KCAP" convert --json --no-proc "$DIR/next.kcap"; } |
	sed 's/"host":[^,]*,//' | sort > "$DIR/want"
"$KCAP" convert --json --no-proc "$DIR/merged.kcap" | sed 's/"host":[^,]*,//' | sort > "$DIR/out2"
if cmp -s "$DIR/want" "$DIR/out2"; then ok "merge: every recovered event once"; else bad "merge: $(wc -l < "$DIR/out2") events, want $(wc -l < "$DIR/want")"; fi
"$KCAP" convert --json --no-proc "$DIR/cut.kcap" > "$DIR/np.json" 2> /dev/null
"$KCAP" slice --tail 5 --json --no-proc "$DIR/cut.kcap" 2> /dev/null | no_origin > "$DIR/out2"
if tail -n 5 "$DIR/np.json" | cmp -s - "$DIR/out2"; then ok "slice --tail: the last recovered events"; else bad "slice --tail differs"; fi
"$KCAP" slice --tail 5 --json --no-proc < "$DIR/cut.kcap" 2> /dev/null | no_origin > "$DIR/out2"
if tail -n 5 "$DIR/np.json" | cmp -s - "$DIR/out2"; then ok "slice --tail, stdin"; else bad "slice --tail from stdin differs"; fi
"$KCAP" slice --skip $((n - 3)) --json --no-proc "$DIR/cut.kcap" > "$DIR/out2" 2> /dev/null
check "slice --skip: the rest of the recovered events" 3 "$(wc -l < "$DIR/out2" | tr -d ' ')"
"$KCAP" filter 'type=openat' --json "$DIR/cut.kcap" > "$DIR/out2" 2> /dev/null
check "filter on the cut capture" "$(grep -c '"type":"openat"' "$DIR/out")" "$(wc -l < "$DIR/out2" | tr -d ' ')"
# the cut capture followed by another: the recovered events, then all of it
cat "$DIR/cut.kcap" "$DIR/next.kcap" > "$DIR/cut-next.kcap"
"$KCAP" convert --json "$DIR/cut-next.kcap" > "$DIR/out2" 2> "$DIR/err"
check "1 MiB block cut then next: the line" 1 "$(grep -c "cut short by the next section's header: .* $n events recovered" "$DIR/err")"
if { cat "$DIR/out"; "$KCAP" convert --json "$DIR/next.kcap"; } | cmp -s - "$DIR/out2"; then ok "1 MiB block cut then next: both"
else bad "1 MiB block cut then next: events differ"; fi
"$KCAP" cat "$DIR/cut-next.kcap" 2> /dev/null | "$KCAP" convert --json > "$DIR/out3"
if cmp -s "$DIR/out2" "$DIR/out3"; then ok "cat of cut then next: the recovered events, then all of the next"
else bad "cat of cut then next: events differ"; fi

harness_done
