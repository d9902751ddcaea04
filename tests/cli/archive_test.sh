#!/bin/sh
# usage: archive_test.sh KCAP SOURCE_DIR WORKDIR
# Captures read inside compressed streams and archives (gzip, zstd, tar, zip),
# from files and stdin: same events as the plain captures, members that are
# not captures skipped with one line, damaged compressed data read up to the
# damage (exit 3, one line), inputs never modified.
set -u
KCAP=$1
SRC=$2
DIR=$3/archive-test.$$
mkdir -p "$DIR" || exit 1
trap 'rm -rf "$DIR"' EXIT
. "$(dirname "$0")/../harness.sh"
run() { # run CMD...: sets rc, out (stdout file), err (stderr file)
	"$@" > "$DIR/out" 2> "$DIR/err"
	rc=$?
}
for tool in gzip zstd tar zip jq sha256sum; do
	command -v $tool > /dev/null || { echo "not ok - $tool is missing (tools/install-deps.sh)"; exit 1; }
done
# info --json without the name and the byte counts of the container
# the counts of info --json, less the file's name and how they were found
# (a plain file answers from its index, a compressed stream from the block
# summaries it reads past)
counts() { jq -c 'del(.file, .from)' "$1"; }

cd "$DIR" || exit 1
cp "$SRC/testdata/synth-1k.kcap" a.kcap
"$KCAP" synth -n 100000 --seed 3 -o b.kcap || exit 1 # several blocks
gzip -c a.kcap > a.kcap.gz
zstd -q -c b.kcap > b.kcap.zst
gzip -c b.kcap > b.kcap.gz
tar czf two.tar.gz a.kcap b.kcap
printf 'captures of host x\n' > README
tar cf readme.tar README a.kcap
zip -q two.zip a.kcap b.kcap
tar cf none.tar README
printf 'not a capture\n' | gzip -c > text.gz
S=$(wc -c < b.kcap.gz)
head -c $((S / 2)) b.kcap.gz > cut.kcap.gz
sha256sum a.kcap b.kcap *.gz *.zst *.tar *.zip > sums

"$KCAP" info --json a.kcap > a.json
"$KCAP" info --json b.kcap > b.json

# --- single compressed streams: the same capture ---
run "$KCAP" info --json a.kcap.gz
check "gzip: exit" 0 $rc
check "gzip: info counts" "$(counts a.json)" "$(counts out)"
check "gzip: file named" '"a.kcap.gz"' "$(jq -c .file out)"
run "$KCAP" info --json b.kcap.zst
check "zstd: exit" 0 $rc
check "zstd: info counts" "$(counts b.json)" "$(counts out)"
check "zstd: counts from the summaries" '"summaries"' "$(jq -c .from out)"
check "plain: counts from the index" '"index"' "$(jq -c .from b.json)"
"$KCAP" convert --json a.kcap > a.jsonl
run "$KCAP" convert --json a.kcap.gz
check "gzip: convert --json exit" 0 $rc
if cmp -s a.jsonl out; then ok "gzip: convert --json byte for byte"; else bad "gzip: convert --json differs"; fi
"$KCAP" convert --json b.kcap > b.jsonl
"$KCAP" convert --json b.kcap.zst > out
if cmp -s b.jsonl out; then ok "zstd: convert --json byte for byte"; else bad "zstd: convert --json differs"; fi

# --- archives: members that are captures, in order ---
sum=$(($(jq .events a.json) + $(jq .events b.json)))
run "$KCAP" info --json two.tar.gz
check "tar.gz: exit" 0 $rc
check "tar.gz: sum of events" $sum "$(jq .events out)"
check "tar.gz: two sections" 2 "$(jq .sections out)"
check "tar.gz: nothing on stderr" "" "$(cat err)"
run "$KCAP" info --json two.zip
check "zip: exit" 0 $rc
check "zip: sum of events" $sum "$(jq .events out)"
cat a.kcap b.kcap | "$KCAP" convert --json > ab.jsonl
"$KCAP" convert --json two.zip > out
if cmp -s ab.jsonl out; then ok "zip: convert --json equals the concatenation"; else bad "zip: convert --json differs"; fi
run "$KCAP" info --json readme.tar
check "README skipped: exit" 0 $rc
check "README skipped: one line" "kcap info: readme.tar: README: not a kcap capture; skipped" "$(cat err)"
check "README skipped: counts" "$(counts a.json)" "$(counts out)"
run "$KCAP" info none.tar
check "no capture: exit" 3 $rc
check "no capture: lines" "kcap info: none.tar: README: not a kcap capture; skipped
kcap info: none.tar: no kcap capture in it (1 member, none a capture)" "$(cat err)"
run "$KCAP" info text.gz
check "gzip of text: exit" 3 $rc
check "gzip of text: one line" "kcap info: text.gz: offset 0: not a kcap capture (bad magic)" "$(cat err)"
run "$KCAP" filter 'pid=42' --json two.tar.gz
check "filter on tar.gz: exit" 0 $rc
check "filter on tar.gz: events" "$(cat a.kcap b.kcap | "$KCAP" filter 'pid=42' --json | wc -l)" "$(wc -l < out)"

