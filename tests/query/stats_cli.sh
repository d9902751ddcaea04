#!/bin/sh
# CLI tests of `kcap stats`: every table of the default report checked
# against `kcap filter --count` of the events it counts, --by against
# convert | sort | uniq -c, the filter expression with and without block
# skipping, the three renderings, and bad options, expressions and inputs.
# usage: stats_cli.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/stats-cli.$$"
T=$SRC/testdata/synth-1k.kcap
cnt() { "$KCAP" filter "$1" --count "$T" 2>/dev/null; }
# the count of a text row: table NAME, the row whose cells after the counts are KEY
row() { # table key-cells...
	"$KCAP" stats --top 0 "$T" | awk -v t="$1" -v k="$2" '
		/^[a-z]+ \(/ { cur = $1; next }
		cur == t && NF >= 2 && $NF == k { print $1; exit }'
}

# ---- the default report, table by table, against filter --count ----
"$KCAP" stats "$T" >"$DIR/report.txt"
check "report exit" 0 $?
check "events line" "events: 1000 from 2026-11-21T10:00:00.000000000Z to 2026-11-21T10:00:00.030611331Z" \
	"$(head -n 1 "$DIR/report.txt")"
check "tables in order" "processes programs files errors network users rate" \
	"$(awk '/^[a-z]+ \(/ { printf "%s%s", s, $1; s = " " }' "$DIR/report.txt")"
check "top process nginx 600" "$(cnt 'pid = 600')" "$(awk '/^processes/ { getline; getline; print $1; exit }' "$DIR/report.txt")"
check "top process is pid 600" "600 nginx" "$(awk '/^processes/ { getline; getline; print $2, $3; exit }' "$DIR/report.txt")"
check "processes cut at 10" 10 "$(awk '/^processes/ { f = 1; getline; next } f && /^$/ { exit } f { n++ } END { print n }' "$DIR/report.txt")"
check "programs python3.11" "$(cnt 'type in (execve, execveat) and path = "/usr/bin/python3.11"')" "$(row programs /usr/bin/python3.11)"
check "files index.html" "$(cnt 'type in (open, openat, openat2, creat) and path = "/var/www/html/index.html"')" \
	"$(row files /var/www/html/index.html)"
check "files index.html failed" "$(cnt 'type in (open, openat, openat2, creat) and path = "/var/www/html/index.html" and ret < 0')" \
	"$("$KCAP" stats --top 0 "$T" | awk '/^files/ { f = 1 } f && $NF == "/var/www/html/index.html" { print $2; exit }')"
check "errors ENOENT" "$(cnt 'ret = -2')" "$(row errors ENOENT)"
check "errors total" "$(cnt 'ret < 0')" "$("$KCAP" stats --top 0 --csv "$T" | awk -F, '$1 == "errors" { n += $2 } END { print n }')"
check "users 33" "$(cnt 'uid = 33')" "$("$KCAP" stats --top 0 --csv "$T" | awk -F, '$1 == "users" && $4 == 33 { print $2 }')"
check "rate: one minute, every event" "rate,1000,,2026-11-21T10:00Z,," \
	"$("$KCAP" stats --csv "$T" | grep '^rate' | tr -d '\r')"
NET=$("$KCAP" stats --top 0 --csv "$T" | tr -d '\r' | awk -F, '$1 == "network" && $4 == "out" && $5 == "172.16.83.35" && $6 == 5432 { print $2 }')
check "network out 172.16.83.35:5432" "$(cnt 'type in (connect, sendto, sendmsg) and addr.ip = 172.16.83.35 and addr.port = 5432')" "$NET"
check "network rows sum to the events with an address" \
	"$(cnt 'type in (connect, sendto, sendmsg, accept, accept4, recvfrom, recvmsg, bind) and addr.family exists')" \
	"$("$KCAP" stats --top 0 --csv "$T" | awk -F, '$1 == "network" { n += $2 } END { print n }')"

# ---- --by: the fast form of convert | sort | uniq -c ----
"$KCAP" convert --csv --fields comm,type "$T" | tail -n +2 | tr -d '\r' | sort | uniq -c |
	awk '{ print $2 "," $1 }' | sort >"$DIR/ref.csv"
"$KCAP" stats --by comm,type --top 0 --csv "$T" | tail -n +2 | tr -d '\r' |
	awk -F, '{ print $1 "," $2 "," $3 }' | sort >"$DIR/by.csv"
check "--by comm,type equals sort | uniq -c" "" "$(diff "$DIR/ref.csv" "$DIR/by.csv" | head -n 3)"
check "--by header" "comm,type,count" "$("$KCAP" stats --by comm,type --csv "$T" | head -n 1 | tr -d '\r')"
check "--by sorted by count" "$("$KCAP" stats --by comm --top 0 --csv "$T" | tail -n +2 | cut -d, -f2 | tr -d '\r' | sort -rn | tr '\n' ' ')" \
	"$("$KCAP" stats --by comm --top 0 --csv "$T" | tail -n +2 | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')"
check "--top 2" 3 "$("$KCAP" stats --by comm --top 2 --csv "$T" | wc -l | tr -d ' ')"
check "--by proc.exe (tracker)" "$(cnt 'proc.exe = "/usr/sbin/nginx"')" \
	"$("$KCAP" stats --by proc.exe --csv "$T" | awk -F, '$1 == "/usr/sbin/nginx" { print $2 }' | tr -d '\r')"
check "--by sub-field addr.port" "$(cnt 'addr.port = 443')" \
	"$("$KCAP" stats --by addr.port --csv "$T" | awk -F, '$1 == 443 { print $2 }' | tr -d '\r')"

# ---- JSON ----
"$KCAP" stats --by comm --top 3 --json "$T" >"$DIR/by.json"
check "json valid, events" 1000 "$(jq .events "$DIR/by.json")"
check "json rows" '"nginx" 340 "postgres" 285 "python3" 200' \
	"$(jq -r '.tables[0].rows[] | "\"\(.comm)\" \(.count)"' "$DIR/by.json" | tr '\n' ' ' | sed 's/ $//')"
check "json groups" "$("$KCAP" stats --by comm --top 0 --csv "$T" | tail -n +2 | wc -l | tr -d ' ')" "$(jq '.tables[0].groups' "$DIR/by.json")"
check "json default tables" "processes programs files errors network users rate" \
	"$("$KCAP" stats --json "$T" | jq -r '[.tables[].name] | join(" ")')"
check "json failed of files" "$(cnt 'type = openat and ret < 0')" "$("$KCAP" stats --top 0 --json "$T" | jq '[.tables[] | select(.name == "files") | .rows[].failed] | add')"
check "json absent key is null" null "$("$KCAP" stats --by addr.port --top 0 --json "$T" | jq '[.tables[0].rows[] | select(.["addr.port"] == null)][0]["addr.port"]')"

# ---- filter expression, with block skipping ----
B=$DIR/b.kcap
"$KCAP" synth -n 20000 --block-size 16K -o "$B" || exit 1
check "-e count equals filter --count" "$("$KCAP" filter 'pid = 600' --count "$B")" \
	"$("$KCAP" stats -e 'pid = 600' --json "$B" | jq .events)"
check "-e with skip equals --no-skip" "$("$KCAP" stats -e 'pid in (600, 701) and type = read' --by pid --json --no-skip "$B")" \
	"$("$KCAP" stats -e 'pid in (600, 701) and type = read' --by pid --json "$B")"
check "-e on the first 16K blocks by time" "$("$KCAP" filter 'ts < +50ms' --count "$B")" \
	"$("$KCAP" stats -e 'ts < +50ms' --json "$B" | jq .events)"
check "two inputs add up" "$((2 * $(cnt 'comm = bash')))" \
	"$("$KCAP" stats --by comm --csv "$T" "$T" | awk -F, '$1 == "bash" { print $2 }' | tr -d '\r')"

# ---- bad options, expressions, inputs ----
"$KCAP" stats -e 'ret <' "$T" >"$DIR/out" 2>"$DIR/err"
check "bad expression exit" 2 $?
check "bad expression: column" "kcap stats: column 6: expected a value, got the end of the expression" "$(head -n 1 "$DIR/err")"
check "bad expression: no output" 0 "$(wc -c <"$DIR/out" | tr -d ' ')"
"$KCAP" stats --by nosuch "$T" >"$DIR/out" 2>"$DIR/err"
check "unknown --by field exit" 2 $?
check "unknown --by field message" "kcap stats: --by nosuch: unknown field 'nosuch'" "$(cat "$DIR/err")"
"$KCAP" stats --by proc.nosuch "$T" 2>/dev/null
check "unknown proc. field exit" 2 $?
"$KCAP" stats -e 'nosuchparam = 1' "$T" 2>/dev/null
check "unknown param in expression exit" 2 $?
"$KCAP" stats --top x "$T" 2>"$DIR/err"
check "bad --top exit" 2 $?
check "bad --top message" 1 "$(grep -c "^kcap stats: --top 'x'" "$DIR/err")"
"$KCAP" stats /nonexistent.kcap 2>/dev/null
check "missing file exit" 1 $?
SIZE=$(wc -c <"$B" | tr -d ' ')
head -c $((SIZE / 2)) "$B" >"$DIR/cut.kcap"
"$KCAP" stats --json "$DIR/cut.kcap" >"$DIR/cut.json" 2>/dev/null
check "truncated input: exit 3" 3 $?
check "truncated input: the intact events counted" "$("$KCAP" filter 'seq >= 0' --count "$DIR/cut.kcap" 2>/dev/null)" "$(jq .events "$DIR/cut.json")"
check "stdin" 1000 "$("$KCAP" stats --json <"$T" | jq .events)"
"$KCAP" stats --help | grep -q '^usage: kcap stats'
check "--help" 0 $?
harness_done
