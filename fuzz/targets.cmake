# The fuzz targets: one fuzz/<target>.c each, with fuzz/<target>.dict,
# fuzz/<target>.options and corpus/<target>/ (+ regressions/).
# Shared by fuzz/CMakeLists.txt (libFuzzer) and fuzz/replay.cmake (standalone).
set(WSSPEC_FUZZ_TARGETS frame frame_roundtrip utf8 http_request http_response close url spec)
# wslay_diff needs libwslay (Debian: libwslay-dev, which ships no .pc file).
find_path(WSSPEC_WSLAY_INCLUDE_DIR wslay/wslay.h)
find_library(WSSPEC_WSLAY_LIBRARY wslay)
if(WSSPEC_WSLAY_INCLUDE_DIR AND WSSPEC_WSLAY_LIBRARY)
  list(APPEND WSSPEC_FUZZ_TARGETS wslay_diff)
else()
  message(STATUS "libwslay not found: the wslay_diff fuzz target is not built")
endif()

# Protocol sources the targets exercise (compiled directly into the libFuzzer
# targets so that they carry the coverage instrumentation).
set(WSSPEC_FUZZ_CORE_SOURCES
    ${CMAKE_SOURCE_DIR}/src/core/close.c ${CMAKE_SOURCE_DIR}/src/core/error.c
    ${CMAKE_SOURCE_DIR}/src/core/frame.c ${CMAKE_SOURCE_DIR}/src/core/handshake.c
    ${CMAKE_SOURCE_DIR}/src/core/mutator.c ${CMAKE_SOURCE_DIR}/src/core/utf8.c
    ${CMAKE_SOURCE_DIR}/src/net/url.c
    ${CMAKE_SOURCE_DIR}/src/util/json.c ${CMAKE_SOURCE_DIR}/src/util/jsonw.c
    ${CMAKE_SOURCE_DIR}/src/driver/spec.c ${CMAKE_SOURCE_DIR}/src/driver/pattern.c)
