/*
 * A user's live channel (tasks/live.h): channel names, what is refused before any publish,
 * nothing sent while live messages are off, and the request a publish makes (to a one-shot
 * HTTP listener on loopback standing in for nchan's publisher).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "live.h"
#include "zt.h"
#include "zt_modules.h"

static void load_conf(void)
{
    char err[256];

    ZT_CHECK(zm_conf_load(NULL, err, sizeof(err)) == ZM_OK);
}

static void test_channel_names(void)
{
    char buf[32];

    ZT_CHECK(live_user_channel(7, buf, sizeof(buf)) == ZM_OK && strcmp(buf, "user_7") == 0);
    ZT_CHECK(live_user_channel(9223372036854775807LL, buf, sizeof(buf)) == ZM_OK &&
             strcmp(buf, "user_9223372036854775807") == 0);
    ZT_CHECK(live_user_channel(0, buf, sizeof(buf)) == ZM_EINVAL);
    ZT_CHECK(live_user_channel(-3, buf, sizeof(buf)) == ZM_EINVAL);
    ZT_CHECK(live_user_channel(123456, buf, 6) == ZM_EINVAL); /* "user_123456" does not fit */
    ZT_CHECK(live_user_channel(1, NULL, 0) == ZM_EINVAL);
    /* the message center's broadcasts: one channel per role and one for everyone */
    ZT_STREQ(live_role_channel("seeker"), "role_seeker");
    ZT_STREQ(live_role_channel("hr"), "role_hr");
    ZT_STREQ(live_role_channel("admin"), "role_admin");
    ZT_STREQ(live_role_channel(NULL), "broadcast");
    ZT_CHECK(live_role_channel("boss") == NULL && live_role_channel("") == NULL && live_role_channel("Admin") == NULL);
}

static void test_refused_messages(void)
{
    json_object *o = json_object_new_object(), *arr = json_object_new_array();

    ZT_CHECK(live_user_publish(0, "application.status", o) == ZM_EINVAL);
    ZT_CHECK(live_user_publish(-1, "application.status", o) == ZM_EINVAL);
    ZT_CHECK(live_user_publish(5, NULL, o) == ZM_EINVAL);
    ZT_CHECK(live_user_publish(5, "", o) == ZM_EINVAL);
    ZT_CHECK(live_user_publish(5, "application.status", NULL) == ZM_EINVAL);
    ZT_CHECK(live_user_publish(5, "application.status", arr) == ZM_EINVAL);
    ZT_CHECK(live_role_publish("boss", "message.new", o) == ZM_EINVAL);
    ZT_CHECK(live_role_publish("hr", NULL, o) == ZM_EINVAL);
    ZT_CHECK(live_role_publish(NULL, "message.new", arr) == ZM_EINVAL);
    json_object_put(o);
    json_object_put(arr);
}

static void test_off_without_a_publisher(void)
{
    json_object *o = json_object_new_object();

    setenv("ZM_EVENTS_PUBLISH_URL", "", 1);
    load_conf();
    json_object_object_add(o, "application_id", json_object_new_int64(1));
    ZT_CHECK(live_user_publish(5, "application.status", o) == ZM_OK);
    ZT_CHECK(json_object_object_length(o) == 1); /* nothing built, nothing sent */
    json_object_put(o);
}

/* ---- a one-shot HTTP server: reads one request, answers 201 ---- */

static struct {
    int fd;
    char req[8192];
    size_t len;
} srv;

static void *serve(void *arg)
{
    int c = accept(srv.fd, NULL, NULL);
    const char *hdr_end, *cl;
    ssize_t n;

    (void)arg;
    if (c < 0) {
        return NULL;
    }
    while (srv.len < sizeof(srv.req) - 1 && (n = read(c, srv.req + srv.len, sizeof(srv.req) - 1 - srv.len)) > 0) {
        srv.len += (size_t)n;
        srv.req[srv.len] = '\0';
        hdr_end = strstr(srv.req, "\r\n\r\n");
        cl = strcasestr(srv.req, "Content-Length:");
        if (hdr_end && cl && srv.len >= (size_t)(hdr_end + 4 - srv.req) + strtoul(cl + 15, NULL, 10)) {
            break;
        }
    }
    static const char ok[] = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ZT_CHECK(write(c, ok, sizeof(ok) - 1) == (ssize_t)(sizeof(ok) - 1));
    close(c);
    return NULL;
}

static void test_publish_request(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    char url[64];
    pthread_t th;
    json_object *o = json_object_new_object(), *body, *v;
    const char *b;

    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    ZT_CHECK(srv.fd >= 0 && bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(srv.fd, 1) == 0);
    ZT_CHECK(getsockname(srv.fd, (struct sockaddr *)&sa, &sl) == 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/_events/pub/", ntohs(sa.sin_port));
    setenv("ZM_EVENTS_PUBLISH_URL", url, 1);
    load_conf();
    ZT_CHECK(pthread_create(&th, NULL, serve, NULL) == 0);

    json_object_object_add(o, "application_id", json_object_new_int64(11));
    json_object_object_add(o, "status", json_object_new_string("面试中"));
    ZT_CHECK(live_user_publish(42, "application.status", o) == ZM_OK);
    pthread_join(th, NULL);
    close(srv.fd);

    ZT_CHECK(strncmp(srv.req, "POST /_events/pub/user_42 HTTP/1.1\r\n", 36) == 0);
    ZT_CHECK(strcasestr(srv.req, "\r\nContent-Type: application/json\r\n") != NULL);
    b = strstr(srv.req, "\r\n\r\n");
    ZT_CHECK(b != NULL);
    body = b ? json_tokener_parse(b + 4) : NULL;
    ZT_CHECK(body != NULL);
    if (body) {
        ZT_CHECK(json_object_object_get_ex(body, "type", &v) &&
                 strcmp(json_object_get_string(v), "application.status") == 0);
        ZT_CHECK(json_object_object_get_ex(body, "application_id", &v) && json_object_get_int64(v) == 11);
        ZT_CHECK(json_object_object_get_ex(body, "status", &v) && strcmp(json_object_get_string(v), "面试中") == 0);
        /* "at": the wall clock, ISO 8601 UTC to the second */
        ZT_CHECK(json_object_object_get_ex(body, "at", &v) && strlen(json_object_get_string(v)) == 20 &&
                 json_object_get_string(v)[10] == 'T' && json_object_get_string(v)[19] == 'Z');
        json_object_put(body);
    }
    json_object_put(o);
    unsetenv("ZM_EVENTS_PUBLISH_URL");
}

int main(void)
{
    if (zt_register_modules() != 0) {
        return 1;
    }
    ZT_RUN(test_channel_names);
    ZT_RUN(test_refused_messages);
    ZT_RUN(test_off_without_a_publisher);
    ZT_RUN(test_publish_request);
    return zt_done();
}
