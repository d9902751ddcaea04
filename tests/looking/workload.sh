#!/bin/sh
# The workload of tests/looking/workload.kcap, recorded with
#   flock /work/wt/record.lock kcap record --follow -o tests/looking/workload.kcap -- sh tests/looking/workload.sh
# a shell running a few known programs over about three seconds.
/bin/echo hello >/dev/null
/usr/bin/id -u >/dev/null
/bin/ls / >/dev/null
/bin/sleep 1
/bin/cat /etc/hostname >/dev/null
/usr/bin/uname -a >/dev/null
/bin/sleep 1
/bin/sh -c '/usr/bin/env true'
/bin/false || true
/bin/sleep 0.5
