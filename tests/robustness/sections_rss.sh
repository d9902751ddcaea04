#!/bin/sh
# Issue 11 §6: a reading command's memory does not grow with the sections
# already passed. A capture of 1,000 and one of 10,000 concatenated copies
# of one capture (a seekable file: filter and slice load its index), and
# tars of as many members (a stream), are read by info, convert --json,
# filter --count and slice (info, filter and slice load the index of the
# file); the peak RSS (maxrss: the child's ru_maxrss) of
# the 10,000 must be within BOUND_KB of the 1,000's. No timing is asserted.
# The one thing that may grow is the index a seekable file's reader holds:
# at most INDEX_B bytes per events block (docs/FORMAT.md "What a reader
# holds of an index": its entry, 144 bytes, and its Bloom filter and
# counts, 17 bytes here; 175 measured), capped at 64 MiB. The capture comes
# from JSON lines, so each section has several schema blocks, as an import
# writes them. Before the fix each section kept its own schema (7 KB a
# section, 70 MB more for every command) and the index some 600 bytes an
# events block; before the index kept its filters and counts in one buffer
# (one allocation per entry, and the whole meta of every entry while the
# index loaded), 269 bytes an events block.
# usage: sections_rss.sh KCAP MAXRSS WORKDIR
set -u
KCAP=$1
MAXRSS=$2
if [ -n "${KCAP_SANITIZED:-}" ]; then
	echo "SKIP: sanitizer build: ASan's quarantine and bookkeeping, not the reader, set the peak RSS"
	exit 0
fi
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/sections-rss.$$"
BOUND_KB=${SECTIONS_RSS_BOUND_KB:-4096}
INDEX_B=200

# 20 events and no snapshot (synth's would be most of the bytes): 1.9 KB
"$KCAP" synth -n 20 --seed 3 -o - | "$KCAP" convert --json | "$KCAP" convert --from json -o "$DIR/one.kcap" ||
	{ echo "synth failed"; exit 1; }
blocks=$("$KCAP" info --json "$DIR/one.kcap" | sed -n 's/.*"blocks":\([0-9]*\).*/\1/p')
[ "${blocks:-0}" -gt 1 ] || { echo "one.kcap: $blocks events blocks, expected several"; exit 1; }
for n in 1000 10000; do
	sh "$(dirname "$0")/concat_copies.sh" "$DIR/one.kcap" $n "$DIR/s$n.kcap" || { echo "concat failed"; exit 1; }
done
for n in 1000 10000; do
	(cd "$DIR" && yes one.kcap | head -n $n | tar cf "t$n.tar" --hard-dereference -T -) ||
		{ echo "tar failed"; exit 1; }
done

peak() { # label CMD... : runs CMD, checks exit 0 and a quiet stderr; PEAK = its peak KB
	label=$1
	shift
	"$MAXRSS" -o "$DIR/rss" "$@" > "$DIR/out" 2> "$DIR/err"
	read -r kb rc < "$DIR/rss"
	check "$label: exit" "0" "$rc"
	[ -s "$DIR/err" ] && bad "$label: stderr: $(head -c 300 "$DIR/err")"
	PEAK=$kb
}

for kind in s t; do
	[ $kind = s ] && ext=kcap || ext=tar
	for cmd in info convert filter slice; do
		for n in 1000 10000; do
			f="$DIR/$kind$n.$ext"
			case $cmd in
			info) peak "info $kind$n" "$KCAP" info --json "$f"
				check "info $kind$n: sections" "$n" \
					"$(sed -n 's/.*"sections":\([0-9]*\).*/\1/p' "$DIR/out")" ;;
			convert) peak "convert --json $kind$n" "$KCAP" convert --json "$f"
				check "convert --json $kind$n: lines" "$((n * 20))" "$(wc -l < "$DIR/out" | tr -d ' ')" ;;
			filter) peak "filter --count $kind$n" "$KCAP" filter --count 'pid > 100' "$f"
				[ $n = 1000 ] && per=$(cat "$DIR/out")
				check "filter --count $kind$n" "$((per / 1000 * n))" "$(cat "$DIR/out")" ;;
			slice) peak "slice $kind$n" "$KCAP" slice --from +1ns -o "$DIR/sliced.kcap" "$f"
				[ $n = 1000 ] && sper=$("$KCAP" convert --json "$DIR/sliced.kcap" | wc -l)
				check "slice $kind$n: events" "$((sper / 1000 * n))" \
					"$("$KCAP" convert --json "$DIR/sliced.kcap" | wc -l | tr -d ' ')" ;;
			esac
			eval "peak_$n=\$PEAK"
		done
		bound=$BOUND_KB
		case $kind$cmd in # the index of 9,000 sections more (info answers from it: format 1.4)
		sinfo|sfilter|sslice) bound=$((BOUND_KB + 9000 * blocks * INDEX_B / 1024)) ;;
		esac
		echo "# $cmd $kind: peak RSS $peak_1000 KB (1,000 sections), $peak_10000 KB (10,000)"
		if [ $((peak_10000 - peak_1000)) -le "$bound" ]; then
			ok "$cmd $kind: 10,000 sections within $bound KB of 1,000"
		else
			bad "$cmd $kind: 10,000 sections take $((peak_10000 - peak_1000)) KB more than 1,000 (bound $bound)"
		fi
	done
done
harness_done
