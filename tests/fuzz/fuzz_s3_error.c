/*
 * fuzz_s3_error.c -- libFuzzer target for storage_xml_field, which reads
 * <Code> and <Message> out of an S3-compatible server's error body (a
 * server, or anything in between, may send any bytes).
 *
 * Input: the error body.  Checks: each field fits its buffer, is
 * NUL-terminated and printable ASCII only (it goes into logs and task
 * records), and is empty when the tags are absent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage.h"

#define FUZZ_BODY_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_field(const char *xml, const char *tag, size_t outlen)
{
    char out[256], open_tag[32];

    memset(out, 'X', sizeof(out));
    storage_xml_field(xml, tag, out, outlen);
    if (memchr(out, '\0', outlen) == NULL) {
        abort();
    }
    for (const char *p = out; *p; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
            abort();
        }
    }
    if (out[outlen] != 'X') { /* nothing written past outlen */
        abort();
    }
    snprintf(open_tag, sizeof(open_tag), "<%s>", tag);
    if (strstr(xml, open_tag) == NULL && out[0] != '\0') {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml;

    if (size > FUZZ_BODY_MAX) {
        return 0;
    }
    xml = malloc(size + 1);
    if (xml == NULL) {
        return 0;
    }
    memcpy(xml, data, size);
    xml[size] = '\0';
    fuzz_field(xml, "Code", 64);
    fuzz_field(xml, "Message", 200);
    fuzz_field(xml, "Code", 1);
    free(xml);
    return 0;
}
