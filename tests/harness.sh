# harness.sh - what the shell tests under ctest share, sourced by them:
#     . "$(dirname "$0")/../harness.sh"
# TAP-style lines: "ok - NAME" or "not ok - NAME: why". End a script with
# harness_done, whose status is the script's: 0 when nothing failed.
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }
check() { # name expected actual
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi
}
harness_workdir() { # DIR: made now, removed at exit, in $DIR
	DIR=$1
	mkdir -p "$DIR" || exit 1
	trap 'rm -rf "$DIR"' EXIT
}
harness_done() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
# JSON lines without the "origin" object that the first line of each origin
# carries (docs/CLI.md "JSON lines"), for comparing lines of one origin
# taken from different places of an output.
no_origin() { sed 's/,"origin":{[^}]*}}$/}/'; }
