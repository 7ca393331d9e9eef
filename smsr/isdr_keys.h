/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_ISDR_KEYS_H
#define SMSR_ISDR_KEYS_H

/* The ISD-R key sets of a card, unwrapped from the keystore for one use (es1_register_eis.c
 * wraps them: per key index (1) | type (1) | length (1) | value). */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smsr.h"

struct smsr_isdr_keys {
    unsigned kvn;
    struct {
        uint8_t v[32];
        size_t len; /* 0: no key with this index */
    } key[4];       /* by key index 1..3 (0 unused) */
};

/* The card's key set of type ("SCP80" / "SCP81") with the lowest KVN in [lo, hi]. Returns 0,
 * -ENOKEY (none), or a keystore / storage error. Wipe out with smsr_isdr_keys_wipe. */
int smsr_isdr_keys_load(struct smsr_app *a, const char *eid, const char *type, unsigned lo,
                        unsigned hi, struct smsr_isdr_keys *out);
void smsr_isdr_keys_wipe(struct smsr_isdr_keys *k);
/* The lowest KVN in [lo, hi] that no set of sets ([[kvn, type], ...], the card's ISD-R key sets
 * as an EIS listed them) has; 0 when all are taken. */
unsigned smsr_free_kvn(const json_t *sets, unsigned lo, unsigned hi);

#endif
