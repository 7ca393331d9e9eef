/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_CREATE_SCP81_KEY_SET_H
#define SMSR_CREATE_SCP81_KEY_SET_H

#include <jansson.h>
#include <stdint.h>

#include "es5_commands.h"
#include "smsr.h"

/* The SCP81 key set the new SM-SR creates on a card it took over (create_scp81_key_set.c). */

/* Block 1 (3A02 {A6} 7F49 {ePK}) for a set under the lowest KVN 40-4F not among old_sets
 * ([[kvn, type], ...]); pending gets the KVN, the expected receipt and the wrapped PSK.
 * -ENOKEY without the card's key, -ENOSPC when 40-4F are all taken. */
int smsr_scp81_key_set_block(struct smsr_app *a, const char *eid, const json_t *old_sets,
                             const char *ecasd_pk_hex, json_t *pending, struct sm_buf *block);
/* The card's answer to it: the set is stored when the receipt matches. Otherwise < 0 with why
 * filled in (the card refused, the receipt differs). */
int smsr_scp81_key_set_answer(struct smsr_app *a, const char *eid, const json_t *pending,
                              uint16_t sw, const uint8_t *data, size_t len, char *why,
                              size_t whylen);

#endif
