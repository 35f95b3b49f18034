#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "zm.h"
#include "zt.h"

static const zm_conf_key_t one_keys[] = {
    ZM_CONF_S("db.name", "zhimai", "# Database name."),
    ZM_CONF_S("db.user", "zhimai", "# Database user."),
    ZM_CONF_I("fcgi.workers", "0", 0, 64, "# Workers."),
    ZM_CONF_B("mail.smtp_starttls", "1", "# STARTTLS."),
    ZM_CONF_E("llm.provider", "builtin", "builtin|openai", "# Provider."),
    ZM_CONF_O("fcgi.socket_mode", "0660", 0, 0777, "# Mode."),
    ZM_CONF_N("llm.temperature", "0.2", 0, 2, "# Temperature."),
    ZM_CONF_I("http.max_body", "10551296", 1024, 1073741824LL, "# Body."),
};
static const zm_module_t one = {.name = "one", .conf = one_keys, .nconf = ZM_ARRAY_LEN(one_keys)};
static const zm_module_t *const mods[] = {&one, NULL};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static char *temp_file(char *path)
{
    int fd = mkstemp(path);
    close(fd);
    return path;
}

static void test_defaults_file_env(void)
{
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";

    temp_file(path);
    write_file(path, "# comment\n db.name = other \nfcgi.workers=3\n\n");
    setenv("ZM_DB_NAME", "from_env", 1);
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    ZT_STREQ(zm_conf_str("db.name"), "from_env");
    ZT_CHECK(zm_conf_int("fcgi.workers") == 3);
    ZT_STREQ(zm_conf_str("db.user"), "zhimai");
    ZT_CHECK(zm_conf_int("fcgi.socket_mode") == 0660);
    ZT_CHECK(zm_conf_bool("mail.smtp_starttls") == 1);
    unsetenv("ZM_DB_NAME");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    ZT_STREQ(zm_conf_str("db.name"), "other");
    unlink(path);
}

