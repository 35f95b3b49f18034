/*
 * sigv4_tool.c -- print the presigned URL sigv4_presign makes for
 * one request; tests/api/test_s3.py compares it with botocore's.
 *
 *   sigv4_tool [-v] [-n] [-m METHOD] [-s SCHEME] [-q QUERY]
 *              REGION SERVICE HOST PATH AMZ_DATE EXPIRES
 *
 * PATH is the raw (UTF-8) path, "/bucket/key"; it is percent-encoded the
 * way storage_s3.c encodes S3 keys ('/' kept).  QUERY is extra parameters,
 * "a=b&c=d".  Credentials come from the environment (SIGV4_ACCESS_KEY,
 * SIGV4_SECRET_KEY, optional SIGV4_SESSION_TOKEN) rather than argv, where
 * any local user could read them.  -n normalizes the path (not S3), -v
 * prints the canonical request and the string to sign on stderr.  Prints
 * SCHEME://HOST/PATH?QUERY; exit 0, 1 when signing fails, 2 on bad usage.
 */
#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
    fprintf(stderr, "usage: sigv4_tool [-v] [-n] [-m METHOD] [-s SCHEME] [-q QUERY] "
                    "REGION SERVICE HOST PATH AMZ_DATE EXPIRES\n");
}

int main(int argc, char **argv)
{
    sigv4_request_t p = {.method = "GET"};
    const char *scheme = "http";
    char *query = NULL, *creq = NULL, *sts = NULL, *path;
    int opt, verbose = 0, rc;
    zm_arena_t a;

    while ((opt = getopt(argc, argv, "vnm:s:q:")) != -1) {
        switch (opt) {
        case 'v':
            verbose = 1;
            break;
        case 'n':
            p.normalize_path = 1;
            break;
        case 'm':
            p.method = optarg;
            break;
        case 's':
            scheme = optarg;
            break;
        case 'q':
            p.query = optarg;
            break;
        default:
            usage();
            return 2;
        }
    }
    if (argc - optind != 6) {
        usage();
        return 2;
    }
    p.access_key = getenv("SIGV4_ACCESS_KEY");
    p.secret_key = getenv("SIGV4_SECRET_KEY");
    p.session_token = getenv("SIGV4_SESSION_TOKEN");
    if (p.access_key == NULL || p.secret_key == NULL) {
        fprintf(stderr, "sigv4_tool: SIGV4_ACCESS_KEY and SIGV4_SECRET_KEY must be set\n");
        return 2;
    }
    p.region = argv[optind];
    p.service = argv[optind + 1];
    p.host = argv[optind + 2];
    p.amz_date = argv[optind + 4];
    p.expires_s = strtoll(argv[optind + 5], NULL, 10);

    zm_arena_init(&a, 65536, 0);
    path = sigv4_uri_encode(&a, argv[optind + 3], 1);
    p.path = path;
    rc = path ? sigv4_presign(&a, &p, &query, &creq, &sts) : ZM_ENOMEM;
    if (rc != ZM_OK) {
        fprintf(stderr, "sigv4_tool: sigv4_presign failed (%d)\n", rc);
        zm_arena_destroy(&a);
        return 1;
    }
    if (verbose) {
        fprintf(stderr, "%s\n----\n%s\n", creq, sts);
    }
    printf("%s://%s%s?%s\n", scheme, p.host, path, query);
    zm_arena_destroy(&a);
    return 0;
}
