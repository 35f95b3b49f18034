/*
 * Speech (fcgi/speech/speech.h) without a stack: the WAV header both ways, PCM wrapped for a
 * provider, the cache key, the voices a request may name, espeak-ng in process (real audio
 * through a sink, the cap, the cache in a temporary storage directory) and the HTTP layer's
 * streamed reply without a FastCGI request.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "conf.h"
#include "http.h"
#include "speech.h"
#include "speech_int.h"
#include "zt.h"
#include "zt_modules.h"

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_wav_header(void)
{
    unsigned char h[44];

    speech_wav_header(h, 22050, 1000);
    ZT_CHECK(memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVEfmt ", 8) == 0 && memcmp(h + 36, "data", 4) == 0);
    ZT_CHECK(le32(h + 4) == 1036 && le32(h + 40) == 1000);
    ZT_CHECK(le32(h + 16) == 16 && h[20] == 1 && h[22] == 1); /* PCM, mono */
    ZT_CHECK(le32(h + 24) == 22050 && le32(h + 28) == 44100 && h[32] == 2 && h[34] == 16);
    /* a stream: both sizes unknown */
    speech_wav_header(h, 16000, 0xFFFFFFFFu);
    ZT_CHECK(le32(h + 4) == 0xFFFFFFFFu && le32(h + 40) == 0xFFFFFFFFu && le32(h + 24) == 16000);
}

static void test_pcm_to_wav(void)
{
    zm_arena_t a;
    char *w;
    size_t n;

    zm_arena_init(&a, 4096, 0);
    ZT_CHECK(speech_pcm_to_wav(&a, "\1\2\3\4\5", 5, 16000, &w, &n) == ZM_OK);
    ZT_CHECK(n == 49 && memcmp(w + 44, "\1\2\3\4\5", 5) == 0);
    /* an odd byte is not a sample: the data size counts whole samples */
    ZT_CHECK(le32((unsigned char *)w + 40) == 4 && le32((unsigned char *)w + 24) == 16000);
    zm_arena_destroy(&a);
}

static void test_cache_key(void)
{
    zm_arena_t a;
    speech_tts_req_t q = {.text = "你好", .lang = SPEECH_LANG_ZH, .speed = 1.0};

    zm_arena_init(&a, 4096, 0);
    const char *k1 = speech_tts_cache_key(&a, &q);
    ZT_CHECK(k1 && strncmp(k1, "speech/tts/", 11) == 0 && strlen(k1) == 11 + 64 + 4 && strcmp(k1 + 75, ".wav") == 0);
    ZT_STREQ(speech_tts_cache_key(&a, &q), k1);
    q.speed = 1.25;
    const char *k2 = speech_tts_cache_key(&a, &q);
    q.speed = 1.0;
    q.lang = SPEECH_LANG_EN;
    const char *k3 = speech_tts_cache_key(&a, &q);
    q.lang = SPEECH_LANG_ZH;
    q.text = "你好 ";
    const char *k4 = speech_tts_cache_key(&a, &q);
    q.text = "你好";
    q.voice = "cmn"; /* the language's own voice named: the same sound, the same key */
    const char *k5 = speech_tts_cache_key(&a, &q);
    ZT_CHECK(strcmp(k1, k2) != 0 && strcmp(k1, k3) != 0 && strcmp(k1, k4) != 0);
    ZT_STREQ(k5, k1);
    zm_arena_destroy(&a);
}

static void test_voices(void)
{
    ZT_CHECK(speech_voice_ok("cmn") && speech_voice_ok("en") && speech_voice_ok("en-gb"));
    ZT_CHECK(!speech_voice_ok("") && !speech_voice_ok("../en") && !speech_voice_ok("zh") &&
             !speech_voice_ok("en/../../x"));
}

typedef struct {
    zm_arena_t *a;
    zm_buf_t out;
    int began, cached, writes;
    char type[32];
} sink_t;

