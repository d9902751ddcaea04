#!/bin/sh
# libcurl and libmicrohttpd are opened by the commands that use them
# (tools/optional_lib.h), libcrypto by the library when a key, a seal or
# a SHA-256 is first needed (kcap/src/core/seal_crypto.inc), and libarchive
# by the input layer when an input is an archive or a compression kcap does
# not decode itself, or a bundle (formats/input/archive_dl.c), not linked: the
# binary does not need them, and a library that cannot be opened, or lacks a
# function, is one error line naming it with status 1, before anything is
# read or written. A sealed file verified without libcrypto says that its
# seals were not checked.
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
	check "kcap does not need libcrypto" "" "$(echo "$needed" | grep libcrypto)"
	check "kcap does not need libarchive" "" "$(echo "$needed" | grep libarchive)"
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
	# libcrypto: a sealed capture made with the real one first
	if "$KCAP" keygen -o "$DIR/key" 2>"$DIR/err" && "$KCAP" seal --key "$DIR/key" "$T" -o "$DIR/sealed.kcap"; then
		cc -shared -fPIC -o "$DIR/libcrypto.so.3" "$DIR/empty.c" || exit 1
		LD_LIBRARY_PATH=$DIR "$KCAP" keygen -o "$DIR/key2" >"$DIR/out" 2>"$DIR/err"
		check "keygen without a usable libcrypto: status" 1 $?
		check "keygen: one line naming the key, libcrypto and the function" yes \
			"$(grep -q "^kcap keygen: $DIR/key2: libcrypto.so.3 has no EVP_" "$DIR/err" && echo yes || cat "$DIR/err")"
		check "keygen: one line" 1 "$(wc -l <"$DIR/err" | tr -d ' ')"
		check "keygen: no key written" no "$([ -e "$DIR/key2" ] || [ -e "$DIR/key2.pub" ] && echo yes || echo no)"
		LD_LIBRARY_PATH=$DIR "$KCAP" seal --key "$DIR/key" "$T" -o "$DIR/s2.kcap" 2>"$DIR/err"
		check "seal without a usable libcrypto: status" 1 $?
		check "seal: no output" no "$([ -e "$DIR/s2.kcap" ] && echo yes || echo no)"
		check "seal: the line names libcrypto" yes \
			"$(grep -q "^kcap seal: --key $DIR/key: libcrypto.so.3 has no EVP_" "$DIR/err" && echo yes || cat "$DIR/err")"
		LD_LIBRARY_PATH=$DIR "$KCAP" verify "$DIR/sealed.kcap" >"$DIR/out" 2>"$DIR/err"
		check "verify of a sealed file without libcrypto: status (intact)" 0 $?
		check "verify: says the seals were not checked, and why" yes \
			"$(grep -q '^  seal: the file holds seal blocks, NOT checked: libcrypto.so.3 has no EVP_' "$DIR/out" && echo yes || cat "$DIR/out")"
		LD_LIBRARY_PATH=$DIR "$KCAP" verify --json "$DIR/sealed.kcap" >"$DIR/out" 2>"$DIR/err"
		check "verify --json: sealed, not checked" yes \
			"$(grep -q '"seal":{"sealed":true,"checked":false,' "$DIR/out" && echo yes || cat "$DIR/out")"
		"$KCAP" verify --json "$DIR/sealed.kcap" >"$DIR/out" 2>"$DIR/err"
		check "verify --json with libcrypto: sealed, checked, 2 seals" yes \
			"$(grep -q '"seal":{"sealed":true,"checked":true,"seals":2,' "$DIR/out" && echo yes || cat "$DIR/out")"
		LD_LIBRARY_PATH=$DIR "$KCAP" verify --key "$DIR/key.pub" "$DIR/sealed.kcap" >"$DIR/out" 2>"$DIR/err"
		check "verify --key without libcrypto: status" 1 $?
		(cd "$DIR" && LD_LIBRARY_PATH=$DIR "$KCAP" bundle -o b.tar sealed.kcap >out 2>err)
		check "bundle without libcrypto: status" 1 $?
		check "bundle: no output" no "$([ -e "$DIR/b.tar" ] && echo yes || echo no)"
		check "bundle: the line says why there is no SHA-256" yes \
			"$(grep -q '^kcap bundle: no SHA-256: libcrypto.so.3 has no EVP_' "$DIR/err" && echo yes || cat "$DIR/err")"
	else
		echo "SKIP: kcap built without libcrypto ($(head -1 "$DIR/err")): its loading is not checked"
	fi
	# libarchive: a tar (or any archive, or a compressed input: a .gz may
	# hold a tar) needs it, a plain capture does not. Its stand-in has a
	# directory of its own (bundle also needs libcrypto).
	mkdir -p "$DIR/la"
	(cd "$DIR" && cp "$T" t.kcap && tar cf t.tar t.kcap)
	check "info of a tar with the real libarchive" 0 "$("$KCAP" info "$DIR/t.tar" >/dev/null 2>&1; echo $?)"
	cc -shared -fPIC -o "$DIR/la/libarchive.so.13" "$DIR/empty.c" || exit 1
	LD_LIBRARY_PATH=$DIR/la "$KCAP" info "$DIR/t.tar" >"$DIR/out" 2>"$DIR/err"
	check "info of a tar without a usable libarchive: status" 1 $?
	check "info: one line naming the file, libarchive and the function" yes \
		"$(grep -q "^kcap info: $DIR/t.tar: libarchive.so.13 has no archive_" "$DIR/err" && echo yes || cat "$DIR/err")"
	check "info: one line" 1 "$(wc -l <"$DIR/err" | tr -d ' ')"
	LD_LIBRARY_PATH=$DIR/la "$KCAP" convert --json "$DIR/t.kcap" >"$DIR/out" 2>"$DIR/err"
	check "convert of a plain capture without libarchive: status" 0 $?
	check "convert of a plain capture: every event" 1000 "$(wc -l <"$DIR/out" | tr -d ' ')"
	(cd "$DIR" && LD_LIBRARY_PATH=$DIR/la "$KCAP" bundle -o b2.tar t.kcap >out 2>err)
	check "bundle without a usable libarchive: status" 1 $?
	check "bundle: no output" no "$([ -e "$DIR/b2.tar" ] && echo yes || echo no)"
	check "bundle: the line names libarchive" yes \
		"$(grep -q '^kcap bundle: b2.tar: libarchive.so.13 has no archive_' "$DIR/err" && echo yes || cat "$DIR/err")"
	LD_LIBRARY_PATH=$DIR/la "$KCAP" info "$T" >/dev/null 2>"$DIR/err"
	check "info of a plain capture with the libarchive stand-in: status" 0 $?
else
	echo "SKIP: no C compiler: the stand-in libraries are not built"
fi
# The commands that need none of them still run with the stand-ins on the
# path (info of a plain capture opens no libarchive).
LD_LIBRARY_PATH=$DIR "$KCAP" info "$T" >/dev/null 2>"$DIR/err"
check "info with the stand-ins on the path: status" 0 $?
harness_done