static void test_unknown_key_keeps_old(void)
{
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";

    temp_file(path);
    write_file(path, "fcgi.workers = 5\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    write_file(path, "fcgi.workers = 6\ndb.nmae = typo\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(strstr(err, "db.nmae") != NULL);
    ZT_CHECK(strstr(err, ":2:") != NULL); /* the line, for the operator */
    ZT_CHECK(zm_conf_int("fcgi.workers") == 5);
    write_file(path, "no equals sign\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(zm_conf_load("/nonexistent/zhimai.conf", err, sizeof(err)) == ZM_ERR);
    unlink(path);
}

/* a value that does not fit its key's type stops the load, naming file, line and key */
static void test_typed_values_checked_at_load(void)
{
    static const char *const bad[] = {
        "fcgi.workers = 65\n",          "fcgi.workers = -1\n",
        "fcgi.workers = 3x\n",          "fcgi.workers = \n",
        "fcgi.workers = 0x10\n",        "fcgi.workers = 99999999999999999999\n",
        "mail.smtp_starttls = maybe\n", "llm.provider = gpt\n",
        "fcgi.socket_mode = 0999\n",    "fcgi.socket_mode = -660\n",
        "llm.temperature = hot\n",      "llm.temperature = 3\n",
        "http.max_body = 100\n",
    };
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";

    temp_file(path);
    write_file(path, "fcgi.workers = 7\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    for (size_t i = 0; i < ZM_ARRAY_LEN(bad); i++) {
        char text[256];
        snprintf(text, sizeof(text), "# first line\n%s", bad[i]);
        write_file(path, text);
        err[0] = '\0';
        ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
        ZT_CHECK(strstr(err, path) != NULL && strstr(err, ":2:") != NULL);
        ZT_CHECK(strncmp(strstr(err, ":2: ") + 4, bad[i], strcspn(bad[i], " ")) == 0);
        ZT_CHECK(zm_conf_int("fcgi.workers") == 7); /* the old configuration stays */
    }
    write_file(path, "mail.smtp_starttls = off\nllm.provider = openai\nllm.temperature =\nfcgi.socket_mode = 600\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_OK);
    ZT_CHECK(zm_conf_bool("mail.smtp_starttls") == 0);
    ZT_STREQ(zm_conf_str("llm.provider"), "openai");
    ZT_STREQ(zm_conf_str("llm.temperature"), "");
    ZT_CHECK(zm_conf_int("fcgi.socket_mode") == 0600);

    /* the environment is checked the same way, and named */
    setenv("ZM_FCGI_WORKERS", "lots", 1);
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(strstr(err, "ZM_FCGI_WORKERS") != NULL);
    unsetenv("ZM_FCGI_WORKERS");
    unlink(path);
}

/* the tables themselves: found wrong at start-up, never at run time */
static void test_register_checks_tables(void)
{
    static const zm_conf_key_t dup_keys[] = {ZM_CONF_S("db.name", "x", "# Again.")};
    static const zm_conf_key_t bad_default[] = {ZM_CONF_I("x.n", "ten", 0, 10, "# N.")};
    static const zm_conf_key_t bad_name[] = {ZM_CONF_S("X.Name", "", "# N.")};
    static const zm_conf_key_t no_doc[] = {ZM_CONF_S("x.name", "", "N.")};
    static const zm_module_t dup = {.name = "dup", .conf = dup_keys, .nconf = 1};
    static const zm_module_t bd = {.name = "bd", .conf = bad_default, .nconf = 1};
    static const zm_module_t bn = {.name = "bn", .conf = bad_name, .nconf = 1};
    static const zm_module_t nd = {.name = "nd", .conf = no_doc, .nconf = 1};
    const zm_module_t *const twice[] = {&one, &dup, NULL};
    const zm_module_t *const l1[] = {&bd, NULL}, *const l2[] = {&bn, NULL}, *const l3[] = {&nd, NULL};
    char err[256];

    ZT_CHECK(zm_conf_register(twice, err, sizeof(err)) == ZM_EINVAL);
    ZT_CHECK(strstr(err, "db.name") != NULL);
    ZT_CHECK(zm_conf_register(l1, err, sizeof(err)) == ZM_EINVAL);
    ZT_CHECK(strstr(err, "x.n") != NULL);
    ZT_CHECK(zm_conf_register(l2, err, sizeof(err)) == ZM_EINVAL);
    ZT_CHECK(zm_conf_register(l3, err, sizeof(err)) == ZM_EINVAL);
    ZT_CHECK(zm_conf_register(mods, err, sizeof(err)) == ZM_OK);
    ZT_CHECK(zm_conf_load(NULL, err, sizeof(err)) == ZM_OK);
}

static void test_removed_trusted_proxies_says_where_the_trust_went(void)
{
    /* the app no longer believes X-Real-IP from anyone: a configuration that still lists proxies
     * fails to load, naming the key that replaces it, instead of silently changing what the
     * rate limits count */
    char err[256];
    char path[] = "/tmp/zm_conf_test_XXXXXX";

    temp_file(path);
    write_file(path, "http.trusted_proxies = 127.0.0.1\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(strstr(err, "nginx.real_ip_from") != NULL);
    write_file(path, "db.rw_timeout = 30\n");
    ZT_CHECK(zm_conf_load(path, err, sizeof(err)) == ZM_ERR);
    ZT_CHECK(strstr(err, "db.read_timeout") != NULL);
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
    char err[256];

    ZT_CHECK(zm_conf_register(mods, err, sizeof(err)) == ZM_OK);
    ZT_RUN(test_defaults_file_env);
    ZT_RUN(test_unknown_key_keeps_old);
    ZT_RUN(test_typed_values_checked_at_load);
    ZT_RUN(test_register_checks_tables);
    ZT_RUN(test_removed_trusted_proxies_says_where_the_trust_went);
    ZT_RUN(test_example_loads);
    return zt_done();
}
