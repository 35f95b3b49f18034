/*
 * zhimai-worker -- runs the task queue (fcgi/tasks/), and a small operator tool for it.
 *
 *   zhimai-worker [-c CONFIG]
 *       run: a master (pid file tasks.pid_file) keeping tasks.processes
 *       runners; SIGTERM stops after the running tasks finish, SIGHUP
 *       reloads the configuration and replaces the runners the same way,
 *       SIGUSR1 reopens the logs.
 *
 *   zhimai-worker [-c CONFIG] enqueue TYPE PAYLOAD_JSON [--priority high|normal|low|0|1|2]
 *                 [--max-attempts N] [--dedupe KEY] [--delay SECONDS] [--user ID]
 *       enqueue one task (priority normal unless told), wake the runners and
 *       print its id; with --dedupe an existing task's id when the key is
 *       taken.  Exit 0, 1 on failure, 2 on bad usage.
 *
 *   zhimai-worker [-c CONFIG] get ID
 *       print the task as JSON (payload, result and error as JSON values).
 *       Exit 0, 1 when there is no such task or on failure.
 *
 *   zhimai-worker [-c CONFIG] --get KEY
 *       print the configuration value of KEY as this program sees it
 *       (file plus ZM_* environment); an unknown KEY aborts.
 *
 * The tool commands write diagnostics to stderr, never to log.file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "analysis.h"
#include "mail.h"
#include "openai.h"
#include "queue.h"
#include "runner.h"

static void usage(void)
{
    fprintf(stderr, "usage: zhimai-worker [-c CONFIG]\n"
                    "       zhimai-worker [-c CONFIG] enqueue TYPE PAYLOAD_JSON [--priority high|normal|low]\n"
                    "                     [--max-attempts N] [--dedupe KEY] [--delay SECONDS] [--user ID]\n"
                    "       zhimai-worker [-c CONFIG] get ID\n"
                    "       zhimai-worker [-c CONFIG] --get KEY\n");
}

static int parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
        return ZM_EINVAL;
    }
    *out = v;
    return ZM_OK;
}

static int parse_priority(const char *s, int *out)
{
    static const char *names[] = {"high", "normal", "low"};
    int64_t v;

    for (int i = 0; i < 3; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return ZM_OK;
        }
    }
    if (parse_int(s, TASK_PRIO_HIGH, TASK_PRIO_LOW, &v) != ZM_OK) {
        return ZM_EINVAL;
    }
    *out = (int)v;
    return ZM_OK;
}

static int cmd_enqueue(int argc, char **argv)
{
    task_new_t t = {.priority = TASK_PRIO_NORMAL};
    int64_t v, id = 0;
    db_t *db;
    int rc;

    if (argc < 2) {
        usage();
        return 2;
    }
    t.type = argv[0];
    t.payload_json = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (val == NULL) {
            usage();
            return 2;
        }
        i++;
        if (strcmp(opt, "--priority") == 0 && parse_priority(val, &t.priority) == ZM_OK) {
            continue;
        }
        if (strcmp(opt, "--max-attempts") == 0 && parse_int(val, 1, 1000, &v) == ZM_OK) {
            t.max_attempts = (int)v;
        } else if (strcmp(opt, "--delay") == 0 && parse_int(val, 0, 366 * 86400, &v) == ZM_OK) {
            t.delay_s = (int)v;
        } else if (strcmp(opt, "--user") == 0 && parse_int(val, 1, INT64_MAX, &v) == ZM_OK) {
            t.user_id = v;
        } else if (strcmp(opt, "--dedupe") == 0) {
            t.dedupe_key = val;
        } else {
            fprintf(stderr, "zhimai-worker: bad option %s %s\n", opt, val);
            usage();
            return 2;
        }
    }
    db = task_db_open();
    if (db == NULL) {
        return 1;
    }
    rc = task_enqueue(db, &t, &id);
    if (rc == ZM_OK) {
        task_wake();
        printf("%lld\n", (long long)id);
    } else if (rc == ZM_EINVAL) {
        fprintf(stderr,
                "zhimai-worker: refused: check the type (1-%d visible characters), the payload (a JSON "
                "object) and the options\n",
                TASK_TYPE_MAX);
    } else {
        fprintf(stderr, "zhimai-worker: enqueue failed: %s\n", db_error(db));
    }
    db_close(db);
    return rc == ZM_OK ? 0 : 1;
}

static void add_json_text(json_object *o, const char *key, const char *text)
{
    json_object_object_add(o, key, text ? json_tokener_parse(text) : NULL);
}

static void add_str(json_object *o, const char *key, const char *s)
{
    json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

static int cmd_get(int argc, char **argv)
{
    task_info_t ti;
    zm_arena_t a;
    json_object *o;
    int64_t id;
    db_t *db;
    int rc;

    if (argc != 1 || parse_int(argv[0], 1, INT64_MAX, &id) != ZM_OK) {
        usage();
        return 2;
    }
    db = task_db_open();
    if (db == NULL) {
        return 1;
    }
    zm_arena_init(&a, 16 * 1024, 0);
    rc = task_get(db, &a, id, &ti);
    if (rc != ZM_OK) {
        fprintf(stderr, "zhimai-worker: task %lld: %s\n", (long long)id,
                rc == ZM_ENOTFOUND ? "no such task" : db_error(db));
        zm_arena_destroy(&a);
        db_close(db);
        return 1;
    }
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(ti.id));
    add_str(o, "type", ti.type);
    add_str(o, "state", ti.state);
    json_object_object_add(o, "priority", json_object_new_int(ti.priority));
    json_object_object_add(o, "progress", json_object_new_int(ti.progress));
    json_object_object_add(o, "attempts", json_object_new_int(ti.attempts));
    json_object_object_add(o, "max_attempts", json_object_new_int(ti.max_attempts));
    json_object_object_add(o, "user_id", ti.user_id ? json_object_new_int64(ti.user_id) : NULL);
    add_json_text(o, "payload", ti.payload_json);
    add_json_text(o, "result", ti.result_json);
    add_json_text(o, "error", ti.error_json);
    add_str(o, "dedupe_key", ti.dedupe_key);
    add_str(o, "lease_owner", ti.lease_owner);
    add_str(o, "run_after", ti.run_after);
    add_str(o, "created_at", ti.created_at);
    add_str(o, "updated_at", ti.updated_at);
    add_str(o, "started_at", ti.started_at);
    add_str(o, "finished_at", ti.finished_at);
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    zm_arena_destroy(&a);
    db_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    const char *conf = NULL;
    char err[512];
    int i = 1;

    if (i + 1 < argc && strcmp(argv[i], "-c") == 0) {
        conf = argv[i + 1];
        i += 2;
    }
    if (i == argc) {
        /* libcurl and libsodium are set up once, before any runner forks (mail.send uses both) */
        if (mail_init() != ZM_OK) {
            fprintf(stderr, "zhimai-worker: mail_init failed\n");
            return 1;
        }
        /* the analyzer's data, before the runners fork; the configuration is read inside
         * task_worker_main, so load it here once for the data path */
        {
            char err[512];
            if (zm_conf_load(conf, err, sizeof(err)) != ZM_OK) {
                fprintf(stderr, "zhimai-worker: %s\n", err);
                return 1;
            }
            if (an_init(zm_conf_str("analysis.data_dir")) != ZM_OK || an_provider_init() != ZM_OK) {
                fprintf(stderr, "zhimai-worker: cannot load the analyzer's data\n");
                return 1;
            }
        }
        return task_worker_main(conf);
    }
    if (strcmp(argv[i], "enqueue") != 0 && strcmp(argv[i], "get") != 0 && strcmp(argv[i], "--get") != 0) {
        usage();
        return 2;
    }
    if (zm_conf_load(conf, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "zhimai-worker: %s\n", err);
        return 1;
    }
    if (strcmp(argv[i], "enqueue") == 0) {
        return cmd_enqueue(argc - i - 1, argv + i + 1);
    }
    if (strcmp(argv[i], "get") == 0) {
        return cmd_get(argc - i - 1, argv + i + 1);
    }
    if (argc - i != 2) {
        usage();
        return 2;
    }
    /* an unknown key aborts with a message (conf.c's rule for a key missing from its table) */
    printf("%s\n", zm_conf_str(argv[i + 1]));
    return 0;
}
