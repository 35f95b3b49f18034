/*
 * speech_api.h -- speech's handlers (api.c), for module.c.
 */
#ifndef ZM_SPEECH_API_H
#define ZM_SPEECH_API_H

#include "http.h"

int speech_api_capabilities(zm_req_t *r);
int speech_api_tts(zm_req_t *r);
int speech_api_tts_get(zm_req_t *r);
int speech_api_asr_start(zm_req_t *r);
int speech_api_asr_audio(zm_req_t *r);
int speech_api_asr_stop(zm_req_t *r);
int speech_api_asr_clear(zm_req_t *r);
int speech_api_asr_get(zm_req_t *r);

#endif
