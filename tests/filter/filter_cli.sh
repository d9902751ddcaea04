#!/bin/sh
# CLI test of `kcap filter`: counts, inversion, skipping, output renderings,
# the proc object, pipes, and error reporting.
# usage: filter_cli.sh KCAP FILTER_CASES WORKDIR
set -u
KCAP=$1
CASES=$2
DIR=$3/filter-cli.$$
mkdir -p "$DIR" || exit 1
trap 'rm -rf "$DIR"' EXIT
. "$(dirname "$0")/../harness.sh"
"$CASES" --write base "$DIR/base.kcap" 160 || exit 1
B=$DIR/base.kcap

check "count pid=42" 2 "$("$KCAP" filter 'pid = 42' --count "$B")"
check "count --no-skip" 2 "$("$KCAP" filter --no-skip 'pid = 42' --count "$B")"
check "count --invert" 28 "$("$KCAP" filter -v 'pid = 42' -c "$B")"
check "count from stdin" 2 "$("$KCAP" filter 'pid = 42' --count < "$B")"
check "count two files" 4 "$("$KCAP" filter 'pid = 42' --count "$B" "$B")"
check "sections of a cat stream" 4 "$("$KCAP" cat "$B" "$B" | "$KCAP" filter 'pid = 42' --count)"
check "proc context per section" 12 "$("$KCAP" cat "$B" "$B" | "$KCAP" filter 'proc.exe = /usr/bin/cat' --count)"
check "proc field" 1 "$("$KCAP" filter 'proc.exe = /usr/bin/cat and type = write' --count "$B")"
check "relative time" 3 "$("$KCAP" filter 'ts >= -2s' --count "$B")"

stats=$("$KCAP" filter 'pid = 42' --count --stats "$B" 2>&1 >/dev/null)
skipped=$(echo "$stats" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
[ "${skipped:-0}" -gt 0 ] && ok "skipping: $stats" || bad "no block skipped: $stats"
stats=$("$KCAP" filter 'pid = 42' --count --no-skip --stats "$B" 2>&1 >/dev/null)
check "no-skip skips nothing" 0 "$(echo "$stats" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')"

check "pipe kcap to kcap" 1 "$("$KCAP" filter 'pid = 42' "$B" | "$KCAP" filter 'type = write' --count)"
check "output file" 2 "$("$KCAP" filter 'pid = 42' -o "$DIR/o.kcap" "$B" && "$KCAP" filter 'seq > 0' --count "$DIR/o.kcap")"
check "empty result is a valid capture" 0 "$("$KCAP" filter 'pid = 4242' "$B" | "$KCAP" filter 'seq > 0' --count)"

json=$("$KCAP" filter 'seq = 5' --json "$B")
case $json in
*'"proc":{"pid":101,"ppid":100,'*'"exe":"/usr/bin/cat"'*'"cmdline":["cat","/etc/passwd"]'*'"parent":{"pid":100,"comm":"bash","exe":"/usr/bin/bash"}}'*) ok "json proc object" ;;
*) bad "json proc object: $json" ;;
esac
json=$("$KCAP" filter 'seq = 5' --json --no-proc "$B")
case $json in
*'"proc"'*) bad "--no-proc: $json" ;;
'{"seq":5,'*) ok "--no-proc" ;;
*) bad "--no-proc: $json" ;;
esac
check "json lines" 2 "$("$KCAP" filter 'pid = 42' --json "$B" | wc -l | tr -d ' ')"
check "text lines" 2 "$("$KCAP" filter 'pid = 42' --text "$B" | wc -l | tr -d ' ')"
check "csv" "seq,pid
24,42
25,42" "$("$KCAP" filter 'pid = 42' --csv --fields seq,pid "$B" | tr -d '\r')"

# every field name of the filter language is a CSV column (issue 10 item 7)
check "convert csv columns" "seq,comm,dip,dport,addr.family,proc.exe,parent.comm,proc.cmdline
5,cat,,,,/usr/bin/cat,bash,cat /etc/passwd
9,sshd,::1,443,inet6,/usr/sbin/sshd,systemd,sshd: /usr/sbin/sshd -D
17,curl,93.184.216.34,80,inet,/usr/bin/curl,bash,curl -s http://example.com/" \
	"$("$KCAP" convert --csv --fields seq,comm,dip,dport,addr.family,proc.exe,parent.comm,proc.cmdline "$B" |
	   tr -d '\r' | sed -n '1p;6p;10p;18p')"
