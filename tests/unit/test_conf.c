#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "zm.h"
#include "zt.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_defaults_file_env(void)
{
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    write_file(path, "# comment\n db.name = other \nfcgi.workers=3\n\n");
    setenv("ZM_DB_NAME", "from_env", 1);
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    ZT_STREQ(zm_conf_str("db.name"), "from_env");
    ZT_CHECK(zm_conf_int("fcgi.workers") == 3);
    ZT_STREQ(zm_conf_str("db.user"), "zhimai");
    unsetenv("ZM_DB_NAME");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    ZT_STREQ(zm_conf_str("db.name"), "other");
    unlink(path);
}

static void test_unknown_key_keeps_old(void)
{
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    write_file(path, "fcgi.workers = 5\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    write_file(path, "fcgi.workers = 6\ndb.nmae = typo\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(strstr(err, "db.nmae") != NULL);
    ZT_CHECK(zm_conf_int("fcgi.workers") == 5);
    write_file(path, "no equals sign\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(zm_conf_load("/nonexistent/zhimai.conf", err, sizeof(err)) == ZM_ERR);
    unlink(path);
}

static void test_removed_trusted_proxies_says_where_the_trust_went(void)
{
    /* the app no longer believes X-Real-IP from anyone: a configuration that still lists proxies
     * fails to load, naming the key that replaces it, instead of silently changing what the
     * rate limits count */
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    write_file(path, "http.trusted_proxies = 127.0.0.1\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(strstr(err, "nginx.real_ip_from") != NULL);
    unlink(path);
}

static void test_example_loads(void)
{
    /* the example documents every key with its default: loading it must work */
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    zm_conf_write_example(f);
    fclose(f);
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    ZT_CHECK(zm_conf_int("http.max_body") == 10551296);
    unlink(path);
}

int main(void)
{
    ZT_RUN(test_defaults_file_env);
    ZT_RUN(test_unknown_key_keeps_old);
    ZT_RUN(test_removed_trusted_proxies_says_where_the_trust_went);
    ZT_RUN(test_example_loads);
    return zt_done();
}
