#!/bin/sh
# kcap verify against `zstd -t` on the same blocks (issue 14 §1: at least
# 80% of its speed). Not run by ctest.
#
#   tests/bench/evidence/bench_verify.sh [BUILD_DIR [OUT_DIR]]
#
# Makes a synthetic capture (`kcap synth -n N --seed 1`, 1 MiB blocks), puts
# the zstd frames of its blocks, as they lie in the file, one after the other
# into frames.zst (frames.py), then times, interleaved, RUNS times each:
#   kcap verify cap.kcap     (every check: CRCs, decompression, every record
#                             walked, index, footer)
#   zstd -t frames.zst       (decompression of the same frames only)
# and prints the medians of wall and user+sys CPU seconds, and the ratio of
# speeds (zstd's time / kcap's). Environment: N=2000000, RUNS=7, BENCH_RT=1
# runs both at SCHED_FIFO priority (chrt -f 50; root), so that other jobs on a
# shared machine do not set the wall times (as tests/bench/container does).
set -eu
BUILD=$(cd "${1:-build}" && pwd)
OUT=${2:-${TMPDIR:-/tmp}/kcap-bench-verify}
N=${N:-2000000}
RUNS=${RUNS:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
K="$BUILD/kcap"
for tool in zstd python3; do
	command -v "$tool" >/dev/null || { echo "bench_verify.sh: $tool is required" >&2; exit 1; }
done
mkdir -p "$OUT"
cd "$OUT"
[ -f cap.kcap ] || "$K" synth -n "$N" --seed 1 -o cap.kcap
python3 "$HERE/frames.py" cap.kcap frames.zst
"$K" verify cap.kcap >/dev/null
zstd -t -q frames.zst
echo "capture: $(wc -c < cap.kcap) bytes; frames: $(wc -c < frames.zst) bytes"
: > times
RT=""
[ "${BENCH_RT:-0}" = 1 ] && RT="chrt -f 50"
t() { # label cmd...
	label=$1
	shift
	$RT /usr/bin/time -f "$label %e %U %S" -a -o times "$@" > /dev/null 2>&1
}
i=0
while [ "$i" -lt "$RUNS" ]; do
	t kcap "$K" verify cap.kcap
	t zstd zstd -t -q frames.zst
	i=$((i + 1))
done
awk '
{ wall[$1, ++n[$1]] = $2; cpu[$1, n[$1]] = $3 + $4 }
function med(a, k, m,   i, j, t, v) {
	for (i = 1; i <= m; i++) v[i] = a[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
END {
	kw = med(wall, "kcap", n["kcap"]); kc = med(cpu, "kcap", n["kcap"])
	zw = med(wall, "zstd", n["zstd"]); zc = med(cpu, "zstd", n["zstd"])
	printf "| command | wall s (median) | user+sys s (median) |\n|---|---|---|\n"
	printf "| kcap verify cap.kcap | %.3f | %.3f |\n", kw, kc
	printf "| zstd -t frames.zst | %.3f | %.3f |\n", zw, zc
	printf "\nspeed of kcap verify relative to zstd -t: %.0f%% (wall), %.0f%% (user+sys)\n", 100 * zw / kw, 100 * zc / kc
}' times
