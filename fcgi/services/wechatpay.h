/*
 * wechatpay.h -- a client for WeChat Pay APIv3 (微信支付, direct merchant,
 * Native payments): the protocol only, no orders, no money rules.  The
 * payments domain builds on it; /work/shared/wechatpay/README.md (the fact
 * sheet) is the reference for every rule cited here.
 *
 *   - requests are signed: Authorization: WECHATPAY2-SHA256-RSA2048
 *     mchid,nonce_str,timestamp,serial_no,signature over
 *     METHOD\nPATH?QUERY\nTS\nNONCE\nBODY\n (RSA-SHA256, PKCS#1 v1.5);
 *   - 2xx responses and notifications are verified: Wechatpay-Signature over
 *     TS\nNONCE\nBODY\n with the platform key named by Wechatpay-Serial --
 *     the configured public key (PUB_KEY_ID_...) and/or the platform
 *     certificates downloaded from /v3/certificates (kept by serial, all of
 *     them, so a rotation or the cert -> public key migration verifies both);
 *     a timestamp more than 300 s off is refused before the signature is
 *     looked at; the WECHATPAY/SIGNTEST/ probe is refused like any bad one;
 *   - notification resources and certificates are AEAD_AES_256_GCM with the
 *     APIv3 key (nonce and associated_data used raw, tag = last 16 bytes);
 *   - native order, query, close, trade bill (download + SHA1), certificates;
 *     5xx and connection failures are retried with the same body.
 *
 * A client (wxp_client_t) is long-lived (one per worker process, not shared
 * between threads): it holds the merchant key, the platform keys and the
 * certificate cache.  Everything a call returns lives in the caller's arena.
 *
 * Return codes: ZM_OK, or a negative code; every refusal has its own code
 * (wxp_strerror names it) and, where the function takes char **why, a
 * one-line reason in the arena.
 */
#ifndef ZM_WECHATPAY_H
#define ZM_WECHATPAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "arena.h"
#include "zm.h"

/* ZM_ERANGE_WECHATPAY: -140..-159 */
#define WXP_EHEADER (ZM_ERANGE_WECHATPAY - 0)     /* a Wechatpay-* header missing, empty or malformed */
#define WXP_ESTALE (ZM_ERANGE_WECHATPAY - 1)      /* Wechatpay-Timestamp more than 300 s from now */
#define WXP_ESERIAL (ZM_ERANGE_WECHATPAY - 2)     /* Wechatpay-Serial names no key we hold */
#define WXP_EPROBE (ZM_ERANGE_WECHATPAY - 3)      /* the WECHATPAY/SIGNTEST/ signature probe */
#define WXP_EBASE64 (ZM_ERANGE_WECHATPAY - 4)     /* a signature or ciphertext that is not strict base64 */
#define WXP_ESIGNATURE (ZM_ERANGE_WECHATPAY - 5)  /* the signature does not verify */
#define WXP_EJSON (ZM_ERANGE_WECHATPAY - 6)       /* body or plaintext not a JSON object */
#define WXP_EFIELD (ZM_ERANGE_WECHATPAY - 7)      /* a required field missing, of the wrong type or too long */
#define WXP_ETRUNCATED (ZM_ERANGE_WECHATPAY - 8)  /* ciphertext shorter than its 16-byte tag */
#define WXP_ETAG (ZM_ERANGE_WECHATPAY - 9)        /* GCM tag mismatch: wrong APIv3 key, nonce, aad or bytes */
#define WXP_EALGORITHM (ZM_ERANGE_WECHATPAY - 10) /* not WECHATPAY2-SHA256-RSA2048 / AEAD_AES_256_GCM */
#define WXP_EAPI (ZM_ERANGE_WECHATPAY - 11)       /* the API answered 4xx (wxp_api_error_t says which) */
#define WXP_EHASH (ZM_ERANGE_WECHATPAY - 12)      /* downloaded bill's SHA1 differs from hash_value */
#define WXP_ECSV (ZM_ERANGE_WECHATPAY - 13)       /* a trade bill not in the documented layout */
#define WXP_EKEY (ZM_ERANGE_WECHATPAY - 14)       /* a key or certificate that cannot be loaded or used */
#define WXP_ENOTCONF (ZM_ERANGE_WECHATPAY - 15)   /* no merchant configured (answer 503 payment_unavailable) */
#define WXP_ESTATUS (ZM_ERANGE_WECHATPAY - 16)    /* an unexpected 2xx/3xx status or content type */
/* over a size cap: ZM_ETOOBIG; transport failure, timeout, 5xx after the retries: ZM_EAGAIN */

