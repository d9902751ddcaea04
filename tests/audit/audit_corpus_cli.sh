#!/bin/sh
# Issue 10 item 8 on the real audit corpus (../shared/corpus/audit): what
# kcap makes of test3.log and audit-rhel7.log as a user sees it on the
# command line: the process of each event (proc.exe from exe=), rhel7.log
# imported in time order with the late events counted, user records' fields
# in text, audit.KEY in the filter, an unknown cpu as null in JSON.
# SKIPs visibly when the corpus is absent.
# usage: audit_corpus_cli.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
C=$SRC/../shared/corpus/audit
if [ ! -f "$C/test3.log" ] || [ ! -f "$C/audit-rhel7.log" ]; then
	echo "SKIP: audit corpus not found at $C (test3.log, audit-rhel7.log)"
	exit 0
fi
harness_workdir "$3/audit-corpus-cli.$$"
run() { # run CMD...: sets rc; stdout in $DIR/out, stderr in $DIR/err
	"$@" > "$DIR/out" 2> "$DIR/err"
	rc=$?
}
serials() { # serials PATTERN FILE: distinct audit serials of the lines matching PATTERN
	grep -e "$1" "$2" | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' | sort -u | wc -l | tr -d ' '
}

# --- test3.log: 10 events; the 9 whose records carry exe= have proc.exe ---
run "$KCAP" convert --from audit "$C/test3.log" -o "$DIR/t3.kcap"
check "test3: import exit" 0 $rc
check "test3: events" 10 "$("$KCAP" info --json "$DIR/t3.kcap" | jq .events)"
check "test3: lines with exe=" 9 "$(grep -c 'exe=' "$C/test3.log")"
check "test3: events with exe= (distinct serials)" 9 "$(serials 'exe=' "$C/test3.log")"
check "test3: proc.exe exists" 9 "$("$KCAP" filter 'proc.exe exists' --count "$DIR/t3.kcap")"
check "test3: the one without is the lone EXECVE record" "audit_execve" \
	"$("$KCAP" filter 'not proc.exe exists' --csv --fields type "$DIR/t3.kcap" | sed -n 2p | tr -d '\r')"
check "test3: proc.exe = /usr/sbin/sshd (4 SYSCALLs, 1 SECCOMP)" 5 \
	"$("$KCAP" filter 'proc.exe = /usr/sbin/sshd' --count "$DIR/t3.kcap")"
check "test3: proc.exe = /usr/bin/bash" 3 "$("$KCAP" filter 'proc.exe = /usr/bin/bash' --count "$DIR/t3.kcap")"
check "test3: proc.exe = /usr/sbin/useradd (the ADD_GROUP message's exe=)" 1 \
	"$("$KCAP" filter 'proc.exe = /usr/sbin/useradd' --count "$DIR/t3.kcap")"

# --- audit-rhel7.log: samples months apart, imported in time order ---
run "$KCAP" convert --from audit "$C/audit-rhel7.log" -o "$DIR/r7.kcap"
check "rhel7: import exit (line 31 is malformed: 'type=UNKNOWN[1329] msg=?')" 3 $rc
# 44: events that the reassembler delivered (serial order) after a newer one
check "rhel7: the late events said, put in time order" 1 \
	"$(grep -c '^kcap convert: audit: 44 event(s) came after newer ones, put in time order$' "$DIR/err")"
check "rhel7: nothing written out of order" 0 "$(grep -c 'reorder window' "$DIR/err")"
"$KCAP" info "$DIR/r7.kcap" > "$DIR/out"
check "rhel7: Ordered" "yes" "$(sed -n 's/^Ordered: *//p' "$DIR/out")"
check "rhel7: info --json ordered" true "$("$KCAP" info --json "$DIR/r7.kcap" | jq .ordered)"
check "rhel7: ts never goes back" 0 "$("$KCAP" convert --json --no-proc "$DIR/r7.kcap" |
	jq -r .ts | awk 'NR > 1 && $1 < last { n++ } { last = $1 } END { print n + 0 }')"
check "rhel7: seq in the order written" "$(seq 1 48 | tr '\n' ' ')" \
	"$("$KCAP" convert --json --no-proc "$DIR/r7.kcap" | jq -r .seq | tr '\n' ' ')"
run "$KCAP" merge "$DIR/r7.kcap" "$DIR/t3.kcap" -o "$DIR/m.kcap"
check "rhel7: merge takes it without --sort-window" "0 " "$rc $(cat "$DIR/err")"
check "rhel7: the merge holds both" 58 "$("$KCAP" info --json "$DIR/m.kcap" | jq .events)"

# --- user records show their fields in text ---
check "rhel7: USER_CMD in text" \
	"26 2016-12-07T02:20:31.363000000Z cpu- (1382) audit_user_cmd auid=1000 ses=3 subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 cwd=/home/andrew_kroh cmd='./metricbeat -c mb.dev.yml' terminal=pts/0 res=success" \
	"$("$KCAP" convert --text "$DIR/r7.kcap" | grep audit_user_cmd)"
check "rhel7: USER_LOGIN in text" \
	"22 2016-12-07T02:17:23.193000000Z cpu- (1298) audit_user_login auid=1000 ses=1 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 op=login id=1000 exe=/usr/sbin/sshd hostname=pool-96-241-146-97.washdc.fios.verizon.net addr=96.241.146.97 terminal=/dev/pts/0 res=success" \
	"$("$KCAP" convert --text "$DIR/r7.kcap" | grep audit_user_login)"

# --- audit.KEY in the filter ---
run "$KCAP" filter 'audit.auid = 1000' --count "$DIR/r7.kcap"
check "rhel7: audit.auid = 1000: exit, no message" "0 " "$rc $(cat "$DIR/err")"
check "rhel7: audit.auid = 1000: the events whose records say auid=1000" "$(serials ' auid=1000 ' "$C/audit-rhel7.log")" \
	"$(cat "$DIR/out")"
check "rhel7: audit.res = failed" "$(serials "res=failed" "$C/audit-rhel7.log")" \
	"$("$KCAP" filter 'audit.res = failed' --count "$DIR/r7.kcap")"

# --- an unknown cpu is null in JSON ---
"$KCAP" convert --json "$DIR/r7.kcap" > "$DIR/r7.json"
check "rhel7: every event's cpu is null" 48 "$(jq -r .cpu "$DIR/r7.json" | grep -c '^null$')"
check "rhel7: no 4294967295 cpu" 0 "$(grep -c '"cpu":4294967295' "$DIR/r7.json")"
check "test3: every event's cpu is null" 10 "$("$KCAP" convert --json "$DIR/t3.kcap" | jq -r .cpu | grep -c '^null$')"
harness_done
