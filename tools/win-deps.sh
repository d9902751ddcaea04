#!/usr/bin/env bash
# tools/win-deps.sh DIR [--fwnt] - fetches the Debian source packages of the
# libraries kcap.exe needs that Debian has no mingw build of (zstd), through
# apt (the .orig tarball of the release's own source package), and unpacks
# them under DIR (a build directory; nothing here is committed). Prints the
# source directory of each. Called by the Windows build's configure step
# (tools/mingw-w64.cmake, CMakeLists.txt); see docs/WINDOWS.md.
#
# apt runs with a private configuration under DIR/apt (deb-src lines made
# from the system's own deb lines, private lists and cache): the system's
# apt state is not touched and no root is needed. Only the release's main
# suite is used (its source is what the security suite's updates patch).
#
# --fwnt also builds Debian's libfwnt (LZXPRESS, for compressed .etl
# buffers) for mingw with its own autotools build into DIR/prefix (about 1
# CPU-minute, longer on a busy machine: off by default, -DKCAP_WIN_FWNT=ON)
# and prints that prefix's pkg-config folder last.
set -euo pipefail
dir=${1:?usage: tools/win-deps.sh DIR [--fwnt]}
fwnt=0
[ "${2:-}" = "--fwnt" ] && fwnt=1
mkdir -p "$dir/apt/parts" "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial"
dir=$(cd "$dir" && pwd)
pkgs=(libzstd)
[ $fwnt = 1 ] && pkgs+=(libfwnt)
have_all=1
for p in "${pkgs[@]}"; do [ -f "$dir/$p.dir" ] || have_all=0; done
build_fwnt() { # the libfwnt source in $1 into $dir/prefix (static)
	[ -f "$dir/prefix/lib/pkgconfig/libfwnt.pc" ] && return 0
	(cd "$1" && ./configure -q --host=x86_64-w64-mingw32 --enable-static --disable-shared --disable-nls \
		--disable-multi-threading-support --disable-dependency-tracking --disable-python --prefix="$dir/prefix" &&
		make -j2 && make install) >"$dir/libfwnt-build.log" 2>&1 ||
		{ tail -20 "$dir/libfwnt-build.log" >&2; echo "win-deps: building libfwnt failed" >&2; exit 1; }
}
if [ $have_all = 1 ]; then
	for p in "${pkgs[@]}"; do cat "$dir/$p.dir"; done
	[ $fwnt = 1 ] && build_fwnt "$(cat "$dir/libfwnt.dir")" && echo "$dir/prefix/lib/pkgconfig"
	exit 0
fi
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
uri=$(grep -h -m1 -E '^URIs:.*debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' || true)
[ -n "$uri" ] || uri=$(grep -h -m1 -E '^deb .*debian/? ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' || true)
[ -n "$uri" ] || { echo "win-deps: no Debian archive in /etc/apt (sources.list or sources.list.d)" >&2; exit 1; }
kr=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$dir/apt/parts/src.sources" <<EOS
Types: deb-src
URIs: $uri
Suites: $suite
Components: main
Signed-By: $kr
EOS
apt_opts=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$dir/apt/parts"
          -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache"
          -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" update >&2
cd "$dir"
for p in "${pkgs[@]}"; do
	[ -f "$dir/$p.dir" ] && continue
	apt-get "${apt_opts[@]}" source --download-only "$p" >&2
	orig=$(ls "$dir"/"${p}"_*.orig.tar.* | grep -v "\.asc$" | awk "NR==1")
	top=$(tar tf "$orig" | awk -F/ "NR==1{print \$1}")
	rm -rf "$dir/$top"
	tar xf "$orig" -C "$dir"
	echo "$dir/$top" >"$dir/$p.dir"
	cat "$dir/$p.dir"
done
[ $fwnt = 1 ] && build_fwnt "$(cat "$dir/libfwnt.dir")" && echo "$dir/prefix/lib/pkgconfig"
exit 0
