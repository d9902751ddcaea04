#!/bin/sh
# CLI test of times (docs/CLI.md "VALUES" and "Times in text and CSV"):
# --local and -t a|r|d on every command that renders text, the same in each;
# JSON untouched; journalctl's time forms in slice and filter, with the clock
# fixed by KCAP_NOW.
# usage: times_cli.sh KCAP SOURCE_DIR WORKDIR
set -u
KCAP=$1
T=$2/testdata/synth-1k.kcap
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/times-cli.$$"
first() { head -n "$1" | cut -d' ' -f1-3; } # seq, time, cpu of the first N lines

# ---- --local: the zone of TZ, with its offset; UTC stays the default -------
check "text in UTC by default, whatever TZ" \
	"1 2026-11-21T10:00:00.000000000Z cpu3
2 2026-11-21T10:00:00.000026494Z cpu0" \
	"$(TZ=Asia/Kolkata "$KCAP" convert --text "$T" | first 2)"
check "--local, TZ=Asia/Kolkata" \
	"1 2026-11-21T15:30:00.000000000+05:30 cpu3
2 2026-11-21T15:30:00.000026494+05:30 cpu0" \
	"$(TZ=Asia/Kolkata "$KCAP" convert --text --local "$T" | first 2)"
check "--local, TZ=UTC" \
	"1 2026-11-21T10:00:00.000000000+00:00 cpu3
2 2026-11-21T10:00:00.000026494+00:00 cpu0" \
	"$(TZ=UTC "$KCAP" convert --text --local "$T" | first 2)"
check "--local, TZ=America/St_Johns (-03:30)" \
	"1000 2026-11-21T06:30:00.030611331-03:30 cpu2" \
	"$(TZ=America/St_Johns "$KCAP" convert --text --local "$T" | tail -n 1 | first 1)"
check "--local: CSV time column" \
	"seq,time
1,2026-11-21T15:30:00.000000000+05:30
2,2026-11-21T15:30:00.000026494+05:30" \
	"$(TZ=Asia/Kolkata "$KCAP" convert --csv --fields seq,time --local "$T" | head -n 3 | tr -d '\r')"
"$KCAP" convert --json "$T" > "$DIR/utc.json"
TZ=Asia/Kolkata "$KCAP" convert --json --local -t d "$T" > "$DIR/local.json"
cmp -s "$DIR/utc.json" "$DIR/local.json" && ok "JSON stays UTC with --local -t d" || bad "JSON changed with --local -t d"
"$KCAP" convert --text "$T" > "$DIR/a0.txt"
"$KCAP" convert --text -t a "$T" > "$DIR/a1.txt"
cmp -s "$DIR/a0.txt" "$DIR/a1.txt" && ok "-t a is the default" || bad "-t a differs from the default"

# ---- -t r and -t d, tshark's letters, on the events shown -----------------
# ts of seqs 6..9: ...124962, ...168836, ...206030, ...256216 ns after T0
check "-t r: since the first event shown" \
	"6 0.000000000 cpu1
7 0.000043874 cpu2
8 0.000081068 cpu2
9 0.000131254 cpu3" \
	"$("$KCAP" slice --text -t r --skip 5 --head 4 "$T" | first 4)"
check "-t d: since the previous event shown" \
	"6 0.000000000 cpu1
7 0.000043874 cpu2
8 0.000037194 cpu2
9 0.000050186 cpu3" \
	"$("$KCAP" slice --text -t d --skip 5 --head 4 "$T" | first 4)"
check "--time-format d after a filter: the previous match, not the previous event" \
	"1 0.000000000 cpu3
3 0.000029843 cpu3" \
	"$("$KCAP" filter 'seq in (1, 3)' --text --time-format d "$T" | first 2)"
check "-t r: the last event" "1000 0.030611331 cpu2" "$("$KCAP" convert --text -t r "$T" | tail -n 1 | first 1)"
check "-t d in CSV" \
	"seq,time
1,0.000000000
2,0.000026494
3,0.000003349" \
	"$("$KCAP" convert --csv --fields seq,time -t d "$T" | head -n 4 | tr -d '\r')"
# the one option of every command that renders text
"$KCAP" convert --text -t d "$T" > "$DIR/want"
for c in "cat --text -t d" "convert --text -t d" "filter seq>0 --text -t d" "slice --text -t d" \
         "merge --text -t d" "replay -n --text --time-format d"; do
	# shellcheck disable=SC2086
	"$KCAP" $c "$T" > "$DIR/got" 2> "$DIR/err"
	cmp -s "$DIR/want" "$DIR/got" && ok "$c: same text" || bad "$c: $(diff "$DIR/want" "$DIR/got" | head -n 3) $(cat "$DIR/err")"
done
for c in cat convert filter slice merge replay; do
	"$KCAP" $c --help | grep -q -- "--local " && ok "$c --help: --local" || bad "$c --help lacks --local"
	"$KCAP" $c --help | grep -q -- "--time-format F" && ok "$c --help: --time-format" || bad "$c --help lacks --time-format"
