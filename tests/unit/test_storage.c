/*
 * test_storage.c -- the local backend end to end in a temporary directory,
 * key checks, and the S3 backend's configuration and presigned URLs (no
 * network: requests against an S3 server are tests/api/test_s3.py's).
 */
#include "storage.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "zt.h"
#include "zt_modules.h"

#define KEY_CN "resumes/42/7/3/简历 2024（终版）.pdf"
#define NOW INT64_C(1700000000) /* 2023-11-14T22:13:20Z */

static zm_arena_t arena;
static char root[64];   /* the temporary directory */
static char files[128]; /* storage.local_dir inside it */
static int tmp_found;   /* temporary files seen by the last walk */
static int bad_mode;    /* entries with a mode other than 0700 (dirs) / 0600 (files) */

static int load_conf(void)
{
    char err[256];
    int rc = zm_conf_load(NULL, err, sizeof(err));

    if (rc != ZM_OK) {
        fprintf(stderr, "conf: %s\n", err);
    }
    return rc;
}

static void s3_env(void)
{
    setenv("ZM_STORAGE_BACKEND", "s3", 1);
    setenv("ZM_STORAGE_S3_ENDPOINT", "http://127.0.0.1:9000", 1);
    setenv("ZM_STORAGE_S3_REGION", "us-east-1", 1);
    setenv("ZM_STORAGE_S3_BUCKET", "zhimai-test", 1);
    setenv("ZM_STORAGE_S3_ACCESS_KEY", "AKIDEXAMPLE", 1);
    setenv("ZM_STORAGE_S3_SECRET_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    setenv("ZM_STORAGE_S3_PATH_STYLE", "1", 1);
    setenv("ZM_STORAGE_S3_DOWNLOAD", "stream", 1);
    unsetenv("ZM_STORAGE_S3_TIMEOUT_MS");
}

static void local_env(void)
{
    setenv("ZM_STORAGE_BACKEND", "local", 1);
    setenv("ZM_STORAGE_LOCAL_DIR", files, 1);
}

static int walk_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    const char *base = path + ftw->base;

    if (strncmp(base, ".zm-tmp-", 8) == 0) {
        tmp_found++;
    }
    if (type == FTW_D && (st->st_mode & 07777) != 0700) {
        fprintf(stderr, "mode %o: %s\n", (unsigned)(st->st_mode & 07777), path);
        bad_mode++;
    }
    if (type == FTW_F && (st->st_mode & 07777) != 0600) {
        fprintf(stderr, "mode %o: %s\n", (unsigned)(st->st_mode & 07777), path);
        bad_mode++;
    }
    return 0;
}

static void walk(void)
{
    tmp_found = 0;
    bad_mode = 0;
    ZT_CHECK(nftw(files, walk_entry, 16, FTW_PHYS) == 0);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    ZM_UNUSED(st);
    ZM_UNUSED(type);
    ZM_UNUSED(ftw);
    return remove(path);
}

static storage_t *open_local(void)
{
    storage_t *s;

    local_env();
    if (load_conf() != ZM_OK) {
        return NULL;
    }
    s = storage_open();
    ZT_CHECK(s != NULL);
    return s;
}

