#!/bin/sh
# Process context across hosts: two captures whose pids collide (hosts_capture:
# pids 100, 200, 300 on both), merged into one section. Every event must get
# its own host's process (proc.exe, parent.exe, the JSON "proc" object), in
# merge's own JSON and downstream of the merged file (convert, filter, cat,
# slice), and both hosts' snapshots must be kept, each with its origin.
# usage: origin_cli.sh KCAP HOSTS_CAPTURE WORKDIR
set -u
KCAP=$1
MK=$2
DIR=$3/origin-cli.$$
mkdir -p "$DIR" || exit 1
trap 'rm -rf "$DIR"' EXIT
. "$(dirname "$0")/../harness.sh"

A=$DIR/a.kcap
B=$DIR/b.kcap
M=$DIR/m.kcap
"$MK" "$A" alpha a 1795255200000000000 || exit 1
"$MK" "$B" beta b 1795255200000000500 || exit 1
"$KCAP" merge -o "$M" "$A" "$B"; check "merge exit" 0 $?
check "merged count" 14 "$("$KCAP" filter 'seq > 0' --count "$M")"

# Each event's proc.exe must be one of its own host's programs: a-* on
# alpha, b-* on beta. Prints "host exe" of the events that break this.
wrong_host() {
	jq -r '.host as $h | select((.proc.exe // "") | startswith("/usr/bin/" + ($h | .[0:1]) + "-") | not) |
		"\(.host) \(.seq) \(.proc.exe)"'
}
# "host pid exe parent-exe" per event, sorted and counted
per_pid() { jq -r '"\(.host) \(.pid) \(.proc.exe) \(.proc.parent.exe // "-")"' | sort | uniq -c | sed 's/^ *//'; }
EXPECT='3 alpha 100 /usr/bin/a-daemon /sbin/init
1 alpha 200 /usr/bin/a-shell /sbin/init
1 alpha 300 /usr/bin/a-shell /usr/bin/a-shell
2 alpha 300 /usr/bin/a-tool /usr/bin/a-shell
3 beta 100 /usr/bin/b-daemon /sbin/init
1 beta 200 /usr/bin/b-shell /sbin/init
1 beta 300 /usr/bin/b-shell /usr/bin/b-shell
2 beta 300 /usr/bin/b-tool /usr/bin/b-shell'

# ---- downstream of the merged file -----------------------------------------
"$KCAP" convert --json "$M" > "$DIR/m.jsonl"
check "convert --json: 14 events with proc" 14 "$(jq -r 'select(.proc.exe != null) | .seq' "$DIR/m.jsonl" | wc -l | tr -d ' ')"
check "convert --json: every event has its own host's exe" "" "$(wrong_host < "$DIR/m.jsonl")"
check "convert --json: proc and parent per host and pid" "$EXPECT" "$(per_pid < "$DIR/m.jsonl")"
check "pid 100 on beta is b-daemon (the snapshot of beta)" "/usr/bin/b-daemon" \
	"$(jq -r 'select(.host == "beta" and .seq == 1) | .proc.exe' "$DIR/m.jsonl")"
check "pid 100 on alpha is a-daemon (the snapshot of alpha)" "/usr/bin/a-daemon" \
	"$(jq -r 'select(.host == "alpha" and .seq == 1) | .proc.exe' "$DIR/m.jsonl")"
check "filter host = beta and proc.exe = b-daemon" 3 \
	"$("$KCAP" filter 'host = beta and proc.exe = "/usr/bin/b-daemon"' --count "$M")"
check "filter host = alpha and proc.exe = a-tool" 2 \
	"$("$KCAP" filter 'host = alpha and proc.exe = "/usr/bin/a-tool"' --count "$M")"
check "filter host = beta and proc.exe = a-daemon (another host's)" 0 \
	"$("$KCAP" filter 'host = beta and proc.exe = "/usr/bin/a-daemon"' --count "$M")"
check "filter proc.exe glob a-*: alpha's 7 events only" "7 alpha" \
	"$("$KCAP" filter 'proc.exe glob "/usr/bin/a-*"' --json "$M" | jq -r .host | uniq -c | sed 's/^ *//')"
check "filter parent.exe = b-shell" 3 "$("$KCAP" filter 'parent.exe = "/usr/bin/b-shell"' --count "$M")"
check "filter --json proc object per host" "" "$("$KCAP" filter 'seq > 0' --json "$M" | wrong_host)"

