#include "queue.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "str.h"

void (*task_progress_hook)(const task_ctx_t *ctx, const char *state, int pct);

/* ---- small helpers ---- */

/* ---- a strict JSON check (RFC 8259) ----
 * json-c's parser accepts more than the server's JSON type (single quotes,
 * NaN), and a refusal there is an anonymous constraint error; so payloads
 * are checked here, to give the caller a clear ZM_EINVAL. */

#define JSON_MAX_DEPTH 64 /* MySQL allows 100 */

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
        p++;
    }
    return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
    if (*p++ != '"') {
        return NULL;
    }
    while (*p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20) {
            return NULL; /* control characters (and the end of the text) must be escaped */
        }
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (!isxdigit((unsigned char)p[i])) {
                        return NULL;
                    }
                }
                p += 4;
            } else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0') {
                return NULL;
            }
        }
        p++;
    }
    return p + 1;
}

static const char *json_number(const char *p)
{
    if (*p == '-') {
        p++;
    }
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (isdigit((unsigned char)*p)) {
            p++;
        }
    } else {
        return NULL;
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) {
            return NULL;
        }
        while (isdigit((unsigned char)*p)) {
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!isdigit((unsigned char)*p)) {
            return NULL;
        }
        while (isdigit((unsigned char)*p)) {
            p++;
        }
    }
    return p;
}

/* '{' or '[' at p: members until the closing bracket */
static const char *json_container(const char *p, int depth)
{
    char close = *p == '{' ? '}' : ']';
    int object = *p == '{';

    if (depth >= JSON_MAX_DEPTH) {
        return NULL;
    }
    p = json_ws(p + 1);
    if (*p == close) {
        return p + 1;
    }
    for (;;) {
        if (object) {
            p = json_string(p);
            if (p == NULL) {
                return NULL;
            }
            p = json_ws(p);
            if (*p++ != ':') {
                return NULL;
            }
        }
        p = json_value(p, depth + 1);
        if (p == NULL) {
            return NULL;
        }
        p = json_ws(p);
        if (*p == close) {
            return p + 1;
        }
        if (*p++ != ',') {
            return NULL;
        }
        p = json_ws(p);
    }
}

static const char *json_value(const char *p, int depth)
{
    p = json_ws(p);
    switch (*p) {
    case '{':
    case '[':
        return json_container(p, depth);
    case '"':
        return json_string(p);
    case 't':
        return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        return json_number(p);
    }
}

/* Is s one JSON object, strictly, in valid UTF-8? */
static int valid_json_object(const char *s)
{
    const char *end;

    if (!zm_utf8_valid(s, strlen(s))) {
        return 0;
    }
    s = json_ws(s);
    if (*s != '{') {
        return 0;
    }
    end = json_value(s, 0);
    return end != NULL && *json_ws(end) == '\0';
}

static int valid_name(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > max) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c == 0x7f) {
            return 0; /* no spaces or control characters: names show up in logs */
        }
    }
    return 1;
}

