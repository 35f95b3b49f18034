/*
 * extract.c -- plain text out of uploaded files; see extract.h.
 *
 * Text files are normalised here, in the caller.  PDF and DOCX are parsed
 * by a separate program, zhimai-extract (fcgi/bin/zhimai_extract.c), which
 * this file forks and execs with resource limits set between the two:
 *
 *   - Why exec, not a plain fork that calls poppler: the caller is a task
 *     runner with a lease-renewal thread, and after fork() in a threaded
 *     process only async-signal-safe calls are safe until exec (a lock the
 *     other thread held stays locked for ever in the child).  The child here
 *     does nothing but dup2/setrlimit/sigaction/close_range/execve.  It also
 *     keeps poppler and glib (their constructors, their globals) out of the
 *     worker's address space, and makes RLIMIT_AS measure the parser alone
 *     rather than the worker's heap, thread stacks and libraries.
 *   - Limits: RLIMIT_CPU cpu_s (SIGXCPU; hard limit one second later
 *     SIGKILL), RLIMIT_AS mem_mb, RLIMIT_FSIZE 0 (it writes no files),
 *     RLIMIT_NOFILE 32, RLIMIT_CORE 0; no new privileges; killed if the
 *     worker dies.  The wall clock (timeout_s) is enforced here with poll()
 *     and SIGKILL.  Under AddressSanitizer RLIMIT_AS is skipped: ASan
 *     reserves terabytes of shadow memory, so the helper could not start.
 *   - Plumbing: the file goes in on a sealed memfd as stdin (the helper maps
 *     it: no copy, no pipe to keep fed); the text comes back on stdout, read
 *     up to a cap; a refusal's reason on fd 3; stderr (poppler's warnings,
 *     glib's "failed to allocate") is drained and its tail kept to tell an
 *     out-of-memory abort from another crash.
 *   - The helper is found through $ZM_EXTRACT_HELPER, else next to the
 *     running program (/proc/self/exe's directory): zhimai-worker and
 *     zhimai-extract are built and installed side by side.
 *
 * The helper's text is not trusted: it is validated and normalised again
 * here, which is also what text files go through.
 *
 * Return codes: ZM_OK; ZM_EINVAL the file is refused (not a valid PDF,
 * encrypted, crashed the parser: retrying will not help); ZM_ETOOBIG it hit
 * a limit (CPU, memory, time, zip bomb); ZM_EAGAIN no process, pipe or memfd
 * to be had now; ZM_ERR the helper is missing or broken (a deployment
 * problem, logged); ZM_ENOMEM the arena is full.
 */
#include "extract.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "str.h"

#if defined(__SANITIZE_ADDRESS__)
#define EXTRACT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXTRACT_ASAN 1
#endif
#endif

#define EXTRACT_HELPER_NAME "zhimai-extract"
#define EXTRACT_NOFILE 32
#define EXTRACT_MIN_MEM_MB 96           /* poppler and its libraries alone map ~80 MiB */
#define EXTRACT_SLACK 4096              /* bytes over the helper's budget still accepted */
#define EXTRACT_TAIL 2048               /* bytes of the helper's stderr kept */
#define EXTRACT_REASON 200              /* bytes of a refusal's reason kept */
#define EXTRACT_MAX_BUDGET (256u << 20) /* whatever max_chars says */

/* the helper's exit codes (fcgi/bin/zhimai_extract.c) */
#define EXTRACT_EXIT_REFUSED 2
#define EXTRACT_EXIT_NOMEM 3
#define EXTRACT_EXIT_TOOBIG 4
#define EXTRACT_EXIT_NOEXEC 127

extern char **environ;

static unsigned extract_clamp(int64_t v, unsigned lo, unsigned hi)
{
    if (v < lo) {
        return lo;
    }
    return v > hi ? hi : (unsigned)v;
}

void extract_limits_from_conf(extract_limits_t *l)
{
    int64_t mc = zm_conf_int("extract.max_chars");

    /* nonsense values become the nearest sane one rather than no limit */
    l->cpu_s = extract_clamp(zm_conf_int("extract.cpu_s"), 1, 3600);
    l->mem_mb = extract_clamp(zm_conf_int("extract.mem_mb"), EXTRACT_MIN_MEM_MB, 1 << 20);
    l->timeout_s = extract_clamp(zm_conf_int("extract.timeout_s"), 1, 3600);
    l->max_chars = mc < 1 ? 1 : mc > (int64_t)(EXTRACT_MAX_BUDGET / 4) ? EXTRACT_MAX_BUDGET / 4 : (size_t)mc;
}

