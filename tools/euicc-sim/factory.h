/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_FACTORY_H
#define SIM_FACTORY_H

/* Manufacturing cards: keys of the EUM, numbering, the EIS and HSS files (factory.c). */
#include <jansson.h>

#include "sim_app.h"
#include "sm/ecka.h"
#include "sm/secret.h"

struct sim_factory_keys {
    enum sm_curve curve;
    struct sm_secret *eum_sk;
    uint8_t ci_pk[SM_EC_PUB_MAX];
    size_t ci_pk_len;
    uint8_t *eum_cert_der;
    size_t eum_cert_len;
    uint8_t eum_ski[32]; /* the EUM certificate's subjectKeyIdentifier (empty when absent) */
    size_t eum_ski_len;
    uint8_t transport_key[16];
};

struct sim_factory_order {
    char eid[SM_EID_DIGITS + 1];
    char iccid[SM_ICCID_MAX_DIGITS + 1];
    char imsi[16], msisdn[17], imei[16];
    char oper_iccid[SM_ICCID_MAX_DIGITS + 1], oper_imsi[16]; /* the operational profile's */
};

/* The EUM's key and certificate, the CI's public key, the transport key (created when create
 * and missing). Returns 0 or a negative errno with why. */
int sim_factory_keys_load(const struct sim_config *c, bool create, struct sim_factory_keys *k,
                          char *why, size_t whylen);
void sim_factory_keys_free(struct sim_factory_keys *k);

/* The identifiers of card number serial. -ERANGE when the serial outgrows the prefixes. */
int sim_factory_order(const struct sim_config *c, unsigned long serial,
                      struct sim_factory_order *o);

/* The EIS of a new card (new reference). */
json_t *sim_factory_eis(const struct sim_config *cfg, const struct sim_factory_keys *k,
                        const struct sim_card *c, const struct sim_factory_order *o);

/* Make count cards from serial first: stored, EIS written, HSS lines appended. *made counts
 * the cards stored. */
int sim_factory_make(struct sim_app *a, const struct sim_factory_keys *k, unsigned long first,
                     unsigned long count, const struct sm_rng *rng, unsigned long *made, char *why,
                     size_t whylen);

#endif
