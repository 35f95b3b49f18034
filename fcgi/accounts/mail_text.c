/*
 * mail_text.c -- the mails accounts send (verification and reset links, a
 * repeated registration), in Chinese, queued as mail.send tasks.
 */
#include <string.h>

#include "accounts.h"
#include "accounts_shared.h"
#include "conf.h"
#include "queue.h"

static int enqueue_mail(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *subject, const char *text)
{
    json_object *p = json_object_new_object();
    task_new_t t;
    int64_t id;
    int rc;

    json_object_object_add(p, "to", json_object_new_string(u->email));
    json_object_object_add(p, "subject", json_object_new_string(subject));
    json_object_object_add(p, "text", json_object_new_string(text));
    memset(&t, 0, sizeof(t));
    t.type = "mail.send";
    t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
    t.priority = TASK_PRIO_HIGH;
    t.user_id = u->id;
    json_object_put(p);
    rc = task_enqueue(db, &t, &id);
    return rc;
}

int acc_mail_verification(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token)
{
    char *text = zm_psprintf(a,
                             "您好%s%s，\n\n"
                             "感谢注册职麦。请打开下面的链接验证您的邮箱地址（24 小时内有效）：\n\n"
                             "%s/verify-email?token=%s\n\n"
                             "如果这不是您本人的操作，请忽略这封邮件。\n\n"
                             "—— 职麦团队\n",
                             u->first_name[0] ? " " : "", u->first_name, zm_conf_str("app.base_url"), token);

    return text ? enqueue_mail(db, a, u, "【职麦】请验证您的邮箱地址", text) : ZM_ENOMEM;
}

int acc_mail_reset(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token)
{
    char *text = zm_psprintf(
        a,
        "您好，\n\n"
        "我们收到了重置您职麦账户密码的请求。请打开下面的链接设置新密码（30 分钟内有效，仅可使用一次）：\n\n"
        "%s/reset-password?token=%s\n\n"
        "如果这不是您本人的操作，请忽略这封邮件，您的密码不会改变。\n\n"
        "—— 职麦团队\n",
        zm_conf_str("app.base_url"), token);

    return text ? enqueue_mail(db, a, u, "【职麦】重置您的密码", text) : ZM_ENOMEM;
}

/* To the owner of an address someone tried to register again: the answer to that attempt says nothing
 * about the address, so its owner hears of it here. */
int acc_mail_taken(db_t *db, zm_arena_t *a, const acc_user_t *u)
{
    const char *base = zm_conf_str("app.base_url");
    char *text = zm_psprintf(a,
                             "您好，\n\n"
                             "有人（也许是您本人）刚刚尝试用这个邮箱地址注册职麦。该地址已经注册过，"
                             "因此没有创建新账户，您的账户也没有任何变化。\n\n"
                             "如果是您本人：请直接登录 %s/login ；忘记了密码可以在 %s/forgot-password 重置。\n\n"
                             "如果不是您本人：请忽略这封邮件。\n\n"
                             "—— 职麦团队\n",
                             base, base);

    return text ? enqueue_mail(db, a, u, "【职麦】有人尝试用您的邮箱注册", text) : ZM_ENOMEM;
}
