/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_USIM_H
#define SIM_USIM_H

/*
 * USIM authentication (3GPP TS 33.102 6.3, TS 31.102 7.1.2) with the algorithm the profile
 * configures: MILENAGE with the profile's rotation and XOR constants (TS 35.206), or the test
 * algorithm of TS 34.108 8.1.2 that the GSMA TS.48 test profiles use. Sequence numbers are
 * checked against the 32-entry array of TS 33.102 Annex C; a stale SQN gives AUTS.
 */
#include <stddef.h>
#include <stdint.h>

#include "card.h"
#include "sm/apdu.h"
#include "sm/buf.h"

enum sim_auth_status {
    SIM_AUTH_OK,
    SIM_AUTH_SYNC_FAILURE, /* auts is set */
    SIM_AUTH_MAC_FAILURE,
};

struct sim_auth_out {
    uint8_t res[16];
    size_t res_len;
    uint8_t ck[16], ik[16], kc[8];
    uint8_t auts[14];
};

/* The DEFAULTs of PE-AKAParameter / AlgoParameter (SAIP): MILENAGE's rotation and XOR
 * constants of TS 35.206, sqnOptions 02, delta and age limit 2^28. Keys and algorithm stay. */
void sim_aka_defaults(struct sim_aka *a);

/* RES length of the test algorithm in bytes ([?] not fixed by TS 34.108: 4..16). */
extern unsigned sim_test_algorithm_res_len;

/* Run the 3G authentication; on success the SQN array is updated (the caller persists it). */
int sim_aka_authenticate(struct sim_aka *a, const uint8_t rand[16], const uint8_t autn[16],
                         struct sim_auth_out *out, enum sim_auth_status *st);
/* GSM context on a USIM (TS 33.102 6.8.1.2): SRES = c2(RES), Kc = c3(CK, IK); no AUTN. */
int sim_aka_gsm(const struct sim_aka *a, const uint8_t rand[16], uint8_t sres[4], uint8_t kc[8]);

/* AUTHENTICATE (00 88 00 81, 3G context): data 10 RAND 10 AUTN -> DB RES CK IK Kc | DC AUTS,
 * SW 9862 on MAC failure; 6A86/6700 for bad parameters. */
int sim_usim_authenticate_apdu(struct sim_aka *a, const struct sm_capdu *c, struct sm_buf *rsp,
                               uint16_t *sw);

/* The computations alone (tests compare them with the published vectors). */
int sim_milenage(const struct sim_aka *a, const uint8_t rand[16], const uint8_t sqn[6],
                 const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8], uint8_t res[8],
                 uint8_t ck[16], uint8_t ik[16], uint8_t ak[6], uint8_t ak_star[6]);

#endif
