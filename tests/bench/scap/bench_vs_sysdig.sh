#!/bin/sh
# bench_vs_sysdig.sh KCAP [WORKDIR] - kcap beside sysdig 0.29.3 on one large
# capture (issue 12, section 4), side by side in one run, interleaved
# (kcap, sysdig, kcap, sysdig, ...), medians of wall and of user+sys CPU.
#
#   big.kcap    kcap synth -n 2000000 --seed 1 (2M events)
#   big.scap    kcap convert --scap big.kcap (the export; 4M scap events:
#               an enter and an exit per kcap event, procexit alone)
#   query       kcap filter 'comm = curl' --text big.kcap
#               beside sysdig -r big.scap proc.name=curl (both text, to /dev/null)
#   json        kcap convert --json big.kcap beside sysdig -r big.scap -j
#   size        big.kcap, and imp.kcap (the import), beside gzip -6 of big.scap (what sysdig -z writes)
#   import      kcap convert --from scap big.scap -o FILE beside sysdig -r big.scap -q,
#               when kcap has the scap importer
# Environment: RUNS (default 5), RUNS_SLOW (sysdig -j; default 3).
# Not run by ctest.
set -eu
K=${1:?usage: bench_vs_sysdig.sh KCAP [WORKDIR]}
case $K in /*) ;; *) K=$(pwd)/$K ;; esac
work=${2:-${TMPDIR:-/tmp}/kcap-bench-scap}
runs=${RUNS:-5}
runs_slow=${RUNS_SLOW:-3}
command -v sysdig >/dev/null || { echo "bench_vs_sysdig.sh: sysdig not installed (apt-get install sysdig)" >&2; exit 1; }
[ -x "$K" ] || { echo "bench_vs_sysdig.sh: no kcap at $K" >&2; exit 1; }
mkdir -p "$work"
cd "$work"

[ -s big.kcap ] || nice -n 10 "$K" synth -n 2000000 --seed 1 -o big.kcap
# the export itself, timed once (it makes the file the rest reads)
/usr/bin/time -f '%e %U %S' -o t.export "$K" convert --scap big.kcap -o big.scap
[ -s big.scap.gz ] && [ big.scap.gz -nt big.scap ] || gzip -6 -c big.scap >big.scap.gz
sync

median() { sort -g | awk '{v[NR]=$1} END { print v[int((NR+1)/2)] }'; }
# one run: appends "wall cpu" to FILE
one() {
	f=$1
	shift
	/usr/bin/time -f '%e %U %S' -o t.one sh -c "$*" >/dev/null 2>t.err || {
		echo "bench_vs_sysdig.sh: failed: $*: $(cat t.err)" >&2
		exit 1
	}
	awk '{printf "%s %.2f\n", $1, $2 + $3}' t.one >>"$f"
}
# pair NAME N KCAP_CMD REF_CMD: N interleaved runs, a Markdown row
pair() {
	name=$1 n=$2 kc=$3 rc=$4
	: >t.k
	: >t.r
	for i in $(seq 1 "$n"); do
		one t.k "$kc"
		one t.r "$rc"
	done
	kw=$(cut -d' ' -f1 t.k | median) kcpu=$(cut -d' ' -f2 t.k | median)
	rw=$(cut -d' ' -f1 t.r | median) rcpu=$(cut -d' ' -f2 t.r | median)
	echo "| $name | $kw s ($kcpu s CPU) | $rw s ($rcpu s CPU) | $(echo "$rw $kw" | awk '{printf "%.1fx", $1 / $2}') ($(echo "$rcpu $kcpu" | awk '{printf "%.1fx", $1 / ($2 > 0 ? $2 : 0.01)}') CPU) |"
}

nk=$("$K" info big.kcap | sed -n 's/^Events: *//p')
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (other jobs shared the machine)"
echo "big.kcap: $nk events, $(stat -c %s big.kcap) bytes; big.scap: $(stat -c %s big.scap) bytes;" \
	"gzip -6: $(stat -c %s big.scap.gz) bytes; export: $(awk '{printf "%s s wall, %.2f s CPU", $1, $2 + $3}' t.export)"
echo
echo "| What | kcap | sysdig 0.29.3 | sysdig / kcap |"
echo "| --- | --- | --- | --- |"
pair "query: \`filter 'comm = curl' --text\` / \`sysdig proc.name=curl\`" "$runs" \
	"'$K' filter 'comm = curl' --text big.kcap" "sysdig -r big.scap proc.name=curl"
pair "\`convert --json\` / \`sysdig -j\`" "$runs_slow" \
	"'$K' convert --json big.kcap" "sysdig -r big.scap -j"
if "$K" convert --from scap big.scap -o imp.kcap 2>t.err; then
	pair "import: \`convert --from scap -o F\` / \`sysdig -q\`" "$runs" \
		"'$K' convert --from scap big.scap -o imp.kcap" "sysdig -r big.scap -q"
	ki=$(cut -d' ' -f1 t.k | median) kic=$(cut -d' ' -f2 t.k | median)
	echo "(import: $nk kcap events, from about twice as many scap events, in $ki s wall, $kic s CPU:" \
		"$(echo "$nk $ki $kic" | awk '{printf "%.2fM kcap events/s wall, %.2fM per CPU-second", $1 / $2 / 1e6, $1 / $3 / 1e6}'))"
else
	echo "| import | (not measured: $(head -n 1 t.err)) | | |"
fi
echo
echo "size: big.kcap / gzip -6 of big.scap = $(stat -c '%s' big.kcap) / $(stat -c '%s' big.scap.gz) =" \
	"$(echo "$(stat -c %s big.kcap) $(stat -c %s big.scap.gz)" | awk '{printf "%.3fx", $1 / $2}')"
# the issue's row: the kcap the import makes of big.scap
if [ -s imp.kcap ]; then
	echo "size: imp.kcap (the import of big.scap) / gzip -6 of big.scap = $(stat -c '%s' imp.kcap) /" \
		"$(stat -c '%s' big.scap.gz) = $(echo "$(stat -c %s imp.kcap) $(stat -c %s big.scap.gz)" | awk '{printf "%.3fx", $1 / $2}')"
fi
