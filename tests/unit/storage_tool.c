/*
 * storage_tool.c -- drive the configured storage backend from the command
 * line; the C half of tests/api/test_s3.py.
 *
 *   storage_tool put FILE KEY [CONTENT_TYPE]
 *   storage_tool get KEY OUT
 *   storage_tool delete KEY
 *   storage_tool presign KEY [NOW TTL [DOWNLOAD_NAME [CONTENT_TYPE]]]
 *
 * The configuration is the defaults plus ZM_* environment variables
 * (ZM_STORAGE_BACKEND=s3, ZM_STORAGE_S3_ENDPOINT=http://127.0.0.1:PORT...),
 * or a file named by ZM_CONF.  presign prints the URL; NOW defaults to the
 * clock and TTL to storage.s3_presign_ttl.  Exit 0 when done, 1 when not
 * (the return code's name on stderr as "error: NAME"), 2 on bad usage.
 */
#include "storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "zt_modules.h"

static void usage(void)
{
    fprintf(stderr, "usage: storage_tool put FILE KEY [CONTENT_TYPE]\n"
                    "       storage_tool get KEY OUT\n"
                    "       storage_tool delete KEY\n"
                    "       storage_tool presign KEY [NOW TTL [DOWNLOAD_NAME [CONTENT_TYPE]]]\n");
}

/* The whole file, malloc'ed; NULL on error (reported). */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;

    if (f == NULL) {
        perror(path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 1);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size) {
            *len = (size_t)size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    if (buf == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
    }
    fclose(f);
    return buf;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL) {
        perror(path);
        return -1;
    }
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write\n", path);
        return -1;
    }
    return 0;
}

static int run(storage_t *s, zm_arena_t *a, int argc, char **argv)
{
    const char *cmd = argv[1];
    char *data = NULL, *url = NULL;
    size_t len = 0;
    int rc;

    if (strcmp(cmd, "put") == 0 && (argc == 4 || argc == 5)) {
        data = read_file(argv[2], &len);
        if (data == NULL) {
            return ZM_ERR;
        }
        rc = storage_put(s, a, argv[3], data, len, argc == 5 ? argv[4] : NULL);
        free(data);
        return rc;
    }
    if (strcmp(cmd, "get") == 0 && argc == 4) {
        rc = storage_get(s, a, argv[2], &data, &len);
        if (rc == ZM_OK && write_file(argv[3], data, len) != 0) {
            return ZM_ERR;
        }
        return rc;
    }
    if (strcmp(cmd, "delete") == 0 && argc == 3) {
        return storage_delete(s, a, argv[2]);
    }
    if (strcmp(cmd, "presign") == 0 && (argc == 3 || (argc >= 5 && argc <= 7))) {
        int64_t now = argc >= 5 ? strtoll(argv[3], NULL, 10) : (int64_t)time(NULL);
        int ttl = argc >= 5 ? atoi(argv[4]) : (int)zm_conf_int("storage.s3_presign_ttl");

        rc = storage_presign_get(s, a, argv[2], now, ttl, argc >= 6 ? argv[5] : NULL, argc >= 7 ? argv[6] : NULL, &url);
        if (rc == ZM_OK) {
            printf("%s\n", url);
        }
        return rc;
    }
    usage();
    return 2;
}

int main(int argc, char **argv)
{
    char err[256];
    zm_arena_t a;
    storage_t *s;
    int rc;
    if (zt_register_modules() != 0) {
        return 1;
    }

    if (argc < 3) {
        usage();
        return 2;
    }
    if (zm_conf_load(getenv("ZM_CONF"), err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "config: %s\n", err);
        return 1;
    }
    s = storage_open();
    if (s == NULL) {
        fprintf(stderr, "error: storage_open failed\n");
        return 1;
    }
    zm_arena_init(&a, 1 << 20, 0);
    rc = run(s, &a, argc, argv);
    zm_arena_destroy(&a);
    storage_close(s);
    if (rc == 2) {
        return 2;
    }
    if (rc != ZM_OK) {
        fprintf(stderr, "error: %s\n", rc == STORAGE_EFULL ? "STORAGE_EFULL" : zm_strerror(rc));
        return 1;
    }
    return 0;
}
