#!/bin/sh
# libcurl and libmicrohttpd are opened by the commands that use them
# (tools/optional_lib.h), not linked: the binary does not need them, and a
# library that cannot be opened, or lacks a function, is one error line
# naming it with status 1, before anything is read or written.
# usage: optional_libs.sh KCAP SRC WORKDIR
set -u
KCAP=$1
SRC=$2
. "$(dirname "$0")/../harness.sh"
harness_workdir "$3/optional-libs.$$"
T=$SRC/testdata/synth-1k.kcap

if command -v readelf >/dev/null 2>&1; then
	needed=$(readelf -d "$KCAP" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
	check "kcap needs libc" yes "$(echo "$needed" | grep -q '^libc\.so' && echo yes || echo no)"
	check "kcap does not need libcurl" "" "$(echo "$needed" | grep libcurl)"
	check "kcap does not need libmicrohttpd" "" "$(echo "$needed" | grep libmicrohttpd)"
else
	echo "SKIP: readelf (binutils) is absent: the NEEDED list is not checked"
fi

# A library of the right name without the functions: dlopen finds it first
# on LD_LIBRARY_PATH, dlsym then fails.
if command -v cc >/dev/null 2>&1; then
	echo 'int kcap_not_curl(void) { return 0; }' >"$DIR/empty.c"
	for so in libcurl.so.4 libcurl-gnutls.so.4 libmicrohttpd.so.12; do
		cc -shared -fPIC -o "$DIR/$so" "$DIR/empty.c" || exit 1
	done
	LD_LIBRARY_PATH=$DIR "$KCAP" export clickhouse --url http://127.0.0.1:9/ "$T" >"$DIR/out" 2>"$DIR/err"
	check "export without a usable libcurl: status" 1 $?
	check "export without a usable libcurl: one line" 1 "$(wc -l <"$DIR/err" | tr -d ' ')"
	check "export: the line names libcurl and the function" yes \
		"$(grep -q '^kcap export: libcurl (libcurl.*\.so\.4) has no curl_' "$DIR/err" && echo yes || cat "$DIR/err")"
	check "export: nothing on stdout" 0 "$(wc -c <"$DIR/out" | tr -d ' ')"
	LD_LIBRARY_PATH=$DIR "$KCAP" inspect --port 0 "$T" >"$DIR/out" 2>"$DIR/err"
	check "inspect without a usable libmicrohttpd: status" 1 $?
	check "inspect: the line names libmicrohttpd and the function" yes \
		"$(grep -q '^kcap inspect: libmicrohttpd (libmicrohttpd.so.12) has no MHD_' "$DIR/err" && echo yes || cat "$DIR/err")"
	check "inspect: one line" 1 "$(wc -l <"$DIR/err" | tr -d ' ')"
else
	echo "SKIP: no C compiler: the stand-in libraries are not built"
fi
# The commands that need neither still run with the stand-ins on the path.
LD_LIBRARY_PATH=$DIR "$KCAP" info "$T" >/dev/null 2>"$DIR/err"
check "info with the stand-ins on the path: status" 0 $?
harness_done
