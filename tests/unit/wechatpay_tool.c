/*
 * wechatpay_tool.c -- the WeChat Pay client (fcgi/services/wechatpay.c) from
 * the command line: the C half of tests/unit/test_wechatpay_fake.py, which
 * drives it against tests/fakes/wechatpay.  The configuration comes from the
 * ZM_WECHATPAY_* environment variables, through the services module's own key
 * table (so the test also covers the keys and their ZM_* overrides).
 *
 *   wechatpay_tool order NO DESCRIPTION FEN
 *   wechatpay_tool query NO
 *   wechatpay_tool close NO
 *   wechatpay_tool bill YYYY-MM-DD      (download, SHA1 check, parse)
 *   wechatpay_tool certs                (certificate mode: download, decrypt, add)
 *   wechatpay_tool notify FILE          (a received notification: header lines "Name: value",
 *                                        a blank line, the raw body)
 *   wechatpay_tool sequence NO...       (query each NO with one client: a certificate-mode
 *                                        client refreshes once for a new serial)
 *
 * stdout: one JSON object {"rc", "code" (wxp_strerror), "why", "status", "api_code", ...the result}.
 * Exit 0 ok, 1 refused or failed, 64 bad usage.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "conf.h"
#include "module.h"
#include "wechatpay.h"

extern const zm_module_t zm_services_module;

static json_object *s(const char *v)
{
    return json_object_new_string(v != NULL ? v : "");
}

static void put_tx(json_object *o, const wxp_transaction_t *tx)
{
    json_object_object_add(o, "out_trade_no", s(tx->out_trade_no));
    json_object_object_add(o, "transaction_id", s(tx->transaction_id));
    json_object_object_add(o, "trade_state", s(tx->trade_state));
    json_object_object_add(o, "mchid", s(tx->mchid));
    json_object_object_add(o, "appid", s(tx->appid));
    json_object_object_add(o, "success_time", s(tx->success_time));
    json_object_object_add(o, "total", json_object_new_int64(tx->amount_total));
    json_object_object_add(o, "payer_total", json_object_new_int64(tx->amount_payer_total));
    json_object_object_add(o, "currency", s(tx->currency));
}

static int notify(wxp_client_t *c, zm_arena_t *a, const char *file, json_object *o, char **why)
{
    static char buf[1 << 16];
    FILE *f = fopen(file, "rb");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    wxp_headers_t h = {0};
    wxp_notification_t no;
    char *body, *p;
    int rc;

    if (f == NULL) {
        return ZM_EINVAL;
    }
    fclose(f);
    buf[n] = '\0';
    body = strstr(buf, "\n\n");
    if (body == NULL) {
        return ZM_EINVAL;
    }
    *body = '\0';
    body += 2;
    for (p = strtok(buf, "\n"); p != NULL; p = strtok(NULL, "\n")) {
        char *v = strstr(p, ": ");

        if (v == NULL) {
            continue;
        }
        *v = '\0';
        v += 2;
        if (strcasecmp(p, "Wechatpay-Timestamp") == 0) {
            h.timestamp = v;
        } else if (strcasecmp(p, "Wechatpay-Nonce") == 0) {
            h.nonce = v;
        } else if (strcasecmp(p, "Wechatpay-Signature") == 0) {
            h.signature = v;
        } else if (strcasecmp(p, "Wechatpay-Serial") == 0) {
            h.serial = v;
        } else if (strcasecmp(p, "Wechatpay-Signature-Type") == 0) {
            h.signature_type = v;
        }
    }
    /* certificate mode: a serial not seen yet is fetched first, as the notify route will */
    wxp_ensure_serial(c, a, h.serial);
    rc = wxp_parse_notification(c, a, &h, body, n - (size_t)(body - buf), time(NULL), &no, why);
    if (rc == ZM_OK) {
        json_object_object_add(o, "event_type", s(no.event_type));
        json_object_object_add(o, "id", s(no.id));
        if (no.has_tx) {
            put_tx(o, &no.tx);
        }
    }
    return rc;
}

