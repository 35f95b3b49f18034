/*
 * fuzz_mail_header.c -- libFuzzer target for mail_check_addr and mail_build:
 * addresses, display names and subjects come from users (registration,
 * password reset), and must never smuggle a header or an SMTP command.
 *
 * Input: to_addr, to_name, subject and text, separated by NUL bytes.
 * Checks: an address mail_check_addr accepts has no byte outside printable
 * ASCII and exactly one '@'; a message mail_build renders has CRLF line
 * endings only (no bare CR or LF), header lines of at most 998 bytes,
 * printable ASCII headers (non-ASCII goes RFC 2047-encoded), and exactly
 * one To:, one Subject:.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"

#define FUZZ_IN_MAX 16384

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_next(const char **p, const char *end)
{
    const char *s = *p;
    const char *z = memchr(s, '\0', (size_t)(end - s));

    *p = z ? z + 1 : end;
    return s;
}

static int fuzz_count(const char *msg, size_t hdr_len, const char *name)
{
    int n = 0;
    size_t nl = strlen(name);

    for (size_t i = 0; i + nl <= hdr_len; i++) {
        if ((i == 0 || msg[i - 1] == '\n') && strncmp(msg + i, name, nl) == 0) {
            n++;
        }
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in, *out = NULL;
    const char *p, *end, *hdr_end;
    size_t outlen = 0, line = 0;
    mail_msg_t m;
    zm_arena_t a;
    int rc;

    if (size > FUZZ_IN_MAX) {
        return 0;
    }
    /* NUL-terminated fields: a copy with room for a final NUL */
    in = malloc(size + 1);
    if (in == NULL) {
        return 0;
    }
    memcpy(in, data, size);
    in[size] = '\0';
    p = in;
    end = in + size + 1;
    memset(&m, 0, sizeof(m));
    m.from_addr = "noreply@zhimai.test";
    m.from_name = "职麦";
    m.to_addr = p < end ? fuzz_next(&p, end) : "";
    m.to_name = p < end ? fuzz_next(&p, end) : "";
    m.subject = p < end ? fuzz_next(&p, end) : "";
    m.text = p < end ? fuzz_next(&p, end) : "";

    if (mail_check_addr(m.to_addr) == ZM_OK) {
        const char *at = strchr(m.to_addr, '@');
        if (at == NULL || strchr(at + 1, '@') != NULL) {
            abort();
        }
        for (const char *q = m.to_addr; *q; q++) {
            if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f) {
                abort();
            }
        }
    }
    zm_arena_init(&a, 16384, 16u << 20);
    rc = mail_build(&a, &m, "zhimai.test", 1767225600, &out, &outlen);
    if (rc != ZM_OK && rc != ZM_EINVAL && rc != ZM_ETOOBIG && rc != ZM_ENOMEM) {
        abort();
    }
    if (rc == ZM_OK) {
        if (out == NULL || strlen(out) != outlen) {
            abort();
        }
        for (size_t i = 0; i < outlen; i++) {
            if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) {
                abort();
            }
            if (out[i] == '\r' && (i + 1 >= outlen || out[i + 1] != '\n')) {
                abort();
            }
        }
        hdr_end = strstr(out, "\r\n\r\n");
        if (hdr_end == NULL) {
            abort();
        }
        for (const char *q = out; q < hdr_end; q++) {
            if (*q == '\r' || *q == '\n') {
                line = 0;
                continue;
            }
            if ((unsigned char)*q < 0x20 && *q != '\t') {
                abort();
            }
            if ((unsigned char)*q > 0x7e || ++line > 998) {
                abort();
            }
        }
        if (fuzz_count(out, (size_t)(hdr_end - out), "To:") != 1 ||
            fuzz_count(out, (size_t)(hdr_end - out), "Subject:") != 1) {
            abort();
        }
    }
    zm_arena_destroy(&a);
    free(in);
    return 0;
}
