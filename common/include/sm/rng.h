/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_RNG_H
#define SM_RNG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Randomness is passed in: protocol code (challenges, ephemeral keys, nonces) takes a struct
 * sm_rng so tests can replay recorded sessions byte for byte. The daemons use sm_rng_system.
 * (ECDSA signing is the exception: its per-signature nonce comes from OpenSSL's own DRBG.)
 */
typedef int (*sm_rng_fn)(void *ctx, uint8_t *out, size_t len);

struct sm_rng {
    sm_rng_fn fill; /* returns 0 or a negative errno */
    void *ctx;
};

/* OpenSSL RAND_priv_bytes. */
extern const struct sm_rng sm_rng_system;

/* Fill out from r. Returns 0 or a negative errno (-EIO when the generator fails). */
int sm_rng_bytes(const struct sm_rng *r, uint8_t *out, size_t len);

/* A replaying generator for tests: hands out the bytes of data in order, -ENODATA when
 * exhausted. */
struct sm_rng_replay {
    const uint8_t *data;
    size_t len, pos;
};
int sm_rng_replay_fill(void *ctx, uint8_t *out, size_t len);

#endif
