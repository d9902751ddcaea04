#!/bin/sh
# usage: cli_test.sh KCAP SOURCE_DIR WORKDIR   (set UPDATE=1 to rewrite goldens)
set -u
KCAP=$1
SRC=$2
DIR=$3/cli-test.$$
G=$SRC/tests/cli/golden
T=$SRC/testdata/synth-1k.kcap
mkdir -p "$DIR" || exit 1
trap 'rm -rf "$DIR"' EXIT
. "$(dirname "$0")/../harness.sh"
golden() { # name file: compare file with golden/name
	if [ "${UPDATE:-0}" = 1 ]; then cp "$2" "$G/$1"; fi
	if cmp -s "$2" "$G/$1"; then ok "golden $1"; else
		bad "golden $1 differs:"; diff "$G/$1" "$2" | head -n 10; fi
}
run() { # run CMD...: sets rc, out (stdout file), err (stderr file)
	"$@" > "$DIR/out" 2> "$DIR/err"
	rc=$?
}

# --- shape: help, version, unknown command, bad options ---
run "$KCAP" --version
check "--version exit" 0 $rc
check "--version text" "kcap" "$(cut -d' ' -f1 "$DIR/out")"
run "$KCAP" help
check "help exit" 0 $rc
for c in cat info convert synth filter slice merge replay record verify recover keygen seal bundle report inspect; do
	run "$KCAP" $c --help
	check "$c --help exit" 0 $rc
	check "$c --help usage line" "usage: kcap $c" "$(head -n1 "$DIR/out" | cut -d' ' -f1-3)"
	run "$KCAP" help $c
	check "help $c" 0 $rc
	run "$KCAP" $c --no-such-option
	check "$c bad option exit" 2 $rc
	check "$c bad option: one line" "kcap $c: unknown option '--no-such-option'; see 'kcap $c --help'" "$(cat "$DIR/err")"
