#!/bin/sh
# CLI test of the one value grammar (docs/CLI.md "Values"): every option
# reads counts, sizes, durations, levels, reals and times the same way, a bad
# value is one line "kcap CMD: OPT 'VALUE': expected ..." and exit 2.
# The recorder is never started: a valid record option leads to the next
# check ("an output is required"), an invalid one to its own error line.
# usage: values_cli.sh KCAP WORKDIR
set -u
KCAP=$1
. "$(dirname "$0")/../harness.sh"
harness_workdir "$2/values-cli.$$"
count() { "$KCAP" filter 'seq > 0' --count "$@"; }

T=$DIR/t.kcap
"$KCAP" synth -n 2000 -o "$T" || exit 1

# ---- counts are checked: no wrap-around to 2^64 - 5 events -------------
for n in -5 18446744073709551616 -0 1x ""; do
	t0=$(date +%s)
	timeout 10 "$KCAP" synth -n "$n" -o "$DIR/n.kcap" 2> "$DIR/err"; rc=$?
	check "synth -n '$n' exit" 2 "$rc"
	check_t=$(($(date +%s) - t0))
	[ "$check_t" -le 2 ] && ok "synth -n '$n' fails at once" || bad "synth -n '$n' ran ${check_t}s"
	[ ! -e "$DIR/n.kcap" ] && ok "synth -n '$n' wrote nothing" || bad "synth -n '$n' wrote $(wc -c < "$DIR/n.kcap") bytes"
	rm -f "$DIR/n.kcap"
	check "synth -n '$n': one error line" 1 "$(wc -l < "$DIR/err" | tr -d ' ')"
	grep -q "^kcap synth: -n '$n': expected a count" "$DIR/err" && ok "synth -n '$n' message" ||
		bad "synth -n '$n' message: $(cat "$DIR/err")"
done
"$KCAP" slice --head -1 "$T" > /dev/null 2> "$DIR/err"; check "slice --head -1 exit" 2 $?
grep -q "^kcap slice: --head '-1': expected a count (an unsigned integer, e.g. 100); column 1: a count cannot be negative$" \
	"$DIR/err" && ok "slice --head -1 message" || bad "slice --head -1 message: $(cat "$DIR/err")"
"$KCAP" slice --tail 18446744073709551616 "$T" > /dev/null 2>&1; check "slice --tail 2^64 exit" 2 $?
check "synth --seed 0x10 (hex count)" 0 "$("$KCAP" synth -n 10 --seed 0x10 -o - | "$KCAP" slice --head 0 | count)"

# ---- durations: record and merge read the same strings -----------------
# the recorder needs an output after its options: a valid --duration gets
# that far, an invalid one stops at itself
record_dur() { "$KCAP" record --duration "$1" 2>&1 >/dev/null; }
for d in 1m 5min 1m30s 1h30m 500ms 1.5s 2h 1d 250us 250µs 1000ns +10s; do
	check "record --duration $d is a duration" \
		"kcap record: an output is required: -o FILE or -o - (see kcap record --help)" "$(record_dur "$d")"
	check "merge --sort-window $d works" 2000 "$("$KCAP" merge --sort-window "$d" "$T" | count)"
	"$KCAP" replay --no-wait --max-gap "$d" "$T" > /dev/null; check "replay --max-gap $d exit" 0 $?
done
for d in 10 1x 5sec -1s 1.5 "" m 5M; do
	msg=$(record_dur "$d")
	case $msg in
	"kcap record: --duration '$d': expected a duration (e.g. 500ms, 5m)"*) ok "record --duration '$d' refused" ;;
	*) bad "record --duration '$d': $msg" ;;
	esac
	"$KCAP" merge --sort-window "$d" "$T" > /dev/null 2> "$DIR/err"; rc=$?
	check "merge --sort-window '$d' exit" 2 "$rc"
	grep -q "^kcap merge: --sort-window '$d': expected a duration (e.g. 500ms, 5m)" "$DIR/err" &&
		ok "merge --sort-window '$d' message" || bad "merge --sort-window '$d' message: $(cat "$DIR/err")"
done
check "the error names the column and the units" \
	"kcap merge: --sort-window '1h5x': expected a duration (e.g. 500ms, 5m); column 4: unknown unit 'x' (ns, us, µs, ms, s, m, min, h, d)" \
	"$("$KCAP" merge --sort-window 1h5x "$T" 2>&1 >/dev/null)"
