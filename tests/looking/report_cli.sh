#!/bin/sh
# CLI tests of `kcap report` (docs/LOOKING.md): the page of the synthetic
# capture holds its data as one JSON object equal to what stats, tree and
# filter say; one timeline bar per second; nothing external; hostile
# strings of a capture escaped everywhere (HTML and the JSON block); a
# failed report leaves no page.
# usage: report_cli.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/report-cli.$$"
T=$SRC/testdata/synth-1k.kcap
# the JSON object of a page
data() { sed -n 's|^.*<script type="application/json" id="kcap-data">\(.*\)</script>$|\1|p' "$1"; }

"$KCAP" report -o "$DIR/r.html" "$T"
check "report exit" 0 $?
data "$DIR/r.html" >"$DIR/r.json"
check "the data is one JSON object" object "$(jq -r type "$DIR/r.json")"
check "events" 1000 "$(jq .events "$DIR/r.json")"
check "hosts" '["synth-host"]' "$(jq -c .hosts "$DIR/r.json")"
check "sources" '["synth"]' "$(jq -c .sources "$DIR/r.json")"
check "verify verdict" intact "$(jq -r '.files[0].verify.status' "$DIR/r.json")"
check "verdict shown" 1 "$(grep -c '<td class="verify"><span class="good">intact</span>; not sealed' "$DIR/r.html")"
check "span" "$("$KCAP" info "$T" --json | jq -c '[.first_ts, .last_ts]' 2>/dev/null || echo '?')" \
	"$(jq -c '[.first_ts, .last_ts]' "$DIR/r.json")"
# stats tables are kcap stats --json's
"$KCAP" stats --json "$T" >"$DIR/stats.json"
check "stats tables" "$(jq -c .tables "$DIR/stats.json")" "$(jq -c .stats.tables "$DIR/r.json")"
# every process and exec of kcap tree
"$KCAP" tree --json "$T" | jq -r '.origins[].processes[] | recurse(.children[]) | "\(.pid) \(.execs | map(.exe) | join(","))"' |
	sort >"$DIR/tree.ref"
