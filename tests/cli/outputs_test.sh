#!/bin/sh
# usage: outputs_test.sh KCAP SOURCE_DIR WORKDIR SEEDS   (SEEDS: fuzz_reader_seeds)
# What a command leaves when it fails (docs/CLI.md, "Partial outputs"), full
# disks, wrong input types and per-line error caps, loss counters carried
# into derived captures, and cat's check of the blocks it copies.
set -u
KCAP=$1
SRC=$2
T=$SRC/testdata/synth-1k.kcap
SEEDS=$4
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/outputs-test.$$"
MNT=""
cleanup() {
	if [ -n "$MNT" ]; then umount "$MNT" 2>/dev/null; fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
run() { # run CMD...: sets rc; stdout in $DIR/out, stderr in $DIR/err
	"$@" > "$DIR/out" 2> "$DIR/err"
	rc=$?
}
field() { # field NAME: the value of an `info` line "NAME: value" in $DIR/out
	sed -n "s/^$1: *//p" "$DIR/out" | head -n 1
}
leftovers() { # leftovers DIR: temporary outputs left in DIR
	ls -A "$1" | grep -c '^\..*\.[A-Za-z0-9]\{6\}$'
}

# --- 1. a failed command leaves no partial output ---
"$KCAP" synth -n 3 -o "$DIR/a.kcap"
"$KCAP" synth -n 3 --start 2020-01-01T00:00:00Z -o "$DIR/b.kcap"
# an input out of time order: its second event goes back 100 s
"$KCAP" convert --json --no-proc "$DIR/a.kcap" |
	awk 'NR == 2 { sub(/"ts":[0-9]+/, "\"ts\":1795255100000000000"); sub(/"time":"[^"]*",/, "") } 1' |
	"$KCAP" convert --from json --schema "$DIR/a.kcap" -o "$DIR/u.kcap"
run "$KCAP" merge "$DIR/u.kcap" "$DIR/b.kcap" -o "$DIR/m.kcap"
check "failed merge: exit" 1 $rc
check "failed merge: no output left" "absent" "$([ -e "$DIR/m.kcap" ] && echo present || echo absent)"
check "failed merge: no temporary left" 0 "$(leftovers "$DIR")"
printf 'keep me\n' > "$DIR/old.kcap"
chmod 640 "$DIR/old.kcap"
run "$KCAP" merge "$DIR/u.kcap" "$DIR/b.kcap" -o "$DIR/old.kcap"
check "failed merge: an existing file is not replaced" "keep me" "$(cat "$DIR/old.kcap")"
run "$KCAP" merge --json "$DIR/u.kcap" "$DIR/b.kcap" -o "$DIR/m.json"
check "failed merge --json: no output left" "absent" "$([ -e "$DIR/m.json" ] && echo present || echo absent)"
run "$KCAP" merge "$DIR/a.kcap" "$DIR/b.kcap" -o "$DIR/old.kcap"
check "merge: exit" 0 $rc
"$KCAP" info "$DIR/old.kcap" > "$DIR/out"
check "merge: the output replaces the file" 6 "$(field Events)"
check "merge: the replaced file keeps its mode" 640 "$(stat -c %a "$DIR/old.kcap")"
check "merge: no temporary left" 0 "$(leftovers "$DIR")"
umask 027
run "$KCAP" convert --json "$T" -o "$DIR/new.json"
check "a new output has the umask's mode" 640 "$(stat -c %a "$DIR/new.json")"
umask 022
# a usage error found while writing (a --fields name not in the schema)
run "$KCAP" convert --csv --fields time,nosuchparam "$T" -o "$DIR/f.csv"
check "usage error mid-stream: exit" 2 $rc
check "usage error mid-stream: no output left" "absent" "$([ -e "$DIR/f.csv" ] && echo present || echo absent)"
# a damaged input is a result (status 3, every intact event): it is kept
cp "$T" "$DIR/flip.kcap"
printf '\377\377\377\377' | dd of="$DIR/flip.kcap" bs=1 seek=20000 conv=notrunc 2>/dev/null
run "$KCAP" cat "$DIR/flip.kcap" -o "$DIR/c.kcap"
check "damaged input: exit" 3 $rc
check "damaged input: output kept" "present" "$([ -s "$DIR/c.kcap" ] && echo present || echo absent)"
# a path that is not a regular file is written in place
run "$KCAP" convert --json "$T" -o /dev/null
check "-o /dev/null: exit" 0 $rc

# --- 2. a full disk is one line naming the file and the errno ---
for m in --json --csv --text --kcap; do
	run "$KCAP" convert $m "$T" -o /dev/full
	check "convert $m -o /dev/full: exit" 1 $rc
	check "convert $m -o /dev/full: one line" "kcap convert: /dev/full: write failed: No space left on device" "$(cat "$DIR/err")"
done
for m in --kcap --text; do
	run "$KCAP" filter 'pid > 0' $m "$T" -o /dev/full
	check "filter $m -o /dev/full: one line" "kcap filter: /dev/full: write failed: No space left on device" "$(cat "$DIR/err")"
done
# a damaged input and a full stdout: the failed write is the status (3 would
# say every intact event was delivered)
for c in info stats tree verify "convert --json"; do
	run sh -c "'$KCAP' $c '$DIR/flip.kcap' > /dev/full"
	check "$c of a damaged input > /dev/full: exit" 1 $rc
	check "$c of a damaged input > /dev/full: the write named" 1 "$(grep -c 'No space left on device' "$DIR/err")"
done
run "$KCAP" slice --head 5 --json "$T" -o /dev/full
check "slice (small output) -o /dev/full: one line" "kcap slice: /dev/full: write failed: No space left on device" "$(cat "$DIR/err")"
run "$KCAP" merge --text "$T" -o /dev/full
check "merge --text -o /dev/full: one line" "kcap merge: /dev/full: write failed: No space left on device" "$(cat "$DIR/err")"
mkdir "$DIR/small"
if mount -t tmpfs -o size=64k kcap-test "$DIR/small" 2>/dev/null; then
	MNT=$DIR/small
	"$KCAP" synth -n 20000 -o "$DIR/big.kcap" # more than 64k of kcap
	for m in --json --csv --text --kcap; do
		run "$KCAP" convert $m "$DIR/big.kcap" -o "$DIR/small/o"
		check "full tmpfs convert $m: exit" 1 $rc
		check "full tmpfs convert $m: one line" "kcap convert: $DIR/small/o: write failed: No space left on device" "$(cat "$DIR/err")"
		check "full tmpfs convert $m: nothing left" "" "$(ls -A "$DIR/small")"
	done
	run "$KCAP" synth -n 100000 -o "$DIR/small/s.kcap"
	check "full tmpfs synth: nothing left" "" "$(ls -A "$DIR/small")"
	umount "$DIR/small"
	MNT=""
else
	echo "ok - # SKIP full tmpfs: mount -t tmpfs failed (not root?)"
fi

# a terminal that goes away mid-output (its pty master closed: writes get
# EIO): one line naming the error, status 1, for text on a terminal
for c in "convert --text" "filter pid>0" "info" "stats" "tree"; do
	out=$(python3 -c '
import os, subprocess, sys
m, s = os.openpty()
os.close(m)
p = subprocess.run(sys.argv[1:], stdout=s, stderr=subprocess.PIPE)
print(p.returncode, p.stderr.decode().count("\n"), p.stderr.decode().strip())
' "$KCAP" $c "$T")
	check "$c to a terminal gone: exit, one line" "1 1 kcap ${c%% *}: (stdout): write failed: Input/output error" "$out"
done

# --- 3. a binary input to a line importer (issue 10 item 14): a kcap capture,
# plain, gzip or zstd, from a file or stdin, is one line and status 3; per-line
# errors capped ---
gzip -c "$T" > "$DIR/t.kcap.gz"
zstd -q -c "$T" > "$DIR/t.kcap.zst"
for f in json audit; do
	[ $f = json ] && what="JSON lines" || what="an audit log"
	run "$KCAP" convert --from $f "$T" -o "$DIR/i.kcap"
	check "--from $f of a capture: exit" 3 $rc
	check "--from $f of a capture: one line" "kcap convert: $T: this is a kcap capture, not $what; read it without --from" "$(cat "$DIR/err")"
	# compressed: the input layer decodes it, the importer sees the kcap magic
	for z in gz zst; do
		run "$KCAP" convert --from $f "$DIR/t.kcap.$z" -o "$DIR/i.kcap"
		check "--from $f of a .$z capture: exit (3, docs/CLI.md Error caps)" 3 $rc
		check "--from $f of a .$z capture: exactly one line" 1 "$(wc -l < "$DIR/err")"
		check "--from $f of a .$z capture: the line" "kcap convert: $DIR/t.kcap.$z: this is a kcap capture, not $what; read it without --from" "$(cat "$DIR/err")"
		run sh -c "'$KCAP' convert --from $f --json < '$DIR/t.kcap.$z'"
		check "--from $f of a .$z capture on stdin: exit" 3 $rc
		check "--from $f of a .$z capture on stdin: one line, no events" "1 0" "$(wc -l < "$DIR/err") $(wc -c < "$DIR/out")"
		check "--from $f of a .$z capture on stdin: says kcap capture" 1 "$(grep -c '^kcap convert: .*: this is a kcap capture, not' "$DIR/err")"
	done
	run sh -c "'$KCAP' convert --from $f < '$T' > '$DIR/i.kcap'"
	check "--from $f of a capture on stdin: one line" 1 "$(grep -c 'this is a kcap capture' "$DIR/err")"
	seq 1 50 > "$DIR/bad.txt"
	run "$KCAP" convert --from $f "$DIR/bad.txt" -o "$DIR/i.kcap"
	check "--from $f: 50 bad lines: exit" 3 $rc
	check "--from $f: 20 lines noted" 20 "$(grep -c -e 'bad.txt: line [0-9]' -e 'bad.txt:[0-9]' "$DIR/err")"
	check "--from $f: then the count" "kcap convert: $DIR/bad.txt: 30 more errors not shown (50 in all)" "$(grep 'more errors' "$DIR/err")"
	check "--from $f: the 21st line is not noted" 0 "$(grep -c "line 21,\|bad.txt:21:" "$DIR/err")"
done

# --- 4. slice --tail reads its inputs twice and says each damage once ---
"$KCAP" synth -n 5000 --block-size 16k -o "$DIR/many.kcap"
cp "$DIR/many.kcap" "$DIR/mflip.kcap"
printf '\377\377\377\377' | dd of="$DIR/mflip.kcap" bs=1 seek=20000 conv=notrunc 2>/dev/null
run "$KCAP" slice --tail 1 "$DIR/mflip.kcap" -o "$DIR/s.kcap"
check "slice --tail of a damaged file: exit" 3 $rc
check "slice --tail of a damaged file: the damage said once" 1 "$(grep -c 'CRC mismatch in events block' "$DIR/err")"
check "slice --tail of a damaged file: one line" 1 "$(wc -l < "$DIR/err")"
run sh -c "'$KCAP' slice --tail 1 < '$DIR/mflip.kcap' > '$DIR/s.kcap'"
check "slice --tail of damaged stdin: the damage said once" 1 "$(grep -c 'CRC mismatch in events block' "$DIR/err")"
check "slice --tail of damaged stdin: exit" 3 $rc
printf 'hello\n' > "$DIR/hello.txt"
run "$KCAP" slice --tail 1 "$DIR/many.kcap" "$DIR/hello.txt" -o "$DIR/s.kcap"
check "slice --tail of a file that is no capture: said once" 1 "$(grep -c 'not a kcap capture' "$DIR/err")"
check "slice --tail of a file that is no capture: exit" 3 $rc

# --- 6. cat checks the records of the blocks it copies (issue 11 §7) ---
mkdir "$DIR/seeds"
"$SEEDS" "$DIR/seeds" > /dev/null
B=$DIR/seeds/events-records-malformed.kcap
run "$KCAP" convert --json --no-proc "$B"
check "records that do not decode: convert exit" 3 $rc
mv "$DIR/out" "$DIR/convert.json"
damage=$(cat "$DIR/err")
run "$KCAP" cat "$B" -o "$DIR/bc.kcap"
check "records that do not decode: cat exit as convert's" 3 $rc
check "records that do not decode: cat's damage line as convert's" "$(echo "$damage" | sed 's/^kcap convert:/kcap cat:/')" "$(cat "$DIR/err")"
run "$KCAP" convert --json --no-proc "$DIR/bc.kcap"
check "cat's output: intact" "0 " "$rc $(cat "$DIR/err")"
check "cat's output: the intact events convert gives" "$(cat "$DIR/convert.json")" "$(cat "$DIR/out")"

# --- 5. derived captures carry their inputs' loss counters ---
L=$DIR/seeds/full.kcap # 7 events lost on cpu 1
lost() { # lost FILE: the "Lost events" of info
	"$KCAP" info "$1" > "$DIR/out" 2>/dev/null
	field "Lost events"
}
check "the source's loss" 7 "$(lost "$L")"
for c in "slice --head 10" "slice --to +5ms" "slice --seq 1..3" "slice --tail 10" "filter pid>0" "cat"; do
	"$KCAP" $c "$L" > "$DIR/d.kcap"
	check "$c keeps the loss counters" 7 "$(lost "$DIR/d.kcap")"
done
"$KCAP" convert --json "$L" | "$KCAP" convert --from json --schema "$L" > "$DIR/d.kcap"
check "JSON round trip with --schema keeps the loss counters" 7 "$(lost "$DIR/d.kcap")"
"$KCAP" merge "$L" "$L" -o "$DIR/d.kcap"
check "merge sums the counters of inputs that share an origin" 14 "$(lost "$DIR/d.kcap")"
"$KCAP" info "$DIR/d.kcap" > "$DIR/out"
check "merge sums per cpu" "  ringbuf    cpu 1   seen 262 lost 14" "$(grep 'ringbuf' "$DIR/out")"
"$KCAP" cat "$DIR/seeds/sections.kcap" > "$DIR/d.kcap"
check "cat of two sections sums them" 14 "$(lost "$DIR/d.kcap")"
"$KCAP" slice --head 10 "$L" | "$KCAP" filter 'pid > 0' > "$DIR/d.kcap"
"$KCAP" info "$DIR/d.kcap" > "$DIR/out"
check "info: what the file was derived by" "kcap slice --head 10 $L, then kcap filter 'pid > 0'" "$(sed -n 's/^  derived_from *//p' "$DIR/out" | head -n 1)"
check "info: the loss counters are the source's" 1 "$(grep -c 'counted by the source capture over its whole span' "$DIR/out")"
"$KCAP" info "$L" > "$DIR/out"
check "info of a source: no such note" 0 "$(grep -c 'counted by the source capture' "$DIR/out")"

harness_done
