#!/bin/sh
# kcap verify (issue 14 §1): a verdict per file, every fault found (not only
# the first), the events each region held, what recover would keep, exit
# 0 intact / 3 damaged / 1 unreadable; files, stdin, .gz, .zst and archive
# members alike.
# usage: verify_cli.sh KCAP WORKDIR
set -u
KCAP=$1
. "$(dirname "$0")/../harness.sh"
harness_workdir "$2/verify-cli.$$"
KB="python3 $(dirname "$0")/kblocks.py"
j() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

"$KCAP" synth -n 4000 --seed 5 --block-size 16k -o "$DIR/a.kcap" || exit 1
asize=$(wc -c < "$DIR/a.kcap")
"$KCAP" verify "$DIR/a.kcap" > "$DIR/out" 2> "$DIR/err"
check "intact: exit 0" 0 "$?"
check "intact: verdict" "$DIR/a.kcap: intact: 4000 events in 9 blocks, 1 sections, $asize bytes" "$(cat "$DIR/out")"
check "intact: nothing on stderr" "" "$(cat "$DIR/err")"
"$KCAP" verify --json "$DIR/a.kcap" > "$DIR/out"
check "intact --json: verdict, events, regions" "intact 4000 0" "$(j '(d["verdict"], d["events"], len(d["regions"]))' < "$DIR/out" | tr -d "(),'")"

# stdin, gzip, zstd, a tar member: the same verdict
"$KCAP" verify < "$DIR/a.kcap" > "$DIR/out"
check "stdin: intact" "(stdin): intact: 4000 events in 9 blocks, 1 sections, $asize bytes" "$(cat "$DIR/out")"
gzip -c "$DIR/a.kcap" > "$DIR/a.kcap.gz"
zstd -q -c "$DIR/a.kcap" > "$DIR/a.kcap.zst"
for f in a.kcap.gz a.kcap.zst; do
	"$KCAP" verify "$DIR/$f" > "$DIR/out"
	check "$f: exit 0" 0 "$?"
	check "$f: 4000 events" "$DIR/$f: intact: 4000 events in 9 blocks, 1 sections, $asize bytes" "$(cat "$DIR/out")"
done

# two flipped bytes in two blocks: both found, each with its offset and the
# events its block held; what recover keeps is what convert delivers
$KB list "$DIR/a.kcap" > "$DIR/blocks"
b5=$(awk '$1 == 5 { print $2 }' "$DIR/blocks")
b9=$(awk '$1 == 9 { print $2 }' "$DIR/blocks")
$KB flip "$DIR/a.kcap" "$DIR/f1.kcap" $((b5 + 300))
$KB flip "$DIR/f1.kcap" "$DIR/f2.kcap" $((b9 + 300))
"$KCAP" verify "$DIR/f2.kcap" > "$DIR/out" 2> "$DIR/err"
check "two flips: exit 3" 3 "$?"
conv=$("$KCAP" convert --json "$DIR/f2.kcap" 2> /dev/null | wc -l | tr -d ' ')
"$KCAP" verify --json "$DIR/f2.kcap" > "$DIR/json"
check "two flips: verdict damaged" damaged "$(j 'd["verdict"]' < "$DIR/json")"
check "two flips: two regions, at the two blocks" "[$b5, $b9]" "$(j '[g["offset"] for g in d["regions"]]' < "$DIR/json")"
check "two flips: recover would keep what convert delivers" "$conv" "$(j 'd["events"]' < "$DIR/json")"
check "two flips: the events lost are the rest" "$((4000 - conv))" "$(j 'd["events_lost"]' < "$DIR/json")"
check "two flips: text names both offsets" 2 "$(grep -c -e "offset $b5: CRC mismatch" -e "offset $b9: CRC mismatch" "$DIR/out")"
check "two flips: first line says what recover keeps" \
	"$DIR/f2.kcap: damaged: 2 damaged regions; recover would keep $conv events ($((4000 - conv)) lost)" "$(head -n 1 "$DIR/out")"

# truncated: the cut block (its events recovered) and the missing footer
size=$(wc -c < "$DIR/a.kcap")
head -c $((size - 20000)) "$DIR/a.kcap" > "$DIR/t.kcap"
"$KCAP" verify --json "$DIR/t.kcap" > "$DIR/json"
check "truncated: exit 3" 3 "$?"
conv=$("$KCAP" convert --json "$DIR/t.kcap" 2> /dev/null | wc -l | tr -d ' ')
check "truncated: events = convert's" "$conv" "$(j 'd["events"]' < "$DIR/json")"
check "truncated: the section is not closed" 1 "$(j 'sum("without its index and footer" in g["what"] for g in d["regions"])' < "$DIR/json")"
check "truncated: the cut block is named" 1 "$(j 'sum("truncated" in g["what"] for g in d["regions"])' < "$DIR/json")"
rec=$(j 'sum(g["events_recovered"] for g in d["regions"])' < "$DIR/json")
said=$("$KCAP" convert --json "$DIR/t.kcap" 2>&1 > /dev/null | grep -o '[0-9]* events recovered' | awk '{ n += $1 } END { print n + 0 }')
check "truncated: events recovered from the cut block, as convert says" "$said" "$rec"

