/*
 * content.h -- what the platform publishes and what a user keeps for
 * themselves (issue 17 items 4, 5, 7): the classic question bank (经典题库),
 * workplace news (职场动态) and calendar events (仪表盘 添加事件) with gold
 * members' e-mail reminders.
 *
 * Tables (migrations/0020_content.sql): content_question, content_news,
 * content_feed_state, content_event.  Times cross this API as Unix seconds;
 * the JSON it builds writes them as ISO 8601 UTC ("2030-01-15T01:00:00Z").
 */
#ifndef ZM_CONTENT_H
#define ZM_CONTENT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "zm.h"

/* caps (characters) on what admins and users write, and on a feed */
#define CONTENT_QUESTION_MAX 1000
#define CONTENT_WHY_MAX 1000
#define CONTENT_OUTLINE_ITEMS 12
#define CONTENT_OUTLINE_ITEM_MAX 300
#define CONTENT_TAG_MAX 64
#define CONTENT_NEWS_TITLE_MAX 300
#define CONTENT_NEWS_SOURCE_MAX 100
#define CONTENT_NEWS_SUMMARY_MAX 2000
#define CONTENT_NEWS_URL_MAX 2048
#define CONTENT_NEWS_TAGS 10
#define CONTENT_FEED_MAX_BYTES (4u << 20) /* a feed file or answer */
#define CONTENT_FEED_MAX_ITEMS 1000
#define CONTENT_EVENT_TITLE_MAX 200
#define CONTENT_EVENT_NOTES_MAX 2000
#define CONTENT_REMIND_MAX_MINUTES 40320 /* four weeks */

/* ---- shared (content.c) ---- */

/**
 * An ISO 8601 date-time with a zone: "2030-01-15T09:00:00+08:00", "...Z", seconds and a fraction
 * optional ("2030-01-15T09:00Z"), years 2000..2099.  ZM_OK with *out Unix seconds, else ZM_EINVAL.
 */
int content_time_parse(const char *s, int64_t *out);

/** Is s an absolute http(s) URL of at most CONTENT_NEWS_URL_MAX bytes, without spaces or controls? */
int content_url_ok(const char *s);

/* ---- the classic question bank (questions.c) ---- */

/** technical, project, behavioral, hr (NULL-terminated) and their labels (技术题 ...). */
extern const char *const content_categories[];
const char *content_category_label(const char *category);

typedef struct {
    const char *category; /* NULL: any (list) / unchanged (update) */
    const char *tag;      /* NULL: any / unchanged; "" none */
    const char *q;        /* list: words the question must hold, NULL any */
} content_qfilter_t;

typedef struct {
    const char *category, *tag, *question, *why; /* NULL: unchanged (update) */
    const char *const *outline;                  /* NULL: unchanged */
    int noutline;
} content_question_in_t;

/** One page of questions (by id), each {id, category, category_label, tag, question, why, outline: [...],
 *  source: "bank"|"admin"}. */
int content_question_list(db_t *db, zm_arena_t *a, const content_qfilter_t *f, int64_t page, int64_t size,
                          json_object **items, int64_t *total);
/** {categories: [{code, label, count}], tags: [{tag, count}]}: what the page's filters offer. */
int content_question_facets(db_t *db, zm_arena_t *a, json_object **out);
int content_question_get(db_t *db, zm_arena_t *a, int64_t id, json_object **out);
/** Every field required. */
int content_question_create(db_t *db, zm_arena_t *a, const content_question_in_t *in, json_object **out);
/** ZM_ENOTFOUND for no such question. */
int content_question_update(db_t *db, zm_arena_t *a, int64_t id, const content_question_in_t *in, json_object **out);
/** Insert the analyzer's bank questions not stored yet (by bank_key); *inserted how many. */
int content_questions_load(db_t *db, zm_arena_t *a, int64_t *inserted);

/* ---- workplace news (news.c, feed.c) ---- */

typedef struct {
    const char *title, *source, *url, *summary; /* NULL: unchanged (update) */
    const char *const *tags;                    /* NULL: unchanged */
    int ntags;
    int64_t published_at; /* 0: now (create), unchanged (update) */
} content_news_in_t;

/** Newest first: {id, title, source, url, summary, tags, published_at}. */
int content_news_list(db_t *db, zm_arena_t *a, int64_t page, int64_t size, json_object **items, int64_t *total);
/** ZM_EDUP when the URL is stored already. */
int content_news_create(db_t *db, zm_arena_t *a, const content_news_in_t *in, const char *origin, json_object **out);
/** ZM_ENOTFOUND, ZM_EDUP (the new URL belongs to another item). */
int content_news_update(db_t *db, zm_arena_t *a, int64_t id, const content_news_in_t *in, json_object **out);
int content_news_delete(db_t *db, int64_t id);

