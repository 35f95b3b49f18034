/*
 * storage_local.c -- the local backend: files under storage.local_dir,
 * written to a temporary name, fsync'ed and renamed (a reader never sees
 * half a file); directories a delete empties are removed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* the char * strerror_r, which is thread-safe */
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "storage_backend.h"

#define STORAGE_TMP_NAME "/.zm-tmp-XXXXXX"

static const char *storage_errstr(int err, char *buf, size_t len)
{
    return strerror_r(err, buf, len);
}

/* fsync the directory holding path (everything before its last '/'), so a rename or a new
 * entry in it survives a crash. */
static void storage_fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    int fd;

    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
    } else if (slash == path) {
        snprintf(dir, sizeof(dir), "/");
    } else if ((size_t)(slash - path) < sizeof(dir)) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    } else {
        return;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    (void)fsync(fd);
    close(fd);
}

/* Create the missing directories of path from offset start on, each 0700.  0 or an errno. */
static int storage_mkdir_p(char *path, size_t start)
{
    size_t n = strlen(path);

    for (size_t i = start; i <= n; i++) {
        char c = path[i];

        if ((c != '/' && c != '\0') || i == 0 || path[i - 1] == '/') {
            continue;
        }
        path[i] = '\0';
        if (mkdir(path, 0700) == 0) {
            storage_fsync_parent(path);
        } else if (errno != EEXIST) {
            int err = errno;

            path[i] = c;
            return err;
        }
        path[i] = c;
    }
    return 0;
}

int storage_local_open(storage_t *s)
{
    const char *dir = zm_conf_str("storage.local_dir");
    char ebuf[128], deflt[4096];
    size_t n;
    struct stat st;
    int err;

    /* empty: files/ under the state directory, beside the stack's other state */
    if (dir[0] == '\0') {
        snprintf(deflt, sizeof(deflt), "%s/files", zm_conf_str("state_dir"));
        dir = deflt;
    }
    n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') {
        n--;
    }
    s->dir = strndup(dir, n);
    if (s->dir == NULL) {
        return ZM_ENOMEM;
    }
    err = storage_mkdir_p(s->dir, 0);
    if (err == 0 && stat(s->dir, &st) != 0) {
        err = errno;
    }
    if (err == 0 && !S_ISDIR(st.st_mode)) {
        err = ENOTDIR;
    }
    if (err != 0) {
        zm_log_error("storage: cannot use %s: %s", s->dir, storage_errstr(err, ebuf, sizeof(ebuf)));
        return ZM_ERR;
    }
    return ZM_OK;
}

static char *storage_local_path(const storage_t *s, zm_arena_t *a, const char *key)
{
    return zm_psprintf(a, "%s/%s", s->dir, key);
}

static int storage_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Remove the directories above path (modified) that are empty, up to the root; the first that is
 * not empty stops it.  A put racing with this retries its mkdir. */
static void storage_local_prune(const storage_t *s, char *path)
{
    size_t root = strlen(s->dir);
    char *slash;

    while ((slash = strrchr(path, '/')) != NULL && (size_t)(slash - path) > root) {
        *slash = '\0';
        if (rmdir(path) != 0) {
            break;
        }
    }
}

/* A write that failed for want of space or quota: STORAGE_EFULL (the caller answers "try later"),
 * logged as a warning once per failure; otherwise ZM_ERR, logged as an error. */
static int storage_local_failed(const char *what, const char *path, int err)
{
    char ebuf[128];

    if (err == ENOSPC || err == EDQUOT) {
        zm_log_warn("storage: %s %s: %s", what, path, storage_errstr(err, ebuf, sizeof(ebuf)));
        return STORAGE_EFULL;
    }
    zm_log_error("storage: %s %s: %s", what, path, storage_errstr(err, ebuf, sizeof(ebuf)));
    return ZM_ERR;
}

