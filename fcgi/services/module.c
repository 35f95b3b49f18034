/*
 * module.c -- the services' module: mail, uploads, storage, text
 * extraction, abuse limits, live events, the language-model client and
 * the WeChat Pay client, and the one task type they run themselves
 * (mail.send).
 */
#include "conf.h"
#include "llm.h"
#include "mail.h"
#include "ratelimit.h"
#include "storage.h"
#include "wechatpay.h"

/* the services' own failure codes share one range (zm.h lists who has which) and never each other's */
_Static_assert(ZM_IN_RANGE(STORAGE_EFULL, ZM_ERANGE_SERVICES) && ZM_IN_RANGE(LLM_ECANCELED, ZM_ERANGE_SERVICES) &&
                   ZM_IN_RANGE(RL_LIMITED, ZM_ERANGE_SERVICES) && ZM_IN_RANGE(WXP_EHEADER, ZM_ERANGE_WECHATPAY) &&
                   ZM_IN_RANGE(WXP_ESTATUS, ZM_ERANGE_WECHATPAY - 10),
               "services codes outside ZM_ERANGE_SERVICES");
_Static_assert(STORAGE_EFULL != LLM_ECANCELED && STORAGE_EFULL != RL_LIMITED && LLM_ECANCELED != RL_LIMITED,
               "two services share a code");

