# File storage (fcgi/services/storage.c): the local and S3 backends, and
# their tests.  Included from the top-level CMakeLists.txt after zmcore and
# zmauth:  include(fcgi/services/storage.cmake)

add_library(zmstorage STATIC fcgi/services/storage.c)
target_link_libraries(zmstorage PUBLIC zmcore PkgConfig::CURL PkgConfig::CRYPTO)

# unit tests: no network
add_executable(test_storage tests/unit/test_storage.c)
target_link_libraries(test_storage zmstorage)
add_test(NAME unit.storage COMMAND test_storage)

# SigV4 query signing against the AWS test suite's vectors (copied under tests/data)
add_executable(test_sigv4 tests/unit/test_sigv4.c)
target_link_libraries(test_sigv4 zmstorage)
add_test(NAME unit.sigv4 COMMAND test_sigv4 ${CMAKE_SOURCE_DIR}/tests/data/aws-sigv4)

# the C halves of tests/api/test_s3.py
add_executable(sigv4_tool tests/unit/sigv4_tool.c)
target_link_libraries(sigv4_tool zmstorage)
add_executable(storage_tool tests/unit/storage_tool.c)
target_link_libraries(storage_tool zmstorage)

# botocore cross-checks of query and header signing, and end to end against
# s3rver on loopback.  Needs Debian's python3-botocore and nodejs + npm, and
# s3rver installed by tests/api/s3/install.sh (./dev install runs it).
add_test(NAME api.s3 COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_s3.py)
set_tests_properties(api.s3 PROPERTIES
  TIMEOUT 300
  ENVIRONMENT "SIGV4_TOOL=$<TARGET_FILE:sigv4_tool>;STORAGE_TOOL=$<TARGET_FILE:storage_tool>")
