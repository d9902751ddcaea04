#!/usr/bin/env bash
# wine_test.sh SRC LINUX_KCAP WIN_BUILD CORPUS - the Windows build under wine,
# against the Linux build (ctest windows_wine; docs/WINDOWS.md).
#  1. cross-builds kcap.exe and the Windows unit tests into WIN_BUILD
#     (tools/mingw-w64.cmake; incremental after the first time);
#  2. kcap.exe convert --from etl F --json over every corpus .etl gives the
#     Linux build's bytes (a compressed file without XPRESS support in the
#     Windows build is said as a SKIP, with the refusal checked), and so
#     do a .etl.gz and a .etl on stdin (pipes, copied to a temporary file);
#  3. kcap.exe info, convert --json, filter, slice, cat and merge of a
#     capture the Linux build wrote give the Linux build's bytes; captures
#     kcap.exe wrote (filter -o, convert --from json, cat, merge) read alike
#     in the Linux build; compressed inputs, also on stdin;
#  4. what cannot be there exits 2 with one line: replay, record --source
#     ebpf/audit, record -- COMMAND; record --source etw under wine (whose
#     ETW is a stub) ends with one line and leaves no output;
#  5. the Windows glue's own tests (tests/windows/test_etw_win.c) under wine.
# SKIPs visibly (exit 0) when mingw-w64 or wine is absent. Wine's noise on
# stderr is ignored: stdout is compared; WINEDEBUG=-all, a private WINEPREFIX.
set -uo pipefail
SRC=$1 LK=$2 WB=$3 CORPUS=$4
mkdir -p "$WB"
# the SKIP, FAIL and count lines also go to WB/wine_test.summary (tools/test-all.sh shows it)
SUMMARY=$WB/wine_test.summary
: >"$SUMMARY"
say() { echo "$*"; echo "$*" >>"$SUMMARY"; }
CC=x86_64-w64-mingw32-gcc
command -v "$CC" >/dev/null || { say "SKIP: windows_wine: $CC not found (apt-get install gcc-mingw-w64-x86-64)"; exit 0; }
WINE=$(command -v wine64 || command -v wine || true)
[ -n "$WINE" ] || { say "SKIP: windows_wine: wine not found (apt-get install wine wine64)"; exit 0; }
dpkg-query -W -f='${Status}' libz-mingw-w64-dev 2>/dev/null | grep -q "install ok installed" ||
	{ say "SKIP: windows_wine: libz-mingw-w64-dev not installed (tools/install-deps.sh --windows)"; exit 0; }

exec 9>"$WB/.lock"
flock 9 # one build at a time per build directory
if [ ! -f "$WB/CMakeCache.txt" ]; then
	cmake -S "$SRC" -B "$WB" -DCMAKE_TOOLCHAIN_FILE="$SRC/tools/mingw-w64.cmake" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		>"$WB/configure.log" 2>&1 || { cat "$WB/configure.log"; echo "FAIL: configuring the Windows build"; exit 1; }
fi
cmake --build "$WB" -j2 >"$WB/build.log" 2>&1 || { tail -40 "$WB/build.log"; echo "FAIL: building kcap.exe"; exit 1; }
WK=$WB/kcap.exe

export WINEDEBUG=-all WINEPREFIX=$WB/wineprefix
mkdir -p "$WINEPREFIX"
T=$(mktemp -d)
# one wineserver for every run below (a start per command costs seconds)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)
cleanup() { "$WINESERVER" -k >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
"$WINESERVER" -p >/dev/null 2>&1 </dev/null
w() { "$WINE" "$WK" "$@"; }

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); say "FAIL: $*"; }
same() { # name, file a, file b
	if cmp -s "$2" "$3"; then ok; else bad "$1: kcap.exe and the Linux build differ ($(cmp "$2" "$3" 2>&1 | head -1))"; fi
}

