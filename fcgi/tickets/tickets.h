/*
 * tickets.h -- feedback (意见收集, issue 17 item 2) and work orders (工单, item 3).
 *
 * Feedback: a user submits (category, text) and lists their own; admins list all, adopt (the
 * ledger credits points.feedback_reward once, key feedback:<id>:adopt) or decline, with a reply.
 * A review locks the row FOR UPDATE and moves it from pending once: a second (or concurrent) click
 * is TICKETS_ESTATE and credits nothing.
 *
 * Tickets: states open -> in_progress -> waiting_user -> resolved -> closed.  Staff move them
 * (tickets_staff_update), assign them to an admin and set the priority; the first staff reply sets
 * first_response_at (the SLA clock: first_response_due = created_at + the priority's
 * tickets.first_response_hours_*).  The owner's reply on waiting_user moves it to in_progress; on
 * resolved/closed within TICKETS_REOPEN_DAYS of done_at it reopens it (in_progress), later it is
 * TICKETS_EWINDOW.  Each change and reply tells the other side through msg_send() in the same
 * transaction.  A user sees only their own (another's: ZM_ENOTFOUND).
 * Tables: migrations/0022_tickets.sql.
 */
#ifndef ZM_TICKETS_H
#define ZM_TICKETS_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "storage.h"
#include "zm.h"

#define TICKETS_ESTATE (ZM_ERANGE_TICKETS - 0)    /* not allowed in the current state: 409 */
#define TICKETS_EWINDOW (ZM_ERANGE_TICKETS - 1)   /* reopen after the window: 409 */
#define TICKETS_EASSIGNEE (ZM_ERANGE_TICKETS - 2) /* assignee is not an active admin: 400 */

#define TICKETS_BODY_MAX 10000 /* characters of a feedback, description, reply, review reply */
#define TICKETS_SUBJECT_MAX 200
#define TICKETS_REOPEN_DAYS 7

#define TICKETS_FILE_MAX (2 << 20) /* bytes of a screenshot or an attachment */
#define TICKETS_FILES_MAX 3        /* attachments of a ticket or of a reply */

extern const char *const tickets_feedback_categories[]; /* NULL-terminated */
extern const char *const tickets_feedback_statuses[];
extern const char *const tickets_categories[];
extern const char *const tickets_statuses[];
extern const char *const tickets_priorities[];

/** May staff move a ticket from status `from` to `to` (different, both known)? */
int tickets_transition_ok(const char *from, const char *to);

/* ---- attached files (files.c) ---- */

/* a file to attach, checked: name sanitized, mime from tickets_file_type, 1..TICKETS_FILE_MAX bytes */
typedef struct {
    const char *name, *mime, *data;
    size_t len;
} tickets_file_t;

/** The MIME type a file is stored and served as, by its content: an image (PNG, JPEG, WebP); unless
 *  images_only, a PDF or plain text too.  NULL: refused. */
const char *tickets_file_type(const char *data, size_t len, int images_only);

/** Store n files for a feedback or a ticket (one of feedback_id / ticket_id; reply_id 0 or the reply)
 *  inside the caller's open transaction: a row each and the bytes (storage_put) before the commit. */
int tickets_files_save(db_t *db, zm_arena_t *a, storage_t *st, int64_t user_id, int64_t feedback_id, int64_t ticket_id,
                       int64_t reply_id, const tickets_file_t *files, size_t n);

/** [{id, reply_id, name, content_type, size}] of a feedback's or a ticket's files (empty on error). */
json_object *tickets_files_json(db_t *db, zm_arena_t *a, int64_t feedback_id, int64_t ticket_id);

typedef struct {
    const char *key, *name, *content_type;
} tickets_stored_t;

/** A feedback's screenshot (feedback_id > 0) or a ticket's file file_id, for its owner or staff;
 *  ZM_ENOTFOUND for anyone else or none. */
int tickets_file_find(db_t *db, zm_arena_t *a, int staff, int64_t user_id, int64_t feedback_id, int64_t ticket_id,
                      int64_t file_id, tickets_stored_t *f);

/* ---- feedback (feedback.c) ---- */

/** shot (may be NULL) is the screenshot, stored with the feedback in one transaction. */
int tickets_feedback_create(db_t *db, zm_arena_t *a, storage_t *st, int64_t user_id, const char *category,
                            const char *body, const tickets_file_t *shot, json_object **out);
/** user_id 0: everyone's (staff); status NULL: any. */
int tickets_feedback_list(db_t *db, zm_arena_t *a, int64_t user_id, const char *status, int64_t page, int64_t size,
                          json_object **items, int64_t *total);
/** adopt 1 / decline 0, by reviewer, with reply (may be ""). */
int tickets_feedback_review(db_t *db, zm_arena_t *a, int64_t reviewer_id, int64_t id, int adopt, const char *reply,
                            json_object **out);

/* ---- tickets (tickets.c) ---- */

/** files: nfiles attachments (0: none), stored in the same transaction. */
int tickets_create(db_t *db, zm_arena_t *a, storage_t *st, int64_t user_id, const char *category, const char *subject,
                   const char *description, const char *priority, const tickets_file_t *files, size_t nfiles,
                   json_object **out);
/** The user's own (staff 0: the user view) or, staff 1, the queue filtered by status/assignee
 *  (-1 any, 0 unassigned)/priority (NULL: any). */
int tickets_list(db_t *db, zm_arena_t *a, int staff, int64_t user_id, const char *status, int64_t assignee,
                 const char *priority, int64_t page, int64_t size, json_object **items, int64_t *total);
/** One ticket with its thread; a user's view when staff is 0 (another's: ZM_ENOTFOUND). */
int tickets_get(db_t *db, zm_arena_t *a, int staff, int64_t user_id, int64_t id, json_object **out);
/** A reply by the owner (staff 0) or staff, with nfiles attachments. */
int tickets_reply(db_t *db, zm_arena_t *a, storage_t *st, int staff, int64_t user_id, int64_t id, const char *body,
                  const tickets_file_t *files, size_t nfiles, json_object **out);

typedef struct {
    const char *status;   /* NULL: unchanged */
    const char *priority; /* NULL: unchanged */
    int set_assignee;     /* assignee_id given (0: unassign) */
    int64_t assignee_id;
} tickets_update_t;

int tickets_staff_update(db_t *db, zm_arena_t *a, int64_t staff_id, int64_t id, const tickets_update_t *u,
                         json_object **out);

#endif
