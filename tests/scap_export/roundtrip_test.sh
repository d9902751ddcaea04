#!/bin/sh
# scap -> kcap -> scap over the shared corpus (../shared/corpus/scap): each
# capture imported (kcap convert --from scap), exported again (--scap), and
# read by sysdig 0.29.3 with -j; its lines must equal NAME.sysdig.jsonl.zst,
# sysdig -j of the original (libs_curl_google_comments, which sysdig 0.29.3
# cannot read, against libs_curl_google's).
#
# Lines are compared key by key (evt.num, evt.outputtime, evt.cpu, evt.dir,
# evt.type, proc.name, thread.tid, evt.info); the keys in STRICT (default:
# all of them) must be equal on every line, and every difference is listed
# (the first 5 per file, then counts per key).
# usage: roundtrip_test.sh KCAP CORPUS WORKDIR
set -u
KCAP=$1
CORPUS=$2
W=$3/roundtrip
STRICT=${STRICT:-evt.num evt.outputtime evt.cpu evt.dir evt.type proc.name thread.tid evt.info}
rm -rf "$W"
mkdir -p "$W"

[ -d "$CORPUS" ] || { echo "SKIP: no corpus at $CORPUS"; exit 0; }
command -v sysdig > /dev/null 2>&1 || { echo "SKIP: sysdig not installed (apt-get install sysdig)"; exit 0; }
for t in jq zstd; do
	command -v $t > /dev/null 2>&1 || { echo "SKIP: $t not installed (tools/install-deps.sh)"; exit 0; }
done
if "$KCAP" convert --from scap /dev/null -o "$W/probe.kcap" 2>&1 | grep -q "unknown format"; then
	echo "SKIP: this kcap has no scap importer (kcap convert --from scap: unknown format); the round trip needs it"
	exit 0
fi

fail=0
pass=0
files=0
for f in "$CORPUS"/*.scap "$CORPUS"/*.scap.gz; do
	[ -e "$f" ] || continue
	n=$(basename "$f")
	n=${n%.gz}
	n=${n%.scap}
	ref="$CORPUS/$n.sysdig.jsonl.zst"
	[ "$n" = libs_curl_google_comments ] && ref="$CORPUS/libs_curl_google.sysdig.jsonl.zst"
	[ -e "$ref" ] || { echo "FAIL: $n: no reference $ref"; fail=$((fail + 1)); continue; }
	files=$((files + 1))
	"$KCAP" convert --from scap "$f" -o "$W/$n.kcap" 2> "$W/$n.import.err"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
		echo "FAIL: $n: import exit $rc: $(head -n 3 "$W/$n.import.err")"
		fail=$((fail + 1))
		continue
	fi
	"$KCAP" convert --scap "$W/$n.kcap" -o "$W/$n.scap" 2> "$W/$n.export.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $n: export exit $rc: $(head -n 3 "$W/$n.export.err")"
		fail=$((fail + 1))
		continue
	fi
	sysdig -r "$W/$n.scap" -j > "$W/$n.jsonl" 2> "$W/$n.sysdig.err"
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$W/$n.sysdig.err" ] || {
		echo "FAIL: $n: sysdig exit $rc: $(head -c 300 "$W/$n.sysdig.err")"
		fail=$((fail + 1))
		continue
	}
	zstd -dc "$ref" > "$W/$n.ref.jsonl"
	# one line per difference: LINE KEY
	jq -n -r --arg keys "$STRICT" --slurpfile a "$W/$n.ref.jsonl" --slurpfile b "$W/$n.jsonl" '
		($keys | split(" ")) as $k
		| ([$a[0], $b[0]] | map(length) | max) as $n
		| range(0; $n) as $i
		| $k[] as $key
		| select(($a[0][$i] // {})[$key] != ($b[0][$i] // {})[$key])
		| "\($i + 1)\t\($key)\t\(($a[0][$i] // {})[$key] | tostring | .[0:80])\t\(($b[0][$i] // {})[$key] | tostring | .[0:80])"' \
		> "$W/$n.diff"
	nref=$(wc -l < "$W/$n.ref.jsonl")
	nout=$(wc -l < "$W/$n.jsonl")
	if [ -s "$W/$n.diff" ]; then
		echo "FAIL: $n: $nref lines in the reference, $nout read back; $(cut -f1 "$W/$n.diff" | sort -u | wc -l) lines differ; by key: $(cut -f2 "$W/$n.diff" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')"
		head -n 5 "$W/$n.diff" | sed 's/^/    line /'
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
[ $files -gt 0 ] || { echo "SKIP: no .scap in $CORPUS"; exit 0; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
