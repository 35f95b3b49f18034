/*
 * test_wechatpay.c -- the WeChat Pay client against the SDKs' vectors
 * (tests/data/wechatpay, argv[1]): request signatures byte for byte,
 * response and notification verification and every refusal, AES-GCM
 * decryption, notification parsing, the trade-bill parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "wechatpay.h"
#include "zt.h"

static const char *dir;
static zm_arena_t arena;

#define PUBKEY_ID "PUB_KEY_ID_0000000000000024101100397200000006"
#define APIV3_KEY "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"

static const char *path(const char *name)
{
    return zm_psprintf(&arena, "%s/%s", dir, name);
}

static char *slurp(const char *name, size_t *len)
{
    FILE *f = fopen(path(name), "rb");
    char *s = zm_palloc(&arena, 1 << 16);
    size_t n = f ? fread(s, 1, (1 << 16) - 1, f) : 0;

    if (f) {
        fclose(f);
    }
    s[n] = '\0';
    if (len) {
        *len = n;
    }
    return s;
}

static char *trim(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

/* a client with the given merchant key; public-key mode with the java "WeChat" public key unless cert_mode */
static wxp_client_t *client(const char *merchant_key, int cert_mode, const char *apiv3)
{
    wxp_conf_t c = {
        .base_url = "http://127.0.0.1:9",
        .mchid = "1230000109",
        .appid = "wxd678efh567hg6787",
        .merchant_serial = "5F1C72E2A8931B72A2E13AF8DEE92471EB397115",
        .merchant_key = path(merchant_key),
        .apiv3_key = apiv3,
        .mode = cert_mode ? "certificate" : "public_key",
        .platform_public_key = cert_mode ? "" : path("j_wechat_pay_public_key.pem"),
        .platform_public_key_id = cert_mode ? "" : PUBKEY_ID,
        .notify_url = "https://example.com/api/v1/payment/wechat/notify",
    };
    wxp_client_t *cl = NULL;
    char why[256];
    int rc = wxp_client_new(&c, &cl, why, sizeof(why));

    if (rc != ZM_OK) {
        fprintf(stderr, "wxp_client_new: %d %s\n", rc, why);
    }
    ZT_CHECK(rc == ZM_OK);
    return cl;
}

/* ---- signing ---- */