static const zm_conf_key_t services_keys[] = {
    ZM_CONF_I("ratelimit.window_s", "60", 1, 86400LL,
              "# Window of the abuse limits on register, login, resend and reset, in seconds."),
    ZM_CONF_I("ratelimit.per_ip", "20", 1, 1000000LL,
              "# Attempts per client IP per window, for each of those actions."),
    ZM_CONF_I("ratelimit.per_email", "5", 1, 1000000LL,
              "# Attempts per email address per window, for each of those actions."),
    ZM_CONF_E("mail.transport", "file", "file|smtp", "# file (each message an .eml under mail.file_dir) or smtp."),
    ZM_CONF_S("mail.file_dir", "var/mail", "# Where the file transport writes messages."),
    ZM_CONF_S("mail.smtp_url", "", "# smtp://host:587 or smtps://host:465."),
    ZM_CONF_B("mail.smtp_starttls", "1", "# 1 requires STARTTLS on smtp:// URLs."),
    ZM_CONF_S("mail.smtp_user", "", "# SMTP login; empty for none."),
    ZM_CONF_S("mail.smtp_password", "", "# SMTP password."),
    ZM_CONF_I("mail.timeout_ms", "15000", 100, 600000LL, "# SMTP timeout for one message, in milliseconds."),
    ZM_CONF_S("mail.from_addr", "noreply@zhimai.local", "# Sender address."),
    ZM_CONF_S("mail.from_name", "职麦", "# Sender display name."),
    ZM_CONF_I("upload.max_file", "10485760", 1, 1073741824LL, "# Largest uploaded file in bytes (10 MiB)."),
    ZM_CONF_E("storage.backend", "local", "local|s3",
              "# Where files live: local (a directory) or s3 (AWS S3, MinIO, OSS/COS in S3 mode)."),
    ZM_CONF_S("storage.local_dir", "", "# The local backend's directory; empty means files/ under state_dir."),
    ZM_CONF_S("storage.s3_endpoint", "",
              "# S3 endpoint URL, e.g. https://s3.ap-east-1.amazonaws.com or http://127.0.0.1:9000."),
    ZM_CONF_S("storage.s3_region", "us-east-1", "# S3 region used in signatures."),
    ZM_CONF_S("storage.s3_bucket", "", "# Bucket name."),
    ZM_CONF_S("storage.s3_access_key", "", "# Access key id."),
    ZM_CONF_S("storage.s3_secret_key", "", "# Secret access key."),
    ZM_CONF_B("storage.s3_path_style", "1",
              "# 1: http://host/bucket/key (MinIO); 0: http://bucket.host/key (AWS virtual hosts)."),
    ZM_CONF_E("storage.s3_download", "stream", "stream|redirect",
              "# Downloads: stream (through the worker) or redirect (302 to a presigned URL)."),
    ZM_CONF_I("storage.s3_presign_ttl", "300", 1, 604800LL, "# Lifetime of presigned download URLs, in seconds."),
    ZM_CONF_I("storage.s3_timeout_ms", "20000", 100, 600000LL, "# Timeout of one S3 request, in milliseconds."),
    ZM_CONF_I("extract.cpu_s", "10", 1, 3600LL, "# CPU seconds the text extractor may use on one file."),
    ZM_CONF_I("extract.mem_mb", "512", 96, 1048576LL, "# Address space of the text extractor, in MiB."),
    ZM_CONF_I("extract.timeout_s", "20", 1, 3600LL, "# Wall-clock seconds before the extractor is killed."),
    ZM_CONF_I("extract.max_chars", "200000", 1000, 100000000LL, "# Extracted text is cut at this many characters."),
    ZM_CONF_E("llm.provider", "builtin", "builtin|openai",
              "# Resume analysis: builtin (offline, deterministic) or openai (any OpenAI-compatible API)."),
    ZM_CONF_S("llm.base_url", "https://api.openai.com/v1",
              "# Chat-completions base URL (OpenAI, DeepSeek, Qwen, vLLM, Ollama)."),
    ZM_CONF_S("llm.model", "gpt-4o-mini", "# Model name sent to the API."),
    ZM_CONF_S("llm.api_key", "", "# API key (Bearer); never commit it."),
    ZM_CONF_I("llm.timeout_ms", "60000", 100, 3600000LL, "# Timeout of one model call, in milliseconds."),
    ZM_CONF_I("llm.max_retries", "3", 0, 20LL, "# Retries on 429/5xx/connection errors, with backoff."),
    ZM_CONF_N("llm.temperature", "0.2", 0, 2, "# Sampling temperature."),
    ZM_CONF_S(
        "events.publish_url", "",
        "# nchan publisher base URL on loopback (e.g. http://127.0.0.1:8080/_events/pub); empty: no live events."),
    ZM_CONF_S(
        "events.allow_origins", "",
        "# Other origins (https://app.example.com, separated by spaces) whose pages may subscribe to live events;\n"
        "# empty: the site's own origin only.  No cookies are involved, so no Access-Control-Allow-Credentials."),
    ZM_CONF_S("wechatpay.base_url", "https://api.mch.weixin.qq.com",
              "# WeChat Pay APIv3 host (backup: https://api2.mch.weixin.qq.com; tests: the local fake)."),
    ZM_CONF_S("wechatpay.mchid", "", "# Merchant id (商户号); empty: no payments (ordering answers 503)."),
    ZM_CONF_S("wechatpay.appid", "", "# The appid bound to the merchant id."),
    ZM_CONF_S("wechatpay.merchant_serial", "", "# Serial of the merchant API certificate (40 hex)."),
    ZM_CONF_S("wechatpay.merchant_key", "", "# Path of the merchant API private key (apiclient_key.pem)."),
    ZM_CONF_S("wechatpay.apiv3_key", "", "# APIv3 key (32 characters); never commit it."),
    ZM_CONF_E("wechatpay.mode", "public_key", "public_key|certificate",
              "# How responses and notifications are verified: public_key (微信支付公钥, PUB_KEY_ID_...)\n"
              "# or certificate (platform certificates from /v3/certificates; with platform_public_key also set,\n"
              "# both are accepted: the migration)."),
    ZM_CONF_S("wechatpay.platform_public_key", "", "# Path of the WeChat Pay public key PEM."),
    ZM_CONF_S("wechatpay.platform_public_key_id", "", "# Its id, PUB_KEY_ID_..."),
    ZM_CONF_S("wechatpay.notify_url", "", "# Public HTTPS URL of the payment notification route (no query string)."),
    ZM_CONF_I("wechatpay.timeout_ms", "5000", 100, 120000LL, "# Timeout of one WeChat Pay request, in milliseconds."),
    ZM_CONF_I("wechatpay.max_retries", "2", 0, 5LL, "# Retries of a request that got 5xx or no answer (same body)."),
    ZM_CONF_I("wechatpay.cert_refresh_s", "43200", 60, 604800LL,
              "# Certificate mode: re-download the platform certificates after this many seconds."),
};

/* libcurl and libsodium are set up once, before anything forks */
static int services_init_master(void)
{
    return mail_init() == ZM_OK && wxp_init() == ZM_OK ? ZM_OK : ZM_ERR;
}

const zm_module_t zm_services_module = {
    .name = "services",
    .conf = services_keys,
    .nconf = ZM_ARRAY_LEN(services_keys),
    .init_master = services_init_master,
};
