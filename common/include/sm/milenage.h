/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_MILENAGE_H
#define SM_MILENAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * MILENAGE (3GPP TS 35.205/35.206) with the standard constants (r1..r5 = 64, 0, 32, 64, 96;
 * c1..c5 = 0, 1, 2, 4, 8), AUTN and AUTS (TS 33.102 6.3), and GSM-MILENAGE (TS 55.205) for
 * SIM triplets. Functions return 0, -EINVAL, -EIO (OpenSSL) or -EKEYREJECTED (a MAC that does
 * not verify).
 *
 * struct sm_milenage keeps an AES-128 context keyed with K so a subscriber's vectors cost two
 * cipher calls each; wipe it with sm_milenage_clear().
 */
struct sm_milenage {
    void *ctx; /* EVP_CIPHER_CTX keyed with K */
    uint8_t opc[16];
};

/* Key with K and OPc. */
int sm_milenage_init(struct sm_milenage *m, const uint8_t k[16], const uint8_t opc[16]);
void sm_milenage_clear(struct sm_milenage *m);
/* OPc = E_K(OP) xor OP. */
int sm_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* f1 (MAC-A) and f1* (MAC-S); either output may be NULL. */
int sm_milenage_f1(struct sm_milenage *m, const uint8_t rand[16], const uint8_t sqn[6],
                   const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);
/* f2 (RES), f3 (CK), f4 (IK), f5 (AK), f5* (AK for resynchronisation); any may be NULL. */
int sm_milenage_f2345(struct sm_milenage *m, const uint8_t rand[16], uint8_t res[8], uint8_t ck[16],
                      uint8_t ik[16], uint8_t ak[6], uint8_t ak_star[6]);

/* A whole authentication vector (network side): AUTN = (SQN xor AK) || AMF || MAC-A. */
struct sm_milenage_vector {
    uint8_t rand[16], autn[16], res[8], ck[16], ik[16], ak[6];
};
int sm_milenage_generate(struct sm_milenage *m, const uint8_t rand[16], const uint8_t sqn[6],
                         const uint8_t amf[2], struct sm_milenage_vector *v);

/* USIM side: check AUTN against RAND, recover SQN and AMF; -EKEYREJECTED on MAC failure. */
int sm_milenage_check_autn(struct sm_milenage *m, const uint8_t rand[16], const uint8_t autn[16],
                           uint8_t sqn[6], uint8_t amf[2]);
/* USIM side: AUTS = (SQN_MS xor AK*) || MAC-S computed with AMF 0000. */
int sm_milenage_auts(struct sm_milenage *m, const uint8_t rand[16], const uint8_t sqn_ms[6],
                     uint8_t auts[14]);
/* Network side: recover SQN_MS from AUTS and verify its MAC-S; -EKEYREJECTED if it fails. */
int sm_milenage_resync(struct sm_milenage *m, const uint8_t rand[16], const uint8_t auts[14],
                       uint8_t sqn_ms[6]);

/* GSM-MILENAGE (TS 55.205 / conversion functions c2, c3 of TS 33.102):
 * SRES = RES[0..3] xor RES[4..7], Kc = CK[0..7] xor CK[8..15] xor IK[0..7] xor IK[8..15]. */
int sm_milenage_gsm(struct sm_milenage *m, const uint8_t rand[16], uint8_t sres[4], uint8_t kc[8]);
/* The conversion functions alone (for an AuC that holds an UMTS vector). */
void sm_gsm_c2(const uint8_t res[8], uint8_t sres[4]);
void sm_gsm_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8]);

#endif
