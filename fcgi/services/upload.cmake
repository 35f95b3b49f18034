# Uploads: the multipart/form-data parser (fcgi/core/multipart.c), file
# types decided by content and safe file names (fcgi/services/filetype.c),
# their unit tests and their fuzz targets.
# Included from the top-level CMakeLists.txt once zmcore exists.
#
# Fuzzing:
#   fuzz.multipart / fuzz.filetype (always): the libFuzzer entry points run
#     over the committed corpus by a plain driver (tests/fuzz/driver.c), built
#     with the normal compiler -- a regression test on any machine.
#   -DZM_FUZZ=ON (clang only): also real libFuzzer binaries fuzz_multipart and
#     fuzz_filetype, built with -fsanitize=fuzzer,address,undefined.  See
#     tests/fuzz/README.md for how to run them.

get_filename_component(ZM_UPLOAD_ROOT "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(ZM_UPLOAD_SRC
  ${ZM_UPLOAD_ROOT}/fcgi/core/multipart.c
  ${ZM_UPLOAD_ROOT}/fcgi/services/filetype.c
)

add_library(zmupload STATIC ${ZM_UPLOAD_SRC})
target_link_libraries(zmupload PUBLIC zmcore)

# unit tests: no database needed
foreach(t multipart filetype)
  add_executable(test_${t} ${ZM_UPLOAD_ROOT}/tests/unit/test_${t}.c)
  target_link_libraries(test_${t} zmupload)
  add_test(NAME unit.${t} COMMAND test_${t})
  # the multipart test parses hostile 10 MB bodies: a quadratic parser would hang, not fail
  set_tests_properties(unit.${t} PROPERTIES TIMEOUT 120)
endforeach()
target_compile_definitions(test_filetype PRIVATE ZM_TEST_FILES="${ZM_UPLOAD_ROOT}/tests/data/files")

# the fuzz targets' entry points over the committed corpus
foreach(t multipart filetype)
  add_executable(fuzz_${t}_driver ${ZM_UPLOAD_ROOT}/tests/fuzz/fuzz_${t}.c ${ZM_UPLOAD_ROOT}/tests/fuzz/driver.c)
  target_link_libraries(fuzz_${t}_driver zmupload)
  add_test(NAME fuzz.${t} COMMAND fuzz_${t}_driver ${ZM_UPLOAD_ROOT}/tests/fuzz/corpus/${t})
  set_tests_properties(fuzz.${t} PROPERTIES TIMEOUT 120)
endforeach()

option(ZM_FUZZ "Build libFuzzer binaries for the upload parsers (clang only)" OFF)
if(ZM_FUZZ)
  include(CheckCSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer")
  set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer")
  check_c_source_compiles("
    #include <stddef.h>
    #include <stdint.h>
    int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }"
    ZM_HAVE_LIBFUZZER)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang" OR NOT ZM_HAVE_LIBFUZZER)
    message(FATAL_ERROR "ZM_FUZZ=ON needs clang with libFuzzer (Debian: apt-get install clang libclang-rt-dev; "
                        "configure with -DCMAKE_C_COMPILER=clang)")
  endif()
  # The parsers are compiled into each fuzzer with coverage instrumentation;
  # zmcore (arena, zm_utf8_valid) is linked as it is.
  set(ZM_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  foreach(t multipart filetype)
    add_executable(fuzz_${t} ${ZM_UPLOAD_ROOT}/tests/fuzz/fuzz_${t}.c ${ZM_UPLOAD_SRC})
    target_compile_options(fuzz_${t} PRIVATE ${ZM_FUZZ_FLAGS})
    target_link_options(fuzz_${t} PRIVATE ${ZM_FUZZ_FLAGS})
    target_link_libraries(fuzz_${t} zmcore)
  endforeach()
endif()
