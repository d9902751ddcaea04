#!/bin/sh
# A real two-shard ClickHouse cluster on loopback (docs/FLEET.md): two
# clickhouse-server processes started directly with their own ports and data
# dirs (ports 19000-19099), a remote_servers cluster of the two, the schema
# from `kcap export clickhouse --ddl` on both, then:
#  - a merged 4-host capture of 1M events exported through the Distributed
#    table: total and per-host counts equal kcap's, both shards hold rows,
#    five queries equal the matching `kcap filter -c` runs;
#  - one shard killed mid-export and restarted: after OPTIMIZE ... FINAL
#    every event is there exactly once;
#  - the exporter killed with -9 mid-run and rerun with --state: the same;
#  - hostile strings (tab, newline, NUL, invalid UTF-8 in comm and path)
#    come back byte-exact.
# The servers are stopped by PID on every exit path. SKIP (pass) when
# clickhouse-server is not installed.
# Usage: cluster.sh KCAP WORKDIR
set -eu
KCAP=$1 W=$2/cluster
CH=$(command -v clickhouse-server || ls /usr/sbin/clickhouse-server 2>/dev/null || true)
CLIENT=$(command -v clickhouse-client || true)
if [ -z "$CH" ] || [ -z "$CLIENT" ] || ! command -v curl >/dev/null; then
	echo "SKIP: clickhouse-server, clickhouse-client or curl not installed (tools/install-deps.sh installs them)"
	exit 0
fi
if ! "$KCAP" export clickhouse --url http://127.0.0.1:1 --retries 1 /dev/null 2>&1 | grep -qv "without libcurl"; then
	echo "SKIP: kcap built without libcurl"
	exit 0
fi
rm -rf "$W" && mkdir -p "$W" && cd "$W"
PIDS=""
stop_all() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$p" 2>/dev/null || true
	done
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; for s in 1 2; do tail -5 "s$s/err.log" 2>/dev/null >&2 || true; done; exit 1; }

# shard N: http 1912N-1, native 1900N (19000, 19010), interserver 19009/19019
HTTP1=19081 HTTP2=19082 TCP1=19000 TCP2=19010
for s in 1 2; do
	eval http=\$HTTP$s tcp=\$TCP$s
	mkdir -p s$s/data s$s/tmp s$s/user_files s$s/format_schemas
	cat > s$s/config.xml <<XML
<yandex>
  <logger><level>warning</level><log>$W/s$s/server.log</log><errorlog>$W/s$s/err.log</errorlog></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$((tcp + 9))</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$W/s$s/data/</path>
  <tmp_path>$W/s$s/tmp/</tmp_path>
  <user_files_path>$W/s$s/user_files/</user_files_path>
  <format_schema_path>$W/s$s/format_schemas/</format_schema_path>
  <users_config>$W/s$s/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
  <remote_servers>
    <kcap_test>
      <shard><replica><host>127.0.0.1</host><port>$TCP1</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$TCP2</port></replica></shard>
    </kcap_test>
  </remote_servers>
  <compression><case><method>zstd</method></case></compression>
</yandex>
XML
	cat > s$s/users.xml <<XML
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage><max_insert_block_size>262144</max_insert_block_size></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
done