/* strict caps on what arrives from outside */
#define WXP_MAX_NOTIFY_BODY 16384   /* a TRANSACTION.SUCCESS body is ~1 KB */
#define WXP_MAX_RESPONSE (1u << 20) /* an API response */
#define WXP_MAX_BILL (64u << 20)    /* a downloaded trade bill */
#define WXP_MAX_BILL_ROWS 500000
#define WXP_MAX_BILL_LINE 4096 /* one bill line: 27 fields, the longest (商品名称) 127 characters */
#define WXP_CLOCK_SKEW 300     /* seconds */

/** A short message for one of the codes above (or any zm code): for logs. */
const char *wxp_strerror(int rc);

/* ---- configuration: the wechatpay.* keys ---- */

typedef struct {
    const char *base_url;               /* https://api.mch.weixin.qq.com; no trailing / needed */
    const char *mchid;                  /* direct merchant id */
    const char *appid;                  /* the appid bound to mchid */
    const char *merchant_serial;        /* the merchant API certificate's serial (40 hex) */
    const char *merchant_key;           /* path of apiclient_key.pem (PKCS#8 RSA-2048) */
    const char *apiv3_key;              /* 32 ASCII characters */
    const char *mode;                   /* "public_key" or "certificate" */
    const char *platform_public_key;    /* path of the WeChat Pay public key PEM ("" in certificate mode) */
    const char *platform_public_key_id; /* PUB_KEY_ID_... */
    const char *notify_url;             /* https://.../api/v1/payment/wechat/notify */
    long timeout_ms;                    /* one HTTP request; <= 0 means 5000 */
    int max_retries;                    /* extra attempts on 5xx / connection errors; < 0 means 0 */
    int cert_refresh_s;                 /* certificate mode: re-download after this long; <= 0 means 43200 */
} wxp_conf_t;

/** Fill c from the wechatpay.* keys (strings valid until the next zm_conf_load). */
void wxp_conf_from_conf(wxp_conf_t *c);

/** 1 when mchid, merchant_serial, merchant_key and apiv3_key are all set. */
int wxp_conf_configured(const wxp_conf_t *c);

typedef struct wxp_client_s wxp_client_t;

/**
 * Load the merchant key and (public-key mode, or when set in certificate
 * mode: the migration) the platform public key; copies everything it keeps.
 * WXP_ENOTCONF when not configured, WXP_EKEY / ZM_EINVAL with *why (static
 * buffer why[whylen]) on unusable keys or settings.
 */
int wxp_client_new(const wxp_conf_t *c, wxp_client_t **out, char *why, size_t whylen);
void wxp_client_free(wxp_client_t *c);

/** Add a platform certificate (PEM) as a verification key, by its own serial; WXP_EKEY. */
int wxp_client_add_certificate(wxp_client_t *c, const char *pem, size_t len);

/** How many platform keys (public key + certificates) the client holds. */
int wxp_client_nkeys(const wxp_client_t *c);

/* ---- signing ---- */

/**
 * The Authorization header value for one request.  url is the path with the
 * query exactly as sent ("/v3/pay/transactions/out-trade-no/X?mchid=1"),
 * body NULL or "" for GET; nonce NULL: 32 random [0-9A-Za-z] (libsodium).
 */
int wxp_authorization(const wxp_client_t *c, zm_arena_t *a, const char *method, const char *url, const char *body,
                      size_t body_len, time_t ts, const char *nonce, char **header);

/** base64(RSA-SHA256(msg)) with the merchant key. */
int wxp_sign(const wxp_client_t *c, zm_arena_t *a, const char *msg, size_t len, char **sig_b64);

/* ---- verification ---- */

typedef struct {
    const char *timestamp;      /* Wechatpay-Timestamp */
    const char *nonce;          /* Wechatpay-Nonce */
    const char *signature;      /* Wechatpay-Signature */
    const char *serial;         /* Wechatpay-Serial */
    const char *signature_type; /* Wechatpay-Signature-Type; NULL taken as WECHATPAY2-SHA256-RSA2048 */
    const char *request_id;     /* Request-ID (informational) */
} wxp_headers_t;

/**
 * Verify a response or notification: headers present, timestamp within
 * WXP_CLOCK_SKEW of now, serial known, signature strict base64 and valid over
 * TS\nNONCE\nBODY\n.  WXP_EHEADER, WXP_ESTALE, WXP_ESERIAL, WXP_EPROBE,
 * WXP_EBASE64, WXP_EALGORITHM, WXP_ESIGNATURE; *why in the arena.
 */
int wxp_verify(const wxp_client_t *c, zm_arena_t *a, const wxp_headers_t *h, const char *body, size_t len, time_t now,
               char **why);

/* ---- decryption ---- */

