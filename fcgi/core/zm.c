/*
 * zm.c -- the shared return codes' names and the out-of-memory policy (zm.h).
 */
#include "zm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

const char *zm_strerror(int rc)
{
    static const struct {
        int base;
        const char *name;
    } ranges[] = {
        {ZM_ERANGE_ACCOUNTS, "accounts"},
        {ZM_ERANGE_RESUMES, "resumes"},
        {ZM_ERANGE_ANALYSIS, "analysis"},
        {ZM_ERANGE_SERVICES, "services"},
        {ZM_ERANGE_JOBS, "jobs"},
        {ZM_ERANGE_MATCHING, "matching"},
        {ZM_ERANGE_PARTNERS, "partners"},
        {ZM_ERANGE_POINTS, "points"},
        {ZM_ERANGE_PAYMENTS, "payments"},
        {ZM_ERANGE_MESSAGES, "messages"},
        {ZM_ERANGE_INTERVIEW, "interview"},
        {ZM_ERANGE_WECHATPAY, "wechatpay"},
        {ZM_ERANGE_WECHATPAY - 10, "wechatpay"},
        {ZM_ERANGE_INSPECT, "inspect"},
        {ZM_ERANGE_TICKETS, "tickets"},
        {ZM_ERANGE_SPEECH, "speech"},
    };

    switch (rc) {
    case ZM_OK:
        return "OK";
    case ZM_EDBDOWN:
        return "EDBDOWN";
    case ZM_ENOTFOUND:
        return "ENOTFOUND";
    case ZM_EDUP:
        return "EDUP";
    case ZM_EINVAL:
        return "EINVAL";
    case ZM_ETOOBIG:
        return "ETOOBIG";
    case ZM_EAGAIN:
        return "EAGAIN";
    case ZM_ENOMEM:
        return "ENOMEM";
    case ZM_ETOKEN:
        return "ETOKEN";
    case ZM_EEXPIRED:
        return "EEXPIRED";
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(ranges); i++) {
        if (rc <= ranges[i].base && rc > ranges[i].base - 10) {
            return ranges[i].name;
        }
    }
    return "ERR";
}

_Noreturn void zm_oom(void)
{
    /* zm_log formats on the stack: it needs no memory to say that there is none */
    zm_log_error("out of memory");
    abort();
}

void *zm_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (p == NULL) {
        zm_oom();
    }
    return p;
}

void *zm_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL) {
        zm_oom();
    }
    return p;
}

void *zm_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (q == NULL) {
        zm_oom();
    }
    return q;
}

char *zm_xstrdup(const char *s)
{
    char *d;

    if (s == NULL) {
        return NULL;
    }
    d = strdup(s);
    if (d == NULL) {
        zm_oom();
    }
    return d;
}
