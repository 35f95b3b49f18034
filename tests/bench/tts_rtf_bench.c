/*
 * tts_rtf_bench -- espeak-ng's real-time factor in process, as fcgi/speech/tts.c runs it
 * (AUDIO_OUTPUT_SYNCHRONOUS, a synth callback): synthesis time / audio duration for a Mandarin
 * and an English interviewer's sentence, and the time of the longest text a request may speak
 * (speech.tts_max_chars = 600 Mandarin characters), which bounds how long a worker streams.
 *
 *   tts_rtf_bench [repeats]      (default 20)
 */
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long samples;

static int cb(short *wav, int n, espeak_EVENT *ev)
{
    (void)wav;
    (void)ev;
    samples += n > 0 ? n : 0;
    return 0;
}

/* characters, not bytes, of UTF-8 text */
static size_t chars_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* seconds of synthesis and of audio for text in voice (lang), the best of repeats */
static void run(const char *lang, const char *text, int repeats, int rate, double *synth, double *audio)
{
    espeak_VOICE v = {.languages = lang};
    double best = 1e9;
    espeak_SetVoiceByProperties(&v);
    for (int i = 0; i < repeats; i++) {
        samples = 0;
        double t0 = now();
        espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
        espeak_Synchronize();
        double dt = now() - t0;
        if (dt < best) {
            best = dt;
        }
    }
    *synth = best;
    *audio = (double)samples / rate;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 20;
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, NULL, 0);
    static const char zh[] = "你好，请先简单介绍一下你自己，以及你最近做过的一个项目。在这个项目中你承担了什么角色？";
    static const char en[] = "Hello, please introduce yourself briefly, then tell me about a recent project and the "
                             "role you played in it.";
    char big[600 * 3 + 1];
    double s, a;

    if (rate <= 0 || repeats < 1) {
        fprintf(stderr, "tts_rtf_bench: espeak-ng did not start\n");
        return 1;
    }
    espeak_SetSynthCallback(cb);
    /* the Mandarin sentence again and again, cut at 600 characters (each of its characters is 1 or 3 bytes) */
    size_t n = 0, chars = 0;
    for (const char *p = zh; chars < 600; p = *p ? p : zh) {
        size_t len = ((unsigned char)*p & 0x80) ? 3 : 1;
        memcpy(big + n, p, len);
        n += len;
        p += len;
        chars++;
    }
    big[n] = '\0';
    printf("espeak-ng in process, %d Hz, best of %d:\n", rate, repeats);
    run("cmn", zh, repeats, rate, &s, &a);
    printf("  zh  %3zu chars: synthesis %6.1f ms, audio %5.2f s, real-time factor %.4f\n", chars_of(zh), s * 1000, a,
           s / a);
    run("en", en, repeats, rate, &s, &a);
    printf("  en  %3zu chars: synthesis %6.1f ms, audio %5.2f s, real-time factor %.4f\n", chars_of(en), s * 1000, a,
           s / a);
    run("cmn", big, repeats < 5 ? repeats : 5, rate, &s, &a);
    printf("  zh  600 characters (speech.tts_max_chars): synthesis %6.1f ms, audio %5.1f s, %.1f MB of PCM, "
           "real-time factor %.4f\n",
           s * 1000, a, a * rate * 2 / 1e6, s / a);
    espeak_Terminate();
    return 0;
}
