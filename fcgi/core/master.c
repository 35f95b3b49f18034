#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "zm.h"

volatile sig_atomic_t zm_child_stop;
volatile sig_atomic_t zm_child_alarm;
volatile sig_atomic_t zm_child_drain;

typedef struct {
    pid_t pid;
    int generation;
    int64_t started_ms;
    int64_t stop_sent_ms; /* 0 = not asked to stop */
} child_t;

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_chld, got_hup, got_term, got_usr1;

static void master_sig(int sig)
{
    int saved = errno;

    switch (sig) {
    case SIGCHLD:
        got_chld = 1;
        break;
    case SIGHUP:
        got_hup = 1;
        break;
    case SIGUSR1:
        got_usr1 = 1;
        break;
    default:
        got_term = 1;
        break;
    }
    (void)!write(sig_pipe[1], "x", 1);
    errno = saved;
}

static void child_sig(int sig)
{
    if (sig == SIGALRM) {
        zm_child_alarm = 1;
        return;
    }
    if (sig == SIGQUIT) {
        zm_child_drain = 1; /* the service stops: serve what already waits in the backlog first */
    }
    zm_child_stop = 1;
}

static void stop_signals(sigset_t *s)
{
    sigemptyset(s);
    sigaddset(s, SIGTERM);
    sigaddset(s, SIGQUIT);
    sigaddset(s, SIGINT);
    sigaddset(s, SIGALRM);
}

void zm_child_block_stop(int block)
{
    sigset_t s;

    stop_signals(&s);
    sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

int zm_child_wait_readable(int fd)
{
    /* The mask to wait with: the child's own, which stays put, less the stop signals.  The
     * wait is an epoll one with EPOLLEXCLUSIVE, so a new connection wakes one idle worker, not
     * all of them to race for it.  Both are set up once per child. */
    static sigset_t open;
    static int epfd = -1, watched = -1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};

    if (watched != fd) {
        sigset_t stop;

        stop_signals(&stop);
        sigprocmask(SIG_SETMASK, NULL, &open);
        for (int sig = 1; sig < NSIG; sig++) {
            if (sigismember(&stop, sig) == 1) {
                sigdelset(&open, sig);
            }
        }
        if (epfd >= 0) {
            close(epfd);
        }
        epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(epfd);
            epfd = -1;
        }
        if (epfd < 0) {
            zm_log_warn("epoll for the listening socket: %s; waiting with ppoll", strerror(errno));
        }
        watched = fd;
    }
    if (epfd < 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        return ppoll(&p, 1, NULL, &open) > 0 ? 1 : 0;
    }
    return epoll_pwait(epfd, &ev, 1, -1, &open) > 0 ? 1 : 0;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int zm_pidfile_write(const char *path, int remove)
{
    char buf[32], tmp[4096];
    int fd, n;

    if (path == NULL || path[0] == '\0') {
        return ZM_OK;
    }
    if (remove) {
        unlink(path);
        return ZM_OK;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        zm_log_error("pid file %s: %s", tmp, strerror(errno));
        return ZM_ERR;
    }
    n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (write(fd, buf, (size_t)n) != n || close(fd) != 0 || rename(tmp, path) != 0) {
        zm_log_error("pid file %s: %s", path, strerror(errno));
        return ZM_ERR;
    }
    return ZM_OK;
}

int zm_pidfile_read_alive(const char *path)
{
    FILE *f = fopen(path, "r");
    int pid = 0;

    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%d", &pid) != 1) {
        pid = 0;
    }
    fclose(f);
    if (pid > 0 && kill(pid, 0) == 0) {
        return pid;
    }
    return 0;
}

