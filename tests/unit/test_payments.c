/*
 * test_payments.c -- the parts of payments that need no database: the QR
 * code PNG (read back with libpng: size, quiet zone, a finder pattern),
 * its input bounds, the order's JSON shape, "no merchant: unavailable".
 */
#include <png.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "modules.h"
#include "payments.h"
#include "zt.h"

typedef struct {
    const unsigned char *p;
    size_t len, pos;
} rd_t;

static void rd(png_structp png, png_bytep out, png_size_t n)
{
    rd_t *r = png_get_io_ptr(png);

    if (r->pos + n > r->len) {
        png_error(png, "short");
    }
    memcpy(out, r->p + r->pos, n);
    r->pos += n;
}

/* decode an 8-bit gray PNG into pix (side * side), returns side or -1 */
static int decode(const unsigned char *p, size_t len, unsigned char *pix, size_t cap)
{
    rd_t r = {p, len, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    int w, h;

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_set_read_fn(png, &r, rd);
    png_read_info(png, info);
    w = (int)png_get_image_width(png, info);
    h = (int)png_get_image_height(png, info);
    if (w != h || png_get_bit_depth(png, info) != 8 || png_get_color_type(png, info) != PNG_COLOR_TYPE_GRAY ||
        (size_t)w * (size_t)h > cap) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    for (int y = 0; y < h; y++) {
        png_read_row(png, pix + (size_t)y * (size_t)w, NULL);
    }
    png_destroy_read_struct(&png, &info, NULL);
    return w;
}

static void test_qr(void)
{
    static unsigned char pix[2048 * 2048];
    zm_arena_t a;
    unsigned char *png;
    size_t len;
    char big[PAYMENTS_CODE_URL_MAX + 2];
    int side;

    zm_arena_init(&a, 1 << 16, 0);
    ZT_CHECK(payments_qr_png(&a, "weixin://wxpay/bizpayurl?pr=ypT_cLDf", &png, &len) == ZM_OK);
    ZT_CHECK(len > 8 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
    side = decode(png, len, pix, sizeof(pix));
    /* a version-3 symbol (29 modules) for 36 bytes at level M, 4 modules of quiet zone, 8 px a module */
    ZT_CHECK(side == (29 + 8) * 8);
    if (side > 0) {
        ZT_CHECK(pix[0] == 255 && pix[(size_t)(4 * 8 - 1) * (size_t)side + 4 * 8 - 1] == 255); /* quiet zone */
        ZT_CHECK(pix[(size_t)(4 * 8) * (size_t)side + 4 * 8] == 0);                            /* finder's corner */
        ZT_CHECK(pix[(size_t)(5 * 8 + 3) * (size_t)side + 5 * 8 + 3] == 255);                  /* its white ring */
        ZT_CHECK(pix[(size_t)(7 * 8 + 3) * (size_t)side + 7 * 8 + 3] == 0);                    /* its centre */
    }
    /* bounds */
    ZT_CHECK(payments_qr_png(&a, "", &png, &len) == ZM_EINVAL);
    ZT_CHECK(payments_qr_png(&a, NULL, &png, &len) == ZM_EINVAL);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ZT_CHECK(payments_qr_png(&a, big, &png, &len) == ZM_ETOOBIG);
    big[PAYMENTS_CODE_URL_MAX] = '\0';
    ZT_CHECK(payments_qr_png(&a, big, &png, &len) == ZM_OK && decode(png, len, pix, sizeof(pix)) > 0);
    zm_arena_destroy(&a);
}

static void test_order_json(void)
{
    zm_arena_t a;
    payments_order_t o = {.out_trade_no = "ZM20261202120000ABCDEFGHIJKLMN",
                          .user_id = 7,
                          .kind = "recharge",
                          .amount_fen = 6000,
                          .status = "pending",
                          .code_url = "weixin://wxpay/bizpayurl?pr=x",
                          .expires_at = 1764677700,
                          .created_at = 1764676800};
    json_object *j, *v;

    zm_arena_init(&a, 1 << 16, 0);
    j = payments_order_json(&a, &o);
    ZT_STREQ(json_object_get_string(json_object_object_get(j, "qr_url")),
             "/api/v1/payment/orders/ZM20261202120000ABCDEFGHIJKLMN/qr.png");
    ZT_CHECK(json_object_object_get_ex(j, "package", &v) && v == NULL);
    ZT_CHECK(json_object_object_get_ex(j, "paid_at", &v) && v == NULL);
    ZT_STREQ(json_object_get_string(json_object_object_get(j, "created_at")), "2025-12-02T12:00:00Z");
    ZT_CHECK(json_object_get_int64(json_object_object_get(j, "amount_fen")) == 6000);
    ZT_CHECK(!json_object_object_get_ex(j, "user_id", NULL)); /* never shown */
    json_object_put(j);
    zm_arena_destroy(&a);
}

static void test_unconfigured(void)
{
    ZT_CHECK(payments_available() == 0);
}

int main(void)
{
    char err[256];

    if (zm_conf_register(zm_modules, err, sizeof(err)) != ZM_OK || zm_conf_load(NULL, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "conf: %s\n", err);
        return 1;
    }
    ZT_RUN(test_qr);
    ZT_RUN(test_order_json);
    ZT_RUN(test_unconfigured);
    return zt_done();
}
