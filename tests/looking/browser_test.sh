#!/bin/sh
# The report and inspect pages in a real browser (docs/LOOKING.md): headless
# chromium (the system's, /usr/bin/chromium) driven by playwright-core from
# npm, installed at test time from the lockfile beside this script into the
# build tree (no browser is downloaded). Over a capture recorded with eBPF
# (workload.kcap, workload.sh): no console errors, every exec in the tree,
# one timeline bar per second, a process's events on a click; inspect: three
# expressions typed into the filter box give kcap filter's seqs, one of them
# invalid with its column shown, the pager, the brush. Screenshots of both
# pages go to OUT (report.png, inspect.png). SKIP (visibly) without chromium,
# node or npm, or when npm cannot reach its registry.
# usage: browser_test.sh KCAP SRCDIR BUILDDIR OUT
set -u
KCAP=$1
SRC=$2
NPMDIR=$3/node
OUT=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../harness.sh"
CHROMIUM=${KCAP_CHROMIUM:-$(command -v chromium || command -v chromium-browser || echo)}
[ -n "$CHROMIUM" ] || { echo "SKIP: no chromium (tools/install-deps.sh installs it)"; exit 0; }
command -v node >/dev/null && command -v npm >/dev/null ||
	{ echo "SKIP: no node/npm (tools/install-deps.sh installs them)"; exit 0; }
if "$KCAP" inspect "$OUT/no-such-file.kcap" 2>&1 | grep -q 'built without libmicrohttpd'; then
	echo "SKIP: kcap was built without libmicrohttpd (libmicrohttpd-dev)"
	exit 0
fi
mkdir -p "$NPMDIR" "$OUT" || exit 1
WANT=$(jq -r '.packages["node_modules/playwright-core"].version' "$HERE/package-lock.json")
HAVE=$(jq -r .version "$NPMDIR/node_modules/playwright-core/package.json" 2>/dev/null)
if [ "$HAVE" != "$WANT" ]; then
	cp "$HERE/package.json" "$HERE/package-lock.json" "$NPMDIR/" || exit 1
	if ! (cd "$NPMDIR" && timeout 180 npm ci --no-audit --no-fund --loglevel=error) >"$OUT/npm.log" 2>&1; then
		echo "SKIP: npm ci of playwright-core $WANT failed (no registry?): $(tail -n 3 "$OUT/npm.log" | tr '\n' ' ')"
		exit 0
	fi
fi
W=$HERE/workload.kcap
WORK=$OUT/work
rm -rf "$WORK"
mkdir -p "$WORK"
SPID=""
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

"$KCAP" report --events 1000 -o "$OUT/report.html" "$W"
check "report of the workload" 0 $?
DATA=$WORK/data.json
sed -n 's|^.*<script type="application/json" id="kcap-data">\(.*\)</script>$|\1|p' "$OUT/report.html" >"$DATA"
seqs() { "$KCAP" filter "$1" --csv --fields seq "$W" | tail -n +2 | tr -d '\r' | head -n "${2:-100}" | jq -R 'tonumber | tostring' | jq -s -c .; }
FIRST=$(jq '.first_ts / 1000000000 | floor' "$DATA")
LAST=$(jq '.last_ts / 1000000000 | floor' "$DATA")
# the process picked: /bin/cat's
PICK=$(jq -c '[.processes[] | select(.execs | map(.exe) | index("/bin/cat"))][0] | [.pid, .start_ts, .end_ts]' "$DATA")
PPID_=$(echo "$PICK" | jq '.[0]')
PSEQ=$(seqs "pid = $PPID_ and ts >= $(echo "$PICK" | jq '.[1]') and ts <= $(echo "$PICK" | jq '.[2]')")
BIN=1
BFROM=$(((FIRST + BIN) * 1000000000))
BTO=$(((FIRST + BIN + 1) * 1000000000))
BAD='type = = execve'
"$KCAP" filter "$BAD" "$W" 2>"$WORK/err"
COL=$(sed -n 's/^kcap filter: column \([0-9]*\):.*/\1/p' "$WORK/err")

"$KCAP" inspect "$W" >"$WORK/inspect.out" 2>"$WORK/inspect.err" &
SPID=$!
URL=""
for i in $(seq 1 300); do
	URL=$(sed -n 's/^kcap inspect: serving .* at //p' "$WORK/inspect.out")
	[ -n "$URL" ] || ! kill -0 "$SPID" 2>/dev/null && break
	sleep 0.1
done
check "inspect started" 1 "$(echo "$URL" | grep -c '^http://127.0.0.1:')"

jq -n --arg npmdir "$NPMDIR" --arg chromium "$CHROMIUM" --arg report "$OUT/report.html" --arg url "$URL" \
	--arg outdir "$OUT" --argjson seconds "$((LAST - FIRST + 1))" \
	--argjson execs "$("$KCAP" filter 'type = execve and ret = 0' --csv --fields path "$W" | tail -n +2 | tr -d '\r' | jq -R . | jq -s -c .)" \
	--argjson pick_pid "$PPID_" --argjson pick_seqs "$PSEQ" \
	--argjson q1 "$(seqs 'type = execve')" --argjson q2 "$(seqs 'comm = cat or path startswith /etc/')" \
	--argjson page2 "$(seqs 'seq >= 0' 200 | jq -c '.[100:]')" \
	--argjson brush_bin "$BIN" --argjson brush_seqs "$(seqs "ts >= $BFROM and ts < $BTO")" \
	--arg bad "$BAD" --argjson col "${COL:-0}" \
	'{npmdir: $npmdir, chromium: $chromium, report: $report, url: $url, outdir: $outdir, seconds: $seconds,
	  execs: $execs, pick_pid: $pick_pid, pick_seqs: $pick_seqs, page2: $page2, brush_bin: $brush_bin,
	  brush_seqs: $brush_seqs,
	  queries: [{expr: "type = execve", seqs: $q1}, {expr: "comm = cat or path startswith /etc/", seqs: $q2},
	            {expr: $bad, error_column: $col}]}' >"$WORK/spec.json"
check "spec" 0 $?
check "the bad expression has a column" 1 "$([ "${COL:-0}" -gt 0 ] && echo 1 || echo 0)"
check "the seq lists are not empty" "true true" "$(jq -r '[(.queries[0].seqs | length > 0), (.pick_seqs | length > 0)] | map(tostring) | join(" ")' "$WORK/spec.json")"
timeout 90 node "$HERE/browser.mjs" "$WORK/spec.json"
check "browser checks" 0 $?
kill -TERM "$SPID"
wait "$SPID"
check "inspect stopped by SIGTERM" 0 $?
SPID=""
check "screenshots" "2" "$(ls "$OUT/report.png" "$OUT/inspect.png" 2>/dev/null | wc -l)"
harness_done
