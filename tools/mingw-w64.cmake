# Cross-compiling kcap for 64-bit Windows with Debian's mingw-w64
# (gcc-mingw-w64-x86-64):
#   cmake -DCMAKE_TOOLCHAIN_FILE=tools/mingw-w64.cmake -B build-win
# The dependencies Debian has no mingw build of (zstd) are built from
# Debian's own source package at configure time (tools/win-deps.sh, into the
# build directory); see docs/WINDOWS.md.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(KCAP_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${KCAP_MINGW_TRIPLE}-gcc)
set(CMAKE_RC_COMPILER ${KCAP_MINGW_TRIPLE}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${KCAP_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config must not hand the host's (Linux) libraries to the cross build
set(ENV{PKG_CONFIG_LIBDIR} /usr/${KCAP_MINGW_TRIPLE}/lib/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
# wine runs the cross-built tests (tests/windows)
find_program(KCAP_WINE NAMES wine64 wine PATHS /usr/lib/wine /usr/bin NO_CMAKE_FIND_ROOT_PATH)
set(CMAKE_CROSSCOMPILING_EMULATOR ${KCAP_WINE})