/* ---- normalisation ----------------------------------------------------------- */

static int extract_is_hspace(int32_t c)
{
    return c == ' ' || c == '\t' || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

static int extract_is_newline(int32_t c)
{
    return c == '\n' || c == '\v' || c == '\f' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* Invisible characters that only get in the way of reading the text: C0/C1
 * controls, the BOM / zero-width no-break space, zero-width space, word
 * joiner and soft hyphen (PDFs are full of the latter). */
static int extract_is_dropped(int32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xfeff || c == 0x200b || c == 0x2060 || c == 0xad;
}

/*
 * Normalise s into out (NULL: only measure); returns the bytes written.
 * Invalid UTF-8 becomes U+FFFD; CR LF and lone CR become LF; runs of
 * horizontal space (Unicode ones too) become one space, or a tab if the run
 * had one; at most one blank line in a row; whitespace at the start and end
 * of the text and of each line goes; invisible characters go; at most
 * max_chars code points, so a character is never cut.
 */
static size_t extract_normalize(const char *s, size_t n, size_t max_chars, char *out)
{
    size_t i = 0, o = 0, chars = 0;
    int nl = 0, started = 0;
    int32_t hs = 0;

    while (i < n && chars < max_chars) {
        int32_t c = zm_utf8_next(s, n, &i);

        if (c == ZM_UTF8_SHORT) {
            break; /* the text was cut mid-character: drop the stub */
        }
        if (c < 0) {
            c = 0xfffd;
        }
        if (c == '\r') {
            if (i < n && s[i] == '\n') {
                i++;
            }
            c = '\n';
        }
        if (extract_is_newline(c)) {
            hs = 0;
            nl = nl < 2 ? nl + 1 : 2;
            continue;
        }
        if (extract_is_hspace(c)) {
            if (nl == 0 && hs != '\t') {
                hs = c == '\t' ? '\t' : ' ';
            }
            continue;
        }
        if (extract_is_dropped(c)) {
            continue;
        }
        if (started) {
            /* what is pending goes out only before something visible */
            size_t pend = nl ? (size_t)nl : hs ? 1 : 0;

            if (chars + pend + 1 > max_chars) {
                break;
            }
            for (int k = 0; k < nl; k++) {
                o += zm_utf8_put(out ? out + o : NULL, '\n');
            }
            if (nl == 0 && hs) {
                o += zm_utf8_put(out ? out + o : NULL, hs);
            }
            chars += pend;
        }
        nl = 0;
        hs = 0;
        started = 1;
        o += zm_utf8_put(out ? out + o : NULL, c);
        chars++;
    }
    return o;
}

static int extract_normalize_into(zm_arena_t *a, const char *s, size_t n, size_t max_chars, char **text,
                                  size_t *text_len)
{
    size_t need = extract_normalize(s, n, max_chars, NULL);
    char *out = zm_palloc(a, need + 1);

    if (out == NULL) {
        return ZM_ENOMEM;
    }
    extract_normalize(s, n, max_chars, out);
    out[need] = '\0';
    *text = out;
    *text_len = need;
    return ZM_OK;
}

/* ---- the helper process ------------------------------------------------------ */

typedef struct {
    zm_buf_t out;   /* the helper's stdout (on the heap) */
    size_t out_cap; /* bytes of it read at most */
    int overflow;   /* it wrote past out_cap: killed, text cut */
    char reason[EXTRACT_REASON + 1];
    size_t reason_len;
    char tail[2 * EXTRACT_TAIL]; /* the end of its stderr */
    size_t tail_len;
    int timed_out;
    int status;
    struct rusage ru;
} extract_run_t;

static int extract_helper_path(char *buf, size_t len)
{
    const char *env = getenv("ZM_EXTRACT_HELPER");
    ssize_t n;
    char *slash;

    if (env != NULL && *env != '\0') {
        return (size_t)snprintf(buf, len, "%s", env) < len ? ZM_OK : ZM_ERR;
    }
    n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0 || (size_t)n >= len - 1) {
        return ZM_ERR;
    }
    buf[n] = '\0';
    slash = strrchr(buf, '/');
    if (slash == NULL || (size_t)(slash - buf) + sizeof("/" EXTRACT_HELPER_NAME) > len) {
        return ZM_ERR;
    }
    memcpy(slash + 1, EXTRACT_HELPER_NAME, sizeof(EXTRACT_HELPER_NAME));
    return ZM_OK;
}

/* The forked child: async-signal-safe calls only, then exec.  fds holds
 * what becomes 0 (the memfd), 1 (text), 2 (stderr), 3 (reason). */
__attribute__((noreturn)) static void extract_child(const int fds[4], const extract_limits_t *l, pid_t parent,
                                                    const char *path, char *const argv[], char *const envp[])
{
    int hi[4];
    sigset_t none;
    struct sigaction dfl;
    struct rlimit rl;
    static const char nox[] = "cannot execute " EXTRACT_HELPER_NAME;

    /* move them out of the way first: a pipe may have landed on 0..3 */
    for (int k = 0; k < 4; k++) {
        hi[k] = fcntl(fds[k], F_DUPFD, 10);
        if (hi[k] < 0) {
            _exit(EXTRACT_EXIT_NOEXEC);
        }
    }
    for (int k = 0; k < 4; k++) {
        if (dup2(hi[k], k) < 0) {
            _exit(EXTRACT_EXIT_NOEXEC);
        }
    }
    if (close_range(4, ~0u, 0) != 0) {
        for (int fd = 4; fd < 65536; fd++) {
            close(fd);
        }
    }

    /* the worker blocks or ignores signals (SIGPIPE, SIGTERM...): ignoring
     * survives exec, and SIGXCPU must kill */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sigaction(sig, &dfl, NULL);
        }
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
        _exit(EXTRACT_EXIT_NOEXEC);
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

    rl.rlim_cur = l->cpu_s;
    rl.rlim_max = (rlim_t)l->cpu_s + 1;
    setrlimit(RLIMIT_CPU, &rl);
#ifndef EXTRACT_ASAN
    rl.rlim_cur = rl.rlim_max = (rlim_t)l->mem_mb << 20;
    setrlimit(RLIMIT_AS, &rl);
#endif
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_FSIZE, &rl);
    setrlimit(RLIMIT_CORE, &rl);
    rl.rlim_cur = rl.rlim_max = EXTRACT_NOFILE;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (chdir("/") != 0) {
        _exit(EXTRACT_EXIT_NOEXEC);
    }

    execve(path, argv, envp);
    if (write(3, nox, sizeof(nox) - 1) < 0) {
        _exit(EXTRACT_EXIT_NOEXEC);
    }
    _exit(EXTRACT_EXIT_NOEXEC);
}