start_shard() { # N
	"$CH" --config-file="$W/s$1/config.xml" > "s$1/stdout" 2>&1 &
	eval PID$1=$!
	PIDS="$PIDS $!"
	eval port=\$HTTP$1
	i=0
	until [ "$(curl -s "http://127.0.0.1:$port/ping" 2>/dev/null)" = "Ok." ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "shard $1 did not start"
		sleep 0.1
	done
}
stop_shard() { # N
	eval p=\$PID$1
	kill -TERM "$p"
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$p" 2>/dev/null || true
}
q() { # SHARD SQL
	eval port=\$TCP$1
	"$CLIENT" --host 127.0.0.1 --port "$port" --query "$2"
}
start_shard 1
start_shard 2

ddl() { # TABLE
	for s in 1 2; do
		eval port=\$TCP$s
		"$KCAP" export clickhouse --ddl --cluster kcap_test --table "$1" | grep -v '^--' |
			"$CLIENT" --host 127.0.0.1 --port "$port" --multiquery || fail "DDL of $1 on shard $s"
	done
}
URL=http://127.0.0.1:$HTTP1

# ---- 1M events of 4 hosts through the Distributed table ----
# seeds picked so that cityHash64(host, boot_id) puts two hosts on each shard
for hs in 1:1 2:4 3:2 4:1; do
	h=${hs%:*}
	"$KCAP" synth -n 250000 --seed "${hs#*:}" --host "h$h" -o h$h.kcap
done
"$KCAP" merge h1.kcap h2.kcap h3.kcap h4.kcap -o fleet.kcap
total=$("$KCAP" info fleet.kcap | awk '/^Events:/ {print $2}')
[ "$total" -eq 1000000 ] || fail "merged capture has $total events"
ddl kcap.events
"$KCAP" export clickhouse --url "$URL" --table kcap.events fleet.kcap 2> export1.err || { cat export1.err >&2; fail "export"; }
got=$(q 1 "SELECT count() FROM kcap.events")
[ "$got" -eq "$total" ] || fail "count $got, kcap info $total"
for h in 1 2 3 4; do
	want=$("$KCAP" filter -c "host == \"h$h\"" fleet.kcap)
	got=$(q 1 "SELECT count() FROM kcap.events WHERE host = 'h$h'")
	[ "$got" -eq "$want" ] && [ "$want" -eq 250000 ] || fail "h$h: $got rows, kcap $want"
done
q 1 "SELECT host, cityHash64(host, boot_id) % 2 AS shard, count() FROM kcap.events GROUP BY host, shard ORDER BY host" | tr '\n\t' '; '
echo
n1=$(q 1 "SELECT count() FROM kcap.events_local") n2=$(q 2 "SELECT count() FROM kcap.events_local")
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) -eq "$total" ] || fail "shards hold $n1 and $n2 rows"
echo "shards: $n1 + $n2 rows"
# five questions, in SQL and as kcap filters (docs/FLEET.md)
check() { # SQL-WHERE FILTER
	got=$(q 1 "SELECT count() FROM kcap.events WHERE $1")
	want=$("$KCAP" filter -c "$2" fleet.kcap)
	[ "$got" -eq "$want" ] && [ "$want" -gt 0 ] || fail "query '$1': $got rows, kcap filter '$2': $want"
	echo "query ok ($got): $1"
}
check "pid = 42 AND host = 'h2'" 'pid == 42 and host == "h2"'
check "type = 'openat' AND ret < 0" 'type == openat and ret < 0'
check "type = 'connect' AND bitAnd(IPv4StringToNum(addr), 4278190080) = 167772160" 'type == connect and dip in (10.0.0.0/8)'
check "type = 'execve' AND host IN ('h1', 'h3')" 'type == execve and host in ("h1", "h3")'
check "type = 'read' AND uid = 112" 'type == read and uid == 112'
# top processes by type: the per-comm counts of openat events agree
q 1 "SELECT comm, count() AS n FROM kcap.events WHERE type = 'openat' GROUP BY comm ORDER BY n DESC, comm LIMIT 5 FORMAT TSV" > top_sql
"$KCAP" filter --tsv --no-proc 'type == openat' fleet.kcap | cut -f12 | sort | uniq -c | awk '{print $2 "\t" $1}' |
	sort -t "$(printf '\t')" -k2,2nr -k1,1 | head -5 > top_kcap
cmp top_sql top_kcap || fail "top processes by openat differ: $(cat top_sql) vs $(cat top_kcap)"

exactly_once() { # TABLE
	for s in 1 2; do q $s "OPTIMIZE TABLE ${1}_local FINAL"; done
	got=$(q 1 "SELECT count() FROM $1")
	uniq=$(q 1 "SELECT count() FROM (SELECT DISTINCT host, boot_id, seq FROM $1)")
	[ "$got" -eq "$total" ] && [ "$uniq" -eq "$total" ] || fail "$1: $got rows, $uniq distinct, want $total"
}

