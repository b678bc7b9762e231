# The permessage-deflate fuzz targets (fuzz/extensions.c, fuzz/inflate.c):
# appended to the lists of fuzz/targets.cmake. Included after it by
# fuzz/CMakeLists.txt (libFuzzer) and fuzz/replay.cmake (standalone replay).
# They need zlib: fuzz/CMakeLists.txt links them with ZLIB::ZLIB (found by the
# top-level CMakeLists.txt); the replay binaries get it through wsspec_app.
set(WSSPEC_FUZZ_PMD_TARGETS extensions inflate)
list(APPEND WSSPEC_FUZZ_TARGETS ${WSSPEC_FUZZ_PMD_TARGETS})
list(APPEND WSSPEC_FUZZ_CORE_SOURCES ${CMAKE_SOURCE_DIR}/src/core/extensions.c
     ${CMAKE_SOURCE_DIR}/src/core/deflate.c)
list(REMOVE_DUPLICATES WSSPEC_FUZZ_TARGETS)
list(REMOVE_DUPLICATES WSSPEC_FUZZ_CORE_SOURCES)
