/*
 * api.c -- the points paths of seed 003: parse, validate, call the domain,
 * render.  And the refusals other features answer with (points_api.h).
 */
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "points.h"
#include "points_api.h"
#include "str.h"

static int reply_error_obj(zm_req_t *r, int status, json_object *err)
{
    json_object *root = json_object_new_object();
    const char *body;

    json_object_object_add(root, "success", json_object_new_boolean(0));
    json_object_object_add(root, "error", err);
    zm_req_own(r, root);
    body = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return zm_reply_raw(r, status, "application/json; charset=utf-8", body, strlen(body));
}

int points_reply_level(zm_req_t *r, points_benefit_t benefit, int needed_level)
{
    json_object *err = json_object_new_object(), *lv = json_object_new_object();

    json_object_object_add(lv, "code", json_object_new_string(points_level_name(needed_level)));
    json_object_object_add(lv, "label", json_object_new_string(points_level_label(needed_level)));
    json_object_object_add(err, "code", json_object_new_string("membership_required"));
    json_object_object_add(err, "message",
                           json_object_new_string(zm_psprintf(r->a, "%s需要%s及以上", points_benefit_label(benefit),
                                                              points_level_label(needed_level))));
    json_object_object_add(err, "benefit", json_object_new_string(points_benefit_name(benefit)));
    json_object_object_add(err, "required_level", lv);
    return reply_error_obj(r, 403, err);
}

int points_reply_short(zm_req_t *r, int64_t shortfall, int64_t balance, int64_t price)
{
    json_object *err = json_object_new_object();

    json_object_object_add(err, "code", json_object_new_string("insufficient_points"));
    json_object_object_add(err, "message",
                           json_object_new_string(zm_psprintf(r->a, "积分不足，还差 %lld 积分", (long long)shortfall)));
    json_object_object_add(err, "shortfall", json_object_new_int64(shortfall));
    json_object_object_add(err, "balance", json_object_new_int64(balance));
    json_object_object_add(err, "price", json_object_new_int64(price));
    return reply_error_obj(r, 402, err);
}

static const zm_error_map_t points_errors[] = {
    {POINTS_ECONFLICT, 409, "conflict", "该操作已用另一组参数记账"},
    {POINTS_EPACKAGE, 400, "unknown_package", "没有这个套餐"},
    {ZM_EINVAL, 400, "invalid", "参数不正确"},
};

int points_reply_rc(zm_req_t *r, int rc, const points_result_t *res, int64_t price)
{
    if (rc == POINTS_ESHORT) {
        return points_reply_short(r, res ? res->shortfall : 0, res ? res->balance : 0, price);
    }
    return ZM_REPLY_MAPPED(r, points_errors, rc);
}

int points_api_subscription(zm_req_t *r)
{
    json_object *out;
    int rc = points_subscription(r->db, r->a, r->user_id, (time_t)zm_now_s(), &out);

    if (rc == ZM_OK) {
        /* the recharge limits the SPA checks before it asks (the order endpoint checks them again) */
        json_object_object_add(out, "min_recharge_fen", json_object_new_int64(points_min_recharge_fen()));
        json_object_object_add(out, "max_recharge_fen", json_object_new_int64(zm_conf_int("points.max_recharge_fen")));
    }
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : points_reply_rc(r, rc, NULL, 0);
}

int points_api_balance(zm_req_t *r)
{
    points_status_t st;
    json_object *out;
    int rc = points_status(r->db, r->a, r->user_id, (time_t)zm_now_s(), &st);

    if (rc != ZM_OK) {
        return points_reply_rc(r, rc, NULL, 0);
    }
    out = json_object_new_object();
    json_object_object_add(out, "points", json_object_new_int64(st.points));
    json_object_object_add(out, "expiring_points", json_object_new_int64(st.expiring_points));
    json_object_object_add(out, "level", json_object_new_string(points_level_name(st.level)));
    json_object_object_add(out, "level_label", json_object_new_string(points_level_label(st.level)));
    return zm_reply_data(r, 200, out);
}

int points_api_history(zm_req_t *r)
{
    zm_page_t page;
    json_object *items;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = points_history(r->db, r->a, r->user_id, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : points_reply_rc(r, rc, NULL, 0);
}

int points_api_consume_duration(zm_req_t *r)
{
    static const char *const kinds[] = {"mock_interview", "meeting", NULL};
    json_object *body, *out;
    points_result_t res;
    zm_form_t f;
    const char *session;
    int64_t seconds, minutes, charged;
    int kind, need, rc;
    points_benefit_t benefit;

    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK;
    }
    session = zm_form_str(&f, "session_id", 1, 64);
    if (session && !zm_str_is_token(session, 1, 64)) {
        zm_form_error(&f, "session_id", "只能包含字母、数字、- 和 _");
    }
    seconds = zm_form_int(&f, "seconds", 1, 1, 86400, 0);
    kind = zm_form_enum(&f, "kind", 0, kinds, "只能是 mock_interview 或 meeting");
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    kind = kind < 0 ? 0 : kind;
    benefit = kind == 1 ? POINTS_BENEFIT_MEETING : POINTS_BENEFIT_MOCK_INTERVIEW;
    rc = points_require_benefit(r->db, r->a, r->user_id, benefit, &need);
    if (rc == POINTS_ELEVEL) {
        return points_reply_level(r, benefit, need);
    }
    if (rc != ZM_OK) {
        return points_reply_rc(r, rc, NULL, 0);
    }
    rc = points_consume_duration(r->db, r->a, r->user_id, kinds[kind], session, seconds, &minutes, &charged, &res);
    if (rc != ZM_OK) {
        return points_reply_rc(r, rc, &res, points_price(kinds[kind]));
    }
    out = json_object_new_object();
    json_object_object_add(out, "session_id", json_object_new_string(session));
    json_object_object_add(out, "kind", json_object_new_string(kinds[kind]));
    json_object_object_add(out, "minutes", json_object_new_int64(minutes));
    json_object_object_add(out, "charged", json_object_new_int64(charged));
    json_object_object_add(out, "price_per_minute", json_object_new_int64(points_price(kinds[kind])));
    json_object_object_add(out, "balance", json_object_new_int64(res.balance));
    return zm_reply_data(r, 200, out);
}
