#!/bin/sh
# Sealing (issue 14 §3), against the file's own bytes: a sealed copy
# verifies with its key; a changed byte inside a block (its CRC made to hold,
# as a forger would), a dropped block, two swapped blocks and a block spliced
# in from another sealed file each fail with the block named; a wrong key
# fails; a sealed file cut after a seal verifies up to it. keygen's files and
# modes; IN is never modified. SKIPs without libcrypto.
# usage: seal_cli.sh KCAP WORKDIR
set -u
KCAP=$1
. "$(dirname "$0")/../harness.sh"
harness_workdir "$2/seal-cli.$$"
KB="python3 $(dirname "$0")/kblocks.py"
j() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

if ! "$KCAP" keygen -o "$DIR/k" 2> "$DIR/err"; then
	if grep -q "without libcrypto" "$DIR/err"; then echo "SKIP: kcap built without libcrypto (libssl-dev)"; exit 0; fi
	bad "keygen: $(cat "$DIR/err")"
	harness_done
	exit 1
fi
check "keygen: the secret key is mode 0600" "600" "$(stat -c %a "$DIR/k")"
check "keygen: NAME.pub" "-----BEGIN PUBLIC KEY-----" "$(head -n 1 "$DIR/k.pub")"
check "keygen: PEM secret" "-----BEGIN PRIVATE KEY-----" "$(head -n 1 "$DIR/k")"
"$KCAP" keygen -o "$DIR/k" 2> "$DIR/err"
check "keygen: never over an existing key (exit 1)" 1 "$?"
"$KCAP" keygen -o "$DIR/k2" || exit 1

"$KCAP" synth -n 4000 --seed 5 --block-size 16k -o "$DIR/a.kcap" || exit 1
"$KCAP" synth -n 4000 --seed 9 --block-size 16k -o "$DIR/b.kcap" || exit 1
before=$(sha256sum < "$DIR/a.kcap")
"$KCAP" seal "$DIR/a.kcap" -o "$DIR/s.kcap" --key "$DIR/k"
check "seal: exit 0" 0 "$?"
check "seal: IN unmodified" "$before" "$(sha256sum < "$DIR/a.kcap")"
"$KCAP" seal "$DIR/b.kcap" -o "$DIR/sb.kcap" --key "$DIR/k" || exit 1
check "sealed copy: the same events" "$("$KCAP" convert --json "$DIR/a.kcap" | cksum)" "$("$KCAP" convert --json "$DIR/s.kcap" | cksum)"

"$KCAP" verify --key "$DIR/k.pub" "$DIR/s.kcap" > "$DIR/out"
check "sealed file verifies: exit 0" 0 "$?"
check "sealed file: every byte covered" 1 "$(grep -c "seal: .* (the key given); they cover every byte, 0..$(wc -c < "$DIR/s.kcap") " "$DIR/out")"
"$KCAP" verify --json --key "$DIR/k.pub" "$DIR/s.kcap" > "$DIR/json"
check "sealed file --json" "True True True 0 0" "$(j '(d["seal"]["sealed"], d["seal"]["final"], d["seal"]["key_match"], d["seal"]["unsealed_blocks"], len(d["seal"]["faults"]))' < "$DIR/json" | tr -d "(),")"
"$KCAP" info "$DIR/s.kcap" > /dev/null
check "info reads a sealed file (the seal skipped)" 0 "$?"

$KB list "$DIR/s.kcap" > "$DIR/blocks"
b6=$(awk '$1 == 6 { print $2 }' "$DIR/blocks")
b7=$(awk '$1 == 7 { print $2 }' "$DIR/blocks")
tamper() { # name file expected-fault-text
	"$KCAP" verify --key "$DIR/k.pub" "$2" > "$DIR/out" 2>&1
	check "$1: exit 3" 3 "$?"
	if grep -F -q -- "$3" "$DIR/out"; then ok "$1: the block is named"
	else bad "$1: no [$3] in: $(grep seal "$DIR/out")"; fi
}
$KB flip "$DIR/s.kcap" "$DIR/t1.kcap" $((b6 + 3000)) fix
tamper "a changed byte, CRC made to hold" "$DIR/t1.kcap" "seal: events block at offset $b6 is not the block sealed there"
$KB flip "$DIR/s.kcap" "$DIR/t1b.kcap" $((b6 + 3000))
tamper "a changed byte" "$DIR/t1b.kcap" "seal: events block at offset $b6 is not the block sealed there"
$KB drop "$DIR/s.kcap" "$DIR/t2.kcap" 6
tamper "a dropped block" "$DIR/t2.kcap" "seal: events block sealed at section offset $b6 ($((b7 - b6)) bytes) is missing"
$KB swap "$DIR/s.kcap" "$DIR/t3.kcap" 6 7
tamper "two swapped blocks" "$DIR/t3.kcap" "seal: events block sealed at section offset $b7 is at offset $b6, out of the sealed order"
check "two swapped blocks: both named" 2 "$(grep -c "out of the sealed order" "$DIR/out")"
$KB splice "$DIR/s.kcap" "$DIR/sb.kcap" "$DIR/t4.kcap" 6 6
tamper "a block spliced from another sealed file" "$DIR/t4.kcap" "seal: events block at offset $b6 is not the block sealed there"

"$KCAP" verify --key "$DIR/k2.pub" "$DIR/s.kcap" > "$DIR/out"
check "wrong key: exit 3" 3 "$?"
check "wrong key: said" 1 "$(grep -c "(NOT the key given)" "$DIR/out")"
"$KCAP" verify "$DIR/s.kcap" > "$DIR/out"
check "no key: exit 0, the key named" 0 "$?"
check "no key: says to pass --key" 1 "$(grep -c "pass --key PUB" "$DIR/out")"
"$KCAP" verify --key "$DIR/k.pub" "$DIR/a.kcap" > "$DIR/out"
check "an unsealed file with --key: exit 3" 3 "$?"
check "an unsealed file: said" 1 "$(grep -c "seal: none" "$DIR/out")"

# cut after its first seal (the last flush before close): the prefix up to it verifies
first=$(awk '$4 == 10 { print $2 + $3; exit }' "$DIR/blocks")
head -c "$first" "$DIR/s.kcap" > "$DIR/cut.kcap"
"$KCAP" verify --json --key "$DIR/k.pub" "$DIR/cut.kcap" > "$DIR/json"
check "cut after a seal: covered up to it, not final, no fault" "$first False 0" \
	"$(j '(d["seal"]["covered_bytes"], d["seal"]["final"], len(d["seal"]["faults"]))' < "$DIR/json" | tr -d "(),")"
head -c $((first + 100)) "$DIR/s.kcap" > "$DIR/cut2.kcap"
"$KCAP" verify --key "$DIR/k.pub" "$DIR/cut2.kcap" > "$DIR/out"
check "cut after a seal and more: the rest is not covered" 1 "$(grep -c "they cover bytes 0..$first .*not covered" "$DIR/out")"

"$KCAP" seal "$DIR/t1b.kcap" -o "$DIR/never.kcap" --key "$DIR/k" 2> "$DIR/err"
check "seal refuses a damaged input: exit 3" 3 "$?"
check "seal refuses a damaged input: no output" no "$([ -e "$DIR/never.kcap" ] && echo yes || echo no)"
"$KCAP" seal "$DIR/a.kcap" -o "$DIR/x.kcap" --key "$DIR/k.pub" 2> /dev/null
check "seal with a public key: usage" 2 "$?"
harness_done