# --- damaged compressed data: every event before the damage, exit 3, one line ---
gzip -dc cut.kcap.gz > cut.kcap 2> /dev/null # all gzip can decode
"$KCAP" convert --json cut.kcap > cut.jsonl 2> /dev/null
before=$(wc -l < cut.jsonl)
run "$KCAP" convert --json cut.kcap.gz
check "truncated gzip: exit" 3 $rc
check "truncated gzip: one line" 1 "$(wc -l < err)"
case "$(cat err)" in
"kcap convert: cut.kcap.gz: offset "[0-9]*": gzip data ends early, at byte $(wc -c < cut.kcap.gz); nothing after it can be read" | \
"kcap convert: cut.kcap.gz: offset "[0-9]*": gzip data ends early, at byte $(wc -c < cut.kcap.gz); nothing after it can be read; events block truncated: "[0-9]*" of "[0-9]*" bytes present; "[0-9]*" events recovered from the part present (not covered by the block's CRC)")
	ok "truncated gzip: message names file, offset, cause" ;;
*) bad "truncated gzip: message [$(cat err)]" ;;
esac
if [ "$before" -gt 0 ] && [ "$before" -lt 100000 ]; then ok "truncated gzip: cut inside the events ($before)"; else
	bad "truncated gzip: $before events before the cut"; fi
if cmp -s cut.jsonl out; then ok "truncated gzip: every event before the damage"; else
	bad "truncated gzip: $(wc -l < out) events, $before decodable"; fi
# the events of the block the damage cuts are recovered as from the plain cut
# file: no byte of the pump's is taken for one of the block's
check "truncated gzip: events recovered as from the decompressed bytes" \
	"$("$KCAP" convert --json cut.kcap 2>&1 > /dev/null | grep -o '[0-9]* events recovered')" \
	"$(grep -o '[0-9]* events recovered' err)"
S=$(wc -c < two.tar.gz)
head -c $((S * 3 / 4)) two.tar.gz > cut.tar.gz
run "$KCAP" info --json cut.tar.gz
check "truncated tar.gz: exit" 3 $rc
case "$(cat err)" in
"kcap info: cut.tar.gz: b.kcap: offset "[0-9]*": gzip data ends early"*) ok "truncated tar.gz: names the member" ;;
*) bad "truncated tar.gz: message [$(cat err)]" ;;
esac

# --- stdin ---
run sh -c "cat a.kcap.gz | '$KCAP' info --json -"
check "stdin gzip: exit" 0 $rc
check "stdin gzip: counts" "$(counts a.json)" "$(counts out)"
run sh -c "cat two.zip | '$KCAP' info --json"
check "stdin zip: sum of events" $sum "$(jq .events out)"
run sh -c "'$KCAP' info --json < two.tar.gz"
check "stdin redirected tar.gz: sum of events" $sum "$(jq .events out)"
run sh -c "cat cut.kcap.gz | '$KCAP' convert --json"
check "stdin truncated gzip: exit" 3 $rc
if cmp -s cut.jsonl out; then ok "stdin truncated gzip: every event before the damage"; else
	bad "stdin truncated gzip differs"; fi
run sh -c "cat b.kcap.gz | '$KCAP' slice --tail 2 --json"
check "stdin gzip: slice --tail" "$("$KCAP" slice --tail 2 --json b.kcap)" "$(cat out)"
run sh -c "cat a.kcap | '$KCAP' info --json"
check "stdin plain capture still read as is" "$(counts a.json)" "$(counts out)"

# --- damaged compressed data given to an importer (--from json, --from
# audit): every whole line before the damage is read, one line names the
# file, the offset where the whole lines end and the cause, status 3, and
# the output with those events is kept ---
for tool in xz bzip2; do
	command -v $tool > /dev/null || { echo "not ok - $tool is missing (tools/install-deps.sh)"; exit 1; }
done
"$KCAP" convert --json a.kcap > j.jsonl
gzip -c j.jsonl > j.jsonl.gz
zstd -q -c j.jsonl > j.jsonl.zst
xz -c j.jsonl > j.jsonl.xz
bzip2 -1 -c j.jsonl > j.jsonl.bz2 # 100 kB blocks: the blocks before the cut decode
"$KCAP" convert --from json j.jsonl -o j.kcap
for z in gz zst xz bz2; do
	S=$(wc -c < j.jsonl.$z)
	head -c $((S * 3 / 4)) j.jsonl.$z > cut.jsonl.$z
