/*
 * matching_tasks.h -- queue handlers of fcgi/matching.
 */
#ifndef ZM_MATCHING_TASKS_H
#define ZM_MATCHING_TASKS_H

#include "registry.h"

/** matching.run {"match_task_id"}: one run (match_run). */
int matching_task_run(task_ctx_t *ctx, json_object **result, char **error);
/** matching.features: features for versions that lack them (or have another version's). */
int matching_task_features(task_ctx_t *ctx, json_object **result, char **error);

#endif
