#!/bin/sh
# kcap convert --scap: captures of our own (a real eBPF recording in testdata/,
# synth-1k, a 20k-event synth made here) written as .scap and read back by
# Debian's sysdig 0.29.3, which must
#  - read each without a word on stderr and exit 0;
#  - count, per evt.type, as many exit events (plus procexit) as kcap has
#    events of the matching type (pread64 is sysdig's pread, accept4 its
#    accept, exit and exit_group its procexit);
#  - print, exit event by exit event, the same type, process name and tid as
#    kcap convert --json (the values kcap convert --text shows), and for the
#    events whose text shows the file or the peer, the same fd.name: the
#    path of open/openat/openat2/creat, the address at the end of connect's
#    and at the start of accept's socket tuple;
# and the one lossy case: an audit-imported capture leaves out its
# audit-only records, says how many in one line, exits 0; the export to a
# terminal is refused, and a failed export leaves no file.
# usage: export_test.sh KCAP SRCDIR WORKDIR [WRITE_LONG]
set -u
KCAP=$1
SRC=$2
W=$3/export
WRITE_LONG=${4:-}
rm -rf "$W"
mkdir -p "$W"
fail=0
pass=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

if ! command -v sysdig > /dev/null 2>&1; then
	echo "SKIP: sysdig not installed (apt-get install sysdig; tools/install-deps.sh)"
	exit 0
fi
if ! command -v jq > /dev/null 2>&1; then
	echo "SKIP: jq not installed (tools/install-deps.sh)"
	exit 0
fi

# the evt.type sysdig 0.29.3 shows for a kcap type
MAP='def m: {"pread64":"pread","pwrite64":"pwrite","accept4":"accept","exit":"procexit","exit_group":"procexit"}[.] // .;'

