#!/bin/sh
# window_rss.sh KCAP... - peak RSS and CPU of `kcap convert --from audit` on a
# generated log of 100,000 four-record events (SYSCALL, CWD, PATH, PROCTITLE;
# 69 MB), for each build named, two runs each, interleaved: the cost of the
# importer's reorder window (docs/AUDIT.md "Order", docs/PERFORMANCE.md).
# Not run by ctest.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 KCAP..."; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk 'BEGIN { for (i = 1; i <= 100000; i++) {
	t = sprintf("%d.%03d:%d", 1700000000 + int(i / 1000), i % 1000, i)
	printf "type=SYSCALL msg=audit(%s): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd42eb1590 a2=80000 a3=0 items=1 ppid=1271 pid=1281 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key=(null)\n", t
	printf "type=CWD msg=audit(%s): cwd=\"/home/u\"\n", t
	printf "type=PATH msg=audit(%s): item=0 name=\"/etc/file%d\" inode=1234 dev=fd:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0\n", t, i
	printf "type=PROCTITLE msg=audit(%s): proctitle=636174002F6574632F66696C65\n", t } }' > "$work/big.log"
echo "| build | user s | sys s | peak RSS KB |"
echo "| --- | --- | --- | --- |"
for run in 1 2; do
	for k in "$@"; do
		/usr/bin/time -f "| $k | %U | %S | %M |" "$k" convert --from audit "$work/big.log" -o "$work/o.kcap" 2>&1 |
			grep '^|'
	done
done
