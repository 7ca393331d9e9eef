/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_CARD_CREATE_H
#define SIM_CARD_CREATE_H

/*
 * Making a card as an EUM ships it (SGP.02 7.1): EID, ECASD key pair with CERT.ECASD.ECKA signed
 * by the EUM, PK.CI, ISD-R SCP80 and SCP81 key sets, and a provisioning profile installed,
 * enabled and holding the fall-back attribute, so the SM-SR can reach the card before any
 * download.
 */
#include <stdint.h>

#include "card.h"
#include "smpp/pp.h"

struct sim_factory {
    enum sm_curve curve;
    const uint8_t *eum_sk; /* signs CERT.ECASD.ECKA */
    size_t eum_sk_len;
    const uint8_t *ci_pk; /* PK.CI.ECDSA stored in the ECASD */
    size_t ci_pk_len;
    uint8_t eum_id[16]; /* CA identifier (42) of the ECASD certificate */
    size_t eum_id_len;
    uint8_t eum_aki[32]; /* C9: the EUM certificate's subjectKeyIdentifier (may be empty) */
    size_t eum_aki_len;
    uint32_t mem_total;          /* non-volatile memory for profiles */
    struct sm_pp_template *prov; /* the provisioning profile's template */
    const json_t *prov_params;   /* its fixed parameters (adm1, ...); iccid, imsi, k, opc and
                                    msisdn are per card */
    const struct sm_rng *rng;
};

/* What a new card needs besides the factory (all text, validated). */
struct sim_card_order {
    const char *eid;
    const char *msisdn;
    const char *iccid; /* provisioning profile */
    const char *imsi;
    const char *imei; /* may be NULL */
};

/* The provisioning ISD-P's AID (the first ISD-P instance, ...8900001000). */
extern const uint8_t sim_aid_provisioning[SIM_AID_LEN];

/* Create the card; k/opc (16 bytes each) receive the provisioning profile's keys for the
 * operator's HSS. Returns 0, -EINVAL (order or template refused: why), -ENOMEM, -EIO. */
int sim_card_create(struct sim_card *c, const struct sim_factory *f, const struct sim_card_order *o,
                    uint8_t k[16], uint8_t opc[16], char *why, size_t whylen);

/* The operational profile's ISD-P AID (...8900001100). */
extern const uint8_t sim_aid_operational[SIM_AID_LEN];

/* Add an operational profile from template t (disabled, no fall-back attribute) with fresh
 * k/opc (returned for the HSS). Returns 0, -EINVAL with why, -ENOMEM. */
int sim_card_add_operational(struct sim_card *c, const struct sim_factory *f,
                             const struct sm_pp_template *t, const char *iccid, const char *imsi,
                             uint8_t k[16], uint8_t opc[16], char *why, size_t whylen);

/* Install a plaintext package into a new ISD-P outside ES8 (factory and tests): the ISD-P gets
 * the AID, is DISABLED afterwards. Returns 0 or -EINVAL with why. */
int sim_card_preload(struct sim_card *c, const uint8_t aid[SIM_AID_LEN], const uint8_t *der,
                     size_t len, char *why, size_t whylen);

#endif
