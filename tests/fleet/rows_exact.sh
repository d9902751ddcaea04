#!/bin/sh
# convert --tsv and --rowbinary keep every byte: hostile comm and path
# (tab, newline, NUL, backslash, quote, CR, BS, FF, invalid UTF-8) decoded
# from both forms by rows_decode (a reader of its own) equal the bytes put
# in, and on a synthetic capture the two forms decode to the same cells.
# Usage: rows_exact.sh KCAP ROWS_DECODE WORKDIR
set -eu
KCAP=$1 DEC=$2 W=$3/rows_exact
rm -rf "$W" && mkdir -p "$W" && cd "$W"
fail() { echo "FAIL: $*" >&2; exit 1; }

# comm: a TAB b LF c NUL d \ e ' 0xff 0xfe; path: /tmp/x TAB y LF z NUL \ 0xc3 ( CR BS FF
printf '%s\n' \
 '{"seq":1,"ts":1795255200000000000,"pid":7,"tid":7,"ppid":1,"cpu":0,"uid":0,"gid":0,"comm":"a\tb\nc\u0000d\\e'"'"'\udcff\udcfe","type":"openat","category":"file","host":"h\t1","source":"synth","params":{"dirfd":-100,"path":"/tmp/x\ty\nz\u0000\\\udcc3(\r\b\f","flags":"O_RDONLY","mode":"0","resolve":null,"ret":-13}}' \
 '{"seq":2,"ts":1795255200000000001,"pid":7,"tid":7,"ppid":1,"cpu":0,"uid":0,"gid":0,"comm":"\\N","type":"close","category":"file","host":"h\t1","source":"synth","params":{"fd":3,"ret":0}}' \
 > hostile.json
"$KCAP" convert --from json hostile.json -o hostile.kcap
"$KCAP" convert --tsv hostile.kcap > hostile.tsv
"$KCAP" convert --rowbinary hostile.kcap > hostile.rb
"$DEC" tsv < hostile.tsv > from_tsv
"$DEC" rowbinary < hostile.rb > from_rb
cmp from_tsv from_rb || fail "TSV and RowBinary decode differently"
[ "$(wc -l < from_tsv)" -eq 2 ] || fail "expected 2 rows, got $(wc -l < from_tsv)"
[ "$(wc -l < hostile.tsv)" -eq 2 ] || fail "a TSV row spans lines"
# columns 1 host, 12 comm, 15 path, 16 ret, 17 fd
row1=$(sed -n 1p from_tsv) row2=$(sed -n 2p from_tsv)
col() { echo "$1" | cut -d' ' -f"$2"; }
[ "$(col "$row1" 1)" = 680931 ] || fail "host: $(col "$row1" 1)"
[ "$(col "$row1" 12)" = 6109620a6300645c6527fffe ] || fail "comm: $(col "$row1" 12)"
[ "$(col "$row1" 15)" = 2f746d702f7809790a7a005cc3280d080c ] || fail "path: $(col "$row1" 15)"
[ "$(col "$row1" 16)" = fffffffffffffff3 ] || fail "ret: $(col "$row1" 16)"
[ "$(col "$row1" 17)" = N ] || fail "fd of openat should be null: $(col "$row1" 17)"
[ "$(col "$row2" 12)" = 5c4e ] || fail "comm \\N: $(col "$row2" 12)"
[ "$(col "$row2" 17)" = 0000000000000003 ] || fail "fd: $(col "$row2" 17)"
grep -q '^h\\t1	' hostile.tsv || fail "host's tab not escaped as \\t"

# an ordinary capture: both forms agree cell for cell, one row per event
"$KCAP" synth -n 3000 --seed 5 -o synth.kcap
"$KCAP" convert --tsv synth.kcap | "$DEC" tsv > s_tsv
"$KCAP" convert --rowbinary synth.kcap | "$DEC" rowbinary > s_rb
cmp s_tsv s_rb || fail "synth: TSV and RowBinary decode differently"
[ "$(wc -l < s_tsv)" -eq 3000 ] || fail "synth: $(wc -l < s_tsv) rows for 3000 events"
# filter --tsv writes the same rows for the events it keeps
"$KCAP" filter --tsv 'type == "connect"' synth.kcap | "$DEC" tsv > f_tsv
n=$("$KCAP" filter -c 'type == "connect"' synth.kcap)
[ "$(wc -l < f_tsv)" -eq "$n" ] && [ "$n" -gt 0 ] || fail "filter --tsv: $(wc -l < f_tsv) rows, count $n"
# synth --host: the hostname and a boot_id of (name, seed), the same on every run
bid() { "$KCAP" synth -n 10 --seed "$2" --host "$1" -o - | "$KCAP" convert --tsv | cut -f1,2 | sort -u; }
a1=$(bid alpha 1) a1b=$(bid alpha 1) a2=$(bid alpha 2) b1=$(bid beta 1)
[ "$a1" = "$a1b" ] || fail "synth --host: boot_id not deterministic"
[ "$(echo "$a1" | wc -l)" -eq 1 ] || fail "synth --host: more than one (host, boot_id)"
echo "$a1" | grep -Eq '^alpha	[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' || fail "synth --host: $a1"
[ "$(echo "$a1" | cut -f2)" != "$(echo "$a2" | cut -f2)" ] || fail "synth --host: the seed does not change boot_id"
[ "$(echo "$a1" | cut -f2)" != "$(echo "$b1" | cut -f2)" ] || fail "synth --host: two hosts share a boot_id"
"$KCAP" synth --host '' -o x.kcap 2>/dev/null && fail "synth --host '' accepted"
echo "rows_exact: ok"
