# The analysis providers (fcgi/analysis/provider.c: the builtin one and the
# "openai" one of fcgi/analysis/openai.c, any OpenAI-compatible model through
# the chat client in fcgi/services/llm.c), and their tests.
# Included from the top-level CMakeLists.txt after zmcore and zmanalysis:
#   include(fcgi/analysis/openai.cmake)

include(${CMAKE_CURRENT_LIST_DIR}/../services/llm.cmake)

add_library(zmopenai STATIC fcgi/analysis/openai.c fcgi/analysis/provider.c)
target_include_directories(zmopenai PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/fcgi/analysis)
target_link_libraries(zmopenai PUBLIC zmllm zmjsonschema zmanalysis)

# schema validator, fence stripping, the judge, the provider choice: no network
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
  ENVIRONMENT "OPENAI_TOOL=$<TARGET_FILE:openai_tool>;LLM_TOOL=$<TARGET_FILE:llm_tool>"
  TIMEOUT 120)
