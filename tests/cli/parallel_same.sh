#!/bin/sh
# The parallel read path (issue 17 §1): every command that reads captures
# gives the same bytes on stdout, the same lines on stderr and the same exit
# status with -j 1 (the sequential walk alone) and -j 4 (read ahead on four
# threads), over every capture in testdata/, a real recording, captures of
# many small blocks and of several sections, a 500k-event synth capture, and
# the damaged captures of the robustness tests (damage_cases). No timing.
# usage: parallel_same.sh KCAP SRCDIR WORKDIR DAMAGE_CASES
set -u
KCAP=$1
SRC=$2
CASES=$4
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/parallel-same.$$"

# The big capture: 500k events in 64 KB blocks, 276 blocks, many more than
# -j 4 keeps in flight (50k, 28 blocks, under the sanitizers, whose 10x
# slowdown would take this test past its minute).
BIG=500000
[ -n "${KCAP_SANITIZED:-}" ] && BIG=50000

"$KCAP" synth -n 20000 --seed 3 --block-size 16k -o "$DIR/small-blocks.kcap" || exit 1
"$KCAP" synth -n 5000 --seed 9 --block-size 4k --host other -o "$DIR/other.kcap" || exit 1
cat "$DIR/small-blocks.kcap" "$DIR/other.kcap" "$SRC/testdata/synth-1k.kcap" > "$DIR/sections.kcap"
"$KCAP" synth -n "$BIG" --seed 1 --block-size 64k -o "$DIR/big.kcap" || exit 1
"$KCAP" synth -n 4000 --seed 5 --block-size 16k -o "$DIR/intact.kcap" || exit 1
mkdir -p "$DIR/damaged"
"$CASES" "$DIR/intact.kcap" "$DIR/damaged" > "$DIR/cases" || { echo "damage_cases failed"; exit 1; }

inputs="$SRC/testdata/*.kcap $SRC/tests/scap_export/record-workload.kcap $DIR/small-blocks.kcap
	$DIR/sections.kcap"
damaged=$(cut -d' ' -f1 "$DIR/cases")

# same LABEL CMD ARGS...: runs kcap CMD -j 1 ARGS and kcap CMD -j 4 ARGS,
# compares stdout (by checksum: the big capture's JSON is a gigabyte),
# stderr and the exit status.
same() {
	label=$1
	cmd=$2
	shift 2
	{ "$KCAP" "$cmd" -j 1 "$@" 2> "$DIR/err1"; echo $? > "$DIR/rc1"; } | cksum > "$DIR/out1"
	{ "$KCAP" "$cmd" -j 4 "$@" 2> "$DIR/err4"; echo $? > "$DIR/rc4"; } | cksum > "$DIR/out4"
	rc1=$(cat "$DIR/rc1")
	rc4=$(cat "$DIR/rc4")
	if cmp -s "$DIR/out1" "$DIR/out4" && cmp -s "$DIR/err1" "$DIR/err4" && [ "$rc1" = "$rc4" ]; then
		ok "$label"
	else
		bad "$label: -j 1 exit $rc1, -j 4 exit $rc4; stderr: $(diff "$DIR/err1" "$DIR/err4" | head -n 4)"
	fi
}

# Every command that reads, every rendering.
for f in $inputs; do
	n=$(basename "$f")
	for mode in --kcap --json --no-proc --csv --text --tsv --rowbinary; do
		same "convert $mode $n" convert "$mode" "$f"
	done
	same "convert --json of itself twice ($n)" convert --json "$f" "$f"
	same "filter (full scan) $n" filter --json 'comm != "no such program"' "$f"
	same "filter (block skips) $n" filter --json 'pid == 42' "$f"
	same "filter --count $n" filter --count 'type == "openat" and fd >= 3' "$f"
	same "filter -v kcap $n" filter -v -o - 'type == "read"' "$f"
	same "slice --head $n" slice --head 1500 --json "$f"
	same "slice --from/--to $n" slice --from +1s --to +3s --json "$f"
	same "slice kcap $n" slice --skip 700 --head 2000 -o - "$f"
	same "slice --tail $n" slice --tail 300 --csv "$f"
	same "stats $n" stats "$f"
	same "stats --by comm $n" stats --by comm --json "$f"
	same "verify $n" verify "$f"
	same "verify --json $n" verify --json "$f"
	same "merge $n" merge -o - "$f" "$SRC/testdata/synth-1k.kcap"
	same "cat $n" cat -o - "$f"
done

# Damaged captures: the same damage lines, in file order, the same intact
# events, the same exit 3.
for f in $damaged; do
	n=$(basename "$f")
	for mode in --kcap --json --csv; do
		same "damaged: convert $mode $n" convert "$mode" "$f"
	done
	same "damaged: filter $n" filter --json 'comm != "no such program"' "$f"
	same "damaged: slice $n" slice --skip 100 --head 3000 --json "$f"
	same "damaged: stats $n" stats "$f"
	same "damaged: verify $n" verify --json "$f"
	same "damaged: merge $n" merge -o - "$f" "$SRC/testdata/synth-1k.kcap"
	same "damaged: cat $n" cat -o - "$f"
done

# The big capture: many blocks in flight, whole runs of them.
for mode in --json --csv --kcap; do
	same "convert $mode big.kcap" convert "$mode" "$DIR/big.kcap"
done
same "filter (full scan) big.kcap" filter --count 'comm != "no such program"' "$DIR/big.kcap"
same "filter (block skips) big.kcap" filter --json 'pid == 42' "$DIR/big.kcap"
same "slice big.kcap" slice --from +1s --to +2s -o - "$DIR/big.kcap"
same "stats big.kcap" stats "$DIR/big.kcap"
same "verify big.kcap" verify "$DIR/big.kcap"

# -j's value goes through the count grammar, and a bad one says so
"$KCAP" convert -j 0 --json "$SRC/testdata/synth-1k.kcap" > /dev/null 2> "$DIR/err"
check "-j 0: usage" 2 "$?"
check "-j 0: one line" "kcap convert: --jobs '0': expected a count from 1 to 64" "$(cat "$DIR/err")"
"$KCAP" filter --jobs=2x 'pid == 1' "$SRC/testdata/synth-1k.kcap" > /dev/null 2>&1
check "--jobs 2x: usage" 2 "$?"
harness_done
