#!/bin/sh
# bench_body_skip.sh OLD NEW CAP [RUNS] - `kcap filter EXPR --count CAP` of
# two builds, interleaved (old, new, old, ...), RUNS rounds (default 9):
# medians of wall and of user+sys, as Markdown rows (docs/PERFORMANCE.md,
# "blocks ruled out by their records' bytes"). The expressions: a string no
# block holds, one every block holds (the search's worst case), a string
# every block holds beside a rare one. CAP: e.g. kcap synth -n 2000000
# --seed 1. Not run by ctest.
set -eu
old=$1 new=$2 cap=$3 runs=${4:-9}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT INT TERM
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "| expression | old wall (CPU) | new wall (CPU) |"
echo "| --- | --- | --- |"
for q in 'path = "/no/such/file"' 'path = "/etc/passwd"' 'comm = "bash" and ret < 0' 'comm = "curl" and ret < 0'; do
	: >"$t/old"
	: >"$t/new"
	i=0
	while [ $i -lt "$runs" ]; do
		/usr/bin/time -f '%e %U %S' -a -o "$t/old" "$old" filter "$q" --count "$cap" >/dev/null
		/usr/bin/time -f '%e %U %S' -a -o "$t/new" "$new" filter "$q" --count "$cap" >/dev/null
		i=$((i + 1))
	done
	row="| \`$q\` |"
	for b in old new; do
		row="$row $(awk '{ print $1 }' "$t/$b" | med) s ($(awk '{ print $2 + $3 }' "$t/$b" | med) s) |"
	done
	echo "$row"
done
