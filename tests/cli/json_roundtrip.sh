#!/bin/sh
# JSON lines back into captures without --schema (issue 10 items 1, 16b, 16c):
# for every capture in testdata/, a larger synthetic one (processes first
# described after several events blocks) and, with "record", a recorded one,
#   convert --json x | convert --from json | convert --json
# is byte-identical to the first convert --json; the rebuilt capture gives
# the same seq lists as x for filters over params, errno names, symbols and
# process context, the same text, and keeps its process context through
# filter, cat and slice; sections (an origin described again) come back as
# sections. Lines without "seq" are numbered in order; a "ts"
# rounded to a double (jq 1.6) is repaired from "time", said once.
# usage: json_roundtrip.sh KCAP SRC WORKDIR [record]
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/json-roundtrip.$$"

inputs="$SRC/testdata/*.kcap $DIR/synth-30k.kcap $DIR/twice.kcap"
"$KCAP" synth -n 30000 --seed 11 -o "$DIR/synth-30k.kcap" || exit 1
# two sections of one origin (byte-wise concatenation): the pids start anew
cat "$SRC/testdata/synth-1k.kcap" "$SRC/testdata/synth-1k.kcap" > "$DIR/twice.kcap"
if [ "${4:-}" = record ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: the recorder needs root"; exit 77; }
	# a workload of its own: a cwd, relative opens, a failed open, a child
	# that fails, a pipe (process context and errno names to rebuild)
	if ! "$KCAP" record -q --follow -o "$DIR/recorded.kcap" -- sh -c \
		'cd /etc && cat hostname passwd > /dev/null; ls /nonexistent 2> /dev/null; sh -c "exit 3"; echo x | cat > /dev/null' \
		2> "$DIR/rec.err"; then
		grep -q . "$DIR/rec.err" && ! "$KCAP" info "$DIR/recorded.kcap" > /dev/null 2>&1 &&
			{ echo "SKIP: kcap record does not run here: $(head -n 1 "$DIR/rec.err")"; exit 77; }
	fi
	inputs="$DIR/recorded.kcap"
fi

# seqs EXPR FILE: the seq list and exit status of filter EXPR on FILE
seqs() {
	out=$("$KCAP" filter "$1" --csv --fields seq "$2" 2> /dev/null)
	st=$?
	echo "$(echo "$out" | tr -d '\r' | tr '\n' ' ')rc=$st"
}

for f in $inputs; do
	n=$(basename "$f")
	"$KCAP" convert --json "$f" > "$DIR/j1.jsonl"
	"$KCAP" convert --json "$f" | "$KCAP" convert --from json 2> "$DIR/err" | "$KCAP" convert --json > "$DIR/j2.jsonl"
	if cmp -s "$DIR/j1.jsonl" "$DIR/j2.jsonl"; then ok "$n: json | convert --from json | json: byte-identical"
	else bad "$n: the JSON round trip through pipes differs: $(diff "$DIR/j1.jsonl" "$DIR/j2.jsonl" | head -n 3 | cut -c 1-400)"; fi
	check "$n: the import says nothing" "" "$(cat "$DIR/err")"
	R=$DIR/r.kcap
	"$KCAP" convert --from json "$DIR/j1.jsonl" -o "$R"
	check "$n: rebuilt from a file: exit" 0 $?
	"$KCAP" convert --json "$R" > "$DIR/j3.jsonl"
	if cmp -s "$DIR/j1.jsonl" "$DIR/j3.jsonl"; then ok "$n: rebuilt file: JSON byte-identical"; else bad "$n: rebuilt file: JSON differs"; fi
	check "$n: metadata of every origin" "$("$KCAP" info --json "$f" | jq -c '[.events, [.origins[] | del(.origin)]]')" \
		"$("$KCAP" info --json "$R" | jq -c '[.events, [.origins[] | del(.origin)]]')"
	check "$n: text identical" "$("$KCAP" convert --text "$f" | cksum)" "$("$KCAP" convert --text "$R" | cksum)"
	check "$n: proc objects all there" "$(jq -c 'select(.proc.exe != null)' "$DIR/j1.jsonl" | wc -l | tr -d ' ')" \
		"$(jq -c 'select(.proc.exe != null)' "$DIR/j3.jsonl" | wc -l | tr -d ' ')"
	for e in 'path = "/etc/passwd"' 'path startswith "/etc"' 'path exists' 'addr exists' 'dport = 443' \
		'dip exists' 'mode exists' 'mode = 0644' 'sig exists' 'sig = SIGKILL' 'ret = ENOENT' 'ret < 0' 'ret = 0' \
		'child_pid > 0' 'flags contains O_CLOEXEC' 'flags contains O_CREAT' 'type = execve' 'category = net' \
		'proc.exe exists' 'proc.exe = "/usr/sbin/nginx"' 'proc.cwd exists' 'proc.cwd = "/etc"' \
		'proc.cmdline contains "worker"' 'parent.exe exists' 'parent.comm = systemd' 'parent.comm = sh' \
		'host = synth-host' 'uid = 0'; do
		check "$n: filter '$e': same seqs" "$(seqs "$e" "$f")" "$(seqs "$e" "$R")"
	done
	# what later tools write keeps the rebuilt process context (their
	# metadata says derived_from: compared without the "origin" objects)
	check "$n: filter of the rebuilt capture: same JSON" "$(no_origin < "$DIR/j1.jsonl" | cksum)" \
		"$("$KCAP" filter 'seq >= 0' "$R" | "$KCAP" convert --json | no_origin | cksum)"
	check "$n: cat of the rebuilt capture: same JSON" "$(cksum < "$DIR/j1.jsonl")" "$("$KCAP" cat "$R" | "$KCAP" convert --json | cksum)"
	check "$n: slice --head of the rebuilt capture" "$(head -n 700 "$DIR/j1.jsonl" | no_origin | cksum)" \
		"$("$KCAP" slice --head 700 "$R" | "$KCAP" convert --json | no_origin | cksum)"
done

# the filters above match something (a check on the checks), on synth-1k
T=$SRC/testdata/synth-1k.kcap
for e in 'ret = ENOENT' 'child_pid > 0' 'addr exists' 'dport = 443' 'mode exists' 'proc.exe = "/usr/sbin/nginx"' \
	'parent.comm = systemd' 'path startswith "/etc"'; do
	check "synth-1k: '$e' matches" 1 "$("$KCAP" filter "$e" --count "$T" | awk '{print ($1 > 0)}')"
done

# --- 16b: lines without "seq" are numbered in order, said once ---
"$KCAP" convert --json "$T" > "$DIR/j1.jsonl"
jq -c 'del(.seq)' "$DIR/j1.jsonl" | "$KCAP" convert --from json --json --no-proc 2> "$DIR/err" > "$DIR/noseq.jsonl"
check "no seq: numbered 1..1000" "$(seq 1 1000 | cksum)" "$(jq .seq "$DIR/noseq.jsonl" | cksum)"
check "no seq: said once" "kcap convert: (stdin): 1000 lines without \"seq\": numbered in order, after the line before" \
	"$(grep seq "$DIR/err")"
# a gap: the line after seq 7 gets 8, whatever the lines after it say
sed -n '7,9p' "$DIR/j1.jsonl" | sed '2s/"seq":[0-9]*,//' | "$KCAP" convert --from json --json --no-proc 2> /dev/null > "$DIR/gap.jsonl"
check "no seq in one line: the one after" "7 8 9" "$(jq .seq "$DIR/gap.jsonl" | tr '\n' ' ' | sed 's/ $//')"

# --- 16c: a ts rounded to a double (as jq 1.6 writes it) is repaired from
# "time"; a ts that disagrees more is kept and said ---
python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    r = int(float(d["ts"]))  # what jq 1.6 writes: the nearest double, as an integer
    n += r != d["ts"]
    d["ts"] = r
    print(json.dumps(d, separators=(",", ":")))
print(n, file=sys.stderr)' "$DIR/j1.jsonl" > "$DIR/rounded.jsonl" 2> "$DIR/n"
check "rounded: ts changed by the rounding" 1 "$(awk '{print ($1 > 500)}' "$DIR/n")"
"$KCAP" convert --from json "$DIR/rounded.jsonl" --json 2> "$DIR/err" > "$DIR/rt.jsonl"
if cmp -s "$DIR/j1.jsonl" "$DIR/rt.jsonl"; then ok "rounded ts: repaired from time, JSON identical"; else bad "rounded ts: JSON differs"; fi
check "rounded ts: said once" 1 "$(grep -c 'rounded to a double' "$DIR/err")"
# jq 1.6's other form, a real: 1.7952552000000264e+18
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l); d["ts"] = float(d["ts"]); print(json.dumps(d))' "$DIR/j1.jsonl" > "$DIR/real.jsonl"
"$KCAP" convert --from json "$DIR/real.jsonl" --json --no-proc 2> "$DIR/err" | jq -r '.time' > "$DIR/t2"
check "real ts: repaired from time" "$(jq -r .time "$DIR/j1.jsonl" | cksum)" "$(cksum < "$DIR/t2")"
check "real ts: the ts as time says" "$("$KCAP" convert --csv --fields ts "$T" | tail -n 1 | tr -d '\r')" \
	"$("$KCAP" convert --from json "$DIR/real.jsonl" --csv --fields ts 2> /dev/null | tail -n 1 | tr -d '\r')"
