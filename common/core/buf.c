/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/buf.h"

void sm_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

void sm_wipe_free(void *p, size_t n)
{
    if (!p)
        return;
    sm_wipe(p, n);
    free(p);
}

int sm_buf_reserve(struct sm_buf *b, size_t extra)
{
    size_t need, cap;
    uint8_t *p;

    /* +1 keeps room for the NUL that sm_buf_cstr() relies on */
    if (extra > SIZE_MAX - b->len - 1)
        return -ENOMEM;
    need = b->len + extra + 1;
    if (b->limit && b->len + extra > b->limit)
        return -EMSGSIZE;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (b->secure) {
        /* never realloc key material: the old block would be freed unwiped */
        p = malloc(cap);
        if (!p)
            return -ENOMEM;
        if (b->data) {
            memcpy(p, b->data, b->len + 1);
            sm_wipe_free(b->data, b->cap);
        }
    } else {
        p = realloc(b->data, cap);
        if (!p)
            return -ENOMEM;
    }
    if (!b->data)
        p[0] = 0;
    b->data = p;
    b->cap = cap;
    return 0;
}

int sm_buf_append(struct sm_buf *b, const void *p, size_t n)
{
    int rc = sm_buf_reserve(b, n);

    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int sm_buf_append_byte(struct sm_buf *b, uint8_t v)
{
    return sm_buf_append(b, &v, 1);
}

int sm_buf_append_str(struct sm_buf *b, const char *s)
{
    return sm_buf_append(b, s, strlen(s));
}

int sm_buf_vprintf(struct sm_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -EINVAL;
    rc = sm_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int sm_buf_printf(struct sm_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = sm_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int sm_buf_append_hex(struct sm_buf *b, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    int rc;

    if (n > (SIZE_MAX - 1) / 2)
        return -ENOMEM;
    rc = sm_buf_reserve(b, 2 * n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        b->data[b->len++] = (uint8_t)digits[p[i] >> 4];
        b->data[b->len++] = (uint8_t)digits[p[i] & 15];
    }
    b->data[b->len] = 0;
    return 0;
}

const char *sm_buf_cstr(const struct sm_buf *b)
{
    return b->data ? (const char *)b->data : "";
}

void sm_buf_reset(struct sm_buf *b)
{
    if (b->secure)
        sm_wipe(b->data, b->cap);
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

uint8_t *sm_buf_take(struct sm_buf *b, size_t *len)
{
    uint8_t *p = b->data;

    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void sm_buf_free(struct sm_buf *b)
{
    if (b->secure)
        sm_wipe(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sm_buf_clear_free(struct sm_buf *b)
{
    sm_wipe(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
