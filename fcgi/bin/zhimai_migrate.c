/*
 * zhimai-migrate -- applies migrations/NNNN_name.sql in order, once each.
 *
 *   zhimai-migrate [-c CONFIG] [-d DIR] up       apply what is pending
 *   zhimai-migrate [-c CONFIG] [-d DIR] status   list applied and pending
 *   zhimai-migrate [-c CONFIG] normalize-emails  rewrite stored email addresses
 *                                                to their normal form (email.h)
 *
 * Each file runs as one multi-statement script; its version, name and
 * SHA-256 are recorded in zm_schema_migrations after it succeeds.  MySQL
 * commits DDL implicitly, so a file that fails half-way is reported and
 * must be fixed by hand: keep one change per file.  A named lock keeps two
 * runs (two hosts deploying at once) from interleaving.
 *
 * Some data changes SQL cannot express (Unicode NFKC): such a step runs in C
 * just before the file of its version, and is idempotent, so a step that
 * fails leaves nothing recorded and the next run does it all again.
 */
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "email.h"
#include "http.h"
#include "log.h"
#include "modules.h"

/* ER_BINLOG_CREATE_ROUTINE_NEED_SUPER of MySQL and MariaDB (mysqld_error.h stays in the db layer) */
#define ER_BINLOG_CREATE_ROUTINE_NEED_SUPER_ 1419

#define MAX_FILES 1000
#define MAX_SQL (4 * 1024 * 1024)

typedef struct {
    int version;
    char name[256];
    char checksum[65];
} mig_t;

static int normalize_emails(db_t *db, zm_arena_t *a)
{
    auth_email_migration_t st;
    int rc = auth_email_migrate(db, a, &st);

    if (rc != ZM_OK) {
        fprintf(stderr, "zhimai-migrate: normalize-emails: %s\n", db_error(db));
        return rc;
    }
    printf("normalize-emails: %ld users, %ld rewritten, %ld left for an operator (same address as another)\n",
           st.checked, st.changed, st.conflicts);
    return ZM_OK;
}

/* C steps, each run just before the migration file of its version */
static const struct {
    int version;
    int (*run)(db_t *db, zm_arena_t *a);
} steps[] = {
    {5, normalize_emails}, /* before 0005_auth_hardening.sql */
};

