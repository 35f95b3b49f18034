/*
 * speech_tasks.h -- speech's task handlers (tasks.c), for module.c.
 */
#ifndef ZM_SPEECH_TASKS_H
#define ZM_SPEECH_TASKS_H

#include "registry.h"

/** speech.transcribe {"asr_id", "generation", "final"}: speech_asr_transcribe(); result {"asr_id", "final"}. */
int speech_task_transcribe(task_ctx_t *ctx, json_object **result, char **error);

#endif
