/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <openssl/rand.h>
#include <string.h>

#include "sm/rng.h"

static int system_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    /* the private DRBG instance: outputs that become keys never share state with public ones */
    return RAND_priv_bytes(out, (int)len) == 1 ? 0 : -EIO;
}

const struct sm_rng sm_rng_system = {system_fill, NULL};

int sm_rng_bytes(const struct sm_rng *r, uint8_t *out, size_t len)
{
    if (!r || !r->fill)
        return -EINVAL;
    return len ? r->fill(r->ctx, out, len) : 0;
}

int sm_rng_replay_fill(void *ctx, uint8_t *out, size_t len)
{
    struct sm_rng_replay *r = ctx;

    if (r->len - r->pos < len)
        return -ENODATA;
    memcpy(out, r->data + r->pos, len);
    r->pos += len;
    return 0;
}