# a ts moved by a second (edited on purpose) is kept, and said
python3 -c '
import json, sys
for i, l in enumerate(open(sys.argv[1])):
    if i == 3: break
    d = json.loads(l)
    if i == 1: d["ts"] += 10**9
    print(json.dumps(d, separators=(",", ":")))' "$DIR/j1.jsonl" > "$DIR/moved.jsonl"
"$KCAP" convert --from json "$DIR/moved.jsonl" --csv --fields ts 2> "$DIR/err" | tr -d '\r' > "$DIR/ts"
check "moved ts: kept" "$(sed -n 2p "$DIR/moved.jsonl" | sed 's/.*"ts":\([0-9]*\),.*/\1/')" "$(sed -n 3p "$DIR/ts")"
check "moved ts: said" 1 "$(grep -c 'disagree' "$DIR/err")"

# --- a comm holding a NUL (a hostile or odd process name) is escaped, not
# cut, in the "proc" object as in the event's own "comm" ---
head -n 1 "$DIR/j1.jsonl" | sed 's/,"origin":{.*}}$/}/' | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
d["comm"] = d["proc"]["comm"] = "py\u0000th"
print(json.dumps(d, separators=(",", ":")))' > "$DIR/nul.jsonl"
"$KCAP" convert --from json "$DIR/nul.jsonl" --json 2> "$DIR/err" > "$DIR/nul.out"
check "NUL in comm: the event's comm" '"py\u0000th"' "$(jq -c .comm "$DIR/nul.out")"
check "NUL in comm: the proc object's comm, whole" '"py\u0000th"' "$(jq -c .proc.comm "$DIR/nul.out")"
check "NUL in comm: the parent's comm untouched" '"systemd"' "$(jq -c .proc.parent.comm "$DIR/nul.out")"

harness_done
