#!/bin/sh
# CLI tests of the query tools: `kcap slice` (every time form, seq, head,
# tail, skip, index use), `kcap merge` (united schemas with clashing type ids,
# hosts and sources kept, --concat, unordered input, --sort-window) and
# `kcap replay` (--no-wait, --speed, --max-gap, FIFO, kcap output, errors).
# usage: query_cli.sh KCAP WORKDIR
set -u
KCAP=$1
DIR=$2/query-cli.$$
mkdir -p "$DIR" || exit 1
trap 'rm -rf "$DIR"' EXIT
. "$(dirname "$0")/../harness.sh"
check_true() { # name condition-description; runs "$@" after the name
	name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
lines() { wc -l | tr -d ' '; }
# json field of the first / last line of stdin
first_field() { head -n 1 | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
last_field() { tail -n 1 | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# the "params" object of each JSON line on stdin (params hold no nested objects)
params() { sed 's/.*"params":\({[^}]*}\).*/\1/'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# 20000 events from 2026-11-21T10:00:00Z, about 0.6 s, in 44 small blocks
T=$DIR/t.kcap
"$KCAP" synth -n 20000 --block-size 16K -o "$T" || exit 1
START=1795255200000000000
LAST=$("$KCAP" slice --tail 1 --json "$T" | first_field ts)
check "capture start" "$START" "$("$KCAP" slice --head 1 --json "$T" | first_field ts)"

# ---- slice: time forms, all naming 10:00:00.3Z; [from, to) half-open ------
F=1795255200300000000
TO=1795255200450000000
REF=$("$KCAP" filter "ts >= $F and ts < $TO" --count "$T")
check_true "reference count is a strict part of the capture" test "$REF" -gt 100 -a "$REF" -lt 20000
for from in $F @1795255200.3 2026-11-21T10:00:00.3Z 2026-11-21T11:00:00.300+01:00 2026-11-21T05:00:00.3-0500 \
	"2026-11-21 10:00:00.3" 2026-11-21T10:00:00.3 +300ms +0.3s +300000us +300000000ns +250ms50000us; do
	check "--from '$from' --to @1795255200.45" "$REF" \
		"$("$KCAP" slice --from "$from" --to @1795255200.45 --json "$T" | lines)"
done
check "local time in another zone" "$REF" \
	"$(TZ=Asia/Tokyo "$KCAP" slice --from 2026-11-21T19:00:00.3 --to +450ms --json "$T" | lines)"
out=$("$KCAP" slice --from $F --to $TO --json "$T")
check_true "first event at or after --from" test "$(echo "$out" | first_field ts)" -ge $F
check_true "last event before --to" test "$(echo "$out" | last_field ts)" -lt $TO
check "the event before --from is outside" 0 "$("$KCAP" filter "ts >= $F" --count "$T" |
	awk -v n="$("$KCAP" slice --from $F --json "$T" | lines)" '{print $1 - n}')"
# an event exactly at --from is in, exactly at --to is out
EXACT=$(echo "$out" | sed -n 5p | sed -n 's/.*"ts":\([0-9]*\).*/\1/p')
check "exact ts is inside --from" 1 "$("$KCAP" slice --from "$EXACT" --to "$((EXACT + 1))" --json "$T" | lines)"
check "exact ts is outside --to" 0 "$("$KCAP" slice --from "$((EXACT - 1))" --to "$EXACT" --json "$T" |
	grep -c "\"ts\":$EXACT,")"
# offsets from the end
REF_END=$("$KCAP" filter "ts >= $((LAST - 100000000))" --count "$T")
check "--from -100ms" "$REF_END" "$("$KCAP" slice --from -100ms --json "$T" | lines)"
check "--from -0.1s" "$REF_END" "$("$KCAP" slice --from -0.1s --json "$T" | lines)"
check "--from -100000us" "$REF_END" "$("$KCAP" slice --from -100000us --json "$T" | lines)"
check "--to -100ms" "$((20000 - REF_END))" "$("$KCAP" slice --to -100ms --json "$T" | lines)"
check "units min h d" 20000 "$("$KCAP" slice --from -1h30min --to +1d --json "$T" | lines)"
check "--from past the end" 0 "$("$KCAP" slice --from +1min --json "$T" | lines)"
check "empty range is a valid capture" 0 "$("$KCAP" slice --from +1min "$T" | "$KCAP" filter 'seq > 0' --count)"

# pipes: forward reading; offsets from the start come from the first block
check "pipe --from +300ms" "$("$KCAP" slice --from +300ms --to +450ms --json "$T" | lines)" \
	"$(cat "$T" | "$KCAP" slice --from +300ms --to +450ms --json | lines)"
check "pipe --from ns" "$REF" "$(cat "$T" | "$KCAP" slice --from $F --to $TO --json | lines)"
"$KCAP" slice --from -1s --json < /dev/null > /dev/null 2>&1
cat "$T" | "$KCAP" slice --from -1s --json > /dev/null 2> "$DIR/err"; rc=$?
check "pipe -offset exit" 2 "$rc"
check "pipe -offset message" "kcap slice: (stdin): a time relative to the end (-D) needs an indexed, seekable input" \
	"$(cat "$DIR/err")"

# bad input
"$KCAP" slice --from 2026-11-21X10 "$T" > /dev/null 2> "$DIR/err"; rc=$?
check "bad time exit" 2 "$rc"
check_true "bad time message names the column" grep -q "^kcap slice: --from '2026-11-21X10': expected a time .*; column 11: " "$DIR/err"
"$KCAP" slice --from +10parsecs "$T" > /dev/null 2>&1; check "bad unit exit" 2 $?
"$KCAP" slice --seq 5..3 "$T" > /dev/null 2>&1; check "bad seq exit" 2 $?
"$KCAP" slice --head x "$T" > /dev/null 2>&1; check "bad count exit" 2 $?
"$KCAP" slice --head 1 "$DIR/missing.kcap" > /dev/null 2>&1; check "missing file exit" 1 $?

# ---- slice: seq, head, tail, skip ------------------------------------------
out=$("$KCAP" slice --seq 100..199 --json "$T")
check "--seq 100..199 count" 100 "$(echo "$out" | lines)"
check "--seq first" 100 "$(echo "$out" | first_field seq)"
check "--seq last" 199 "$(echo "$out" | last_field seq)"
check "--seq 19990.." 11 "$("$KCAP" slice --seq 19990.. --json "$T" | lines)"
check "--seq ..5" 5 "$("$KCAP" slice --seq ..5 --json "$T" | lines)"
check "--seq with --from" 0 "$("$KCAP" slice --seq ..5 --from +1ms --json "$T" | lines)"
check "--head 5" "1 5" "$("$KCAP" slice --head 5 --json "$T" | sed -n '1p;$p' | sed 's/{"seq":\([0-9]*\),.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
check "--skip 10 --head 5" "11 15" "$("$KCAP" slice --skip 10 --head 5 --json "$T" | sed -n '1p;$p' | sed 's/{"seq":\([0-9]*\),.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
check "--tail 3" "19998 20000" "$("$KCAP" slice --tail 3 --json "$T" | sed -n '1p;$p' | sed 's/{"seq":\([0-9]*\),.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
check "--tail 3 from a pipe" "19998 20000" "$(cat "$T" | "$KCAP" slice --tail 3 --json | sed -n '1p;$p' | sed 's/{"seq":\([0-9]*\),.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
check "--tail 3 from a redirected file" 3 "$("$KCAP" slice --tail 3 --json < "$T" | lines)"
check "--skip 19998 --tail 5" 2 "$("$KCAP" slice --skip 19998 --tail 5 --json "$T" | lines)"
check "--head 10 --tail 2" "9 10" "$("$KCAP" slice --head 10 --tail 2 --json "$T" | sed -n '1p;$p' | sed 's/{"seq":\([0-9]*\),.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
check "--seq --tail" "198 199" "$("$KCAP" slice --seq 100..199 --tail 2 --json "$T" | sed -n '1p;$p' | sed 's/{"seq":\([0-9]*\),.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
check "--from --tail" "$("$KCAP" slice --from $F --to $TO --json "$T" | tail -n 4 | first_field seq)" \
	"$("$KCAP" slice --from $F --to $TO --tail 4 --json "$T" | first_field seq)"
LASTSEQ=$("$KCAP" slice --tail 1 --json "$T" | first_field seq)
check "--tail over two files" "$((LASTSEQ - 1)) 2" \
	"$("$KCAP" slice --tail 2 --json "$T" "$T" | first_field seq) $("$KCAP" slice --tail 2 --json "$T" "$T" | lines)"
check "--tail 0" 0 "$("$KCAP" slice --tail 0 --json "$T" | lines)"
check "--head across files" 25000 "$("$KCAP" slice --skip 15000 --head 25000 --json "$T" "$T" | lines)"
check "kcap output through a pipe" 100 "$("$KCAP" slice --seq 100..199 "$T" | "$KCAP" filter 'seq > 0' --count)"
check "-o FILE" 100 "$("$KCAP" slice --seq 100..199 -o "$DIR/o.kcap" "$T" && "$KCAP" filter 'seq > 0' --count "$DIR/o.kcap")"
check "text lines" 5 "$("$KCAP" slice --head 5 --text "$T" | lines)"
check "csv rows" 6 "$("$KCAP" slice --head 5 --csv "$T" | lines)"

# ---- slice: index use ------------------------------------------------------
blocks=$("$KCAP" info --json "$T" | sed -n 's/.*"blocks":\([0-9]*\).*/\1/p')
check_true "test capture has many blocks ($blocks)" test "$blocks" -ge 40
stats=$("$KCAP" slice --from +300ms --head 1 --stats "$T" 2>&1 >/dev/null | head -n 1)
echo "# $stats"
check "index seek: 1 block seen" "index used; blocks: 1 seen, 1 decoded, 0 skipped" "${stats##*t.kcap: }"
stats=$("$KCAP" slice --from -50ms --stats "$T" 2>&1 >/dev/null | head -n 1)
seen=$(echo "$stats" | sed -n 's/.*blocks: \([0-9]*\) seen.*/\1/p')
check_true "seek near the end reads only the last blocks ($stats)" test "$seen" -le 6
stats=$("$KCAP" slice --from +300ms --head 1 --no-index --stats "$T" 2>&1 >/dev/null | head -n 1)
echo "# $stats"
seen=$(echo "$stats" | sed -n 's/.*blocks: \([0-9]*\) seen.*/\1/p')
decoded=$(echo "$stats" | sed -n 's/.* \([0-9]*\) decoded.*/\1/p')
check_true "--no-index walks the headers ($seen seen)" test "$seen" -gt 10
check "--no-index still decodes one block" 1 "$decoded"
stats=$(cat "$T" | "$KCAP" slice --from +300ms --head 1 --stats 2>&1 >/dev/null | head -n 1)
echo "# $stats"
check "pipe: skips blocks by their headers" 1 "$(echo "$stats" | sed -n 's/.* \([0-9]*\) decoded.*/\1/p')"
stats=$("$KCAP" slice --seq 10000..10002 --stats "$T" 2>&1 >/dev/null | head -n 1)
echo "# $stats"
check "--seq decodes one block" 1 "$(echo "$stats" | sed -n 's/.* \([0-9]*\) decoded.*/\1/p')"
seen=$(echo "$stats" | sed -n 's/.*blocks: \([0-9]*\) seen.*/\1/p')
check_true "--seq seeks past the first half ($seen seen)" test "$seen" -lt $((blocks / 2 + 2))
stats=$("$KCAP" slice --tail 5 --stats "$T" 2>&1 >/dev/null | tail -n 1)
echo "# $stats"
check "--tail decodes one block" 1 "$(echo "$stats" | sed -n 's/.* \([0-9]*\) decoded.*/\1/p')"

# ---- merge -----------------------------------------------------------------
# Two captures from JSON lines whose types come in different orders, so the
# type ids clash (close=1 in A, write=1 in B), from hosts alpha and beta.
"$KCAP" slice --head 300 --json "$T" | sed 's/"host":"synth-host"/"host":"alpha"/' > "$DIR/a.json"
"$KCAP" slice --skip 2 --head 400 --json "$T" |
	sed 's/"host":"synth-host"/"host":"beta"/; s/"source":"synth"/"source":"audit"/' > "$DIR/b.json"
"$KCAP" convert --from json -o "$DIR/a.kcap" "$DIR/a.json" || exit 1
"$KCAP" convert --from json -o "$DIR/b.kcap" "$DIR/b.json" || exit 1
check "A starts with close" close "$(head -n 1 "$DIR/a.json" | sed 's/.*"type":"\([a-z_0-9]*\)".*/\1/')"
check "B starts with write" write "$(head -n 1 "$DIR/b.json" | sed 's/.*"type":"\([a-z_0-9]*\)".*/\1/')"
M=$DIR/m.kcap
"$KCAP" merge -o "$M" "$DIR/a.kcap" "$DIR/b.kcap"; check "merge exit" 0 $?
check "merged count" 700 "$("$KCAP" filter 'seq > 0' --count "$M")"
for t in close write openat read; do
	na=$(grep -c "\"type\":\"$t\"" "$DIR/a.json")
	nb=$(grep -c "\"type\":\"$t\"" "$DIR/b.json")
	check "type $t kept its name across the id clash" "$((na + nb))" "$("$KCAP" filter "type = $t" --count "$M")"
done
check "filter host = beta" 400 "$("$KCAP" filter 'host = beta' --count "$M")"
check "filter host = alpha and source = synth" 300 "$("$KCAP" filter 'host = alpha and source = synth' --count "$M")"
check "filter source = audit" 400 "$("$KCAP" filter 'source = audit' --count "$M")"
check "json has host and source" 400 "$("$KCAP" merge --json "$DIR/a.kcap" "$DIR/b.kcap" | grep -c '"host":"beta","source":"audit"')"
check "params survive the remap" \
	"$(grep '"seq":7,' "$DIR/b.json" | params)" \
	"$("$KCAP" filter 'seq = 7 and host = beta' --json --no-proc "$M" | params)"
"$KCAP" merge --json "$DIR/a.kcap" "$DIR/b.kcap" | sed -n 's/.*"ts":\([0-9]*\),.*/\1/p' > "$DIR/ts"
check "merged in time order" "$(sort -n "$DIR/ts" | md5sum)" "$(md5sum < "$DIR/ts")"
check "merged file is ordered" '"ordered":true' "$("$KCAP" info --json "$M" | grep -o '"ordered":[a-z]*')"
check "two origins" 2 "$("$KCAP" info --json "$M" | grep -o '"hostname":"[a-z]*"' | sort -u | lines)"
# the same input twice: identical metadata is one origin
check "identical metadata stored once" 1 "$("$KCAP" merge -o - "$DIR/a.kcap" "$DIR/a.kcap" | "$KCAP" info --json - | grep -o '"hostname":"[a-z]*"' | lines)"
# synth captures: real schemas with symsets
"$KCAP" synth -n 3000 -s 7 -o "$DIR/s7.kcap" || exit 1
check "merge of synth captures" 23000 "$("$KCAP" merge "$T" "$DIR/s7.kcap" | "$KCAP" filter 'seq > 0' --count)"
first=$("$KCAP" filter 'type = openat' --json --no-proc "$DIR/s7.kcap" | head -n 1)
S=$(echo "$first" | first_field seq)
TS=$(echo "$first" | first_field ts)
check "symbolic flags and params after merge" "$(echo "$first" | params)" \
	"$("$KCAP" merge "$T" "$DIR/s7.kcap" | "$KCAP" filter "type = openat and seq = $S and ts = $TS" --json --no-proc |
	   params)"
check "json proc object per input" "/usr/bin/python3.11" \
	"$("$KCAP" merge --json "$T" "$DIR/s7.kcap" | grep '"comm":"python3"' | head -n 1 | sed -n 's/.*"proc":{"pid":[0-9]*,"ppid":[0-9-]*,"uid":[0-9]*,"gid":[0-9]*,"comm":"[^"]*","exe":"\([^"]*\)".*/\1/p')"
