/*
 * actions.c -- like, dislike, cancel, accept, reject: the seed's state
 * machine on the one row of a pair, and the view each counted action adds.
 *
 *   pair row            like             dislike          accept/reject     cancel
 *   none                pending (me)     rejected (me)    404               404
 *   pending, from them  accepted         rejected         accepted/rejected 404
 *   pending, from me    409              409 (cancel it)  404               row deleted
 *   accepted            409              409              404               404
 *   rejected            pending (me)     rejected         404               404
 *
 * "(me)": the row's initiator (user1) becomes the caller.  A like on a
 * rejected pair is the seed's second chance (round 2 shows rejected users
 * again).  Every action but cancel adds one view row for the caller, and so
 * counts toward the day's four; a refused action writes nothing.
 */
#include <string.h>

#include "messages.h"
#include "partners.h"
#include "stats.h"

typedef enum { PAIR_NONE, PAIR_FROM_THEM, PAIR_FROM_ME, PAIR_ACCEPTED, PAIR_REJECTED } pair_state_t;

int partners_today_count(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, int64_t *count)
{
    char date[11];
    db_res_t res;
    int rc;

    partners_ny_date(now, date);
    rc = db_query(db, a, &res, "SELECT COUNT(*) FROM partners_userdailyview WHERE user_id = ? AND date = ?", "is",
                  user_id, date);
    if (rc == ZM_OK) {
        *count = db_int(&res, 0, 0);
    }
    return rc;
}

/* What act does to a pair in state st: the new status (NULL: delete the row), or an error. */
static int transition(partners_action_t act, pair_state_t st, const char **status, int *counted)
{
    *counted = act != PARTNERS_CANCEL;
    switch (act) {
    case PARTNERS_LIKE:
        if (st == PAIR_FROM_ME || st == PAIR_ACCEPTED) {
            return PARTNERS_ECONFLICT;
        }
        *status = st == PAIR_FROM_THEM ? "accepted" : "pending";
        return ZM_OK;
    case PARTNERS_DISLIKE:
        if (st == PAIR_FROM_ME || st == PAIR_ACCEPTED) {
            return PARTNERS_ECONFLICT;
        }
        *status = "rejected";
        return ZM_OK;
    case PARTNERS_ACCEPT:
    case PARTNERS_REJECT:
        if (st != PAIR_FROM_THEM) {
            return ZM_ENOTFOUND; /* nothing addressed to the caller */
        }
        *status = act == PARTNERS_ACCEPT ? "accepted" : "rejected";
        return ZM_OK;
    case PARTNERS_CANCEL:
        if (st != PAIR_FROM_ME) {
            return ZM_ENOTFOUND;
        }
        *status = NULL;
        return ZM_OK;
    }
    return ZM_EINVAL;
}

/* The other side hears of an invitation (a like that is now pending) and of an accepted one, in this
 * transaction (the message center's msg_send; its live hint leaves after the commit). */
static int tell_other(db_t *db, zm_arena_t *a, int64_t me, int64_t other, partners_action_t act, const char *status)
{
    msg_t m = {0};
    json_object *d;
    int rc;

    if (status == NULL) {
        return ZM_OK;
    }
    if (act == PARTNERS_LIKE && strcmp(status, "pending") == 0) {
        m.kind = "partner.invite";
        m.title = "有人邀请你一起练习面试";
        m.body = "一位练习伙伴向你发出了邀请，去「练习伙伴」看看并回应吧。";
    } else if (strcmp(status, "accepted") == 0) {
        m.kind = "partner.accepted";
        m.title = "练习伙伴接受了你的邀请";
        m.body = "你们已匹配成功，可以在「练习伙伴」中查看对方的联系方式。";
    } else {
        return ZM_OK;
    }
    d = json_object_new_object();
    json_object_object_add(d, "partner_id", json_object_new_int64(me));
    m.audience = MSG_TO_USER;
    m.user_id = other;
    m.data = d;
    rc = msg_send(db, a, &m, NULL);
    json_object_put(d);
    return rc;
}

