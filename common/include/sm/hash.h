/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_HASH_H
#define SM_HASH_H

/* FNV-1a (32 bits) of n bytes: to spread keys over buckets, locks or workers; not a MAC. */
#include <stddef.h>
#include <stdint.h>

static inline uint32_t sm_fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u;

    while (n--)
        h = (h ^ *b++) * 16777619u;
    return h;
}

#endif
