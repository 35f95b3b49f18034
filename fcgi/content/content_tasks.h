/*
 * content_tasks.h -- zhimai-worker's content tasks (tasks.c).
 */
#ifndef ZM_CONTENT_TASKS_H
#define ZM_CONTENT_TASKS_H

#include "registry.h"

/** content.load_questions: the analyzer's bank into content_question (new questions only). */
int content_task_load_questions(task_ctx_t *ctx, json_object **result, char **error);
/** content.news_import {"force"?, "feed"?}: the feed (content.news_feed) once per content.news_interval. */
int content_task_news_import(task_ctx_t *ctx, json_object **result, char **error);
/** content.remind {"now"?}: the calendar reminders due now. */
int content_task_remind(task_ctx_t *ctx, json_object **result, char **error);

#endif