done
# every long option a command's --help names is one it accepts (alone, with
# no input, it may fail for other reasons, but never as an unknown option)
unknown=""
for c in cat info convert synth filter slice merge replay record verify recover keygen seal bundle report inspect; do
	for o in $("$KCAP" $c --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		if timeout 10 "$KCAP" $c $o < /dev/null 2>&1 > /dev/null | grep -q "unknown option"; then
			unknown="$unknown $c$o"
		fi
	done
done
check "every option named in --help is accepted" "" "$unknown"
run "$KCAP" cat --bogus
check "bad option: one line" "kcap cat: unknown option '--bogus'; see 'kcap cat --help'" "$(cat "$DIR/err")"
run "$KCAP" convert --fields
check "missing value: exit" 2 $rc
check "missing value: one line" "kcap convert: option '--fields' needs a value; see 'kcap convert --help'" "$(cat "$DIR/err")"
run "$KCAP" synth -o
check "missing short value: one line" "kcap synth: option '-o' needs a value; see 'kcap synth --help'" "$(cat "$DIR/err")"
run "$KCAP" frobnicate
check "unknown command exit" 2 $rc
check "unknown command message" "kcap: 'frobnicate' is not a kcap command; see 'kcap help'" "$(cat "$DIR/err")"
run "$KCAP"
check "no command exit" 2 $rc

# --- missing and bad inputs: one line, named, non-zero ---
run "$KCAP" info "$DIR/missing.kcap"
check "missing file exit" 1 $rc
check "missing file one line" 1 "$(wc -l < "$DIR/err")"
check "missing file message" "kcap info: $DIR/missing.kcap: No such file or directory" "$(cat "$DIR/err")"
printf 'hello, this is not a capture\n' > "$DIR/text.txt"
run "$KCAP" info "$DIR/text.txt"
check "not a capture exit" 3 $rc
check "not a capture message" "kcap info: $DIR/text.txt: offset 0: not a kcap capture (bad magic)" "$(cat "$DIR/err")"
# nothing read (every input refused): no -o output that looks valid is left,
# and an existing one is kept as it was; one intact input among them is written
for c in "cat" "filter pid=1" "convert --json" "convert --csv" "slice --from +0s"; do
	rm -f "$DIR/refused.out"
	run sh -c "'$KCAP' $c '$DIR/text.txt' '$DIR/text.txt' -o '$DIR/refused.out'"
	check "every input refused, $c: exit" 3 $rc
	check "every input refused, $c: no output" no "$([ -e "$DIR/refused.out" ] && echo yes || echo no)"
done
echo keep > "$DIR/refused.out"
run "$KCAP" cat "$DIR/text.txt" -o "$DIR/refused.out"
check "every input refused: an existing output kept" keep "$(cat "$DIR/refused.out")"
run "$KCAP" cat "$DIR/text.txt" "$T" -o "$DIR/refused.out"
check "one input refused of two: exit" 3 $rc
check "one input refused of two: the other written" 1000 "$("$KCAP" info "$DIR/refused.out" | sed -n 's/^Events: *//p')"
printf '\211KCP\n\032\n\001\000\000\000\000\000' > "$DIR/crlf.kcap"
run "$KCAP" info "$DIR/crlf.kcap"
check "text-mode damage named" "kcap info: $DIR/crlf.kcap: offset 0: damaged kcap header: CR-LF became LF (file transferred in text mode)" "$(cat "$DIR/err")"
# a 2.0 header as a 2.0 writer writes it: bytes 12..15 hold CRC32C of bytes 0..11
printf '\211KCP\r\n\032\n\002\000\000\000\210\073\226\072' > "$DIR/v2.kcap"
run "$KCAP" info "$DIR/v2.kcap"
check "newer major exit" 3 $rc
check "newer major message" "kcap info: $DIR/v2.kcap: offset 0: format version 2.0 is newer than this kcap (reads 1.x); upgrade kcap" "$(cat "$DIR/err")"
run "$KCAP" synth -n 12x -o "$DIR/x.kcap"
check "synth bad number exit" 2 $rc
run "$KCAP" synth -n 10
check "synth without -o exit" 2 $rc
run "$KCAP" convert --from yaml "$T"
check "convert unknown --from exit" 2 $rc

# --- goldens on testdata/synth-1k.kcap ---
"$KCAP" info --json "$T" | jq -S 'del(.file)' > "$DIR/info.json"
golden info.json "$DIR/info.json"
"$KCAP" info "$T" | sed '1d' > "$DIR/info.txt"
golden info.txt "$DIR/info.txt"
"$KCAP" convert --json "$T" | head -n 12 > "$DIR/head.jsonl"
golden head.jsonl "$DIR/head.jsonl"
"$KCAP" convert --text "$T" | sed -n '500,520p' > "$DIR/mid.txt"
golden mid.txt "$DIR/mid.txt"
"$KCAP" convert --csv --fields seq,time,pid,comm,type,path,flags,addr,ret "$T" | head -n 40 > "$DIR/fields.csv"
golden fields.csv "$DIR/fields.csv"

# --- JSON output is valid and exact ---
"$KCAP" convert --json "$T" > "$DIR/all.jsonl"
check "json lines = events" 1000 "$(wc -l < "$DIR/all.jsonl")"
check "json parses with jq" 1000 "$(jq -c . "$DIR/all.jsonl" | wc -l)"
# (jq itself rounds integers above 2^53: compare the text)
check "json integers exact" "$(tail -n1 "$DIR/all.jsonl" | sed 's/.*"ts":\([0-9]*\),.*/\1/')" \
	"$("$KCAP" convert --csv --fields ts "$T" | tail -n1 | tr -d '\r')"
check "json keys" "category,comm,cpu,gid,host,params,pid,ppid,proc,seq,source,tid,time,ts,type,uid" \
	"$(sed -n 2p "$DIR/all.jsonl" | jq -r 'keys | join(",")')"
check "json keys of the origin's first line: its metadata too" "category,comm,cpu,gid,host,origin,params,pid,ppid,proc,seq,source,tid,time,ts,type,uid" \
	"$(head -n1 "$DIR/all.jsonl" | jq -r 'keys | join(",")')"
check "json: the origin's metadata once" "1 synth-host Linux 6.1.0-synth" \
	"$(jq -r 'select(.origin) | "\(.origin.hostname) \(.origin.os) \(.origin.kernel)"' "$DIR/all.jsonl" | uniq -c | sed 's/^ *//')"

# --- output rules: pipes get kcap, --text/--json/--csv force ---
"$KCAP" cat "$T" > "$DIR/piped.kcap"
check "pipe gets kcap magic" "89 4b 43 50" "$(head -c 4 "$DIR/piped.kcap" | od -An -tx1 | tr -s ' ' | sed 's/^ //;s/ $//')"
"$KCAP" cat "$T" | "$KCAP" convert --json > "$DIR/piped.jsonl"
if cmp -s "$DIR/piped.jsonl" "$DIR/all.jsonl"; then ok "cat | convert --json = convert --json"; else bad "cat | convert --json differs"; fi
"$KCAP" cat "$T" "$T" > "$DIR/twice.kcap"
check "cat twice: events" 2000 "$("$KCAP" info --json "$DIR/twice.kcap" | jq .events)"
check "cat twice: sections" 2 "$("$KCAP" info --json "$DIR/twice.kcap" | jq .sections)"
check "cat twice: indexed" true "$("$KCAP" info --json "$DIR/twice.kcap" | jq .indexed)"
cat "$T" "$T" > "$DIR/bytecat.kcap"
check "byte-wise concatenation reads as two sections" 2000 "$("$KCAP" info --json "$DIR/bytecat.kcap" | jq .events)"
"$KCAP" cat --json "$T" > "$DIR/catjson.jsonl"
if cmp -s "$DIR/catjson.jsonl" "$DIR/all.jsonl"; then ok "cat --json"; else bad "cat --json differs"; fi
check "json --no-proc keys" "category,comm,cpu,gid,host,params,pid,ppid,seq,source,tid,time,ts,type,uid" \
	"$("$KCAP" convert --json --no-proc "$T" | sed -n 2p | jq -r 'keys | join(",")')"
check "proc object: exe of a process from the snapshot" "/usr/sbin/nginx" \
	"$("$KCAP" convert --json "$T" | jq -r 'select(.pid == 601) | .proc.exe' | head -n1)"
check "proc object: exe after an exec seen in the capture" "$(jq -r 'select(.type == "execve") | .params.path' "$DIR/all.jsonl" | head -n1)" \
	"$(jq -r 'select(.type == "execve") | .proc.exe' "$DIR/all.jsonl" | head -n1)"
: > "$DIR/empty-filter.kcap"
"$KCAP" filter 'pid = 999999' "$T" > "$DIR/empty-filter.kcap"
check "empty result keeps metadata" "synth-host" "$("$KCAP" info --json "$DIR/empty-filter.kcap" | jq -r '.origins[0].hostname')"
check "csv header" "seq,time,pid,tid,ppid,uid,gid,comm,type,category,params" "$("$KCAP" convert --csv "$T" | head -n1 | tr -d '\r')"

# --- round trip kcap -> JSON -> kcap on every capture in testdata/ ---
for f in "$SRC"/testdata/*.kcap; do
	n=$(basename "$f")
	"$KCAP" convert --json "$f" > "$DIR/rt.jsonl"
	"$KCAP" convert --from json --schema "$f" "$DIR/rt.jsonl" -o "$DIR/rt.kcap"
	check "round trip $n: exit" 0 $?
	"$KCAP" convert --json "$DIR/rt.kcap" > "$DIR/rt2.jsonl"
	if cmp -s "$DIR/rt.jsonl" "$DIR/rt2.jsonl"; then ok "round trip $n: events identical"; else bad "round trip $n differs"; fi
	check "round trip $n: same schema and counts" "$("$KCAP" info --json "$f" | jq -c '[.events,.types,.first_ts,.last_ts]')" \
		"$("$KCAP" info --json "$DIR/rt.kcap" | jq -c '[.events,.types,.first_ts,.last_ts]')"
	# without a reference there is no process snapshot, so compare without "proc"
	"$KCAP" convert --from json "$DIR/rt.jsonl" -o "$DIR/rt3.kcap"
	"$KCAP" convert --json --no-proc "$f" > "$DIR/rt.jsonl"
	"$KCAP" convert --json --no-proc "$DIR/rt3.kcap" > "$DIR/rt3.jsonl"
	if cmp -s "$DIR/rt.jsonl" "$DIR/rt3.jsonl"; then ok "round trip $n without --schema: JSON identical"; else bad "round trip $n without --schema differs"; fi
done

# --- --schema maps JSON hosts to the reference's origins by name, not by order ---
printf '%s\n' '{"seq":1,"ts":10,"pid":1,"tid":1,"ppid":0,"cpu":0,"uid":0,"gid":0,"comm":"a","type":"x","host":"alpha","source":"s","params":{"n":1}}' \
	'{"seq":2,"ts":20,"pid":2,"tid":2,"ppid":0,"cpu":0,"uid":0,"gid":0,"comm":"b","type":"x","host":"beta","source":"s","params":{"n":2}}' > "$DIR/ab.jsonl"
"$KCAP" convert --from json "$DIR/ab.jsonl" -o "$DIR/ab.kcap"
printf '%s\n' '{"seq":3,"ts":30,"pid":2,"tid":2,"ppid":0,"cpu":0,"uid":0,"gid":0,"comm":"b","type":"x","host":"beta","source":"s","params":{"n":3}}' \
	'{"seq":4,"ts":40,"pid":1,"tid":1,"ppid":0,"cpu":0,"uid":0,"gid":0,"comm":"a","type":"x","host":"alpha","source":"s","params":{"n":4}}' \
	'{"seq":5,"ts":50,"pid":3,"tid":3,"ppid":0,"cpu":0,"uid":0,"gid":0,"comm":"c","type":"x","host":"gamma","source":"s","params":{"n":5}}' > "$DIR/ba.jsonl"
"$KCAP" convert --from json --schema "$DIR/ab.kcap" "$DIR/ba.jsonl" -o "$DIR/ba.kcap"
check "--schema origins matched by host" "beta:b alpha:a gamma:c" \
	"$("$KCAP" convert --json "$DIR/ba.kcap" | jq -r '"\(.host):\(.comm)"' | tr '\n' ' ' | sed 's/ $//')"

# --- bad JSON lines: one line each with line and column, intact lines kept ---
head -n 3 "$DIR/all.jsonl" > "$DIR/badin.jsonl"
echo '{"seq": 4, "ts": oops}' >> "$DIR/badin.jsonl"
sed -n 5p "$DIR/all.jsonl" >> "$DIR/badin.jsonl"
run "$KCAP" convert --from json --schema "$T" "$DIR/badin.jsonl" -o "$DIR/badin.kcap"
check "bad json line exit" 3 $rc
check "bad json line message names line" 1 "$(grep -c "badin.jsonl: line 4, column" "$DIR/err")"
check "bad json: intact lines kept" 4 "$("$KCAP" info --json "$DIR/badin.kcap" | jq .events)"

# --- info counts every type, also ids >= 4096 (audit records) ---
A=$SRC/../shared/corpus/audit/audit-rhel7.log
if [ -f "$A" ]; then
	"$KCAP" convert --from audit "$A" -o "$DIR/a7.kcap" 2> /dev/null
	check "info: per-type counts add up to the events" "$("$KCAP" info --json "$DIR/a7.kcap" | jq .events)" \
		"$("$KCAP" info --json "$DIR/a7.kcap" | jq '[.types[]] | add')"
	check "info: audit record types listed" true "$("$KCAP" info --json "$DIR/a7.kcap" | jq '.types | has("audit_user_login")')"
else
	echo "ok - SKIP audit corpus checks: $A is absent"
fi

# --- convert --help names every format of the importer table (the list the
# unknown-format error gives), each in the --from paragraph ---
formats=$("$KCAP" convert --from no-such-format x 2>&1 | sed -n 's/.*unknown format .no-such-format. (\(.*\))$/\1/p' | tr -d ',')
check "convert --from: the formats listed" "kcap json audit scap etl" "$formats"
from_par=$("$KCAP" convert --help | awk '/--from FORMAT/{on=1} /--schema FILE/{on=0} on')
for f in $formats; do
	check "convert --help names --from $f" yes "$(echo "$from_par" | grep -Eq "(^|[ ,])$f( \(|,)" && echo yes || echo "$from_par")"
done

# --- an import renders in one process: --from FORMAT with --json, --csv or
# --text gives byte for byte what converting the imported capture gives,
# stderr and exit status included ---
two_step() { # name from input [opts]: compare one process with two steps
	n=$1 from=$2 in=$3
	shift 3
	"$KCAP" convert --from "$from" "$@" "$in" -o "$DIR/ts.kcap" 2> "$DIR/ts.err1"
	rc1=$?
	for mode in --json --csv --text; do
		"$KCAP" convert $mode "$DIR/ts.kcap" > "$DIR/ts.two" 2> /dev/null
		run "$KCAP" convert --from "$from" "$@" $mode "$in"
		check "one process $n $mode: exit" $rc1 $rc
		if [ -s "$DIR/out" ] && cmp -s "$DIR/out" "$DIR/ts.two"; then ok "one process $n $mode: output identical"
		else bad "one process $n $mode: output differs from the two steps"; cmp "$DIR/out" "$DIR/ts.two"; fi
		if cmp -s "$DIR/err" "$DIR/ts.err1"; then ok "one process $n $mode: same messages"
		else bad "one process $n $mode: messages differ"; diff "$DIR/ts.err1" "$DIR/err" | head -n 5; fi
	done
}
two_step "json with --schema" json "$DIR/all.jsonl" --schema "$T"
two_step "json inferred" json "$DIR/all.jsonl"
two_step "json bad line" json "$DIR/badin.jsonl" --schema "$T"
check "one process json bad line: still exit 3" 3 $rc
gzip -c "$DIR/all.jsonl" > "$DIR/all.jsonl.gz"
two_step "json.gz" json "$DIR/all.jsonl.gz" --schema "$T"
check "json.gz: all events" "$(wc -l < "$DIR/all.jsonl")" "$("$KCAP" info --json "$DIR/ts.kcap" | jq .events)"
if [ -d "$SRC/../shared/corpus/audit" ] && ls "$SRC"/../shared/corpus/audit/*.log > /dev/null 2>&1; then
	for f in "$SRC"/../shared/corpus/audit/*.log; do
		two_step "audit $(basename "$f")" audit "$f"
	done
	gzip -c "$A" > "$DIR/a7.log.gz"
	two_step "audit .gz" audit "$DIR/a7.log.gz"
	check "audit .gz: the events of the plain log" "$("$KCAP" info --json "$DIR/a7.kcap" | jq .events)" \
		"$("$KCAP" info --json "$DIR/ts.kcap" | jq .events)"
else
	echo "ok - SKIP one-process audit import checks: no audit corpus at $SRC/../shared/corpus/audit"
fi
run "$KCAP" convert --from nosuch "$T"
check "--from unknown: usage" 2 $rc
check "--from unknown: the table's names" "kcap convert: --from: unknown format 'nosuch' (kcap, json, audit, scap, etl)" "$(cat "$DIR/err")"

# --- text from a hostile capture stays one line per item: control bytes in
# metadata, comm and argv are escaped in info and in the text rendering ---
"$KCAP" slice --head 2 --json --no-proc "$T" |
	sed -e 's/"host":"[^"]*"/"host":"ev\\nil\\u001b[31m"/' -e '1s/"comm":"[^"]*"/"comm":"a\\nb"/' \
	> "$DIR/hostile.jsonl"
run "$KCAP" convert --from json "$DIR/hostile.jsonl" -o "$DIR/hostile.kcap"
check "hostile: imported" 0 $rc
"$KCAP" info "$DIR/hostile.kcap" > "$DIR/hostile.info"
check "hostile: info escapes the hostname" 1 "$(grep -cF '  hostname         ev\nil\x1b[31m' "$DIR/hostile.info")"
check "hostile: no escape byte in info" 0 "$(tr -d '\n' < "$DIR/hostile.info" | tr -dc '\033' | wc -c)"
"$KCAP" convert --text "$DIR/hostile.kcap" > "$DIR/hostile.txt"
check "hostile: two events, two lines" 2 "$(wc -l < "$DIR/hostile.txt")"
check "hostile: comm escaped" 1 "$(grep -cF ' a\nb(' "$DIR/hostile.txt")"

# --- CSV from a hostile capture: control bytes escaped as in text (no ESC or
# newline reaches the terminal), cells quoted per RFC 4180, and a CSV parser
# reads the quoted argv back as one field ---
"$KCAP" filter --json --no-proc 'type = execve' "$T" | head -n 1 |
	sed -e 's/"comm":"[^"]*"/"comm":"ev\\nil\\u001b[2J,\\"x\\""/' \
	    -e 's/"argv":\[[^]]*\]/"argv":["sh","-c","echo \\"a, b\\"\\nfake line","it'"'"'s"]/' \
	    -e 's/"ret":0/"ret":-13/' > "$DIR/hcsv.jsonl"
run "$KCAP" convert --from json --schema "$T" "$DIR/hcsv.jsonl" -o "$DIR/hcsv.kcap"
check "csv hostile: imported" 0 $rc
"$KCAP" convert --csv --fields comm,argv,ret "$DIR/hcsv.kcap" > "$DIR/hcsv.csv"
check "csv hostile: no escape byte" 0 "$(tr -dc '\033' < "$DIR/hcsv.csv" | wc -c)"
check "csv hostile: header and one record, two lines" 2 "$(wc -l < "$DIR/hcsv.csv")"
check "csv hostile: parsed cells" \
	"ev\\nil\\x1b[2J,\"x\"|sh -c 'echo \"a, b\"\\nfake line' 'it\\'s'|-13 (EACCES)" \
	"$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], newline=""))); print(len(r), len(r[1]), file=sys.stderr); print("|".join(r[1]))' "$DIR/hcsv.csv" 2>"$DIR/hcsv.n")"
check "csv hostile: 2 rows of 3 fields" "2 3" "$(cat "$DIR/hcsv.n")"
"$KCAP" convert --csv "$DIR/hcsv.kcap" > "$DIR/hcsv2.csv"
check "csv hostile: params cell is the text line's" \
	"$("$KCAP" convert --text "$DIR/hcsv.kcap" | sed 's/^.* execve //')" \
	"$(python3 -c 'import csv,sys; print(list(csv.reader(open(sys.argv[1], newline="")))[1][10])' "$DIR/hcsv2.csv")"

# "user" and "group" (the snapshot's names for uid and gid) are derived on
# output: JSON input takes them as canonical keys, never as params
"$KCAP" filter --json --no-proc 'type = execve' "$T" | head -n 1 |
	sed 's/"gid":\([0-9]*\),/"gid":\1,"user":"alice","group":"staff",/' > "$DIR/names.jsonl"
check "json input: user and group given" 1 "$(grep -c '"user":"alice","group":"staff"' "$DIR/names.jsonl")"
run "$KCAP" convert --from json "$DIR/names.jsonl" -o "$DIR/names.kcap"
check "json input: user and group accepted" 0 $rc
check "json input: user and group are no params" "false false" \
	"$("$KCAP" convert --json --no-proc "$DIR/names.kcap" | jq -r '"\(.params | has("user")) \(.params | has("group"))"')"
check "json input: user and group come back as the snapshot's names" "alice staff" \
	"$("$KCAP" convert --json --no-proc "$DIR/names.kcap" | jq -r '"\(.user) \(.group)"')"

# --- synth is deterministic ---
"$KCAP" synth -n 5000 --seed 3 -o "$DIR/s1.kcap"
"$KCAP" synth -n 5000 --seed 3 -o - > "$DIR/s2.kcap"
if cmp -s "$DIR/s1.kcap" "$DIR/s2.kcap"; then ok "synth deterministic (file and pipe)"; else bad "synth not deterministic"; fi
check "synth pid 42 present" true "$("$KCAP" convert --json "$DIR/s1.kcap" | jq -s 'map(select(.pid == 42)) | length > 5')"

# --- input files are never modified ---
sum1=$(cksum < "$T")
"$KCAP" info "$T" > /dev/null; "$KCAP" cat "$T" > /dev/null; "$KCAP" convert --json "$T" > /dev/null
check "input unmodified" "$sum1" "$(cksum < "$T")"

harness_done