static void test_sign_vectors(void)
{
    wxp_client_t *m = client("j_merchant_private_key.pem", 0, APIV3_KEY), *g = client("go_key.pem", 0, APIV3_KEY);
    const char *get = "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n";
    const char *body =
        "{\"appid\":\"wxd678efh567hg6787\",\"mchid\":\"1230000109\",\"description\":\"Image形象店-深圳腾大-"
        "QQ公仔\",\"out_trade_no\":\"1217752501201407033233368018\",\"notify_url\":\"https://"
        "www.weixin.qq.com/wxpay/pay.php\",\"amount\":{\"total\":100,\"currency\":\"CNY\"}}";
    const char *get_sig =
        "Yql2HJi5R+/B/WzOlH5KqIUNOCTrECi808qopAT8Pk2vUdtZln2Wmz/"
        "zkA6+HpMD7BuThk5ikNOpI7+8yVt+wLdak6RZPOd3ZUMwfgmrN2Vl2aF7"
        "yjFov07paW3Dix7NAL+J402H92DUu8LCSbzoU2XnNNHGFCxR7Zkkp3V/QYau9vml2BTQi87rqaq5xpYGPfBbPtPUEcvoYjhIlrplVh89P8/"
        "ktk4H+PG22zBongaOlQYPVTx3k2vlik7PWc+wX225vk4C8ryZ8e/"
        "l4XwyRQf7kWEJCBKT1GBPNzbO18N2UMJDyGkyuYwhyWSJ9QomxYwZWUGExbo/"
        "68Ao6yLcKA==";
    const char *post_sig =
        "BDRFhB581MFeWV4CtWePqsflxxBLxMrhhLLc6z20PafH1CHigLgFhnV/FLuD4weGyjaxwpfwp33KLG2T9R6thca0/"
        "w++6p0oGogW283PQcYmgf2G"
        "YD23knLISlqsngD+Wl9Dbu1i9QrkdpmF2LM8iAlwn7ETkjkOa2aScpzPfjHC9ErALAiON2H5+70sTdct/"
        "vopajskrifPgwoQvIBOiQTV5r2KLQI6ck9i7HDJJEz4K1whmQUPk3A8P9RCPMRlRfv4v+5uFhy7UmIhGexIkQUf278wOR2dG3D7+"
        "tvJEIfBx3Xv2il7HMC2u0CTZBjmw+ipWkG5watrdLwwkeypzA==";
    const char *v1 = "BKyAfU4iMCuvXMXS0Wzam3V/"
                     "cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+"
                     "1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/"
                     "K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGp"
                     "DAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/"
                     "L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+"
                     "8m1rLg==";
    char *sig = NULL, *hdr = NULL;

    ZT_CHECK(strlen(body) == 245);
    ZT_CHECK(wxp_sign(m, &arena, get, strlen(get), &sig) == ZM_OK);
    ZT_STREQ(sig, get_sig);
    /* the Authorization header builds exactly that message */
    ZT_CHECK(wxp_authorization(m, &arena, "GET", "/v3/certificates", NULL, 0, 1554208460,
                               "593BEC0C930BF1AFEB40B4A08C8FB242", &hdr) == ZM_OK);
    ZT_STREQ(hdr, zm_psprintf(
                      &arena,
                      "WECHATPAY2-SHA256-RSA2048 mchid=\"1230000109\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\","
                      "timestamp=\"1554208460\",serial_no=\"5F1C72E2A8931B72A2E13AF8DEE92471EB397115\","
                      "signature=\"%s\"",
                      get_sig));
    ZT_CHECK(wxp_authorization(m, &arena, "POST", "/v3/pay/transactions/native", body, strlen(body), 1554208460,
                               "593BEC0C930BF1AFEB40B4A08C8FB242", &hdr) == ZM_OK);
    ZT_CHECK(hdr != NULL && strstr(hdr, post_sig) != NULL);
    ZT_CHECK(wxp_sign(g, &arena, "source", 6, &sig) == ZM_OK);
    ZT_STREQ(sig, v1);
    /* a random nonce: 32 of [0-9A-Za-z], different each time */
    {
        char *h1 = NULL, *h2 = NULL;
        const char *n1, *n2;

        ZT_CHECK(wxp_authorization(m, &arena, "GET", "/v3/certificates", NULL, 0, 1, NULL, &h1) == ZM_OK);
        ZT_CHECK(wxp_authorization(m, &arena, "GET", "/v3/certificates", NULL, 0, 1, NULL, &h2) == ZM_OK);
        n1 = strstr(h1, "nonce_str=\"") + 11;
        n2 = strstr(h2, "nonce_str=\"") + 11;
        ZT_CHECK(strspn(n1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 32 && n1[32] == '"');
        ZT_CHECK(strncmp(n1, n2, 32) != 0);
    }
    wxp_client_free(m);
    wxp_client_free(g);
}

/* ---- verification ---- */

static const char *resp_sig =
    "Bde9UqZ7oxIjzxD9k0RuT/tgtVkXh1WSQdNXGwfMyojjSyPCHGXSNDheoKWSeYsFs2ohLWVQFMPrLLvjuvUfl9y+Tubel5hq9uUoIBNkyWUoOyGVYh"
    "pnPdeQtOwmbBF6jCE+hi2gKI5l/st8pCw3TRNJ8cLSVj/If7badqwYFJym27gPOkQ3MIi++6rVvzwU/M2jopr8SlD3brVEXmy+Q/"
    "Be8UNJ/9ofJRmm7ERgD3hwV3bmwFrH0H+DhOJpp4GaTyPEDPvc06Drq1cgB7XRD1OTEnM+LEDyef23i0Iv+lKPcYxCmqJCVPuD3MBjnGtv0+"
    "ReT/uGa2Kc5xwbEK4LRw==";

static void test_verify(void)
{
    wxp_client_t *m = client("j_merchant_private_key.pem", 0, APIV3_KEY);
    const char *body = "{\"code_url\":\"weixin://wxpay/bizpayurl?pr=JyC91EIz1\"}";
    wxp_headers_t h = {.timestamp = "1722850421",
                       .nonce = "d824f2e086d3c1df967785d13fcd22ef",
                       .signature = resp_sig,
                       .serial = PUBKEY_ID,
                       .signature_type = "WECHATPAY2-SHA256-RSA2048"},
                  x;
    wxp_headers_t e = {
        .timestamp = "1554208460",
        .nonce = "593BEC0C930BF1AFEB40B4A08C8FB242",
        .signature = "NkXGdeXMbWh1wvnUsM6lp3LUIaMoS4Epx68YlV0WKFEzKCouWw079TEEVr/kW5mxCvHvJPwnGhToYGC2fJXFUGtsEfu/"
                     "DCa52HSp2EV1B5tPt88TCGVdq42v4Ej4IvJ2WiW0qP48tdwdEVavLOVmZ85gv3jirfPgJ1Abipz6DbNUVvfJXBUMtrnKci"
                     "D60oi8MZ/omk5VMOrsbL9mYfLfEHGV7QHpsd7E9HOGHemKG6NC2p7dc+VekGDbBw16Ne6zGaBdzibEU6u6qAi6JgKr80x2"
                     "12ObzPrK9neVWiGhJM5wAHz33SYd5rdNM8E3+oqo25c3OHHzfeCY6vW5Rxdnkg==",
        .serial = PUBKEY_ID};
    time_t now = 1722850421;
    char *why = NULL;

    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body), now, &why) == ZM_OK);
    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body), now + 300, &why) == ZM_OK);
    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body), now - 300, &why) == ZM_OK);
    /* 204: the empty body's message ts\nnonce\n\n */
    ZT_CHECK(wxp_verify(m, &arena, &e, "", 0, 1554208460, &why) == ZM_OK);
    ZT_CHECK(wxp_verify(m, &arena, &e, "\n", 1, 1554208460, &why) == WXP_ESIGNATURE);
    /* stale either way */
    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body), now + 301, &why) == WXP_ESTALE);
    ZT_CHECK(why != NULL && strstr(why, "1722850421") != NULL);
    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body), now - 301, &why) == WXP_ESTALE);
    /* a body changed by one byte, or re-serialized */
    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body) - 1, now, &why) == WXP_ESIGNATURE);
    ZT_CHECK(wxp_verify(m, &arena, &h, "{\"code_url\": \"weixin://wxpay/bizpayurl?pr=JyC91EIz1\"}", strlen(body) + 1,
                        now, &why) == WXP_ESIGNATURE);
    /* replayed with a new timestamp or nonce */
    x = h;
    x.timestamp = "1722850422";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_ESIGNATURE);
    x = h;
    x.nonce = "d824f2e086d3c1df967785d13fcd22ee";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_ESIGNATURE);
    /* serial */
    x = h;
    x.serial = "PUB_KEY_ID_0000000000000024101100397200000007";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_ESERIAL);
    x.serial = "440024045C4A427599D09BB4E3DE0279F2E813FD"; /* the cert of the same key, not configured */
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_ESERIAL);
    /* probe */
    x = h;
    x.signature = "WECHATPAY/SIGNTEST/2sWfO+6tVVsZ";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EPROBE);
    /* bad base64: a stray character, missing padding, whitespace */
    x.signature = zm_psprintf(&arena, "%s!", resp_sig);
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EBASE64);
    x.signature = zm_pstrndup(&arena, resp_sig, strlen(resp_sig) - 2);
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EBASE64);
    x.signature = zm_psprintf(&arena, " %s", resp_sig);
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EBASE64);
    /* valid base64 of the wrong length; a flipped bit */
    x.signature = "AAAA";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_ESIGNATURE);
    x.signature = zm_pstrdup(&arena, resp_sig);
    ((char *)x.signature)[10] = x.signature[10] == 'A' ? 'B' : 'A';
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_ESIGNATURE);
    /* headers */
    x = h;
    x.nonce = NULL;
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EHEADER);
    ZT_CHECK(why != NULL && strstr(why, "Nonce") != NULL);
    x = h;
    x.signature = "";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EHEADER);
    x = h;
    x.timestamp = "1722850421000"; /* milliseconds */
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EHEADER);
    x.timestamp = "17228504x1";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EHEADER);
    x = h;
    x.signature_type = "WECHATPAY2-SM2-WITH-SM3";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), now, &why) == WXP_EALGORITHM);
    wxp_client_free(m);
}