typedef struct {
    content_news_in_t *items;
    size_t n;
    size_t invalid; /* entries skipped: not an object, no title, a bad URL or time, over a cap */
} content_feed_t;

/**
 * Parse a JSON feed: an array of items, or an object with "items" holding one.  An item:
 * {"title", "url", "source"?, "summary"?, "tags"?: [..] or "a,b", "published_at"?: ISO 8601 or Unix
 * seconds}; text is trimmed of surrounding white space, control characters refused.  Entries that do
 * not pass are counted in out->invalid, not fatal.  ZM_EINVAL when data is not such a document,
 * ZM_ETOOBIG past CONTENT_FEED_MAX_BYTES or CONTENT_FEED_MAX_ITEMS.  now fills a missing published_at.
 */
int content_feed_parse(zm_arena_t *a, const char *data, size_t len, int64_t now, content_feed_t *out);

typedef struct {
    int64_t inserted, duplicates, invalid;
} content_import_t;

/** Parse data and insert each item whose URL is new (the unique key decides, so two imports at once
 *  insert each URL once). */
int content_news_import(db_t *db, zm_arena_t *a, const char *data, size_t len, int64_t now, content_import_t *res);

/** Read a feed: an http(s) URL (GET, bounded) or a file path.  *error says why not. */
int content_feed_read(zm_arena_t *a, const char *source, char **data, size_t *len, const char **error);

/** Claim the import due now (last run content.news_interval ago, or force): 1 claimed, 0 not due. */
int content_feed_claim(db_t *db, int64_t now, int64_t interval_s, int force);
int content_feed_record(db_t *db, const char *result);

/* ---- calendar events (calendar.c) ---- */

extern const char *const content_event_kinds[]; /* interview, deadline, other */

typedef struct {
    const char *title;   /* NULL: unchanged (update) */
    const char *kind;    /* NULL: unchanged */
    const char *notes;   /* NULL: unchanged */
    int64_t starts_at;   /* 0: unchanged */
    int set_remind;      /* update: 1 when remind_before_minutes was given (a value or null) */
    int64_t remind_mins; /* -1: no reminder */
} content_event_in_t;

/** The user's events by start (from, to: Unix seconds, 0 for open), {id, title, kind, starts_at, notes,
 *  remind_before_minutes, reminder: {state, at}}. */
int content_event_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t from, int64_t to, int64_t page, int64_t size,
                       json_object **items, int64_t *total);
int content_event_create(db_t *db, zm_arena_t *a, int64_t user_id, const content_event_in_t *in, json_object **out);
/** Another user's event and a missing one: ZM_ENOTFOUND.  A new start or lead time re-arms the reminder. */
int content_event_update(db_t *db, zm_arena_t *a, int64_t user_id, int64_t id, const content_event_in_t *in,
                         json_object **out);
int content_event_delete(db_t *db, int64_t user_id, int64_t id);

typedef struct {
    int64_t sent, not_member, late;
} content_remind_t;

/**
 * Reminders due at now: each due event is claimed once (UPDATE ... WHERE reminded_at IS NULL) in
 * the transaction that queues its mail.send task, for 黄金会员 (the 日历邮件提醒 benefit); the others
 * are marked not_member, and one due only after its start late.  At most limit events a call.
 */
int content_remind_due(db_t *db, zm_arena_t *a, int64_t now, int limit, content_remind_t *res);

/* ---- the dashboard (dashboard.c) ---- */

#define CONTENT_DASH_RECENT 5  /* records and news items on the dashboard */
#define CONTENT_DASH_EVENTS 10 /* coming events on the dashboard */

/**
 * The user's 仪表盘 in one answer (GET /api/v1/dashboard), so the page asks one endpoint once:
 * {monthly: stats_monthly's object, diagnoses: [...], predictions: [...] (analysis_recent, the
 * CONTENT_DASH_RECENT newest), news: {locked: false, items: [...], total} or {locked: true,
 * required_level: {code, label}} (the 职场动态 benefit), events: [the CONTENT_DASH_EVENTS next from
 * now, as content_event_list], events_total}.  Mock-interview records are not part of it yet.
 */
int content_dashboard(db_t *db, zm_arena_t *a, int64_t user_id, int64_t now, json_object **out);

#endif
