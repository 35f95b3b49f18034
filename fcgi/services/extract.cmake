# Text extraction: fcgi/services/extract.c (zmextract, linked by whoever runs
# extraction tasks) and the program it execs to parse, zhimai-extract.
# Included from the top-level CMakeLists.txt.
#
# zmextract itself links no parser: poppler, glib, libzip and libxml2 are
# loaded only by zhimai-extract, in a process with resource limits (see
# extract.c for why it is a separate program and not a plain fork).
# extract.c finds the helper next to the running program, so zhimai-extract
# must be installed beside zhimai-worker (or named by $ZM_EXTRACT_HELPER).

get_filename_component(ZM_EXTRACT_ROOT "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

pkg_check_modules(POPPLER_GLIB REQUIRED IMPORTED_TARGET poppler-glib)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)

add_executable(zhimai-extract ${ZM_EXTRACT_ROOT}/fcgi/bin/zhimai_extract.c)
target_link_libraries(zhimai-extract PkgConfig::POPPLER_GLIB PkgConfig::LIBZIP PkgConfig::LIBXML2)

add_library(zmextract STATIC ${ZM_EXTRACT_ROOT}/fcgi/services/extract.c)
target_link_libraries(zmextract PUBLIC zmcore)
# a program linking zmextract is useless without the helper: build it too
add_dependencies(zmextract zhimai-extract)

# fixtures: tests/data/extract (see its README); the hostile-file cases take
# a few seconds each by design
add_executable(test_extract ${ZM_EXTRACT_ROOT}/tests/unit/test_extract.c)
target_link_libraries(test_extract zmextract)
add_test(NAME unit.extract COMMAND test_extract ${ZM_EXTRACT_ROOT}/tests/data/extract)
set_tests_properties(unit.extract PROPERTIES
  ENVIRONMENT "ZM_EXTRACT_HELPER=$<TARGET_FILE:zhimai-extract>"
  TIMEOUT 120)