# 2. the corpus
if [ -d "$CORPUS" ]; then
	for f in "$CORPUS"/*/*.etl; do
		n=${f#"$CORPUS"/}
		"$LK" convert --from etl "$f" --json >"$T/l.json" 2>"$T/l.err"
		lr=$?
		w convert --from etl "$f" --json >"$T/w.json" 2>"$T/w.err"
		wr=$?
		if [ $wr -ne 0 ] && grep -q "no XPRESS support" "$T/w.err"; then
			# the Windows build without libfwnt: refused in one line, exit 1, nothing on stdout
			if [ $wr -eq 1 ] && [ ! -s "$T/w.json" ] && [ "$(grep -c . "$T/w.err")" -eq 1 ]; then
				skip=$((skip + 1))
				say "SKIP: windows_wine: $n: compressed, and this Windows build has no XPRESS (libfwnt): refusal checked"
			else
				bad "$n: the refusal of a compressed file is not one line with exit 1"
			fi
			continue
		fi
		[ $lr -eq $wr ] || bad "$n: exit $wr on Windows, $lr on Linux"
		same "convert --from etl $n" "$T/w.json" "$T/l.json"
	done
	# a gzip'd .etl and one on stdin: a pipe, copied into a temporary file (%TEMP%) first
	f=$CORPUS/perfview/net.4.5.2.x64.etl
	if [ -f "$f" ]; then
		"$LK" convert --from etl "$f" --json >"$T/l.json" 2>/dev/null
		gzip -c "$f" >"$T/pv.etl.gz"
		w convert --from etl "$T/pv.etl.gz" --json >"$T/w.json" 2>/dev/null
		same "convert --from etl of a .etl.gz" "$T/w.json" "$T/l.json"
		w convert --from etl --json <"$f" >"$T/w.json" 2>/dev/null
		same "convert --from etl of a .etl on stdin" "$T/w.json" "$T/l.json"
	fi
else
	skip=$((skip + 1))
	say "SKIP: windows_wine: no ETW corpus at $CORPUS"
fi

# 3. captures across the two builds
CAP=$SRC/testdata/synth-1k.kcap
"$LK" convert --json "$CAP" >"$T/l.json"
w convert --json "$CAP" >"$T/w.json"
same "convert --json" "$T/w.json" "$T/l.json"
"$LK" info "$CAP" >"$T/l.info"
w info "$CAP" >"$T/w.info"
same "info" "$T/w.info" "$T/l.info"
"$LK" info --json "$CAP" >"$T/l.info"
w info --json "$CAP" >"$T/w.info"
same "info --json" "$T/w.info" "$T/l.info"
for expr in 'type=openat' 'category=net and pid>700' 'comm=nginx' 'proc.exe startswith /usr/sbin'; do
	"$LK" filter "$expr" "$CAP" --json >"$T/l.f" 2>&1
	w filter "$expr" "$CAP" --json >"$T/w.f" 2>/dev/null
	same "filter '$expr'" "$T/w.f" "$T/l.f"
	[ -s "$T/l.f" ] || bad "filter '$expr' selects nothing: the case checks nothing"
done
"$LK" slice --tail 17 "$CAP" --csv >"$T/l.s"
w slice --tail 17 "$CAP" --csv >"$T/w.s"
same "slice --tail --csv" "$T/w.s" "$T/l.s"
# written by kcap.exe, read by the Linux build
w filter 'type=openat' "$CAP" -o "$T/wf.kcap"
"$LK" filter 'type=openat' "$CAP" -o "$T/lf.kcap"
# the first line's "origin" holds derived_from, the command line, whose -o differs
"$LK" convert --json "$T/lf.kcap" | sed 's/,"origin":{.*}}$/}/' >"$T/l.f"
"$LK" convert --json "$T/wf.kcap" >"$T/w.f.raw" || bad "the Linux build cannot read kcap.exe's filter -o"
sed 's/,"origin":{.*}}$/}/' "$T/w.f.raw" >"$T/w.f"
w info "$T/lf.kcap" | sed 1d >"$T/w.i"
"$LK" info "$T/lf.kcap" | sed 1d >"$T/l.i"
same "info of a filter -o output" "$T/w.i" "$T/l.i"
same "filter -o by kcap.exe, read on Linux" "$T/w.f" "$T/l.f"
"$LK" convert --json "$CAP" | w convert --from json -o "$T/wj.kcap"
"$LK" convert --json "$CAP" | "$LK" convert --from json -o "$T/lj.kcap"
"$LK" convert --json "$T/wj.kcap" >"$T/w.j" && "$LK" convert --json "$T/lj.kcap" >"$T/l.j"
same "convert --from json by kcap.exe" "$T/w.j" "$T/l.j"
w cat "$CAP" "$CAP" >"$T/wc.kcap"
"$LK" cat "$CAP" "$CAP" >"$T/lc.kcap"
same "cat (bytes)" "$T/wc.kcap" "$T/lc.kcap"
w merge "$CAP" "$T/wf.kcap" -o "$T/wm.kcap"
"$LK" merge "$CAP" "$T/wf.kcap" -o "$T/lm.kcap"
"$LK" convert --json "$T/wm.kcap" >"$T/w.m" && "$LK" convert --json "$T/lm.kcap" >"$T/l.m"
same "merge -o by kcap.exe" "$T/w.m" "$T/l.m"
# compressed inputs, from a file and on stdin (a pipe wine cannot peek is relayed)
gzip -c "$CAP" >"$T/c.kcap.gz"
zstd -q -c "$CAP" >"$T/c.kcap.zst"
w convert --json "$T/c.kcap.gz" >"$T/w.z"
same "gzip input" "$T/w.z" "$T/l.json"
w convert --json - <"$T/c.kcap.zst" >"$T/w.z"
same "zstd on stdin" "$T/w.z" "$T/l.json"
gzip -c "$CAP" | w convert --json >"$T/w.z"
same "gzip from a pipe" "$T/w.z" "$T/l.json"
# an archive is refused in one line (no libarchive in the Windows build)
tar cf "$T/a.tar" -C "$SRC/testdata" synth-1k.kcap
w info "$T/a.tar" >/dev/null 2>"$T/e"
r=$?
{ [ $r -ne 0 ] && grep -q "tar archive, which this build does not read" "$T/e"; } || bad "a tar input: exit $r, $(head -1 "$T/e")"
# a damaged capture: exit 3 with the intact events, as on Linux
head -c 12000 "$CAP" >"$T/cut.kcap"
"$LK" convert --json "$T/cut.kcap" >"$T/l.cut" 2>/dev/null
lr=$?
w convert --json "$T/cut.kcap" >"$T/w.cut" 2>/dev/null
wr=$?
[ $wr -eq $lr ] && [ $wr -eq 3 ] || bad "a cut capture: exit $wr on Windows, $lr on Linux (3 expected)"
same "a cut capture's intact events" "$T/w.cut" "$T/l.cut"

# 4. what the Windows build cannot have
expect2() { # name, expected text, lines of stderr, command...
	local name=$1 text=$2 lines=$3
	shift 3
	w "$@" >/dev/null 2>"$T/e"
	local r=$?
	if [ $r -eq 2 ] && grep -q "$text" "$T/e" && [ "$(grep -c . "$T/e")" -eq "$lines" ]; then ok; else
		bad "$name: exit $r (2 expected), stderr: $(head -2 "$T/e")"
	fi
}
expect2 "replay" "not in the Windows build" 1 replay "$CAP"
expect2 "record --source ebpf" "not in the Windows build" 1 record --source ebpf -o "$T/x.kcap"
expect2 "record --source audit" "not in the Windows build" 1 record --source audit -o "$T/x.kcap"
expect2 "record -- COMMAND" "not in the Windows build" 1 record -o "$T/x.kcap" -- cmd.exe
# (the expression error shows the expression and a caret under the column)
expect2 "filter regex" "not in the Windows build" 3 filter 'comm ~ "ngi"' "$CAP"
w record --source etw -o "$T/etw.kcap" --duration 1s >/dev/null 2>"$T/e"
r=$?
if [ $r -ne 0 ] && [ ! -e "$T/etw.kcap" ] && grep -q "^kcap record: etw frontend: " "$T/e"; then ok; else
	bad "record --source etw under wine: exit $r, output left: $([ -e "$T/etw.kcap" ] && echo yes || echo no), $(head -2 "$T/e")"
fi

# 5. the Windows glue's tests
if [ -f "$WB/tests/windows/test_etw_win.exe" ]; then
	"$WINE" "$WB/tests/windows/test_etw_win.exe" "$CORPUS" >"$T/u.out" 2>&1
	r=$?
	sed 's/^/  test_etw_win: /' "$T/u.out" | grep -v '^  test_etw_win: ok ' | head -20
	[ $r -eq 0 ] && ok || bad "test_etw_win.exe: exit $r"
else
	bad "test_etw_win.exe was not built"
fi

say "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
