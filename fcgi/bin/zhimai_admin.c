/*
 * zhimai-admin -- the operator's command line.
 *
 *   zhimai-admin [-c CONFIG] createsuperuser --email EMAIL [--username NAME] [--password-stdin]
 *   zhimai-admin [-c CONFIG] create-user --email EMAIL --role seeker|hr|admin [--password-stdin]
 *   zhimai-admin [-c CONFIG] set-role EMAIL seeker|hr|admin
 *   zhimai-admin [-c CONFIG] ledger-adjust --user ID --points N --reason TEXT --key KEY
 *   zhimai-admin [-c CONFIG] recharge-credit --user ID --order NO --fen N [--package week|month|quarter]
 *
 * ledger-adjust appends a compensating row to the points ledger (N may be negative, never below the
 * balance); the same KEY again changes nothing (exit 0, "already applied").  The ledgers are
 * append-only: a mistake is corrected by another row, never by editing one.  recharge-credit credits
 * a paid order through the same idempotent function the payment callback uses (a transfer to the
 * company account, seed 003's 付款码（企业对公收款账号）; the inspector's repair).
 *
 * Without --password-stdin a random password is generated and printed once.
 * Users made here count as verified (the operator vouches for the address).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "modules.h"
#include "points.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: zhimai-admin [-c CONFIG] createsuperuser --email EMAIL [--username NAME] [--password-stdin]\n"
            "       zhimai-admin [-c CONFIG] create-user --email EMAIL --role ROLE [--password-stdin]\n"
            "       zhimai-admin [-c CONFIG] set-role EMAIL seeker|hr|admin\n"
            "       zhimai-admin [-c CONFIG] ledger-adjust --user ID --points N --reason TEXT --key KEY\n"
            "       zhimai-admin [-c CONFIG] recharge-credit --user ID --order NO --fen N [--package P]\n");
    return 2;
}

static int read_password(char *buf, size_t len)
{
    size_t n;

    if (fgets(buf, (int)len, stdin) == NULL) {
        return -1;
    }
    n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    return 0;
}

static int create(db_t *db, zm_arena_t *a, const char *email, const char *username, int role, int pw_stdin)
{
    char pw[300];
    const char *why;
    acc_user_t u;
    int rc;

    if ((why = acc_check_email(email)) != NULL) {
        fprintf(stderr, "zhimai-admin: email: %s\n", why);
        return 1;
    }
    if (pw_stdin) {
        if (read_password(pw, sizeof(pw)) != 0) {
            fprintf(stderr, "zhimai-admin: no password on standard input\n");
            return 1;
        }
    } else {
        unsigned char raw[12];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2base64(pw, sizeof(pw), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
    if ((why = acc_check_password(pw, email)) != NULL) {
        fprintf(stderr, "zhimai-admin: password: %s\n", why);
        return 1;
    }
    rc = acc_register(db, a, email, pw, username, NULL, role, 0, &u);
    if (rc == ACC_EEMAIL_TAKEN || rc == ACC_EUSERNAME_TAKEN) {
        fprintf(stderr, "zhimai-admin: %s is already taken\n", rc == ACC_EEMAIL_TAKEN ? "that email" : "that username");
        return 1;
    }
    if (rc != ZM_OK) {
        fprintf(stderr, "zhimai-admin: cannot create the user (%d): %s\n", rc, db_error(db));
        return 1;
    }
    printf("created user %lld <%s> role %s\n", (long long)u.id, u.email, acc_role_name(u.role));
    if (!pw_stdin) {
        printf("password: %s\n", pw);
    }
    return 0;
}

/* a whole decimal integer, or ZM_EINVAL */
static int parse_int(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0') {
        return ZM_EINVAL;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return ZM_EINVAL;
    }
    *out = v;
    return ZM_OK;
}

static int ledger_adjust(db_t *db, zm_arena_t *a, const char *user_s, const char *points_s, const char *reason,
                         const char *key)
{
    int64_t user, points;
    points_result_t res;
    int rc;

    if (parse_int(user_s, &user) != ZM_OK || user <= 0 || parse_int(points_s, &points) != ZM_OK || points == 0 ||
        points > 100000000 || points < -100000000 || reason == NULL || reason[0] == '\0' || key == NULL ||
        key[0] == '\0' || strlen(key) > 150) {
        return usage();
    }
    rc = points_adjust(db, a, user, points, key, reason, &res);
    if (rc == POINTS_ESHORT) {
        fprintf(stderr, "zhimai-admin: user %lld has %lld points: %lld more needed\n", (long long)user,
                (long long)res.balance, (long long)res.shortfall);
        return 1;
    }
    if (rc == POINTS_ECONFLICT) {
        fprintf(stderr, "zhimai-admin: key %s was used for another adjustment\n", key);
        return 1;
    }
    if (rc == ZM_ENOTFOUND) {
        fprintf(stderr, "zhimai-admin: no user %lld\n", (long long)user);
        return 1;
    }
    if (rc != ZM_OK) {
        fprintf(stderr, "zhimai-admin: ledger-adjust failed (%s): %s\n", zm_strerror(rc), db_error(db));
        return 1;
    }
    printf("%s: user %lld balance %lld (row %lld)\n", res.duplicate ? "already applied" : "applied", (long long)user,
           (long long)res.balance, (long long)res.ledger_id);
    return 0;
}