static void test_round_trip(void)
{
    storage_t *s = open_local();
    char *data = NULL, *big = malloc(100000);
    size_t len = 0;
    struct stat st;

    if (s == NULL || big == NULL) {
        free(big);
        storage_close(s);
        return;
    }
    zm_arena_reset(&arena);
    for (size_t i = 0; i < 100000; i++) {
        big[i] = (char)(i * 7 + (i >> 8)); /* every byte value, NULs included */
    }
    ZT_STREQ(storage_backend(s), "local");
    ZT_CHECK(storage_redirects(s) == 0);
    ZT_CHECK(stat(files, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);

    ZT_CHECK(storage_put(s, &arena, KEY_CN, big, 100000, "application/pdf") == ZM_OK);
    ZT_CHECK(storage_get(s, &arena, KEY_CN, &data, &len) == ZM_OK);
    ZT_CHECK(len == 100000 && data != NULL && memcmp(data, big, len) == 0);
    ZT_CHECK(data != NULL && data[len] == '\0');

    /* the file is where the key says, under its UTF-8 name */
    {
        char *path = zm_psprintf(&arena, "%s/%s", files, KEY_CN);

        ZT_CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 100000);
    }

    /* overwrite with something shorter: nothing of the old content survives */
    ZT_CHECK(storage_put(s, &arena, KEY_CN, "新内容", strlen("新内容"), NULL) == ZM_OK);
    ZT_CHECK(storage_get(s, &arena, KEY_CN, &data, &len) == ZM_OK);
    ZT_CHECK(len == strlen("新内容") && memcmp(data, "新内容", len) == 0);

    /* an empty object */
    ZT_CHECK(storage_put(s, &arena, "resumes/42/7/4/empty.txt", NULL, 0, "text/plain") == ZM_OK);
    ZT_CHECK(storage_get(s, &arena, "resumes/42/7/4/empty.txt", &data, &len) == ZM_OK);
    ZT_CHECK(len == 0 && data != NULL && data[0] == '\0');

    walk();
    ZT_CHECK(tmp_found == 0);
    ZT_CHECK(bad_mode == 0);

    ZT_CHECK(storage_delete(s, &arena, KEY_CN) == ZM_OK);
    ZT_CHECK(storage_get(s, &arena, KEY_CN, &data, &len) == ZM_ENOTFOUND);
    ZT_CHECK(storage_delete(s, &arena, KEY_CN) == ZM_OK); /* not there: not an error */
    /* the emptied version directory went with it; the resume's other version stays */
    ZT_CHECK(stat(zm_psprintf(&arena, "%s/resumes/42/7/3", files), &st) != 0 && errno == ENOENT);
    ZT_CHECK(stat(zm_psprintf(&arena, "%s/resumes/42/7/4", files), &st) == 0);
    ZT_CHECK(storage_delete(s, &arena, "resumes/42/7/4/empty.txt") == ZM_OK);
    ZT_CHECK(stat(zm_psprintf(&arena, "%s/resumes", files), &st) != 0 && errno == ENOENT);
    ZT_CHECK(stat(files, &st) == 0); /* the root itself stays */

    free(big);
    storage_close(s);
}

static void test_missing(void)
{
    storage_t *s = open_local();
    char *data = NULL;
    size_t len = 0;

    if (s == NULL) {
        return;
    }
    zm_arena_reset(&arena);
    ZT_CHECK(storage_get(s, &arena, "resumes/1/2/3/none.pdf", &data, &len) == ZM_ENOTFOUND);
    ZT_CHECK(storage_get(s, &arena, "nothing", &data, &len) == ZM_ENOTFOUND);
    ZT_CHECK(storage_delete(s, &arena, "resumes/1/2/3/none.pdf") == ZM_OK);
    /* a key naming a directory is not an object */
    ZT_CHECK(storage_put(s, &arena, "a/b/c.txt", "x", 1, NULL) == ZM_OK);
    ZT_CHECK(storage_get(s, &arena, "a/b", &data, &len) == ZM_ENOTFOUND);
    /* a key below a file is not there either */
    ZT_CHECK(storage_get(s, &arena, "a/b/c.txt/d", &data, &len) == ZM_ENOTFOUND);
    ZT_CHECK(storage_delete(s, &arena, "a/b/c.txt/d") == ZM_OK);
    ZT_CHECK(storage_delete(s, &arena, "a/b/c.txt") == ZM_OK);
    storage_close(s);
}

