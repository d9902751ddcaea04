#!/bin/sh
# CLI tests of `kcap inspect` (docs/LOOKING.md) with curl: the page and
# /api/events (rows equal to kcap filter's, pages, pid and time ranges, an
# error with its column), nothing else served (paths outside, encoded
# variants: 404; a foreign Host: 403), --listen needs the token, SIGINT and
# SIGTERM stop it with status 0. Every server started is stopped by PID on
# every way out.
# usage: inspect_cli.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
DIR=$3/inspect-cli.$$
mkdir -p "$DIR" || exit 1
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
if ! "$KCAP" inspect --help | grep -q 'usage: kcap inspect'; then
	echo "not ok - inspect --help"
	exit 1
fi
if "$KCAP" inspect "$3/no-such-file.kcap" 2>&1 | grep -q 'built without libmicrohttpd'; then
	echo "SKIP: kcap was built without libmicrohttpd (libmicrohttpd-dev)"
	exit 0
fi
T=$SRC/testdata/synth-1k.kcap
# start NAME ARGS...: the server in the background, $URL once it listens
start() {
	name=$1
	shift
	"$KCAP" inspect "$@" >"$DIR/$name.out" 2>"$DIR/$name.err" &
	SPID=$!
	PIDS="$PIDS $SPID"
	URL=""
	for i in $(seq 1 300); do
		URL=$(sed -n 's/^kcap inspect: serving .* at //p' "$DIR/$name.out")
		[ -n "$URL" ] && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
# stop SIGNAL: the server, its status in $STATUS
stop() {
	kill -"$1" "$SPID"
	wait "$SPID"
	STATUS=$?
	PIDS=$(echo "$PIDS" | sed "s/ $SPID\$//; s/ $SPID / /")
}
code() { curl -s --path-as-is -o /dev/null -w '%{http_code}' "$@"; }
seqs() { jq -r '.rows[][0]'; }
# first page of filter's seq list
ref() { "$KCAP" filter "$1" --csv --fields seq "$T" | tail -n +2 | tr -d '\r' | head -n "${2:-100}"; }

start a "$T"
check "listens on loopback" 0 $?
case $URL in http://127.0.0.1:[0-9]*/) ok "URL $URL" ;; *) bad "URL [$URL]" ;; esac
check "page" 200 "$(code "$URL")"
curl -s "$URL" >"$DIR/page.html"
check "the live page" 1 "$(grep -c '<form id="qform">' "$DIR/page.html")"
check "live data" true "$(sed -n 's|^.*<script type="application/json" id="kcap-data">\(.*\)</script>$|\1|p' "$DIR/page.html" | jq .live)"
for e in 'ret < 0' 'type = execve' 'comm = nginx and path startswith /var/www' 'proc.exe = /usr/sbin/nginx'; do
	curl -s -G "${URL}api/events" --data-urlencode "expr=$e" | seqs >"$DIR/got"
	ref "$e" >"$DIR/ref"
	check "api rows = filter's: $e ($(wc -l <"$DIR/ref"))" "" "$(diff "$DIR/ref" "$DIR/got" | head -n 3)"
done
check "all events, page 3 of 100" "$(ref 'seq > 0' 400 | tail -n 100 | tr '\n' ' ')" \
	"$(curl -s "${URL}api/events?page=3" | seqs | tr '\n' ' ')"
check "more after page 0" true "$(curl -s "${URL}api/events?page=0" | jq .more)"
check "none after page 9" false "$(curl -s "${URL}api/events?page=9" | jq .more)"
check "per=7" 7 "$(curl -s "${URL}api/events?per=7" | jq '.rows | length')"
check "pid" "$(ref 'pid = 42' | tr '\n' ' ')" "$(curl -s "${URL}api/events?pid=42" | seqs | tr '\n' ' ')"
FROM=$("$KCAP" filter 'seq = 300' --json "$T" | jq .ts)
TO=$("$KCAP" filter 'seq = 400' --json "$T" | jq .ts)
check "time range" "$(ref "ts >= $FROM and ts < $TO" | tr '\n' ' ')" \
	"$(curl -s "${URL}api/events?from=$FROM&to=$TO" | seqs | tr '\n' ' ')"
check "range and expression" "$(ref "ts >= $FROM and ts < $TO and ret < 0" | tr '\n' ' ')" \
	"$(curl -s -G "${URL}api/events?from=$FROM&to=$TO" --data-urlencode 'expr=ret < 0' | seqs | tr '\n' ' ')"
"$KCAP" filter 'pid <' "$T" 2>"$DIR/ferr"
COL=$(sed -n 's/^kcap filter: column \([0-9]*\):.*/\1/p' "$DIR/ferr")
check "error column as filter's" "$COL" "$(curl -s -G "${URL}api/events" --data-urlencode 'expr=pid <' | jq .error.column)"
check "unknown field" 'unknown field '"'"'nosuch'"'"' 1' \
	"$(curl -s -G "${URL}api/events" --data-urlencode 'expr=nosuch = 1' | jq -r '"\(.error.message) \(.error.column)"')"
check "bad literal" 7 "$(curl -s -G "${URL}api/events" --data-urlencode 'expr=ret = ENOSUCH' | jq .error.column)"
# queries at once (a thread per connection): each gets its own answer, in
# 8 rounds (the threads opened and closed their inputs through one unlocked
# list until 2026-12-04: a use-after-free that ASan saw in about 1 round of 2)
for e in 'ret < 0' 'type = execve' 'pid = 42' 'comm = nginx'; do
	ref "$e" >"$DIR/ref.$(echo "$e" | tr -dc 'a-z0-9')"
done
bad=""
for round in 1 2 3 4 5 6 7 8; do
	# the curls' own pids: $(jobs -p) runs in a subshell, which has no jobs in dash
	curls=""
	for e in 'ret < 0' 'type = execve' 'pid = 42' 'comm = nginx'; do
		curl -s -G "${URL}api/events" --data-urlencode "expr=$e" >"$DIR/par.$(echo "$e" | tr -dc 'a-z0-9')" &
		curls="$curls $!"
	done
	wait $curls
	for e in 'ret < 0' 'type = execve' 'pid = 42' 'comm = nginx'; do
		n=$(echo "$e" | tr -dc 'a-z0-9')
		seqs <"$DIR/par.$n" >"$DIR/got"
		d=$(diff "$DIR/ref.$n" "$DIR/got" | head -n 3)
		[ -n "$d" ] && bad="$bad round $round, $e: $d;"
	done
	kill -0 "$SPID" 2>/dev/null || { bad="$bad the server died in round $round: $(head -n 3 "$DIR/a.err");"; break; }
done
check "at once, 8 rounds of 4 queries: every answer as filter's" "" "$bad"
check "bad page" 400 "$(code "${URL}api/events?page=x")"
# nothing else is served
for p in ../../etc/passwd etc/passwd %2e%2e/%2e%2e/etc/passwd ..%2f..%2fetc%2fpasswd %2Fetc%2Fpasswd \
	api/../../etc/passwd //etc/passwd api/events/../../../etc/passwd index.html favicon.ico synth-1k.kcap \
	"$(echo "$T" | sed 's|^/||')" api; do
	check "not served: /$p" 404 "$(code "$URL$p")"
done
check "POST" 405 "$(code -X POST -d x "$URL")"
check "foreign Host (DNS rebinding)" 403 "$(code -H 'Host: evil.example:80' "$URL")"
stop TERM
check "SIGTERM: status 0" 0 "$STATUS"
check "SIGTERM: said so" 1 "$(grep -c 'stopped by SIGTERM' "$DIR/a.err")"

# --listen: a token, printed; 403 without it
start b --listen 127.0.0.1:0 "$T"
check "--listen" 0 $?
TOKEN=$(echo "$URL" | sed -n 's/.*?token=\([0-9a-f]*\)$/\1/p')
check "token printed" 32 "${#TOKEN}"
BASE=$(echo "$URL" | sed 's/?token=.*//')
check "no token: 403" 403 "$(code "$BASE")"
case $TOKEN in 0*) WRONG=1 ;; *) WRONG=0 ;; esac
check "wrong token: 403" 403 "$(code "${BASE}?token=$WRONG$(echo "$TOKEN" | cut -c2-)")"
check "no token on the API: 403" 403 "$(code "${BASE}api/events")"
check "no token, outside path: 403" 403 "$(code "${BASE}../../etc/passwd")"
check "token: page" 200 "$(code "$URL")"
check "token: API" "$(ref 'ret < 0' | head -n 5 | tr '\n' ' ')" \
	"$(curl -s -G "${BASE}api/events" --data-urlencode "token=$TOKEN" --data-urlencode 'expr=ret < 0' | seqs | head -n 5 | tr '\n' ' ')"
