/*
 * log.h -- error log and access log.
 *
 * Each line goes out in one write() to a file opened O_APPEND, so lines from
 * many workers never interleave.  Before zm_log_open() everything goes to
 * stderr.
 */
#ifndef ZM_LOG_H
#define ZM_LOG_H

#include <stdint.h>

enum { ZM_LOG_ERROR = 0, ZM_LOG_WARN, ZM_LOG_INFO, ZM_LOG_DEBUG };

/** Open the error log (NULL or "" = stderr) and the access log (NULL or "" = same as error log). */
int zm_log_open(const char *error_path, const char *access_path, int level);

/** Reopen both files (after logrotate moved them). */
int zm_log_reopen(void);

/** Parse "error", "warn", "info", "debug"; -1 if none of them. */
int zm_log_level_parse(const char *s);

void zm_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define zm_log_error(...) zm_log(ZM_LOG_ERROR, __VA_ARGS__)
#define zm_log_warn(...) zm_log(ZM_LOG_WARN, __VA_ARGS__)
#define zm_log_info(...) zm_log(ZM_LOG_INFO, __VA_ARGS__)
#define zm_log_debug(...) zm_log(ZM_LOG_DEBUG, __VA_ARGS__)

/** One access-log line: time, request id, method, path, status, microseconds, pid. */
void zm_log_access(const char *request_id, const char *method, const char *path, int status, int64_t usec);

/**
 * Buffer access-log lines in this process (up to 32 KiB) instead of one
 * write each.  The owner must call zm_log_access_flush() within a second
 * or so (a worker does it from a timer) and before it exits.
 */
void zm_log_access_buffer(int on);
int zm_log_access_pending(void);
void zm_log_access_flush(void);

/** Forget the cached pid (call in a child right after fork). */
void zm_log_forget_pid(void);

/** UTC now as 2026-11-22T10:01:02.345678Z into buf (>= 32 bytes). */
void zm_log_timestamp(char *buf, unsigned len);

#endif
