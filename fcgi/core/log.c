#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "zm.h"

static int log_fd = 2, access_fd = 2, log_level = ZM_LOG_INFO;
static int access_buffered;
static char access_buf[32768];
static size_t access_len;
static char *log_path, *access_path;

/* the pid, cached: getpid() is a real system call on some kernels, and this runs per request */
static pid_t cached_pid;
static pid_t my_pid(void)
{
    if (cached_pid == 0) {
        cached_pid = getpid();
    }
    return cached_pid;
}

void zm_log_forget_pid(void)
{
    cached_pid = 0;
}

static const char *level_names[] = {"error", "warn", "info", "debug"};

int zm_log_level_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int open_append(const char *path)
{
    if (path == NULL || path[0] == '\0') {
        return 2;
    }
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int zm_log_open(const char *error_path, const char *acc_path, int level)
{
    int fd, afd;

    fd = open_append(error_path);
    if (fd < 0) {
        fprintf(stderr, "cannot open log %s: %s\n", error_path, strerror(errno));
        return -1;
    }
    afd = (acc_path && acc_path[0]) ? open_append(acc_path) : fd;
    if (afd < 0) {
        fprintf(stderr, "cannot open access log %s: %s\n", acc_path, strerror(errno));
        if (fd != 2) {
            close(fd);
        }
        return -1;
    }
    if (log_fd != 2) {
        close(log_fd);
    }
    if (access_fd != 2 && access_fd != log_fd) {
        close(access_fd);
    }
    log_fd = fd;
    access_fd = afd;
    log_level = level;
    free(log_path);
    free(access_path);
    log_path = zm_xstrdup(error_path);
    access_path = zm_xstrdup(acc_path);
    return 0;
}

int zm_log_reopen(void)
{
    char *e = zm_xstrdup(log_path), *a = zm_xstrdup(access_path);
    int rc = zm_log_open(e, a, log_level);

    free(e);
    free(a);
    return rc;
}

void zm_log_timestamp(char *buf, unsigned len)
{
    struct timeval tv;
    struct tm tm;
    char base[24];

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06ldZ", base, (long)tv.tv_usec);
}

void zm_log(int level, const char *fmt, ...)
{
    char line[2048], ts[40];
    int n, m;
    va_list ap;

    if (level > log_level) {
        return;
    }
    zm_log_timestamp(ts, sizeof(ts));
    n = snprintf(line, sizeof(line), "%s [%s] %d: ", ts, level_names[level], (int)my_pid());
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) {
        m = 0;
    }
    n += m;
    if (n > (int)sizeof(line) - 2) {
        n = (int)sizeof(line) - 2;
    }
    line[n++] = '\n';
    (void)!write(log_fd, line, (size_t)n);
}

/* Copy s for a log line: control bytes, spaces, quotes and non-ASCII bytes as \xHH, so a
 * hostile path can neither forge a line nor break a parser of the log. */
static void log_escape(const char *s, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    for (; s && *s && o + 5 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

void zm_log_access(const char *request_id, const char *method, const char *path, int status, int64_t usec)
{
    char line[1024], ts[40], epath[600], emethod[40], cut[600];
    int n;

    zm_log_timestamp(ts, sizeof(ts));
    /* the path is nginx's decoded one, query-less; a '?' in it came from %3F, and what follows
     * it is logged no more than a query string would be (an access token must not reach a log) */
    path = path ? path : "-";
    snprintf(cut, sizeof(cut), "%.*s", (int)strcspn(path, "?"), path);
    log_escape(cut, epath, sizeof(epath));
    log_escape(method ? method : "-", emethod, sizeof(emethod));
    n = snprintf(line, sizeof(line), "%s %s %s %s %d %lldus pid=%d\n", ts, request_id ? request_id : "-", emethod,
                 epath, status, (long long)usec, (int)my_pid());
    if (n > (int)sizeof(line) - 1) {
        n = (int)sizeof(line) - 1;
        line[n - 1] = '\n';
    }
    if (!access_buffered) {
        (void)!write(access_fd, line, (size_t)n);
        return;
    }
    if (access_len + (size_t)n > sizeof(access_buf)) {
        zm_log_access_flush();
    }
    memcpy(access_buf + access_len, line, (size_t)n);
    access_len += (size_t)n;
}

void zm_log_access_buffer(int on)
{
    zm_log_access_flush();
    access_buffered = on;
}

int zm_log_access_pending(void)
{
    return access_len > 0;
}

void zm_log_access_flush(void)
{
    if (access_len) {
        (void)!write(access_fd, access_buf, access_len);
        access_len = 0;
    }
}
