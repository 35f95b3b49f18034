/*
 * zhimai-inspect -- the reconciliation inspector (issue 16), run by cron or
 * the systemd timer (conf/cron.d/zhimai-inspect, conf/systemd/).
 *
 *   zhimai-inspect [-c CONF] [--date YYYY-MM-DD | --since DURATION] [--repair]
 *                  [--format text|json] [--report-dir DIR] [--origin cron|manual] [--no-notify]
 *
 * --date: that day (+08:00, WeChat's bill day): its orders, its trade bill; the default is yesterday.
 * --since: the last DURATION (90m, 26h, 2d, or seconds): its orders, each asked at WeChat (no bill).
 * --repair: repair the safe findings (a missing credit through the callback's own idempotent credit,
 * a stuck order closed or completed from WeChat's state, a level recomputed); the rest is reported.
 *
 * Exit status: 0 clean, 1 findings (repaired or not: the report says which), 2 could not run
 * (configuration, database, WeChat unreachable, the bill malformed, oversized or not matching its
 * SHA1: nothing changed), 3 another run holds the lock (GET_LOCK('zhimai-inspect') in the database:
 * one run at a time across hosts).
 *
 * The report goes to standard output (text or JSON); with --report-dir (or inspect.report_dir) also
 * inspect-<run>.txt and .json there; the run and its findings are stored (inspect_run,
 * inspect_finding) for the admin page 巡检记录; findings notify the admins.  It registers every
 * module's configuration keys (it reads the same zhimai.conf) but runs no HTTP code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "db.h"
#include "inspect.h"
#include "log.h"
#include "modules.h"
#include "wechatpay.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_CANNOT = 2, EXIT_BUSY = 3 };

static int usage(void)
{
    fprintf(stderr, "usage: zhimai-inspect [-c CONF] [--date YYYY-MM-DD | --since DURATION] [--repair]\n"
                    "                      [--format text|json] [--report-dir DIR] [--origin cron|manual] "
                    "[--no-notify]\n"
                    "exit: 0 clean, 1 findings, 2 could not run, 3 another run holds the lock\n");
    return EXIT_CANNOT;
}

/* 90m, 26h, 2d, 3600 (seconds) -> seconds; -1 when not one */
static long long duration_s(const char *s)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || v <= 0 || v > 366LL * 86400) {
        return -1;
    }
    if (*end == '\0' || strcmp(end, "s") == 0) {
        return v;
    }
    if (strcmp(end, "m") == 0) {
        return v * 60;
    }
    if (strcmp(end, "h") == 0) {
        return v * 3600;
    }
    if (strcmp(end, "d") == 0) {
        return v * 86400;
    }
    return -1;
}

int main(int argc, char **argv)
{
    const char *conf = NULL, *date = NULL, *since = NULL, *format = "text", *report_dir = NULL, *origin = "manual";
    inspect_opts_t o;
    inspect_result_t out;
    char err[512], day[11];
    zm_arena_t a;
    db_t *db;
    int rc, notify = 1;

    memset(&o, 0, sizeof(o));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
            date = argv[++i];
        } else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
            since = argv[++i];
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
        } else if (strcmp(argv[i], "--report-dir") == 0 && i + 1 < argc) {
            report_dir = argv[++i];
        } else if (strcmp(argv[i], "--origin") == 0 && i + 1 < argc) {
            origin = argv[++i];
        } else if (strcmp(argv[i], "--repair") == 0) {
            o.repair = 1;
        } else if (strcmp(argv[i], "--no-notify") == 0) {
            notify = 0;
        } else {
            return usage();
        }
    }
    if ((date && since) || (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) ||
        (strcmp(origin, "cron") != 0 && strcmp(origin, "manual") != 0)) {
        return usage();
    }
    if (zm_conf_register(zm_modules, err, sizeof(err)) != ZM_OK || zm_conf_load(conf, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "zhimai-inspect: %s\n", err);
        return EXIT_CANNOT;
    }
    zm_log_open(NULL, NULL, ZM_LOG_WARN);
    if (wxp_init() != ZM_OK) {
        fprintf(stderr, "zhimai-inspect: cannot initialise libcurl\n");
        return EXIT_CANNOT;
    }
    if (since) {
        long long s = duration_s(since);
        if (s < 0) {
            fprintf(stderr, "zhimai-inspect: --since %s: a duration like 90m, 26h, 2d\n", since);
            return EXIT_CANNOT;
        }
        o.window_end = (time_t)zm_now_s();
        o.window_start = o.window_end - (time_t)s;
    } else {
        if (date == NULL) {
            inspect_cn_date((time_t)zm_now_s() - 86400, day);
            date = day;
        }
        if (inspect_day_window(date, &o.window_start, &o.window_end) != ZM_OK) {
            fprintf(stderr, "zhimai-inspect: --date %s: not YYYY-MM-DD\n", date);
            return EXIT_CANNOT;
        }
        o.bill_date = date;
    }
    o.origin = origin;
    o.notify = notify;
    o.report_dir = report_dir ? report_dir : zm_conf_str("inspect.report_dir");
    db = db_open_configured(0);
    zm_arena_init(&a, 64 * 1024, 0);
    if (db == NULL || db_ping(db) != ZM_OK) {
        fprintf(stderr, "zhimai-inspect: cannot connect to the database: %s\n", db ? db_error(db) : "");
        db_close(db);
        zm_arena_destroy(&a);
        return EXIT_CANNOT;
    }
    rc = inspect_run(db, &a, &o, &out);
    if (rc == INSPECT_EBUSY) {
        fprintf(stderr, "zhimai-inspect: %s; exiting\n", out.error);
    } else {
        if (strcmp(format, "json") == 0 && out.report) {
            puts(json_object_to_json_string_ext(out.report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        } else if (out.text) {
            fputs(out.text, stdout);
        }
        if (rc != ZM_OK) {
            fprintf(stderr, "zhimai-inspect: could not run: %s\n", out.error ? out.error : zm_strerror(rc));
        } else if (out.findings) {
            /* cron mails stderr: one line a night with findings, nothing on a clean one */
            fprintf(stderr, "zhimai-inspect: run %lld: %lld findings, %lld repaired%s%s\n", (long long)out.run_id,
                    (long long)out.findings, (long long)out.repaired, out.files[0] ? "; report " : "",
                    out.files[0] ? out.files[0] : "");
        }
    }
    json_object_put(out.report);
    db_close(db);
    zm_arena_destroy(&a);
    if (rc == INSPECT_EBUSY) {
        return EXIT_BUSY;
    }
    if (rc != ZM_OK) {
        return EXIT_CANNOT;
    }
    return out.findings ? EXIT_FINDINGS : EXIT_CLEAN;
}
