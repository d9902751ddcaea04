#!/bin/sh
# Live pipes (issue 10 item 11): a reader on a pipe renders what it has when
# its input has nothing more to read for now. A capture is written into a
# FIFO whose writer then stays open; the rendered lines must reach the other
# side while the writer is still open (before any end of input could flush
# them). No timing assertion: the wait is up to 20 s and fails only if the
# lines never come before the writer closes.
# usage: live_pipe.sh KCAP SRC WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/live-pipe.$$"
T=$SRC/testdata/synth-1k.kcap

# live NAME EXPECTED_LINES CONSUMER...: runs "CONSUMER < fifo > out" in the
# background, writes $T into the FIFO and keeps it open until out holds
# EXPECTED_LINES lines (or 20 s pass), then closes it.
live() {
	name=$1 want=$2
	shift 2
	rm -f "$DIR/fifo" "$DIR/out" "$DIR/rc"
	mkfifo "$DIR/fifo" || exit 1
	(sh -c "$*" < "$DIR/fifo" > "$DIR/out"; echo $? > "$DIR/rc") &
	bg=$!
	exec 3> "$DIR/fifo"
	cat "$T" >&3
	got=0 i=0
	while [ $i -lt 200 ]; do
		got=$(wc -l < "$DIR/out" | tr -d ' ')
		[ "$got" -ge "$want" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	early=$got
	exec 3>&-
	wait $bg
	check "$name: $want lines while the writer is still open" "$want" "$early"
	check "$name: exit 0 at the end of input" 0 "$(cat "$DIR/rc")"
	check "$name: $want lines in all" "$want" "$(wc -l < "$DIR/out" | tr -d ' ')"
}

K=$KCAP
live "convert --text" 1000 "$K convert --text"
live "convert --json" 1000 "$K convert --json"
live "filter --text" 201 "$K filter 'pid = 600' --text"
live "filter --csv (header and rows)" 202 "$K filter 'pid = 600' --csv"
live "cat to text" 1000 "$K cat --text"
# kcap out of the first tool: its block is cut after a second without input
live "filter | convert (kcap in between)" 201 "$K filter 'pid = 600' | $K convert --json"
live "cat | convert (raw blocks in between)" 1000 "$K cat | $K convert --text"

# a file is not a pipe: the same output as before
check "file input: same lines" "$("$KCAP" convert --text "$T" | cksum)" "$(cat "$T" | "$KCAP" convert --text | cksum)"

harness_done
