# Unit tests: one program each (tests/unit/test_NAME.c), linked against the
# lowest library that holds what it tests.  zm_unit_test(NAME LIB... [ARGS ...])
function(zm_unit_test name)
  cmake_parse_arguments(U "" "" "ARGS" ${ARGN})
  add_executable(test_${name} ${CMAKE_SOURCE_DIR}/tests/unit/test_${name}.c)
  target_link_libraries(test_${name} ${U_UNPARSED_ARGUMENTS})
  add_test(NAME unit.${name} COMMAND test_${name} ${U_ARGS})
endfunction()

zm_unit_test(arena zmcore)
zm_unit_test(conf zmcore)
zm_unit_test(core zmcore)
zm_unit_test(router zmhttp)
# jobs: the salary text and the search terms
zm_unit_test(jobs zmjobs)
zm_unit_test(http zmhttp)
zm_unit_test(multipart zmhttp)
zm_unit_test(filetype zmservices)
target_compile_definitions(test_filetype PRIVATE ZM_TEST_FILES="${CMAKE_SOURCE_DIR}/tests/data/files")
# the multipart test parses hostile 10 MB bodies: a quadratic parser would hang, not fail
set_tests_properties(unit.multipart unit.filetype PROPERTIES TIMEOUT 120)
zm_unit_test(storage zmservices)
zm_unit_test(sigv4 zmservices ARGS ${CMAKE_SOURCE_DIR}/tests/data/aws-sigv4)
zm_unit_test(llm zmservices)
# the WeChat Pay client against the SDKs' vectors
zm_unit_test(wechatpay zmservices ARGS ${CMAKE_SOURCE_DIR}/tests/data/wechatpay)
zm_unit_test(extract zmservices ARGS ${CMAKE_SOURCE_DIR}/tests/data/extract)
set_tests_properties(unit.extract PROPERTIES ENVIRONMENT "ZM_EXTRACT_HELPER=$<TARGET_FILE:zhimai-extract>" TIMEOUT 120)
zm_unit_test(tasks_backoff zmtasks)
zm_unit_test(tasks_queue zmtasks)
zm_unit_test(live zmtasks)
zm_unit_test(messages zmmessages)
foreach(t password token mail email)
  zm_unit_test(${t} zmaccounts)
endforeach()
# args: the dictionaries, then the sample resumes and job descriptions
zm_unit_test(analysis zmanalyzer ARGS ${CMAKE_SOURCE_DIR}/fcgi/analysis/data ${CMAKE_SOURCE_DIR}/tests/data/analysis)
zm_unit_test(openai zmanalysis)
zm_unit_test(partners zmpartners)
# points: levels, packages, the FIFO of expiring lots
zm_unit_test(points zmpoints zmmodules)
# matching: features scored = the builtin match's score, the top K, the ETA words
zm_unit_test(matching zmmatching ARGS ${CMAKE_SOURCE_DIR}/fcgi/analysis/data ${CMAKE_SOURCE_DIR}/tests/data/analysis)
# payments: the QR code PNG (read back with libpng), its bounds, the order's JSON
zm_unit_test(payments zmpayments zmmodules)
# content: ISO 8601 times, news URLs, the feed parser's rules
zm_unit_test(content zmcontent)
# interview: the builtin interviewer (follow-ups, rubric scores, the model report check)
zm_unit_test(interview zminterview ARGS ${CMAKE_SOURCE_DIR}/fcgi/analysis/data)
# tickets: the work orders' state table
zm_unit_test(tickets zmtickets)
zm_unit_test(speech zmspeech zmmodules)

# tools the Python tests drive: the S3 client, SigV4, the LLM and OpenAI clients
foreach(t sigv4_tool storage_tool llm_tool)
  add_executable(${t} tests/unit/${t}.c)
  target_link_libraries(${t} zmservices)
endforeach()
# the WeChat Pay client against the local fake (tests/fakes/wechatpay), both key modes
add_executable(wechatpay_tool tests/unit/wechatpay_tool.c)
target_link_libraries(wechatpay_tool zmservices)
add_test(NAME unit.wechatpay_fake COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/unit/test_wechatpay_fake.py)
set_tests_properties(unit.wechatpay_fake PROPERTIES TIMEOUT 300 ENVIRONMENT "WECHATPAY_TOOL=$<TARGET_FILE:wechatpay_tool>")
add_executable(openai_tool tests/unit/openai_tool.c)
target_link_libraries(openai_tool zmanalysis)
add_test(NAME api.s3 COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_s3.py)
set_tests_properties(api.s3 PROPERTIES
  TIMEOUT 300
  ENVIRONMENT "SIGV4_TOOL=$<TARGET_FILE:sigv4_tool>;STORAGE_TOOL=$<TARGET_FILE:storage_tool>")
