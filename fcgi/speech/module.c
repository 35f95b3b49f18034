/*
 * module.c -- speech (issue 18 item 3): text to speech and speech-recognition sessions, their
 * configuration, paths, task and purge rule.  The rules are speech.h; the tables
 * migrations/0024_speech.sql.
 */
#include "conf.h"
#include "registry.h"
#include "server.h"
#include "speech.h"
#include "speech_api.h"
#include "speech_int.h"
#include "speech_tasks.h"

_Static_assert(ZM_IN_RANGE(SPEECH_EOFF, ZM_ERANGE_SPEECH) && ZM_IN_RANGE(SPEECH_ESEQ, ZM_ERANGE_SPEECH),
               "speech's codes are in its range");

static const zm_conf_key_t speech_keys[] = {
    ZM_CONF_E("speech.tts_provider", "espeak", "espeak|openai|off",
              "# Text to speech: espeak (espeak-ng in process, offline: Mandarin cmn, English en), openai (an\n"
              "# OpenAI-compatible /v1/audio/speech at speech.tts_url) or off (the SPA shows text only)."),
    ZM_CONF_I("speech.tts_max_chars", "600", 1, 5000,
              "# Longest text one TTS request may speak, in characters (longer: 413).  It bounds how long a\n"
              "# FastCGI worker streams: espeak-ng makes 600 characters in well under a second."),
    ZM_CONF_I("speech.tts_per_minute", "60", 1, 100000, "# TTS requests a user may make a minute (then 429)."),
    ZM_CONF_I("speech.tts_buffer_ms", "200", 20, 2000,
              "# espeak-ng hands over audio in pieces of this many milliseconds; each is sent as it comes."),
    ZM_CONF_S("speech.tts_url", "", "# The OpenAI-compatible TTS base URL (https://api.openai.com/v1); empty: none."),
    ZM_CONF_S("speech.tts_key", "", "# Its API key (Bearer); never commit it."),
    ZM_CONF_S("speech.tts_model", "tts-1", "# Its model."),
    ZM_CONF_S("speech.tts_voice", "alloy", "# Its voice when a request names none."),
    ZM_CONF_E("speech.tts_format", "mp3", "mp3|wav|opus|aac|flac", "# The audio format asked of it."),
    ZM_CONF_I("speech.tts_timeout_ms", "15000", 100, 600000, "# Timeout of one remote TTS call, in milliseconds."),
    ZM_CONF_E("speech.asr_provider", "off", "openai|off",
              "# Speech recognition: openai (an OpenAI-compatible /v1/audio/transcriptions at speech.asr_url,\n"
              "# called by zhimai-worker) or off (start answers 503 asr_off: the SPA offers typing and the\n"
              "# browser's own recognition).  Alibaba's paraformer WebSocket API is not implemented."),
    ZM_CONF_S("speech.asr_url", "", "# The OpenAI-compatible ASR base URL (https://api.openai.com/v1); empty: none."),
    ZM_CONF_S("speech.asr_key", "", "# Its API key (Bearer); never commit it."),
    ZM_CONF_S("speech.asr_model", "whisper-1", "# Its model."),
    ZM_CONF_I("speech.asr_timeout_ms", "30000", 100, 600000, "# Timeout of one transcription call, in milliseconds."),
    ZM_CONF_I("speech.asr_starts_per_minute", "20", 1, 100000,
              "# Recognition sessions a user may start a minute (then 429)."),
    ZM_CONF_I("speech.asr_chunk_max", "262144", 1024, 16777216, "# Largest audio chunk one POST may carry (413)."),
    ZM_CONF_I("speech.asr_max_bytes", "10485760", 1024, 1073741824LL,
              "# Most audio one recognition session may hold (413 past it; clear starts again)."),
    ZM_CONF_I("speech.asr_chunks_per_minute", "240", 1, 100000,
              "# Audio chunks a session may send a minute (then 429)."),
    ZM_CONF_I("speech.asr_partial_bytes", "16000", 1024, 104857600,
              "# A partial transcript each time a session's audio grows by this many bytes (0.5 s of 16 kHz PCM,\n"
              "# about 5 s of a browser's WebM)."),
    ZM_CONF_I("speech.asr_purge_days", "1", 1, 3650,
              "# Recognition sessions (and their audio) are deleted this many days after their last change."),
};

static const zm_route_t speech_routes[] = {
    {"GET", "/api/v1/speech/capabilities", speech_api_capabilities, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/tts/stream", speech_api_tts, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/tts/stream", speech_api_tts_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/paraformer/start", speech_api_asr_start, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/paraformer/stop", speech_api_asr_stop, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/paraformer/clear", speech_api_asr_clear, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/paraformer/{asr_id}/audio", speech_api_asr_audio, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/paraformer/{asr_id}", speech_api_asr_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

static const task_type_t speech_tasks[] = {
    {"speech.transcribe", speech_task_transcribe, 0},
};

/* an abandoned session goes with its audio (speech_asr_chunk: ON DELETE CASCADE) */
static const task_purge_t speech_purges[] = {
    {"asr_sessions",
     "DELETE FROM speech_asr_session WHERE updated_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY id LIMIT ?",
     "speech.asr_purge_days"},
};

const zm_module_t zm_speech_module = {
    .name = "speech",
    .conf = speech_keys,
    .nconf = ZM_ARRAY_LEN(speech_keys),
    .init_process = speech_init_process,
    .routes = speech_routes,
    .nroutes = ZM_ARRAY_LEN(speech_routes),
    .tasks = speech_tasks,
    .ntasks = ZM_ARRAY_LEN(speech_tasks),
    .purges = speech_purges,
    .npurges = ZM_ARRAY_LEN(speech_purges),
    .metrics = speech_metrics,
};