/**
 * AEAD_AES_256_GCM: key 32 bytes (16 also accepted: AES-128, as one SDK
 * vector uses), nonce 12 bytes used raw, aad raw (may be empty), ct_b64 =
 * base64(ciphertext || 16-byte tag).  *pt NUL-terminated in the arena.
 * WXP_EBASE64, WXP_ETRUNCATED, WXP_ETAG, WXP_EFIELD (key or nonce length),
 * ZM_ETOOBIG (over max_pt).
 */
int wxp_aead_decrypt(zm_arena_t *a, const char *key, size_t keylen, const char *nonce, const char *aad,
                     const char *ct_b64, size_t max_pt, char **pt, size_t *ptlen);

/* ---- the transaction (query answer, decrypted notification) ---- */

typedef struct {
    const char *mchid, *appid, *out_trade_no, *transaction_id;
    const char *trade_type;  /* NATIVE ... ("" when absent: unpaid orders have none) */
    const char *trade_state; /* SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR */
    const char *trade_state_desc, *bank_type, *attach, *success_time, *payer_openid;
    int64_t amount_total;       /* fen; -1 when absent */
    int64_t amount_payer_total; /* fen; -1 when absent */
    const char *currency;       /* "CNY" */
} wxp_transaction_t;

/**
 * Parse a Transaction JSON object.  Required: mchid, appid, out_trade_no,
 * trade_state; for trade_state SUCCESS also transaction_id, success_time and
 * amount.total/payer_total/currency.  WXP_EJSON, WXP_EFIELD, ZM_ETOOBIG.
 */
int wxp_parse_transaction(zm_arena_t *a, const char *json, size_t len, wxp_transaction_t *tx, char **why);

/* ---- notifications ---- */

typedef struct {
    const char *id, *create_time, *event_type, *resource_type, *summary;
    const char *original_type, *algorithm, *associated_data, *nonce, *ciphertext; /* resource.* */
    const char *plaintext;                                                        /* the decrypted resource */
    wxp_transaction_t tx; /* filled when original_type is "transaction" */
    int has_tx;
} wxp_notification_t;

/**
 * A notification as it arrived (headers + raw body) -> verified, decrypted,
 * parsed.  Order: size cap, headers, timestamp, signature, JSON, resource,
 * decryption, transaction.  Any failure: its code and *why; nothing in *n is
 * to be trusted then.
 */
int wxp_parse_notification(const wxp_client_t *c, zm_arena_t *a, const wxp_headers_t *h, const char *body, size_t len,
                           time_t now, wxp_notification_t *n, char **why);

/**
 * The part of wxp_parse_notification after the signature: JSON, resource,
 * decryption, transaction.  For the fuzz target only: a caller must never
 * act on an unverified notification.
 */
int wxp_parse_notification_unverified(const wxp_client_t *c, zm_arena_t *a, const char *body, size_t len,
                                      wxp_notification_t *n, char **why);

/* ---- API calls (block for up to (max_retries + 1) * timeout_ms) ---- */

typedef struct {
    long status;         /* HTTP status, 0 when none came */
    const char *code;    /* the API's error code ("ORDER_NOT_EXIST") or "" */
    const char *message; /* its message or a transport reason */
    const char *request_id;
} wxp_api_error_t;

/** curl_global_init once per process (services' init_master does it). */
int wxp_init(void);

/**
 * POST /v3/pay/transactions/native.  time_expire NULL or RFC3339; *code_url
 * in the arena.  WXP_EAPI (err filled) on 4xx, ZM_EAGAIN on transport/5xx.
 */
int wxp_native_order(wxp_client_t *c, zm_arena_t *a, const char *out_trade_no, const char *description,
                     int64_t total_fen, const char *time_expire, char **code_url, wxp_api_error_t *err);

/** GET /v3/pay/transactions/out-trade-no/{no}?mchid=.  404 -> WXP_EAPI code ORDER_NOT_EXIST. */
int wxp_query_order(wxp_client_t *c, zm_arena_t *a, const char *out_trade_no, wxp_transaction_t *tx,
                    wxp_api_error_t *err);

/** POST .../out-trade-no/{no}/close {"mchid":...} -> 204. */
int wxp_close_order(wxp_client_t *c, zm_arena_t *a, const char *out_trade_no, wxp_api_error_t *err);

/**
 * GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL, then the bill it points to streamed into
 * out (a temporary file, truncated and rewritten on a retry), hashed as it
 * arrives: at most max_bytes (ZM_ETOOBIG past it), WXP_EHASH when its SHA1 is not hash_value (out then
 * holds bytes nobody vouches for: do not parse them).  On ZM_OK out is rewound and *len its size.
 * A day without trades: WXP_EAPI with code NO_STATEMENT_EXIST.
 */
