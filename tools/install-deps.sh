#!/usr/bin/env bash
# Installs the Debian 12 packages kcap needs to build and test, if missing.
# Usage: tools/install-deps.sh [--bench] [--windows]   (benchmark tools; the mingw-w64 build and wine)
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang llvm libzstd-dev zlib1g-dev libarchive-dev libjansson-dev
      libbpf-dev bpftool check zstd jq zip libclang-rt-14-dev man-db libfwnt-dev libssl-dev
      sysdig) # sysdig: reads .scap files without a kernel module (tests of the scap export)
# libcurl: kcap export clickhouse (optional); clickhouse-server/-client: the
# fleet_cluster test (SKIP without them)
pkgs+=(libcurl4-openssl-dev curl clickhouse-server clickhouse-client)
# libmicrohttpd: kcap inspect's server (optional, docs/LOOKING.md); chromium,
# nodejs and npm: the looking_browser test drives the system chromium with
# playwright-core from npm (SKIP without them)
pkgs+=(libmicrohttpd-dev chromium nodejs npm)
for opt in "$@"; do
	case $opt in
	--bench) pkgs+=(hyperfine bpftrace auditd linux-perf valgrind time) ;;
	# the Windows cross build and its wine test (docs/WINDOWS.md, ctest -R windows_wine)
	--windows) pkgs+=(gcc-mingw-w64-x86-64 libz-mingw-w64-dev wine wine64) ;;
	esac
done
missing=()
for p in "${pkgs[@]}"; do
	# node and npm from elsewhere (NodeSource's nodejs bundles npm and
	# conflicts with Debian's npm package) serve as well as Debian's
	case $p in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
