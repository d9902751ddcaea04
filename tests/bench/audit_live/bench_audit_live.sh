#!/bin/sh
# bench_audit_live.sh KCAP [PAIRS] [RUNS] - overhead of the live audit
# recorder on the open+close loop of tests/bench/record/openclose.c:
#
#   bare          openclose PAIRS FILE
#   kcap audit    kcap record --source audit -e file -o OUT -- openclose ...
#   auditd        a private auditd (own config, RAW log in a temp dir) with
#                 the same rules kcap installs, openclose under it; once with
#                 kcap's settings (backlog 65536, wait 0: drop, never stall)
#                 and once as usually deployed (backlog 8192, wait 60000)
#   kcap ebpf     kcap record --source ebpf -e file -o OUT -- openclose ...
#                 (for comparison, when the eBPF frontend is built)
#
# Each configuration runs RUNS times (default 5) with PAIRS pairs (default
# 200000); prints the median rate (pairs/s), ns per pair, the slowdown
# against bare, the records lost, and the recorder's CPU time (user +
# system) per record it took in (kcap: the audit-kernel "seen" count;
# auditd: lines written to its log; eBPF: per event written), as a markdown
# table. Needs root and
# auditd (that row is skipped without it). Restores the audit status,
# removes the rules and stops the private auditd on every exit path; refuses
# to run when an audit daemon already holds the audit pid.
set -eu
kcap=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pairs=${2:-200000}
runs=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
loop_src=$here/../record/openclose.c

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
get() { auditctl -s | awk -v k="$1" '$1==k{print $2}'; }
if [ "$(get pid)" != 0 ]; then
	echo "SKIP: an audit daemon (pid $(get pid)) holds the audit pid; not disturbing it"; exit 77
fi