static void extract_keep_tail(extract_run_t *r, const char *buf, size_t n)
{
    if (n >= EXTRACT_TAIL) {
        memcpy(r->tail, buf + n - EXTRACT_TAIL, EXTRACT_TAIL);
        r->tail_len = EXTRACT_TAIL;
        return;
    }
    if (r->tail_len + n > sizeof(r->tail)) {
        size_t keep = EXTRACT_TAIL - n;

        memmove(r->tail, r->tail + r->tail_len - keep, keep);
        r->tail_len = keep;
    }
    memcpy(r->tail + r->tail_len, buf, n);
    r->tail_len += n;
}

/* Read what is there on fd k (0 text, 1 stderr, 2 reason); 0 at EOF. */
static int extract_drain(extract_run_t *r, int k, int fd)
{
    char buf[16384];

    for (;;) {
        ssize_t n;

        if (k == 0) {
            size_t room = r->out.cap > r->out.len ? r->out.cap - r->out.len - 1 : 0;

            if (room > r->out_cap - r->out.len) {
                room = r->out_cap - r->out.len;
            }
            if (room == 0) {
                if (r->out.len >= r->out_cap) {
                    /* past the cap: the helper ignores its budget */
                    r->overflow = 1;
                    return 0;
                }
                room = r->out.len ? r->out.len : 65536; /* doubling */
                if (room > r->out_cap - r->out.len) {
                    room = r->out_cap - r->out.len;
                }
                if (zm_buf_reserve(NULL, &r->out, room) != ZM_OK) {
                    r->overflow = 1;
                    return 0;
                }
            }
            n = read(fd, r->out.data + r->out.len, room);
        } else {
            n = read(fd, buf, sizeof(buf));
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return errno == EAGAIN ? 1 : 0;
        }
        if (n == 0) {
            return 0;
        }
        if (k == 0) {
            r->out.len += (size_t)n;
            r->out.data[r->out.len] = '\0';
        } else if (k == 1) {
            extract_keep_tail(r, buf, (size_t)n);
        } else if (r->reason_len < EXTRACT_REASON) {
            size_t take = (size_t)n < EXTRACT_REASON - r->reason_len ? (size_t)n : EXTRACT_REASON - r->reason_len;

            memcpy(r->reason + r->reason_len, buf, take);
            r->reason_len += take;
        }
    }
}

