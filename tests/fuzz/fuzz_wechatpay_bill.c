/*
 * fuzz_wechatpay_bill.c -- libFuzzer target for wxp_parse_bill
 * (fcgi/services/wechatpay.c): a WeChat Pay trade bill (CSV, backtick-
 * prefixed fields) as downloaded; its SHA1 is checked against a signed
 * answer first, but the parser must survive anything.
 *
 * Input: the bill.  Checks: OK or WXP_ECSV / ZM_ETOOBIG with a reason; on OK
 * every row's fields are strings, amounts are >= 0, the row count matches the
 * lines and stays under WXP_MAX_BILL_ROWS; on failure no rows are returned.
 * The streaming parser (what zhimai-inspect uses) is fed the same bytes in
 * chunks whose sizes come from the input: it must agree with the whole-bill
 * parse (same result, same number of rows).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wechatpay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ud, const wxp_bill_row_t *r)
{
    if (r->out_trade_no == NULL || r->trade_time == NULL) {
        abort();
    }
    ++*(size_t *)ud;
    return 0;
}

/* the same bytes through the streaming parser, in chunks of 1..64 bytes (sizes taken from the data) */
static int stream(const uint8_t *data, size_t size, size_t *rows)
{
    wxp_bill_parser_t *p = wxp_bill_parser_new(count, rows, 0, 0);
    wxp_bill_summary_t sum = {0};
    int rc = ZM_OK;

    for (size_t i = 0; i < size && rc == ZM_OK;) {
        size_t k = 1 + (data[i] % 64);
        if (k > size - i) {
            k = size - i;
        }
        rc = wxp_bill_parser_feed(p, (const char *)data + i, k);
        i += k;
    }
    if (rc == ZM_OK) {
        rc = wxp_bill_parser_finish(p, &sum);
    }
    if (rc != ZM_OK && *wxp_bill_parser_error(p) == '\0') {
        abort();
    }
    wxp_bill_parser_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_arena_t a;
    wxp_bill_t b;
    char *why = NULL;
    size_t lines = 0, srows = 0;
    int rc, src;

    if (size > (1u << 20)) {
        return 0;
    }
    zm_arena_init(&a, 8192, 0);
    rc = wxp_parse_bill(&a, (const char *)data, size, &b, &why);
    src = stream(data, size, &srows);
    if (src != rc || (rc == ZM_OK && srows != b.nrows)) {
        abort();
    }
    if (rc != ZM_OK) {
        if ((rc != WXP_ECSV && rc != ZM_ETOOBIG && rc != ZM_ENOMEM) || b.nrows != 0 ||
            (rc != ZM_ENOMEM && why == NULL)) {
            abort();
        }
        zm_arena_destroy(&a);
        return 0;
    }
    for (size_t i = 0; i < size; i++) {
        lines += data[i] == '\n';
    }
    if (b.nrows > WXP_MAX_BILL_ROWS || b.nrows + 2 > lines + 1 || b.total_count < 0 || b.settlement_total_fen < 0 ||
        b.fee_total_fen_x1000 < 0) {
        abort();
    }
    for (size_t i = 0; i < b.nrows; i++) {
        const wxp_bill_row_t *r = &b.rows[i];

        if (r->trade_time == NULL || r->out_trade_no == NULL || r->transaction_id == NULL || r->rate_note == NULL ||
            r->trade_state == NULL || *r->out_trade_no == '\0' || r->settlement_fen < 0 || r->refund_fen < 0 ||
            r->order_fen < 0 || r->fee_fen_x1000 < 0 || strlen(r->trade_time) != 19) {
            abort();
        }
    }
    zm_arena_destroy(&a);
    return 0;
}