static int s_begin(void *ctx, const char *type, int cached)
{
    sink_t *s = ctx;
    s->began++;
    s->cached = cached;
    snprintf(s->type, sizeof(s->type), "%s", type);
    return 0;
}

static int s_write(void *ctx, const void *data, size_t len)
{
    sink_t *s = ctx;
    s->writes++;
    return zm_buf_append(s->a, &s->out, data, len, 0);
}

static void test_espeak(void)
{
    zm_arena_t a;
    sink_t s = {0};
    speech_sink_t sink = {s_begin, s_write, &s};
    speech_tts_req_t q = {.text = "你好，请介绍一下你自己。", .lang = SPEECH_LANG_ZH, .speed = 1.0};
    const char *detail;
    size_t i, loud = 0;

    zm_arena_init(&a, 1 << 16, 0);
    s.a = &a;
    ZT_CHECK(speech_init_process() == ZM_OK);
    ZT_CHECK(speech_tts_ready());
    ZT_CHECK(speech_tts(&a, &q, &sink, &detail) == ZM_OK);
    ZT_CHECK(s.began == 1 && !s.cached && strcmp(s.type, "audio/wav") == 0);
    ZT_CHECK(s.writes > 2);           /* the header, then pieces as espeak made them */
    ZT_CHECK(s.out.len > 44 + 22050); /* more than half a second at 22 kHz */
    ZT_CHECK(le32((unsigned char *)s.out.data + 40) == 0xFFFFFFFFu);
    for (i = 44; i + 1 < s.out.len; i += 2) {
        int16_t v = (int16_t)((unsigned char)s.out.data[i] | (unsigned char)s.out.data[i + 1] << 8);
        loud += v > 3000 || v < -3000;
    }
    ZT_CHECK(loud > 1000); /* speech, not silence */

    /* again: from the cache, an ordinary WAV with the same samples */
    size_t first = s.out.len;
    char *copy = zm_palloc(&a, first);
    memcpy(copy, s.out.data, first);
    memset(&s, 0, sizeof(s));
    s.a = &a;
    ZT_CHECK(speech_tts(&a, &q, &sink, &detail) == ZM_OK);
    ZT_CHECK(s.began == 1 && s.cached && s.out.len == first);
    ZT_CHECK(s.out.len == first && memcmp(s.out.data + 44, copy + 44, first - 44) == 0);
    ZT_CHECK(le32((unsigned char *)s.out.data + 40) == first - 44);

    /* a long clause without a pause: espeak-ng's Mandarin voice would write "No envelope" to
     * stderr hundreds of times (a worker's log at a user's will); tts.c puts pauses in */
    {
        static const char run[] = "好请问你我他的项目经验";
        char *t = zm_palloc(&a, 600 * 3 + 1);
        FILE *err = tmpfile();
        int saved = dup(2);
        for (i = 0; i < 600; i++) {
            memcpy(t + 3 * i, run + 3 * (i % 11), 3);
        }
        t[600 * 3] = '\0';
        speech_tts_req_t lq = {.text = t, .lang = SPEECH_LANG_ZH, .speed = 1.0};
        memset(&s, 0, sizeof(s));
        s.a = &a;
        fflush(stderr);
        ZT_CHECK(err != NULL && saved >= 0 && dup2(fileno(err), 2) == 2);
        ZT_CHECK(speech_tts(&a, &lq, &sink, &detail) == ZM_OK);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        ZT_CHECK(s.out.len > 44 + 22050 * 60); /* more than a minute of speech */
        ZT_CHECK(err != NULL && ftell(err) == 0);
        if (err) {
            fclose(err);
        }
    }

    /* refused before anything is sent */
    memset(&s, 0, sizeof(s));
    s.a = &a;
    char *big = zm_palloc(&a, 602 * 3 + 1);
    for (i = 0; i < 601; i++) {
        memcpy(big + 3 * i, "好", 3);
    }
    big[3 * 601] = '\0';
    q.text = big;
    ZT_CHECK(speech_tts(&a, &q, &sink, &detail) == SPEECH_ETOOLONG);
    q.text = "";
    ZT_CHECK(speech_tts(&a, &q, &sink, &detail) == ZM_EINVAL);
    q.text = "\xc0\xaf";
    ZT_CHECK(speech_tts(&a, &q, &sink, &detail) == ZM_EINVAL);
    q.text = "hi";
    q.speed = 2.5;
    ZT_CHECK(speech_tts(&a, &q, &sink, &detail) == ZM_EINVAL);
    q.speed = 1;
    q.voice = "klingon";
    ZT_CHECK(speech_tts(&a, &q, &sink, &detail) == ZM_EINVAL);
    ZT_CHECK(s.began == 0 && s.out.len == 0);
    zm_arena_destroy(&a);
}