/* {"reason": reason, "attempts": n} as text in a */
static char *error_json(zm_arena_t *a, const char *reason, int attempts)
{
    json_object *o = json_object_new_object();
    char *s;

    if (o == NULL) {
        return NULL;
    }
    json_object_object_add(o, "reason", json_object_new_string(reason ? reason : "unknown error"));
    json_object_object_add(o, "attempts", json_object_new_int(attempts));
    s = zm_pstrdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

static void hook(const task_ctx_t *ctx, const char *state, int pct)
{
    if (task_progress_hook) {
        task_progress_hook(ctx, state, pct);
    }
}

/* ---- enqueue ---- */

int task_enqueue(db_t *db, const task_new_t *t, int64_t *id)
{
    const char *payload = t->payload_json ? t->payload_json : "{}";
    int max_attempts = t->max_attempts ? t->max_attempts : (int)zm_conf_int("tasks.max_attempts");
    zm_arena_t a;
    db_res_t res;
    int64_t n;
    int rc;

    if (!valid_name(t->type, TASK_TYPE_MAX) || t->priority < TASK_PRIO_HIGH || t->priority > TASK_PRIO_LOW ||
        t->delay_s < 0 || t->max_attempts < 0 || t->user_id < 0 ||
        (t->dedupe_key && !valid_name(t->dedupe_key, TASK_DEDUPE_MAX)) || !valid_json_object(payload)) {
        return ZM_EINVAL;
    }
    if (max_attempts < 1) {
        max_attempts = 1;
    }
    n = db_exec(db,
                "INSERT INTO zm_task (type, payload, priority, state, attempts, max_attempts, run_after, user_id,"
                " dedupe_key, created_at, updated_at)"
                " VALUES (?, ?, ?, 'queued', 0, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, NULLIF(?, 0), ?,"
                " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "ssIIIis", t->type, payload, t->priority, max_attempts, t->delay_s, t->user_id, t->dedupe_key);
    if (n >= 0) {
        if (id) {
            *id = db_insert_id(db);
        }
        return ZM_OK;
    }
    if (n != ZM_EDUP || t->dedupe_key == NULL) {
        return (int)n;
    }
    /* Someone enqueued this key before us.  A locking read sees the latest
     * committed row even inside a caller's REPEATABLE READ snapshot. */
    zm_arena_init(&a, 1024, 0);
    rc = db_query(db, &a, &res, "SELECT id FROM zm_task WHERE dedupe_key = ? LOCK IN SHARE MODE", "s", t->dedupe_key);
    if (rc == ZM_OK && res.nrows == 0) {
        rc = ZM_EAGAIN; /* purged in between: the caller may simply try again */
    }
    if (rc == ZM_OK && id) {
        *id = db_int(&res, 0, 0);
    }
    zm_arena_destroy(&a);
    return rc;
}

/* ---- wake-ups ---- */

int task_addr_parse(const char *hostport, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256], port[8];
    const char *colon, *h = hostport;
    size_t hlen;
    struct addrinfo hints, *ai = NULL;
    char *end;
    long p;

    if (hostport == NULL) {
        return ZM_EINVAL;
    }
    if (*h == '[') {
        const char *close = strchr(h, ']');
        if (close == NULL || close[1] != ':') {
            return ZM_EINVAL;
        }
        h++;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(h, ':');
        if (colon == NULL) {
            return ZM_EINVAL;
        }
        hlen = (size_t)(colon - h);
        if (memchr(h, ':', hlen) != NULL) {
            return ZM_EINVAL; /* a bare IPv6 address: which colon starts the port? */
        }
    }
    if (hlen == 0 || hlen >= sizeof(host) || strlen(colon + 1) >= sizeof(port)) {
        return ZM_EINVAL;
    }
    errno = 0;
    p = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 || p > 65535) {
        return ZM_EINVAL;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, sizeof(port), "%ld", p);

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) {
        return ZM_EINVAL;
    }
    if (ai->ai_addrlen > sizeof(*ss)) {
        freeaddrinfo(ai);
        return ZM_EINVAL;
    }
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = (socklen_t)ai->ai_addrlen;
    freeaddrinfo(ai);
    return ZM_OK;
}

/* The one piece of process state here: a sending socket and the parsed
 * address, kept so that an enqueue costs one sendto(), not a socket and a
 * resolve.  Re-made after a fork or when tasks.wake_addr changes (reload). */
static struct {
    int fd;
    pid_t pid;
    char addr[256];
    int bad; /* addr did not parse: do not retry it on every enqueue */
    struct sockaddr_storage ss;
    socklen_t len;
} wake = {.fd = -1};