static void test_bad_keys(void)
{
    static const char *bad[] = {
        "",     "/abs/key", "a//b",  "a/",   "a/../b", "..",           "../x",     ".",        "a/./b",        "a/.",
        "a\\b", "a\\..\\b", "a\x01", "a\nb", "a\x7f",  "bad\xff utf8", "\xe7\xae", "\xc0\xaf", "\xed\xa0\x80",
    };
    storage_t *s = open_local();
    char *data, *longkey;
    size_t len;

    if (s == NULL) {
        return;
    }
    zm_arena_reset(&arena);
    for (size_t i = 0; i < ZM_ARRAY_LEN(bad); i++) {
        int p = storage_put(s, &arena, bad[i], "x", 1, NULL), g = storage_get(s, &arena, bad[i], &data, &len),
            d = storage_delete(s, &arena, bad[i]);

        if (p != ZM_EINVAL || g != ZM_EINVAL || d != ZM_EINVAL) {
            fprintf(stderr, "bad key %zu accepted: put %d get %d delete %d\n", i, p, g, d);
        }
        ZT_CHECK(p == ZM_EINVAL && g == ZM_EINVAL && d == ZM_EINVAL);
    }
    ZT_CHECK(storage_put(s, &arena, NULL, "x", 1, NULL) == ZM_EINVAL);
    /* S3's limit: 1024 bytes */
    longkey = zm_palloc(&arena, 1026);
    memset(longkey, 'k', 1025);
    longkey[1025] = '\0';
    ZT_CHECK(storage_put(s, &arena, longkey, "x", 1, NULL) == ZM_EINVAL);
    /* names that look odd but are fine */
    ZT_CHECK(storage_put(s, &arena, "a/...", "x", 1, NULL) == ZM_OK);
    ZT_CHECK(storage_put(s, &arena, "a/.hidden", "x", 1, NULL) == ZM_OK);
    ZT_CHECK(storage_put(s, &arena, "a/b c+d%20&=?#.txt", "x", 1, NULL) == ZM_OK);
    ZT_CHECK(storage_get(s, &arena, "a/b c+d%20&=?#.txt", &data, &len) == ZM_OK && len == 1);
    ZT_CHECK(storage_delete(s, &arena, "a/...") == ZM_OK);
    ZT_CHECK(storage_delete(s, &arena, "a/.hidden") == ZM_OK);
    ZT_CHECK(storage_delete(s, &arena, "a/b c+d%20&=?#.txt") == ZM_OK);
    /* a segment longer than the file system takes is bad input, not a server error */
    {
        char *seg = zm_palloc(&arena, 300);

        memset(seg, 'n', 299);
        seg[299] = '\0';
        ZT_CHECK(storage_put(s, &arena, seg, "x", 1, NULL) == ZM_EINVAL);
    }
    /* over the size cap */
    ZT_CHECK(storage_put(s, &arena, "big", "x", (size_t)64 * 1024 * 1024 + 1, NULL) == ZM_ETOOBIG);
    /* presigned URLs are the S3 backend's */
    {
        char *url = (char *)"unset";

        ZT_CHECK(storage_presign_get(s, &arena, "a/b", NOW, 300, NULL, NULL, &url) == ZM_EINVAL);
        ZT_CHECK(url == NULL);
    }
    walk();
    ZT_CHECK(tmp_found == 0);
    storage_close(s);
}

/* A write that fails leaves neither a temporary file nor a half object behind. */
static void test_failed_write(void)
{
    storage_t *s = open_local();
    char *data, *dir;
    size_t len;

    if (s == NULL) {
        return;
    }
    zm_arena_reset(&arena);
    /* the key's name is taken by a non-empty directory: the final rename must fail */
    ZT_CHECK(storage_put(s, &arena, "f/taken/inside.txt", "1", 1, NULL) == ZM_OK);
    ZT_CHECK(storage_put(s, &arena, "f/taken", "new content", 11, NULL) == ZM_ERR);
    walk();
    ZT_CHECK(tmp_found == 0);
    ZT_CHECK(storage_get(s, &arena, "f/taken/inside.txt", &data, &len) == ZM_OK && len == 1);

    /* a key under a file: the directory cannot be made */
    ZT_CHECK(storage_put(s, &arena, "f/taken/inside.txt/x", "1", 1, NULL) == ZM_ERR);
    walk();
    ZT_CHECK(tmp_found == 0);

    /* the old content stays whole when a replacement fails */
    ZT_CHECK(storage_put(s, &arena, "f/keep.txt", "old", 3, NULL) == ZM_OK);
    dir = zm_psprintf(&arena, "%s/f", files);
    ZT_CHECK(storage_delete(s, &arena, "f/taken/inside.txt") == ZM_OK);
    ZT_CHECK(storage_get(s, &arena, "f/keep.txt", &data, &len) == ZM_OK && len == 3 && memcmp(data, "old", 3) == 0);
    ZT_CHECK(dir != NULL && access(dir, F_OK) == 0);
    ZT_CHECK(storage_delete(s, &arena, "f/keep.txt") == ZM_OK);

    /* nor the directories it made: a name past NAME_MAX fails at the rename, after g/h/ exist */
    {
        char *seg = zm_palloc(&arena, 300), *key;

        memset(seg, 'n', 299);
        seg[299] = '\0';
        key = zm_psprintf(&arena, "g/h/%s", seg);
        ZT_CHECK(key != NULL && storage_put(s, &arena, key, "x", 1, NULL) == ZM_EINVAL);
        dir = zm_psprintf(&arena, "%s/g", files);
        ZT_CHECK(dir != NULL && access(dir, F_OK) != 0);
    }
    storage_close(s);
}

