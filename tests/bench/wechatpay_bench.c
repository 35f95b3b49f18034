/*
 * wechatpay_bench.c -- the cost of one WeChat Pay notification on one core:
 * wxp_parse_notification on the fuzz corpus's valid TRANSACTION.SUCCESS
 * (headers, RSA-2048 signature verification, JSON, AES-256-GCM, the
 * transaction), the arena reset between iterations as between requests; and
 * of signing one request (wxp_authorization, RSA-2048 private-key operation).
 *
 *   wechatpay_bench [source dir] [seconds]
 *
 * Prints per-call p50/p99/max in microseconds.  Not run by ./dev test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "wechatpay.h"

#define MAX_SAMPLES 200000

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;

    return a < b ? -1 : a > b;
}

static void report(const char *what, double *s, size_t n)
{
    qsort(s, n, sizeof(*s), cmp);
    printf("%-22s n=%zu p50=%.1f us p99=%.1f us max=%.1f us\n", what, n, s[n / 2], s[n * 99 / 100], s[n - 1]);
}

static char *field(char *in, const char *name)
{
    char *p = strstr(in, name), *e;

    if (p == NULL) {
        fprintf(stderr, "no %s in the seed\n", name);
        exit(1);
    }
    p += strlen(name);
    e = strchr(p, '\n');
    return strndup(p, (size_t)(e - p));
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : ".";
    double seconds = argc > 2 ? atof(argv[2]) : 2, *samples = malloc(sizeof(double) * MAX_SAMPLES);
    char path[4096], why[256], buf[1 << 16], *body, *err = NULL;
    wxp_conf_t conf = {.base_url = "http://127.0.0.1:9",
                       .mchid = "1230000109",
                       .appid = "wxd678efh567hg6787",
                       .merchant_serial = "5F1C72E2A8931B72A2E13AF8DEE92471EB397115",
                       .apiv3_key = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb",
                       .mode = "public_key",
                       .platform_public_key_id = "PUB_KEY_ID_0000000000000024101100397200000006"};
    char key[4096], pub[4096];
    wxp_headers_t h = {0};
    wxp_notification_t n;
    wxp_client_t *c;
    zm_arena_t a;
    size_t len, count = 0;
    FILE *f;
    double end;

    snprintf(key, sizeof(key), "%s/tests/data/wechatpay/j_merchant_private_key.pem", src);
    snprintf(pub, sizeof(pub), "%s/tests/data/wechatpay/j_wechat_pay_public_key.pem", src);
    conf.merchant_key = key;
    conf.platform_public_key = pub;
    if (wxp_client_new(&conf, &c, why, sizeof(why)) != ZM_OK) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/wechatpay_notify/valid", src);
    f = fopen(path, "rb");
    len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f == NULL || len == 0) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    fclose(f);
    buf[len] = '\0';
    body = strstr(buf, "\n\n") + 2;
    h.timestamp = field(buf, "Wechatpay-Timestamp: ");
    h.nonce = field(buf, "Wechatpay-Nonce: ");
    h.signature = field(buf, "Wechatpay-Signature: ");
    h.serial = field(buf, "Wechatpay-Serial: ");
    zm_arena_init(&a, 16384, 0);
    end = now_us() + seconds * 1e6;
    while (count < MAX_SAMPLES && now_us() < end) {
        double t0 = now_us();
        int rc = wxp_parse_notification(c, &a, &h, body, strlen(body), (time_t)atoll(h.timestamp), &n, &err);

        samples[count++] = now_us() - t0;
        if (rc != ZM_OK || n.tx.amount_total != 100) {
            fprintf(stderr, "notification refused: %s\n", err ? err : wxp_strerror(rc));
            return 1;
        }
        zm_arena_reset(&a);
    }
    report("notification", samples, count);
    count = 0;
    end = now_us() + seconds * 1e6;
    while (count < MAX_SAMPLES && now_us() < end) {
        double t0 = now_us();
        char *hdr = NULL;

        wxp_authorization(c, &a, "POST", "/v3/pay/transactions/native", body, strlen(body), time(NULL), NULL, &hdr);
        samples[count++] = now_us() - t0;
        zm_arena_reset(&a);
    }
    report("request signature", samples, count);
    zm_arena_destroy(&a);
    wxp_client_free(c);
    free((char *)h.timestamp);
    free((char *)h.nonce);
    free((char *)h.signature);
    free((char *)h.serial);
    free(samples);
    return 0;
}
