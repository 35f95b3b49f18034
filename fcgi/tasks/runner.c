#include "runner.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "events.h"
#include "log.h"
#include "master.h"
#include "queue.h"
#include "registry.h"

#define TASK_ARENA_BLOCK (64 * 1024)
#define TASK_ARENA_CAP ((size_t)256 * 1024 * 1024) /* one task's scratch memory; past it allocations fail */
#define REAP_EVERY_MAX_MS 5000
#define SCHEDULES_MAX 32    /* scheduled task kinds across all modules */
#define FINISH_TRIES 10     /* recording an outcome while the db hiccups: 10 tries ... */
#define FINISH_PAUSE_MS 500 /* ... half a second apart, then the lease expiry takes over */

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

db_t *task_db_open(void)
{
    return db_open_configured(0);
}

/* ---- the lease renewer: a thread with its own connection ----
 *
 * A handler may block for minutes in a single call (an HTTP request to an
 * AI service), so it cannot be trusted to call task_progress() often
 * enough; the renewer keeps the lease alive meanwhile.  It only ever
 * extends the lease of the task the main thread says is running. */

typedef struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    db_t *db;
    int started;
    int quit;
    int active;   /* a task is running */
    int busy;     /* a renewal is in flight (mu released) */
    unsigned gen; /* bumped per task, so a renewal timed for one task never touches the next */
    int64_t id;
    int lease_s;
    const char *owner;
} renewer_t;

static void deadline_in(struct timespec *ts, int64_t ms)
{
    /* the condition variable waits on CLOCK_MONOTONIC, zm_mono_us's clock */
    int64_t t = zm_mono_us() + ms * 1000;

    ts->tv_sec = (time_t)(t / 1000000);
    ts->tv_nsec = (long)(t % 1000000) * 1000;
}

