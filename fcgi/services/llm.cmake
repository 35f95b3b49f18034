# The chat client for OpenAI-compatible models (fcgi/services/llm.c) and
# the JSON-schema validator their answers are checked with
# (fcgi/services/jsonschema.c), with their tests.  Included from
# fcgi/analysis/openai.cmake, the first user, once zmcore exists.

add_library(zmjsonschema STATIC fcgi/services/jsonschema.c)
# m: floor() and isfinite()
target_link_libraries(zmjsonschema PUBLIC zmcore PkgConfig::JSONC m)

add_library(zmllm STATIC fcgi/services/llm.c)
target_link_libraries(zmllm PUBLIC zmcore PkgConfig::JSONC PkgConfig::CURL m)

# SSE parsing, Retry-After, UTF-8 clipping, argument checks: no network
add_executable(test_llm tests/unit/test_llm.c)
target_link_libraries(test_llm zmllm)
add_test(NAME unit.llm COMMAND test_llm)

# one chat or stream from the command line: the C half of the streaming
# cases in tests/api/test_openai.py, also usable against a real endpoint
add_executable(llm_tool tests/unit/llm_tool.c)
target_link_libraries(llm_tool zmllm)