# ---- a shard killed mid-export and restarted ----
ddl kcap.ev_down
"$KCAP" export clickhouse --url "$URL" --table kcap.ev_down --batch 20000 fleet.kcap 2> export2.err &
EXP=$!
i=0
until [ "$(q 1 "SELECT count() FROM kcap.ev_down" 2>/dev/null || echo 0)" -gt 100000 ]; do
	i=$((i + 1)); [ $i -lt 600 ] || fail "export to ev_down does not progress"; sleep 0.1
done
stop_shard 2
sleep 2
start_shard 2
wait $EXP || { cat export2.err >&2; fail "export with a shard down failed"; }
grep -q retrying export2.err || fail "the exporter never retried while shard 2 was down"
exactly_once kcap.ev_down
echo "shard down: every event once"

# ---- the exporter killed with -9 and rerun with --state ----
ddl kcap.ev_kill
"$KCAP" export clickhouse --url "$URL" --table kcap.ev_kill --batch 20000 --state st fleet.kcap 2> export3.err &
EXP=$!
i=0
until [ "$(q 1 "SELECT count() FROM kcap.ev_kill" 2>/dev/null || echo 0)" -gt 200000 ]; do
	i=$((i + 1)); [ $i -lt 600 ] || fail "export to ev_kill does not progress"; sleep 0.1
done
kill -KILL $EXP
wait $EXP 2>/dev/null || true
[ -s st ] || fail "no state file after the kill"
"$KCAP" export clickhouse --url "$URL" --table kcap.ev_kill --batch 20000 --state st fleet.kcap 2> export4.err ||
	{ cat export4.err >&2; fail "rerun failed"; }
sent=$(sed -n 's/.*: \([0-9]*\) events sent.*/\1/p' export4.err)
[ -n "$sent" ] && [ "$sent" -lt "$total" ] || fail "the rerun sent $sent events: everything again"
exactly_once kcap.ev_kill
echo "kill -9 and rerun: every event once (the rerun sent $sent)"

# ---- hostile strings come back byte-exact ----
printf '%s\n' \
 '{"seq":1,"ts":1795255200000000000,"pid":7,"tid":7,"ppid":1,"cpu":0,"uid":0,"gid":0,"comm":"a\tb\nc\u0000d\\e'"'"'\udcff\udcfe","type":"openat","category":"file","host":"hostile","source":"synth","params":{"dirfd":-100,"path":"/tmp/x\ty\nz\u0000\\\udcc3(\r\b\f","flags":"O_RDONLY","mode":"0","resolve":null,"ret":-13}}' \
 > hostile.json
"$KCAP" convert --from json hostile.json -o hostile.kcap
ddl kcap.ev_hostile
"$KCAP" export clickhouse --url "$URL" --table kcap.ev_hostile hostile.kcap 2>/dev/null || fail "hostile export"
got=$(q 1 "SELECT hex(comm), hex(path), ret FROM kcap.ev_hostile FORMAT TSV")
want=$(printf '6109620A6300645C6527FFFE\t2F746D702F7809790A7A005CC3280D080C\t-13')
[ "$got" = "$want" ] || fail "hostile strings: $got, want $want"
# and kcap's TSV loads through clickhouse-client to the same bytes
"$KCAP" convert --tsv hostile.kcap | "$CLIENT" --host 127.0.0.1 --port $TCP1 --query "INSERT INTO kcap.ev_hostile_local FORMAT TabSeparated"
got=$(q 1 "SELECT DISTINCT hex(comm), hex(path) FROM kcap.ev_hostile_local FORMAT TSV")
[ "$got" = "$(printf '6109620A6300645C6527FFFE\t2F746D702F7809790A7A005CC3280D080C')" ] || fail "hostile TSV: $got"
echo "cluster: ok"