int wxp_trade_bill_download(wxp_client_t *c, zm_arena_t *a, const char *bill_date, FILE *out, uint64_t max_bytes,
                            uint64_t *len, wxp_api_error_t *err);

/**
 * GET /v3/certificates: decrypt each certificate, verify the response with
 * the keys already held plus the new ones, then add them.  *added = number
 * of certificates in the answer.  Certificate mode only calls it itself:
 * before a request when the cache is older than cert_refresh_s, and when a
 * response names an unknown serial (at most once a minute).
 */
int wxp_refresh_certificates(wxp_client_t *c, zm_arena_t *a, int *added, wxp_api_error_t *err);

/**
 * For notifications in certificate mode: when serial is unknown, refresh
 * (at most once a minute).  ZM_OK when the serial is known afterwards.
 */
int wxp_ensure_serial(wxp_client_t *c, zm_arena_t *a, const char *serial);

/* ---- trade bill (CSV) ---- */

typedef struct {
    const char *trade_time, *appid, *mchid, *sub_mchid, *device_info, *transaction_id, *out_trade_no, *openid,
        *trade_type, *trade_state, *bank_type, *currency;
    int64_t settlement_fen, coupon_fen; /* 应结订单金额, 代金券金额 */
    const char *refund_id, *out_refund_no;
    int64_t refund_fen, recharge_refund_fen; /* 退款金额, 充值券退款金额 */
    const char *refund_type, *refund_status, *body, *attach;
    int64_t fee_fen_x1000; /* 手续费 in 1/1000 fen (5 decimals of yuan) */
    const char *rate;      /* "0.60%" */
    int64_t order_fen, refund_request_fen;
    const char *rate_note;
} wxp_bill_row_t;

typedef struct {
    int64_t total_count; /* 总交易单数 */
    int64_t settlement_total_fen, refund_total_fen, recharge_refund_total_fen, order_total_fen,
        refund_request_total_fen;
    int64_t fee_total_fen_x1000;
} wxp_bill_summary_t;

/**
 * The streaming parser (memory flat in the number of rows): bytes in any chunks, each detail row handed
 * to fn as soon as its line is complete (the row's strings live until fn returns).  Layout: optional
 * BOM, the bill_type=ALL header, backtick rows, the summary header, the summary row, then only empty
 * lines; CRLF or LF.  fn returning non-zero stops the parse with that code.  Failures are sticky:
 * WXP_ECSV (layout; a line over WXP_MAX_BILL_LINE, NUL bytes), ZM_ETOOBIG (over max_bytes or max_rows;
 * 0 = WXP_MAX_BILL, WXP_MAX_BILL_ROWS), with wxp_bill_parser_error saying where.
 */
typedef int (*wxp_bill_row_fn)(void *ctx, const wxp_bill_row_t *row);
typedef struct wxp_bill_parser_s wxp_bill_parser_t;

wxp_bill_parser_t *wxp_bill_parser_new(wxp_bill_row_fn fn, void *ctx, uint64_t max_bytes, size_t max_rows);
int wxp_bill_parser_feed(wxp_bill_parser_t *p, const char *data, size_t len);
/** The end of the input: ZM_OK with *sum (may be NULL) when the bill was complete. */
int wxp_bill_parser_finish(wxp_bill_parser_t *p, wxp_bill_summary_t *sum);
const char *wxp_bill_parser_error(const wxp_bill_parser_t *p);
size_t wxp_bill_parser_rows(const wxp_bill_parser_t *p);
void wxp_bill_parser_free(wxp_bill_parser_t *p);

/** A whole file through the streaming parser (64 KB reads); why[whylen] the failure. */
int wxp_parse_bill_stream(FILE *f, wxp_bill_row_fn fn, void *ctx, uint64_t max_bytes, wxp_bill_summary_t *sum,
                          char *why, size_t whylen);

typedef struct {
    wxp_bill_row_t *rows;
    size_t nrows;
    int64_t total_count; /* 总交易单数 */
    int64_t settlement_total_fen, refund_total_fen, recharge_refund_total_fen, order_total_fen,
        refund_request_total_fen;
    int64_t fee_total_fen_x1000;
} wxp_bill_t;

/**
 * The streaming parser collecting every row into the arena (tests, the tool, the fuzz target's
 * cross-check).  Parse a bill_type=ALL trade bill: optional BOM, the 27-column header,
 * backtick-prefixed rows, the summary header and row; CRLF or LF.  Amounts
 * are yuan with up to 2 decimals (手续费 up to 5).  WXP_ECSV with *why,
 * ZM_ETOOBIG past WXP_MAX_BILL bytes or WXP_MAX_BILL_ROWS rows.
 */
int wxp_parse_bill(zm_arena_t *a, const char *csv, size_t len, wxp_bill_t *bill, char **why);

#endif