work=$(mktemp -d /tmp/kcap-bench-audit-live.XXXXXX)
old_enabled=$(get enabled); old_backlog=$(get backlog_limit)
old_wait=$(get backlog_wait_time); old_rate=$(get rate_limit); old_failure=$(get failure)
daemon=
cleanup() {
	auditctl -D -k kcapbench >/dev/null 2>&1 || true
	if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
	auditctl -e "$old_enabled" -b "$old_backlog" --backlog_wait_time "$old_wait" \
		-r "$old_rate" -f "$old_failure" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$work/openclose" "$loop_src"
echo data > "$work/file"
loop="$work/openclose $pairs $work/file"

# rate of one run: openclose prints "pairs N seconds S rate R"
rate_of() { awk '$1=="pairs"{print $6}' "$1"; }
median() { sort -n | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

row() { # name, file of rates, lost, recorder CPU per record
	m=$(median < "$2")
	printf '| %s | %.0f | %.0f | %.2fx | %s | %s |\n' "$1" "$m" "$(echo "$m" | awk '{print 1e9/$1}')" \
		"$(echo "$bare $m" | awk '{print $1/$2}')" "$3" "${4:--}"
}
# CPU ticks (user + system) of a process so far
hz=$(getconf CLK_TCK)
ticks_of() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
us_per() { echo "$1 $2" | awk -v hz="$hz" '{ if ($2 > 0) printf "%.1f", $1 / hz * 1e6 / $2; else print "-" }'; }

: > "$work/bare"
for i in $(seq "$runs"); do $loop > "$work/o"; rate_of "$work/o" >> "$work/bare"; done
bare=$(median < "$work/bare")

lost_of() { awk '/^  lost/{print $2}' "$1"; }
run_kcap() { # source -> rates file, lost total, CPU per record (or event)
	: > "$work/$1"
	lost=0 ticks=0 units=0
	for i in $(seq "$runs"); do
		rm -f "$work/out.kcap"
		# the loop's shell reads the recorder's CPU time (its parent) when the loop is done
		"$kcap" record --source "$1" -e file -o "$work/out.kcap" -- \
			sh -c "$loop; sed 's/.*) //' /proc/\$PPID/stat > $work/kstat" > "$work/o" 2> "$work/err" || true
		r=$(rate_of "$work/o")
		if [ -z "$r" ]; then sed 's/^/  /' "$work/err" >&2; return 1; fi
		echo "$r" >> "$work/$1"
		lost=$((lost + $(lost_of "$work/err")))
		ticks=$((ticks + $(awk '{print $12 + $13}' "$work/kstat")))
		if [ "$1" = audit ]; then
			u=$("$kcap" info "$work/out.kcap" | awk '$1=="audit-kernel"{print $3}')
		else
			u=$("$kcap" info "$work/out.kcap" | awk '$1=="Events:"{print $2}')
		fi
		units=$((units + u))
	done
	echo "$lost" > "$work/$1.lost"
	us_per "$ticks" "$units" > "$work/$1.cpu"
}

echo "| Configuration | median pairs/s | ns per pair | slowdown | records lost ($runs runs) | recorder CPU µs per record |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
row "bare loop" "$work/bare" "-"
run_kcap audit && row "kcap record --source audit -e file" "$work/audit" "$(cat "$work/audit.lost")" \
	"$(cat "$work/audit.cpu")"

# auditd with the rules kcap installs (read while a kcap recorder runs)
if command -v auditd >/dev/null; then
	"$kcap" record --source audit -q -e file -o "$work/rules.kcap" & rec=$!
	i=0
	until auditctl -l | grep -q "key=kcap-record-$rec"; do
		i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05
	done
	auditctl -l | grep "key=kcap-record-$rec" | sed -e 's/ -F pid!=[0-9]*//' -e 's/-F key=kcap-record-[0-9]*/-k kcapbench/' \
		> "$work/rules"
	kill -TERM "$rec"; wait "$rec" || true
	mkdir -p "$work/conf/plugins.d"
	cat > "$work/conf/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $work/audit.log
log_group = root
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 0
num_logs = 0
max_log_file_action = IGNORE
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $work/conf/plugins.d
q_depth = 8000
overflow_action = IGNORE
CONF
	chmod 600 "$work/conf/auditd.conf"
	run_auditd() { # label, auditctl settings
		auditd -n -c "$work/conf" & daemon=$!
		i=0
		while [ "$(get pid)" = 0 ]; do
			i=$((i + 1)); [ $i -lt 100 ] || { echo "auditd did not start" >&2; exit 1; }
			sleep 0.1
		done
		auditctl -e 1 -r 0 $2 >/dev/null
		while read -r r; do auditctl $r >/dev/null; done < "$work/rules"
		lost0=$(get lost)
		t0=$(ticks_of "$daemon")
		l0=$(wc -l < "$work/audit.log")
		: > "$work/auditd"
		for i in $(seq "$runs"); do $loop > "$work/o"; rate_of "$work/o" >> "$work/auditd"; done
		lost=$(( $(get lost) - lost0 ))
		sleep 1 # let it write what it holds
		cpu=$(us_per $(( $(ticks_of "$daemon") - t0 )) $(( $(wc -l < "$work/audit.log") - l0 )))
		auditctl -D -k kcapbench >/dev/null
		kill "$daemon"; wait "$daemon" || true; daemon=
		row "$1" "$work/auditd" "$lost" "$cpu"
	}
	# the settings kcap uses: never make processes wait, drop and count instead
	run_auditd "auditd, same rules, backlog 65536, backlog_wait_time 0" "-b 65536 --backlog_wait_time 0"
	# the usual auditd deployment: a full backlog makes audited processes wait
	run_auditd "auditd, same rules, backlog 8192, backlog_wait_time 60000" "-b 8192 --backlog_wait_time 60000"
fi

if "$kcap" record --source ebpf -q -e file -o "$work/probe.kcap" -- true 2>/dev/null; then
	run_kcap ebpf && row "kcap record --source ebpf -e file" "$work/ebpf" "$(cat "$work/ebpf.lost")" \
		"$(cat "$work/ebpf.cpu") (per event)"
fi
