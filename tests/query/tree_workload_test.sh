#!/bin/sh
# kcap tree on a workload whose process structure is known
# (tests/query/tree_workload.sh: a shell forking a pipeline of three, a
# background job, a child killed by SIGTERM, one killed by SIGKILL, an exec
# chain), and per origin after a merge.
#   capture: testdata/tree-workload.kcap (recorded once), plus the merge checks
#   live:    the same workload recorded now (root and eBPF; else SKIP, exit 77);
#            structural checks only (not the pids)
# usage: tree_workload_test.sh KCAP SRCDIR WORKDIR capture|live
set -u
KCAP=$1
SRC=$2
MODE=$4
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/tree-workload.$MODE.$$"
if [ "$MODE" = live ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: the live recorder needs root"; exit 77; }
	if ! "$KCAP" record -q -e file --duration 100ms -o "$DIR/probe.kcap" 2>"$DIR/err"; then
		echo "SKIP: kcap record does not run here: $(cat "$DIR/err")"
		exit 77
	fi
	T=$DIR/live.kcap
	"$KCAP" record -q --follow -o "$T" -- sh "$SRC/tests/query/tree_workload.sh" 2>"$DIR/err"
	check "record exit" 0 $?
else
	T=$SRC/testdata/tree-workload.kcap
fi

"$KCAP" tree --json "$T" >"$DIR/t.json"
check "tree exit" 0 $?
# the workload's shell: the process whose exec runs tree_workload.sh
jq '[.origins[].processes[] | recurse(.children[]) | select(any(.execs[]; (.argv[-1] // "") | endswith("tree_workload.sh")))]' \
	"$DIR/t.json" >"$DIR/sh.json"
check "one workload shell" 1 "$(jq length "$DIR/sh.json")"
jq '.[0]' "$DIR/sh.json" >"$DIR/s.json"
S=$(jq .pid "$DIR/s.json")
q() { jq -c "$1" "$DIR/s.json"; }
check "shell: exec of sh" '"sh"' "$(q '.execs[-1].exe | split("/") | .[-1]')"
check "shell: exit 0" '[true,0,0]' "$(q '[.exited, .exit_status, .exit_signal]')"
check "shell: seven children" 7 "$(q '.children | length')"
check "shell: no grandchildren" 8 "$(q '[recurse(.children[])] | length')"
check "children: ppid is the shell" 0 "$(q "[.children[] | select(.ppid != $S)] | length")"
check "each pid once in the tree (a vfork child seen before its parent's vfork is one process)" 0 \
	"$(jq "[.origins[].processes[] | recurse(.children[]) | .pid] | group_by(.) | map(select(length > 1)) | length" "$DIR/t.json")"
# children in the order of their start, each by its first exec
check "children's programs in order (the SIGKILLed one left out)" \
	'["/bin/echo","/usr/bin/tr","/usr/bin/wc","/bin/sleep","/bin/sh","/usr/bin/env"]' \
	"$(q '[.children | sort_by(.start_ts)[] | select(.exit_signal != 9) | .execs[0].exe]')"
check "pipeline argv" '[["/bin/echo","one","two","three"],["/usr/bin/tr","a-z","A-Z"],["/usr/bin/wc","-c"]]' \
	"$(q '[.children | sort_by(.start_ts)[0:3][] | .execs[0].argv]')"
check "pipeline and background job exit 0" '[0,0,0,0]' \
	"$(q '[.children | sort_by(.start_ts)[0:4][] | .exit_status]')"
check "background job" '[["/bin/sleep","0.2"]]' "$(q '[.children[] | select(.execs[0].exe == "/bin/sleep" and .exit_signal == 0) | .execs[0].argv]')"
check "SIGTERM child: argv, signal, no status" '[["/bin/sh","-c","kill -TERM $$"],true,15,-1]' \
	"$(q '.children[] | select(.exit_signal == 15) | [.execs[0].argv, .exited, .exit_signal, .exit_status]')"
check "SIGKILL child: one, ended by signal 9" '[[true,-1,true]]' \
	"$(q '[.children[] | select(.exit_signal == 9) | [.exited, .exit_status, (.execs | map(.exe) | . == [] or . == ["/bin/sleep"])]]')"
check "exec chain: each exec of the pid in order" '[["/usr/bin/env","/bin/sh","/bin/true"],[["/usr/bin/env","/bin/sh","-c","exec /bin/true"],["/bin/sh","-c","exec /bin/true"],["/bin/true"]],true,0]' \
	"$(q '.children[] | select(.execs[0].exe == "/usr/bin/env") | [(.execs | map(.exe)), (.execs | map(.argv)), (.execs | map(.ts) | . == sort), .exit_status]')"
check "children: start and end known, end >= start" '[]' \
	"$(q '[.children[] | select(.start_ts == 0 or .end_ts == 0 or .end_ts < .start_ts) | [.pid, .start_ts, .end_ts]]')"
# the shell's start: its side of the fork (ret 0) when the recorder caught it
# (--follow starts following the command's pid as it forks it, so a live
# recording may begin after that event), else unknown (0, "?" in text)
FORK=$("$KCAP" filter "pid = $S and ret = 0 and type in (fork, vfork, clone, clone3)" --json "$T" 2>/dev/null | head -n 1 | jq .ts)
check "shell: start is its side of the fork, or unknown without one" "${FORK:-0}" "$(q .start_ts)"
check "shell: end known, after its start" true "$(q '.end_ts > 0 and .end_ts >= .start_ts')"
check "children start after the shell, end before it" 0 \
	"$(q '.start_ts as $s | .end_ts as $e | [.children[] | select(.start_ts < $s or .end_ts > $e)] | length')"
check "execs within the life of their process" 0 \
	"$(q '[recurse(.children[]) | . as $p | .execs[] | select(.ts < $p.start_ts or .ts > $p.end_ts)] | length')"
# event counts: per process, the events of its pid; in all, every event (--follow)
for p in $(q '[recurse(.children[]) | .pid] | .[]' | tr -d '"'); do
	printf '%s %s\n' "$p" "$("$KCAP" filter "pid = $p" --count "$T")"
done | sort >"$DIR/count.ref"
q '[recurse(.children[]) | "\(.pid) \(.events)"] | .[]' | tr -d '"' | sort >"$DIR/count.tree"
check "events per process = filter pid = N --count" "" "$(diff "$DIR/count.ref" "$DIR/count.tree" | head -n 3)"
check "events of the workload = the capture's events (--follow)" "$("$KCAP" info --json "$T" | jq .events)" \
	"$(q '[recurse(.children[]) | .events] | add')"
# the text rendering says how each ended
"$KCAP" tree --pid "$S" "$T" >"$DIR/t.txt"
check "text: the SIGTERM child's line" 1 "$(grep -c '^ *[0-9][0-9]* sh .*  signal=15  events=' "$DIR/t.txt")"
check "text: the SIGKILL child's line" 1 "$(grep -c '^ *[0-9][0-9]* sh .*  signal=9  events=' "$DIR/t.txt")"
check "text: the exec chain, indented under its process" 3 \
	"$(grep -c '^ *exec /\(usr/bin/env\|bin/sh\|bin/true\) \[' "$DIR/t.txt" | awk '{ print $1 - 1 }')"
if [ "$MODE" = live ]; then
	harness_done
	exit
fi

# --- per origin after a merge: each host is its own tree ---
"$KCAP" synth -n 2000 --seed 5 --host alpha -o "$DIR/a.kcap" &&
	"$KCAP" synth -n 3000 --seed 6 --host beta -o "$DIR/b.kcap" &&
	"$KCAP" merge "$DIR/a.kcap" "$DIR/b.kcap" "$T" -o "$DIR/m.kcap"
check "merge exit" 0 $?
"$KCAP" tree --json "$DIR/m.kcap" >"$DIR/m.json"
HOST=$(jq -r '.origins[0].host' "$DIR/t.json")
check "one tree per origin" "$(printf '%s\n' alpha beta "$HOST" | sort | tr '\n' ' ')" \
	"$(jq -r '.origins[].host' "$DIR/m.json" | sort | tr '\n' ' ')"
for f in a b t; do
	case $f in a) h=alpha c=$DIR/a.kcap ;; b) h=beta c=$DIR/b.kcap ;; t) h=$HOST c=$T ;; esac
	"$KCAP" tree --json "$c" >"$DIR/$f.json"
	check "merged: $h's process count as alone" "$(jq '[.origins[0].processes[] | recurse(.children[])] | length' "$DIR/$f.json")" \
		"$(jq --arg h "$h" '[.origins[] | select(.host == $h) | .processes[] | recurse(.children[])] | length' "$DIR/m.json")"
	check "merged: $h's tree as alone" "$(jq -cS '.origins[0]' "$DIR/$f.json" | md5sum)" \
		"$(jq -cS --arg h "$h" '.origins[] | select(.host == $h)' "$DIR/m.json" | md5sum)"
	check "merged: $h's events as alone" "$("$KCAP" info --json "$c" | jq .events)" \
		"$(jq --arg h "$h" '[.origins[] | select(.host == $h) | .processes[] | recurse(.children[]) | .events] | add' "$DIR/m.json")"
done
check "synth hosts: each its own root pid 1" '[[1],[1]]' \
	"$(jq -c '[.origins[] | select(.host == "alpha" or .host == "beta") | [.processes[] | select(.ppid == 0) | .pid]]' "$DIR/m.json")"
"$KCAP" tree "$DIR/m.kcap" >"$DIR/m.txt"
check "text: a header per host" "$(printf 'host %s\n' alpha beta "$HOST" | sort | tr '\n' ' ')" \
	"$(grep '^host ' "$DIR/m.txt" | sort | tr '\n' ' ')"
check "text: a root line per process without a parent" \
	"$(jq '[.origins[].processes[]] | length' "$DIR/m.json")" "$(grep -c '^[0-9]' "$DIR/m.txt")"
harness_done
