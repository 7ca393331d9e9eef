/* SPDX-License-Identifier: Apache-2.0 */
/* Network behaviour: a seedable PRNG (splitmix64, so a seed replays the same loss and jitter
 * draws on every machine) and token buckets for the throughput limit. */
#include "smsc.h"

void smsc_rng_seed(struct smsc_rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t smsc_rng_next(struct smsc_rng *r)
{
    /* splitmix64 (Steele, Lea, Flood 2014) */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double smsc_rng_unit(struct smsc_rng *r)
{
    return (double)(smsc_rng_next(r) >> 11) * 0x1.0p-53;
}

void smsc_bucket_init(struct smsc_bucket *b, double rate, double cap, int64_t now)
{
    b->rate = rate;
    b->cap = cap > 0 ? cap : rate > 1 ? rate : 1;
    b->tokens = b->cap;
    b->last_ms = now;
}

static void refill(struct smsc_bucket *b, int64_t now)
{
    if (now > b->last_ms) {
        b->tokens += (double)(now - b->last_ms) * b->rate / 1000.0;
        if (b->tokens > b->cap)
            b->tokens = b->cap;
        b->last_ms = now;
    }
}

bool smsc_bucket_has(struct smsc_bucket *b, int64_t now)
{
    if (b->rate <= 0)
        return true;
    refill(b, now);
    return b->tokens >= 1.0;
}

bool smsc_bucket_take(struct smsc_bucket *b, int64_t now)
{
    if (b->rate <= 0)
        return true;
    if (!smsc_bucket_has(b, now))
        return false;
    b->tokens -= 1.0;
    return true;
}

int64_t smsc_bucket_wait(struct smsc_bucket *b, int64_t now)
{
    if (smsc_bucket_has(b, now))
        return 0;
    return (int64_t)((1.0 - b->tokens) * 1000.0 / b->rate) + 1; /* rounded up */
}
