/*
 * fuzz_wechatpay_notify.c -- libFuzzer target for a WeChat Pay notification
 * as it reaches the notify route: headers, the raw body, the signature, the
 * JSON, AEAD_AES_256_GCM decryption, the transaction inside
 * (wxp_parse_notification, fcgi/services/wechatpay.c).
 *
 * Input: header lines "Name: value\n" (Wechatpay-Timestamp, -Nonce,
 * -Signature, -Serial, -Signature-Type), an empty line, then the body.  The
 * clock is set to the input's own timestamp, so a correctly signed seed
 * reaches the decryption.  The body alone also goes through the unverified
 * half (JSON, resource, decryption) and the transaction parser, since a
 * fuzzer cannot forge signatures.  The client: the SDKs' test keys
 * (tests/data/wechatpay), public-key mode, APIv3 key of tx_ct.b64.
 *
 * Checks: the result is OK or one of the client's codes; on OK every field is
 * a NUL-terminated string within its cap, amounts are >= -1, a transaction's
 * SUCCESS state comes with a transaction id and an amount.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wechatpay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wxp_client_t *fuzz_client(void)
{
    static wxp_client_t *c;
    wxp_conf_t conf = {
        .base_url = "http://127.0.0.1:9",
        .mchid = "1230000109",
        .appid = "wxd678efh567hg6787",
        .merchant_serial = "5F1C72E2A8931B72A2E13AF8DEE92471EB397115",
        .merchant_key = ZM_SOURCE_DIR "/tests/data/wechatpay/j_merchant_private_key.pem",
        .apiv3_key = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb",
        .mode = "public_key",
        .platform_public_key = ZM_SOURCE_DIR "/tests/data/wechatpay/j_wechat_pay_public_key.pem",
        .platform_public_key_id = "PUB_KEY_ID_0000000000000024101100397200000006",
    };
    char why[256];

    if (c == NULL && wxp_client_new(&conf, &c, why, sizeof(why)) != ZM_OK) {
        fprintf(stderr, "fuzz_wechatpay_notify: %s\n", why);
        abort();
    }
    return c;
}

static void check_str(const char *s, size_t max)
{
    if (s == NULL || strlen(s) > max) {
        abort();
    }
}

static void check_rc(int rc)
{
    if (rc != ZM_OK && rc != ZM_ETOOBIG && rc != ZM_ENOMEM && !(rc <= WXP_EHEADER && rc >= WXP_ESTATUS)) {
        abort();
    }
}

static void check_tx(const wxp_transaction_t *tx)
{
    check_str(tx->mchid, 32);
    check_str(tx->appid, 32);
    check_str(tx->out_trade_no, 32);
    check_str(tx->trade_state, 32);
    check_str(tx->transaction_id, 32);
    check_str(tx->currency, 16);
    check_str(tx->attach, 512);
    if (*tx->out_trade_no == '\0' || tx->amount_total < -1 || tx->amount_payer_total < -1) {
        abort();
    }
    if (strcmp(tx->trade_state, "SUCCESS") == 0 && (*tx->transaction_id == '\0' || tx->amount_total < 0)) {
        abort();
    }
}

static void check_notification(int rc, const wxp_notification_t *n)
{
    check_rc(rc);
    if (rc != ZM_OK) {
        return;
    }
    check_str(n->id, 64);
    check_str(n->event_type, 64);
    check_str(n->algorithm, 32);
    if (n->plaintext == NULL || strcmp(n->algorithm, "AEAD_AES_256_GCM") != 0) {
        abort();
    }
    if (n->has_tx) {
        check_tx(&n->tx);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wxp_client_t *c = fuzz_client();
    wxp_headers_t h = {0};
    wxp_notification_t n;
    wxp_transaction_t tx;
    zm_arena_t a;
    char *in, *p, *body, *why = NULL;
    size_t blen;
    time_t now = 0;
    int rc;

    if (size > 4 * WXP_MAX_NOTIFY_BODY) {
        return 0;
    }
    zm_arena_init(&a, 8192, 0);
    in = zm_pstrndup(&a, (const char *)data, size);
    body = strstr(in, "\n\n");
    if (body != NULL) {
        *body = '\0';
        body += 2;
        for (p = in; p != NULL && *p;) {
            char *nl = strchr(p, '\n'), *colon;

            if (nl != NULL) {
                *nl = '\0';
            }
            colon = strstr(p, ": ");
            if (colon != NULL) {
                *colon = '\0';
                if (strcmp(p, "Wechatpay-Timestamp") == 0) {
                    h.timestamp = colon + 2;
                    now = (time_t)strtoll(h.timestamp, NULL, 10);
                } else if (strcmp(p, "Wechatpay-Nonce") == 0) {
                    h.nonce = colon + 2;
                } else if (strcmp(p, "Wechatpay-Signature") == 0) {
                    h.signature = colon + 2;
                } else if (strcmp(p, "Wechatpay-Serial") == 0) {
                    h.serial = colon + 2;
                } else if (strcmp(p, "Wechatpay-Signature-Type") == 0) {
                    h.signature_type = colon + 2;
                }
            }
            p = nl != NULL ? nl + 1 : NULL;
        }
        /* the body as received: the bytes after the blank line, NULs included */
        blen = size - (size_t)(body - in);
        body = zm_pstrndup(&a, (const char *)data + (body - in), blen);
    } else {
        body = in;
        blen = size;
    }
    rc = wxp_parse_notification(c, &a, &h, body, blen, now, &n, &why);
    check_notification(rc, &n);
    if (rc != ZM_OK && why == NULL && rc != ZM_ENOMEM) {
        abort(); /* every refusal says why */
    }
    if (memchr(body, '\0', blen) == NULL) {
        check_notification(wxp_parse_notification_unverified(c, &a, body, blen, &n, &why), &n);
        rc = wxp_parse_transaction(&a, body, blen, &tx, &why);
        check_rc(rc);
        if (rc == ZM_OK) {
            check_tx(&tx);
        }
    }
    zm_arena_destroy(&a);
    return 0;
}