"$KCAP" synth -n 20000 --seed 3 -o "$W/synth-20k.kcap" || bad "synth"
for in in "$SRC/tests/scap_export/record-workload.kcap" "$SRC/testdata/synth-1k.kcap" "$W/synth-20k.kcap"; do
	n=$(basename "$in" .kcap)
	out="$W/$n.scap"
	"$KCAP" convert --scap "$in" -o "$out" 2> "$W/$n.err"
	rc=$?
	[ $rc -eq 0 ] && ok || bad "$n: convert --scap exit $rc: $(cat "$W/$n.err")"
	[ ! -s "$W/$n.err" ] && ok || bad "$n: convert --scap said: $(cat "$W/$n.err")"
	sysdig -r "$out" > "$W/$n.sysdig" 2> "$W/$n.sysdig.err"
	rc=$?
	[ $rc -eq 0 ] && ok || bad "$n: sysdig exit $rc"
	[ ! -s "$W/$n.sysdig.err" ] && ok || bad "$n: sysdig said: $(head -c 300 "$W/$n.sysdig.err")"
	[ -s "$W/$n.sysdig" ] && ok || bad "$n: sysdig printed nothing"

	# counts per type
	"$KCAP" convert --json --no-proc "$in" | jq -r "$MAP"' .type | m' | sort | uniq -c > "$W/$n.kcount"
	sysdig -r "$out" -p '*%evt.type' 'evt.dir=< or evt.type=procexit' | sort | uniq -c > "$W/$n.scount"
	if cmp -s "$W/$n.kcount" "$W/$n.scount"; then
		ok
	else
		bad "$n: counts per type differ (kcap < > sysdig):"
		diff "$W/$n.kcount" "$W/$n.scount" | head -20
	fi
	[ "$(wc -l < "$W/$n.kcount")" -ge 5 ] && ok || bad "$n: fewer than 5 types"

	# event by event: type, proc.name, tid, and fd.name where kcap shows it
	"$KCAP" convert --json --no-proc "$in" |
		jq -r "$MAP"' [(.type|m), .type, .comm, (.tid|tostring), (.params.path // ""),
		             (if (.type | test("^(connect|accept4?)$")) | not then ""
		              else .params.addr | if . == null then "" elif .family == "unix" then .path
		                                  else "\(.addr):\(.port)" end end)] | @tsv' > "$W/$n.k.tsv"
	sysdig -r "$out" -p '*%evt.type	%proc.name	%thread.tid	%fd.name' 'evt.dir=< or evt.type=procexit' > "$W/$n.s.tsv"
	[ "$(wc -l < "$W/$n.k.tsv")" -eq "$(wc -l < "$W/$n.s.tsv")" ] && ok ||
		bad "$n: $(wc -l < "$W/$n.k.tsv") kcap events, $(wc -l < "$W/$n.s.tsv") sysdig exit events"
	# synth reuses fd numbers without a close (a connect on an fd that an
	# openat returned): sysdig then shows <unknown>, counted; the recording
	# has no such case and is checked strictly
	strict=0
	[ "$n" = record-workload ] && strict=1
	paste "$W/$n.k.tsv" "$W/$n.s.tsv" | awk -F '\t' -v name="$n" -v strict=$strict '
	function fdname_ok(kt, path, addr, fdn) {
		if (kt ~ /^(open|openat|openat2|creat)$/)
			return fdn == path
		if (kt ~ /^(connect|accept4?)$/ && addr != "" && fdn == "<unknown>" && !strict) {
			unknown++
			return 1
		}
		if (kt == "connect" && addr != "")
			return substr(fdn, length(fdn) - length(addr) + 1) == addr && fdn ~ /->/
		if (kt ~ /^accept4?$/ && addr != "")
			return substr(fdn, 1, length(addr) + 2) == addr "->"
		return 1
	}
	{
		checked++
		if ($1 != $7 || $3 != $8 || $4 != $9 || !fdname_ok($2, $5, $6, $10)) {
			bad++
			if (bad <= 10)
				printf "FAIL: %s line %d: kcap [%s %s %s %s%s] sysdig [%s %s %s %s]\n", name, NR, $1, $3, $4, $5, $6, $7, $8, $9, $10
		}
		if ($2 ~ /^(open|openat|openat2|creat)$/) paths++
		if ($6 != "") addrs++
	}
	END {
		if (bad) { printf "FAIL: %s: %d of %d events differ\n", name, bad, checked; exit 1 }
		if (paths < 10) { printf "FAIL: %s: only %d path events compared\n", name, paths; exit 1 }
		if (addrs < 4 || unknown * 4 > addrs) { printf "FAIL: %s: %d addresses, %d unknown to sysdig\n", name, addrs, unknown; exit 1 }
		printf "%s: %d events equal (fd.name: %d paths, %d addresses of which %d on fds synth reused)\n", name, checked, paths, addrs, unknown
	}' && ok || fail=$((fail + 1))
done
# the recording's connects reached sysdig as tuples (127.0.0.1:9, unix paths)
grep -q '127.0.0.1:9' "$W/record-workload.s.tsv" && ok || bad "record-workload: no connect tuple to 127.0.0.1:9"

# process list and machine info: the recording's processes are named before
# they run anything, and the host is in the machine info (sysdig's evt.host
# is not in 0.29.3; the name appears in the file's MI block)
host=$("$KCAP" info "$SRC/testdata/synth-1k.kcap" | sed -n 's/^  hostname *//p')
grep -qa "$host" "$W/synth-1k.scap" && ok || bad "synth-1k: hostname '$host' not in the .scap"
first=$(sysdig -r "$W/synth-1k.scap" -p '*%proc.name|%proc.exe|%proc.pid|%proc.cmdline' 'proc.pid=700' | head -n 1)
[ "$first" = "postgres|postgres|700|postgres -D /var/lib/postgresql/15/main" ] && ok ||
	bad "synth-1k: pid 700 from the snapshot shows as '$first'"
# the user list: the recording's uid 0 is named as its snapshot names it
users=$(sysdig -r "$W/record-workload.scap" -p '*%user.name' | sort -u | tr '\n' ' ')
[ "$users" = "root " ] && ok || bad "record-workload: user.name is '$users'"