static void test_bad_config(void)
{
    char local_as_file[160];
    FILE *f;

    /* values the key's type refuses stop the load itself (conf.c) */
    setenv("ZM_STORAGE_BACKEND", "ftp", 1);
    ZT_CHECK(load_conf() != ZM_OK);

    /* local_dir is a file */
    snprintf(local_as_file, sizeof(local_as_file), "%s/plainfile", root);
    f = fopen(local_as_file, "w");
    ZT_CHECK(f != NULL);
    if (f != NULL) {
        fclose(f);
    }
    setenv("ZM_STORAGE_BACKEND", "local", 1);
    setenv("ZM_STORAGE_LOCAL_DIR", local_as_file, 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    unlink(local_as_file);

    s3_env();
    setenv("ZM_STORAGE_S3_BUCKET", "", 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    s3_env();
    setenv("ZM_STORAGE_S3_ENDPOINT", "ftp://127.0.0.1:9000", 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    setenv("ZM_STORAGE_S3_ENDPOINT", "http://127.0.0.1:9000/prefix", 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    setenv("ZM_STORAGE_S3_ENDPOINT", "", 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    s3_env();
    setenv("ZM_STORAGE_S3_SECRET_KEY", "", 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    s3_env();
    setenv("ZM_STORAGE_S3_DOWNLOAD", "teleport", 1);
    ZT_CHECK(load_conf() != ZM_OK);
    s3_env();
    setenv("ZM_STORAGE_S3_REGION", "us:east", 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    s3_env();
    setenv("ZM_STORAGE_S3_BUCKET", "Has/Slash", 1);
    ZT_CHECK(load_conf() == ZM_OK && storage_open() == NULL);
    s3_env();
    setenv("ZM_STORAGE_S3_TIMEOUT_MS", "0", 1);
    ZT_CHECK(load_conf() != ZM_OK);
}

static void test_s3_presign(void)
{
    storage_t *s;
    char *url = NULL;

    zm_arena_reset(&arena);
    s3_env();
    setenv("ZM_STORAGE_S3_DOWNLOAD", "redirect", 1);
    ZT_CHECK(load_conf() == ZM_OK);
    s = storage_open();
    ZT_CHECK(s != NULL);
    if (s == NULL) {
        return;
    }
    ZT_STREQ(storage_backend(s), "s3");
    ZT_CHECK(storage_redirects(s) == 1);
    ZT_CHECK(storage_presign_get(s, &arena, "resumes/1/2/3/简历.pdf", NOW, 300, "简历.pdf", "application/pdf", &url) ==
             ZM_OK);
    ZT_CHECK(url != NULL && strncmp(url,
                                    "http://127.0.0.1:9000/zhimai-test/resumes/1/2/3/%E7%AE%80%E5%8E%86.pdf?"
                                    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Fus-"
                                    "east-1%2Fs3%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=300&X-Amz-"
                                    "SignedHeaders=host&response-content-disposition=attachment%3B%20filename%3D%22__"
                                    ".pdf%22%3B%20filename%2A%3DUTF-8%27%27%25E7%25AE%2580%25E5%258E%2586.pdf&"
                                    "response-content-type=application%2Fpdf&X-Amz-Signature=",
                                    strlen("http://127.0.0.1:9000/zhimai-test/resumes/1/2/3/%E7%AE%80%E5%8E%86.pdf?"
                                           "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114%"
                                           "2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-"
                                           "Expires=300&X-Amz-SignedHeaders=host&response-content-disposition="
                                           "attachment%3B%20filename%3D%22__.pdf%22%3B%20filename%2A%3DUTF-8%27%27%"
                                           "25E7%25AE%2580%25E5%258E%2586.pdf&response-content-type=application%"
                                           "2Fpdf&X-Amz-Signature=")) == 0);
    ZT_CHECK(url != NULL && strlen(strstr(url, "X-Amz-Signature=")) == 16 + 64);
    /* bare: no response overrides */
    ZT_CHECK(storage_presign_get(s, &arena, "k", NOW, 60, NULL, NULL, &url) == ZM_OK);
    ZT_CHECK(url != NULL && strstr(url, "response-") == NULL && strstr(url, "/zhimai-test/k?X-Amz-Algorithm") != NULL);
    /* refusals */
    ZT_CHECK(storage_presign_get(s, &arena, "k", NOW, 0, NULL, NULL, &url) == ZM_EINVAL);
    ZT_CHECK(storage_presign_get(s, &arena, "k", NOW, 604801, NULL, NULL, &url) == ZM_EINVAL);
    ZT_CHECK(storage_presign_get(s, &arena, "../k", NOW, 60, NULL, NULL, &url) == ZM_EINVAL);
    ZT_CHECK(storage_presign_get(s, &arena, "k", NOW, 60, NULL, "text/plain\r\nX-Evil: 1", &url) == ZM_EINVAL);
    ZT_CHECK(storage_presign_get(s, &arena, "k", NOW, 60, "bad\xff", NULL, &url) == ZM_EINVAL);
    /* a bad Content-Type never reaches S3 */
    ZT_CHECK(storage_put(s, &arena, "k", "x", 1, "text/plain\r\nX-Evil: 1") == ZM_EINVAL);
    storage_close(s);

    /* virtual-host addressing: the bucket moves into the host; https's default port is dropped */
    s3_env();
    setenv("ZM_STORAGE_S3_ENDPOINT", "https://s3.ap-east-1.amazonaws.com:443/", 1);
    setenv("ZM_STORAGE_S3_PATH_STYLE", "0", 1);
    setenv("ZM_STORAGE_S3_REGION", "ap-east-1", 1);
    ZT_CHECK(load_conf() == ZM_OK);
    s = storage_open();
    ZT_CHECK(s != NULL);
    if (s == NULL) {
        return;
    }
    ZT_CHECK(storage_redirects(s) == 0);
    ZT_CHECK(storage_presign_get(s, &arena, "a b/c", NOW, 300, NULL, NULL, &url) == ZM_OK);
    ZT_CHECK(url != NULL &&
             strncmp(url, "https://zhimai-test.s3.ap-east-1.amazonaws.com/a%20b/c?X-Amz-Algorithm=", 71) == 0);
    ZT_CHECK(url != NULL && strstr(url, "%2Fap-east-1%2Fs3%2Faws4_request") != NULL);
    storage_close(s);
}

int main(void)
{
    zm_arena_init(&arena, 65536, 0);
    if (zt_register_modules() != 0) {
        return 1;
    }
    /* modes must come from the code, not from a friendly umask */
    umask(0);
    snprintf(root, sizeof(root), "/tmp/zm-storage-XXXXXX");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(files, sizeof(files), "%s/state/files", root); /* made by storage_open */

    ZT_RUN(test_round_trip);
    ZT_RUN(test_missing);
    ZT_RUN(test_bad_keys);
    ZT_RUN(test_failed_write);
    ZT_RUN(test_bad_config);
    ZT_RUN(test_s3_presign);

    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    zm_arena_destroy(&arena);
    return zt_done();
}
