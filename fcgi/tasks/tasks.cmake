# The task queue (fcgi/tasks/), its runner zhimai-worker, and their tests.
# Included from the top-level CMakeLists.txt.  zhimai-fcgi links zmtasks to enqueue.

find_package(Threads REQUIRED)

# the queue itself: what any program needs to enqueue
add_library(zmtasks STATIC fcgi/tasks/queue.c)
target_link_libraries(zmtasks PUBLIC zmcore)

# the runner and every handler: zhimai-worker only (handlers pull in their domains)
add_library(zmrunner STATIC
  fcgi/tasks/registry.c
  fcgi/tasks/handlers_builtin.c
  fcgi/tasks/runner.c
  fcgi/tasks/events.c
  fcgi/services/mail_task.c
  fcgi/resumes/resume_tasks.c
  fcgi/analysis/review_tasks.c
)
target_link_libraries(zmrunner PUBLIC zmtasks zmauth zmresumes zmextract zmreview Threads::Threads)

# unit tests: no database needed
foreach(t tasks_backoff tasks_queue)
  add_executable(test_${t} tests/unit/test_${t}.c)
  target_link_libraries(test_${t} zmrunner)
  add_test(NAME unit.${t} COMMAND test_${t})
endforeach()

# Integration test against a live MariaDB; it starts its own zhimai-worker
# master (pausing the stack's while it runs).  It finds the stack the way the
# other api tests do (ZM_VAR, ZM_BUILD from tests/tests.cmake's fixture), or
# standalone from ZM_WORKER_BIN, ZM_WORKER_CONF, ZM_DB_CLI (see its
# docstring).  Without either it exits 77: ctest reports it skipped.
add_test(NAME api.tasks COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_tasks.py)
set_tests_properties(api.tasks PROPERTIES
  FIXTURES_REQUIRED stack
  SKIP_RETURN_CODE 77
  TIMEOUT 300
  ENVIRONMENT "ZM_VAR=${CMAKE_BINARY_DIR}/teststack;ZM_BUILD=${CMAKE_BINARY_DIR};ZM_WORKER_BIN=$<TARGET_FILE:zhimai-worker>")