static int act_once(db_t *db, zm_arena_t *a, int64_t me, int64_t other, partners_action_t act, time_t now,
                    const char **status, int64_t *today)
{
    int64_t low = me < other ? me : other, high = me < other ? other : me, n, match_id = 0;
    char date[11], ts[27];
    db_res_t res;
    pair_state_t st = PAIR_NONE;
    int counted, have_me = 0, have_other = 0, rc;

    partners_ny_date(now, date);
    partners_sql_time(now, ts);
    /* both profile rows, in id order: every counted action of the caller, and every action on this pair,
     * queue here; two users acting on each other lock in the same order, so they wait, never deadlock */
    rc = db_query(db, a, &res,
                  "SELECT user_id FROM partners_profile WHERE user_id IN (?, ?) ORDER BY user_id FOR UPDATE", "ii", low,
                  high);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        have_me |= db_int(&res, r, 0) == me;
        have_other |= db_int(&res, r, 0) == other;
    }
    if (!have_other) {
        return ZM_ENOTFOUND;
    }
    if (!have_me) {
        return PARTNERS_ENOPROFILE;
    }
    rc = db_query(db, a, &res,
                  "SELECT id, user1_id, status FROM partners_match WHERE user_low = ? AND user_high = ? FOR UPDATE",
                  "ii", low, high);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows > 0) {
        const char *s = db_val(&res, 0, 2);

        match_id = db_int(&res, 0, 0);
        if (strcmp(s, "accepted") == 0) {
            st = PAIR_ACCEPTED;
        } else if (strcmp(s, "rejected") == 0) {
            st = PAIR_REJECTED;
        } else {
            st = db_int(&res, 0, 1) == me ? PAIR_FROM_ME : PAIR_FROM_THEM;
        }
    }
    if ((rc = transition(act, st, status, &counted)) != ZM_OK) {
        return rc;
    }
    if (counted) {
        /* a locking read: the newest rows, not this transaction's snapshot */
        rc = db_query(db, a, &res,
                      "SELECT COUNT(*) FROM partners_userdailyview WHERE user_id = ? AND date = ? FOR UPDATE", "is", me,
                      date);
        if (rc != ZM_OK) {
            return rc;
        }
        *today = db_int(&res, 0, 0);
        if (*today >= PARTNERS_DAILY_LIMIT) {
            return PARTNERS_ELIMIT;
        }
        n = db_exec(db,
                    "INSERT INTO partners_userdailyview (user_id, viewed_user_id, date, slot, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    "iisis", me, other, date, *today + 1, ts);
        if (n == ZM_EDUP) {
            return PARTNERS_ELIMIT; /* the slot key: never a 5th row, even if the count above were wrong */
        }
        if (n < 0) {
            return (int)n;
        }
        (*today)++;
        n = db_exec(db, "UPDATE partners_profile SET last_active_at = ? WHERE user_id = ?", "si", ts, me);
        if (n < 0) {
            return (int)n;
        }
    }
    if (*status == NULL) {
        n = db_exec(db, "DELETE FROM partners_match WHERE id = ?", "i", match_id);
    } else if (st == PAIR_NONE) {
        n = db_exec(db,
                    "INSERT INTO partners_match (user1_id, user2_id, action_type, status, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    "iissss", me, other, act == PARTNERS_LIKE ? "like" : "dislike", *status, ts, ts);
    } else if (st == PAIR_REJECTED && act == PARTNERS_LIKE) {
        /* the second chance: the caller now invites */
        n = db_exec(db,
                    "UPDATE partners_match SET user1_id = ?, user2_id = ?, action_type = 'like', status = 'pending', "
                    "updated_at = ? WHERE id = ?",
                    "iisi", me, other, ts, match_id);
    } else {
        /* an answer to a pending like keeps the initiator's row (the seed: the earlier one stays) */
        n = db_exec(db, "UPDATE partners_match SET status = ?, updated_at = ? WHERE id = ?", "ssi", *status, ts,
                    match_id);
    }
    if (n == ZM_EDUP) {
        return ZM_EAGAIN; /* cannot happen under the locks above; retried if it does */
    }
    if (n >= 0 && *status && strcmp(*status, "accepted") == 0 && (n = stats_record(db, me, "mock_interview", 1)) == 0) {
        n = stats_record(db, other, "mock_interview", 1);
    }
    if (n < 0) {
        return (int)n;
    }
    return tell_other(db, a, me, other, act, *status);
}

int partners_act(db_t *db, zm_arena_t *a, int64_t user_id, int64_t other_id, partners_action_t act, time_t now,
                 json_object **out)
{
    const char *status = NULL;
    int64_t today = 0;
    int rc = ZM_EAGAIN;

    if (user_id == other_id) {
        return PARTNERS_ESELF;
    }
    if (other_id <= 0) {
        return ZM_ENOTFOUND;
    }
    /* a deadlock or lock wait timeout rolls the whole transaction back: try it again, a few times */
    for (int attempt = 0; attempt < 3 && rc == ZM_EAGAIN; attempt++) {
        if ((rc = db_begin(db)) != ZM_OK) {
            return rc;
        }
        today = 0;
        rc = act_once(db, a, user_id, other_id, act, now, &status, &today);
        if (rc == ZM_OK) {
            rc = db_commit(db);
        }
        if (rc != ZM_OK) {
            db_rollback(db);
        }
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (act == PARTNERS_CANCEL && (rc = partners_today_count(db, a, user_id, now, &today)) != ZM_OK) {
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "user_id", json_object_new_int64(other_id));
    json_object_object_add(*out, "status", json_object_new_string(status ? status : "cancelled"));
    json_object_object_add(*out, "today_count", json_object_new_int64(today));
    json_object_object_add(*out, "limit", json_object_new_int(PARTNERS_DAILY_LIMIT));
    return ZM_OK;
}
