#!/bin/sh
# Writes N byte-for-byte copies of FILE, concatenated, to OUT (N sections
# when FILE is one capture), by doubling: about log2(N) cats, not N.
# usage: concat_copies.sh FILE N OUT
set -u
src=$1 n=$2 out=$3
pow=$out.pow.$$ acc=$out.acc.$$
trap 'rm -f "$pow" "$pow.next" "$acc"' EXIT
cp "$src" "$pow" || exit 1
: > "$acc" || exit 1
while [ "$n" -gt 0 ]; do
	if [ $((n % 2)) -eq 1 ]; then
		cat "$pow" >> "$acc" || exit 1
	fi
	n=$((n / 2))
	if [ "$n" -gt 0 ]; then
		cat "$pow" "$pow" > "$pow.next" && mv "$pow.next" "$pow" || exit 1
	fi
done
mv "$acc" "$out"