/* Wait for the helper, killing it at the deadline; sets r->status. */
static void extract_reap(pid_t pid, int64_t deadline, extract_run_t *r)
{
    for (;;) {
        pid_t w = wait4(pid, &r->status, r->timed_out ? 0 : WNOHANG, &r->ru);

        if (w == pid) {
            return;
        }
        if (w < 0 && errno != EINTR) {
            /* someone else reaped it (a SIGCHLD handler): no status to read */
            r->status = -1;
            return;
        }
        if (w == 0) {
            if (zm_mono_ms() >= deadline) {
                kill(pid, SIGKILL);
                r->timed_out = 1;
                continue;
            }
            usleep(2000);
        }
    }
}

/* Run the helper on data; fills r.  ZM_OK when it ran (whatever it said). */
static int extract_spawn(const extract_limits_t *l, const char *kind, const char *data, size_t len, extract_run_t *r)
{
    char path[PATH_MAX], budget_s[32], mem_s[32];
    char *argv[5], *envp[8];
    int mfd, pout[2] = {-1, -1}, perr[2] = {-1, -1}, pwhy[2] = {-1, -1}, fds[4], ne = 0, rc = ZM_EAGAIN;
    size_t budget = l->max_chars * 4 + EXTRACT_SLACK, off = 0;
    struct pollfd pfd[3];
    int64_t deadline;
    pid_t pid, self = getpid();

    path[0] = '\0';
    if (budget > EXTRACT_MAX_BUDGET) {
        budget = EXTRACT_MAX_BUDGET;
    }
    r->out_cap = budget + EXTRACT_SLACK;
    if (extract_helper_path(path, sizeof(path)) != ZM_OK || access(path, X_OK) != 0) {
        zm_log_error("extract: no helper at %s (build " EXTRACT_HELPER_NAME " next to the program, or set "
                     "ZM_EXTRACT_HELPER)",
                     path);
        return ZM_ERR;
    }

    mfd = memfd_create("zm-extract", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) {
        zm_log_error("extract: memfd_create: %s", strerror(errno));
        return ZM_EAGAIN;
    }
    while (off < len) {
        ssize_t n = write(mfd, data + off, len - off);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            zm_log_error("extract: writing the memfd: %s", strerror(errno));
            goto out;
        }
        off += (size_t)n;
    }
    /* the helper gets the bytes read-only and cannot resize them */
    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    if (pipe2(pout, O_CLOEXEC) != 0 || pipe2(perr, O_CLOEXEC) != 0 || pipe2(pwhy, O_CLOEXEC) != 0) {
        zm_log_error("extract: pipe: %s", strerror(errno));
        goto out;
    }

    snprintf(budget_s, sizeof(budget_s), "%zu", budget);
    snprintf(mem_s, sizeof(mem_s), "%u", l->mem_mb);
    argv[0] = EXTRACT_HELPER_NAME;
    argv[1] = (char *)kind;
    argv[2] = budget_s;
    argv[3] = mem_s;
    argv[4] = NULL;
    /* a clean environment (no G_DEBUG, no LD_PRELOAD): only what sanitizer
     * builds need to report the same way as their parent */
    envp[ne++] = "PATH=/usr/bin:/bin";
    envp[ne++] = "LC_ALL=C.UTF-8";
    for (char **e = environ; e && *e && ne < (int)ZM_ARRAY_LEN(envp) - 1; e++) {
        if (strncmp(*e, "ASAN_OPTIONS=", 13) == 0 || strncmp(*e, "UBSAN_OPTIONS=", 14) == 0 ||
            strncmp(*e, "LSAN_OPTIONS=", 13) == 0) {
            envp[ne++] = *e;
        }
    }
    envp[ne] = NULL;
    fds[0] = mfd;
    fds[1] = pout[1];
    fds[2] = perr[1];
    fds[3] = pwhy[1];

    pid = fork();
    if (pid < 0) {
        zm_log_error("extract: fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        extract_child(fds, l, self, path, argv, envp);
    }
    deadline = zm_mono_ms() + (int64_t)l->timeout_s * 1000;
    close(pout[1]);
    close(perr[1]);
    close(pwhy[1]);
    pout[1] = perr[1] = pwhy[1] = -1;
    pfd[0].fd = pout[0];
    pfd[1].fd = perr[0];
    pfd[2].fd = pwhy[0];
    for (int k = 0; k < 3; k++) {
        fcntl(pfd[k].fd, F_SETFL, fcntl(pfd[k].fd, F_GETFL) | O_NONBLOCK);
        pfd[k].events = POLLIN;
    }

    while (pfd[0].fd >= 0 || pfd[1].fd >= 0 || pfd[2].fd >= 0) {
        int64_t left = deadline - zm_mono_ms();
        int n;

        if (left <= 0) {
            kill(pid, SIGKILL);
            r->timed_out = 1;
            break;
        }
        n = poll(pfd, 3, left > INT_MAX ? INT_MAX : (int)left);
        if (n < 0) {
            if (errno == EINTR) {
                continue; /* a stop request: the task still gets to finish */
            }
            kill(pid, SIGKILL);
            zm_log_error("extract: poll: %s", strerror(errno));
            break;
        }
        for (int k = 0; k < 3; k++) {
            if (pfd[k].fd < 0 || pfd[k].revents == 0) {
                continue;
            }
            if (!extract_drain(r, k, pfd[k].fd)) {
                pfd[k].fd = -1; /* poll() skips negative fds */
            }
        }
        if (r->overflow) {
            kill(pid, SIGKILL);
            break;
        }
    }
    extract_reap(pid, deadline, r);
    rc = ZM_OK;

out:
    close(mfd);
    for (int k = 0; k < 2; k++) {
        if (pout[k] >= 0) {
            close(pout[k]);
        }
        if (perr[k] >= 0) {
            close(perr[k]);
        }
        if (pwhy[k] >= 0) {
            close(pwhy[k]);
        }
    }
    return rc;
}

