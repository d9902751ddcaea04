#!/bin/sh
# CLI tests of `kcap tree` on the synthetic capture (snapshot of 23
# processes plus clone/execve/exit_group events): every exec of the capture
# in the tree, in order per pid, under the pid that forked it; exits;
# --pid; a filter expression keeping the branches with matches.
# usage: tree_cli.sh KCAP SRCDIR WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/tree-cli.$$"
T=$SRC/testdata/synth-1k.kcap
"$KCAP" tree --json "$T" >"$DIR/t.json"
check "tree exit" 0 $?
check "one origin" '"synth-host"' "$(jq '.origins | map(.host) | join(",")' "$DIR/t.json")"
# every process, flattened: pid ppid parent-in-tree
jq -r '.origins[].processes[] | recurse(.children[]) | "\(.pid) \(.execs | map(.exe) | join(","))"' "$DIR/t.json" |
	awk '$2 != ""' | sort >"$DIR/execs.tree"
"$KCAP" filter 'type = execve and ret = 0' --csv --fields pid,path "$T" | tail -n +2 | tr -d '\r' |
	awk -F, '{ a[$1] = a[$1] (a[$1] == "" ? "" : ",") $2 } END { for (p in a) print p, a[p] }' | sort >"$DIR/execs.ref"
check "every exec, in order per pid" "" "$(diff "$DIR/execs.ref" "$DIR/execs.tree" | head -n 3)"
check "exec count" "$("$KCAP" filter 'type = execve and ret = 0' --count "$T")" \
	"$(jq '[.. | objects | select(has("execs")) | .execs[]] | length' "$DIR/t.json")"
check "processes: snapshot plus forks" "$((23 + $("$KCAP" filter 'type = clone and ret > 0' --count "$T")))" \
	"$(jq '[.origins[].processes[] | recurse(.children[])] | length' "$DIR/t.json")"
check "event counts add up" 1000 "$(jq '[.origins[].processes[] | recurse(.children[]) | .events] | add' "$DIR/t.json")"
check "each child under its ppid" 0 \
	"$(jq '[.origins[].processes[] | recurse(.children[]) | . as $p | .children[] | select(.ppid != $p.pid)] | length' "$DIR/t.json")"
check "exits counted" "$("$KCAP" filter 'type = exit_group' --count "$T")" \
	"$(jq '[.origins[].processes[] | recurse(.children[]) | select(.exited)] | length' "$DIR/t.json")"
check "exit status of pid 1045" 1 "$(jq '[.. | objects | select(.pid? == 1045)][0].exit_status' "$DIR/t.json")"
check "pid 42's argv" '["curl","-sS","https://example.org/install.sh","-o","/tmp/install.sh"]' \
	"$(jq -c '[.. | objects | select(.pid? == 42)][0].execs[0].argv' "$DIR/t.json")"
check "root is pid 1" 1 "$(jq '.origins[0].processes[0].pid' "$DIR/t.json")"
# --pid: the subtree with its ancestors only
check "--pid 1076: ancestors and itself" "1 601 1013 1076" \
	"$("$KCAP" tree --pid 1076 "$T" | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { printf "%s%s", s, $1; s = " " }')"
SUB=$(jq '[.. | objects | select(.pid? == 601) | recurse(.children[])] | length' "$DIR/t.json")
GOT=$("$KCAP" tree --pid 601 --json "$T" | jq '[.origins[].processes[] | recurse(.children[])] | length')
check "--pid 601: its subtree and pid 1" "$((SUB + 1))" "$GOT"
"$KCAP" tree --pid 99999 "$T" 2>/dev/null
check "--pid unknown exit" 1 $?
# a filter keeps the branches with matches
"$KCAP" tree -e 'path = "/etc/hostname"' --json "$T" >"$DIR/f.json"
check "-e: the matching processes" "$("$KCAP" filter 'path = "/etc/hostname"' --csv --fields pid "$T" | tail -n +2 | tr -d '\r' | sort -u | tr '\n' ' ')" \
	"$(jq -r '[.origins[].processes[] | recurse(.children[]) | select(.matched > 0) | .pid] | sort | map(tostring) | .[]' "$DIR/f.json" | sort | tr '\n' ' ')"
check "-e: every leaf matches" 0 "$(jq '[.origins[].processes[] | recurse(.children[]) | select(.children == [] and .matched == 0)] | length' "$DIR/f.json")"
"$KCAP" tree -e 'pid <' "$T" 2>"$DIR/err"
check "bad expression exit" 2 $?
check "bad expression column" 1 "$(grep -c '^kcap tree: column 6:' "$DIR/err")"
"$KCAP" tree --help | grep -q '^usage: kcap tree'
check "--help" 0 $?
harness_done
