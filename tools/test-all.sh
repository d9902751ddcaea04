#!/usr/bin/env bash
# Installs what is missing, builds kcap (gcc, then clang, then ASan+UBSan)
# and runs every test through ctest in the gcc and the sanitizer builds.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
# the Windows cross build and wine (optional: ctest windows_wine SKIPs without them)
tools/install-deps.sh --windows || echo "SKIP: mingw-w64/wine could not be installed: the wine tests will SKIP"
jobs=$(nproc)
# Check aborts a test after 4 s by default; sanitizer builds on a busy
# 2-core machine need more.
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300}
echo "== gcc build (build/) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== clang build, warnings as errors (build-clang/) =="
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-clang -j"$jobs"
echo "== tests (gcc build; windows_wine cross-builds build-win/kcap.exe and runs it under wine) =="
(cd build && ctest --output-on-failure -j"$jobs")
# the wine test's SKIPs and counts, visibly
echo "windows_wine: $(cat build-win/wine_test.summary 2>/dev/null || echo 'no summary (did it run?)')"
echo "== ASan + UBSan build and tests (build-asan/) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKCAP_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
# (the wine test ran above: the Windows build is the same in both)
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs" -E windows_wine)
