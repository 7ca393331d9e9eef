/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDP_ES8_DOWNLOAD_H
#define SMDP_ES8_DOWNLOAD_H

/*
 * ES8 as the SM-DP runs it for one download (es8 spec 1 and 4; es8_download.c): the bytes for
 * the card's new ISD-P and the checks of its answers. Pure: no I/O, randomness from the rng
 * given (recorded sessions replay byte for byte; the ECDSA nonce is OpenSSL's own).
 *   1. block 1 of the key establishment (block 0 is the SM-DP's certificate as it is):
 *      an ephemeral key, ShS with PK.ECASD.ECKA, the ISD-P key set, the block signed over RC;
 *   2. the card's receipt compared with ours;
 *   3. SCP03t: 84 (host challenge), 85 after the card's 84 answer (C-MAC and C-DEC),
 *   4. the package in 86 TLVs of SMDP_ES8_SEGMENT bytes, each answer checked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/apdu.h"
#include "sm/buf.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/rng.h"
#include "sm/scp03.h"

/* Plaintext bytes per 86 segment: what the recorded test eUICC took (1000, the last shorter). */
#define SMDP_ES8_SEGMENT 1000
/* The ISD-P's SCP03 key set: KVN 30, as the test eUICC reported it (es8 spec 1.2). */
#define SMDP_ES8_KVN 0x30

struct smdp_es8 {
    struct sm_es8_keys keys; /* after smdp_es8_key_block */
    uint8_t receipt[16];
    uint8_t kvn;
    uint8_t host_challenge[8];
    struct sm_scp03_session s;
    bool keyed, open;
};

/* Block 1 (3A02 {A6} 7F49 {ePK} 5F37 {sig}) into block1: the CRT for KVN kvn, counter 0;
 * sk_dp signs over the card's challenge rc. */
int smdp_es8_key_block(struct smdp_es8 *e, enum sm_curve curve, uint8_t kvn,
                       const uint8_t *pk_ecasd, size_t pklen, const uint8_t *sk_dp, size_t sklen,
                       const uint8_t *rc, size_t rclen, const struct sm_rng *rng,
                       struct sm_buf *block1);
/* The card's answer to block 1 ([85 L DR] 86 10 receipt): 0 when the receipt is ours,
 * -EKEYREJECTED when not, -EBADMSG when it is not such an answer. */
int smdp_es8_receipt_check(const struct smdp_es8 *e, const uint8_t *rsp, size_t len);
/* 84 0A kvn 00 <host challenge from rng>. */
int smdp_es8_open(struct smdp_es8 *e, const struct sm_rng *rng, struct sm_buf *tlv84);
/* The card's answer to 84, then 85 (security level 33: C-MAC, C-DEC, R-MAC). -EKEYREJECTED on a
 * wrong card cryptogram; -EPROTO with *card_error for a 9F44. */
int smdp_es8_authenticate(struct smdp_es8 *e, const uint8_t *rsp84, size_t len, uint8_t *card_error,
                          struct sm_buf *tlv85);
/* The next 86 of the package from *off (advanced); appended to tlv86. 0, or -ENODATA at the
 * end. */
int smdp_es8_segment(struct smdp_es8 *e, const uint8_t *pkg, size_t len, size_t *off,
                     struct sm_buf *tlv86);
/* The card's answer to an 85 or 86 (tag): 0 for "xx 00"; the EUICCResponse it carries after a
 * failed installation into data; -EPROTO with *card_error for 9F45 / 9F46. */
int smdp_es8_check(struct smdp_es8 *e, uint32_t tag, const uint8_t *rsp, size_t len,
                   struct sm_buf *data, uint8_t *card_error);
/* The key establishment's first script for the ISD-R (es8 spec 1.1): INSTALL [for
 * personalization] of the ISD-P aid, then STORE DATA block 0 with CERT.DP.ECDSA; as 22 TLVs. */
int smdp_es8_key0_script(const uint8_t aid[16], const uint8_t *cert, size_t certlen,
                         struct sm_buf *tlvs);
/* The second: STORE DATA block 1 (smdp_es8_key_block's output), as a 22 TLV. */
int smdp_es8_key1_script(const struct sm_buf *block1, struct sm_buf *tlvs);
/* The last R-APDU (23 TLV) of a response script: its data and status word. -EBADMSG when the
 * script does not end with one. */
int smdp_es8_rapdu(const struct sm_script *s, const uint8_t **data, size_t *len, uint16_t *sw);
/* Wipe the keys and the session. */
void smdp_es8_clear(struct smdp_es8 *e);

#endif
