#!/bin/sh
# Issue 13: `kcap convert --from etl` reads an .etl a buffer at a time, so
# its memory does not grow with the file. A corpus file (the plain
# ShutdownPerfDiagLogger and perfview's compressed one) and one 10 times as
# large (its header buffer, then its other buffers 10 times over: one file,
# one logfile header) are converted from the file and from a pipe (copied
# to a temporary file first); the peak RSS (maxrss: the child's ru_maxrss)
# of the large one must be within BOUND_KB of the small one's, and every
# copy's events must be there. No timing is asserted. Before, the input was
# read whole: 28 MB and 44 MB more for the large ones.
# usage: etl_rss.sh KCAP MAXRSS CORPUS WORKDIR
set -u
KCAP=$1
MAXRSS=$2
CORPUS=$3
if [ -n "${KCAP_SANITIZED:-}" ]; then
	echo "SKIP: sanitizer build: ASan's quarantine and bookkeeping, not the reader, set the peak RSS"
	exit 0
fi
[ -d "$CORPUS" ] || { echo "SKIP: no ETW corpus at $CORPUS"; exit 0; }
. "$(dirname "$0")/../harness.sh"
harness_workdir "$4/etl-rss.$$"
BOUND_KB=${ETL_RSS_BOUND_KB:-4096}

events() { "$KCAP" info --json "$1" | sed -n 's/.*"events":\([0-9]*\).*/\1/p'; }
for f in etl-parser/ShutdownPerfDiagLogger.etl perfview/net.4.5.2.x64.etl; do
	src=$CORPUS/$f
	n=$(basename "$f" .etl)
	hb=$(od -An -tu4 -N4 "$src" | tr -d ' ')
	for k in 0 1 10; do
		head -c "$hb" "$src" > "$DIR/$n.x$k.etl"
		i=0
		while [ $i -lt $k ]; do
			tail -c +$((hb + 1)) "$src" >> "$DIR/$n.x$k.etl"
			i=$((i + 1))
		done
	done
	# the header buffer alone: its events (exit 3, the header says more buffers were written)
	"$KCAP" convert --from etl "$DIR/$n.x0.etl" -o "$DIR/x0.kcap" 2> "$DIR/err"
	check "$n: the header buffer alone reads as a cut file" "3" "$?"
	e0=$(events "$DIR/x0.kcap")
	for how in file pipe; do
		for k in 1 10; do
			if [ $how = file ]; then
				"$MAXRSS" -o "$DIR/rss$k" "$KCAP" convert --from etl "$DIR/$n.x$k.etl" -o "$DIR/x$k.kcap" 2> "$DIR/err$k"
			else
				"$MAXRSS" -o "$DIR/rss$k" "$KCAP" convert --from etl -o "$DIR/x$k.kcap" < "$DIR/$n.x$k.etl" 2> "$DIR/err$k"
			fi
			read -r kb$k rc$k < "$DIR/rss$k"
			eval "ev$k=\$(events \"\$DIR/x$k.kcap\")"
		done
		check "$n from a $how: exit 0 for both" "0 0" "$rc1 $rc10"
		check "$n from a $how: the large one has every copy's events" "$((e0 + 10 * (ev1 - e0)))" "$ev10"
		grow=$((kb10 - kb1))
		if [ "$grow" -le "$BOUND_KB" ]; then
			ok "$n from a $how: peak RSS $kb1 KB for $(wc -c < "$DIR/$n.x1.etl") bytes, $kb10 KB for $(wc -c < "$DIR/$n.x10.etl") (+$grow KB, bound $BOUND_KB)"
		else
			bad "$n from a $how: peak RSS grew by $grow KB ($kb1 -> $kb10 KB), bound $BOUND_KB"
		fi
	done
done
harness_done
