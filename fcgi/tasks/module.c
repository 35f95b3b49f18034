/*
 * module.c -- the task queue's module: its configuration, a user's view of
 * their tasks (GET /api/v1/tasks/{id}, the live events' authorizers: a task's
 * channel and a user's), its own task types (maintenance.purge, mail.send, the
 * test suite's test.*),
 * the hourly purge, the finished tasks it purges, and the queue's gauges
 * in /metrics.
 */
#include "conf.h"
#include "mail_send.h"
#include "queue.h"
#include "registry.h"
#include "tasks_api.h"

static const zm_conf_key_t tasks_keys[] = {
    ZM_CONF_I("tasks.processes", "2", 1, 64LL, "# Task runner processes zhimai-worker forks."),
    ZM_CONF_S("tasks.pid_file", "var/run/zhimai-worker.pid", "# Pid file of the zhimai-worker master."),
    ZM_CONF_S("tasks.wake_addr", "127.0.0.1:7071",
              "# UDP address task runners listen on for wake-ups after an enqueue (empty: poll only)."),
    ZM_CONF_I("tasks.poll_ms", "500", 10, 60000LL, "# Milliseconds between polls of the queue when no wake-up comes."),
    ZM_CONF_I("tasks.lease_s", "30", 1, 86400LL, "# Seconds a claimed task is leased; renewed while it runs."),
    ZM_CONF_I("tasks.max_attempts", "5", 1, 100LL,
              "# Attempts before a task is marked failed (per task override on enqueue)."),
    ZM_CONF_I("tasks.backoff_s", "2", 0, 86400LL, "# First retry delay in seconds; doubles each attempt."),
    ZM_CONF_I("tasks.backoff_max_s", "600", 0, 604800LL, "# Longest retry delay in seconds."),
    ZM_CONF_I("tasks.graceful_timeout", "300", 0, 86400LL,
              "# Seconds a running task gets to finish when zhimai-worker stops or reloads."),
    ZM_CONF_I("tasks.purge_after_days", "14", 0, 36500LL,
              "# Finished tasks older than this are purged by the maintenance task."),
    ZM_CONF_B("tasks.test_handlers", "0", "# 1 registers test.* task types (sleep, fail) used by the test suite only."),
};

static const zm_route_t tasks_routes[] = {
    {"GET", "/api/v1/tasks/{id}", tasks_api_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/events/auth/{taskId}", tasks_api_events_auth, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/events/auth/users/{userId}", tasks_api_user_events_auth, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/events/auth/users/{userId}/{role}", tasks_api_user_role_events_auth, ZM_AUTH_USER, NULL,
     ZM_BODY_ANY},
};

static const task_type_t tasks_types[] = {
    {"maintenance.purge", task_maintenance_purge, 0},
    {"mail.send", mail_send_task, 0},
    /* the test suite's types: only with tasks.test_handlers = 1 */
    {"test.sleep", task_test_sleep, 1},
    {"test.fail", task_test_fail, 1},
    {"test.echo", task_test_echo, 1},
};

static const task_schedule_t tasks_schedules[] = {
    {"maintenance.purge", 3600, TASK_PRIO_LOW},
};

static const task_purge_t tasks_purges[] = {
    {"tasks",
     "DELETE FROM zm_task WHERE state IN ('done', 'failed')"
     " AND finished_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY id LIMIT ?",
     "tasks.purge_after_days"},
};

const zm_module_t zm_tasks_module = {
    .name = "tasks",
    .conf = tasks_keys,
    .nconf = ZM_ARRAY_LEN(tasks_keys),
    .routes = tasks_routes,
    .nroutes = ZM_ARRAY_LEN(tasks_routes),
    .tasks = tasks_types,
    .ntasks = ZM_ARRAY_LEN(tasks_types),
    .schedules = tasks_schedules,
    .nschedules = ZM_ARRAY_LEN(tasks_schedules),
    .purges = tasks_purges,
    .npurges = ZM_ARRAY_LEN(tasks_purges),
    .metrics = task_metrics,
};