check "one host: snapshot carried into the kcap output" "/usr/bin/python3.11" \
	"$("$KCAP" merge "$T" "$DIR/s7.kcap" | "$KCAP" filter 'comm = python3' --json | head -n 1 | sed -n 's/.*"proc":{"pid":[0-9]*,"ppid":[0-9-]*,"uid":[0-9]*,"gid":[0-9]*,"comm":"[^"]*","exe":"\([^"]*\)".*/\1/p')"
check "merge --no-proc" 0 "$("$KCAP" merge --json --no-proc "$T" "$DIR/s7.kcap" | grep -c '"proc"')"
check "--level 0 (uncompressed) output" 23000 "$("$KCAP" merge --level 0 "$T" "$DIR/s7.kcap" | "$KCAP" filter 'seq > 0' --count)"
check "--level -1 --no-thread output" 23000 "$("$KCAP" merge --level=-1 --no-thread "$T" "$DIR/s7.kcap" | "$KCAP" filter 'seq > 0' --count)"
# Kcap output copies each event's record without decoding its params;
# --decode-all (not in the help) decodes and encodes every event instead:
# the outputs must be the same bytes, merged or concatenated, with or
# without the writer thread, across the type id clash of A and B.
for opts in "" --no-thread --concat "--level 0"; do
	# shellcheck disable=SC2086 # opts is a list of words
	"$KCAP" merge $opts -o "$DIR/r1.kcap" "$T" "$DIR/s7.kcap" "$DIR/a.kcap" "$DIR/b.kcap"
	# shellcheck disable=SC2086
	"$KCAP" merge $opts --decode-all -o "$DIR/r2.kcap" "$T" "$DIR/s7.kcap" "$DIR/a.kcap" "$DIR/b.kcap"
	check_true "records copied: the bytes of decode+encode (${opts:-default})" cmp -s "$DIR/r1.kcap" "$DIR/r2.kcap"
