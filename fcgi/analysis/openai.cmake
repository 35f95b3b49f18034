# The "openai" analysis provider (fcgi/analysis/openai.c): any
# OpenAI-compatible chat-completions endpoint through libcurl, and its tests.
# Included from the top-level CMakeLists.txt after zmcore is defined:
#   include(fcgi/analysis/openai.cmake)

add_library(zmopenai STATIC fcgi/analysis/openai.c)
target_include_directories(zmopenai PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/fcgi/analysis)
# m: floor() and isfinite() in the schema validator
target_link_libraries(zmopenai PUBLIC zmcore PkgConfig::JSONC PkgConfig::CURL m)

# schema validator, fence stripping, UTF-8 truncation: no network
add_executable(test_openai tests/unit/test_openai.c)
target_link_libraries(test_openai zmopenai)
add_test(NAME unit.openai COMMAND test_openai)

# the C half of tests/api/test_openai.py; also usable against a real endpoint
add_executable(openai_tool tests/unit/openai_tool.c)
target_link_libraries(openai_tool zmopenai)

# Against tests/api/fake_llm.py, which the test starts on a free loopback
# port: no database, no stack fixture, no internet.
add_test(NAME api.openai COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_openai.py)
set_tests_properties(api.openai PROPERTIES
  ENVIRONMENT "OPENAI_TOOL=$<TARGET_FILE:openai_tool>"
  TIMEOUT 120)