int main(int argc, char **argv)
{
    static const zm_module_t *const mods[] = {&zm_services_module, NULL};
    wxp_api_error_t err = {0};
    wxp_conf_t conf;
    wxp_client_t *c = NULL;
    json_object *o;
    zm_arena_t a;
    char cerr[256], *why = NULL;
    int rc = ZM_EINVAL;

    if (argc < 2) {
        fprintf(stderr, "usage: wechatpay_tool order|query|close|bill|certs|notify|sequence ...\n");
        return 64;
    }
    if (zm_conf_register(mods, cerr, sizeof(cerr)) != 0 || zm_conf_load(NULL, cerr, sizeof(cerr)) != 0) {
        fprintf(stderr, "wechatpay_tool: %s\n", cerr);
        return 64;
    }
    o = json_object_new_object();
    zm_arena_init(&a, 1 << 16, 0);
    wxp_init();
    wxp_conf_from_conf(&conf);
    rc = wxp_client_new(&conf, &c, cerr, sizeof(cerr));
    if (rc != ZM_OK) {
        why = cerr;
    } else if (strcmp(argv[1], "order") == 0 && argc == 5) {
        char *code_url = NULL;

        rc = wxp_native_order(c, &a, argv[2], argv[3], strtoll(argv[4], NULL, 10), NULL, &code_url, &err);
        json_object_object_add(o, "code_url", s(code_url));
    } else if (strcmp(argv[1], "query") == 0 && argc == 3) {
        wxp_transaction_t tx;

        rc = wxp_query_order(c, &a, argv[2], &tx, &err);
        if (rc == ZM_OK) {
            put_tx(o, &tx);
        }
    } else if (strcmp(argv[1], "close") == 0 && argc == 3) {
        rc = wxp_close_order(c, &a, argv[2], &err);
    } else if (strcmp(argv[1], "bill") == 0 && argc == 3) {
        wxp_bill_t b = {0};
        json_object *rows = json_object_new_array();
        uint64_t len = 0;
        char *csv = NULL;
        FILE *f = tmpfile();

        /* the inspector's streamed download, read back whole for the whole-bill parser */
        rc = f ? wxp_trade_bill_download(c, &a, argv[2], f, WXP_MAX_BILL, &len, &err) : ZM_ERR;
        if (rc == ZM_OK) {
            csv = zm_palloc(&a, (size_t)len + 1);
            rewind(f);
            rc = fread(csv, 1, (size_t)len, f) == (size_t)len ? wxp_parse_bill(&a, csv, (size_t)len, &b, &why) : ZM_ERR;
        }
        if (f) {
            fclose(f);
        }
        for (size_t i = 0; rc == ZM_OK && i < b.nrows; i++) {
            json_object *r = json_object_new_object();

            json_object_object_add(r, "out_trade_no", s(b.rows[i].out_trade_no));
            json_object_object_add(r, "transaction_id", s(b.rows[i].transaction_id));
            json_object_object_add(r, "trade_state", s(b.rows[i].trade_state));
            json_object_object_add(r, "order_fen", json_object_new_int64(b.rows[i].order_fen));
            json_object_object_add(r, "fee_fen_x1000", json_object_new_int64(b.rows[i].fee_fen_x1000));
            json_object_array_add(rows, r);
        }
        json_object_object_add(o, "rows", rows);
        json_object_object_add(o, "total_count", json_object_new_int64(b.total_count));
        json_object_object_add(o, "order_total_fen", json_object_new_int64(b.order_total_fen));
    } else if (strcmp(argv[1], "certs") == 0 && argc == 2) {
        int added = 0;

        rc = wxp_refresh_certificates(c, &a, &added, &err);
        json_object_object_add(o, "added", json_object_new_int(added));
        json_object_object_add(o, "nkeys", json_object_new_int(wxp_client_nkeys(c)));
    } else if (strcmp(argv[1], "notify") == 0 && argc == 3) {
        rc = notify(c, &a, argv[2], o, &why);
    } else if (strcmp(argv[1], "sequence") == 0 && argc >= 3) {
        json_object *states = json_object_new_array();

        for (int i = 2; i < argc; i++) {
            wxp_transaction_t tx;
            int r = wxp_query_order(c, &a, argv[i], &tx, &err);

            json_object_array_add(states, s(r == ZM_OK ? tx.trade_state : wxp_strerror(r)));
            rc = rc == ZM_OK ? r : rc;
        }
        json_object_object_add(o, "states", states);
        json_object_object_add(o, "nkeys", json_object_new_int(wxp_client_nkeys(c)));
    } else {
        fprintf(stderr, "wechatpay_tool: bad usage\n");
        json_object_put(o);
        wxp_client_free(c);
        zm_arena_destroy(&a);
        return 64;
    }
    json_object_object_add(o, "rc", json_object_new_int(rc));
    json_object_object_add(o, "code", s(rc == ZM_OK ? "OK" : wxp_strerror(rc)));
    json_object_object_add(o, "why", s(why != NULL ? why : err.message));
    json_object_object_add(o, "status", json_object_new_int64(err.status));
    json_object_object_add(o, "api_code", s(err.code));
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    wxp_client_free(c);
    zm_arena_destroy(&a);
    return rc == ZM_OK ? 0 : 1;
}
