#!/bin/sh
# The workload of testdata/tree-workload.kcap, a shell whose process
# structure is known, recorded with
#   flock /work/wt/record.lock build/kcap record --follow -o testdata/tree-workload.kcap -- sh tests/query/tree_workload.sh
# and checked by tests/query/tree_workload_test.sh (also live, as root).
# Every child below is forked by this shell (ppid = the shell):
# a pipeline of three programs
/bin/echo one two three | /usr/bin/tr a-z A-Z | /usr/bin/wc -c >/dev/null
# a background job, waited for
/bin/sleep 0.2 &
wait
# a child that kills itself with SIGTERM (kill is a builtin of that sh)
/bin/sh -c 'kill -TERM $$'
# a background child killed with SIGKILL by this shell
/bin/sleep 5 &
kill -KILL $!
wait
# an exec chain in one pid: env, then sh, then true
/usr/bin/env /bin/sh -c 'exec /bin/true'
exit 0
