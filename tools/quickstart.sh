#!/usr/bin/env bash
# Installs what is missing, builds kcap, and runs the main job: records this
# host for five seconds (eBPF, needs root) while a short demo runs, and shows
# what was captured.
# Without the privilege or the recorder, it says why and shows a synthetic
# capture instead.
# Exits 0 when it worked. KCAP_OUT names the capture (host.kcap); KCAP_BIN
# runs an already built kcap instead of installing and building (the
# quickstart test does).
set -euo pipefail
cd "$(dirname "$0")/.."
kcap=${KCAP_BIN:-build/kcap}
if [ -z "${KCAP_BIN:-}" ]; then
	tools/install-deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc)" >/dev/null
fi
out=${KCAP_OUT:-host.kcap}
if "$kcap" record --help >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	echo "recording this host for 5 seconds into $out, while a short demo runs ..." >&2
	# The whole host is recorded while the demo command runs (no --follow);
	# the demo makes sure that even an idle machine shows process, file and
	# network events.
	if ! "$kcap" record -o "$out" -- bash -c '
		sleep 1
		uname -a >/dev/null; id >/dev/null; ls -l /etc >/dev/null
		tmp=$(mktemp -d); echo hello >"$tmp/a"; mv "$tmp/a" "$tmp/b"; chmod 600 "$tmp/b"; rm -r "$tmp"
		(exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null || true
		sleep 4'; then
		echo "recording failed (see above); showing a synthetic capture instead" >&2
		"$kcap" synth -n 100000 -o "$out"
	fi
else
	echo "kcap record needs root and eBPF; writing a synthetic capture into $out instead" >&2
	"$kcap" synth -n 100000 -o "$out"
fi
"$kcap" info "$out"
echo
echo "first events:"
# slice stops after 20 events by itself: `convert | head` would end convert
# by SIGPIPE, which pipefail turns into the script's failure (141)
"$kcap" slice --head 20 --text "$out"