done
"$KCAP" convert --text -t x "$T" > /dev/null 2> "$DIR/err"
check "-t x: exit" 2 $?
check "-t x: one line" "kcap convert: -t 'x': expected a (absolute), r (relative to the first event) or d (delta)" \
	"$(cat "$DIR/err")"
"$KCAP" replay -n --text --time-format ad "$T" > /dev/null 2> "$DIR/err"
check "--time-format ad: one line" \
	"kcap replay: --time-format 'ad': expected a (absolute), r (relative to the first event) or d (delta)" \
	"$(cat "$DIR/err")"

# ---- journalctl's time forms, with a fixed clock ---------------------------
# the capture: 1000 events from 2026-11-21T10:00:00Z to 10:00:00.030611331Z;
# the last 20 are at 10:00:00.03 or later
n() { "$KCAP" slice --json "$@" "$T" | wc -l | tr -d ' '; }
NOW=2026-11-21T10:00:00.5Z
check "slice --from \"470 ms ago\"" 20 "$(KCAP_NOW=$NOW n --from "470 ms ago")"
check "slice --from '0.47s ago' --to now" 20 "$(KCAP_NOW=$NOW n --from 0.47s\ ago --to now)"
check "slice --to \"1 h ago\"" 0 "$(KCAP_NOW=$NOW n --to "1 h ago")"
check "slice --from today --to tomorrow" 1000 "$(KCAP_NOW=$NOW n --from today --to tomorrow)"
check "slice --from yesterday --to today" 0 "$(KCAP_NOW=$NOW n --from yesterday --to today)"
check "filter ts >= \"470 ms ago\"" 20 "$(KCAP_NOW=$NOW "$KCAP" filter 'ts >= "470 ms ago"' -c "$T")"
check "filter ts < yesterday" 0 "$(KCAP_NOW=2026-11-22T23:00:00Z "$KCAP" filter 'ts < yesterday' -c "$T")"
check "filter ts >= yesterday, a day later" 1000 "$(KCAP_NOW=2026-11-22T23:00:00Z "$KCAP" filter 'ts >= yesterday' -c "$T")"
# a time of day on the capture's first day: local, or UTC with Z
check "slice --from 10:00:00.03, TZ=UTC" 20 "$(TZ=UTC n --from 10:00:00.03)"
check "slice --from 15:30:00.03, TZ=Asia/Kolkata" 20 "$(TZ=Asia/Kolkata n --from 15:30:00.03)"
check "slice --from 10:00:00.03Z, TZ=Asia/Kolkata" 20 "$(TZ=Asia/Kolkata n --from 10:00:00.03Z)"
check "slice --from 10:00:00.03, TZ=Asia/Kolkata (04:30 UTC)" 1000 "$(TZ=Asia/Kolkata n --from 10:00:00.03)"
check "filter ts < 10:00:00.03 (local, TZ=UTC)" 980 "$(TZ=UTC "$KCAP" filter 'ts < 10:00:00.03' -c "$T")"
check "filter ts < 15:30:00.03 (TZ=Asia/Kolkata)" 980 "$(TZ=Asia/Kolkata "$KCAP" filter 'ts < 15:30:00.03' -c "$T")"
"$KCAP" slice --from 10:00:02 --to 10:00:01 "$T" > /dev/null 2> "$DIR/err"
check "slice times of day, empty range: exit" 2 $?
check "slice times of day, empty range: message" \
	"kcap slice: --from '10:00:02' --to '10:00:01': empty range (--from must come before --to)" "$(cat "$DIR/err")"
KCAP_NOW=$NOW "$KCAP" slice --from now --to "1 min ago" "$T" > /dev/null 2> "$DIR/err"
check "slice --from now --to '1 min ago': exit" 2 $?
"$KCAP" slice --from "10 mn ago" "$T" > /dev/null 2> "$DIR/err"
check "bad ago: exit" 2 $?
check "bad ago: the column" \
	"kcap slice: --from '10 mn ago': expected a time (e.g. 2026-11-21T10:00:00Z, 1795255200, @1795255200.5, 06:38:12, yesterday, \"10 min ago\", +10s, -1min); column 4: unknown unit 'mn' (ns, us, µs, ms, s, m, min, h, d)" \
	"$(cat "$DIR/err")"
"$KCAP" filter 'ts > "1 5s ago"' "$T" > /dev/null 2> "$DIR/err"
check "filter bad ago: exit" 2 $?
check "filter bad ago: the column" "kcap filter: column 9: bad time '1 5s ago': a blank between two numbers" \
	"$(head -n 1 "$DIR/err")"
KCAP_NOW=soon "$KCAP" slice --from now "$T" > /dev/null 2> "$DIR/err"
check "bad KCAP_NOW: exit" 2 $?
check "bad KCAP_NOW: one line" "kcap slice: KCAP_NOW 'soon': expected an absolute time (e.g. 2026-11-21T10:00:00Z)" \
	"$(cat "$DIR/err")"
KCAP_NOW=soon "$KCAP" slice --from +0s --head 1 --json "$T" > /dev/null 2>&1
check "KCAP_NOW is read only for times relative to now" 0 $?

harness_done
