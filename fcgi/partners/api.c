/*
 * api.c -- /api/v1/partners: parse, validate, call the domain, render.
 *
 * The time: the clock's (zm_now_s), unless partners.test_clock is on (test stacks only),
 * when an X-Zm-Test-Now header (Unix seconds) stands for it, so tests can
 * cross New York midnight without waiting for it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "partners.h"
#include "partners_api.h"

static time_t request_now(zm_req_t *r)
{
    const char *h;
    char *end;
    long long v;

    if (!zm_conf_bool("partners.test_clock") || (h = zm_req_env(r, "HTTP_X_ZM_TEST_NOW")) == NULL) {
        return (time_t)zm_now_s();
    }
    errno = 0;
    v = strtoll(h, &end, 10);
    return errno == 0 && end != h && *end == '\0' && v > 0 ? (time_t)v : (time_t)zm_now_s();
}

static int reply_limit(zm_req_t *r, time_t now)
{
    time_t reset = partners_ny_next_midnight(now);
    char ts[21], secs[24];
    json_object *root = json_object_new_object(), *err = json_object_new_object();
    const char *body;

    partners_iso_time(reset, ts);
    snprintf(secs, sizeof(secs), "%lld", (long long)(reset - now));
    zm_reply_header(r, "Retry-After", secs);
    json_object_object_add(err, "code", json_object_new_string("daily_limit_reached"));
    json_object_object_add(err, "message", json_object_new_string(PARTNERS_LIMIT_MESSAGE));
    json_object_object_add(err, "reset_at", json_object_new_string(ts));
    json_object_object_add(err, "limit", json_object_new_int(PARTNERS_DAILY_LIMIT));
    json_object_object_add(root, "success", json_object_new_boolean(0));
    json_object_object_add(root, "error", err);
    zm_req_own(r, root);
    body = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    return zm_reply_raw(r, 429, "application/json; charset=utf-8", body, strlen(body));
}

static const zm_error_map_t partners_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "用户不存在或没有可操作的邀请"},
    {PARTNERS_ECONFLICT, 409, "conflict", "你们之间已有邀请或已匹配，不能重复操作"},
    {PARTNERS_ENOPROFILE, 400, "profile_required", "请先填写模拟面试伙伴资料"},
    {PARTNERS_ESELF, 400, "invalid_target", "不能对自己操作"},
};

/* the limit's answer carries when it resets, so it is not a table entry */
static int reply_rc(zm_req_t *r, int rc, time_t now)
{
    return rc == PARTNERS_ELIMIT ? reply_limit(r, now) : ZM_REPLY_MAPPED(r, partners_errors, rc);
}

int partners_api_profile_get(zm_req_t *r)
{
    json_object *out;
    int rc = partners_profile_get(r->db, r->a, r->user_id, &out);

    if (rc == ZM_ENOTFOUND) {
        return zm_reply_error(r, 404, "profile_not_found", "还没有填写模拟面试伙伴资料", NULL);
    }
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, 0);
}

/* an optional contact: "" when absent, null or blank */
static const char *contact(zm_form_t *f, json_object *contacts, const char *key, const char *field,
                           const char *(*check)(const char *), int *given)
{
    json_object *v;
    const char *s, *msg;

    if (!json_object_object_get_ex(contacts, key, &v) || v == NULL) {
        return "";
    }
    if (!json_object_is_type(v, json_type_string)) {
        zm_form_error(f, field, "必须是字符串");
        return "";
    }
    s = json_object_get_string(v);
    if (s[0] == '\0') {
        return "";
    }
    *given = 1;
    msg = strlen(s) != (size_t)json_object_get_string_len(v) ? "格式不正确" : check(s); /* a NUL inside */
    if (msg != NULL) {
        zm_form_error(f, field, msg);
        return "";
    }
    return s;
}