static int cmp_mig(const void *a, const void *b)
{
    return ((const mig_t *)a)->version - ((const mig_t *)b)->version;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        return NULL;
    }
    buf = zm_xmalloc(MAX_SQL + 1);
    n = fread(buf, 1, MAX_SQL + 1, f);
    fclose(f);
    if (n > MAX_SQL) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int list_files(const char *dir, mig_t *out, int *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    *n = 0;
    if (d == NULL) {
        fprintf(stderr, "zhimai-migrate: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        size_t len = strlen(nm);
        if (len < 10 || len >= sizeof(out[0].name) || strcmp(nm + len - 4, ".sql") != 0 || nm[4] != '_') {
            continue;
        }
        if (!(nm[0] >= '0' && nm[0] <= '9' && nm[1] >= '0' && nm[1] <= '9' && nm[2] >= '0' && nm[2] <= '9' &&
              nm[3] >= '0' && nm[3] <= '9')) {
            continue;
        }
        if (*n == MAX_FILES) {
            break;
        }
        out[*n].version = atoi(nm);
        snprintf(out[*n].name, sizeof(out[*n].name), "%s", nm);
        (*n)++;
    }
    closedir(d);
    qsort(out, (size_t)*n, sizeof(mig_t), cmp_mig);
    for (int i = 1; i < *n; i++) {
        if (out[i].version == out[i - 1].version) {
            fprintf(stderr, "zhimai-migrate: two files with version %04d\n", out[i].version);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *conf = NULL, *dir = "migrations", *cmd = NULL;
    static mig_t files[MAX_FILES];
    int nfiles, rc = 0, applied_now = 0;
    char err[512];
    zm_arena_t a;
    db_res_t res;
    db_t *db;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (cmd == NULL && (strcmp(argv[i], "up") == 0 || strcmp(argv[i], "status") == 0 ||
                                   strcmp(argv[i], "normalize-emails") == 0)) {
            cmd = argv[i];
        } else {
            cmd = NULL;
            break;
        }
    }
    if (cmd == NULL) {
        fprintf(stderr, "usage: zhimai-migrate [-c CONFIG] [-d DIR] up|status|normalize-emails\n");
        return 2;
    }
    if (sodium_init() < 0 || zm_conf_register(zm_modules, err, sizeof(err)) != ZM_OK ||
        zm_conf_load(conf, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "zhimai-migrate: %s\n", err);
        return 1;
    }
    nfiles = 0;
    if (strcmp(cmd, "normalize-emails") != 0 && list_files(dir, files, &nfiles) != 0) {
        return 1;
    }
    db = db_open_configured(600); /* a migration may rebuild a large table */
    zm_arena_init(&a, 64 * 1024, 0);
    if (db == NULL || db_ping(db) != ZM_OK) {
        fprintf(stderr, "zhimai-migrate: cannot connect to the database: %s\n", db ? db_error(db) : "out of memory");
        return 1;
    }
    if (db_exec_script(db, "CREATE TABLE IF NOT EXISTS zm_schema_migrations ("
                           " version INT NOT NULL PRIMARY KEY,"
                           " name VARCHAR(255) NOT NULL,"
                           " checksum CHAR(64) NOT NULL,"
                           " applied_at DATETIME(6) NOT NULL"
                           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci") != ZM_OK) {
        fprintf(stderr, "zhimai-migrate: %s\n", db_error(db));
        return 1;
    }
    if (db_query(db, &a, &res, "SELECT GET_LOCK('zhimai_migrate', 60)", NULL) != ZM_OK || db_int(&res, 0, 0) != 1) {
        fprintf(stderr, "zhimai-migrate: another migration run holds the lock\n");
        return 1;
    }
    if (strcmp(cmd, "normalize-emails") == 0) {
        rc = normalize_emails(db, &a) == ZM_OK ? 0 : 1;
    }

    for (int i = 0; i < nfiles; i++) {
        char path[4096];
        size_t len = 0;
        char *sql;

        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
        sql = read_file(path, &len);
        if (sql == NULL) {
            fprintf(stderr, "zhimai-migrate: %s: %s\n", path, strerror(errno));
            rc = 1;
            break;
        }
        zm_sha256_hex(sql, len, files[i].checksum);
        if (db_query(db, &a, &res, "SELECT checksum FROM zm_schema_migrations WHERE version = ?", "I",
                     files[i].version) != ZM_OK) {
            fprintf(stderr, "zhimai-migrate: %s\n", db_error(db));
            free(sql);
            rc = 1;
            break;
        }
        if (res.nrows == 1) {
            int same = strcmp(db_val(&res, 0, 0), files[i].checksum) == 0;
            if (strcmp(cmd, "status") == 0 || !same) {
                printf("applied  %s%s\n", files[i].name, same ? "" : "  (file changed since it was applied!)");
            }
            free(sql);
            continue;
        }
        if (strcmp(cmd, "status") == 0) {
            printf("pending  %s\n", files[i].name);
            free(sql);
            continue;
        }
        for (size_t k = 0; k < ZM_ARRAY_LEN(steps) && rc == 0; k++) {
            if (steps[k].version == files[i].version && steps[k].run(db, &a) != ZM_OK) {
                rc = 1;
            }
        }
        if (rc != 0) {
            free(sql);
            break;
        }
        if (db_exec_script(db, sql) != ZM_OK) {
            fprintf(stderr, "zhimai-migrate: %s failed: %s\n", files[i].name, db_error(db));
            if (db_errno(db) == ER_BINLOG_CREATE_ROUTINE_NEED_SUPER_) {
                /* MySQL 8 (or MariaDB) with binary logging: CREATE TRIGGER (the ledgers' append-only
                 * triggers, 0011) needs SUPER unless the server trusts routine creators */
                fprintf(stderr,
                        "zhimai-migrate: the server logs binary and refuses CREATE TRIGGER from a user without "
                        "SUPER.\n"
                        "  Fix (once, as an administrator), then run zhimai-migrate up again:\n"
                        "    SET PERSIST log_bin_trust_function_creators = 1;   -- MySQL 8 (SET GLOBAL on MariaDB, "
                        "and log_bin_trust_function_creators = 1 under [mysqld] in my.cnf)\n"
                        "  or apply %s once as a user with SUPER (README.md, Configuration: MySQL 8).\n",
                        files[i].name);
            }
            free(sql);
            rc = 1;
            break;
        }
        free(sql);
        if (db_exec(db,
                    "INSERT INTO zm_schema_migrations (version, name, checksum, applied_at) "
                    "VALUES (?, ?, ?, UTC_TIMESTAMP(6))",
                    "Iss", files[i].version, files[i].name, files[i].checksum) < 0) {
            fprintf(stderr, "zhimai-migrate: recording %s: %s\n", files[i].name, db_error(db));
            rc = 1;
            break;
        }
        printf("applied  %s\n", files[i].name);
        applied_now++;
    }
    if (rc == 0 && strcmp(cmd, "up") == 0) {
        printf("%d migration(s) applied, %d in all\n", applied_now, nfiles);
    }
    db_query(db, &a, &res, "SELECT RELEASE_LOCK('zhimai_migrate')", NULL);
    db_close(db);
    zm_arena_destroy(&a);
    return rc;
}
