#!/bin/sh
# usage: etl_cli.sh KCAP CORPUS_DIR WORKDIR
# `kcap convert --from etl` end to end on the perfview corpus file: the
# process snapshot from the DCStart rundown comes before the events, so
# proc.* and parent.* work; SIDs render as S-1-5-...; info counts generic
# events per provider; a JSON round trip keeps every event; a non-.etl input
# is one line and exit 1. SKIPs visibly when the corpus is absent.
set -u
KCAP=$1
CORPUS=$2
DIR=$3/etl-cli.$$
F=$CORPUS/perfview/net.4.5.2.x64.etl
[ -f "$F" ] || { echo "SKIP: ETW corpus not found at $CORPUS"; exit 0; }
mkdir -p "$DIR" || exit 1
trap 'rm -rf "$DIR"' EXIT
. "$(dirname "$0")/../harness.sh"
if ! "$KCAP" convert --from etl "$F" -o "$DIR/pv.kcap" 2> "$DIR/err"; then
	echo "not ok - convert failed: $(cat "$DIR/err")"; exit 1
fi
# an .etl is told by its first 8 bytes and read as it is: libarchive is not
# opened (formats/input/archive_dl.c), so a stand-in without its functions
# on the library path changes nothing
if command -v cc >/dev/null 2>&1; then
	mkdir -p "$DIR/la"
	echo 'int kcap_not_archive(void) { return 0; }' > "$DIR/e.c"
	cc -shared -fPIC -o "$DIR/la/libarchive.so.13" "$DIR/e.c" || exit 1
	LD_LIBRARY_PATH=$DIR/la "$KCAP" convert --from etl "$CORPUS/perfview/SelfDescribingSingleEvent.etl" \
		-o "$DIR/sd.kcap" 2> "$DIR/err"
	check "an .etl read with no usable libarchive: status" "0 " "$? $(cat "$DIR/err")"
else
	echo "SKIP: no C compiler: the libarchive stand-in is not built"
fi
check "snapshot of the 32 DCStart processes" "32" \
	"$("$KCAP" info --json "$DIR/pv.kcap" | jq -c '.snapshots[0].processes')"
check "proc.exe from the snapshot: PerfView's events" "$("$KCAP" filter 'pid = 3988' --count "$DIR/pv.kcap")" \
	"$("$KCAP" filter 'proc.exe = "PerfView.exe"' --count "$DIR/pv.kcap")"
check "parent.exe: children of explorer (pid 2876)" "$("$KCAP" filter 'ppid = 2876' --count "$DIR/pv.kcap")" \
	"$("$KCAP" filter 'parent.exe = "explorer.exe"' --count "$DIR/pv.kcap")"
check "a process start's parent by name" "explorer.exe" \
	"$("$KCAP" filter 'type = process_rundown and pid = 3508' --json "$DIR/pv.kcap" | head -n 1 | jq -r .proc.parent.comm)"
check "SIDs as S-1-5-... strings" "S-1-5-21-2935914779-1618742390-1451969622-1001" \
	"$("$KCAP" filter 'type = execve and image = "Test.x64.exe"' --json "$DIR/pv.kcap" | jq -r .params.user_sid)"
check "info counts generic events per provider" "79530" \
	"$("$KCAP" info --json "$DIR/pv.kcap" | jq -c '.types["etw:PerfInfo"]')"
check "SystemConfig's computer name as the hostname" "BRIANROB-W8" \
	"$("$KCAP" info --json "$DIR/pv.kcap" | jq -r '.origins[0].hostname')"
check "stack traces of the extended data, mapped events too" "655" \
	"$("$KCAP" convert --json "$DIR/pv.kcap" | grep -c '"etw_stack":"')"
check "events in time order" "true" "$("$KCAP" info --json "$DIR/pv.kcap" | jq -c .ordered)"
"$KCAP" convert --json "$DIR/pv.kcap" > "$DIR/pv.jsonl"
"$KCAP" convert --from json "$DIR/pv.jsonl" -o "$DIR/rt.kcap"
check "JSON round trip keeps every event" "179474" "$("$KCAP" info --json "$DIR/rt.kcap" | jq -c .events)"
# several files in one input (an archive's members, cat): an origin each
S=$CORPUS/sawbuck
tar cf "$DIR/two.tar" -C "$S" process_data_32_v1.etl process_data_32_v2.ref.json process_data_32_v2.etl
"$KCAP" convert --from etl "$DIR/two.tar" -o "$DIR/two.kcap" 2> "$DIR/err"
check "tar of two .etl files: exit 0" "0" "$?"
check "tar of two .etl files: an origin each, every event" "[12,2]" \
	"$("$KCAP" info --json "$DIR/two.kcap" | jq -c '[.events, (.origins|length)]')"
check "tar: the member that is no .etl named once" "1" "$(grep -c 'process_data_32_v2.ref.json: not an ETW .etl file; skipped' "$DIR/err")"
cat "$S/process_data_32_v1.etl" "$CORPUS/perfview/SelfDescribingSingleEvent.etl" | "$KCAP" convert --from etl -o "$DIR/cat.kcap"
check "two files catenated on stdin: an origin each" "[26,2]" \
	"$("$KCAP" info --json "$DIR/cat.kcap" | jq -c '[.events, (.origins|length)]')"
gzip -c "$S/process_data_32_v2.etl" > "$DIR/p2.etl.gz"
check "a .etl.gz" "9" "$("$KCAP" convert --from etl "$DIR/p2.etl.gz" | "$KCAP" info --json | jq -c .events)"
printf 'not an etl file at all, just text\n%.0s' $(seq 300) > "$DIR/text.etl"
"$KCAP" convert --from etl "$DIR/text.etl" -o "$DIR/t.kcap" 2> "$DIR/err"
check "not an .etl file: exit 1" "1" "$?"
check "not an .etl file: one line naming it" "1" "$(grep -c "text.etl: offset 0: not an .etl file" "$DIR/err")"
check "no output left behind" "no" "$([ -e "$DIR/t.kcap" ] && echo yes || echo no)"
harness_done
