#!/bin/sh
# Inputs are never modified (issue 14 §5): every command that reads files
# runs over a set of inputs (plain, damaged, truncated, gzip, zstd, tar,
# sealed, a bundle), and each input's SHA-256 and mtime (to the nanosecond)
# are the same after as before. recover, the one command meant for damaged
# files, never writes in place: recover IN -o IN is refused.
# usage: inputs_unchanged.sh KCAP WORKDIR
set -u
KCAP=$1
. "$(dirname "$0")/../harness.sh"
harness_workdir "$2/inputs-unchanged.$$"
cd "$DIR" || exit 1
"$KCAP" synth -n 3000 --seed 5 --block-size 16k -o a.kcap || exit 1
"$KCAP" synth -n 2000 --seed 8 --block-size 16k -o b.kcap || exit 1
python3 - <<'PY'
d = bytearray(open('a.kcap', 'rb').read()); d[20000] ^= 1; open('damaged.kcap', 'wb').write(d)
open('cut.kcap', 'wb').write(d[:len(d) - 9000])
PY
gzip -c a.kcap > a.kcap.gz
zstd -q -c b.kcap > b.kcap.zst
tar cf ab.tar a.kcap b.kcap damaged.kcap
sealing=0
if "$KCAP" keygen -o k 2> /dev/null; then
	sealing=1
	"$KCAP" seal a.kcap -o sealed.kcap --key k
	"$KCAP" bundle -o case.tar.zst a.kcap b.kcap sealed.kcap
fi
# make the mtimes old, so that a rewrite in the same second is seen too
touch -d '2020-01-02 03:04:05.123456789' ./*.kcap ./*.gz ./*.zst ./*.tar k.pub 2> /dev/null
ins="a.kcap b.kcap damaged.kcap cut.kcap a.kcap.gz b.kcap.zst ab.tar"
[ "$sealing" = 1 ] && ins="$ins sealed.kcap case.tar.zst"
state() { for f in $ins; do printf '%s %s %s\n' "$f" "$(sha256sum < "$f" | cut -d' ' -f1)" "$(stat -c %y "$f")"; done; }
state > before
mkdir out
n=0
for f in $ins; do
	for cmd in "info" "info --json" "cat -o out/cat.kcap" "convert --json -o out/c.json" "convert --csv -o out/c.csv" \
		   "filter pid>0 -o out/f.kcap" "slice --head 10 -o out/s.kcap" "merge -o out/m.kcap" \
		   "replay --no-wait --kcap -o out/r.kcap" "verify" "verify --json" "recover -o out/rec.kcap" \
		   "recover --ignore-crc -o out/reci.kcap"; do
		"$KCAP" $cmd "$f" > /dev/null 2>&1 < /dev/null
		n=$((n + 1))
	done
	if [ "$sealing" = 1 ]; then
		"$KCAP" verify --key k.pub "$f" > /dev/null 2>&1
		"$KCAP" seal "$f" -o out/sealed.kcap --key k > /dev/null 2>&1
		rm -f out/sealed.kcap
		n=$((n + 2))
	fi
	rm -f out/*
done
"$KCAP" merge -o out/m.kcap a.kcap b.kcap > /dev/null 2>&1
"$KCAP" cat a.kcap b.kcap.zst ab.tar -o out/cat.kcap > /dev/null 2>&1
[ "$sealing" = 1 ] && "$KCAP" bundle -o out/x.tar.zst a.kcap damaged.kcap sealed.kcap > /dev/null 2>&1
"$KCAP" info < a.kcap > /dev/null 2>&1
"$KCAP" recover - -o out/stdin.kcap < damaged.kcap > /dev/null 2>&1
check "recover of stdin writes its output" yes "$([ -s out/stdin.kcap ] && echo yes || echo no)"
state > after
if cmp -s before after; then ok "SHA-256 and mtime of every input unchanged after $n command runs"
else bad "inputs changed: $(diff before after | tr '\n' ' ')"; fi
"$KCAP" recover damaged.kcap -o damaged.kcap 2> err
check "recover IN -o IN: refused (exit 2)" 2 "$?"
check "recover IN -o IN: said" 1 "$(grep -c 'recover never writes in place' err)"
ln -s damaged.kcap link.kcap
"$KCAP" recover damaged.kcap -o link.kcap 2> err
check "recover IN -o a symlink to IN: refused (exit 2)" 2 "$?"
state > after2
check "recover in place refused: input unchanged" "$(cat before)" "$(cat after2)"
harness_done
