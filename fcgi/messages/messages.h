/*
 * messages.h -- the message center (消息中心, issue 17): messages to one user, to a role, or to
 * everyone, and what each user has read.
 *
 * msg_send() is the one writer: the admins' 消息发布 and every domain's system messages
 * (application status, match invitations, payments, practice partners, tickets, inspection
 * findings) go through it.  It writes on the caller's handle, inside the caller's transaction
 * when one is open, and the live hint ({"type": "message.new", ...}: fcgi/tasks/live.h) leaves
 * only after that transaction commits (db_after_commit): a rolled-back message is never
 * announced.  A message to a role or to everyone is one row, announced once on the role's or the
 * broadcast channel, never once per user.
 *
 * Read state is per user: a row per message read, and a watermark set by "read all" (every
 * message of the user's up to it is read), so reading everything is one write however many
 * broadcasts there are.  A user sees their own messages, their role's and everyone's sent since
 * they joined; another user's message is "not found".  Tables: migrations/0016_messages.sql.
 */
#ifndef ZM_MESSAGES_H
#define ZM_MESSAGES_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

#define MSG_TITLE_MAX 200  /* characters */
#define MSG_BODY_MAX 20000 /* characters of Markdown */
#define MSG_DATA_MAX 8192  /* bytes of the data object's JSON */
#define MSG_KIND_MAX 32

#define MSG_EUSER (ZM_ERANGE_MESSAGES - 0) /* msg_send to a user who does not exist */

/* whom a message is for */
typedef enum { MSG_TO_USER = 1, MSG_TO_ROLE, MSG_TO_ALL } msg_audience_t;

typedef struct {
    msg_audience_t audience;
    int64_t user_id;   /* MSG_TO_USER: the addressee */
    const char *role;  /* MSG_TO_ROLE: "seeker", "hr" or "admin" */
    const char *kind;  /* what happened, 1..32 of [a-z0-9._]: "application.status", "admin.post" */
    const char *title; /* 1..MSG_TITLE_MAX characters, no control characters */
    const char *body;  /* Markdown, up to MSG_BODY_MAX characters; NULL for "" */
    json_object *data; /* a JSON object for the page (ids to link to) or NULL; stays the caller's */
    int64_t sender_id; /* the admin who posts it; 0 for the system */
} msg_t;

/** ZM_OK when m is a message msg_send takes; else ZM_EINVAL (ZM_ETOOBIG for a body or data over its cap). */
int msg_check(const msg_t *m);

/**
 * Write m on db (inside the caller's transaction when one is open: it commits or rolls back with
 * the caller's writes) and arrange its live hint for after the commit.  *id (may be NULL) gets the
 * message's id.  ZM_EINVAL / ZM_ETOOBIG for what msg_check refuses, MSG_EUSER for a user id that
 * is not a user, or a database code (the caller's transaction is then the caller's to roll back).
 * a holds the pending hint until the commit: the request's or task's arena.
 */
int msg_send(db_t *db, zm_arena_t *a, const msg_t *m, int64_t *id);

/** Who is reading: the user and their role name ("seeker", "hr", "admin"). */
typedef struct {
    int64_t user_id;
    const char *role;
} msg_reader_t;

/** The reader's messages, newest first: page (from 1) of size {id, kind, title, body, data, audience,
 *  read, created_at} into *items (a new array), the count into *total; unread_only keeps the unread. */
int msg_list(db_t *db, zm_arena_t *a, const msg_reader_t *who, int unread_only, int64_t page, int64_t size,
             json_object **items, int64_t *total);

#define MSG_UNREAD_CAP 100 /* the unread count stops there: the badge shows "99+" */

/** How many of the reader's messages are unread, up to MSG_UNREAD_CAP (the count walks at most that
 *  many unread entries per range, so its cost does not grow with a backlog). */
int msg_unread_count(db_t *db, zm_arena_t *a, const msg_reader_t *who, int64_t *count);

/** Mark message id read for the reader (again is fine); ZM_ENOTFOUND when it is not theirs. */
int msg_mark_read(db_t *db, zm_arena_t *a, const msg_reader_t *who, int64_t id);

/** Mark every message of the reader's read: one watermark row (and their single read rows below it
 *  dropped).  *marked (may be NULL) gets how many were unread.  Only what is committed when it runs
 *  is marked: a message whose id was allocated earlier but whose transaction commits later (a domain's
 *  msg_send inside its transaction) stays unread -- the watermark stops below it and the messages
 *  seen above it get a read row each. */
int msg_mark_all_read(db_t *db, zm_arena_t *a, const msg_reader_t *who, int64_t *marked);

#endif
