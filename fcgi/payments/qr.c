/*
 * qr.c -- a code_url as a QR code PNG: libqrencode for the modules, libpng
 * for the image (8-bit grayscale, 8 px a module, the 4-module quiet zone).
 */
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <string.h>

#include "payments.h"

#define QR_SCALE 8
#define QR_MARGIN 4

typedef struct {
    zm_arena_t *a;
    unsigned char *p;
    size_t len, cap;
    int oom;
} png_out_t;

static void png_write(png_structp png, png_bytep data, png_size_t n)
{
    png_out_t *o = png_get_io_ptr(png);

    if (o->oom) {
        return;
    }
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4096;
        unsigned char *np;
        while (cap < o->len + n) {
            cap *= 2;
        }
        np = zm_palloc(o->a, cap);
        if (!np) {
            o->oom = 1;
            return;
        }
        if (o->len) {
            memcpy(np, o->p, o->len);
        }
        o->p = np;
        o->cap = cap;
    }
    memcpy(o->p + o->len, data, n);
    o->len += n;
}

static void png_flush(png_structp png)
{
    (void)png;
}

static int render(zm_arena_t *a, const QRcode *qr, png_out_t *out)
{
    int side = (qr->width + 2 * QR_MARGIN) * QR_SCALE;
    unsigned char *row = zm_palloc(a, (size_t)side);
    png_structp png;
    png_infop info;

    if (!row) {
        return ZM_ENOMEM;
    }
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png) {
        return ZM_ENOMEM;
    }
    info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return ZM_ENOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return ZM_ERR;
    }
    png_set_write_fn(png, out, png_write, png_flush);
    png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < side; y++) {
        int my = y / QR_SCALE - QR_MARGIN;
        for (int x = 0; x < side; x++) {
            int mx = x / QR_SCALE - QR_MARGIN;
            int dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width && (qr->data[my * qr->width + mx] & 1);
            row[x] = dark ? 0 : 255;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return out->oom ? ZM_ENOMEM : ZM_OK;
}

int payments_qr_png(zm_arena_t *a, const char *text, unsigned char **png, size_t *len)
{
    png_out_t out = {.a = a};
    QRcode *qr;
    size_t n = text ? strlen(text) : 0;
    int rc;

    if (n == 0) {
        return ZM_EINVAL;
    }
    if (n > PAYMENTS_CODE_URL_MAX) {
        return ZM_ETOOBIG;
    }
    qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr) {
        return ZM_ERR;
    }
    rc = render(a, qr, &out);
    QRcode_free(qr);
    if (rc != ZM_OK) {
        return rc;
    }
    *png = out.p;
    *len = out.len;
    return ZM_OK;
}
