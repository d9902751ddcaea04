#!/bin/sh
# Snapshot updates (format 1.2: process snapshot changes written mid-capture,
# as `convert --from json` writes when a proc object says more than the
# tracker knows; issue 10 item 1, proc objects rebuild the snapshots): a
# reader that seeks (slice --from through the index) applies the updates
# written before the point it seeks to, and `merge -o` keeps them, so both
# give the process context a full read gives.
# usage: snapshot_updates.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/snapupd.$$"

# the cwd of nginx (pid 600) and its children changes half way, with no
# chdir event: only a snapshot update can carry it (small blocks, so a seek
# skips blocks and the updates before it)
"$KCAP" convert --json "$SRC/testdata/synth-1k.kcap" |
	awk 'NR > 500 && /"pid":600,/ { sub(/"cwd":"\/"/, "\"cwd\":\"/srv/later\"") } { print }' >"$DIR/u.json"
"$KCAP" convert --from json --block-size 4k "$DIR/u.json" -o "$DIR/u.kcap"
check "import" 0 $?
WANT=$(grep -c '/srv/later' "$DIR/u.json")
check "full read: every changed line carries the update" "$WANT" \
	"$("$KCAP" filter 'proc.cwd = "/srv/later"' --count "$DIR/u.kcap")"
# the first changed event, and a point past several blocks and updates
T=$(grep -m1 '/srv/later' "$DIR/u.json" | sed 's/.*"ts":\([0-9]*\),.*/\1/')
T2=$(grep '/srv/later' "$DIR/u.json" | sed -n '60s/.*"ts":\([0-9]*\),.*/\1/p')
for t in "$T" "$T2"; do
	"$KCAP" slice --from "$t" "$DIR/u.kcap" --json >"$DIR/seek.json"
	cat "$DIR/u.kcap" | "$KCAP" slice --from "$t" --json >"$DIR/pipe.json"
	check "slice --from $t: a seek through the index gives what a sequential read gives" "" \
		"$(cmp "$DIR/seek.json" "$DIR/pipe.json" 2>&1)"
	check "slice --from $t: updates before the seek point applied" \
		"$(grep -c '/srv/later' "$DIR/pipe.json")" "$(grep -c '/srv/later' "$DIR/seek.json")"
done
check "the seek skipped blocks" 1 "$("$KCAP" info --json "$DIR/u.kcap" | grep -c '"blocks":[1-9][0-9]')"

# merge -o: a second host, then the merged capture's context for synth-host
"$KCAP" synth -n 300 --seed 4 --host other --start 2026-11-21T10:00:00Z -o "$DIR/o.kcap"
"$KCAP" merge "$DIR/u.kcap" "$DIR/o.kcap" -o "$DIR/m.kcap" 2>"$DIR/err"
check "merge: exit" 0 $?
check "merge: no warning that updates are dropped" "" "$(cat "$DIR/err")"
check "merge -o keeps the snapshot updates" "$WANT" \
	"$("$KCAP" filter 'proc.cwd = "/srv/later"' --count "$DIR/m.kcap")"
"$KCAP" filter 'host = "synth-host"' --json "$DIR/m.kcap" | no_origin >"$DIR/m.json"
"$KCAP" convert --json "$DIR/u.kcap" | no_origin >"$DIR/u1.json"
check "merge -o: synth-host's events render as in its input" "" \
	"$(diff "$DIR/u1.json" "$DIR/m.json" 2>&1 | head -c 300)"
harness_done
