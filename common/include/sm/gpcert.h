/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_GPCERT_H
#define SM_GPCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/codec.h"
#include "sm/ecka.h"

/*
 * GlobalPlatform-format certificates (GP Amendment E, as SGP.02 uses them for CERT.DP.ECDSA,
 * CERT.SR.ECDSA and CERT.ECASD.ECKA):
 *
 *   7F21 L { 93 serial | 42 CA id | 5F20 subject id | 95 key usage | [5F25 effective date]
 *            | 5F24 expiration date | 73 { C8 type, [C9 authority key id], ... } |
 *            7F49 { B0 04||X||Y, [F0 key parameter reference] } | 5F37 r||s }
 *
 * The signature (ECDSA-SHA256 by the issuer) covers the concatenation of every TLV inside 7F21
 * except 5F37, exactly as encoded. Dates are YYYYMMDD in packed BCD (4 bytes).
 */

#define SM_GPCERT_TYPE_SMDP 0x01
#define SM_GPCERT_TYPE_SMSR 0x02

struct sm_gpcert {
    uint8_t serial[20];
    size_t serial_len;
    uint8_t ca_id[32];
    size_t ca_id_len;
    uint8_t subject_id[32];
    size_t subject_id_len;
    uint8_t key_usage[2];
    size_t key_usage_len;
    bool has_effective;
    uint32_t effective; /* YYYYMMDD as a decimal number, e.g. 20170105 */
    uint32_t expiration;
    bool has_type;
    uint8_t type;    /* C8 */
    uint8_t aki[32]; /* C9 */
    size_t aki_len;
    uint8_t discretionary[128]; /* the whole value of 73, as encoded */
    size_t discretionary_len;
    bool has_param_ref;  /* F0 present */
    enum sm_curve curve; /* from F0, or SM_CURVE_P256 when absent */
    uint8_t pub[SM_EC_PUB_MAX];
    size_t pub_len;
    uint8_t sig[2 * SM_EC_FIELD_MAX];
    size_t sig_len;
    /* decoding only: the signed bytes (inside 7F21, before 5F37), pointing into the input */
    const uint8_t *tbs;
    size_t tbs_len;
};

/* Decode a whole 7F21 TLV (strict: mandatory elements present and in order, nothing after
 * 5F37, dates valid BCD). */
int sm_gpcert_decode(const uint8_t *der, size_t len, struct sm_gpcert *c,
                     struct sm_decode_err *err);
/* Encode c (discretionary data built from type and aki when discretionary_len is 0) and sign
 * with the issuer's private key; c->sig receives the signature. */
int sm_gpcert_encode_sign(struct sm_gpcert *c, enum sm_curve issuer_curve,
                          const uint8_t *issuer_priv, size_t privlen, struct sm_buf *out);
/* Verify a decoded certificate with the issuer's public key: 0 or -EKEYREJECTED. */
int sm_gpcert_verify(const struct sm_gpcert *c, enum sm_curve issuer_curve,
                     const uint8_t *issuer_pub, size_t publen);
/* Validity on a given day (YYYYMMDD): 0, -EKEYEXPIRED (after expiration) or -EKEYREJECTED
 * (before the effective date). */
int sm_gpcert_check_date(const struct sm_gpcert *c, uint32_t today);

#endif
