# windows-deps.cmake - the dependencies of the Windows build (included by
# CMakeLists.txt when cross-compiling with tools/mingw-w64.cmake).
#  - zstd: Debian has no mingw build. Its Debian source package is fetched
#    through apt into the build directory (tools/win-deps.sh) and built here
#    as a static library with its own sources and headers; nothing of it is
#    committed. KCAP_WIN_ZSTD_SRC names another zstd source tree instead.
#  - zlib: Debian's libz-mingw-w64-dev.
#  - libarchive: none; the input layer reads one stream per input (plain,
#    gzip or zstd), formats/input/noarchive.h.
#  - threads: mingw-w64's winpthreads. Everything is linked statically:
#    kcap.exe needs no DLL beside it.
#  - libfwnt (compressed .etl buffers): not needed (formats/etw has its own
#    XPRESS decoder where libfwnt is absent); -DKCAP_WIN_FWNT=ON builds
#    Debian's source with its autotools build (minutes) and uses it.
set(KCAP_WIN_ZSTD_SRC "" CACHE PATH "zstd source tree (default: Debian's, fetched into the build directory)")
option(KCAP_WIN_FWNT "Build Debian's libfwnt for the Windows build (compressed .etl buffers)" OFF)
if(NOT KCAP_WIN_ZSTD_SRC OR KCAP_WIN_FWNT)
  set(_wd_args ${CMAKE_BINARY_DIR}/win-deps)
  if(KCAP_WIN_FWNT)
    list(APPEND _wd_args --fwnt)
  endif()
  execute_process(COMMAND bash ${CMAKE_SOURCE_DIR}/tools/win-deps.sh ${_wd_args}
                  OUTPUT_VARIABLE _wd_out RESULT_VARIABLE _zrc OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REPLACE "\n" ";" _wd_out "${_wd_out}")
  list(GET _wd_out 0 _zsrc)
  if(NOT _zrc EQUAL 0 OR NOT EXISTS "${_zsrc}/lib/zstd.h")
    message(FATAL_ERROR "tools/win-deps.sh could not fetch Debian's zstd source (see docs/WINDOWS.md)")
  endif()
  if(NOT KCAP_WIN_ZSTD_SRC)
    set(KCAP_WIN_ZSTD_SRC ${_zsrc} CACHE PATH "zstd source tree" FORCE)
  endif()
  if(KCAP_WIN_FWNT)
    list(GET _wd_out -1 _fwnt_pc)
    set(ENV{PKG_CONFIG_LIBDIR} "$ENV{PKG_CONFIG_LIBDIR}:${_fwnt_pc}")
    # its library lies in the build directory, outside the mingw root
    set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
  endif()
endif()
file(GLOB _zstd_c ${KCAP_WIN_ZSTD_SRC}/lib/common/*.c ${KCAP_WIN_ZSTD_SRC}/lib/compress/*.c
                  ${KCAP_WIN_ZSTD_SRC}/lib/decompress/*.c)
add_library(kcap_zstd STATIC ${_zstd_c})
target_include_directories(kcap_zstd SYSTEM PUBLIC ${KCAP_WIN_ZSTD_SRC}/lib)
target_compile_definitions(kcap_zstd PRIVATE ZSTD_DISABLE_ASM XXH_NAMESPACE=ZSTD_)
target_compile_options(kcap_zstd PRIVATE -w -O2)
add_library(PkgConfig::ZSTD INTERFACE IMPORTED GLOBAL)
target_link_libraries(PkgConfig::ZSTD INTERFACE kcap_zstd)

pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET GLOBAL zlib)
add_library(PkgConfig::LIBARCHIVE INTERFACE IMPORTED GLOBAL)
target_compile_definitions(PkgConfig::LIBARCHIVE INTERFACE KCAP_NO_LIBARCHIVE)
# mingw's own C99 printf (glibc's formatting, %zu, %lld): the same output as on
# Linux. GCC checks format(printf) attributes against msvcrt's printf here,
# which lacks %z: the Linux build checks the same strings.
# _FILE_OFFSET_BITS: a 64-bit off_t (lseek past 2 GiB), as on Linux
add_compile_definitions(_WIN32_WINNT=0x0A00 __USE_MINGW_ANSI_STDIO=1 _FILE_OFFSET_BITS=64)
add_compile_options(-Wno-format)
add_link_options(-static)