void task_wake(void)
{
    const char *addr = zm_conf_str("tasks.wake_addr");
    static const char msg[] = "w";

    if (addr[0] == '\0') {
        return;
    }
    if (wake.pid != getpid() || strcmp(wake.addr, addr) != 0) {
        if (wake.fd >= 0 && wake.pid == getpid()) {
            close(wake.fd);
        }
        wake.fd = -1;
        wake.pid = getpid();
        snprintf(wake.addr, sizeof(wake.addr), "%s", addr);
        wake.bad = task_addr_parse(addr, &wake.ss, &wake.len) != ZM_OK;
        if (wake.bad) {
            zm_log_warn("tasks.wake_addr '%s' is not a usable host:port; runners will only poll", addr);
        }
    }
    if (wake.bad) {
        return;
    }
    if (wake.fd < 0) {
        wake.fd = socket(wake.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (wake.fd < 0) {
            return;
        }
    }
    /* nobody listening, a full buffer: the runners poll anyway */
    (void)!sendto(wake.fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&wake.ss, wake.len);
}

/* ---- reading ---- */

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"

int task_get(db_t *db, zm_arena_t *a, int64_t id, task_info_t *out)
{
    db_res_t res;
    int rc;

    rc = db_query(db, a, &res,
                  "SELECT id, type, state, priority, progress, attempts, max_attempts, user_id, payload, result,"
                  " error, dedupe_key, lease_owner, " TS("run_after") ", " TS("created_at") ", " TS(
                      "updated_at") ", " TS("started_at") ", " TS("finished_at") " FROM zm_task WHERE id = ?",
                  "i", id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    memset(out, 0, sizeof(*out));
    out->id = db_int(&res, 0, 0);
    out->type = db_val(&res, 0, 1);
    out->state = db_val(&res, 0, 2);
    out->priority = (int)db_int(&res, 0, 3);
    out->progress = (int)db_int(&res, 0, 4);
    out->attempts = (int)db_int(&res, 0, 5);
    out->max_attempts = (int)db_int(&res, 0, 6);
    out->user_id = db_int(&res, 0, 7);
    out->payload_json = db_val(&res, 0, 8);
    out->result_json = db_val(&res, 0, 9);
    out->error_json = db_val(&res, 0, 10);
    out->dedupe_key = db_val(&res, 0, 11);
    out->lease_owner = db_val(&res, 0, 12);
    out->run_after = db_val(&res, 0, 13);
    out->created_at = db_val(&res, 0, 14);
    out->updated_at = db_val(&res, 0, 15);
    out->started_at = db_val(&res, 0, 16);
    out->finished_at = db_val(&res, 0, 17);
    return ZM_OK;
}

/* ---- the runner's side ---- */

int task_claim(db_t *db, zm_arena_t *a, const char *owner, int lease_s, task_ctx_t *out)
{
    db_res_t res;
    int64_t n;
    int rc;

    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    /* SKIP LOCKED: a row another runner is claiming right now is passed
     * over instead of waited for, so runners never queue behind each other.
     * The order matches the zm_task_claim index (state, priority, run_after),
     * whose entries end with the primary key. */
    rc = db_query(db, a, &res,
                  "SELECT id, type, payload, attempts, max_attempts, user_id FROM zm_task"
                  " WHERE state = 'queued' AND run_after <= UTC_TIMESTAMP(6)"
                  " ORDER BY priority, run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                  NULL);
    if (rc != ZM_OK || res.nrows == 0) {
        db_rollback(db);
        return rc != ZM_OK ? rc : ZM_ENOTFOUND;
    }
    memset(out, 0, sizeof(*out));
    out->db = db;
    out->a = a;
    out->id = db_int(&res, 0, 0);
    out->type = db_val(&res, 0, 1);
    out->payload_json = db_val(&res, 0, 2);
    out->attempt = (int)db_int(&res, 0, 3) + 1;
    out->max_attempts = (int)db_int(&res, 0, 4);
    out->user_id = db_int(&res, 0, 5);
    out->lease_owner = zm_pstrdup(a, owner);
    out->lease_s = lease_s;
    n = db_exec(db,
                "UPDATE zm_task SET state = 'running', lease_owner = ?,"
                " lease_expires = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, attempts = attempts + 1, progress = 0,"
                " started_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                "sIi", owner, lease_s, out->id);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    rc = db_commit(db);
    if (rc != ZM_OK) {
        /* a lost COMMIT may or may not have landed; if it did, the lease
         * expires and the reaper hands the task out again */
        return rc;
    }
    return ZM_OK;
}

int task_renew(db_t *db, int64_t id, const char *owner, int lease_s)
{
    int64_t n = db_exec(db,
                        "UPDATE zm_task SET lease_expires = UTC_TIMESTAMP(6) + INTERVAL ? SECOND"
                        " WHERE id = ? AND lease_owner = ? AND state = 'running'",
                        "Iis", lease_s, id, owner);

    if (n < 0) {
        return (int)n;
    }
    return n == 0 ? ZM_ENOTFOUND : ZM_OK;
}

int task_progress(task_ctx_t *ctx, int pct)
{
    int64_t n;

    pct = pct < 0 ? 0 : pct > 100 ? 100 : pct;
    n = db_exec(ctx->db,
                "UPDATE zm_task SET progress = ?, lease_expires = UTC_TIMESTAMP(6) + INTERVAL ? SECOND,"
                " updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND lease_owner = ? AND state = 'running'",
                "IIis", pct, ctx->lease_s, ctx->id, ctx->lease_owner);
    if (n < 0) {
        return (int)n;
    }
    if (n == 0) {
        return ZM_ENOTFOUND;
    }
    ctx->progress = pct;
    hook(ctx, "running", pct);
    return ZM_OK;
}

int task_complete(task_ctx_t *ctx, const char *result_json)
{
    int64_t n = db_exec(ctx->db,
                        "UPDATE zm_task SET state = 'done', result = ?, error = NULL, progress = 100,"
                        " lease_expires = NULL, finished_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
                        " WHERE id = ? AND lease_owner = ? AND state = 'running'",
                        "sis", result_json, ctx->id, ctx->lease_owner);

    if (n < 0) {
        return (int)n;
    }
    if (n == 0) {
        return ZM_ENOTFOUND;
    }
    ctx->progress = 100;
    hook(ctx, "done", 100);
    return ZM_OK;
}

int task_fail(task_ctx_t *ctx, const char *reason, int retryable, int *failed)
{
    char *err = error_json(ctx->a, reason, ctx->attempt);
    int final = !retryable || ctx->attempt >= ctx->max_attempts;
    int64_t n;

    if (err == NULL) {
        return ZM_ENOMEM;
    }
    if (final) {
        n = db_exec(ctx->db,
                    "UPDATE zm_task SET state = 'failed', error = ?, lease_expires = NULL,"
                    " finished_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
                    " WHERE id = ? AND lease_owner = ? AND state = 'running'",
                    "sis", err, ctx->id, ctx->lease_owner);
    } else {
        int delay =
            task_backoff_s(ctx->attempt, (int)zm_conf_int("tasks.backoff_s"), (int)zm_conf_int("tasks.backoff_max_s"));
        n = db_exec(ctx->db,
                    "UPDATE zm_task SET state = 'queued', error = ?, lease_expires = NULL,"
                    " run_after = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, updated_at = UTC_TIMESTAMP(6)"
                    " WHERE id = ? AND lease_owner = ? AND state = 'running'",
                    "sIis", err, delay, ctx->id, ctx->lease_owner);
    }
    if (n < 0) {
        return (int)n;
    }
    if (n == 0) {
        return ZM_ENOTFOUND;
    }
    if (failed) {
        *failed = final;
    }
    hook(ctx, final ? "failed" : "queued", ctx->progress);
    return ZM_OK;
}

int task_reap(db_t *db, int *requeued, int *failed)
{
    int64_t f, q;

    /* Two statements, not one with CASE: MySQL evaluates SET assignments
     * left to right, and keeping each WHERE self-contained is clearer.
     * error names the lost runner, for whoever investigates. */
    f = db_exec(db,
                "UPDATE zm_task SET state = 'failed',"
                " error = JSON_OBJECT('reason', 'lease expired', 'attempts', attempts, 'lease_owner', lease_owner),"
                " lease_expires = NULL, finished_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
                " WHERE state = 'running' AND lease_expires < UTC_TIMESTAMP(6) AND attempts >= max_attempts",
                NULL);
    if (f < 0) {
        return (int)f;
    }
    q = db_exec(db,
                "UPDATE zm_task SET state = 'queued',"
                " error = JSON_OBJECT('reason', 'lease expired', 'attempts', attempts, 'lease_owner', lease_owner),"
                " lease_expires = NULL, run_after = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
                " WHERE state = 'running' AND lease_expires < UTC_TIMESTAMP(6) AND attempts < max_attempts",
                NULL);
    if (q < 0) {
        return (int)q;
    }
    if (requeued) {
        *requeued = (int)q;
    }
    if (failed) {
        *failed = (int)f;
    }
    return ZM_OK;
}

int task_backoff_s(int attempts, int base_s, int max_s)
{
    int64_t d, cap = max_s > 0 ? max_s : INT_MAX;

    if (base_s <= 0) {
        return 0;
    }
    d = base_s;
    /* doubling stops at the cap, so it never overflows however many attempts */
    for (int i = 1; i < attempts && d < cap; i++) {
        d *= 2;
    }
    return (int)(d < cap ? d : cap);
}

int task_metrics(db_t *db, zm_arena_t *a, zm_buf_t *out)
{
    static const char *const states[] = {"queued", "running", "done", "failed"};
    db_res_t res;

    /* while the database is away the server's own counters still answer */
    zm_buf_puts(a, out, "# HELP zhimai_tasks Tasks in the queue by state.\n# TYPE zhimai_tasks gauge\n");
    if (db_query(db, a, &res, "SELECT state, COUNT(*) FROM zm_task GROUP BY state", NULL) != ZM_OK) {
        zm_buf_puts(a, out, "zhimai_db_up 0\n");
        return ZM_OK;
    }
    for (size_t s = 0; s < ZM_ARRAY_LEN(states); s++) {
        const char *count = "0";
        char *line;

        for (size_t i = 0; i < res.nrows; i++) {
            if (strcmp(db_val(&res, i, 0), states[s]) == 0) {
                count = db_val(&res, i, 1);
            }
        }
        line = zm_psprintf(a, "zhimai_tasks{state=\"%s\"} %s\n", states[s], count);
        if (line == NULL) {
            return ZM_ENOMEM;
        }
        zm_buf_puts(a, out, line);
    }
    zm_buf_puts(a, out, "zhimai_db_up 1\n");
    return ZM_OK;
}

int task_user_view(db_t *db, zm_arena_t *a, int64_t user_id, int64_t task_id, json_object **out)
{
    task_info_t t;
    int rc = task_get(db, a, task_id, &t);

    if (rc != ZM_OK) {
        return rc;
    }
    if (t.user_id != user_id) {
        return ZM_ENOTFOUND;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "id", json_object_new_int64(t.id));
    json_object_object_add(*out, "type", json_object_new_string(t.type));
    json_object_object_add(*out, "state", json_object_new_string(t.state));
    json_object_object_add(*out, "progress", json_object_new_int64(t.progress));
    json_object_object_add(*out, "attempts", json_object_new_int64(t.attempts));
    json_object_object_add(*out, "result", t.result_json ? json_tokener_parse(t.result_json) : NULL);
    json_object_object_add(*out, "error", t.error_json ? json_tokener_parse(t.error_json) : NULL);
    json_object_object_add(*out, "created_at", json_object_new_string(t.created_at ? t.created_at : ""));
    json_object_object_add(*out, "finished_at", t.finished_at ? json_object_new_string(t.finished_at) : NULL);
    return ZM_OK;
}
