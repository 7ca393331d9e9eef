/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_ISDR_H
#define SIM_ISDR_H

/*
 * The ISD-R and ISD-P command interfaces of the card (SGP.02 ES5/ES8; es5 spec 1, es8 spec 1).
 * One C-APDU in, response data and status word out; the card state changes in place (the caller
 * persists it). Peer input is never trusted: every malformed command gets a status word.
 */
#include <stdint.h>

#include "card.h"
#include "sm/apdu.h"
#include "sm/buf.h"

/* A C-APDU to the ISD-R. Returns 0 (answer in rsp/sw) or -ENOMEM. */
int sim_isdr_apdu(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw);

/* A C-APDU to an ISD-P (SCP03 in APDU form: INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, wrapped
 * STORE DATA 3A07 connectivity parameters). */
int sim_isdp_apdu(struct sim_ctx *x, struct sim_isdp *p, const struct sm_capdu *c,
                  struct sm_buf *rsp, uint16_t *sw);

/* An SCP03t command TLV (84, 85 or 86) to an ISD-P; the answer TLV (84/85/86 or 9F44..9F46) is
 * appended to rsp. Returns 0 or -ENOMEM. */
int sim_isdp_scp03t(struct sim_ctx *x, struct sim_isdp *p, uint32_t tag, const uint8_t *value,
                    size_t len, struct sm_buf *rsp);

/* Events of the device around the card. */
/* The enabled profile lost its network: fall back (SGP.02 7.7). 0, -ENOENT (no fall-back
 * profile, or it is the enabled one). */
int sim_card_fallback_activate(struct sim_ctx *x);
/* Time passed: notifications due for (re)sending are returned through send(); a change
 * notification never confirmed after max_tries is rolled back (SGP.02 7.3). */
int sim_card_tick(struct sim_ctx *x, unsigned max_tries, int64_t retry_ms,
                  int (*send)(void *arg, const struct sim_notif *n), void *arg);

#endif