/* Whether the helper's last words were an allocation failure: poppler's
 * "Out of memory", C++'s std::bad_alloc, glib's "failed to allocate". */
static int extract_tail_says_oom(const extract_run_t *r)
{
    static const char *const marks[] = {"out of memory", "bad_alloc", "failed to allocate", "cannot allocate"};
    char low[sizeof(r->tail) + 1];

    for (size_t i = 0; i < r->tail_len; i++) {
        low[i] = (r->tail[i] >= 'A' && r->tail[i] <= 'Z') ? (char)(r->tail[i] + 32) : r->tail[i];
    }
    low[r->tail_len] = '\0';
    for (size_t m = 0; m < ZM_ARRAY_LEN(marks); m++) {
        if (memmem(low, r->tail_len, marks[m], strlen(marks[m])) != NULL) {
            return 1;
        }
    }
    return 0;
}

/* The helper's reason, made safe to store and show: printable, one line. */
static char *extract_reason_text(zm_arena_t *a, extract_run_t *r)
{
    char *s;
    size_t n;

    if (r->reason_len == 0) {
        return zm_pstrdup(a, "could not read the file");
    }
    n = extract_normalize(r->reason, r->reason_len, 120, NULL);
    s = zm_palloc(a, n + 1);
    if (s == NULL) {
        return NULL;
    }
    extract_normalize(r->reason, r->reason_len, 120, s);
    s[n] = '\0';
    for (char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\t') {
            *p = ' ';
        }
    }
    return s;
}