add_test(NAME api.openai COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_openai.py)
set_tests_properties(api.openai PROPERTIES
  ENVIRONMENT "OPENAI_TOOL=$<TARGET_FILE:openai_tool>;LLM_TOOL=$<TARGET_FILE:llm_tool>"
  TIMEOUT 120)

# not a test: analyses per second on a 2-page resume against a job description (./dev bench)
add_executable(analysis_bench tests/bench/analysis_bench.c)
target_link_libraries(analysis_bench zmanalyzer)
# not a test: one notification's verification + decryption, one request's signature (per-call p50/p99)
add_executable(wechatpay_bench tests/bench/wechatpay_bench.c)
target_link_libraries(wechatpay_bench zmservices)
# not a test: espeak-ng's real-time factor in process, zh and en, and the longest text (tests/bench/tts_bench.py)
add_executable(tts_rtf_bench tests/bench/tts_rtf_bench.c)
target_link_libraries(tts_rtf_bench zmspeech)
# not a test: the streaming trade-bill parser's time and max RSS at 10k, 100k, 400k rows (tests/bench/run.sh)
add_executable(bill_stream_bench tests/bench/bill_stream_bench.c)
target_link_libraries(bill_stream_bench zmservices)
# matching's scorer per core, and the synthetic candidates of tests/bench/matching_bench.py
add_executable(matching_bench tests/bench/matching_bench.c)
target_link_libraries(matching_bench zmmatching)

# zhimai-inspect's cron entry and systemd units (systemd-analyze verify where installed; 77 = skipped)
add_test(NAME unit.inspect_units COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/unit/test_inspect_units.py)
set_tests_properties(unit.inspect_units PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "ZM_INSPECT_BIN=$<TARGET_FILE:zhimai-inspect>")

# ./dev test builds into build-test/, not into a running stack's build (stub cmake and ctest)
add_test(NAME unit.dev COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/unit/test_dev.py)

# SMTP delivery against a real SMTP server on loopback (Debian's aiosmtpd)
add_executable(mail_send_tool tests/unit/mail_send_tool.c)
target_link_libraries(mail_send_tool zmservices)
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
# the queue against the stack's MariaDB; starts its own zhimai-worker master (pausing the stack's)
add_test(NAME api.tasks COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_tasks.py)
set_tests_properties(api.tasks PROPERTIES
  FIXTURES_REQUIRED stack
  SKIP_RETURN_CODE 77
  TIMEOUT 300
  ENVIRONMENT "ZM_VAR=${CMAKE_BINARY_DIR}/teststack;ZM_BUILD=${CMAKE_BINARY_DIR};ZM_WORKER_BIN=$<TARGET_FILE:zhimai-worker>")
zm_api_test(auth test_auth.py)
zm_api_test(resumes test_resumes.py)
# practice partners; restarts zhimai-fcgi once with partners.test_clock on (a clock the tests drive)
zm_api_test(partners test_partners.py)
zm_api_test(analysis test_analysis_api.py)
zm_api_test(events test_events.py)
# bad Unicode in JSON bodies; stops the stack's MariaDB with SIGSTOP for a while and resumes it
zm_api_test(robust test_robust.py)
# the edge: client addresses, hostile paths, logs, and a second nginx with TLS on (restarts zhimai-fcgi once)
zm_api_test(edge test_edge.py)
# every route from the route table: 401 without a token, 405 with Allow for a method it does not take
zm_api_test(routes test_routes.py)
# jobs, applications, search and the HR <-> seeker sync (issue 12)
zm_api_test(jobs test_jobs.py)
# a user's live channel (nchan): only the user may listen; application status changes arrive live
zm_api_test(live test_live.py)
# points, membership, packages, referral rewards (issue 15); restarts zhimai-fcgi and zhimai-worker once with prices
zm_api_test(points test_points.py)
# job <-> resume matching (issue 13)
zm_api_test(matching test_matching.py)
# WeChat Pay Native orders, QR, notifications (issue 15): restarts zhimai-fcgi and zhimai-worker against the
# local fake (tests/fakes/wechatpay), then restores them
zm_api_test(payments test_payments.py)
# the reconciliation inspector (issue 16): zhimai-inspect against the local fake, each anomaly on purpose, repair,
# the lock, bad bills; the admin API and the on-demand task.  Restarts zhimai-fcgi and zhimai-worker, then restores them
zm_api_test(inspect test_inspect.py)
# classic questions, workplace news and its feed import, calendar events and gold members' reminders (issue 17)
zm_api_test(content test_content.py)
# the message center (issue 17): to a user, a role, everyone; read state; live hints on the multiplexed channel
zm_api_test(messages test_messages.py)
# statistics (issue 17 items 4, 6): admin overview and trends, monthly-stats, the heartbeat, rollups = brute force
zm_api_test(stats test_stats.py)
# feedback (意见收集) and work orders (工单), issue 17 items 2 and 3
zm_api_test(tickets test_tickets.py)
# speech (issue 18 item 3): espeak-ng TTS measured by sox, the cache; then restarts zhimai-fcgi and zhimai-worker
# against tests/api/fake_speech.py (remote TTS, its failures; ASR sessions, live partials), then restores them
zm_api_test(speech test_speech.py)
zm_api_test(interview test_interview.py)
# restarts zhimai-fcgi and zhimai-worker against a fake OpenAI-compatible server, then restores them
zm_api_test(llm_remote test_llm_remote.py)
# matching's re-ranking of the top K through a fake remote model (valid, garbage, timeouts); restarts
# zhimai-fcgi and zhimai-worker with the model and matching.rerank_top_k, then restores them
zm_api_test(matching_rerank test_matching_rerank.py)