int storage_local_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len)
{
    char *path = storage_local_path(s, a, key), *tmp, *slash;
    int fd = -1, err = 0, rc;

    if (path == NULL) {
        return ZM_ENOMEM;
    }
    slash = strrchr(path, '/');
    tmp = zm_palloc(a, (size_t)(slash - path) + sizeof(STORAGE_TMP_NAME));
    if (tmp == NULL) {
        return ZM_ENOMEM;
    }
    /* a delete may rmdir an emptied directory between our mkdir and mkstemp: try again */
    for (int attempt = 0; attempt < 3 && fd < 0; attempt++) {
        *slash = '\0';
        err = storage_mkdir_p(path, strlen(s->dir) + 1);
        memcpy(tmp, path, (size_t)(slash - path));
        *slash = '/';
        if (err != 0) {
            break;
        }
        memcpy(tmp + (slash - path), STORAGE_TMP_NAME, sizeof(STORAGE_TMP_NAME));
        /* mkstemp creates the file 0600, O_EXCL: a name no one else holds */
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
            err = errno;
            if (err != ENOENT) {
                break;
            }
        }
    }
    if (fd < 0) {
        /* nothing of a failed put stays behind: not even the directories made for it */
        rc = err == ENAMETOOLONG ? ZM_EINVAL : storage_local_failed("cannot create a file for", path, err);
        storage_local_prune(s, path);
        return rc;
    }
    err = storage_write_all(fd, data, len);
    /* the data must be on disk before the rename makes it visible, or a crash leaves an empty file */
    if (err == 0 && fsync(fd) != 0) {
        err = errno;
    }
    if (close(fd) != 0 && err == 0) {
        err = errno;
    }
    if (err == 0 && rename(tmp, path) != 0) {
        err = errno;
    }
    if (err != 0) {
        unlink(tmp);
        /* a file name past NAME_MAX is bad input, nothing to log */
        rc = err == ENAMETOOLONG ? ZM_EINVAL : storage_local_failed("cannot write", path, err);
        storage_local_prune(s, path);
        return rc;
    }
    storage_fsync_parent(path);
    return ZM_OK;
}

int storage_local_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len)
{
    char *path = storage_local_path(s, a, key), *buf, ebuf[128];
    size_t size, got = 0;
    struct stat st;
    int fd;

    if (path == NULL) {
        return ZM_ENOMEM;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return ZM_ENOTFOUND;
        }
        if (errno == ENAMETOOLONG) {
            return ZM_EINVAL;
        }
        zm_log_error("storage: cannot open %s: %s", path, storage_errstr(errno, ebuf, sizeof(ebuf)));
        return ZM_ERR;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ZM_ENOTFOUND;
    }
    if ((uint64_t)st.st_size > STORAGE_OBJ_MAX) {
        close(fd);
        return ZM_ETOOBIG;
    }
    size = (size_t)st.st_size;
    buf = zm_palloc(a, size + 1);
    if (buf == NULL) {
        close(fd);
        return ZM_ENOMEM;
    }
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            zm_log_error("storage: cannot read %s: %s", path,
                         r < 0 ? storage_errstr(errno, ebuf, sizeof(ebuf)) : "file shrank");
            close(fd);
            return ZM_ERR;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return ZM_OK;
}

int storage_local_delete(storage_t *s, zm_arena_t *a, const char *key)
{
    char *path = storage_local_path(s, a, key), ebuf[128];

    if (path == NULL) {
        return ZM_ENOMEM;
    }
    /* nothing there, a directory there, or a name no file can have: no object to remove */
    if (unlink(path) != 0 && errno != ENOENT && errno != ENOTDIR && errno != EISDIR && errno != ENAMETOOLONG) {
        zm_log_error("storage: cannot delete %s: %s", path, storage_errstr(errno, ebuf, sizeof(ebuf)));
        return ZM_ERR;
    }
    /* drop the directories this leaves empty (a version's, a resume's...) */
    storage_local_prune(s, path);
    return ZM_OK;
}
