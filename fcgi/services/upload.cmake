# Uploads: the multipart/form-data parser (fcgi/core/multipart.c), file
# types decided by content and safe file names (fcgi/services/filetype.c),
# and their unit tests (their fuzz targets: tests/fuzz/fuzz.cmake).
# Included from the top-level CMakeLists.txt once zmcore exists.

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
