/*
 * test_email.c -- email addresses' normal form (fcgi/auth/email.c) and the
 * registration check built on it (acc_check_email).
 */
#include "accounts.h"
#include "email.h"
#include "zm.h"
#include "zt.h"

#include <stdlib.h>
#include <string.h>

static const char *norm(const char *in)
{
    static char out[AUTH_EMAIL_IN_MAX + 1];

    return auth_email_normalize(in, out, sizeof(out)) == ZM_OK ? out : NULL;
}

static void test_look_alikes(void)
{
    /* every spelling the auditors used reaches one address */
    ZT_STREQ(norm("  Foo.Bar@Example.COM "), "foo.bar@example.com");
    ZT_STREQ(norm("foo.bar@example.com\t\n"), "foo.bar@example.com");
    ZT_STREQ(norm("\xef\xbd\x86\xef\xbd\x8f\xef\xbd\x8f@example.com"), "foo@example.com"); /* ｆｏｏ */
    ZT_STREQ(norm("\xef\xbc\xa6OO\xef\xbc\xa0\xef\xbd\x85xample\xef\xbc\x8e"
                  "com"),
             "foo@example.com"); /* Ｆ ＠ ｅ ． */
    ZT_STREQ(norm("\xc5\xbf"
                  "am@example.com"),
             "sam@example.com"); /* ſ U+017F */
    ZT_STREQ(norm("\xe2\x84\xaa"
                  "ate@example.com"),
             "kate@example.com"); /* Kelvin sign U+212A */
    ZT_STREQ(norm("\xe3\x80\x80"
                  "a@b.com\xc2\xa0"),
             "a@b.com");                              /* U+3000, U+00A0 */
    ZT_STREQ(norm("a@b.com\xe2\x80\x83"), "a@b.com"); /* em space */
    ZT_STREQ(norm(""), "");
    ZT_STREQ(norm(" \t "), "");
    /* what is not a look-alike of ASCII stays itself (and registration refuses it) */
    ZT_STREQ(norm("\xc4\xb1@x.com"), "\xc4\xb1@x.com"); /* dotless ı */
    ZT_STREQ(norm("STRA\xc3\x9f"
                  "E@x.com"),
             "stra\xc3\x9f"
             "e@x.com"); /* ß is kept, not folded to ss */
    ZT_STREQ(norm("\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe4\xb8\xad\xe5\x9b\xbd"),
             "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe4\xb8\xad\xe5\x9b\xbd"); /* 用户@例子.中国 */
}

static void test_idempotent(void)
{
    static const char *const samples[] = {
        "  Foo.Bar@Example.COM ",
        "\xef\xbc\xa6OO\xef\xbc\xa0\xef\xbd\x85xample\xef\xbc\x8e"
        "com",
        "\xc4\xb0stanbul@x.com", /* İ lower-cases to i + U+0307 */
        "\xef\xb7\xba@x.com",    /* U+FDFA: NFKC makes 18 characters of it */
        " \xcc\x81"
        "a@x.com",            /* a combining mark after the space that goes */
        "\xe2\x85\xa8@x.com", /* Roman numeral nine */
        "\xe3\x8e\x8f@x.com", /* the square kg sign */
    };
    char once[AUTH_EMAIL_IN_MAX + 1], twice[AUTH_EMAIL_IN_MAX + 1];

    for (size_t i = 0; i < ZM_ARRAY_LEN(samples); i++) {
        ZT_CHECK(auth_email_normalize(samples[i], once, sizeof(once)) == ZM_OK);
        ZT_CHECK(auth_email_normalize(once, twice, sizeof(twice)) == ZM_OK);
        ZT_STREQ(once, twice);
    }
    ZT_STREQ(norm("\xe2\x85\xa8@x.com"), "ix@x.com");
    ZT_STREQ(norm("\xe3\x8e\x8f@x.com"), "kg@x.com");
}

static void test_errors(void)
{
    char out[16], *big;

    ZT_CHECK(auth_email_normalize(NULL, out, sizeof(out)) == ZM_EINVAL);
    ZT_CHECK(auth_email_normalize("a@b.c", NULL, 0) == ZM_EINVAL);
    ZT_CHECK(auth_email_normalize("\xff@x.com", out, sizeof(out)) == ZM_EINVAL);         /* not UTF-8 */
    ZT_CHECK(auth_email_normalize("\xed\xa0\x80@x.com", out, sizeof(out)) == ZM_EINVAL); /* a surrogate */
    ZT_CHECK(out[0] == '\0');
    /* the result must fit, with its NUL */
    ZT_CHECK(auth_email_normalize("abcdefghijklmno", out, sizeof(out)) == ZM_OK);
    ZT_CHECK(auth_email_normalize("abcdefghijklmnop", out, sizeof(out)) == ZM_ETOOBIG);
    ZT_CHECK(auth_email_normalize("\xef\xb7\xba", out, sizeof(out)) == ZM_ETOOBIG); /* grows past 16 bytes */
    big = malloc(AUTH_EMAIL_IN_MAX + 2);
    ZT_CHECK(big != NULL);
    if (big != NULL) {
        memset(big, 'a', AUTH_EMAIL_IN_MAX + 1);
        big[AUTH_EMAIL_IN_MAX + 1] = '\0';
        ZT_CHECK(auth_email_normalize(big, out, sizeof(out)) == ZM_ETOOBIG);
        free(big);
    }
}

static void test_registration_check(void)
{
    /* a spelling that normalises to a plain address is that address */
    ZT_CHECK(acc_check_email("  Foo@Example.com ") == NULL);
    ZT_CHECK(acc_check_email("\xc5\xbf"
                             "am@example.com") == NULL);
    ZT_CHECK(acc_check_email("\xef\xbd\x86oo@example.com") == NULL);
    /* one that does not is refused: no second account beside a look-alike the collation confuses */
    ZT_CHECK(acc_check_email("\xc4\xb1@x.com") != NULL);
    ZT_CHECK(acc_check_email("stra\xc3\x9f"
                             "e@x.com") != NULL);
    ZT_CHECK(acc_check_email("\xc4\xb0stanbul@x.com") != NULL);
    ZT_CHECK(acc_check_email("a\xe2\x80\x8b@x.com") != NULL); /* a zero-width space inside */
    ZT_CHECK(acc_check_email("") != NULL);
    ZT_CHECK(acc_check_email("   ") != NULL);
    ZT_CHECK(acc_check_email("a b@x.com") != NULL);
    ZT_CHECK(acc_check_email("\xff@x.com") != NULL);
}

int main(void)
{
    ZT_RUN(test_look_alikes);
    ZT_RUN(test_idempotent);
    ZT_RUN(test_errors);
    ZT_RUN(test_registration_check);
    return zt_done();
}
