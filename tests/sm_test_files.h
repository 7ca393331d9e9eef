/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_TEST_FILES_H
#define SM_TEST_FILES_H

/* Files for tests: whole files in memory, and the reference TS.48 profiles. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file, malloc'd with one spare byte (for a terminating 0); NULL when unreadable. */
static inline uint8_t *sm_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static inline int sm_test_der_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return n > 4 && !strcmp(d->d_name + n - 4, ".der");
}

/*
 * The GSMA TS.48 test profiles: $SM_TS48_PROFILES or ../shared/reference/profiles next to the
 * source tree. Sets *dir and returns the .der names in order (scandir; the caller frees each
 * and the list), or prints why not and returns -1 / 0 (the caller then skips visibly).
 */
static inline int sm_test_ts48(const char **dir, struct dirent ***names)
{
    int n;

    *dir = getenv("SM_TS48_PROFILES");
    if (!*dir || !**dir)
        *dir = SM_SOURCE_DIR "/../shared/reference/profiles";
    n = scandir(*dir, names, sm_test_der_file, alphasort);
    if (n <= 0) {
        printf("SKIPPED: TS.48 reference profiles not found in %s\n", *dir);
        if (n == 0)
            free(*names);
    }
    return n;
}

#endif