static void test_transcript_parse(void)
{
    zm_arena_t a;
    const char *t = NULL;
#define P(s) speech_transcript_parse(&a, (s), sizeof(s) - 1, &t)

    zm_arena_init(&a, 4096, 0);
    ZT_CHECK(P("{\"text\": \"audio 3.00 s\"}\n") == ZM_OK && strcmp(t, "audio 3.00 s") == 0);
    ZT_CHECK(P("{\"text\":\"你好\",\"duration\":1.5,\"segments\":[{\"text\":\"你好\"}]}") == ZM_OK &&
             strcmp(t, "你好") == 0);
    ZT_CHECK(P("{\"text\":\"\\u4f60\"}") == ZM_OK && strcmp(t, "你") == 0);
    ZT_CHECK(P("{\"text\":\"a\\u0000b\"}") == SPEECH_EPROVIDER); /* a NUL would cut the transcript */
    ZT_CHECK(P("{\"text\":\"x\"} and more") == SPEECH_EPROVIDER);
    ZT_CHECK(P("{\"text\": 5}") == SPEECH_EPROVIDER);
    ZT_CHECK(P("{\"error\": {\"message\": \"x\"}}") == SPEECH_EPROVIDER);
    ZT_CHECK(P("[\"text\"]") == SPEECH_EPROVIDER);
    ZT_CHECK(P("{\"text\":\"\xc0\xaf\"}") == SPEECH_EPROVIDER);
    ZT_CHECK(P("") == SPEECH_EPROVIDER);
    ZT_CHECK(P("[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]") == SPEECH_EPROVIDER);
#undef P
    zm_arena_destroy(&a);
}

static void test_stream_reply(void)
{
    zm_arena_t a;
    zm_req_t r;

    zm_arena_init(&a, 4096, 0);
    memset(&r, 0, sizeof(r));
    r.a = &a;
    ZT_CHECK(zm_reply_stream_write(&r, "x", 1) == ZM_EINVAL); /* not begun */
    ZT_CHECK(zm_reply_stream_begin(&r, 200, "audio/wav") == ZM_OK);
    ZT_CHECK(r.streamed == 1 && r.status == 200 && strcmp(r.content_type, "audio/wav") == 0);
    ZT_CHECK(zm_reply_stream_write(&r, "ab", 2) == ZM_OK && zm_reply_stream_write(&r, "c", 1) == ZM_OK);
    ZT_CHECK(r.out.len == 3 && memcmp(r.out.data, "abc", 3) == 0);
    zm_arena_destroy(&a);
}

int main(void)
{
    char dir[] = "/tmp/zm-speech-XXXXXX", err[256];

    if (mkdtemp(dir) == NULL || zt_register_modules() != 0) {
        return 2;
    }
    setenv("ZM_STORAGE_LOCAL_DIR", dir, 1);
    setenv("ZM_STATE_DIR", dir, 1);
    if (zm_conf_load(NULL, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    ZT_RUN(test_wav_header);
    ZT_RUN(test_pcm_to_wav);
    ZT_RUN(test_cache_key);
    ZT_RUN(test_voices);
    ZT_RUN(test_espeak);
    ZT_RUN(test_transcript_parse);
    ZT_RUN(test_stream_reply);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
    return zt_done();
}