check "5m and 5min are the same window" "$("$KCAP" merge --sort-window 5min --json "$T" | md5sum)" \
	"$("$KCAP" merge --sort-window 5m --json "$T" | md5sum)"
check "record --duration 0 refused" \
	"kcap record: --duration '0': expected a duration above 0 (e.g. 500ms, 5m)" "$(record_dur 0)"
check "record --reorder-window 0 is allowed" "kcap record: an output is required: -o FILE or -o - (see kcap record --help)" \
	"$("$KCAP" record --reorder-window 0 2>&1 >/dev/null)"
check "record --rotate-time 5m" "kcap record: an output is required: -o FILE or -o - (see kcap record --help)" \
	"$("$KCAP" record --rotate-time 5m 2>&1 >/dev/null)"

# ---- sizes ---------------------------------------------------------------
# every command that writes kcap takes OPT VALUE: convert, merge and synth
# write a readable capture with it, record gets past its options
writers_accept() { # OPT VALUE
	check "convert $1 $2" 2000 "$("$KCAP" convert "$1" "$2" "$T" | count)"
	check "merge $1 $2" 2000 "$("$KCAP" merge "$1" "$2" "$T" | count)"
	check "synth $1 $2" 20 "$("$KCAP" synth -n 20 "$1" "$2" -o - | count)"
	check "record $1 $2" "kcap record: an output is required: -o FILE or -o - (see kcap record --help)" \
		"$("$KCAP" record "$1" "$2" 2>&1 >/dev/null)"
}
for s in 64k 64KiB 1M 1MiB 1MB 1.5M; do
	writers_accept --block-size "$s"
done
for cmd in convert merge; do
	check "$cmd --block-size 1k" "kcap $cmd: --block-size '1k': expected a size from 4K to 1G" \
		"$("$KCAP" $cmd --block-size 1k "$T" 2>&1 >/dev/null)"
done
check "record --block-size 2G" "kcap record: --block-size '2G': expected a size from 4K to 1G" \
	"$("$KCAP" record --block-size 2G 2>&1 >/dev/null)"
check "record --buffer-size 3M" "kcap record: --buffer-size '3M': expected a power of two from 4K to 2G" \
	"$("$KCAP" record --buffer-size 3M 2>&1 >/dev/null)"
check "synth --block-size 1x" \
	"kcap synth: --block-size '1x': expected a size (e.g. 64k, 1M, 1GiB); column 2: unknown unit 'x' (B, k, M, G, T; also KiB, MB ...: all powers of 1024)" \
	"$("$KCAP" synth --block-size 1x -o x 2>&1 >/dev/null)"

# ---- --level: one range everywhere, -7..22 and 0 for uncompressed --------
for l in -7 -1 0 1 22; do
	writers_accept --level "$l"
done
for l in -8 23 1.5 x ""; do
	for cmd in convert merge synth record; do
		check "$cmd --level '$l'" \
			"kcap $cmd: --level '$l': expected a zstd level from -7 to 22, or 0 for uncompressed blocks" \
			"$("$KCAP" $cmd --level "$l" -o "$DIR/l.kcap" "$T" 2>&1 >/dev/null)"
	done
done
# --level 0 stores blocks as they are: larger than level 1
"$KCAP" synth -n 2000 --level 0 -o "$DIR/l0.kcap" && "$KCAP" synth -n 2000 --level 1 -o "$DIR/l1.kcap"
[ "$(wc -c < "$DIR/l0.kcap")" -gt "$(wc -c < "$DIR/l1.kcap")" ] && ok "synth --level 0 is uncompressed" ||
	bad "synth --level 0: $(wc -c < "$DIR/l0.kcap") bytes, level 1: $(wc -c < "$DIR/l1.kcap")"

# ---- reals: --speed ----------------------------------------------------
check "replay --speed 1e18 refused, saying why" \
	"kcap replay: --speed '1e18': expected a number above 0 and at most 1000000000: for no pacing at all use --no-wait" \
	"$("$KCAP" replay --speed 1e18 "$T" 2>&1 >/dev/null)"
for v in inf nan 0x10 -1 0 ""; do
	"$KCAP" replay --speed "$v" "$T" > /dev/null 2>&1; check "replay --speed '$v' exit" 2 $?
done
check "replay --speed 1e9" 2000 "$("$KCAP" replay --speed 1e9 "$T" | count)"

