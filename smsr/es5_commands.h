/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_ES5_COMMANDS_H
#define SMSR_ES5_COMMANDS_H

/*
 * ES5 to the ISD-R (es5-secure-channels 1.2): the command scripts the SM-SR sends and the
 * card's answers, encode and decode only. Scripts are in the expanded format (AA L {22 C-APDU}*,
 * TS 102 226 5.2.1), the one an SGP.02 eUICC must support on every bearer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"

#define SMSR_AID_LEN 16

/* STORE DATA DGIs of the ISD-R (SGP.02 4.1.1). */
#define SMSR_DGI_ENABLE        0x3A03
#define SMSR_DGI_DISABLE       0x3A04
#define SMSR_DGI_FALLBACK      0x3A05
#define SMSR_DGI_NOTIF_CONFIRM 0x3A08

/* STORE DATA 80 E2 88 00 {dgi {4F aid}} (enable, disable, set fall-back). */
int smsr_es5_profile_command(uint16_t dgi, const uint8_t aid[SMSR_AID_LEN], struct sm_buf *out);
/* DELETE 80 E4 00 40 {4F aid} 00 (DeleteProfile). */
int smsr_es5_delete_command(const uint8_t aid[SMSR_AID_LEN], struct sm_buf *out);
/* STORE DATA 80 E2 89 00 {3A08 {4E seq}} 00 (NotificationConfirmation). */
int smsr_es5_confirm_command(uint16_t seq, struct sm_buf *out);
/* INSTALL [for install and make selectable] of a new ISD-P (CreateISDP): load file and module
 * from the EIS, privileges 80 C0 00, install parameters C9 {81 02 03 70} (SCP03 i=70) and
 * EF {83 quota} when quota > 0. */
int smsr_es5_create_isdp_command(const uint8_t elf[SMSR_AID_LEN],
                                 const uint8_t module[SMSR_AID_LEN],
                                 const uint8_t aid[SMSR_AID_LEN], uint32_t quota,
                                 struct sm_buf *out);
/* A script of the caller's command TLVs (SendData: 22 C-APDUs, SCP03t 84/85/86), relayed in
 * the expanded command template AA L {...}. */
int smsr_es5_relay_script(const uint8_t *tlvs, size_t len, struct sm_buf *out);
/* Script chaining (TS 102 226; es5 spec 1.4): 83 01 <chain> as the first TLV of an expanded
 * command script, so that the card keeps the state one script leaves (an SCP03t session) for
 * the next. */
#define SMSR_CHAIN_FIRST      0x11 /* first script, state kept over a reset */
#define SMSR_CHAIN_SUBSEQUENT 0x02 /* more to follow */
#define SMSR_CHAIN_LAST       0x03
int smsr_es5_chain_script(uint8_t chain, struct sm_buf *script);

/* GET DATA FF21 and a GET STATUS (80 F2 40 02 {4F aid} {5C 4F 9F70 53}) per ISD-P (Audit). */
int smsr_es5_audit_command(const uint8_t (*aids)[SMSR_AID_LEN], size_t naids, struct sm_buf *out);

/* EstablishISDRKeySet (SM-SR change, es8 spec 1.1): STORE DATA 80 E2 09 00 {3A01 <CERT.SR>}
 * (block 0) or 80 E2 89 01 {3A02 {A6} 7F49 {ePK} 5F37 {sig}} (block 1), response expected. */
int smsr_es5_key_establishment_command(bool block1, const uint8_t *data, size_t len,
                                       struct sm_buf *out);
/* The ISD-R's answer to a block: 85 L <random challenge or DR> and/or 86 10 <receipt>. Values
 * point into buf; lengths 0 when absent. -EBADMSG when it is something else. */
struct smsr_key_establishment_answer {
    const uint8_t *v85, *receipt;
    size_t v85_len, receipt_len;
};
int smsr_es5_key_establishment_decode(const uint8_t *buf, size_t len,
                                      struct smsr_key_establishment_answer *out);
/* FinaliseISDRhandover (es5 spec 1.2): DELETE 80 E4 00 00 {F2 03 <KVN> <first KID> <last KID>}*
 * 00 removing the old SM-SR's key sets; then, when addr is not NULL, UpdateSMSRAddressing-
 * Parameters STORE DATA 80 E2 88 00 {3A07 {A3 {81 <addr>}}} in the same script; then, when scp81
 * is not NULL, STORE DATA 80 E2 89 00 <scp81> creating this SM-SR's SCP81 key set (block 1 without
 * a signature, es8 spec 1.6). */
struct smsr_keyset_ref {
    uint8_t kvn, first_kid, last_kid;
};
int smsr_es5_finalise_handover_command(const struct smsr_keyset_ref *sets, size_t n,
                                       const uint8_t *addr, size_t addr_len, const uint8_t *scp81,
                                       size_t scp81_len, struct sm_buf *out);

/* The card's answer script: its R-APDUs in order. */
#define SMSR_ES5_MAX_RAPDU 16
struct smsr_es5_answer {
    unsigned executed; /* 80 01 n when present, else the number of R-APDUs */
    unsigned n;
    struct {
        uint16_t sw;
        const uint8_t *data; /* into the input */
        size_t len;
    } r[SMSR_ES5_MAX_RAPDU];
    bool bad_format; /* 90 01 xx */
    uint8_t bad_format_code;
    uint32_t scp03t_error_tag; /* 9F44 / 9F45 / 9F46 (ES8 SCP03t error), 0 when none */
    uint8_t scp03t_error;
};
/* Decode an expanded response script (AB / AF). -EBADMSG when it is not one. */
int smsr_es5_answer_decode(const uint8_t *buf, size_t len, struct smsr_es5_answer *a);

/* GET DATA FF21 answer: number of ISD-Ps, free non-volatile and volatile memory. */
struct smsr_card_resources {
    uint32_t apps;
    uint64_t free_nvm, free_volatile;
};
int smsr_es5_resources_decode(const uint8_t *buf, size_t len, struct smsr_card_resources *r);

/* GET STATUS answer: E3 {4F aid, 9F70 LCS, 53 fall-back?} per ISD-P. */
struct smsr_isdp_status {
    uint8_t aid[SMSR_AID_LEN];
    uint8_t lcs;
    int fallback; /* -1 when the card did not say */
};
int smsr_es5_status_decode(const uint8_t *buf, size_t len, struct smsr_isdp_status *out, size_t max,
                           size_t *n);
/* "Created" (LCS below 1F), "Disabled" (1F) or "Enabled" (3F); NULL for others. */
const char *smsr_lcs_state(uint8_t lcs);

/* A card's default notification (es5-secure-channels 1.3): E1 {4C EID, 4D type, 4E seq,
 * 4F|2F|AF AID, 14|94 IMEI?}. */
struct smsr_notification {
    char eid[33];
    uint8_t type;
    uint16_t seq;
    uint8_t aid[SMSR_AID_LEN];
    bool has_aid;
    char imei[17]; /* "" when absent */
};
int smsr_es5_notification_decode(const uint8_t *buf, size_t len, struct smsr_notification *n);

#endif
