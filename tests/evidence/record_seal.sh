#!/bin/sh
# kcap record --seal-key (issue 14 §3): a recording killed with SIGKILL
# proves its prefix up to its last flush. Needs root and the eBPF frontend
# (SKIP, exit 77, otherwise); run under flock /work/wt/record.lock.
# usage: record_seal.sh KCAP WORKDIR
set -u
KCAP=$1
. "$(dirname "$0")/../harness.sh"
harness_workdir "$2/record-seal.$$"
[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
"$KCAP" keygen -o "$DIR/k" 2> /dev/null || { echo "SKIP: no sealing in this build"; exit 77; }
"$KCAP" record --seal-key "$DIR/k" --duration 1s -o "$DIR/probe.kcap" > /dev/null 2> "$DIR/err"
rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then echo "SKIP: kcap record cannot run here: $(head -n 1 "$DIR/err")"; exit 77; fi
"$KCAP" verify --key "$DIR/k.pub" "$DIR/probe.kcap" > "$DIR/out"
check "a finished sealed recording verifies" 0 "$?"
check "a finished sealed recording: every byte covered" 1 "$(grep -c "they cover every byte" "$DIR/out")"

"$KCAP" record --seal-key "$DIR/k" -q -o "$DIR/rec.kcap" > /dev/null 2>&1 &
pid=$!
trap 'kill -9 $pid 2> /dev/null; rm -rf "$DIR"' EXIT
i=0
while [ "$i" -lt 40 ]; do # until two seals are in the file (a flush every 500 ms)
	sleep 0.25
	n=$(python3 "$(dirname "$0")/kblocks.py" list "$DIR/rec.kcap" 2> /dev/null | awk '$4 == 10' | wc -l)
	[ "$n" -ge 2 ] && break
	i=$((i + 1))
done
ls /proc > /dev/null # activity to record
kill -9 "$pid"
wait "$pid" 2> /dev/null
"$KCAP" verify --json --key "$DIR/k.pub" "$DIR/rec.kcap" > "$DIR/json"
check "killed recording: exit 3 (cut short)" 3 "$?"
python3 - "$DIR/json" <<'PY' > "$DIR/res"
import json, sys
s = json.load(open(sys.argv[1]))["seal"]
print(s["sealed"], s["key_match"], len(s["faults"]), s["final"], s["covered_bytes"] > 0)
PY
check "killed recording: sealed by the key, no fault, not final, a prefix covered" "True True 0 False True" "$(cat "$DIR/res")"
last=$(python3 "$(dirname "$0")/kblocks.py" list "$DIR/rec.kcap" 2> /dev/null | awk '$4 == 10 { e = $2 + $3 } END { print e }')
check "killed recording: covered up to the end of its last seal" "$last" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seal"]["covered_bytes"])' "$DIR/json")"
harness_done