check "filter csv proc columns (the tracker sees what does not match)" "seq,proc.exe,parent.exe
5,/usr/bin/cat,/usr/bin/bash
28,/usr/sbin/sshd,/usr/sbin/sshd" \
	"$("$KCAP" filter 'type = write and uid = 0 or seq = 5' --csv --fields seq,proc.exe,parent.exe "$B" | tr -d '\r')"
for f in nosuch proc.exx pth; do
	out=$("$KCAP" convert --csv --fields "seq,$f" "$B" 2>"$DIR/err"); rc=$?
	check "--fields $f exit" 2 "$rc"
	check "--fields $f: no output" "" "$out"
done
check "--fields message" "kcap convert: --fields: unknown field 'pth'; did you mean path?" "$(cat "$DIR/err")"
"$KCAP" convert --csv --fields seq,proc.exx "$B" 2>&1 >/dev/null | grep -q "did you mean proc.exe"
check "--fields proc. checked before reading" 0 $?
# --fields where no CSV is written cannot apply: a usage error, no output
for m in --json --text --kcap --tsv; do
	rm -f "$DIR/nf.out"
	"$KCAP" convert $m --fields seq "$B" -o "$DIR/nf.out" 2>"$DIR/err"
	check "convert $m --fields: exit" "2 absent" "$? $([ -e "$DIR/nf.out" ] && echo present || echo absent)"
	check "convert $m --fields: said" "kcap convert: --fields picks CSV columns; it does not apply to this output (add --csv)" "$(cat "$DIR/err")"
done
out=$("$KCAP" filter --fields seq 'pid = 42' "$B" 2>"$DIR/err"); rc=$?
check "filter --fields to a pipe (kcap): exit, no output" "2 0" "$rc $(printf %s "$out" | wc -c)"
check "filter --fields to a pipe: said" "kcap filter: --fields picks CSV columns; it does not apply to this output (add --csv)" "$(cat "$DIR/err")"
out=$("$KCAP" filter --count --csv --fields seq 'pid = 42' "$B" 2>"$DIR/err"); rc=$?
check "filter --count --fields: exit, no count" "2 " "$rc $out"
check "filter --count --fields: said" "kcap filter: --fields picks CSV columns; it does not apply to --count" "$(cat "$DIR/err")"

err=$("$KCAP" filter 'pid = 42 and' "$B" 2>&1 >/dev/null); rc=$?
check "syntax error exit" 2 "$rc"
check "syntax error caret" "kcap filter: column 13: expected a field name, got the end of the expression
  pid = 42 and
              ^" "$err"
err=$("$KCAP" filter 'comm = "é" and' "$B" 2>&1 >/dev/null)
check "caret under UTF-8" "kcap filter: column 16: expected a field name, got the end of the expression
  comm = \"é\" and
                ^" "$err"
out=$("$KCAP" filter 'pidd = 42' "$B" 2>"$DIR/err"); rc=$?
check "unknown field exit" 2 "$rc"
check "unknown field: no output" "" "$out"
check "unknown field message" "kcap filter: column 1: unknown field 'pidd'; did you mean pid, tid, ppid or uid?" "$(head -1 "$DIR/err")"
# bad literals are errors, also with several inputs; an unknown type is one
# like an unknown field (a warning with several inputs); a known type absent
# from the capture is a warning (issue 10 item 6)
for e in 'ret = ENOFOO' 'flags contains O_FOO' 'sig = SIGFOO' 'dip = 999.1.1.1' \
	 'dip = 1.2.3' 'dport = 70000' 'mode = 0999' 'comm glob "[a"'; do
	out=$("$KCAP" filter --count "$e" "$B" "$B" 2>"$DIR/err"); rc=$?
	check "bad literal exit: $e" 2 "$rc"
	check "bad literal: no count: $e" "" "$out"
	case $(head -1 "$DIR/err") in
	"kcap filter: column "[0-9]*": "*) ok "bad literal message: $(head -1 "$DIR/err")" ;;
	*) bad "bad literal message: $e: $(cat "$DIR/err")" ;;
	esac
