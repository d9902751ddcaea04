#!/bin/sh
# scap_cli.sh KCAP SRCDIR BUILDDIR - `kcap convert --from scap` from the CLI:
# a gzip'd capture named .scap (detected by magic), a truncated one (exit 3,
# one line naming the file and the offset, the intact events delivered), and
# filters meaning on an imported capture what sysdig's fields say: the
# openat/open exits whose name starts with /etc, counted in sysdig's -D -j.
# SKIPs visibly without the corpus.
KCAP=$1; SRC=$2; OUT=$3/scap_cli
C=$SRC/../shared/corpus/scap
if [ ! -d "$C" ]; then echo "SKIP: scap corpus not found at $C"; exit 0; fi
rm -rf "$OUT"; mkdir -p "$OUT"
fail=0
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; fail=1; }

# 1. gzip'd (falco_cat_write.scap is gzip'd under its .scap name) and plain give the same events
gzip -dc "$C/falco_cat_write.scap" > "$OUT/plain.scap"
"$KCAP" convert --from scap "$C/falco_cat_write.scap" --json > "$OUT/gz.json" 2>/dev/null
"$KCAP" convert --from scap "$OUT/plain.scap" --json > "$OUT/plain.json" 2>/dev/null
if [ -s "$OUT/gz.json" ] && cmp -s "$OUT/gz.json" "$OUT/plain.json"; then ok "gzip'd by magic"; else no "gzip'd by magic"; fi

# 2. cut inside a block: exit 3, one line with file and offset, events before delivered
head -c 200030 "$C/sfc_rename_rename2at.scap" > "$OUT/cut.scap"
"$KCAP" convert --from scap "$OUT/cut.scap" -o "$OUT/cut.kcap" 2> "$OUT/cut.err"; rc=$?
[ $rc -eq 3 ] && ok "truncated: exit 3" || no "truncated: exit $rc"
n=$(grep -c 'cut.scap: offset 200000: block type 0x216 of 60 bytes cut short' "$OUT/cut.err")
[ "$n" = 1 ] && ok "truncated: one line naming file and offset" || { no "truncated: the line"; cat "$OUT/cut.err"; }
head -c 200000 "$C/sfc_rename_rename2at.scap" > "$OUT/prefix.scap"
"$KCAP" convert --from scap "$OUT/prefix.scap" -o "$OUT/prefix.kcap" 2>/dev/null; rc=$?
a=$("$KCAP" convert --json "$OUT/cut.kcap" | wc -l); b=$("$KCAP" convert --json "$OUT/prefix.kcap" | wc -l)
[ $rc -eq 0 ] && [ "$a" = "$b" ] && [ "$a" -gt 400 ] && ok "truncated: $a intact events" || no "truncated: $a vs $b events (prefix exit $rc)"

# 3. filters on imported captures = sysdig's view
for f in sfc_mpm-event_full_capture sfc_rename_rename2at sfc_files_files; do
	"$KCAP" convert --from scap "$C/$f.scap" -o "$OUT/$f.kcap" 2>/dev/null
	for t in open openat; do
		want=$(zstd -dc "$C/$f.sysdig-D.jsonl.zst" | grep "\"evt.type\":\"$t\"" | grep '"evt.dir":"<"' | grep -c 'name=/etc')
		got=$("$KCAP" filter "type=$t and path startswith /etc" "$OUT/$f.kcap" --json 2>/dev/null | wc -l)
		[ "$want" = "$got" ] && ok "$f: $t under /etc: $got" || no "$f: $t under /etc: sysdig $want, kcap $got"
	done
done
# info counts every type, the scap ones too
"$KCAP" info "$OUT/sfc_rename_rename2at.kcap" > "$OUT/info.txt"
grep -q 'scap_procinfo *1956' "$OUT/info.txt" && ok "info counts scap_procinfo" || no "info counts scap_procinfo"
# the user list: names of uids
"$KCAP" filter 'type=execve' "$OUT/sfc_rename_rename2at.kcap" --json | grep -q '"user":"root"' && ok "uid names" || no "uid names"
# setns from scap: the taxonomy's type, nstype from libs' bits, the fd's name as sysdig's fd.name
"$KCAP" convert --from scap "$C/sfc_namespaces_setns.scap" -o "$OUT/setns.kcap" 2>/dev/null
want=$(zstd -dc "$C/sfc_namespaces_setns.sysdig.jsonl.zst" | grep -c '"evt.dir":"<","evt.info":"res=[^"]*","evt.num":[0-9]*,"evt.outputtime":[0-9]*,"evt.type":"setns"')
got=$("$KCAP" filter 'type=setns and nstype=CLONE_NEWPID and path=/tmp/ns/pid and ret=0' "$OUT/setns.kcap" --text | wc -l)
[ "$want" -gt 0 ] && [ "$got" = "$want" ] && ok "setns: $got, nstype and path as sysdig's" || no "setns: sysdig $want, kcap $got"
exit $fail
