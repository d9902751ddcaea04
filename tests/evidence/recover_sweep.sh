#!/bin/sh
# kcap recover (issue 14 §2) over the robustness suite's two sweeps, a
# truncation at and inside every block and a flipped byte in every part of
# every block (header, meta, body, trailer): each output verifies intact as
# recovered, holds every event convert delivers from the damaged input and
# gives the same JSON for them; the damage is in its metadata. With
# --ignore-crc the output holds those events and more, flagged unverified.
# usage: recover_sweep.sh KCAP WORKDIR
set -u
KCAP=$1
. "$(dirname "$0")/../harness.sh"
harness_workdir "$2/recover-sweep.$$"
KB="python3 $(dirname "$0")/kblocks.py"

"$KCAP" synth -n 2000 --seed 7 --block-size 16k -o "$DIR/a.kcap" || exit 1
$KB list "$DIR/a.kcap" > "$DIR/blocks"
size=$(wc -c < "$DIR/a.kcap")
n=0
# truncations: half way into each structure, and at every other one's start
while read -r i off len typ; do
	cuts=$((off + len / 2))
	[ $((i % 2)) = 0 ] && cuts="$off $cuts"
	for cut in $cuts; do
		[ "$cut" -gt 0 ] && [ "$cut" -lt "$size" ] || continue
		n=$((n + 1))
		head -c "$cut" "$DIR/a.kcap" > "$DIR/case-$n.kcap"
		echo "$n trunc@$cut" >> "$DIR/cases"
	done
done < "$DIR/blocks"
# byte flips: block header, meta, body, trailer
while read -r i off len typ; do
	for at in $((off + 5)) $((off + 24)) $((off + len / 2)) $((off + len - 2)); do
		[ "$at" -lt $((off + len)) ] || continue
		n=$((n + 1))
		$KB flip "$DIR/a.kcap" "$DIR/case-$n.kcap" "$at"
		[ "$at" = $((off + len / 2)) ] && echo "$n flip@$at body" >> "$DIR/cases" || echo "$n flip@$at" >> "$DIR/cases"
	done
done < "$DIR/blocks"

exit_bad=0 verify_bad=0 json_bad=0 meta_bad=0 unv_bad=0 unv_cases=0
while read -r k what; do
	D=$DIR/case-$k.kcap R=$DIR/rec-$k.kcap
	# the first line of an origin carries its metadata ("origin"), which
	# recover adds to (recovered_from, ...): compared without it
	"$KCAP" convert --json "$D" 2> /dev/null | sed 's/,"origin":{.*}}$/}/' > "$DIR/d.json"
	"$KCAP" recover "$D" -o "$R" 2> /dev/null
	rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
		# nothing could be read: then convert had nothing either
		if [ "$rc" = 1 ] && [ ! -s "$DIR/d.json" ] && [ ! -e "$R" ]; then continue; fi
		bad "$what: recover exit $rc"
		exit_bad=$((exit_bad + 1))
		continue
	fi
	v=$("$KCAP" verify "$R")
	if [ $? != 0 ] || ! echo "$v" | grep -q ": intact: .*recovered by kcap recover from "; then
		bad "$what: the recovered file does not verify intact as recovered: $v"
		verify_bad=$((verify_bad + 1))
	fi
	"$KCAP" convert --json "$R" 2> /dev/null | sed 's/,"origin":{.*}}$/}/' > "$DIR/r.json"
	if ! cmp -s "$DIR/d.json" "$DIR/r.json"; then
		bad "$what: the recovered events are not those convert delivers from the damaged input"
		json_bad=$((json_bad + 1))
	fi
	if [ "$rc" = 3 ]; then
		"$KCAP" info "$R" > "$DIR/info"
		# in the metadata, or (a capture whose metadata block was lost) in
		# the loss counters, one per region
		if ! grep -q "recovered-damage@[0-9]" "$DIR/info" || { ! grep -q "recovered_from *$D" "$DIR/info" &&
		   grep -q "^Origin 0" "$DIR/info"; }; then
			bad "$what: info on the recovered file does not show the damage: $(grep recovered "$DIR/info")"
			meta_bad=$((meta_bad + 1))
		fi
	fi
	case $what in flip@*body)
		"$KCAP" recover --ignore-crc "$D" -o "$R.i" 2> /dev/null
		"$KCAP" convert --json --no-proc "$R.i" 2> /dev/null | sed 's/,"origin":{.*}}$/}/' > "$DIR/ri.json"
		"$KCAP" convert --json --no-proc "$D" 2> /dev/null | sed 's/,"origin":{.*}}$/}/' > "$DIR/dn.json"
		# every event convert delivers is there, with the same JSON (without
		# the proc object: an unverified fork or exec changes the process
		# context of the events after it)
		if ! python3 - "$DIR/dn.json" "$DIR/ri.json" <<'PY'
