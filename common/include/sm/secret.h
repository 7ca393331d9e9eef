/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_SECRET_H
#define SM_SECRET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Key material in memory. The allocation is locked against swapping where the system allows it
 * and is always wiped before it is released. Only the keystore turns a wrapped (stored) key into
 * an sm_secret; only crypto code reads ->data.
 */
struct sm_secret {
    size_t len;
    uint8_t *data;
};

/* A zeroed secret of len bytes (len may be 0). Returns NULL on allocation failure. Free with
 * sm_secret_free(). */
struct sm_secret *sm_secret_new(size_t len);
/* A secret holding a copy of p[0..len). Returns NULL on allocation failure. */
struct sm_secret *sm_secret_from(const void *p, size_t len);
/* A secret from hex text; -EINVAL on bad hex, -ENOMEM. *out is set on success only. */
int sm_secret_from_hex(const char *hex, struct sm_secret **out);
/* Wipe and release. NULL is allowed. */
void sm_secret_free(struct sm_secret *s);
/* Constant-time comparison of two byte strings of equal length: 1 when equal, else 0. */
int sm_ct_equal(const void *a, const void *b, size_t n);

#endif
