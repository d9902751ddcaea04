#!/bin/sh
# make_audit_log.sh OUTDIR [MB] - writes OUTDIR/audit.log, a real audit log of
# at least MB megabytes (default 40) made on this machine: a private auditd
# (its own config and log file) with openat and close rules while a busy
# open/close workload runs. Prints the pids of the workload processes to
# OUTDIR/pids. Restores the kernel's audit settings and removes the rules on
# every exit path. Needs root and auditd; refuses to disturb a running auditd.
set -eu
out=$1
target_mb=${2:-40}
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
for c in auditd auditctl python3; do
	command -v $c >/dev/null || { echo "SKIP: $c not installed"; exit 77; }
done
if [ "$(auditctl -s | awk '$1=="pid"{print $2}')" != 0 ]; then
	echo "SKIP: an audit daemon already holds the audit pid; not disturbing it"; exit 77
fi
if [ "$(auditctl -l)" != "No rules" ] || ls /run/kcap/audit-record.* >/dev/null 2>&1; then
	echo "SKIP: audit rules are loaded or a kcap audit recorder is running; not disturbing it"; exit 77
fi
mkdir -p "$out/conf/plugins.d"
out=$(cd "$out" && pwd)
rm -f "$out/audit.log" "$out/pids"

get() { auditctl -s | awk -v k="$1" '$1==k{print $2}'; }
old_enabled=$(get enabled); old_backlog=$(get backlog_limit)
old_wait=$(get backlog_wait_time); old_rate=$(get rate_limit); old_failure=$(get failure)
daemon=
cleanup() {
	auditctl -D -k kcapbench >/dev/null 2>&1 || true
	if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
	auditctl -e "$old_enabled" -b "$old_backlog" --backlog_wait_time "$old_wait" \
		-r "$old_rate" -f "$old_failure" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

cat > "$out/conf/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $out/audit.log
log_group = root
log_format = ENRICHED
flush = NONE
freq = 0
max_log_file = 0
num_logs = 0
max_log_file_action = IGNORE
priority_boost = 0
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $out/conf/plugins.d
q_depth = 8000
overflow_action = IGNORE
end_of_event_timeout = 2
CONF
chmod 600 "$out/conf/auditd.conf"

auditd -n -c "$out/conf" &
daemon=$!
i=0
while [ "$(get pid)" = 0 ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "auditd did not start"; exit 1; }
	sleep 0.1
done
auditctl -b 16384 --backlog_wait_time 0 >/dev/null
auditctl -a always,exit -F arch=b64 -S openat -S close -k kcapbench >/dev/null

# Workload: python processes opening and closing files in a loop, plus
# short-lived commands reading many different files, until the log is big
# enough.
work=$(mktemp -d)
while :; do
	size=$(stat -c %s "$out/audit.log" 2>/dev/null || echo 0)
	[ "$size" -ge $((target_mb * 1048576)) ] && break
	workers=
	for k in 1 2; do
		python3 -c "
import os
print(os.getpid(), flush=True)
for i in range(1500):
    os.close(os.open('/etc/hostname', os.O_RDONLY))
    fd = os.open('$work/f%d' % (i % 50), os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(fd)
" >> "$out/pids" &
		workers="$workers $!"
	done
	ls -R /usr/share/doc >/dev/null 2>&1 || true
	# many different files, opened by short-lived cat processes
	find /usr/share /usr/lib -type f 2>/dev/null | shuf -n 500 | xargs -r cat >/dev/null 2>&1 || true
	for p in $workers; do wait "$p"; done
done
rm -rf "$work"
auditctl -D -k kcapbench >/dev/null
sleep 1 # let auditd drain its queue
echo "$(stat -c %s "$out/audit.log") bytes in $out/audit.log"
