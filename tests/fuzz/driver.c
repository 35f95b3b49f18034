/*
 * driver.c -- runs a libFuzzer entry point without libFuzzer: over every
 * file named on the command line, and every regular file in every directory
 * named there (not recursive).  Built with the normal compiler, so the
 * committed corpus is a regression test on any machine; a crash or abort in
 * the target fails it.
 *
 *   fuzz_multipart_driver tests/fuzz/corpus/multipart [more files or dirs]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DRIVER_MAX_INPUT (64u << 20) /* more than any corpus file; libFuzzer's own default is far less */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int driver_run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf;
    size_t n;

    if (f == NULL || fstat(fileno(f), &st) != 0 || (size_t)st.st_size > DRIVER_MAX_INPUT) {
        fprintf(stderr, "driver: cannot read %s\n", path);
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    /* an exact-size buffer, so a sanitizer catches a read one past the end */
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (buf == NULL || n != (size_t)st.st_size) {
        fprintf(stderr, "driver: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int driver_run_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "driver: cannot open %s\n", dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (driver_run_file(path) != 0) {
            rc = -1;
        }
        (*count)++;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "driver: no such file or directory: %s\n", argv[i]);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc |= driver_run_dir(argv[i], &count);
        } else {
            rc |= driver_run_file(argv[i]);
            count++;
        }
    }
    printf("%u inputs run\n", count);
    /* an empty corpus would make the test pass by testing nothing */
    return rc == 0 && count > 0 ? 0 : 1;
}