/* Map how the helper ended to a return code and a reason. */
static int extract_outcome(zm_arena_t *a, const extract_limits_t *l, extract_run_t *r, char **error)
{
    int st = r->status;
    double cpu = (double)r->ru.ru_utime.tv_sec + (double)r->ru.ru_stime.tv_sec +
                 ((double)r->ru.ru_utime.tv_usec + (double)r->ru.ru_stime.tv_usec) / 1e6;

    if (r->timed_out) {
        *error = zm_psprintf(a, "timed out after %u s", l->timeout_s);
        return ZM_ETOOBIG;
    }
    if (st == -1) {
        *error = zm_pstrdup(a, "text extractor lost");
        return ZM_ERR;
    }
    if (WIFEXITED(st)) {
        switch (WEXITSTATUS(st)) {
        case 0:
            return ZM_OK;
        case EXTRACT_EXIT_REFUSED:
            *error = extract_reason_text(a, r);
            return ZM_EINVAL;
        case EXTRACT_EXIT_TOOBIG:
            *error = extract_reason_text(a, r);
            return ZM_ETOOBIG;
        case EXTRACT_EXIT_NOMEM:
            *error = zm_psprintf(a, "killed: memory limit (%u MiB)", l->mem_mb);
            return ZM_ETOOBIG;
        case EXTRACT_EXIT_NOEXEC:
            /* our execve() failing says so on fd 3, the dynamic loader on stderr */
            zm_log_error("extract: " EXTRACT_HELPER_NAME " did not start: %.*s%.*s", (int)r->reason_len, r->reason,
                         (int)r->tail_len, r->tail);
            *error = zm_pstrdup(a, "text extractor could not start");
            return ZM_ERR;
        default:
            zm_log_error("extract: " EXTRACT_HELPER_NAME " exited with %d: %.*s", WEXITSTATUS(st), (int)r->tail_len,
                         r->tail);
            *error = zm_psprintf(a, "text extractor failed (exit %d)", WEXITSTATUS(st));
            return ZM_ERR;
        }
    }
    if (!WIFSIGNALED(st)) {
        *error = zm_pstrdup(a, "text extractor lost");
        return ZM_ERR;
    }
    if (WTERMSIG(st) == SIGKILL && r->overflow) {
        return ZM_OK; /* it kept writing past its budget: the text is cut anyway */
    }
    if (WTERMSIG(st) == SIGXCPU || (WTERMSIG(st) == SIGKILL && cpu >= (double)l->cpu_s)) {
        *error = zm_psprintf(a, "killed: CPU limit (%u s)", l->cpu_s);
        return ZM_ETOOBIG;
    }
    if (extract_tail_says_oom(r)) {
        *error = zm_psprintf(a, "killed: memory limit (%u MiB)", l->mem_mb);
        return ZM_ETOOBIG;
    }
    if (WTERMSIG(st) == SIGKILL) {
        /* not us and not the CPU limit: the kernel's OOM killer, an admin */
        *error = zm_pstrdup(a, "killed (signal 9)");
        return ZM_ERR;
    }
    /* a deterministic crash on this file: retrying would crash again */
    *error = zm_psprintf(a, "the file crashed the parser (signal %d)", WTERMSIG(st));
    return ZM_EINVAL;
}

int extract_text(zm_arena_t *a, const extract_limits_t *l, ft_type_t t, const char *data, size_t len, char **text,
                 size_t *text_len, char **error)
{
    extract_limits_t lim;
    extract_run_t *r;
    const char *kind;
    int64_t t0;
    int rc;

    *text = NULL;
    *text_len = 0;
    *error = NULL;
    if (data == NULL && len > 0) {
        *error = zm_pstrdup(a, "no data");
        return ZM_EINVAL;
    }
    switch (t) {
    case FT_TEXT:
    case FT_MARKDOWN:
        /* nothing to parse: the bytes are the text */
        rc = extract_normalize_into(a, data ? data : "", len, l->max_chars, text, text_len);
        if (rc != ZM_OK) {
            *error = "out of memory";
        }
        return rc;
    case FT_PDF:
        kind = "pdf";
        break;
    case FT_DOCX:
        kind = "docx";
        break;
    default:
        *error = zm_pstrdup(a, "unsupported file type");
        return ZM_EINVAL;
    }

    /* limits passed in by hand get the same floor as the configured ones */
    lim = *l;
    lim.cpu_s = lim.cpu_s ? lim.cpu_s : 1;
    lim.timeout_s = lim.timeout_s ? lim.timeout_s : 1;
    lim.mem_mb = lim.mem_mb < EXTRACT_MIN_MEM_MB ? EXTRACT_MIN_MEM_MB : lim.mem_mb;
    l = &lim;
    r = zm_xcalloc(1, sizeof(*r));
    t0 = zm_mono_ms();
    rc = extract_spawn(l, kind, data, len, r);
    if (rc != ZM_OK) {
        *error = zm_pstrdup(a, rc == ZM_EAGAIN ? "could not start the text extractor" : "text extractor missing");
        goto out;
    }
    rc = extract_outcome(a, l, r, error);
    if (rc == ZM_OK) {
        rc = extract_normalize_into(a, r->out.data ? r->out.data : "", r->out.len, l->max_chars, text, text_len);
        if (rc != ZM_OK) {
            *error = "out of memory";
        }
    } else if (rc == ZM_ETOOBIG || rc == ZM_EINVAL) {
        /* a hostile or broken upload: worth a line, not an alarm */
        zm_log_warn("extract: %s refused after %lld ms: %s", kind, (long long)(zm_mono_ms() - t0),
                    *error ? *error : "?");
    }
    if (*error == NULL && rc != ZM_OK) {
        *error = "out of memory";
    }

out:
    zm_buf_free(NULL, &r->out);
    free(r);
    return rc;
}