static void *renewer_loop(void *arg)
{
    renewer_t *r = arg;
    unsigned warned_gen = 0;
    int warned = 0;
    sigset_t all;

    /* signals are the main thread's business (the stop request above all) */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);

    pthread_mutex_lock(&r->mu);
    while (!r->quit) {
        struct timespec until;
        unsigned gen;
        int64_t id, every;
        int rc, lease_s;

        if (!r->active) {
            pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        if (r->gen != warned_gen) {
            warned_gen = r->gen;
            warned = 0;
        }
        gen = r->gen;
        every = (int64_t)r->lease_s * 1000 / 3;
        deadline_in(&until, every < 100 ? 100 : every);
        rc = 0;
        while (!r->quit && r->active && r->gen == gen && rc != ETIMEDOUT) {
            rc = pthread_cond_timedwait(&r->cv, &r->mu, &until);
        }
        if (r->quit || !r->active || r->gen != gen) {
            continue;
        }
        id = r->id;
        lease_s = r->lease_s;
        r->busy = 1;
        pthread_mutex_unlock(&r->mu);

        rc = task_renew(r->db, id, r->owner, lease_s);
        /* one line per task and kind of trouble, not one per renewal during an outage */
        if (rc == ZM_ENOTFOUND && !(warned & 1)) {
            zm_log_warn("task %lld: lease lost (it expired and was handed out again?)", (long long)id);
            warned |= 1;
        } else if (rc != ZM_OK && rc != ZM_ENOTFOUND && !(warned & 2)) {
            zm_log_warn("task %lld: lease renewal failed (%s); retrying", (long long)id, db_error(r->db));
            warned |= 2;
        }

        pthread_mutex_lock(&r->mu);
        r->busy = 0;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static int renewer_init(renewer_t *r, const char *owner)
{
    pthread_condattr_t ca;

    memset(r, 0, sizeof(*r));
    r->owner = owner;
    r->db = task_db_open();
    if (r->db == NULL) {
        return ZM_ENOMEM;
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&r->thread, NULL, renewer_loop, r) != 0) {
        zm_log_error("cannot start the lease renewal thread");
        db_close(r->db);
        r->db = NULL;
        return ZM_ERR;
    }
    r->started = 1;
    return ZM_OK;
}

static void renewer_start(renewer_t *r, int64_t id, int lease_s)
{
    pthread_mutex_lock(&r->mu);
    r->id = id;
    r->lease_s = lease_s;
    r->gen++;
    r->active = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Returns once no renewal can touch the task any more, so the outcome
 * written next is the task's last word from this runner. */
static void renewer_stop(renewer_t *r)
{
    pthread_mutex_lock(&r->mu);
    r->active = 0;
    pthread_cond_broadcast(&r->cv);
    while (r->busy) {
        pthread_cond_wait(&r->cv, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
}

static void renewer_destroy(renewer_t *r)
{
    if (!r->started) {
        return;
    }
    pthread_mutex_lock(&r->mu);
    r->quit = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    db_close(r->db);
    r->started = 0;
}

/* ---- the wake-up socket ---- */

static int wake_fd = -1;

static int wake_open(void)
{
    static int warned;
    const char *addr = zm_conf_str("tasks.wake_addr");
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1;

    if (addr[0] == '\0') {
        return -1;
    }
    if (task_addr_parse(addr, &ss, &len) != ZM_OK) {
        if (!warned++) {
            zm_log_error("tasks.wake_addr '%s' is not host:port; polling every tasks.poll_ms only", addr);
        }
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    /* every runner on the host binds the same port; the kernel gives a datagram to one of them */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0) {
        if (!warned++) {
            zm_log_error("cannot bind tasks.wake_addr %s: %s; polling every tasks.poll_ms only", addr, strerror(errno));
        }
        close(fd);
        return -1;
    }
    return fd;
}

/* Read and discard what is queued; returns how many datagrams there were. */
static int wake_drain(void)
{
    char buf[64];
    int n = 0;

    while (wake_fd >= 0 && recv(wake_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
        n++;
    }
    return n;
}

/* Leave the port's group while busy.  A wake-up that reached us meanwhile
 * was meant for some runner; pass it on to one that is idle. */
static void wake_close_and_forward(void)
{
    int pending;

    if (wake_fd < 0) {
        return;
    }
    pending = wake_drain();
    close(wake_fd);
    wake_fd = -1;
    if (pending > 0) {
        task_wake();
    }
}

/* ---- running one task ---- */

typedef int (*finish_fn)(task_ctx_t *ctx, const void *arg);

typedef struct {
    const char *reason;
    int retryable;
    int failed; /* out */
} fail_args_t;

static int do_complete(task_ctx_t *ctx, const void *arg)
{
    return task_complete(ctx, arg);
}

static int do_fail(task_ctx_t *ctx, const void *arg)
{
    fail_args_t *f = (fail_args_t *)arg;
    return task_fail(ctx, f->reason, f->retryable, &f->failed);
}

/* The outcome must land: ride out a short database outage.  Past that, the
 * lease runs out and the task runs again elsewhere (at least once). */
static int finish(task_ctx_t *ctx, finish_fn fn, const void *arg)
{
    int rc = ZM_ERR;

    for (int i = 0; i < FINISH_TRIES; i++) {
        rc = fn(ctx, arg);
        if (rc != ZM_EDBDOWN && rc != ZM_EAGAIN) {
            break;
        }
        sleep_ms(FINISH_PAUSE_MS);
    }
    return rc;
}

static const char *rc_text(int rc)
{
    switch (rc) {
    case ZM_EDBDOWN:
        return "database unavailable";
    case ZM_ENOTFOUND:
        return "not found";
    case ZM_EDUP:
        return "duplicate";
    case ZM_EINVAL:
        return "invalid input";
    case ZM_ETOOBIG:
        return "too big";
    case ZM_EAGAIN:
        return "temporary failure";
    case ZM_ENOMEM:
        return "out of memory";
    default:
        return "handler failed";
    }
}

static void run_task(task_ctx_t *ctx, renewer_t *ren)
{
    const task_type_t *tt = task_lookup(ctx->type);
    json_object *result = NULL;
    char *error = NULL;
    int64_t t0 = zm_mono_ms(), ms;
    int rc;

    zm_log_info("task %lld %s: attempt %d/%d started", (long long)ctx->id, ctx->type, ctx->attempt, ctx->max_attempts);
    if (tt == NULL) {
        error = zm_psprintf(ctx->a, "unknown task type '%s'", ctx->type);
        rc = ZM_EINVAL;
    } else if ((ctx->payload = json_tokener_parse(ctx->payload_json ? ctx->payload_json : "{}")) == NULL) {
        error = "payload is not valid JSON";
        rc = ZM_EINVAL;
    } else {
        renewer_start(ren, ctx->id, ctx->lease_s);
        rc = tt->handler(ctx, &result, &error);
        renewer_stop(ren);
        if (db_in_transaction(ctx->db)) {
            zm_log_error("task %lld %s: the handler left a transaction open; rolled back", (long long)ctx->id,
                         ctx->type);
            db_rollback(ctx->db);
        }
    }

    if (rc == ZM_OK) {
        const char *text =
            result ? json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                   : NULL;
        rc = finish(ctx, do_complete, text);
        if (rc != ZM_OK && rc != ZM_ENOTFOUND && rc != ZM_EDBDOWN && rc != ZM_EAGAIN) {
            /* the result itself is refused (too big for the server, ...): no retry will fix that */
            error = zm_psprintf(ctx->a, "cannot store the result: %s", db_error(ctx->db));
            rc = ZM_EINVAL;
        } else {
            ms = zm_mono_ms() - t0;
            if (rc == ZM_OK) {
                zm_log_info("task %lld %s: attempt %d/%d done in %lld ms", (long long)ctx->id, ctx->type, ctx->attempt,
                            ctx->max_attempts, (long long)ms);
            } else if (rc == ZM_ENOTFOUND) {
                zm_log_warn("task %lld %s: attempt %d/%d done in %lld ms, but the lease was lost: not recorded",
                            (long long)ctx->id, ctx->type, ctx->attempt, ctx->max_attempts, (long long)ms);
            } else {
                zm_log_error("task %lld %s: attempt %d/%d done in %lld ms, but recording it failed (%s); it will "
                             "run again after its lease expires",
                             (long long)ctx->id, ctx->type, ctx->attempt, ctx->max_attempts, (long long)ms,
                             db_error(ctx->db));
            }
            json_object_put(result);
            json_object_put(ctx->payload);
            return;
        }
    }

    {
        fail_args_t f = {
            .reason = error ? error : rc_text(rc),
            .retryable = rc == ZM_EAGAIN || rc == ZM_EDBDOWN,
        };
        int frc = finish(ctx, do_fail, &f);

        ms = zm_mono_ms() - t0;
        if (frc == ZM_OK && f.failed) {
            zm_log_warn("task %lld %s: attempt %d/%d failed in %lld ms, for good: %s", (long long)ctx->id, ctx->type,
                        ctx->attempt, ctx->max_attempts, (long long)ms, f.reason);
        } else if (frc == ZM_OK) {
            zm_log_info("task %lld %s: attempt %d/%d failed in %lld ms, retry in %d s: %s", (long long)ctx->id,
                        ctx->type, ctx->attempt, ctx->max_attempts, (long long)ms,
                        task_backoff_s(ctx->attempt, (int)zm_conf_int("tasks.backoff_s"),
                                       (int)zm_conf_int("tasks.backoff_max_s")),
                        f.reason);
        } else {
            zm_log_warn("task %lld %s: attempt %d/%d failed in %lld ms (%s), and that was not recorded (%s)",
                        (long long)ctx->id, ctx->type, ctx->attempt, ctx->max_attempts, (long long)ms, f.reason,
                        frc == ZM_ENOTFOUND ? "lease lost" : db_error(ctx->db));
        }
    }
    json_object_put(result);
    json_object_put(ctx->payload);
}

/* ---- housekeeping ---- */

/* Each module's scheduled tasks, once per period for the whole fleet: every
 * runner tries, the dedupe key "<type>:<the period's start, UTC>" lets one
 * through (maintenance.purge:2026120214 for an hourly one).  last[]
 * remembers the period each was last enqueued in by this runner. */
static void enqueue_schedules(db_t *db, int64_t *last, size_t nlast)
{
    const zm_module_t *const *mods = task_registry_modules();
    int64_t now = zm_now_s();
    size_t k = 0;

    for (size_t m = 0; mods[m] != NULL; m++) {
        for (size_t i = 0; i < mods[m]->nschedules && k < nlast; i++, k++) {
            const task_schedule_t *sc = &mods[m]->schedules[i];
            int64_t len = sc->period_s > 0 ? sc->period_s : 3600, period = now / len, id;
            time_t start = (time_t)(period * len);
            const char *fmt = len % 86400 == 0 ? "%Y%m%d" : len % 3600 == 0 ? "%Y%m%d%H" : "%Y%m%d%H%M";
            char key[128], when[32];
            struct tm tm;

            if (period == last[k]) {
                continue;
            }
            gmtime_r(&start, &tm);
            strftime(when, sizeof(when), fmt, &tm);
            snprintf(key, sizeof(key), "%s:%s", sc->type, when);
            task_new_t t = {
                .type = sc->type,
                .payload_json = "{}",
                .priority = sc->priority,
                .dedupe_key = key,
            };
            if (task_enqueue(db, &t, &id) == ZM_OK) {
                last[k] = period;
            }
        }
    }
}

static void reap(db_t *db)
{
    int requeued = 0, failed = 0;

    if (task_reap(db, &requeued, &failed) == ZM_OK && (requeued || failed)) {
        zm_log_warn("lease expired: %d task(s) requeued, %d failed for good", requeued, failed);
    }
}

/* The idle wait: the only place a stop request gets through. */
static void idle_wait(int64_t ms)
{
    struct pollfd pfd = {.fd = wake_fd, .events = POLLIN};

    zm_child_block_stop(0);
    if (!zm_child_stop) {
        poll(&pfd, wake_fd >= 0 ? 1 : 0, (int)ms);
    }
    zm_child_block_stop(1);
    wake_drain();
}

/* ---- a runner ---- */

int task_runner_main(int slot, void *ud)
{
    char host[64], owner[TASK_OWNER_MAX];
    int lease_s = (int)zm_conf_int("tasks.lease_s");
    int64_t poll_ms = zm_conf_int("tasks.poll_ms"), reap_every, next_reap = 0, last_err_log = 0;
    int64_t last_period[SCHEDULES_MAX];
    zm_arena_t arena;
    renewer_t ren;
    db_t *db;

    ZM_UNUSED(ud);
    for (size_t i = 0; i < SCHEDULES_MAX; i++) {
        last_period[i] = -1;
    }
    lease_s = lease_s < 1 ? 1 : lease_s;
    poll_ms = poll_ms < 10 ? 10 : poll_ms > 60000 ? 60000 : poll_ms;
    /* a dead runner's task waits out its lease plus at most this */
    reap_every = (int64_t)lease_s * 500 < REAP_EVERY_MAX_MS ? (int64_t)lease_s * 500 : REAP_EVERY_MAX_MS;

    if (gethostname(host, sizeof(host)) != 0) {
        snprintf(host, sizeof(host), "localhost");
    }
    host[sizeof(host) - 1] = '\0';
    snprintf(owner, sizeof(owner), "%s:%d", host, (int)getpid());

    /* blocked before the renewer starts, so that thread inherits it too */
    zm_child_block_stop(1);
    db = task_db_open();
    if (db == NULL) {
        return 1;
    }
    db_ping(db); /* connect now; a failure is retried by the loop */
    if (renewer_init(&ren, owner) != ZM_OK) {
        db_close(db);
        return 1;
    }
    zm_arena_init(&arena, TASK_ARENA_BLOCK, TASK_ARENA_CAP);
    events_install(); /* live task events to nginx/nchan (events.publish_url) */
    zm_log_info("task runner %d started as %s", slot, owner);

    for (;;) {
        task_ctx_t ctx;
        int64_t t, wait_ms;
        int rc;

        zm_child_block_stop(0); /* a stop request that came while we worked is delivered here */
        if (zm_child_stop) {
            break;
        }
        zm_child_block_stop(1);

        t = zm_mono_ms();
        if (t >= next_reap) {
            reap(db);
            enqueue_schedules(db, last_period, SCHEDULES_MAX);
            next_reap = t + reap_every;
        }
        /* bound before the claim: a wake-up sent after a failed claim must find the socket */
        if (wake_fd < 0) {
            wake_fd = wake_open();
        }
        rc = task_claim(db, &arena, owner, lease_s, &ctx);
        if (rc == ZM_OK) {
            wake_close_and_forward();
            run_task(&ctx, &ren);
            zm_arena_reset(&arena);
            continue;
        }
        zm_arena_reset(&arena);
        if (rc != ZM_ENOTFOUND && t - last_err_log >= 10000) {
            zm_log_error("claiming a task: %s", db_error(db));
            last_err_log = t;
        }
        /* nothing due: sleep until a wake-up, the poll interval, or the next reap, whichever comes first */
        t = zm_mono_ms();
        wait_ms = next_reap - t < poll_ms ? next_reap - t : poll_ms;
        idle_wait(wait_ms > 0 ? wait_ms : 0);
    }

    if (wake_fd >= 0) {
        close(wake_fd);
        wake_fd = -1;
    }
    renewer_destroy(&ren);
    db_close(db);
    zm_arena_destroy(&arena);
    zm_log_info("task runner %d stopped", slot);
    return 0;
}

/* ---- the master ---- */

static const char *conf_path_saved;

static int want_children(void *ud)
{
    int64_t n = zm_conf_int("tasks.processes");

    ZM_UNUSED(ud);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static int reload(void *ud)
{
    char err[512];
    int rc;

    ZM_UNUSED(ud);
    rc = zm_conf_load(conf_path_saved, err, sizeof(err));
    if (rc != ZM_OK) {
        zm_log_error("reload: %s", err);
        return rc;
    }
    zm_log_reopen();
    return ZM_OK;
}

/* How long a running task may take to finish on stop or reload before it is
 * killed (and runs again elsewhere after its lease). */
static unsigned graceful(void *ud)
{
    ZM_UNUSED(ud);
    return (unsigned)zm_conf_int("tasks.graceful_timeout");
}

int task_worker_main(const char *conf_path)
{
    char err[512], pidfile[4096];
    int rc, other, level;

    if (zm_conf_load(conf_path, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "zhimai-worker: %s\n", err);
        return 1;
    }
    conf_path_saved = conf_path;
    level = zm_log_level_parse(zm_conf_str("log.level"));
    if (zm_log_open(zm_conf_str("log.file"), zm_conf_str("log.access"), level < 0 ? ZM_LOG_INFO : level) != 0) {
        return 1;
    }
    /* a copy: a reload (SIGHUP) frees the configuration's strings, and the file to remove is the one we wrote */
    snprintf(pidfile, sizeof(pidfile), "%s", zm_conf_str("tasks.pid_file"));
    other = zm_pidfile_read_alive(pidfile);
    if (other && other != getpid()) {
        zm_log_error("zhimai-worker already runs as pid %d (%s)", other, pidfile);
        return 1;
    }
    if (zm_pidfile_write(pidfile, 0) != ZM_OK) {
        return 1;
    }
    zm_master_t m = {
        .name = "zhimai-worker",
        .nchildren = want_children,
        .child_main = task_runner_main,
        .reload = reload,
        .graceful_timeout_s = graceful,
    };
    rc = zm_master_run(&m);
    zm_pidfile_write(pidfile, 1);
    return rc;
}