/* certificate mode: keys by certificate serial, case and leading zeros ignored, several at once */
static void test_verify_certificates(void)
{
    wxp_client_t *m = client("j_merchant_private_key.pem", 1, APIV3_KEY);
    size_t n = 0;
    char *body = trim(slurp("notify_body.json", &n)), *pem, *why = NULL;
    wxp_headers_t h =
                      {
                          .timestamp = "1624523846",
                          .nonce = "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz",
                          .signature = "tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/"
                                       "Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXFlbYZTOQrVdG4b6LfTnK4mikv9"
                                       "++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//"
                                       "rxELLwXvV1VEA1IBLX70xptjL8hrfUjEE8kkry6yNJTHZR"
                                       "U8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/"
                                       "jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY406ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiK"
                                       "RACrFmtxw2Q==",
                          .serial = "D7CE59D1F522D701",
                      },
                  x = h;
    wxp_notification_t no;

    ZT_CHECK(wxp_client_nkeys(m) == 0);
    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body), 1624523846, &why) == WXP_ESERIAL);
    pem = slurp("go_cert.pem", &n);
    ZT_CHECK(wxp_client_add_certificate(m, pem, n) == ZM_OK);
    pem = slurp("j_wechat_pay_certificate.pem", &n);
    ZT_CHECK(wxp_client_add_certificate(m, pem, n) == ZM_OK);
    ZT_CHECK(wxp_client_add_certificate(m, pem, n) == ZM_OK); /* the same serial again: replaced, not added */
    ZT_CHECK(wxp_client_nkeys(m) == 2);
    ZT_CHECK(wxp_client_add_certificate(m, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 60) ==
             WXP_EKEY);
    ZT_CHECK(wxp_verify(m, &arena, &h, body, strlen(body), 1624523846, &why) == ZM_OK);
    x.serial = "00d7ce59d1f522d701";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), 1624523846, &why) == ZM_OK);
    /* the other certificate's serial: found, but the wrong key */
    x.serial = "440024045C4A427599D09BB4E3DE0279F2E813FD";
    ZT_CHECK(wxp_verify(m, &arena, &x, body, strlen(body), 1624523846, &why) == WXP_ESIGNATURE);
    /* the whole notification: signature fine, but this client's 32-byte APIv3 key is not the one it was sealed with */
    ZT_CHECK(wxp_parse_notification(m, &arena, &h, body, strlen(body), 1624523846, &no, &why) == WXP_ETAG);
    ZT_CHECK(why != NULL && strstr(why, "tag") != NULL);
    ZT_STREQ(no.event_type, "PAYSCORE.USER_OPEN_SERVICE");
    wxp_client_free(m);
}

/* ---- decryption ---- */

