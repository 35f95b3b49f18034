/*
 * bill_stream_bench.c -- the streaming trade-bill parser alone (issue 16: memory flat in the number of
 * rows): for each N, a bill_type=ALL bill of N rows is written to a temporary file, then a child process
 * parses it with wxp_parse_bill_stream (rows to a callback that sums the amounts) and reports its time
 * and maximum RSS (getrusage of the child).  The baseline, in the same run: the same child reading the
 * file without parsing (fread of 64 KB blocks), so the ratio is the parser's cost over the I/O.
 *
 *   bill_stream_bench [N ...]     (default 10000 100000 400000; WXP_MAX_BILL_ROWS is 500000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wechatpay.h"

static const char header[] = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
                             "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金"
                             "额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退"
                             "款金额,费率备注";
static const char summary[] =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t total;

static int on_row(void *ud, const wxp_bill_row_t *r)
{
    (void)ud;
    total += r->order_fen;
    return 0;
}

static void write_bill(FILE *f, long n)
{
    fputs("\xEF\xBB\xBF", f);
    fputs(header, f);
    fputs("\r\n", f);
    for (long i = 0; i < n; i++) {
        fprintf(f,
                "`2026-01-01 %02ld:%02ld:%02ld,`wxd678efh567hg6787,`1230000109,`0,`,`42%026ld,`ZM20260101%020ld,"
                "`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`10.00,`0.00,`0,`0,`0.00,`0.00,`,`,"
                "`职麦充值 10.00 元,`,`0.06000,`0.60%%,`10.00,`0.00,`\r\n",
                (i / 3600) % 24, (i / 60) % 60, i % 60, i, i);
    }
    fputs(summary, f);
    fprintf(f, "\r\n`%ld,`%ld.00,`0.00,`0.00,`%ld.00000,`%ld.00,`0.00\r\n", n, n * 10, n * 6 / 100, n * 10);
}

/* run in a child: parse (or only read) the file; -> seconds, max RSS KB */
static int child(const char *path, int parse, double *secs, long *rss_kb)
{
    int fds[2];
    pid_t pid;
    struct rusage ru;
    int status;

    if (pipe(fds) != 0) {
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        FILE *f = fopen(path, "rb");
        char why[256] = "", buf[65536];
        wxp_bill_summary_t sum;
        double t0 = now_s();
        int rc = 0;
        if (parse) {
            rc = wxp_parse_bill_stream(f, on_row, NULL, (uint64_t)1 << 40, &sum, why, sizeof(why));
        } else {
            while (fread(buf, 1, sizeof(buf), f) > 0) {
            }
        }
        t0 = now_s() - t0;
        if (rc != 0) {
            fprintf(stderr, "parse: %d %s\n", rc, why);
        }
        if (write(fds[1], &t0, sizeof(t0)) != sizeof(t0)) {
            _exit(2);
        }
        _exit(rc != 0);
    }
    close(fds[1]);
    if (read(fds[0], secs, sizeof(*secs)) != sizeof(*secs)) {
        *secs = -1;
    }
    close(fds[0]);
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return -1;
    }
    *rss_kb = ru.ru_maxrss;
    return 0;
}

int main(int argc, char **argv)
{
    long sizes[8] = {10000, 100000, 400000};
    int n = 3;
    long first_rss = 0;

    if (argc > 1) {
        n = 0;
        for (int i = 1; i < argc && n < 8; i++) {
            sizes[n++] = atol(argv[i]);
        }
    }
    for (int i = 0; i < n; i++) {
        char path[] = "/tmp/zm_bill_bench_XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fdopen(fd, "w");
        double ps, rs;
        long prss, rrss, bytes;

        write_bill(f, sizes[i]);
        bytes = ftell(f);
        fclose(f);
        if (child(path, 0, &rs, &rrss) != 0 || child(path, 1, &ps, &prss) != 0) {
            fprintf(stderr, "bill_stream_bench: %ld rows failed\n", sizes[i]);
            unlink(path);
            return 1;
        }
        unlink(path);
        if (i == 0) {
            first_rss = prss;
        }
        printf("bill %8ld rows (%6.1f MB): parse %.3f s (%.0f rows/s), max RSS %ld KB (x%.2f of the first); "
               "read only %.3f s, %ld KB (parse / read x%.1f)\n",
               sizes[i], bytes / 1e6, ps, sizes[i] / ps, prss, (double)prss / first_rss, rs, rrss, ps / rs);
    }
    return 0;
}