done
# and the events of the inputs, as JSON lines
for f in "$T" "$DIR/s7.kcap" "$DIR/a.kcap" "$DIR/b.kcap"; do "$KCAP" convert --json --no-proc "$f"; done |
	sort > "$DIR/in.json"
"$KCAP" merge -o "$DIR/r1.kcap" "$T" "$DIR/s7.kcap" "$DIR/a.kcap" "$DIR/b.kcap"
check "merged records: the inputs' events as JSON" "$(md5sum < "$DIR/in.json")" \
	"$("$KCAP" convert --json --no-proc "$DIR/r1.kcap" | sort | md5sum)"
"$KCAP" merge --level 23 "$T" > /dev/null 2>&1; check "bad --level exit" 2 $?
# --concat
out=$("$KCAP" merge --concat --json "$DIR/a.kcap" "$DIR/b.kcap")
check "--concat count" 700 "$(echo "$out" | lines)"
check "--concat keeps input order" "alpha beta" \
	"$(echo "$out" | sed -n '1p;$p' | sed 's/.*"host":"\([a-z]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')"
# an input out of time order
(sed -n 1,2p "$DIR/a.json"; sed -n 4p "$DIR/a.json"; sed -n 3p "$DIR/a.json"; sed -n '5,$p' "$DIR/a.json") > "$DIR/u.json"
"$KCAP" convert --from json -o "$DIR/u.kcap" "$DIR/u.json" || exit 1
"$KCAP" merge -o "$DIR/x.kcap" "$DIR/b.kcap" "$DIR/u.kcap" 2> "$DIR/err"; rc=$?
check "unordered input exit" 1 "$rc"
check_true "unordered input message names file and seq ($(cat "$DIR/err"))" \
	grep -q "^kcap merge: $DIR/u.kcap: events not in time order: seq 3 at " "$DIR/err"
out=$("$KCAP" merge --sort-window 1ms --json "$DIR/b.kcap" "$DIR/u.kcap")
check "--sort-window repairs it" 700 "$(echo "$out" | lines)"
echo "$out" | sed -n 's/.*"ts":\([0-9]*\),.*/\1/p' > "$DIR/ts"
check "--sort-window output in time order" "$(sort -n "$DIR/ts" | md5sum)" "$(md5sum < "$DIR/ts")"
check "--concat accepts it" 700 "$("$KCAP" merge --concat --json "$DIR/b.kcap" "$DIR/u.kcap" | lines)"
"$KCAP" merge --sort-window 1ms "$DIR/b.kcap" "$DIR/u.kcap" -o "$DIR/w.kcap"
check "--sort-window: seq 3 of alpha after seq 4's time" 1 "$("$KCAP" filter 'host = alpha and seq = 3' --count "$DIR/w.kcap")"
(sed -n 1,2p "$DIR/a.json"; sed -n 4,6p "$DIR/a.json"; sed -n 3p "$DIR/a.json"; sed -n '7,$p' "$DIR/a.json") > "$DIR/u2.json"
"$KCAP" convert --from json -o "$DIR/u2.kcap" "$DIR/u2.json" || exit 1
"$KCAP" merge --sort-window 1us -o /dev/null "$DIR/u2.kcap" 2> "$DIR/err"; rc=$?
check "window too small exit" 1 "$rc"
check_true "window too small message ($(cat "$DIR/err"))" grep -q "seq 3 at .*, beyond the --sort-window" "$DIR/err"
check "a wide enough window" 300 "$("$KCAP" merge --sort-window 200us --json "$DIR/u2.kcap" | lines)"
"$KCAP" merge > /dev/null 2>&1; check "no inputs exit" 2 $?
"$KCAP" merge --sort-window x "$T" > /dev/null 2>&1; check "bad window exit" 2 $?

# ---- replay ----------------------------------------------------------------
# a 2 s slice (about 66k events) of a 3 s capture
"$KCAP" synth -n 100000 -o "$DIR/r.kcap" || exit 1
"$KCAP" slice --from +0.5s --to +2.5s -o "$DIR/r2.kcap" "$DIR/r.kcap" || exit 1
N2=$("$KCAP" filter 'seq > 0' --count "$DIR/r2.kcap")
t0=$(now_ms)
check "--no-wait all events" "$N2" "$("$KCAP" replay --no-wait --json "$DIR/r2.kcap" | lines)"
t1=$(now_ms)
check_true "--no-wait is fast ($((t1 - t0)) ms for 2 s)" test $((t1 - t0)) -lt 1500
# pacing checks on a sparse 2 s capture (about 1 event in 12), so that a busy
# machine cannot make the replay fall behind its schedule
"$KCAP" filter 'type = connect or type = accept4 or type = clone' -o "$DIR/sparse.kcap" "$DIR/r2.kcap"
NS=$("$KCAP" filter 'seq > 0' --count "$DIR/sparse.kcap")
SPAN=$(( ($("$KCAP" slice --tail 1 --json "$DIR/sparse.kcap" | first_field ts) - $("$KCAP" slice --head 1 --json "$DIR/sparse.kcap" | first_field ts)) / 1000000 ))
check_true "sparse capture ($NS events over $SPAN ms)" test "$NS" -gt 1000 -a "$SPAN" -gt 1900
t0=$(now_ms)
check "--speed 4 all events" "$NS" "$("$KCAP" replay --speed 4 --json "$DIR/sparse.kcap" | lines)"
t1=$(now_ms)
check_true "--speed 4 takes span/4 = $((SPAN / 4)) ms ($((t1 - t0)) ms)" test $((t1 - t0)) -ge $((SPAN / 4)) -a $((t1 - t0)) -lt $((SPAN / 4 + 1500))
NSL=$("$KCAP" slice --from +0.5s --to +0.7s --json "$DIR/sparse.kcap" | lines)
t0=$(now_ms)
check "--speed 0.5 all events" "$NSL" "$("$KCAP" slice --from +0.5s --to +0.7s "$DIR/sparse.kcap" | "$KCAP" replay --speed 0.5 --text | lines)"
t1=$(now_ms)
check_true "--speed 0.5 on 0.2 s takes about 0.4 s ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 380 -a $((t1 - t0)) -lt 1900
# a capture with a 2.3 s idle gap: --max-gap 100ms shortens it
"$KCAP" filter 'type = connect or type = accept4' "$DIR/r.kcap" | "$KCAP" slice --from +0s --to +0.1s -o "$DIR/g1.kcap"
"$KCAP" filter 'type = connect or type = accept4' "$DIR/r.kcap" | "$KCAP" slice --from +2.4s --to +2.5s -o "$DIR/g2.kcap"
"$KCAP" merge -o "$DIR/gap.kcap" "$DIR/g1.kcap" "$DIR/g2.kcap"
NG=$("$KCAP" filter 'seq > 0' --count "$DIR/gap.kcap")
t0=$(now_ms)
check "--max-gap all events" "$NG" "$("$KCAP" replay --max-gap 100ms --json "$DIR/gap.kcap" | lines)"
t1=$(now_ms)
check_true "--max-gap 100ms: about 0.3 s instead of 2.5 s ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 280 -a $((t1 - t0)) -lt 2000
t0=$(now_ms)
"$KCAP" replay --json "$DIR/gap.kcap" > /dev/null
t1=$(now_ms)
check_true "without --max-gap the gap is waited ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 2450
# paced kcap output: a valid capture, one block per flush
check "paced kcap output" "$NG" "$("$KCAP" replay --speed 5 "$DIR/gap.kcap" | "$KCAP" filter 'seq > 0' --count)"
check "--no-wait kcap output" "$N2" "$("$KCAP" replay --no-wait "$DIR/r2.kcap" | "$KCAP" filter 'seq > 0' --count)"
# kcap output carries the process snapshot: the replayed stream renders with
# the same process context as the file
"$KCAP" replay --no-wait "$DIR/r2.kcap" > "$DIR/r2-replayed.kcap"
check "kcap output keeps the snapshot" "$("$KCAP" info --json "$DIR/r2.kcap" | jq -c .snapshots)" \
	"$("$KCAP" info --json "$DIR/r2-replayed.kcap" | jq -c .snapshots)"
check "kcap output: same JSON, proc objects included" "$("$KCAP" convert --json "$DIR/r2.kcap" | cksum)" \
	"$("$KCAP" convert --json "$DIR/r2-replayed.kcap" | cksum)"
check "from stdin" "$N2" "$("$KCAP" replay --no-wait --json < "$DIR/r2.kcap" | lines)"
check "two files" "$((2 * NG))" "$("$KCAP" replay --no-wait --json "$DIR/gap.kcap" "$DIR/gap.kcap" | lines)"
check "csv" "$((NG + 1))" "$("$KCAP" replay --no-wait --csv "$DIR/gap.kcap" | lines)"
check "replay json has proc" "$NG" "$("$KCAP" replay --no-wait --json "$DIR/gap.kcap" | grep -c '"proc":{"pid"')"
check "replay --no-proc" 0 "$("$KCAP" replay --no-wait --json --no-proc "$DIR/gap.kcap" | grep -c '"proc"')"
# --to a FIFO
mkfifo "$DIR/fifo"
cat "$DIR/fifo" > "$DIR/fifo.out" &
catpid=$!
"$KCAP" replay --speed 10 --json --to "$DIR/fifo" "$DIR/gap.kcap"; rc=$?
wait $catpid
check "--to FIFO exit" 0 "$rc"
check "--to FIFO events" "$NG" "$(lines < "$DIR/fifo.out")"
# errors
"$KCAP" replay --speed 0 "$DIR/gap.kcap" > /dev/null 2>&1; check "--speed 0 exit" 2 $?
"$KCAP" replay --speed fast "$DIR/gap.kcap" > /dev/null 2>&1; check "bad --speed exit" 2 $?
"$KCAP" replay --max-gap -1s "$DIR/gap.kcap" > /dev/null 2>&1; check "bad --max-gap exit" 2 $?
"$KCAP" replay --to "$DIR/nothing" "$DIR/gap.kcap" 2> "$DIR/err"; rc=$?
check "--to missing path exit" 1 "$rc"
check_true "--to missing path message" grep -q "kcap replay: --to $DIR/nothing: No such file" "$DIR/err"
"$KCAP" replay --json "$DIR/r2.kcap" 2>/dev/null | head -n 1 > /dev/null; rc=$?
check "reader going away ends the replay" 0 "$rc"
"$KCAP" replay --json "$DIR/r2.kcap" 2> "$DIR/err" | head -n 1 > /dev/null
check "quiet when stdout's reader goes away" "" "$(cat "$DIR/err")"
for c in slice merge replay; do
	"$KCAP" $c --help > "$DIR/help" 2>&1; rc=$?
	check "$c --help" "0 usage: kcap $c" "$rc $(head -c $((12 + ${#c})) "$DIR/help")"
done
harness_done
