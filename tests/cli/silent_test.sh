#!/bin/sh
# Issue 10 "nothing silently wrong", the points closed last: a note on a
# filter literal that only the standard type of its field reads, and the
# "does not occur" note only once the whole input is known (both item 6:
# typos and bad literals, a type absent from the capture said once), and
# proc.comm keeping an embedded NUL escaped as the event's comm does through
# the JSON round trip (item 1: proc objects rebuild the process context).
# usage: silent_test.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/silent.$$"
T=$SRC/testdata/synth-1k.kcap

# item 6 (a type absent from the capture is said once, after the whole
# input): a capture rebuilt from JSON lines adds its types as they come
"$KCAP" convert --json "$T" >"$DIR/s.json"
"$KCAP" convert --from json "$DIR/s.json" -o "$DIR/s.kcap"
check "json import" 0 $?
N=$("$KCAP" filter 'type = execve' --count "$DIR/s.kcap" 2>"$DIR/err")
check "imported: execve matches" "$("$KCAP" filter 'type = execve' --count "$T")" "$N"
check "imported: no premature 'does not occur'" "" "$(cat "$DIR/err")"
"$KCAP" filter 'type = bind' --count "$DIR/s.kcap" 2>"$DIR/err" >/dev/null
check "imported: a type truly absent is said" \
	"kcap filter: $DIR/s.kcap: warning: type 'bind' does not occur in this capture" "$(cat "$DIR/err")"

# item 6 (literals): a param that this capture holds as a number, or as text
printf '%s\n' \
	'{"seq":1,"ts":1795255200000000000,"pid":5,"tid":5,"comm":"x","type":"myev","params":{"path":5,"fd":"abc"}}' \
	'{"seq":2,"ts":1795255200000000001,"pid":5,"tid":5,"comm":"x","type":"myev","params":{"path":6,"fd":"3"}}' \
	>"$DIR/c.json"
"$KCAP" convert --from json "$DIR/c.json" -o "$DIR/c.kcap"
N=$("$KCAP" filter 'path = /etc/passwd' --count "$DIR/c.kcap" 2>"$DIR/err")
check "text literal for a numeric param: exit" "0 0" "$N $?"
check "text literal for a numeric param: said, with the column" \
	"kcap filter: $DIR/c.kcap: warning: column 8: expected a number for 'path', got '/etc/passwd' in this capture (only the standard type reads it): it matches nothing here" \
	"$(cat "$DIR/err")"
N=$("$KCAP" filter 'pid = 5 and fd > 2' --count "$DIR/c.kcap" 2>"$DIR/err")
check "number ordered against a text param: matches as text" 2 "$N"
check "number ordered against a text param: said, with the column" \
	"kcap filter: $DIR/c.kcap: warning: column 18: 'fd' is text in this capture, not a number as in the standard taxonomy: 2 compares as text here" \
	"$(cat "$DIR/err")"
"$KCAP" filter 'path = 5' --count "$DIR/c.kcap" 2>"$DIR/err" >/dev/null
check "a literal this capture reads: no note" "" "$(cat "$DIR/err")"
"$KCAP" filter 'path = /etc/passwd' --count "$T" 2>"$DIR/err" >/dev/null
check "standard types: no note" "" "$(cat "$DIR/err")"

# item 1 (proc objects through the round trip): an embedded NUL in comm, in
# the event and in its proc
"$KCAP" convert --json "$T" | sed 's/"comm":"nginx"/"comm":"ng\\u0000x"/g' >"$DIR/n.json"
"$KCAP" convert --from json "$DIR/n.json" -o "$DIR/n.kcap" 2>/dev/null
"$KCAP" convert --json "$DIR/n.kcap" | grep '"pid":600,"tid"' >"$DIR/n.out"
check "NUL comm: events of pid 600" 1 "$(awk 'END { print (NR > 5) }' "$DIR/n.out")"
check "NUL comm: proc.comm escaped as comm is, on every event" 0 \
	"$(grep -vc '"comm":"ng\\u0000x".*"proc":{"pid":600,"ppid":1,"uid":33,"gid":33,"comm":"ng\\u0000x"' "$DIR/n.out")"
# tree on a capture with no events: an empty tree, exit 0, not "out of memory"
"$KCAP" synth -n 0 -o "$DIR/empty.kcap"
"$KCAP" tree "$DIR/empty.kcap" >"$DIR/tree.out" 2>"$DIR/err"
check "tree, empty capture: exit" 0 $?
check "tree, empty capture: no lines" "" "$(cat "$DIR/tree.out")"
check "tree, empty capture: said" "kcap tree: note: no processes in the input" "$(cat "$DIR/err")"
check "tree --json, empty capture" '{"origins":[]}' "$("$KCAP" tree --json "$DIR/empty.kcap" 2>&1)"
harness_done
