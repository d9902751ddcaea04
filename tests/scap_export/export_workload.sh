#!/bin/sh
# The workload of tests/scap_export/record-workload.kcap (a real eBPF recording for the
# .scap export test), recorded as root with:
#   env -i PATH=/usr/bin:/bin flock /work/wt/record.lock \
#     kcap record -e all --follow -o tests/scap_export/record-workload.kcap -- sh tests/scap_export/export_workload.sh
# exec, files (open, write, rename, chmod, symlink, mkdir, unlink), pipes,
# a TCP connect to a closed port on 127.0.0.1 and a unix socket.
set -u
cd "$(mktemp -d /tmp/kcap-wl.XXXXXX)" || exit 1
cat /etc/hostname > /dev/null
echo hi > a
mv a b
chmod 600 b
ln -s b c
mkdir e
cat b | wc -c > /dev/null
python3 -c '
import socket
s = socket.socket(); s.settimeout(0.2)
try: s.connect(("127.0.0.1", 9))
except OSError: pass
s.close()
u = socket.socket(socket.AF_UNIX)
try: u.connect("/nonexistent.sock")
except OSError: pass
u.close()' 2>/dev/null
cd /
rm -r "$OLDPWD"
exit 0
