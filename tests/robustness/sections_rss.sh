#!/bin/sh
# Issue 11 §6: a reading command's memory does not grow with the sections
# already passed. A capture of 1,000 and one of 10,000 concatenated copies
# of one capture (a seekable file: the index is loaded), and tars of as many
# members (a stream), are read by info, convert --json, filter --count and
# slice; the peak RSS (maxrss: the child's ru_maxrss) of the 10,000 must be
# within BOUND_KB of the 1,000's. No timing is asserted.
# What may still grow: the index of a seekable file holds some 280 bytes an
# events block (its summary and Bloom filter, docs/FORMAT.md), 2.5 MB here.
# Before the fix the 10,000 sections took 5.7 MB more (filter, slice) and
# 9.6 MB more (info, a copy of the same metadata per section).
# usage: sections_rss.sh KCAP MAXRSS WORKDIR
set -u
KCAP=$1
MAXRSS=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/sections-rss.$$"
BOUND_KB=${SECTIONS_RSS_BOUND_KB:-4096}

"$KCAP" synth -n 20 --seed 3 -o "$DIR/one.kcap" || { echo "synth failed"; exit 1; }
# p$k holds 2^k copies; N copies are the p's of N's binary digits.
cp "$DIR/one.kcap" "$DIR/p0"
k=0
while [ $k -lt 13 ]; do
	cat "$DIR/p$k" "$DIR/p$k" > "$DIR/p$((k + 1))"
	k=$((k + 1))
done
copies() { # N OUT
	n=$1 k=0
	: > "$2"
	while [ "$n" -gt 0 ]; do
		[ $((n % 2)) -eq 1 ] && cat "$DIR/p$k" >> "$2"
		n=$((n / 2)) k=$((k + 1))
	done
}
copies 1000 "$DIR/s1000.kcap"
copies 10000 "$DIR/s10000.kcap"
rm -f "$DIR"/p*
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
			filter) peak "filter --count $kind$n" "$KCAP" filter --count 'type = "read"' "$f"
				[ $n = 1000 ] && per=$(cat "$DIR/out")
				check "filter --count $kind$n" "$((per / 1000 * n))" "$(cat "$DIR/out")" ;;
			slice) peak "slice $kind$n" "$KCAP" slice --from +1ns -o "$DIR/sliced.kcap" "$f"
				[ $n = 1000 ] && sper=$("$KCAP" convert --json "$DIR/sliced.kcap" | wc -l)
				check "slice $kind$n: events" "$((sper / 1000 * n))" \
					"$("$KCAP" convert --json "$DIR/sliced.kcap" | wc -l | tr -d ' ')" ;;
			esac
			eval "peak_$n=\$PEAK"
		done
		echo "# $cmd $kind: peak RSS $peak_1000 KB (1,000 sections), $peak_10000 KB (10,000)"
		if [ $((peak_10000 - peak_1000)) -le "$BOUND_KB" ]; then
			ok "$cmd $kind: 10,000 sections within $BOUND_KB KB of 1,000"
		else
			bad "$cmd $kind: 10,000 sections take $((peak_10000 - peak_1000)) KB more than 1,000 (bound $BOUND_KB)"
		fi
	done
done
harness_done