# The SPA in real Chromium (playwright-core), against the same stack
add_test(NAME browser.journey COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh)
set_tests_properties(browser.journey PROPERTIES FIXTURES_REQUIRED stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 300)
# Issue 15's "done when": recharge 60 yuan on /upgrade, the fake pays, 支付成功 live, 白银 and +120 points;
# restarts zhimai-fcgi with ZM_WECHATPAY_FAKE=1 (the local fake), then restores it
add_test(NAME browser.payment COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh payment.test.mjs)
set_tests_properties(browser.payment PROPERTIES FIXTURES_REQUIRED stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 300)
# 意见反馈 and 工单 with an admin: adopt, answer, the live thread (issue 17 items 2, 3)
add_test(NAME browser.tickets COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh tickets.test.mjs)
set_tests_properties(browser.tickets PROPERTIES FIXTURES_REQUIRED stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 300)
# 模拟面试 typed through nginx and nchan (streamed turns, a follow-up, a reload, the report), 模拟面试 /
# 会议助手 at phone width, a meeting, and the microphone through the server's ASR (issue 18 item 7);
# restarts zhimai-fcgi and zhimai-worker against tests/api/fake_speech.py, then restores them
add_test(NAME browser.mockinterview COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh mockinterview.test.mjs)
set_tests_properties(browser.mockinterview PROPERTIES FIXTURES_REQUIRED stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 300)
# Issue 18 item 3: espeak-ng's streamed WAV (sizes unknown) and the cached one both play to their end in <audio>
add_test(NAME browser.speech COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh speech.test.mjs)
set_tests_properties(browser.speech PROPERTIES FIXTURES_REQUIRED stack ENVIRONMENT "${ZM_STACK_ENV}" TIMEOUT 300)

include(${CMAKE_CURRENT_LIST_DIR}/fuzz/fuzz.cmake)

# unit tests and tools that load the configuration register every module's keys (fcgi/bin/modules.c)
foreach(t test_storage storage_tool test_extract test_openai test_tasks_queue test_live)
  target_link_libraries(${t} zmmodules)
endforeach()

# style: every C file as clang-format (the repo's .clang-format) writes it
add_test(NAME style.format COMMAND ${CMAKE_SOURCE_DIR}/tests/style/format.sh)
# no include points up a layer, core stays free of json-c and MariaDB, domains speak HTTP only in api.c
add_test(NAME style.layers COMMAND ${CMAKE_SOURCE_DIR}/tests/style/layers.sh)
# style: pyflakes over every Python file (tests, fakes, benches): a bench is run rarely, its undefined
# name shows here first
add_test(NAME style.python COMMAND ${CMAKE_SOURCE_DIR}/tests/style/python.sh)

# every test is labelled by the word before its dot (unit, api, fuzz, browser, style, stack):
# ./dev test -L unit runs the unit tests alone
get_property(zm_all_tests DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY TESTS)
foreach(t ${zm_all_tests})
  string(REGEX MATCH "^[a-z]+" zm_kind ${t})
  set_property(TEST ${t} APPEND PROPERTY LABELS ${zm_kind})
endforeach()
