# Fuzz targets: one per parser of untrusted input (tests/fuzz/README.md).
#
# zm_fuzz_target(NAME LIB...) builds tests/fuzz/fuzz_NAME.c twice:
#   fuzz_NAME_driver  with the normal compiler and tests/fuzz/driver.c, run by
#                     ctest as fuzz.NAME over the committed corpus/NAME: every
#                     input ever found stays a regression test;
#   fuzz_NAME         (-DZM_FUZZ=ON, clang) a libFuzzer binary; `./dev fuzz`
#                     runs each for a while.  The whole tree is then compiled
#                     with coverage instrumentation (CMakeLists.txt).
function(zm_fuzz_target name)
  set(src ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_${name}.c)
  add_executable(fuzz_${name}_driver ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/driver.c)
  target_link_libraries(fuzz_${name}_driver ${ARGN})
  target_compile_definitions(fuzz_${name}_driver PRIVATE ZM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME fuzz.${name} COMMAND fuzz_${name}_driver ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
  set_tests_properties(fuzz.${name} PROPERTIES TIMEOUT 120)
  if(ZM_FUZZ)
    add_executable(fuzz_${name} ${src})
    target_link_libraries(fuzz_${name} ${ARGN})
    target_compile_definitions(fuzz_${name} PRIVATE ZM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()

zm_fuzz_target(multipart zmhttp zmservices)
zm_fuzz_target(filetype zmservices)
zm_fuzz_target(json_body zmhttp)
zm_fuzz_target(router zmhttp)
zm_fuzz_target(query zmhttp)
zm_fuzz_target(content_disposition zmhttp)
zm_fuzz_target(jwt zmaccounts)
zm_fuzz_target(mail_header zmservices)
zm_fuzz_target(s3_error zmservices)
zm_fuzz_target(document zmanalyzer)
zm_fuzz_target(sse zmservices)
zm_fuzz_target(retry_after zmservices)
zm_fuzz_target(llm_answer zmanalysis)
zm_fuzz_target(job_text zmjobs)
zm_fuzz_target(partner_profile zmpartners)
zm_fuzz_target(news_feed zmcontent)
zm_fuzz_target(interview_report zminterview)
zm_fuzz_target(wechatpay_notify zmservices)
zm_fuzz_target(wechatpay_bill zmservices)
zm_fuzz_target(asr_answer zmspeech)
