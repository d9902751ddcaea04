#!/bin/sh
# `cmake --install` of a build: the kcap CLI, libkcap (libkcap.a, headers,
# kcap.pc) and the reference docs land under the prefix, and a program built
# against the installed library alone, through pkg-config, writes and reads
# a capture that the installed CLI then reads too.
# usage: install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -u
. "$(dirname "$0")/../harness.sh"
B=$1
SRC=$2
W=$3/install-test.$$
trap 'rm -rf "$W"' EXIT
P=$W/prefix
mkdir -p "$W"

cmake --install "$B" --prefix "$P" >"$W/install.log" 2>&1
check "cmake --install succeeds" 0 $?
check "kcap installed in bin/" yes "$([ -x "$P/bin/kcap" ] && echo yes || echo no)"
for h in kcap.h filter.h procstate.h taxonomy.h; do
	check "header kcap/$h installed" yes "$([ -f "$P/include/kcap/$h" ] && echo yes || echo no)"
done
lib=$(find "$P" -name libkcap.a | head -n 1)
check "libkcap.a installed" yes "$([ -n "$lib" ] && echo yes || echo no)"
pcdir=$(dirname "$(find "$P" -name kcap.pc | head -n 1)")
check "kcap.pc version is the CLI's" "$("$P/bin/kcap" --version | cut -d' ' -f2)" \
	"$(PKG_CONFIG_PATH=$pcdir pkg-config --modversion kcap)"
check "docs installed" yes "$([ -f "$P/share/doc/kcap/FORMAT.md" ] && echo yes || echo no)"
# man pages: kcap(1) and one per subcommand, made from the --help texts
M=$P/share/man/man1
for c in $("$P/bin/kcap" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF && $1 != "help" { print $1 }'); do
	check "man page kcap-$c.1 installed" yes "$([ -f "$M/kcap-$c.1" ] && echo yes || echo no)"
done
check "man kcap lists the subcommands' pages" 1 "$(MANWIDTH=200 man -l "$M/kcap.1" 2>/dev/null | grep -c 'kcap-filter(1)')"
check "man kcap-filter renders its options as --help does" 1 \
	"$(MANWIDTH=200 man -l "$M/kcap-filter.1" 2>/dev/null | grep -c -- '-c, --count         print only the number of matching events')"
check "man kcap-filter has no roff warnings" "" "$(groff -man -ww -z "$M/kcap-filter.1" 2>&1)"

# a third party's program: only the installed headers and library
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -o "$W/consumer" "$SRC/tests/install/consumer.c" \
	$(PKG_CONFIG_PATH=$pcdir pkg-config --static --cflags --libs kcap) 2>"$W/cc.log"
check "a program builds against the installed libkcap" 0 $?
[ -s "$W/cc.log" ] && cat "$W/cc.log"
check "it writes and reads back 5000 events" "ok 5000" "$("$W/consumer" "$W/c.kcap" 5000)"
check "the installed CLI reads its capture" 5000 "$("$P/bin/kcap" info --json "$W/c.kcap" | jq .events)"
check "... with its metadata" consumer-host "$("$P/bin/kcap" info --json "$W/c.kcap" | jq -r '.origins[0].hostname')"

# kcap.h's experimental section is not there unless asked for
printf '#include <kcap/kcap.h>\nint main(void) { kcap_record r = {0}; return (int)r.len; }\n' >"$W/exp.c"
cflags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags kcap)
# shellcheck disable=SC2086
cc -std=c11 -Werror $cflags -c -o "$W/exp.o" "$W/exp.c" 2>/dev/null
check "kcap_record is hidden without KCAP_EXPERIMENTAL_API" 1 $?
# shellcheck disable=SC2086
cc -std=c11 -Werror -DKCAP_EXPERIMENTAL_API $cflags -c -o "$W/exp.o" "$W/exp.c" 2>"$W/exp.log"
check "... and there with it" 0 $?
harness_done