int partners_api_profile_put(zm_req_t *r)
{
    json_object *body, *v, *out;
    partners_profile_t p = {0};
    zm_form_t f;
    int rc, bool_v;

    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK;
    }
    p.experience_level = zm_form_str(&f, "experience_level", 1, 10);
    if (p.experience_level && !partners_experience_ok(p.experience_level)) {
        zm_form_error(&f, "experience_level", "必须是 应届、1-3年、3-5年、5年以上 之一");
    }
    p.job_type = zm_form_str(&f, "job_type", 1, 2);
    if (p.job_type && !partners_job_ok(p.job_type)) {
        zm_form_error(&f, "job_type", "必须是 DA、DS、DE、BA 之一");
    }
    if (!json_object_object_get_ex(body, "practice", &v) || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) == 0) {
        zm_form_error(&f, "practice", "请至少选择一项：technical、behavioral、case、statistics");
    } else {
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_object *e = json_object_array_get_idx(v, i);
            int bit = json_object_is_type(e, json_type_string) ? partners_practice_bit(json_object_get_string(e)) : 0;

            if (bit == 0) {
                zm_form_error(&f, "practice", "只能是 technical、behavioral、case、statistics");
                break;
            }
            p.practice |= bit;
        }
    }
    if (!json_object_object_get_ex(body, "contacts", &v) || !json_object_is_type(v, json_type_object)) {
        zm_form_error(&f, "contacts", "请填写联系方式：email、wechat、linkedin 至少一项");
    } else {
        int given = 0;

        p.email = contact(&f, v, "email", "contacts.email", partners_email_error, &given);
        p.wechat = contact(&f, v, "wechat", "contacts.wechat", partners_wechat_error, &given);
        p.linkedin = contact(&f, v, "linkedin", "contacts.linkedin", partners_linkedin_error, &given);
        if (!given) {
            zm_form_error(&f, "contacts", "请填写联系方式：email、wechat、linkedin 至少一项");
        }
    }
    if (json_object_object_get_ex(body, "target_companies", &v) && v != NULL) {
        size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;

        if (!json_object_is_type(v, json_type_array) || n > 10) {
            zm_form_error(&f, "target_companies", "最多 10 家公司的名称列表");
        } else {
            for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;

                if (s == NULL || s[0] == '\0' || strlen(s) != (size_t)json_object_get_string_len(e) ||
                    zm_utf8_chars(s, strlen(s)) > 100) {
                    zm_form_error(&f, "target_companies", "每家公司名称 1-100 个字符");
                    break;
                }
            }
            p.target_companies = v;
        }
    }
    p.industry = zm_form_str(&f, "industry", 0, 100);
    p.school = zm_form_str(&f, "school", 0, 100);
    p.intro = zm_form_str(&f, "intro", 0, 500);
    bool_v = zm_form_bool(&f, "is_active", 0);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    p.industry = p.industry ? p.industry : "";
    p.school = p.school ? p.school : "";
    p.intro = p.intro ? p.intro : "";
    p.is_active = bool_v != 0;
    rc = partners_profile_put(r->db, r->a, r->user_id, &p, request_now(r), &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, 0);
}

int partners_api_recommendations(zm_req_t *r)
{
    json_object *out;
    time_t now = request_now(r);
    int rc = partners_recommend(r->db, r->a, r->user_id, now, &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, now);
}

int partners_api_matches(zm_req_t *r)
{
    json_object *out;
    int rc = partners_matches(r->db, r->a, r->user_id, &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, 0);
}

static int act(zm_req_t *r, partners_action_t what)
{
    json_object *out;
    time_t now = request_now(r);
    int64_t other;
    int rc;

    /* user ids are Django's int AutoField: anything past 2^31 - 1 is nobody */
    if (zm_req_param_id(r, "user_id", &other) != ZM_OK || other > INT32_MAX) {
        return reply_rc(r, ZM_ENOTFOUND, now);
    }
    rc = partners_act(r->db, r->a, r->user_id, other, what, now, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, now);
}

int partners_api_like(zm_req_t *r)
{
    return act(r, PARTNERS_LIKE);
}

int partners_api_dislike(zm_req_t *r)
{
    return act(r, PARTNERS_DISLIKE);
}

int partners_api_cancel(zm_req_t *r)
{
    return act(r, PARTNERS_CANCEL);
}

int partners_api_accept(zm_req_t *r)
{
    return act(r, PARTNERS_ACCEPT);
}

int partners_api_reject(zm_req_t *r)
{
    return act(r, PARTNERS_REJECT);
}
