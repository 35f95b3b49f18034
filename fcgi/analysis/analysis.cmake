# The builtin analyzer (dictionary, document, similarity, bullets, match,
# diagnose, questions .c under fcgi/analysis): skills dictionary and
# question bank under fcgi/analysis/data/, its unit test and benchmark.
# Included from the top-level CMakeLists.txt after zmcore is defined:
#   include(fcgi/analysis/analysis.cmake)

add_library(zmanalysis STATIC
  fcgi/analysis/dictionary.c
  fcgi/analysis/document.c
  fcgi/analysis/similarity.c
  fcgi/analysis/bullets.c
  fcgi/analysis/match.c
  fcgi/analysis/diagnose.c
  fcgi/analysis/questions.c
)
target_include_directories(zmanalysis PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/fcgi/analysis)
# m: floor(), log() in the scores
target_link_libraries(zmanalysis PUBLIC zmcore m)

# args: the dictionaries, then the sample resumes and job descriptions
add_executable(test_analysis tests/unit/test_analysis.c)
target_link_libraries(test_analysis zmanalysis)
add_test(NAME unit.analysis COMMAND test_analysis ${CMAKE_SOURCE_DIR}/fcgi/analysis/data ${CMAKE_SOURCE_DIR}/tests/data/analysis)

# not a test: analyses per second on a 2-page resume against a job description
add_executable(analysis_bench tests/bench/analysis_bench.c)
target_link_libraries(analysis_bench zmanalysis)
