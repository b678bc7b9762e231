# Standalone replay binaries (no fuzzing engine, any compiler) for every fuzz
# target, registered with ctest: each replays corpus/<target>/ and
# corpus/<target>/regressions/. Included from tests/CMakeLists.txt with
#   include(${CMAKE_SOURCE_DIR}/fuzz/replay.cmake)
# so it is built in the normal build whatever WSSPEC_BUILD_FUZZERS says.
include(${CMAKE_SOURCE_DIR}/fuzz/targets.cmake)
include(${CMAKE_SOURCE_DIR}/fuzz/targets_pmd.cmake)

foreach(t ${WSSPEC_FUZZ_TARGETS})
  add_executable(replay_${t} ${CMAKE_SOURCE_DIR}/fuzz/${t}.c ${CMAKE_SOURCE_DIR}/fuzz/main_replay.c)
  target_include_directories(replay_${t} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/fuzz)
  target_link_libraries(replay_${t} PRIVATE wsspec_app)
  set_target_properties(replay_${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz-replay)
  add_test(NAME fuzz.replay.${t}
           COMMAND replay_${t} ${CMAKE_SOURCE_DIR}/corpus/${t} ${CMAKE_SOURCE_DIR}/corpus/${t}/regressions)
  set_tests_properties(fuzz.replay.${t} PROPERTIES TIMEOUT 120 LABELS fuzz)
endforeach()

if(TARGET replay_wslay_diff)
  target_include_directories(replay_wslay_diff PRIVATE ${WSSPEC_WSLAY_INCLUDE_DIR})
  target_link_libraries(replay_wslay_diff PRIVATE ${WSSPEC_WSLAY_LIBRARY})
endif()

# tests/e2e/fuzz_smoke.sh exits 77 when clang is missing: that is a skip. It
# builds its own libFuzzer tree, replays every corpus and fuzzes each target
# for 20 s (two at a time), plus AFL++ for 10 s: about 4-5 minutes.
if(TEST e2e.fuzz_smoke)
  set_tests_properties(e2e.fuzz_smoke PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
endif()
