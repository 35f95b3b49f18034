# The task queue (fcgi/tasks/), its runner zhimai-worker, and their tests.
# Included from the top-level CMakeLists.txt.  zhimai-fcgi links zmtasks to enqueue.

find_package(Threads REQUIRED)

add_library(zmtasks STATIC
  fcgi/tasks/queue.c
  fcgi/tasks/registry.c
  fcgi/tasks/handlers_builtin.c
  fcgi/tasks/runner.c
)
target_link_libraries(zmtasks PUBLIC zmcore Threads::Threads)

add_executable(zhimai-worker fcgi/bin/zhimai_worker.c)
target_link_libraries(zhimai-worker zmtasks)

# unit tests: no database needed
foreach(t tasks_backoff tasks_queue)
  add_executable(test_${t} tests/unit/test_${t}.c)
  target_link_libraries(test_${t} zmtasks)
  add_test(NAME unit.${t} COMMAND test_${t})
endforeach()

# Integration test against a live MariaDB: it starts its own zhimai-worker
# master.  It takes its configuration from the environment (see the test's
# docstring): ZM_WORKER_CONF + ZM_DB_CLI, or ZM_STACK_ENV (the stack.env file
# ./dev writes).  Without them it exits 77 and ctest reports it skipped.
add_test(NAME api.tasks COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/api/test_tasks.py)
set_tests_properties(api.tasks PROPERTIES
  FIXTURES_REQUIRED stack
  SKIP_RETURN_CODE 77
  TIMEOUT 300
  ENVIRONMENT "ZM_WORKER_BIN=$<TARGET_FILE:zhimai-worker>;ZM_STACK_ENV=${CMAKE_BINARY_DIR}/teststack/stack.env")