import sys, collections
d = collections.Counter(open(sys.argv[1]).read().splitlines())
r = collections.Counter(open(sys.argv[2]).read().splitlines())
sys.exit(0 if not (d - r) else 1)
PY
		then
			bad "$what: --ignore-crc lost an event convert delivers"
			unv_bad=$((unv_bad + 1))
		fi
		extra=$(( $(wc -l < "$DIR/ri.json") - $(wc -l < "$DIR/dn.json") ))
		vj=$("$KCAP" verify --json "$R.i")
		unv=$(echo "$vj" | python3 -c 'import json,sys; print(json.load(sys.stdin)["unverified_events"])')
		if [ "$extra" -gt 0 ]; then
			unv_cases=$((unv_cases + 1))
			verdict=$(echo "$vj" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
			if [ "$unv" != "$extra" ] || [ "$verdict" != unverified ] ||
			   ! "$KCAP" info "$R.i" | grep -q "recovered_unverified_events $extra"; then
				bad "$what: $extra events more with --ignore-crc, but verify says $unv unverified ($verdict)"
				unv_bad=$((unv_bad + 1))
			fi
		fi ;;
	esac
done < "$DIR/cases"
echo "not a capture" > "$DIR/x.txt"
"$KCAP" recover "$DIR/x.txt" -o "$DIR/x.kcap" 2> /dev/null
check "recover of a file that is not a capture: exit 1" 1 "$?"
check "recover of a file that is not a capture: no output" no "$([ -e "$DIR/x.kcap" ] && echo yes || echo no)"
"$KCAP" recover "$DIR/a.kcap" -o "$DIR/clean.kcap" 2> /dev/null
check "recover of an intact capture: exit 0" 0 "$?"
check "recover of an intact capture: the same events" "$("$KCAP" convert --json "$DIR/a.kcap" | sed 's/,"origin":{.*}}$/}/' | cksum)" \
	"$("$KCAP" convert --json "$DIR/clean.kcap" | sed 's/,"origin":{.*}}$/}/' | cksum)"
total=$(wc -l < "$DIR/cases" | tr -d ' ')
check "recover exits 0 or 3 (or 1 with nothing to read) on all $total cases" 0 "$exit_bad"
check "every recovered file verifies intact, recovered" 0 "$verify_bad"
check "every recovered file holds convert's events, same JSON" 0 "$json_bad"
check "every recovered file shows its damage in info" 0 "$meta_bad"
check "--ignore-crc keeps convert's events, its extra ones flagged unverified" 0 "$unv_bad"
if [ "$unv_cases" -gt 0 ]; then ok "--ignore-crc recovered more events in $unv_cases flip cases"
else bad "--ignore-crc never recovered more events than convert"; fi
check "the sweeps made their cases" 1 "$([ "$total" -gt 45 ] && echo 1)"
check "input unmodified by the sweep" "$(cksum < "$DIR/case-1.kcap")" "$(head -c "$(wc -c < "$DIR/case-1.kcap")" "$DIR/a.kcap" | cksum)"
harness_done