# an index that lies (its CRC made to hold) and a footer that lies
idx=$(awk '$4 == 6 { print $2 }' "$DIR/blocks")
ftr=$(awk '$4 == 7 { print $2 }' "$DIR/blocks")
$KB patch "$DIR/a.kcap" "$DIR/lie.kcap" $((ftr + 28 + 16)) 0100000000000000 fix
"$KCAP" verify "$DIR/lie.kcap" > "$DIR/out"
check "footer lie: exit 3" 3 "$?"
check "footer lie: named" 1 "$(grep -c "offset $ftr: footer of section 0 disagrees with its section (its event count" "$DIR/out")"
# the index's body is stored: its first entry's offset is a varint after the context list
python3 - "$DIR/a.kcap" "$DIR/lie2.kcap" "$idx" <<'PY'
import sys, struct
d = bytearray(open(sys.argv[1], 'rb').read()); off = int(sys.argv[3])
plen = struct.unpack_from('<I', d, off + 8)[0]
flags = struct.unpack_from('<H', d, off + 6)[0]
assert (flags >> 8) & 15 == 0, "index stored uncompressed in this capture"
body = off + 20 + 8
d[body + 1 + 3] ^= 0x40   # a context offset
open(sys.argv[2], 'wb').write(d)
PY
$KB patch "$DIR/lie2.kcap" "$DIR/lie3.kcap" $((idx + 28)) "$(od -An -tx1 -j $((idx + 28)) -N1 "$DIR/lie2.kcap" | tr -d ' ')" fix
"$KCAP" verify "$DIR/lie3.kcap" > "$DIR/out"
check "index lie: exit 3" 3 "$?"
check "index lie: named" 1 "$(grep -c "offset $idx: index of section 0 disagrees with its blocks" "$DIR/out")"

# a tar of an intact and a damaged capture: the member is named
(cd "$DIR" && tar cf ab.tar a.kcap f1.kcap)
"$KCAP" verify "$DIR/ab.tar" > "$DIR/out"
check "tar: exit 3" 3 "$?"
check "tar: the damaged member and its offset" 1 "$(grep -c "ab.tar: f1.kcap: offset $b5: CRC mismatch" "$DIR/out")"

# several files: one verdict each; the worst exit wins
echo "not a capture" > "$DIR/x.txt"
"$KCAP" verify "$DIR/a.kcap" "$DIR/f1.kcap" > "$DIR/out" 2> /dev/null
check "intact + damaged: exit 3" 3 "$?"
check "intact + damaged: two verdicts" 2 "$(grep -c '^[^ ]' "$DIR/out")"
"$KCAP" verify "$DIR/a.kcap" "$DIR/x.txt" "$DIR/f1.kcap" > "$DIR/out" 2> "$DIR/err"
check "unreadable among them: exit 1" 1 "$?"
check "unreadable: verdict" "$DIR/x.txt: unreadable" "$(sed -n 2p "$DIR/out")"
check "unreadable: error line" 1 "$(grep -c "x.txt: offset 0: not a kcap capture" "$DIR/err")"
"$KCAP" verify "$DIR/none.kcap" > /dev/null 2>&1
check "missing file: exit 1" 1 "$?"
"$KCAP" verify --bogus > /dev/null 2>&1
check "bad option: exit 2" 2 "$?"
# the hostile captures of the reader's fuzz seeds (issue 11): a verdict,
# never a crash, for each, with and without a key
if [ -n "${KCAP_HOSTILE_SEEDS:-}" ] && [ -d "$KCAP_HOSTILE_SEEDS" ]; then
	crashed=""
	nseeds=0
	"$KCAP" keygen -o "$DIR/k" > /dev/null 2>&1
	for f in "$KCAP_HOSTILE_SEEDS"/*; do
		nseeds=$((nseeds + 1))
		for key in "" "--key $DIR/k.pub"; do
			[ -n "$key" ] && [ ! -f "$DIR/k.pub" ] && continue
			timeout 60 "$KCAP" verify --json $key "$f" > /dev/null 2>&1
			rc=$?
			case $rc in 0|1|3) ;; *) crashed="$crashed $(basename "$f"):$rc" ;; esac
		done
	done
	check "hostile seeds ($nseeds): verify exits 0, 1 or 3 on each" "" "$crashed"
else
	echo "SKIP: no hostile seeds (KCAP_HOSTILE_SEEDS)"
fi
check "input unmodified" "$(cksum < "$DIR/f1.kcap")" "$("$KB" list "$DIR/f1.kcap" > /dev/null; cksum < "$DIR/f1.kcap")"
harness_done
