/*
 * The parts of the task queue that need no database: the type registry,
 * wake-up addresses and datagrams, and what task_enqueue() refuses before
 * it touches the connection.  The rest runs live in tests/api/test_tasks.py.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "queue.h"
#include "registry.h"
#include "zt.h"
#include "zt_modules.h"

static void load_conf(void)
{
    char err[256];

    ZT_CHECK(zm_conf_load(NULL, err, sizeof(err)) == ZM_OK);
}

static void test_registry(void)
{
    unsetenv("ZM_TASKS_TEST_HANDLERS");
    load_conf();
    ZT_CHECK(task_lookup("maintenance.purge") != NULL);
    ZT_CHECK(task_lookup("maintenance.purge")->handler == task_maintenance_purge);
    ZT_CHECK(task_lookup("test.echo") == NULL); /* test types stay unknown in production */
    ZT_CHECK(task_lookup("nope") == NULL);
    ZT_CHECK(task_lookup("") == NULL);
    ZT_CHECK(task_lookup(NULL) == NULL);

    setenv("ZM_TASKS_TEST_HANDLERS", "1", 1);
    load_conf();
    ZT_CHECK(task_lookup("test.echo") != NULL && task_lookup("test.echo")->handler == task_test_echo);
    ZT_CHECK(task_lookup("test.sleep") != NULL && task_lookup("test.sleep")->handler == task_test_sleep);
    ZT_CHECK(task_lookup("test.fail") != NULL && task_lookup("test.fail")->handler == task_test_fail);
    ZT_CHECK(task_lookup("test.") == NULL);
    unsetenv("ZM_TASKS_TEST_HANDLERS");
    load_conf();
}

static void test_addr_parse(void)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;

    ZT_CHECK(task_addr_parse("127.0.0.1:7071", &ss, &len) == ZM_OK);
    ZT_CHECK(ss.ss_family == AF_INET && ntohs(in4->sin_port) == 7071 && len == sizeof(*in4));
    ZT_CHECK(in4->sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    ZT_CHECK(task_addr_parse("[::1]:9", &ss, &len) == ZM_OK);
    ZT_CHECK(ss.ss_family == AF_INET6 && ntohs(in6->sin6_port) == 9);
    ZT_CHECK(task_addr_parse("localhost:7071", &ss, &len) == ZM_OK);

    ZT_CHECK(task_addr_parse(NULL, &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("127.0.0.1", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse(":7071", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("127.0.0.1:", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("127.0.0.1:0", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("127.0.0.1:65536", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("127.0.0.1:70x", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("::1:7071", &ss, &len) == ZM_EINVAL); /* bare IPv6 */
    ZT_CHECK(task_addr_parse("[::1]7071", &ss, &len) == ZM_EINVAL);
    ZT_CHECK(task_addr_parse("[::1:7071", &ss, &len) == ZM_EINVAL);
}

/* task_wake() reaches a socket bound where tasks.wake_addr says, and is a no-op when it is empty */
static void test_wake(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    char addr[64], buf[16];
    struct pollfd pfd;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    ZT_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    ZT_CHECK(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sa.sin_port));
    setenv("ZM_TASKS_WAKE_ADDR", addr, 1);
    load_conf();

    task_wake();
    task_wake();
    pfd = (struct pollfd){.fd = fd, .events = POLLIN};
    ZT_CHECK(poll(&pfd, 1, 2000) == 1);
    ZT_CHECK(recv(fd, buf, sizeof(buf), 0) == 1);
    ZT_CHECK(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == 1);

    setenv("ZM_TASKS_WAKE_ADDR", "", 1);
    load_conf();
    task_wake();
    setenv("ZM_TASKS_WAKE_ADDR", "not an address", 1);
    load_conf();
    task_wake(); /* warns once, sends nothing, does not crash */
    task_wake();
    ZT_CHECK(poll(&pfd, 1, 100) == 0);
    unsetenv("ZM_TASKS_WAKE_ADDR");
    load_conf();
    close(fd);
}

/* Refusals happen before the connection is used: this handle points nowhere. */
static void test_enqueue_refuses(void)
{
    db_conf_t dc = {.socket = "/nonexistent/mysqld.sock", .user = "x", .name = "x", .connect_timeout_s = 1};
    db_t *db = db_open(&dc);
    char longname[TASK_TYPE_MAX + 2];
    int64_t id = -1;

    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ZT_CHECK(db != NULL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = NULL}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = ""}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "has space"}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = longname}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .priority = 3}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .priority = -1}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .delay_s = -1}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .max_attempts = -1}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .user_id = -1}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .dedupe_key = ""}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .payload_json = "[1]"}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .payload_json = "{'a':1}"}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .payload_json = "{\"a\":1} x"}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .payload_json = "{\"a\":"}, &id) == ZM_EINVAL);
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .payload_json = ""}, &id) == ZM_EINVAL);
    {
        static const char *bad[] = {
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":+1}",
            "{\"a\":tru}",
            "{\"a\":1,}",
            "{,}",
            "{\"a\"}",
            "{a:1}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12G4\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{} {}",
            "{\"a\":\"\xff\"}",
            "null",
            "\"s\"",
            "{/* c */}",
        };
        for (size_t i = 0; i < ZM_ARRAY_LEN(bad); i++) {
            int rc = task_enqueue(db, &(task_new_t){.type = "t", .payload_json = bad[i]}, &id);
            if (rc != ZM_EINVAL) {
                fprintf(stderr, "accepted bad payload %s\n", bad[i]);
            }
            ZT_CHECK(rc == ZM_EINVAL);
        }
    }
    {
        /* nesting beyond the cap is refused, up to it accepted (as far as the absent server) */
        char deep[300];
        size_t n = 0;
        deep[n++] = '{';
        deep[n++] = '"';
        deep[n++] = 'a';
        deep[n++] = '"';
        deep[n++] = ':';
        for (int i = 0; i < 100; i++) {
            deep[n++] = '[';
        }
        for (int i = 0; i < 100; i++) {
            deep[n++] = ']';
        }
        deep[n++] = '}';
        deep[n] = '\0';
        ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .payload_json = deep}, &id) == ZM_EINVAL);
    }
    ZT_CHECK(id == -1);
    {
        static const char *good[] = {
            "{}",
            " { } ",
            "{\"a\":1}",
            "{\"a\":-0.5e+10,\"b\":[true,false,null,{}],\"c\":\"\\u4e2d\\n\\\"\"}",
            "{\"中\":\"文\"}",
            "{\"a\":[[[]]], \"b\" : 0, \"c\": 1E3}",
        };
        for (size_t i = 0; i < ZM_ARRAY_LEN(good); i++) {
            int rc = task_enqueue(db, &(task_new_t){.type = "t", .payload_json = good[i]}, &id);
            if (rc != ZM_EDBDOWN) {
                fprintf(stderr, "refused good payload %s\n", good[i]);
            }
            ZT_CHECK(rc == ZM_EDBDOWN);
        }
    }
    /* valid input gets as far as the (absent) server */
    ZT_CHECK(task_enqueue(db, &(task_new_t){.type = "t", .payload_json = "{\"a\": [1, \"\\u4e2d\"]}"}, &id) ==
             ZM_EDBDOWN);
    db_close(db);
}

int main(void)
{
    if (zt_register_modules() != 0) {
        return 1;
    }
    if (task_registry_init(zm_modules) != 0) {
        return 1;
    }
    ZT_RUN(test_registry);
    ZT_RUN(test_addr_parse);
    ZT_RUN(test_wake);
    ZT_RUN(test_enqueue_refuses);
    return zt_done();
}
