/*
 * dashboard.c -- the user's 仪表盘 in one answer (see content.h): the month's numbers (stats), the
 * newest diagnoses and interview predictions (analysis), 职场动态 as their membership allows (points)
 * and the coming calendar events.  Each part is one bounded read; the page makes one request.
 */
#include "analysis.h"
#include "content.h"
#include "points.h"
#include "stats.h"

int content_dashboard(db_t *db, zm_arena_t *a, int64_t user_id, int64_t now, json_object **out)
{
    json_object *o = json_object_new_object(), *part = NULL, *news;
    int64_t total = 0;
    int need = 0, rc;

    if ((rc = stats_monthly(db, a, user_id, &part)) != ZM_OK) {
        goto fail;
    }
    json_object_object_add(o, "monthly", part);
    if ((rc = analysis_recent(db, a, user_id, "diagnosis", CONTENT_DASH_RECENT, &part)) != ZM_OK) {
        goto fail;
    }
    json_object_object_add(o, "diagnoses", part);
    if ((rc = analysis_recent(db, a, user_id, "interview", CONTENT_DASH_RECENT, &part)) != ZM_OK) {
        goto fail;
    }
    json_object_object_add(o, "predictions", part);
    /* 职场动态 behind the same benefit as GET /api/v1/workplace-news/latest/list */
    news = json_object_new_object();
    json_object_object_add(o, "news", news);
    rc = points_require_benefit(db, a, user_id, POINTS_BENEFIT_NEWS, &need);
    if (rc == POINTS_ELEVEL) {
        json_object *lv = json_object_new_object();
        json_object_object_add(lv, "code", json_object_new_string(points_level_name(need)));
        json_object_object_add(lv, "label", json_object_new_string(points_level_label(need)));
        json_object_object_add(news, "locked", json_object_new_boolean(1));
        json_object_object_add(news, "required_level", lv);
    } else if (rc == ZM_OK) {
        if ((rc = content_news_list(db, a, 1, CONTENT_DASH_RECENT, &part, &total)) != ZM_OK) {
            goto fail;
        }
        json_object_object_add(news, "locked", json_object_new_boolean(0));
        json_object_object_add(news, "items", part);
        json_object_object_add(news, "total", json_object_new_int64(total));
    } else {
        goto fail;
    }
    /* the coming events: from now on, soonest first */
    if ((rc = content_event_list(db, a, user_id, now, 0, 1, CONTENT_DASH_EVENTS, &part, &total)) != ZM_OK) {
        goto fail;
    }
    json_object_object_add(o, "events", part);
    json_object_object_add(o, "events_total", json_object_new_int64(total));
    *out = o;
    return ZM_OK;
fail:
    json_object_put(o);
    return rc;
}