static int recharge_credit(db_t *db, zm_arena_t *a, const char *user_s, const char *order, const char *fen_s,
                           const char *package)
{
    int64_t user, fen;
    points_credit_t c;
    int rc;

    if (parse_int(user_s, &user) != ZM_OK || user <= 0 || parse_int(fen_s, &fen) != ZM_OK || fen <= 0 ||
        fen > zm_conf_int("points.max_recharge_fen") || order == NULL || order[0] == '\0') {
        return usage();
    }
    rc = points_credit_recharge(db, a, user, order, fen, package, (time_t)time(NULL), &c);
    if (rc != ZM_OK) {
        fprintf(stderr, "zhimai-admin: recharge-credit failed (%s%s): %s\n", zm_strerror(rc),
                rc == POINTS_ECONFLICT ? ": the order was credited with another amount" : "", db_error(db));
        return 1;
    }
    printf("%s: user %lld points %lld cumulative %lld fen level %s\n", c.duplicate ? "already credited" : "credited",
           (long long)user, (long long)c.points.balance, (long long)c.recharge_fen, points_level_name(c.level));
    return 0;
}

int main(int argc, char **argv)
{
    const char *conf = NULL, *email = NULL, *username = NULL, *role_s = NULL, *cmd = NULL;
    const char *user_s = NULL, *points_s = NULL, *reason = NULL, *key = NULL, *order = NULL, *fen_s = NULL,
               *package = NULL;
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0, pw_stdin = 0, rc;
    char err[512];
    zm_arena_t a;
    db_t *db;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--email") == 0 && i + 1 < argc) {
            email = argv[++i];
        } else if (strcmp(argv[i], "--username") == 0 && i + 1 < argc) {
            username = argv[++i];
        } else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            role_s = argv[++i];
        } else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
            user_s = argv[++i];
        } else if (strcmp(argv[i], "--points") == 0 && i + 1 < argc) {
            points_s = argv[++i];
        } else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc) {
            reason = argv[++i];
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            key = argv[++i];
        } else if (strcmp(argv[i], "--order") == 0 && i + 1 < argc) {
            order = argv[++i];
        } else if (strcmp(argv[i], "--fen") == 0 && i + 1 < argc) {
            fen_s = argv[++i];
        } else if (strcmp(argv[i], "--package") == 0 && i + 1 < argc) {
            package = argv[++i];
        } else if (strcmp(argv[i], "--password-stdin") == 0) {
            pw_stdin = 1;
        } else if (argv[i][0] == '-') {
            return usage();
        } else if (cmd == NULL) {
            cmd = argv[i];
        } else if (npos < 3) {
            pos[npos++] = argv[i];
        } else {
            return usage();
        }
    }
    if (cmd == NULL) {
        return usage();
    }
    if (sodium_init() < 0 || zm_conf_register(zm_modules, err, sizeof(err)) != ZM_OK ||
        zm_conf_load(conf, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "zhimai-admin: %s\n", err);
        return 1;
    }
    zm_log_open(NULL, NULL, ZM_LOG_WARN);
    if (acc_init() != ZM_OK) {
        return 1;
    }
    db = db_open_configured(0);
    zm_arena_init(&a, 64 * 1024, 0);
    if (db == NULL || db_ping(db) != ZM_OK) {
        fprintf(stderr, "zhimai-admin: cannot connect to the database: %s\n", db ? db_error(db) : "");
        return 1;
    }
    if (strcmp(cmd, "createsuperuser") == 0 && email && npos == 0) {
        rc = create(db, &a, email, username, ZM_ROLE_ADMIN, pw_stdin);
    } else if (strcmp(cmd, "create-user") == 0 && email && role_s && npos == 0) {
        int role = acc_role_parse(role_s);
        rc = role ? create(db, &a, email, username, role, pw_stdin) : usage();
    } else if (strcmp(cmd, "set-role") == 0 && npos == 2) {
        acc_user_t u;
        int role = acc_role_parse(pos[1]);
        if (role == 0) {
            rc = usage();
        } else if (acc_find_by_email(db, &a, pos[0], &u) != ZM_OK) {
            fprintf(stderr, "zhimai-admin: no user with email %s\n", pos[0]);
            rc = 1;
        } else if (acc_admin_update(db, &a, u.id, role, -1, &u) != ZM_OK) {
            fprintf(stderr, "zhimai-admin: cannot update %s: %s\n", pos[0], db_error(db));
            rc = 1;
        } else {
            printf("%s is now %s\n", u.email, acc_role_name(u.role));
            rc = 0;
        }
    } else if (strcmp(cmd, "ledger-adjust") == 0 && npos == 0) {
        rc = ledger_adjust(db, &a, user_s, points_s, reason, key);
    } else if (strcmp(cmd, "recharge-credit") == 0 && npos == 0) {
        rc = recharge_credit(db, &a, user_s, order, fen_s, package);
    } else {
        rc = usage();
    }
    db_close(db);
    zm_arena_destroy(&a);
    return rc;
}
