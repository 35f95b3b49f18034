/*
 * The message center's rules without a database (messages/messages.h): what msg_check takes and
 * refuses, the role names; and db_after_commit's rule outside a transaction (runs at once) and
 * on a handle that never connected (a failed commit runs nothing).  Sending, reading and the
 * hint after the commit are tests/api/test_messages.py's.
 */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "messages.h"
#include "zt.h"

static msg_t base(void)
{
    msg_t m = {.audience = MSG_TO_USER,
               .user_id = 7,
               .kind = "application.status",
               .title = "申请状态更新",
               .body = "**你好**"};
    return m;
}

static char *repeat(const char *unit, size_t n)
{
    size_t k = strlen(unit);
    char *s = malloc(k * n + 1);

    for (size_t i = 0; i < n; i++) {
        memcpy(s + i * k, unit, k);
    }
    s[k * n] = '\0';
    return s;
}

static void test_check(void)
{
    msg_t m = base();
    json_object *d = json_object_new_object(), *arr = json_object_new_array();
    char *t200 = repeat("长", MSG_TITLE_MAX), *t201 = repeat("长", MSG_TITLE_MAX + 1);
    char *b_max = repeat("长", MSG_BODY_MAX), *b_over = repeat("a", MSG_BODY_MAX + 1);
    char *big = repeat("x", MSG_DATA_MAX);

    ZT_CHECK(msg_check(&m) == ZM_OK);
    m.body = NULL;
    ZT_CHECK(msg_check(&m) == ZM_OK); /* no body is an empty one */
    /* audiences */
    m = base(), m.user_id = 0;
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    m = base(), m.audience = MSG_TO_ROLE, m.role = "hr";
    ZT_CHECK(msg_check(&m) == ZM_OK);
    m.role = "boss";
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    m.role = NULL;
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    m = base(), m.audience = MSG_TO_ALL, m.user_id = 0;
    ZT_CHECK(msg_check(&m) == ZM_OK);
    m.audience = (msg_audience_t)9;
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    ZT_CHECK(msg_check(NULL) == ZM_EINVAL);
    /* kinds: [a-z0-9._], 1..32 */
    m = base(), m.kind = "inspection.finding";
    ZT_CHECK(msg_check(&m) == ZM_OK);
    m.kind = "ticket_reply2";
    ZT_CHECK(msg_check(&m) == ZM_OK);
    const char *bad_kinds[] = {"", "Application", "a b", "a-b", "状态", "abcdefghijklmnopqrstuvwxyz0123456"};
    for (size_t i = 0; i < ZM_ARRAY_LEN(bad_kinds); i++) {
        m.kind = bad_kinds[i];
        ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    }
    m.kind = NULL;
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    /* titles: 1..200 characters (not bytes) on one line */
    m = base(), m.title = t200;
    ZT_CHECK(msg_check(&m) == ZM_OK);
    m.title = t201;
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    const char *bad_titles[] = {"", "two\nlines", "tab\there", "del\x7f", "\xff\xfe bad UTF-8"};
    for (size_t i = 0; i < ZM_ARRAY_LEN(bad_titles); i++) {
        m.title = bad_titles[i];
        ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    }
    /* bodies: Markdown of any lines up to the cap; bad UTF-8 refused */
    m = base(), m.body = b_max;
    ZT_CHECK(msg_check(&m) == ZM_OK);
    m.body = b_over;
    ZT_CHECK(msg_check(&m) == ZM_ETOOBIG);
    m.body = "# 标题\n\n<script>x</script>\t\r\n";
    ZT_CHECK(msg_check(&m) == ZM_OK); /* stored as sent: the SPA renders it safely */
    m.body = "\xc3";
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    /* data: an object, capped */
    m = base(), m.data = d;
    ZT_CHECK(msg_check(&m) == ZM_OK);
    m.data = arr;
    ZT_CHECK(msg_check(&m) == ZM_EINVAL);
    json_object_object_add(d, "k", json_object_new_string(big));
    m.data = d;
    ZT_CHECK(msg_check(&m) == ZM_ETOOBIG);
    json_object_put(d);
    json_object_put(arr);
    free(t200), free(t201), free(b_max), free(b_over), free(big);
}

static void test_role_names(void)
{
    ZT_STREQ(acc_role_name(ZM_ROLE_SEEKER), "seeker");
    ZT_STREQ(acc_role_name(ZM_ROLE_HR), "hr");
    ZT_STREQ(acc_role_name(ZM_ROLE_ADMIN), "admin");
    ZT_STREQ(acc_role_name(0), "seeker");
}

static int ran;
static void hook(void *arg)
{
    ran += *(int *)arg;
}

static void test_after_commit(void)
{
    /* a handle to nowhere: it never connects, so no transaction ever opens */
    db_conf_t c = {.host = "127.0.0.1", .port = 1, .user = "nobody", .name = "none", .connect_timeout_s = 1};
    db_t *db = db_open(&c);
    int one = 1, ten = 10;

    ZT_CHECK(db != NULL && !db_in_transaction(db));
    db_after_commit(db, hook, &one); /* autocommit: at once */
    ZT_CHECK(ran == 1);
    ZT_CHECK(db_begin(db) != ZM_OK && !db_in_transaction(db));
    db_after_commit(db, hook, &ten);
    ZT_CHECK(ran == 11);
    ZT_CHECK(db_commit(db) != ZM_OK); /* nothing pending runs on a failed commit */
    ZT_CHECK(ran == 11);
    db_close(db);
}

int main(void)
{
    ZT_RUN(test_check);
    ZT_RUN(test_role_names);
    ZT_RUN(test_after_commit);
    return zt_done();
}