# ---- both snapshots kept, each with its origin -------------------------------
snaps() { "$KCAP" info --json "$@" | jq -c '[.snapshots[] | [.section, .origin, .processes]]'; }
check "info: one snapshot per origin" '[[0,0,3],[0,1,3]]' "$(snaps "$M")"
check "info: inputs have a section-wide snapshot" '[[0,null,3]]' "$(snaps "$A")"
check "info --json version of the merged file" '"1.4"' "$("$KCAP" info --json "$M" | jq .version)"
check "info text names the origins" "Snapshots:         section 0, origin 0: 3 processes
                   section 0, origin 1: 3 processes" "$("$KCAP" info "$M" | grep -A1 '^Snapshots:')"
check "cat keeps the origin snapshots" '[[0,0,3],[0,1,3]]' "$("$KCAP" cat "$M" | snaps -)"
check "filter output keeps the origin snapshots" '[[0,0,3],[0,1,3]]' "$("$KCAP" filter 'pid = 300' "$M" | snaps -)"
check "slice output keeps the origin snapshots" '[[0,0,3],[0,1,3]]' "$("$KCAP" slice --head 2 "$M" | snaps -)"
check "filter output: proc still per host" 3 \
	"$("$KCAP" filter 'host = beta' "$M" | "$KCAP" filter 'proc.exe = "/usr/bin/b-daemon"' --count)"
# concatenated with an input: the second section keeps its section-wide one
check "cat merged + input: per section" '[[0,0,3],[0,1,3],[1,null,3]]' "$("$KCAP" cat "$M" "$A" | snaps -)"
check "cat merged + input: proc per section and origin" "" "$("$KCAP" cat "$M" "$B" | "$KCAP" convert --json | wrong_host)"

# ---- merge's own JSON and --concat -------------------------------------------
check "merge --json: proc and parent per host and pid" "$EXPECT" \
	"$("$KCAP" merge --json "$A" "$B" | per_pid)"
check "merge --concat keeps both snapshots" '[[0,0,3],[0,1,3]]' "$("$KCAP" merge --concat "$A" "$B" | snaps -)"
check "merge --concat: proc per host" "" "$("$KCAP" merge --concat "$A" "$B" | "$KCAP" convert --json | wrong_host)"
# merging the merged file with a third host keeps all three
"$MK" "$DIR/c.kcap" gamma c 1795255200000000200 || exit 1
check "merge of a merge: three origin snapshots" '[[0,0,3],[0,1,3],[0,2,3]]' "$("$KCAP" merge "$M" "$DIR/c.kcap" | snaps -)"
check "merge of a merge: gamma's pid 100" "3 /usr/bin/c-daemon" \
	"$("$KCAP" merge "$M" "$DIR/c.kcap" | "$KCAP" filter 'host = gamma and pid = 100' --json | jq -r .proc.exe | uniq -c | sed 's/^ *//')"
# one host twice (identical metadata, one origin): the snapshots are united
check "identical inputs: one origin, one snapshot" '[[0,0,3]]' "$("$KCAP" merge "$A" "$A" | snaps -)"

# ---- the snapshots' user and group names survive merge ----------------------
"$MK" "$DIR/an.kcap" alpha a 1795255200000000000 names || exit 1
"$MK" "$DIR/bn.kcap" beta b 1795255200000000500 names || exit 1
names() { jq -c '[.host, .uid, .user, .group]' | sort | uniq -c | sed 's/^ *//'; }
NAMES='3 ["alpha",0,"root","root"]
4 ["alpha",1000,"a-user","a-group"]
3 ["beta",0,"root","root"]
4 ["beta",1000,"b-user","b-group"]'
check "inputs with names: user and group per host" "$NAMES" \
	"$(for f in "$DIR/an.kcap" "$DIR/bn.kcap"; do "$KCAP" convert --json --no-proc "$f"; done | names)"
"$KCAP" merge -o "$DIR/mn.kcap" "$DIR/an.kcap" "$DIR/bn.kcap"; check "merge with names: exit" 0 $?
check "merge -o keeps each host's user and group names" "$NAMES" "$("$KCAP" convert --json --no-proc "$DIR/mn.kcap" | names)"
check "merge --json keeps them" "$NAMES" "$("$KCAP" merge --json --no-proc "$DIR/an.kcap" "$DIR/bn.kcap" | names)"
check "merge of one host twice keeps its names" '6 ["alpha",0,"root","root"]
8 ["alpha",1000,"a-user","a-group"]' "$("$KCAP" merge "$DIR/an.kcap" "$DIR/an.kcap" | "$KCAP" convert --json --no-proc | names)"
check "merge with names: text as the inputs'" \
	"$(for f in "$DIR/an.kcap" "$DIR/bn.kcap"; do "$KCAP" convert --text "$f"; done | sort)" \
	"$("$KCAP" convert --text "$DIR/mn.kcap" | sort)"

harness_done