static void test_decrypt(void)
{
    char *ct = trim(slurp("tx_ct.b64", NULL)), *want = trim(slurp("tx_pt.json", NULL)), *pt = NULL, *bad;
    size_t n = 0;

    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", ct, 4096, &pt, &n) == ZM_OK);
    ZT_STREQ(pt, want);
    ZT_CHECK(n == strlen(want));
    /* V2 */
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "uluk4a9R25RW", "associatedData",
                              "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=", 64, &pt, &n) == ZM_OK);
    ZT_STREQ(pt, "message");
    /* V4: a 16-byte key; the wrong key fails the tag */
    ZT_CHECK(wxp_aead_decrypt(&arena, "testAPIv3Key0000", 16, "wCq51qZv4Yfg", "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
                              "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", 64, &pt, &n) == ZM_OK);
    ZT_STREQ(pt, "Hello World");
    ZT_CHECK(wxp_aead_decrypt(&arena, "testAPIv3Key1111", 16, "wCq51qZv4Yfg", "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
                              "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", 64, &pt, &n) == WXP_ETAG);
    /* V3's resource with its 16-byte key */
    ZT_CHECK(
        wxp_aead_decrypt(
            &arena, "testMchAPIv3Key0", 16, "Kj7QIyUiYx1q", "payscore",
            "YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+"
            "X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZttevRMOoPKMifozg6XPWj"
            "IZumks/"
            "GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiNIKRgO5JdXh1h"
            "ccRUAlyVWxE54PXpnQ==",
            4096, &pt, &n) == ZM_OK);
    ZT_STREQ(pt, "{\"mchid\":\"1234567890\",\"appid\":\"054aa7d7a2a54ab5898df65bd96f001c\",\"create_time\":\"2020-06-"
                 "30T12:12:00+08:00\",\"out_contract_code\":\"21640bdbd08e473e828f3206a2741c6e\"}");
    /* refusals */
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transactioN", ct, 4096, &pt, &n) == WXP_ETAG);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja485", "transaction", ct, 4096, &pt, &n) == WXP_ETAG);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "", ct, 4096, &pt, &n) == WXP_ETAG);
    bad = zm_pstrdup(&arena, ct);
    bad[20] = bad[20] == 'A' ? 'B' : 'A';
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", bad, 4096, &pt, &n) == WXP_ETAG);
    bad = zm_pstrndup(&arena, ct, strlen(ct) - 4); /* the tag cut short */
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", bad, 4096, &pt, &n) == WXP_ETAG);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", "AAAAAAAAAAAAAAAAAAAA", 4096, &pt,
                              &n) == WXP_ETRUNCATED);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", "", 4096, &pt, &n) ==
             WXP_ETRUNCATED);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", "Y/YE*fUn", 4096, &pt, &n) ==
             WXP_EBASE64);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", "Y/YEf", 4096, &pt, &n) ==
             WXP_EBASE64);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja48", "transaction", ct, 4096, &pt, &n) == WXP_EFIELD);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 31, "fdasflkja484", "transaction", ct, 4096, &pt, &n) == WXP_EFIELD);
    ZT_CHECK(wxp_aead_decrypt(&arena, APIV3_KEY, 32, "fdasflkja484", "transaction", ct, 100, &pt, &n) == ZM_ETOOBIG);
}

/* ---- notifications, signed here with the java "WeChat" private key ---- */

typedef struct {
    wxp_client_t *wechat; /* signs as WeChat Pay would */
    wxp_client_t *merchant;
} pair_t;

static int notify(pair_t *p, const char *body, const char *serial, time_t ts, time_t now, wxp_notification_t *n,
                  char **why)
{
    const char *nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    char *msg = zm_psprintf(&arena, "%lld\n%s\n%s\n", (long long)ts, nonce, body), *sig = NULL;
    wxp_headers_t h = {.timestamp = zm_psprintf(&arena, "%lld", (long long)ts),
                       .nonce = nonce,
                       .serial = serial,
                       .signature_type = "WECHATPAY2-SHA256-RSA2048"};

    ZT_CHECK(wxp_sign(p->wechat, &arena, msg, strlen(msg), &sig) == ZM_OK);
    h.signature = sig;
    return wxp_parse_notification(p->merchant, &arena, &h, body, strlen(body), now, n, why);
}

static const char *notify_body(const char *alg, const char *ct, const char *nonce, const char *aad)
{
    return zm_psprintf(
        &arena,
        "{\"id\":\"EV-2018022511223320873\",\"create_time\":\"2015-05-20T13:29:35+08:00\","
        "\"resource_type\":\"encrypt-resource\",\"event_type\":\"TRANSACTION.SUCCESS\",\"summary\":"
        "\"支付成功\",\"resource\":{\"original_type\":\"transaction\",\"algorithm\":\"%s\",\"ciphertext\":"
        "\"%s\",\"associated_data\":\"%s\",\"nonce\":\"%s\"}}",
        alg, ct, aad, nonce);
}