# ---- times: bare epoch seconds, empty ranges ---------------------------
# the capture starts at 1795255200 s (2026-11-21T10:00:00Z) and lasts < 1 s
check "slice --from 1796279892 (seconds: after the capture)" 0 "$("$KCAP" slice --from 1796279892 "$T" | count)"
check "slice --to 1796279892 (seconds: after the capture)" 2000 "$("$KCAP" slice --to 1796279892 "$T" | count)"
check "slice --from 1795255200 = @1795255200" 2000 "$("$KCAP" slice --from 1795255200 "$T" | count)"
check "slice --to 1795255200 (seconds: the first event's second)" 0 "$("$KCAP" slice --to 1795255200 "$T" | count)"
check "slice --from 17952552000 (11 digits: ns)" 2000 "$("$KCAP" slice --from 17952552000 "$T" | count)"
for r in "+1s +0.5s" "+0.5s +0.5s" "-1s -2s" "@1795255201 @1795255200" "1795255201 1795255200"; do
	set -- $r
	"$KCAP" slice --from "$1" --to "$2" "$T" > /dev/null 2> "$DIR/err"; rc=$?
	check "slice --from $1 --to $2: empty range exit" 2 "$rc"
	check "slice --from $1 --to $2: message" \
		"kcap slice: --from '$1' --to '$2': empty range (--from must come before --to)" "$(cat "$DIR/err")"
done
check "slice --from +0.1s --to +0.2s is not empty" 0 "$("$KCAP" slice --from +0.1s --to +0.2s "$T" > /dev/null; echo $?)"
check "slice --from +5m: minutes" 0 "$("$KCAP" slice --from +5m "$T" | count)"
check "slice --from 5x" \
	"kcap slice: --from '+5x': expected a time (e.g. 2026-11-21T10:00:00Z, 1795255200, @1795255200.5, 06:38:12, yesterday, \"10 min ago\", +10s, -1min); column 3: unknown unit 'x' (ns, us, µs, ms, s, m, min, h, d)" \
	"$("$KCAP" slice --from +5x "$T" 2>&1 >/dev/null)"
check "synth --start takes a time" 1795255200000000000 \
	"$("$KCAP" synth -n 1 --start 2026-11-21T10:00:00Z -o - | "$KCAP" convert --json | sed -n 's/.*"ts":\([0-9]*\).*/\1/p')"
check "synth --start in epoch seconds" 1795255200000000000 \
	"$("$KCAP" synth -n 1 --start 1795255200 -o - | "$KCAP" convert --json | sed -n 's/.*"ts":\([0-9]*\).*/\1/p')"
check "synth --start +1s refused" "kcap synth: --start '+1s': expected an absolute time, not an offset" \
	"$("$KCAP" synth --start +1s -o x 2>&1 >/dev/null)"

# ---- the filter language reads durations the same way ------------------
check "filter ts < +0.01m = ts < +600ms" "$("$KCAP" filter 'ts < +600ms' --count "$T")" \
	"$("$KCAP" filter 'ts < +0.01m' --count "$T")"

# ---- other options ---------------------------------------------------------
check "record --uid -1" "kcap record: --uid '-1': expected a count (an unsigned integer, e.g. 100); column 1: a count cannot be negative" \
	"$("$KCAP" record --uid -1 2>&1 >/dev/null)"
check "record --uid 4294967296" "kcap record: --uid '4294967296': expected a count from 0 to 4294967295" \
	"$("$KCAP" record --uid 4294967296 2>&1 >/dev/null)"
check "record --pid 1,0" "kcap record: --pid '1,0': expected up to 64 pids from 1 to 2147483647, split by commas" \
	"$("$KCAP" record --pid 1,0 2>&1 >/dev/null)"
check "record --pid 1,2,3" "kcap record: an output is required: -o FILE or -o - (see kcap record --help)" \
	"$("$KCAP" record --pid 1,2,3 2>&1 >/dev/null)"
check "record --keep 1000001" "kcap record: --keep '1000001': expected a count from 0 to 1000000" \
	"$("$KCAP" record --keep 1000001 2>&1 >/dev/null)"
check "record --count -1" "kcap record: --count '-1': expected a count (an unsigned integer, e.g. 100); column 1: a count cannot be negative" \
	"$("$KCAP" record --count -1 2>&1 >/dev/null)"
check "record --source nope" "kcap record: --source 'nope': expected a frontend: ebpf, audit, etw" \
	"$("$KCAP" record --source nope -o "$DIR/x" 2>&1 >/dev/null)"
check "slice --seq 5..2" "kcap slice: --seq '5..2': expected A..B, A.. or ..B with counts A <= B" \
	"$("$KCAP" slice --seq 5..2 "$T" 2>&1 >/dev/null)"
harness_done