done
# import_cut NAME HOW: convert --from json of cut.jsonl.Z (HOW: file or
# stdin) into NAME.kcap; checks status, the one line, the events kept (a
# prefix of the uncut file's); sets n (their count) and off (the offset named)
import_cut() {
	rm -f "$1.kcap"
	if [ "$2" = file ]; then
		run "$KCAP" convert --from json "cut.jsonl.$1" -o "$1.kcap"
		name=cut.jsonl.$1
	else
		run sh -c "'$KCAP' convert --from json -o '$1.kcap' < cut.jsonl.$1"
		name="(stdin)"
	fi
	check "import of a cut .$1 ($2): exit" 3 $rc
	check "import of a cut .$1 ($2): one line" 1 "$(wc -l < err)"
	off=$(sed -n 's/^kcap convert: .*: offset \([0-9]*\): .*; nothing after it can be read$/\1/p' err)
	grep -qF "kcap convert: $name: offset $off: " err || off=
	[ -n "$off" ] && ok "import of a cut .$1 ($2): the line names the file and the offset" ||
		bad "import of a cut .$1 ($2): line [$(cat err)]"
	n=$("$KCAP" info "$1.kcap" 2> /dev/null | sed -n 's/^Events: *//p')
	"$KCAP" convert --json "$1.kcap" > cut.out 2> /dev/null
	if [ "${n:-0}" -gt 0 ] && [ "$n" -lt 1000 ] && head -n "$n" j.jsonl | cmp -s - cut.out; then
		ok "import of a cut .$1 ($2): $n events kept, the uncut file's first ones"
	else
		bad "import of a cut .$1 ($2): ${n:-no} events kept, or not the uncut file's first ones"
	fi
}
for z in gz zst; do # decoded here: every whole line before the cut
	if [ $z = gz ]; then gzip -dc cut.jsonl.gz; else zstd -dcq cut.jsonl.zst; fi 2> /dev/null > cut.plain
	lines=$(wc -l < cut.plain)
	for how in file stdin; do
		import_cut $z $how
		check "import of a cut .$z ($how): every whole line before the cut" "$lines" "$n"
		check "import of a cut .$z ($how): the offset where they end" "$(head -n "$lines" cut.plain | wc -c)" "$off"
	done
done
for z in xz bz2; do # decoded by libarchive: up to 64 KiB before the cut may be lost
	for how in file stdin; do import_cut $z $how; done
done
awk 'BEGIN { for (i = 1; i <= 20000; i++)
	printf "type=ADD_USER msg=audit(%d.%03d:%d): pid=%d uid=0 auid=4294967295 ses=4294967295 msg=%cop=add-user id=1000 exe=\"/usr/sbin/useradd\" hostname=? addr=? terminal=? res=success%c\n",
		1481076992 + int(i / 1000), i % 1000, i, 1000 + i, 39, 39 }' > au.log
gzip -c au.log > au.log.gz
S=$(wc -c < au.log.gz)
head -c $((S / 2)) au.log.gz > cut.au.log.gz
lines=$(gzip -dc cut.au.log.gz 2> /dev/null | wc -l)
run "$KCAP" convert --from audit cut.au.log.gz -o au.kcap
check "audit import of a cut .gz: exit" 3 $rc
check "audit import of a cut .gz: one line" 1 "$(wc -l < err)"
case "$(cat err)" in
"kcap convert: cut.au.log.gz: offset $(gzip -dc cut.au.log.gz 2> /dev/null | head -n "$lines" | wc -c): gzip data ends early, at byte "[0-9]*"; nothing after it can be read")
	ok "audit import of a cut .gz: one line names the file and the offset" ;;
*) bad "audit import of a cut .gz: lines [$(cat err)]" ;;
esac
check "audit import of a cut .gz: one event per whole line" "$lines" "$("$KCAP" info au.kcap 2> /dev/null | sed -n 's/^Events: *//p')"

# a .scap.gz and an .etl.gz cut inside a block or buffer: one fault, one line
# (the importer's region ends where the gzip data does: its cause is said
# once, not as a cut block and then as a cut stream)
one_line_cut() { # one_line_cut FROM FILE.gz
	S=$(wc -c < "$2")
	head -c $((S / 2)) "$2" > "cut.$1.gz"
	run "$KCAP" convert --from "$1" "cut.$1.gz" -o "cut-$1.kcap"
	check "$1 import of a cut .gz: exit" 3 $rc
	check "$1 import of a cut .gz: one line" 1 "$(wc -l < err)"
	case "$(cat err)" in
	"kcap convert: cut.$1.gz: offset "[0-9]*": gzip data ends early, at byte $((S / 2)); nothing after it can be read")
		ok "$1 import of a cut .gz: one line names the file, the offset and the cause" ;;
	*) bad "$1 import of a cut .gz: lines [$(cat err)]" ;;
	esac
}
"$KCAP" synth -n 20000 --seed 3 -o sy.kcap 2> /dev/null && "$KCAP" convert --scap sy.kcap -o sy.scap 2> /dev/null
gzip -c sy.scap > sy.scap.gz
one_line_cut scap sy.scap.gz
ETL=$SRC/../shared/corpus/etw/etl-parser/lxcore_kernel.etl
if [ -f "$ETL" ]; then
	gzip -c "$ETL" > lx.etl.gz
	one_line_cut etl lx.etl.gz
else
	echo "SKIP: etl import of a cut .gz: $ETL is absent (the shared corpus)"
fi

check "inputs unchanged" "" "$(sha256sum -c --quiet sums 2>&1)"

harness_done
