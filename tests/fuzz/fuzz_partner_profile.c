/*
 * fuzz_partner_profile.c -- libFuzzer target for the checks a practice
 * partner's profile passes through (fcgi/partners): the contacts (email,
 * WeChat id, LinkedIn address) and the enums (experience, job type,
 * practice kinds).
 *
 * The input's first byte chooses the check, the rest (up to 1 KiB, to its
 * first NUL) is the value.  Aborts when an accepted value breaks what the
 * rest of the code assumes: not valid UTF-8, holding a control character,
 * or, for an enum, not one of its words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "partners.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const experience[] = {"应届", "1-3年", "3-5年", "5年以上", NULL};
static const char *const job_types[] = {"DA", "DS", "DE", "BA", NULL};
static const char *const practice[] = {"technical", "behavioral", "case", "statistics", NULL};

static int one_of(const char *s, const char *const *words)
{
    for (; *words; words++) {
        if (strcmp(s, *words) == 0) {
            return 1;
        }
    }
    return 0;
}

static void accepted(const char *s)
{
    size_t n = strlen(s);

    if (!zm_utf8_valid(s, n)) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char v[1025];
    size_t n;

    if (size < 1) {
        return 0;
    }
    n = size - 1 < sizeof(v) - 1 ? size - 1 : sizeof(v) - 1;
    memcpy(v, data + 1, n);
    v[n] = '\0';
    switch (data[0] % 6) {
    case 0:
        if (partners_email_error(v) == NULL) {
            accepted(v);
        }
        break;
    case 1:
        if (partners_wechat_error(v) == NULL) {
            accepted(v);
        }
        break;
    case 2:
        if (partners_linkedin_error(v) == NULL) {
            accepted(v);
        }
        break;
    case 3:
        if (partners_experience_ok(v) != one_of(v, experience)) {
            abort();
        }
        break;
    case 4:
        if (partners_job_ok(v) != one_of(v, job_types)) {
            abort();
        }
        break;
    default:
        if ((partners_practice_bit(v) != 0) != one_of(v, practice)) {
            abort();
        }
        break;
    }
    return 0;
}
