/*
 * mail_send_tool.c -- send one message over SMTP with mail_send(); the C
 * half of tests/api/test_smtp.py.
 *
 *   mail_send_tool [-s] [-t timeout_ms] [-f from_addr] [-n from_name]
 *                  [-H html] URL TO SUBJECT BODY
 *
 * -s requires STARTTLS.  Credentials, when wanted, come from the
 * environment (MAIL_SMTP_USER, MAIL_SMTP_PASSWORD) rather than argv, where
 * any local user could read them.  Exit 0 when sent, 1 when not (the
 * reason and the return code's name on stderr), 2 on bad usage.
 */
#include "mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

static void usage(void)
{
    fprintf(stderr, "usage: mail_send_tool [-s] [-t timeout_ms] [-f from_addr] [-n from_name] "
                    "[-H html] URL TO SUBJECT BODY\n");
}

int main(int argc, char **argv)
{
    mail_conf_t c = {
        .transport = "smtp",
        .timeout_ms = 10000,
        .from_addr = "noreply@zhimai.cn",
        .from_name = "职麦",
    };
    mail_msg_t m = {0};
    zm_arena_t a;
    char *detail = NULL, *end;
    int opt, rc;

    while ((opt = getopt(argc, argv, "st:f:n:H:")) != -1) {
        switch (opt) {
        case 's':
            c.smtp_starttls = 1;
            break;
        case 't':
            c.timeout_ms = strtol(optarg, &end, 10);
            if (*end != '\0' || c.timeout_ms <= 0) {
                usage();
                return 2;
            }
            break;
        case 'f':
            c.from_addr = optarg;
            break;
        case 'n':
            c.from_name = optarg;
            break;
        case 'H':
            m.html = optarg;
            break;
        default:
            usage();
            return 2;
        }
    }
    if (argc - optind != 4) {
        usage();
        return 2;
    }
    c.smtp_url = argv[optind];
    m.to_addr = argv[optind + 1];
    m.subject = argv[optind + 2];
    m.text = argv[optind + 3];
    c.smtp_user = getenv("MAIL_SMTP_USER");
    c.smtp_password = getenv("MAIL_SMTP_PASSWORD");

    if (mail_init() != ZM_OK) {
        fprintf(stderr, "mail_send_tool: mail_init failed\n");
        return 1;
    }
    zm_arena_init(&a, 1 << 16, 64u << 20);
    rc = mail_send(&a, &c, &m, &detail);
    if (rc != ZM_OK) {
        fprintf(stderr, "mail_send_tool: %s: %s\n", zm_strerror(rc), detail ? detail : "(no detail)");
    }
    zm_arena_destroy(&a);
    mail_cleanup();
    return rc == ZM_OK ? 0 : 1;
}
