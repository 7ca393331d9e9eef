/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_OTA_H
#define SIM_OTA_H

/*
 * ES5 on the card: remote command scripts (ETSI TS 102 226, expanded or compact) for the ISD-R
 * or an ISD-P, carried by SMS-PP in SCP80 secured packets (TS 102 225 / 31.115; es5 spec 2) or
 * by an SCP81 admin session (scripts only; scp81.c). Also the card's own messages: Proofs of
 * Receipt and notifications as mobile-originated SMS.
 */
#include <stdbool.h>
#include <stdint.h>

#include "card.h"
#include "sm/buf.h"
#include "sm/sms.h"

#define SIM_OTA_MAX_MO 16

struct sim_ota_result {
    struct sm_buf mo[SIM_OTA_MAX_MO]; /* SMS-SUBMIT TPDUs to send, in order */
    unsigned nmo;
    struct sm_buf report; /* PoR for the SMS-DELIVER-REPORT (SPI2 b6 = 0), else empty */
    bool push;            /* an HTTPS admin session was asked for (trigger TLV 81) */
    struct sm_buf push_params;
    int por_status;  /* the PoR's status, -1 when none was produced */
    bool dropped;    /* the packet was ignored without a PoR (security level, checksum) */
    bool awaiting;   /* part of a concatenated message, more to come */
    char sender[21]; /* TP-OA of the SMS-DELIVER (where an SMS-SUBMIT PoR goes) */
};

void sim_ota_result_init(struct sim_ota_result *r);
void sim_ota_result_free(struct sim_ota_result *r);

/* What a script is addressed to: the ISD-R or one ISD-P. */
struct sim_target {
    struct sim_isdp *isdp; /* NULL: the ISD-R */
    bool in_session;       /* an SCP81 admin session: its end, not the script's, ends what is
                              not chained (sim_card_chain_end) */
};

/*
 * Execute a script (expanded AA/AE, or compact when allowed) for target; the response goes to
 * rsp (AB for a definite command script, AF 80 .. 00 00 for an indefinite one, compact for
 * compact). *failed tells whether a command ended with an error status word.
 */
int sim_ota_execute(struct sim_ctx *x, struct sim_target *t, const uint8_t *script, size_t len,
                    bool compact_allowed, struct sm_buf *rsp, bool *failed);

/* One SMS-DELIVER TPDU for this card (concatenated parts are joined in reasm, keyed by the
 * sender). Everything the card answers is in r. Returns 0 or -ENOMEM; bad input is answered
 * or ignored as a card does, never an error of this function. */
int sim_ota_sms_deliver(struct sim_ctx *x, struct sm_sms_reasm *reasm, const uint8_t *tpdu,
                        size_t len, uint64_t now_s, struct sim_ota_result *r);

/* A notification as MO SMS to the SM-SR (to): command packet SPI 02 00, KIc 10, KID 12, TAR
 * 000001, secured data E1 ... (es5 spec 1.3). */
int sim_ota_notification_sms(struct sim_ctx *x, const struct sim_notif *n, const char *to,
                             struct sim_ota_result *r);

#endif