static void test_notification(void)
{
    pair_t p = {client("j_wechat_pay_private_key.pem", 0, APIV3_KEY),
                client("j_merchant_private_key.pem", 0, APIV3_KEY)};
    char *ct = trim(slurp("tx_ct.b64", NULL)), *why = NULL, *big;
    const char *ok = notify_body("AEAD_AES_256_GCM", ct, "fdasflkja484", "transaction");
    time_t now = 1764660000;
    wxp_notification_t n;

    ZT_CHECK(notify(&p, ok, PUBKEY_ID, now, now, &n, &why) == ZM_OK);
    ZT_STREQ(n.id, "EV-2018022511223320873");
    ZT_STREQ(n.event_type, "TRANSACTION.SUCCESS");
    ZT_STREQ(n.summary, "支付成功");
    ZT_STREQ(n.associated_data, "transaction");
    ZT_CHECK(n.has_tx);
    ZT_STREQ(n.tx.out_trade_no, "1217752501201407033233368018");
    ZT_STREQ(n.tx.transaction_id, "4200000000000000000000000001");
    ZT_STREQ(n.tx.trade_state, "SUCCESS");
    ZT_STREQ(n.tx.trade_type, "NATIVE");
    ZT_STREQ(n.tx.mchid, "1230000109");
    ZT_STREQ(n.tx.appid, "wxd678efh567hg6787");
    ZT_STREQ(n.tx.success_time, "2018-06-08T10:34:56+08:00");
    ZT_STREQ(n.tx.currency, "CNY");
    ZT_STREQ(n.tx.payer_openid, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    ZT_CHECK(n.tx.amount_total == 100 && n.tx.amount_payer_total == 100);

    /* every refusal its own code */
    ZT_CHECK(notify(&p, ok, PUBKEY_ID, now - 301, now, &n, &why) == WXP_ESTALE);
    ZT_CHECK(notify(&p, ok, PUBKEY_ID, now + 301, now, &n, &why) == WXP_ESTALE);
    ZT_CHECK(notify(&p, ok, "PUB_KEY_ID_0000000000000000000000000000000001", now, now, &n, &why) == WXP_ESERIAL);
    ZT_CHECK(notify(&p, notify_body("AEAD_AES_256_GCM", ct, "fdasflkja484", "transactioX"), PUBKEY_ID, now, now, &n,
                    &why) == WXP_ETAG);
    ZT_CHECK(notify(&p, notify_body("AEAD_AES_256_GCM", "AAAAAAAAAAAA", "fdasflkja484", "transaction"), PUBKEY_ID, now,
                    now, &n, &why) == WXP_ETRUNCATED);
    ZT_CHECK(notify(&p, notify_body("AEAD_AES_256_GCM", "AAAA%AAA", "fdasflkja484", "transaction"), PUBKEY_ID, now, now,
                    &n, &why) == WXP_EBASE64);
    ZT_CHECK(notify(&p, notify_body("AEAD_AES_128_CBC", ct, "fdasflkja484", "transaction"), PUBKEY_ID, now, now, &n,
                    &why) == WXP_EALGORITHM);
    ZT_CHECK(notify(&p, "{\"id\":\"x\",\"event_type\":\"TRANSACTION.SUCCESS\"}", PUBKEY_ID, now, now, &n, &why) ==
             WXP_EFIELD);
    ZT_CHECK(notify(&p, "{\"id\":1,\"event_type\":\"TRANSACTION.SUCCESS\",\"resource\":{}}", PUBKEY_ID, now, now, &n,
                    &why) == WXP_EFIELD);
    ZT_CHECK(notify(&p, "[1,2]", PUBKEY_ID, now, now, &n, &why) == WXP_EJSON);
    ZT_CHECK(notify(&p, "{\"id\":\"x\"", PUBKEY_ID, now, now, &n, &why) == WXP_EJSON);
    ZT_CHECK(notify(&p, "{\"id\":\"x\"} {}", PUBKEY_ID, now, now, &n, &why) == WXP_EJSON);
    big = zm_palloc(&arena, WXP_MAX_NOTIFY_BODY + 2);
    memset(big, ' ', WXP_MAX_NOTIFY_BODY + 1);
    big[WXP_MAX_NOTIFY_BODY + 1] = '\0';
    ZT_CHECK(notify(&p, big, PUBKEY_ID, now, now, &n, &why) == ZM_ETOOBIG);
    /* a truncated body under the original signature */
    {
        const char *nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
        char *msg = zm_psprintf(&arena, "%lld\n%s\n%s\n", (long long)now, nonce, ok), *sig = NULL;
        wxp_headers_t h = {
            .timestamp = zm_psprintf(&arena, "%lld", (long long)now), .nonce = nonce, .serial = PUBKEY_ID};

        ZT_CHECK(wxp_sign(p.wechat, &arena, msg, strlen(msg), &sig) == ZM_OK);
        h.signature = sig;
        ZT_CHECK(wxp_parse_notification(p.merchant, &arena, &h, ok, strlen(ok), now, &n, &why) == ZM_OK);
        ZT_CHECK(wxp_parse_notification(p.merchant, &arena, &h, ok, strlen(ok) - 10, now, &n, &why) == WXP_ESIGNATURE);
        h.signature = "WECHATPAY/SIGNTEST/2sWfO+6tVVsZ";
        ZT_CHECK(wxp_parse_notification(p.merchant, &arena, &h, ok, strlen(ok), now, &n, &why) == WXP_EPROBE);
        h.signature = "@@@@";
        ZT_CHECK(wxp_parse_notification(p.merchant, &arena, &h, ok, strlen(ok), now, &n, &why) == WXP_EBASE64);
        h.signature = sig;
        h.serial = NULL;
        ZT_CHECK(wxp_parse_notification(p.merchant, &arena, &h, ok, strlen(ok), now, &n, &why) == WXP_EHEADER);
    }
    wxp_client_free(p.wechat);
    wxp_client_free(p.merchant);
}

/* the fuzz corpus's "valid" seed (make_corpus.py, signed in Python) passes the whole way, so the fuzzer starts deep */
static void test_corpus_seed(void)
{
    wxp_client_t *m = client("j_merchant_private_key.pem", 0, APIV3_KEY);
    size_t n = 0;
    char *in = slurp("../../fuzz/corpus/wechatpay_notify/valid", &n), *body = strstr(in, "\n\n"), *why = NULL;
    wxp_headers_t h = {.serial = PUBKEY_ID};
    wxp_notification_t no;

    ZT_CHECK(body != NULL);
    if (body == NULL) {
        wxp_client_free(m);
        return;
    }
    *body = '\0';
    body += 2;
    h.timestamp = strstr(in, "Timestamp: ") + 11;
    *strchr(h.timestamp, '\n') = '\0';
    h.nonce = strstr(strchr(h.timestamp, '\0') + 1, "Nonce: ") + 7;
    *strchr(h.nonce, '\n') = '\0';
    h.signature = strstr(strchr(h.nonce, '\0') + 1, "Signature: ") + 11;
    *strchr(h.signature, '\n') = '\0';
    ZT_CHECK(wxp_parse_notification(m, &arena, &h, body, strlen(body), (time_t)atoll(h.timestamp), &no, &why) == ZM_OK);
    ZT_CHECK(no.has_tx && no.tx.amount_total == 100);
    wxp_client_free(m);
}

static void test_transaction(void)
{
    wxp_transaction_t tx;
    char *why = NULL;
    const char *notpay = "{\"mchid\":\"1\",\"appid\":\"wx\",\"out_trade_no\":\"abc123\",\"trade_state\":\"NOTPAY\","
                         "\"amount\":{\"currency\":\"CNY\",\"payer_currency\":\"CNY\"}}";

    ZT_CHECK(wxp_parse_transaction(&arena, notpay, strlen(notpay), &tx, &why) == ZM_OK);
    ZT_STREQ(tx.trade_state, "NOTPAY");
    ZT_STREQ(tx.transaction_id, "");
    ZT_CHECK(tx.amount_total == -1);
#define BAD(s, code) ZT_CHECK(wxp_parse_transaction(&arena, s, strlen(s), &tx, &why) == (code))
    BAD("{\"mchid\":\"1\",\"appid\":\"wx\",\"out_trade_no\":\"abc123\",\"trade_state\":\"SUCCESS\"}", WXP_EFIELD);
    BAD("{\"mchid\":\"1\",\"appid\":\"wx\",\"out_trade_no\":\"abc123\",\"trade_state\":\"SUCCESS\",\"transaction_id\":"
        "\"42\",\"success_time\":\"t\",\"amount\":{\"total\":1.5,\"currency\":\"CNY\"}}",
        WXP_EFIELD);
    BAD("{\"mchid\":\"1\",\"appid\":\"wx\",\"out_trade_no\":\"abc123\",\"trade_state\":\"SUCCESS\",\"transaction_id\":"
        "\"42\",\"success_time\":\"t\",\"amount\":{\"total\":-1,\"currency\":\"CNY\"}}",
        WXP_EFIELD);
    BAD("{\"mchid\":\"1\",\"appid\":\"wx\",\"out_trade_no\":\"abc123\",\"trade_state\":\"SUCCESS\",\"transaction_id\":"
        "\"42\",\"success_time\":\"t\",\"amount\":\"100\"}",
        WXP_EFIELD);
    BAD("{\"mchid\":\"1\",\"appid\":\"wx\",\"out_trade_no\":\"a\\u0000b\",\"trade_state\":\"NOTPAY\"}", WXP_EFIELD);
    BAD("{\"mchid\":\"1\",\"appid\":\"wx\",\"out_trade_no\":\"012345678901234567890123456789012\",\"trade_state\":"
        "\"NOTPAY\"}",
        WXP_EFIELD);
    BAD("{\"mchid\":1,\"appid\":\"wx\",\"out_trade_no\":\"abc123\",\"trade_state\":\"NOTPAY\"}", WXP_EFIELD);
    BAD("\"x\"", WXP_EJSON);
    BAD("", WXP_EJSON);
#undef BAD
}

/* ---- trade bill ---- */

static void test_bill(void)
{
    size_t n = 0;
    char *csv = slurp("bill.ALL.csv", &n), *why = NULL, *s;
    wxp_bill_t b;
    int64_t sum = 0;
    size_t refunds = 0;

    ZT_CHECK(n == 14686);
    ZT_CHECK(wxp_parse_bill(&arena, csv, n, &b, &why) == ZM_OK);
    ZT_CHECK(b.nrows == 45);
    ZT_CHECK(b.total_count == 45);
    ZT_CHECK(b.settlement_total_fen == 47 && b.refund_total_fen == 14 && b.recharge_refund_total_fen == 0);
    ZT_CHECK(b.fee_total_fen_x1000 == 8000 && b.order_total_fen == 47 && b.refund_request_total_fen == 14);
    for (size_t i = 0; i < b.nrows; i++) {
        sum += b.rows[i].settlement_fen;
        refunds += strcmp(b.rows[i].refund_status, "SUCCESS") == 0;
    }
    ZT_CHECK(sum == 47);
    ZT_CHECK(refunds == 14);
    for (size_t i = 0; i < b.nrows; i++) {
        if (strcmp(b.rows[i].out_trade_no, "autotest_20190219015232_89201") == 0) {
            ZT_STREQ(b.rows[i].trade_time, "2019-02-19 01:52:32");
            ZT_STREQ(b.rows[i].appid, "wxab8acd895ab1638a");
            ZT_STREQ(b.rows[i].mchid, "1921000401");
            ZT_STREQ(b.rows[i].transaction_id, "4200000263201902167700134902");
            ZT_STREQ(b.rows[i].trade_type, "NATIVE");
            ZT_STREQ(b.rows[i].trade_state, "SUCCESS");
            ZT_STREQ(b.rows[i].device_info, "");
            ZT_STREQ(b.rows[i].rate, "39.00%");
            ZT_STREQ(b.rows[i].rate_note, "");
            ZT_CHECK(b.rows[i].settlement_fen == 3 && b.rows[i].order_fen == 3 && b.rows[i].fee_fen_x1000 == 1000);
            sum = -1;
        }
    }
    ZT_CHECK(sum == -1);
    /* no BOM, LF only */
    s = zm_palloc(&arena, n);
    {
        size_t k = 0;
        for (size_t i = 3; i < n; i++) {
            if (csv[i] != '\r') {
                s[k++] = csv[i];
            }
        }
        ZT_CHECK(wxp_parse_bill(&arena, s, k, &b, &why) == ZM_OK && b.nrows == 45);
    }
    /* refusals */
#define BADBILL(text, code) ZT_CHECK(wxp_parse_bill(&arena, text, strlen(text), &b, &why) == (code) && b.nrows == 0)
    BADBILL("", WXP_ECSV);
    BADBILL("a,b\r\nc\r\n", WXP_ECSV);
    s = zm_pstrndup(&arena, csv, n);
    s[3] = 'X'; /* header changed */
    ZT_CHECK(wxp_parse_bill(&arena, s, n, &b, &why) == WXP_ECSV);
    s = zm_pstrndup(&arena, csv, n);
    *strstr(s, ",`0.03,`0.00,`0,") = ';'; /* a row with 26 fields */
    ZT_CHECK(wxp_parse_bill(&arena, s, n, &b, &why) == WXP_ECSV);
    ZT_CHECK(why != NULL && strstr(why, "fields") != NULL);
    s = zm_pstrndup(&arena, csv, n);
    memcpy(strstr(s, ",`0.03,`0.00,`0,") + 2, "0.0x", 4); /* an amount that is not one */
    ZT_CHECK(wxp_parse_bill(&arena, s, n, &b, &why) == WXP_ECSV);
    s = zm_pstrndup(&arena, csv, n);
    memcpy(strstr(s, "`45.0,") + 1, "4x.0", 4);
    ZT_CHECK(wxp_parse_bill(&arena, s, n, &b, &why) == WXP_ECSV);
    ZT_CHECK(wxp_parse_bill(&arena, csv, n - 60, &b, &why) == WXP_ECSV); /* the summary cut off */
    ZT_CHECK(wxp_parse_bill(&arena, csv, (size_t)WXP_MAX_BILL + 1, &b, &why) == ZM_ETOOBIG);
#undef BADBILL
}

/* ---- the streaming bill parser ---- */

typedef struct {
    size_t rows, success, refund;
    int64_t order_fen;
    int stop_at; /* return an error at this row (1-based); 0 never */
} bill_count_t;

static int count_row(void *ud, const wxp_bill_row_t *r)
{
    bill_count_t *c = ud;

    c->rows++;
    c->success += strcmp(r->trade_state, "SUCCESS") == 0;
    c->refund += strcmp(r->trade_state, "REFUND") == 0;
    c->order_fen += r->order_fen;
    return c->stop_at && (int)c->rows == c->stop_at ? ZM_EINVAL : ZM_OK;
}

/* feed text in chunks of k bytes: the rc of finish (or of the first failing feed) */
static int feed_chunks(const char *text, size_t n, size_t k, bill_count_t *c, wxp_bill_summary_t *sum,
                       uint64_t max_bytes, size_t max_rows)
{
    wxp_bill_parser_t *p = wxp_bill_parser_new(count_row, c, max_bytes, max_rows);
    int rc = ZM_OK;

    for (size_t i = 0; i < n && rc == ZM_OK; i += k) {
        rc = wxp_bill_parser_feed(p, text + i, n - i < k ? n - i : k);
    }
    if (rc == ZM_OK) {
        rc = wxp_bill_parser_finish(p, sum);
    }
    wxp_bill_parser_free(p);
    return rc;
}

static void test_bill_stream(void)
{
    size_t n = 0;
    char *csv = slurp("bill.ALL.csv", &n), *s, path[] = "/tmp/zm_bill_XXXXXX", why[256];
    wxp_bill_summary_t sum = {0};
    bill_count_t c;
    FILE *f;
    int fd;

    /* any chunking gives the same rows: one byte at a time, odd sizes, all at once */
    for (size_t k = 1; k <= n; k = k < 8 ? k + 1 : k * 7) {
        memset(&c, 0, sizeof(c));
        memset(&sum, 0, sizeof(sum));
        ZT_CHECK(feed_chunks(csv, n, k, &c, &sum, 0, 0) == ZM_OK);
        ZT_CHECK(c.rows == 45 && c.success + c.refund == 45 && c.refund == 14 && c.order_fen == 47);
        ZT_CHECK(sum.total_count == 45 && sum.order_total_fen == 47 && sum.refund_total_fen == 14);
    }
    /* a file, as the inspector reads it */
    fd = mkstemp(path);
    ZT_CHECK(fd >= 0);
    f = fdopen(fd, "w+");
    ZT_CHECK(f != NULL && fwrite(csv, 1, n, f) == n);
    rewind(f);
    memset(&c, 0, sizeof(c));
    ZT_CHECK(wxp_parse_bill_stream(f, count_row, &c, 0, &sum, why, sizeof(why)) == ZM_OK && c.rows == 45);
    fclose(f);
    unlink(path);
    /* the caps: bytes, rows, one line */
    memset(&c, 0, sizeof(c));
    ZT_CHECK(feed_chunks(csv, n, 4096, &c, &sum, n - 1, 0) == ZM_ETOOBIG);
    memset(&c, 0, sizeof(c));
    ZT_CHECK(feed_chunks(csv, n, 4096, &c, &sum, 0, 44) == ZM_ETOOBIG && c.rows == 44);
    s = zm_palloc(&arena, n + 2 * WXP_MAX_BILL_LINE);
    memcpy(s, csv, n);
    memset(s + n, '`', 2 * WXP_MAX_BILL_LINE); /* after the summary: one endless line */
    memset(&c, 0, sizeof(c));
    ZT_CHECK(feed_chunks(s, n + 2 * WXP_MAX_BILL_LINE, 512, &c, &sum, 0, 0) == WXP_ECSV);
    /* the caller stops it; a row after the summary; a bill cut before its summary; NUL */
    memset(&c, 0, sizeof(c));
    c.stop_at = 3;
    ZT_CHECK(feed_chunks(csv, n, 100, &c, &sum, 0, 0) == ZM_EINVAL && c.rows == 3);
    s = zm_palloc(&arena, n + 300);
    memcpy(s, csv, n);
    memcpy(s + n, strstr(csv, "`2019"), 200);
    memset(&c, 0, sizeof(c));
    ZT_CHECK(feed_chunks(s, n + 200, 1000, &c, &sum, 0, 0) == WXP_ECSV && c.rows == 45);
    memset(&c, 0, sizeof(c));
    ZT_CHECK(feed_chunks(csv, (size_t)(strstr(csv, "\xe6\x80\xbb") - csv), 1000, &c, &sum, 0, 0) == WXP_ECSV);
    s = zm_pstrndup(&arena, csv, n);
    s[n / 2] = '\0';
    memset(&c, 0, sizeof(c));
    ZT_CHECK(feed_chunks(s, n, 1000, &c, &sum, 0, 0) == WXP_ECSV);
    /* a bill with no rows at all is a bill; a header cut short is not */
    {
        const char *h_end = strstr(csv, "\r\n") + 2, *sh = strstr(csv, "\xe6\x80\xbb"),
                   *sh_end = strstr(sh, "\r\n") + 2;
        zm_buf_t e = {0};
        zm_buf_append(&arena, &e, csv, (size_t)(h_end - csv), 0);
        zm_buf_append(&arena, &e, sh, (size_t)(sh_end - sh), 0);
        zm_buf_puts(&arena, &e, "`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\r\n");
        memset(&c, 0, sizeof(c));
        ZT_CHECK(feed_chunks(e.data, e.len, 7, &c, &sum, 0, 0) == ZM_OK && c.rows == 0 && sum.total_count == 0);
        memset(&c, 0, sizeof(c));
        ZT_CHECK(feed_chunks(csv, 20, 3, &c, &sum, 0, 0) == WXP_ECSV);
    }
}

/* ---- configuration ---- */

static void test_client_conf(void)
{
    wxp_conf_t c = {.base_url = "http://127.0.0.1:9",
                    .mchid = "1230000109",
                    .merchant_serial = "5F1C",
                    .merchant_key = path("j_merchant_private_key.pem"),
                    .apiv3_key = APIV3_KEY,
                    .mode = "public_key",
                    .platform_public_key = path("j_wechat_pay_public_key.pem"),
                    .platform_public_key_id = PUBKEY_ID},
               d;
    wxp_client_t *cl = NULL;
    char why[256];

    ZT_CHECK(wxp_conf_configured(&c));
    d = c;
    d.mchid = "";
    ZT_CHECK(!wxp_conf_configured(&d));
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == WXP_ENOTCONF && cl == NULL);
    d = c;
    d.apiv3_key = "short";
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == ZM_EINVAL && cl == NULL);
    d = c;
    d.merchant_key = path("nonexistent.pem");
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == WXP_EKEY && cl == NULL);
    d = c;
    d.merchant_key = path("j_wechat_pay_public_key.pem"); /* a public key where the private one belongs */
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == WXP_EKEY && cl == NULL);
    d = c;
    d.platform_public_key_id = "";
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == ZM_EINVAL && cl == NULL);
    d = c;
    d.platform_public_key = path("j_merchant_private_key.pem");
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == WXP_EKEY && cl == NULL);
    ZT_CHECK(wxp_client_new(&c, &cl, why, sizeof(why)) == ZM_OK && cl != NULL && wxp_client_nkeys(cl) == 1);
    wxp_client_free(cl);
    /* certificate mode needs no public key; with one, both kinds are accepted (the migration) */
    d = c;
    d.mode = "certificate";
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == ZM_OK && wxp_client_nkeys(cl) == 1);
    wxp_client_free(cl);
    d.platform_public_key = "";
    d.platform_public_key_id = "";
    ZT_CHECK(wxp_client_new(&d, &cl, why, sizeof(why)) == ZM_OK && wxp_client_nkeys(cl) == 0);
    wxp_client_free(cl);
    /* every code has its own message */
    for (int rc = WXP_EHEADER; rc >= WXP_ESTATUS; rc--) {
        for (int o = rc - 1; o >= WXP_ESTATUS; o--) {
            ZT_CHECK(strcmp(wxp_strerror(rc), wxp_strerror(o)) != 0);
        }
        ZT_STREQ(zm_strerror(rc), "wechatpay");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_wechatpay VECTORS_DIR\n");
        return 2;
    }
    dir = argv[1];
    zm_arena_init(&arena, 1 << 16, 0);
    ZT_RUN(test_sign_vectors);
    ZT_RUN(test_verify);
    ZT_RUN(test_verify_certificates);
    ZT_RUN(test_decrypt);
    ZT_RUN(test_notification);
    ZT_RUN(test_corpus_seed);
    ZT_RUN(test_transaction);
    ZT_RUN(test_bill);
    ZT_RUN(test_bill_stream);
    ZT_RUN(test_client_conf);
    zm_arena_destroy(&arena);
    return zt_done();
}
