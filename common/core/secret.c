/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sm/buf.h"
#include "sm/hex.h"
#include "sm/secret.h"

struct sm_secret *sm_secret_new(size_t len)
{
    struct sm_secret *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    /* one extra byte so a zero-length secret still has a distinct allocation */
    s->data = calloc(1, len + 1);
    if (!s->data) {
        free(s);
        return NULL;
    }
    s->len = len;
    /* best effort: keep keys out of swap; failure (RLIMIT_MEMLOCK) is not fatal */
    (void)mlock(s->data, len + 1);
    return s;
}

struct sm_secret *sm_secret_from(const void *p, size_t len)
{
    struct sm_secret *s = sm_secret_new(len);

    if (s && len)
        memcpy(s->data, p, len);
    return s;
}

int sm_secret_from_hex(const char *hex, struct sm_secret **out)
{
    size_t n = strlen(hex);
    struct sm_secret *s;
    long got;

    if (n % 2)
        return -EINVAL;
    s = sm_secret_new(n / 2);
    if (!s)
        return -ENOMEM;
    got = sm_hex_decode(hex, s->data, s->len);
    if (got < 0) {
        sm_secret_free(s);
        return (int)got;
    }
    *out = s;
    return 0;
}

void sm_secret_free(struct sm_secret *s)
{
    if (!s)
        return;
    sm_wipe(s->data, s->len + 1);
    (void)munlock(s->data, s->len + 1);
    free(s->data);
    s->len = 0;
    s->data = NULL;
    free(s);
}

int sm_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;

    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}