check "token, outside path: 404" 404 "$(code "${BASE}../../etc/passwd?token=$TOKEN")"
stop INT
check "SIGINT: status 0" 0 "$STATUS"

# many blocks: a time range and a pid skip blocks, proc.* still sees every
# fork and exec before the range
M=$DIR/many.kcap
"$KCAP" synth -n 20000 --block-size 4096 -o "$M"
start c "$M"
check "many blocks: started" 0 $?
FROM=$("$KCAP" filter 'seq = 5000' --json "$M" | jq .ts)
for e in 'proc.exe = /usr/bin/python3.11' 'parent.comm = bash and type = openat'; do
	"$KCAP" filter "$e and ts >= $FROM" --csv --fields seq "$M" | tail -n +2 | tr -d '\r' | head -n 100 >"$DIR/ref"
	curl -s -G "${URL}api/events?from=$FROM" --data-urlencode "expr=$e" | seqs >"$DIR/got"
	check "many blocks, from: $e ($(wc -l <"$DIR/ref"))" "" "$(diff "$DIR/ref" "$DIR/got" | head -n 3)"
done
"$KCAP" filter "pid = 42 and ts >= $FROM" --csv --fields seq "$M" | tail -n +2 | tr -d '\r' | head -n 100 >"$DIR/ref"
curl -s "${URL}api/events?from=$FROM&pid=42" | seqs >"$DIR/got"
check "many blocks, pid and from ($(wc -l <"$DIR/ref"))" "" "$(diff "$DIR/ref" "$DIR/got" | head -n 3)"
# blocks whose records lack a string the query needs are skipped after
# decompression (kcap_filter_body_may_match): the rows are still a full
# read's (--no-skip), and a query nothing can match reads no event
for e in 'comm = curl and ret < 0' 'comm = curl' 'path = "/no/such/file"' 'comm = curl and parent.comm = bash'; do
	"$KCAP" filter --no-skip "$e" --csv --fields seq "$M" | tail -n +2 | tr -d '\r' | head -n 100 >"$DIR/ref"
	curl -s -G "${URL}api/events" --data-urlencode "expr=$e" | seqs >"$DIR/got"
	check "many blocks, by their bytes: $e ($(wc -l <"$DIR/ref"))" "" "$(diff "$DIR/ref" "$DIR/got" | head -n 3)"
done
check "many blocks: a string no block holds, no event read" 0 \
	"$(curl -s -G "${URL}api/events" --data-urlencode 'expr=path = "/no/such/file"' | jq .scanned)"
stop TERM
check "many blocks: stopped" 0 "$STATUS"

"$KCAP" inspect 2>/dev/null
check "no file: usage" 2 $?
"$KCAP" inspect --listen nowhere "$T" 2>/dev/null
check "bad --listen: usage" 2 $?
"$KCAP" inspect - 2>/dev/null </dev/null
check "stdin: usage" 2 $?
harness_done