# the lossy case: audit records without a scap event are counted and left out
printf '%s\n' \
	'type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=2 success=yes exit=3 a0=0 a1=0 a2=0 a3=0 items=1 ppid=1 pid=100 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="cat" exe="/usr/bin/cat" key=(null)' \
	'type=CWD msg=audit(1700000000.100:10): cwd="/root"' \
	'type=PATH msg=audit(1700000000.100:10): item=0 name="/etc/passwd" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL' \
	'type=EOE msg=audit(1700000000.100:10):' \
	'type=USER_LOGIN msg=audit(1700000001.000:11): pid=200 uid=0 auid=0 ses=2 msg='"'"'op=login id=0 exe="/usr/sbin/sshd" hostname=? addr=10.0.0.1 terminal=ssh res=success'"'" \
	'type=USER_LOGIN msg=audit(1700000002.000:12): pid=201 uid=0 auid=0 ses=3 msg='"'"'op=login id=0 exe="/usr/sbin/sshd" hostname=? addr=10.0.0.2 terminal=ssh res=success'"'" \
	> "$W/audit.log"
"$KCAP" convert --from audit "$W/audit.log" -o "$W/audit.kcap" 2> /dev/null || bad "audit import"
"$KCAP" convert --scap "$W/audit.kcap" -o "$W/audit.scap" 2> "$W/audit.err"
rc=$?
[ $rc -eq 0 ] && ok || bad "audit: exit $rc"
[ "$(wc -l < "$W/audit.err")" -eq 1 ] && ok || bad "audit: not one line: $(cat "$W/audit.err")"
grep -q '^kcap convert: 2 events with no scap equivalent left out (audit_user_login 2)$' "$W/audit.err" && ok ||
	bad "audit: line is '$(cat "$W/audit.err")'"
[ "$(sysdig -r "$W/audit.scap" -p '%evt.type %fd.name' 'evt.dir=<')" = "open /etc/passwd" ] && ok ||
	bad "audit: the open did not reach sysdig: $(sysdig -r "$W/audit.scap" 2>&1 | head -3)"

# never binary to a terminal (script gives the command a pty when available)
if command -v script > /dev/null 2>&1; then
	script -qec "$KCAP convert --scap $SRC/testdata/synth-1k.kcap; echo rc=\$?" /dev/null > "$W/tty.out" 2>&1
	grep -q 'refusing to write a binary capture to a terminal' "$W/tty.out" && grep -q 'rc=2' "$W/tty.out" && ok ||
		bad "terminal: $(head -c 200 "$W/tty.out")"
fi
# a failed export leaves no output: a damaged input still writes (exit 3),
# a missing one removes the temporary file
"$KCAP" convert --scap "$W/none.kcap" -o "$W/none.scap" 2> /dev/null
rc=$?
[ $rc -eq 1 ] && [ ! -e "$W/none.scap" ] && [ -z "$(ls -A "$W" | grep '^\.none\.scap\.')" ] && ok ||
	bad "missing input: exit $rc, output $(ls -la "$W" | grep none)"
# merge and replay do not write .scap
"$KCAP" merge --scap "$SRC/testdata/synth-1k.kcap" -o "$W/m.scap" 2> /dev/null
[ $? -eq 2 ] && ok || bad "merge --scap is not a usage error"

# process list strings longer than sysdig 0.29.3's buffers are cut (it
# rejects the whole file otherwise: "invalid exepathlen 1509"): exe path and
# cwd at 1024 bytes, args at 4096 after a whole argument
if [ -n "$WRITE_LONG" ]; then
	if "$WRITE_LONG" "$W/long.scap"; then
		sysdig -r "$W/long.scap" -p '%proc.name|%fd.name|%proc.cwd|%proc.cmdline' 'evt.dir=<' > "$W/long.out" 2> "$W/long.err"
		rc=$?
		[ $rc -eq 0 ] && [ ! -s "$W/long.err" ] && ok || bad "long strings: sysdig exit $rc: $(head -c 200 "$W/long.err")"
		IFS='|' read -r lname lfd lcwd lcmd < "$W/long.out"
		[ "$lname $lfd" = "longproc /etc/hosts" ] && ok || bad "long strings: '$lname $lfd'"
		# (sysdig shows the 1024-byte cwd as /PATH_TOO_LONG/ and cuts its own
		# cmdline rendering: only the start is compared)
		case $lcmd in
		"longproc argument-0000000000 argument-0000000001 argument-"*) ok ;;
		*) bad "long strings: cmdline starts '$(printf %s "$lcmd" | head -c 60)'" ;;
		esac
	else
		bad "write_long failed"
	fi
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