static pid_t spawn(const zm_master_t *m, child_t *c, int slot, int generation)
{
    pid_t master = getpid();
    pid_t pid = fork();

    if (pid < 0) {
        zm_log_error("%s: fork: %s", m->name, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int rc;

        /* the child: plain signal handling, leave when the master dies */
        zm_log_forget_pid();
        close(sig_pipe[0]);
        close(sig_pipe[1]);
        set_handler(SIGCHLD, SIG_DFL, 0);
        set_handler(SIGHUP, SIG_IGN, 0);
        set_handler(SIGUSR1, SIG_IGN, 0);
        set_handler(SIGPIPE, SIG_IGN, 0);
        /* no SA_RESTART: a stop request must break an idle accept()/poll() */
        set_handler(SIGTERM, child_sig, 0);
        set_handler(SIGQUIT, child_sig, 0);
        set_handler(SIGINT, child_sig, 0);
        set_handler(SIGALRM, child_sig, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != master) {
            _exit(0);
        }
        zm_child_block_stop(0);
        rc = m->child_main(slot, m->ud);
        exit(rc);
    }
    c->pid = pid;
    c->generation = generation;
    c->started_ms = zm_mono_ms();
    c->stop_sent_ms = 0;
    return pid;
}

int zm_master_run(const zm_master_t *m)
{
    child_t kids[ZM_MASTER_MAX_SLOTS];
    int64_t next_spawn_ms = 0, backoff_ms = 0, stop_deadline = 0, reload_deadline = 0;
    int generation = 1, stopping = 0, alive;
    sigset_t none;

    memset(kids, 0, sizeof(kids));
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        zm_log_error("%s: pipe: %s", m->name, strerror(errno));
        return 1;
    }
    set_handler(SIGCHLD, master_sig, SA_RESTART | SA_NOCLDSTOP);
    set_handler(SIGHUP, master_sig, SA_RESTART);
    set_handler(SIGTERM, master_sig, SA_RESTART);
    set_handler(SIGQUIT, master_sig, SA_RESTART);
    set_handler(SIGINT, master_sig, SA_RESTART);
    set_handler(SIGUSR1, master_sig, SA_RESTART);
    set_handler(SIGPIPE, SIG_IGN, 0);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    zm_log_info("%s: master started, %d children", m->name, m->nchildren(m->ud));

    for (;;) {
        struct pollfd pfd = {.fd = sig_pipe[0], .events = POLLIN};
        char drain[64];
        int64_t t;
        int want, running;

        poll(&pfd, 1, 100);
        while (read(sig_pipe[0], drain, sizeof(drain)) > 0) {
        }
        t = zm_mono_ms();

        /* reap */
        for (;;) {
            int status;
            pid_t pid = waitpid(-1, &status, WNOHANG);
            if (pid <= 0) {
                break;
            }
            for (int i = 0; i < ZM_MASTER_MAX_SLOTS; i++) {
                if (kids[i].pid != pid) {
                    continue;
                }
                int asked = kids[i].stop_sent_ms != 0;
                int recycled = WIFEXITED(status) && WEXITSTATUS(status) == ZM_EXIT_RECYCLE;
                int crashed = !asked && !recycled;
                if (crashed) {
                    if (WIFSIGNALED(status)) {
                        zm_log_error("%s: child %d (slot %d) killed by signal %d", m->name, pid, i, WTERMSIG(status));
                    } else {
                        zm_log_error("%s: child %d (slot %d) exited with %d", m->name, pid, i, WEXITSTATUS(status));
                    }
                    /* children dying young: wait longer before each restart */
                    if (t - kids[i].started_ms < 1000) {
                        backoff_ms = backoff_ms ? backoff_ms * 2 : 100;
                        if (backoff_ms > 10000) {
                            backoff_ms = 10000;
                        }
                    } else {
                        backoff_ms = 0;
                    }
                    next_spawn_ms = t + backoff_ms;
                }
                if (m->on_child_exit && !asked) {
                    m->on_child_exit(i, crashed, recycled, m->ud);
                }
                kids[i].pid = 0;
                break;
            }
        }
        got_chld = 0;

        if (got_usr1) {
            got_usr1 = 0;
            zm_log_reopen();
            for (int i = 0; i < ZM_MASTER_MAX_SLOTS; i++) {
                if (kids[i].pid) {
                    kill(kids[i].pid, SIGUSR1);
                }
            }
        }

        if (got_term && !stopping) {
            got_term = 0;
            stopping = 1;
            stop_deadline = t + (int64_t)m->graceful_timeout_s(m->ud) * 1000;
            zm_log_info("%s: stopping", m->name);
        }

        if (got_hup && !stopping) {
            got_hup = 0;
            if (m->reload(m->ud) < 0) {
                zm_log_error("%s: reload failed; keeping the running children", m->name);
            } else {
                generation++;
                reload_deadline = t + (int64_t)m->graceful_timeout_s(m->ud) * 1000;
                backoff_ms = 0;
                next_spawn_ms = 0;
                zm_log_info("%s: reloaded, starting generation %d", m->name, generation);
            }
        }

        /* ask children that should leave to stop; repeat until they do */
        alive = 0;
        running = 0;
        for (int i = 0; i < ZM_MASTER_MAX_SLOTS; i++) {
            if (!kids[i].pid) {
                continue;
            }
            alive++;
            if (stopping || kids[i].generation != generation) {
                if (kids[i].stop_sent_ms == 0 || t - kids[i].stop_sent_ms >= 200) {
                    /* stop: SIGQUIT, drain the backlog; an old generation: SIGTERM, the new one takes over */
                    kill(kids[i].pid, stopping ? SIGQUIT : SIGTERM);
                    kids[i].stop_sent_ms = t;
                }
                int64_t deadline = stopping ? stop_deadline : reload_deadline;
                if (t >= deadline) {
                    zm_log_warn("%s: child %d did not finish in time; killing it", m->name, kids[i].pid);
                    kill(kids[i].pid, SIGKILL);
                }
            } else {
                running++;
            }
        }

        if (stopping) {
            if (alive == 0) {
                zm_log_info("%s: stopped", m->name);
                return 0;
            }
            continue;
        }

        /* keep the wanted number of children of the current generation */
        want = m->nchildren(m->ud);
        while (running < want && t >= next_spawn_ms) {
            int slot = -1;
            for (int i = 0; i < ZM_MASTER_MAX_SLOTS; i++) {
                if (!kids[i].pid) {
                    slot = i;
                    break;
                }
            }
            if (slot < 0 || spawn(m, &kids[slot], slot, generation) < 0) {
                next_spawn_ms = t + 1000;
                break;
            }
            running++;
        }
        /* a reload that lowered the count: retire the extra children */
        for (int i = ZM_MASTER_MAX_SLOTS - 1; i >= 0 && running > want; i--) {
            if (kids[i].pid && kids[i].generation == generation && !kids[i].stop_sent_ms) {
                kids[i].generation = 0;
                running--;
            }
        }
    }
}