jq -r '.processes[] | "\(.pid) \(.execs | map(.exe) | join(","))"' "$DIR/r.json" | sort >"$DIR/tree.got"
check "processes and execs as kcap tree" "" "$(diff "$DIR/tree.ref" "$DIR/tree.got" | head -n 3)"
check "one process element each" "$(wc -l <"$DIR/tree.ref")" "$(grep -o 'class="proc[ "]' "$DIR/r.html" | wc -l)"
check "one exec element each" "$("$KCAP" filter 'type = execve and ret = 0' --count "$T")" \
	"$(grep -o '<li class="exec">' "$DIR/r.html" | wc -l)"
# the timeline: one bar per second of the span, the counts add up
FIRST=$(jq '.first_ts / 1000000000 | floor' "$DIR/r.json")
LAST=$(jq '.last_ts / 1000000000 | floor' "$DIR/r.json")
check "one bar per second" "$((LAST - FIRST + 1))" "$(grep -o '<g class="bar"' "$DIR/r.html" | wc -l)"
check "bins" "$((LAST - FIRST + 1))" "$(jq '.timeline.bins | length' "$DIR/r.json")"
check "bins add up" 1000 "$(jq '[.timeline.bins[][]] | add' "$DIR/r.json")"
check "file events in their category" "$("$KCAP" filter 'category = file' --count "$T")" \
	"$(jq '.timeline as $t | [$t.bins[][$t.categories | index("file")]] | add' "$DIR/r.json")"
# the events table: the first 100 of kcap filter, in the page and the data
"$KCAP" filter 'ret < 0' --csv --fields seq "$T" | tail -n +2 | tr -d '\r' | head -n 100 >"$DIR/seq.ref"
"$KCAP" report -e 'ret < 0' --events 100 -o "$DIR/e.html" "$T"
check "report -e exit" 0 $?
data "$DIR/e.html" | jq -r '.query.rows[][0]' >"$DIR/seq.got"
check "events table: filter's seqs" "" "$(diff "$DIR/seq.ref" "$DIR/seq.got" | head -n 3)"
check "events table rows in the HTML" "$(wc -l <"$DIR/seq.ref")" \
	"$(sed -n 's|.*<tbody>\(.*\)</tbody>.*|\1|p' "$DIR/e.html" | grep -o '<tr>' | wc -l)"
"$KCAP" report --events 0 -o "$DIR/z.html" "$T"
check "--events 0: no rows" 0 "$(data "$DIR/z.html" | jq '.query.rows | length')"
# self-contained: no reference to anything outside the page
check "no external reference" 0 \
	"$(grep -Eic '<(link|img|iframe|object|embed)[ >]|<script [^>]*src=|url\(|@import|srcset=' "$DIR/r.html")"
check "two scripts: the data and the page's" 2 "$(grep -o '<script' "$DIR/r.html" | wc -l)"
check "CSP: only the page's own script" 1 "$(grep -c "script-src 'sha256-" "$DIR/r.html")"
# hostile strings: <script>, quotes, invalid UTF-8, in comm, path, host, argv
printf '%s\n' \
 '{"seq":1,"ts":1795255200000000000,"pid":600,"tid":600,"ppid":1,"cpu":0,"uid":0,"gid":0,"comm":"<script>alert(1)</script>","type":"openat","params":{"dirfd":-100,"path":"/tmp/\"q'"'"'&<b>\udcff\udcfe.txt","flags":"O_RDONLY","mode":"0","resolve":null,"ret":3},"origin":{"hostname":"h<i>x</i>\"","source":"json"}}' \
 '{"seq":2,"ts":1795255201500000000,"pid":601,"tid":601,"ppid":600,"cpu":0,"uid":0,"gid":0,"comm":"x'"'"'y","type":"execve","params":{"path":"</script><script>alert(2)</script>","argv":["a\"b","\udcff<!--"],"argv_truncated":false,"ret":0}}' \
 >"$DIR/h.jsonl"
"$KCAP" convert --from json "$DIR/h.jsonl" -o "$DIR/h.kcap"
check "hostile capture" 0 $?
"$KCAP" report -o "$DIR/h.html" "$DIR/h.kcap"
check "hostile report exit" 0 $?
check "hostile: still two scripts" 2 "$(grep -o '<script' "$DIR/h.html" | wc -l)"
check "hostile: one </script> per script" 2 "$(grep -o '</script>' "$DIR/h.html" | wc -l)"
check "hostile: no raw <b> or <i>" 0 "$(grep -c '<b>\|<i>' "$DIR/h.html")"
check "hostile: no raw <!--" 0 "$(grep -c '<!--' "$DIR/h.html")"
check "hostile comm escaped" 1 "$(grep -c '<span class="comm">&lt;script&gt;alert(1)&lt;/script&gt;</span>' "$DIR/h.html")"
check "hostile path escaped, bad bytes shown" 1 \
	"$(grep -c '<td>/tmp/&quot;q&#39;&amp;&lt;b&gt;\\xff\\xfe.txt</td>' "$DIR/h.html")"
check "hostile host escaped" 1 "$(grep -c '<tr><th>hosts</th><td>h&lt;i&gt;x&lt;/i&gt;&quot;</td>' "$DIR/h.html")"
check "hostile: page is valid UTF-8" 0 "$(iconv -f UTF-8 -t UTF-8 "$DIR/h.html" >/dev/null 2>&1; echo $?)"
data "$DIR/h.html" >"$DIR/h.json"
check "hostile: the JSON block has no </" 0 "$(grep -c '</' "$DIR/h.json")"
check "hostile: the data keeps the strings" '<script>alert(1)</script>' \
	"$(jq -r '.processes[] | select(.pid == 600) | .comm' "$DIR/h.json")"
check "hostile: invalid UTF-8 as \\udcXX" '"a\"b","\udcff\u003c!--"' \
	"$(jq -r '.processes[] | select(.pid == 601) | .execs[0].argv' "$DIR/h.json" >/dev/null; grep -o '"a\\"b","\\udcff\\u003c!--"' "$DIR/h.json")"
# failures leave no page
"$KCAP" report -e 'pid <' -o "$DIR/bad.html" "$T" 2>"$DIR/err"
check "bad expression exit" 2 $?
check "bad expression column" 1 "$(grep -c '^kcap report: column 6:' "$DIR/err")"
check "bad expression: no page" no "$(test -e "$DIR/bad.html" && echo yes || echo no)"
"$KCAP" report -o "$DIR/nodir/x.html" "$T" 2>/dev/null
check "unwritable output exit" 1 $?
"$KCAP" report "$T" 2>/dev/null
check "no -o: usage" 2 $?
head -c 3000 "$T" >"$DIR/cut.kcap"
"$KCAP" report -o "$DIR/cut.html" "$DIR/cut.kcap" 2>/dev/null
check "damaged input exit" 3 $?
check "damaged input: verdict shown" 1 "$(grep -c 'class="verify"><span class="bad">damaged' "$DIR/cut.html")"
"$KCAP" report --help >/dev/null
check "--help" 0 $?
"$KCAP" report -o - "$T" | head -c 15 >"$DIR/head"
check "-o - writes stdout" '<!DOCTYPE html>' "$(cat "$DIR/head")"
# loss: an audit log with a gap in its serials (9 records missing)
printf '%s\n' \
 'type=SYSCALL msg=audit(1700000000.100:100): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=55d0 a2=0 a3=0 items=1 ppid=1 pid=10 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="cat" exe="/bin/cat" key=(null)' \
 'type=PATH msg=audit(1700000000.100:100): item=0 name="/etc/hostname" inode=1 dev=00:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0' \
 'type=EOE msg=audit(1700000000.100:100): ' \
 'type=SYSCALL msg=audit(1700000002.300:110): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=55d0 a2=0 a3=0 items=1 ppid=1 pid=10 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="cat" exe="/bin/cat" key=(null)' \
 'type=PATH msg=audit(1700000002.300:110): item=0 name="/etc/passwd" inode=1 dev=00:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0' \
 'type=EOE msg=audit(1700000002.300:110): ' >"$DIR/gap.log"
"$KCAP" convert --from audit "$DIR/gap.log" -o "$DIR/gap.kcap"
"$KCAP" report -o "$DIR/gap.html" "$DIR/gap.kcap"
check "loss: report exit" 0 $?
data "$DIR/gap.html" >"$DIR/gap.json"
check "loss: total" 9 "$(jq .lost "$DIR/gap.json")"
check "loss: its counter" 'audit-serial-gap 9' "$(jq -r '.loss[] | "\(.source) \(.lost)"' "$DIR/gap.json")"
check "loss: on the timeline" 9 "$(jq '.timeline.lost | add' "$DIR/gap.json")"
check "loss: one bar per second, 3" 3 "$(grep -o '<g class="bar"' "$DIR/gap.html" | wc -l)"
check "loss: marked" 1 "$(grep -o '<rect class="loss"' "$DIR/gap.html" | wc -l)"
check "loss: in the overview" 1 "$(grep -c '<td class="bad">9 <span class="note">' "$DIR/gap.html")"
# a sealed capture: its seal shown, with the key id
if "$KCAP" keygen -o "$DIR/key" 2>/dev/null; then
	"$KCAP" seal "$T" -o "$DIR/sealed.kcap" --key "$DIR/key"
	"$KCAP" report -o "$DIR/sealed.html" "$DIR/sealed.kcap"
	check "sealed: report exit" 0 $?
	check "sealed: the seal holds" 1 "$(grep -c '; sealed, <span class="good">seal holds</span>' "$DIR/sealed.html")"
	check "sealed: key id as verify's" "$("$KCAP" verify --json "$DIR/sealed.kcap" | jq -r '.. | objects | .seal_key_id? // .key_id? // empty' | head -n 1)" \
		"$(data "$DIR/sealed.html" | jq -r '.files[0].verify.key_id')"
else
	echo "SKIP: sealed report: kcap keygen unavailable (no libcrypto)"
fi
harness_done
