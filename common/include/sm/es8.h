/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_ES8_H
#define SM_ES8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/codec.h"
#include "sm/ecka.h"

/*
 * ES8 key establishment (GP Amendment E scenario #3 as SGP.02 uses it), the pure part shared
 * by the SM-DP (and the SM-SR for SM-SR change) and the card: the key-agreement CRT (A6), the
 * STORE DATA blocks 0 and 1, the signature input, the key derivation and the receipt.
 *
 *   block 0: STORE DATA 80 E2 09 00 | 3A01 <len> <7F21 certificate>        -> 85 10 <RC>
 *   block 1: STORE DATA 80 E2 89 01 | 3A02 <len> {A6 CRT} 7F49 <ePK> 5F37 <sig>
 *                                                            -> [85 L DR] 86 10 <receipt>
 *   signature input: 3A02 <len> <A6 ...> || 7F49 <len> <ePK> || 00 85 <len> <RC>
 *   ShS = ECKA-DH; KeyData = X9.63-SHA256(ShS, SharedInfo = keyUsage || keyType || keyLength)
 *   KeyData = receipt key || K-ENC || K-MAC || K-DEK (16 bytes each for usage 10)
 *   receipt = AES-CMAC(receipt key, A6 CRT as sent [|| 85 L DR])
 */

struct sm_es8_crt {
    uint8_t scenario_param;  /* 09: certificate verification precedes, no DR */
    uint8_t key_usage;       /* 10: the three secure-channel keys */
    uint8_t key_type;        /* 88: AES */
    uint8_t key_length;      /* 10: 16 bytes */
    uint8_t first_kid;       /* 01 */
    uint8_t kvn;             /* 30 for an ISD-P SCP03 set */
    uint8_t seq_counter[5];  /* initial sequence counter */
    uint8_t seq_counter_len; /* 0: "91 00" */
};

/* The CRT the test eUICC accepted: scenario 09, usage 10, AES, 16, KID 01, KVN 30, counter 0. */
void sm_es8_crt_default(struct sm_es8_crt *c);
/* Encode as the A6 TLV (the tag order of the card-accepted CRT). */
int sm_es8_crt_encode(const struct sm_es8_crt *c, struct sm_buf *out);
/* Decode an A6 TLV (whole input). */
int sm_es8_crt_decode(const uint8_t *tlv, size_t len, struct sm_es8_crt *c,
                      struct sm_decode_err *err);
/* SharedInfo for scenario parameters without DR/HostID: key usage || key type || key length. */
int sm_es8_shared_info(const struct sm_es8_crt *c, uint8_t *info, size_t *infolen);

/* How ePK travels inside 7F49: raw 04||X||Y (card-proven), or the B0 / B0+F0 template. */
enum sm_es8_epk_format {
    SM_ES8_EPK_RAW,
    SM_ES8_EPK_B0,
    SM_ES8_EPK_B0F0,
};

struct sm_es8_keys {
    uint8_t receipt_key[16], k_enc[16], k_mac[16], k_dek[16];
};

/* Derive the four keys from the shared secret (64 bytes of key data). */
int sm_es8_derive(const uint8_t *shs, size_t shslen, const uint8_t *info, size_t infolen,
                  struct sm_es8_keys *k);
/* receipt = AES-CMAC(receipt key, crt [|| 85 L dr]); dr may be NULL. */
int sm_es8_receipt(const uint8_t receipt_key[16], const uint8_t *crt, size_t crtlen,
                   const uint8_t *dr, size_t drlen, uint8_t receipt[16]);
/* Wipe derived keys. */
void sm_es8_keys_clear(struct sm_es8_keys *k);

/* Block 0 data field: 3A01 <one-byte or FF length> <certificate TLV>. */
int sm_es8_block0_data(const uint8_t *cert, size_t certlen, struct sm_buf *out);

/* Block 1 without its signature: 3A02 {A6} 7F49 {ePK}, the part the signature covers (the
 * SM-SR that relays an SM-SR change appends the new SM-SR's 5F37 to it). */
int sm_es8_block1_unsigned(const struct sm_es8_crt *crt, enum sm_curve curve, const uint8_t *epk,
                           size_t epklen, enum sm_es8_epk_format fmt, struct sm_buf *out);
/* Off-card side of block 1: builds the STORE DATA data field (3A02 {A6} 7F49 {ePK} 5F37
 * {sig}) signed with the off-card entity's key over the signature input with rc. */
int sm_es8_block1_data(const struct sm_es8_crt *crt, enum sm_curve curve, const uint8_t *epk,
                       size_t epklen, enum sm_es8_epk_format fmt, const uint8_t *sign_key,
                       size_t sign_keylen, const uint8_t *rc, size_t rclen, struct sm_buf *out);

/* Card side of block 1: split the data field, verify the signature with the off-card entity's
 * public key (from its certificate) and the RC the card issued. crt_tlv/epk point into data. */
struct sm_es8_block1 {
    const uint8_t *crt_tlv; /* the A6 TLV as sent (receipt input) */
    size_t crt_tlv_len;
    struct sm_es8_crt crt;
    uint8_t epk[SM_EC_PUB_MAX];
    size_t epk_len;
};
int sm_es8_block1_parse_verify(const uint8_t *data, size_t len, enum sm_curve curve,
                               const uint8_t *signer_pub, size_t signer_publen, const uint8_t *rc,
                               size_t rclen, struct sm_es8_block1 *out, struct sm_decode_err *err);
/* Block 1 without a signature (3A02 {A6} 7F49 {ePK} and nothing after), as the SM-SR sends it to
 * create an SCP81 key set over its already authenticated channel (es8 spec 1.6). */
int sm_es8_block1_parse(const uint8_t *data, size_t len, enum sm_curve curve,
                        struct sm_es8_block1 *out, struct sm_decode_err *err);

/* SGP.22 BSP session keys (for the sgp22 vectors): KeyData = X9.63-SHA256(ShS, info, 48) =
 * initial MAC chaining value || S-ENC || S-MAC. */
int sm_bsp_derive(const uint8_t *shs, size_t shslen, const uint8_t *info, size_t infolen,
                  uint8_t mcv[16], uint8_t s_enc[16], uint8_t s_mac[16]);

#endif
