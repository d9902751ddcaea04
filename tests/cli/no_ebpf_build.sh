#!/bin/sh
# A machine without bpftool or clang still builds kcap, without the eBPF
# frontend, and `kcap record` then says why it is unavailable (issue 4).
# Configures and builds a tests-less copy of the project with the tool
# hidden from CMake, then checks the message and the exit status.
# usage: no_ebpf_build.sh SOURCE_DIR WORK_DIR
set -u
. "$(dirname "$0")/../harness.sh"
SRC=$1
W=$2/no-ebpf-build
rm -rf "$W"

# missing TOOL CACHE_VAR EXPECTED_REASON
missing() {
	b=$W/$1
	if cmake -S "$SRC" -B "$b" -DKCAP_BUILD_TESTS=OFF -DKCAP_WERROR=ON "-D$2=$2-NOTFOUND" >"$b.log" 2>&1 &&
		cmake --build "$b" -j2 --target kcap >>"$b.log" 2>&1; then
		ok "without $1: the build succeeds"
	else
		bad "without $1: the build failed (tail of $b.log follows)"
		tail -n 20 "$b.log"
		return
	fi
	check "without $1: configure says why" 1 \
		"$(grep -c "eBPF recorder frontend disabled: $1 was not found" "$b.log")"
	"$b/kcap" record -o "$W/x.kcap" -- true 2>"$W/err"
	check "without $1: kcap record exits 1" 1 $?
	check "without $1: kcap record says why, in one line" \
		"kcap record: the eBPF frontend is not in this build: $1 was not found when kcap was built; \`kcap synth\` writes a synthetic capture instead" \
		"$(cat "$W/err")"
	check "without $1: no capture is left behind" no "$([ -e "$W/x.kcap" ] && echo yes || echo no)"
	# the audit frontend does not need the eBPF toolchain
	"$b/kcap" record --source audit --help >/dev/null 2>&1
	check "without $1: kcap record --source audit --help still works" 0 $?
}

mkdir -p "$W"
missing bpftool KCAP_BPFTOOL
missing clang KCAP_BPF_CLANG
rm -rf "$W"
harness_done
