# bench_env.sh - what the robustness benchmarks share, sourced by them:
#     . "$(dirname "$0")/bench_env.sh"
# bench_tools NAME FILE...: exits 1 unless each FILE is executable
bench_tools() {
	bt_name=$1
	shift
	for x in "$@"; do
		[ -x "$x" ] || { echo "$bt_name: $x missing (build BUILD_DIR first)" >&2; exit 1; }
	done
}
# bench_workdir [DIR]: W is DIR (made if need be), or a temporary directory
# removed at exit when DIR is absent or empty
bench_workdir() {
	if [ -n "${1:-}" ]; then
		W=$1
		mkdir -p "$W" || exit 1
	else
		W=$(mktemp -d) || exit 1
		trap 'rm -rf "$W"' EXIT
	fi
}
