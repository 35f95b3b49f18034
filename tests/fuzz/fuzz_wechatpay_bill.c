/*
 * fuzz_wechatpay_bill.c -- libFuzzer target for wxp_parse_bill
 * (fcgi/services/wechatpay.c): a WeChat Pay trade bill (CSV, backtick-
 * prefixed fields) as downloaded; its SHA1 is checked against a signed
 * answer first, but the parser must survive anything.
 *
 * Input: the bill.  Checks: OK or WXP_ECSV / ZM_ETOOBIG with a reason; on OK
 * every row's fields are strings, amounts are >= 0, the row count matches the
 * lines and stays under WXP_MAX_BILL_ROWS; on failure no rows are returned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wechatpay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_arena_t a;
    wxp_bill_t b;
    char *why = NULL;
    size_t lines = 0;
    int rc;

    if (size > (1u << 20)) {
        return 0;
    }
    zm_arena_init(&a, 8192, 0);
    rc = wxp_parse_bill(&a, (const char *)data, size, &b, &why);
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
