# Unit tests: one program each, linked against the core.
foreach(t arena router http conf)
  add_executable(test_${t} tests/unit/test_${t}.c)
  target_link_libraries(test_${t} zmcore)
  add_test(NAME unit.${t} COMMAND test_${t})
endforeach()
foreach(t password token mail email)
  add_executable(test_${t} tests/unit/test_${t}.c)
  target_link_libraries(test_${t} zmauth)
  add_test(NAME unit.${t} COMMAND test_${t})
endforeach()

# ./dev test builds into build-test/, not into a running stack's build (stub cmake and ctest)
add_test(NAME unit.dev COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/unit/test_dev.py)

# SMTP delivery against a real SMTP server on loopback (Debian's aiosmtpd)
add_executable(mail_send_tool tests/unit/mail_send_tool.c)
target_link_libraries(mail_send_tool zmauth)
add_test(NAME api.smtp COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_smtp.py)
set_tests_properties(api.smtp PROPERTIES ENVIRONMENT "MAIL_SEND_TOOL=$<TARGET_FILE:mail_send_tool>" TIMEOUT 120)

# Integration tests run against a throwaway stack (MariaDB, zhimai-fcgi,
# zhimai-worker, nginx) in the build directory, on free ports.
set(ZM_STACK_ENV
  "ZM_VAR=${CMAKE_BINARY_DIR}/teststack"
  "ZM_BUILD=${CMAKE_BINARY_DIR}"
  "ZM_PORT=auto"
  "ZM_TEST_STACK=1"
  "ZM_NO_INSTALL=1"
  "ZM_NO_BUILD=1")
add_test(NAME stack.up COMMAND ${CMAKE_SOURCE_DIR}/dev up)
set_tests_properties(stack.up PROPERTIES FIXTURES_SETUP stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 180)
add_test(NAME stack.down COMMAND ${CMAKE_SOURCE_DIR}/dev down)
set_tests_properties(stack.down PROPERTIES FIXTURES_CLEANUP stack ENVIRONMENT "${ZM_STACK_ENV}")

# zm_api_test(name file.py): one integration test file under tests/api
function(zm_api_test name file)
  add_test(NAME api.${name} COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/${file})
  set_tests_properties(api.${name} PROPERTIES FIXTURES_REQUIRED stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 300)
endfunction()

zm_api_test(core test_core.py)
zm_api_test(auth test_auth.py)
zm_api_test(resumes test_resumes.py)
zm_api_test(analysis test_analysis_api.py)
zm_api_test(events test_events.py)
# bad Unicode in JSON bodies; stops the stack's MariaDB with SIGSTOP for a while and resumes it
zm_api_test(robust test_robust.py)
# the edge: client addresses, hostile paths, logs, and a second nginx with TLS on (restarts zhimai-fcgi once)
zm_api_test(edge test_edge.py)
# every route from the route table: 401 without a token, 405 with Allow for a method it does not take
zm_api_test(routes test_routes.py)
# restarts zhimai-fcgi and zhimai-worker against a fake OpenAI-compatible server, then restores them
zm_api_test(llm_remote test_llm_remote.py)

# The SPA in real Chromium (playwright-core), against the same stack
add_test(NAME browser.journey COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh)
set_tests_properties(browser.journey PROPERTIES FIXTURES_REQUIRED stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 300)

include(${CMAKE_CURRENT_LIST_DIR}/fuzz/fuzz.cmake)

# unit tests and tools that load the configuration register every module's keys (fcgi/bin/modules.c)
foreach(t test_storage storage_tool test_extract test_openai test_tasks_queue)
  target_link_libraries(${t} zmmodules)
endforeach()

# style: every C file as clang-format (the repo's .clang-format) writes it
add_test(NAME style.format COMMAND ${CMAKE_SOURCE_DIR}/tests/style/format.sh)

# every test is labelled by the word before its dot (unit, api, fuzz, browser, style, stack):
# ./dev test -L unit runs the unit tests alone
get_property(zm_all_tests DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY TESTS)
foreach(t ${zm_all_tests})
  string(REGEX MATCH "^[a-z]+" zm_kind ${t})
  set_property(TEST ${t} APPEND PROPERTY LABELS ${zm_kind})
endforeach()
