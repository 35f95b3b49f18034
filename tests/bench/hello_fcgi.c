/*
 * hello_fcgi -- the baseline for tests/bench/run.sh: a bare libfcgi
 * responder with N pre-forked processes on one socket, answering a fixed
 * JSON body.  What zhimai-fcgi adds on top of this is what the bench measures.
 *
 *   hello_fcgi SOCKET_PATH NPROC
 */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static const char body[] = "{\"success\":true,\"data\":{\"status\":\"ok\"}}";
    int fd, n;

    if (argc != 3) {
        fprintf(stderr, "usage: hello_fcgi SOCKET NPROC\n");
        return 2;
    }
    unlink(argv[1]);
    FCGX_Init();
    fd = FCGX_OpenSocket(argv[1], 1024);
    if (fd < 0) {
        perror("FCGX_OpenSocket");
        return 1;
    }
    chmod(argv[1], 0666);
    n = atoi(argv[2]);
    for (int i = 0; i < n; i++) {
        if (fork() == 0) {
            FCGX_Request r;
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the bench */
            FCGX_InitRequest(&r, fd, 0);
            while (FCGX_Accept_r(&r) >= 0) {
                FCGX_FPrintF(r.out, "Status: 200 OK\r\nContent-Type: application/json\r\n\r\n%s", body);
                FCGX_Finish_r(&r);
            }
            return 0;
        }
    }
    signal(SIGTERM, SIG_DFL);
    while (wait(NULL) > 0) {
    }
    return 0;
}