done
out=$("$KCAP" filter --count 'type = open' "$B" 2>"$DIR/err"); rc=$?
check "absent type exit" 0 "$rc"
check "absent type count" 0 "$out"
check "absent type warning" "kcap filter: $B: warning: type 'open' does not occur in this capture" "$(cat "$DIR/err")"
out=$("$KCAP" filter 'type = nosuchtype' "$B" 2>"$DIR/err"); rc=$?
check "unknown type exit" 2 "$rc"
check "unknown type message" "kcap filter: column 8: unknown type 'nosuchtype'
  type = nosuchtype
         ^" "$(cat "$DIR/err")"

# regexes whose compile took gigabytes (issue 11): refused at once, in bounded
# memory. A sanitizer build cannot start under the limit: then unlimited.
limit="ulimit -v 524288;"
(ulimit -v 524288; "$KCAP" --help) >/dev/null 2>&1 || limit=
for re in 's+++++++++++++++++++++++++' 'a{1,32767}{1,32767}'; do
	err=$(sh -c "$limit"' "$0" filter --count "comm ~ \"$1\"" "$2"' "$KCAP" "$re" "$B" 2>&1 >/dev/null); rc=$?
	check "regex $re refused" 2 "$rc"
	case $err in
	*"column 8: bad regex: "*) ok "regex $re: $(echo "$err" | head -1)" ;;
	*) bad "regex $re: $err" ;;
	esac
done
"$KCAP" filter 'pid = 1' "$DIR/missing.kcap" >/dev/null 2>&1; check "missing file exit" 1 $?
"$KCAP" filter >/dev/null 2>&1; check "missing expression exit" 2 $?
"$KCAP" filter --bogus 'pid = 1' "$B" >/dev/null 2>&1; check "bad option exit" 2 $?
"$KCAP" filter --help | grep -q 'usage: kcap filter'; check "help" 0 $?
# the tracker's cwd rules (docs/FILTER.md "Process context", issue 10 item 3):
# chdir and fchdir set it, a fork copies it, a process first seen before its
# parent's fork takes the parent's, a relative path, an fchdir without a path
# and a failed chdir leave it, exec keeps it
cwdev() { # cwdev SEQ PID PPID TYPE PARAMS: one JSON line
	printf '{"seq":%d,"ts":%d,"pid":%d,"tid":%d,"ppid":%d,"cpu":0,"uid":0,"gid":0,"comm":"sh","type":"%s","params":%s}\n' \
		"$1" "$((1795255200000000000 + $1))" "$2" "$2" "$3" "$4" "$5"
}
{
	cwdev 1 10 1 chdir '{"fd":null,"path":"/srv","ret":0}'
	cwdev 2 11 10 myev '{"x":1}'
	cwdev 3 10 1 fork '{"flags":null,"child_pid":11,"ret":11}'
	cwdev 4 10 1 fchdir '{"fd":3,"path":"/var/log","ret":0}'
	cwdev 5 12 10 myev '{"x":2}'
	cwdev 6 10 1 fchdir '{"fd":4,"path":null,"ret":0}'
	cwdev 7 10 1 chdir '{"fd":null,"path":"rel","ret":0}'
	cwdev 8 10 1 chdir '{"fd":null,"path":"/nope","ret":-2}'
	cwdev 9 11 10 myev '{"x":3}'
	cwdev 10 10 1 execve '{"dirfd":null,"path":"/bin/ls","argv":["ls"],"argv_truncated":null,"flags":null,"ret":0}'
	cwdev 11 13 99 myev '{"x":4}'
} > "$DIR/cwd.json"
"$KCAP" convert --from json "$DIR/cwd.json" -o "$DIR/cwd.kcap"
check "cwd rules: proc.cwd per event" \
	"1,/srv 2,/srv 3,/srv 4,/var/log 5,/var/log 6,/var/log 7,/var/log 8,/var/log 9,/srv 10,/var/log 11, " \
	"$("$KCAP" convert --csv --fields seq,proc.cwd "$DIR/cwd.kcap" | tr -d '\r' | sed 1d | tr '\n' ' ')"
check "cwd rules: filter on proc.cwd" 2 "$("$KCAP" filter 'proc.cwd = /srv and type = myev' --count "$DIR/cwd.kcap")"
harness_done
