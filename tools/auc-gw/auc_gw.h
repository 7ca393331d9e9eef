/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AUC_GW_H
#define AUC_GW_H

/* auc-gw: an AuC for hostapd's EAP-SIM/AKA/AKA' database interface (docs/auc-gw.md). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/keystore.h"
#include "smdb/db.h"

struct auc_gw {
    struct smdb *db;
    struct sm_keystore *ks;
};

/* One row of an HSS file: iccid,imsi,k,opc,amf,sqn (the ICCID may be empty). */
struct auc_hss_row {
    char iccid[21];
    char imsi[16];
    uint8_t keys[32]; /* K || OPc */
    char amf[5];
    uint8_t sqn[6];
};

/*
 * Answer one request datagram (auc_proto.c). out (n bytes) gets the answer text, empty when the
 * request has none (AKA-AUTS) or is not one of the interface's. Returns 0, or -errno when the
 * request failed (out then holds the FAILURE answer, if the request has one).
 */
int auc_gw_answer(struct auc_gw *g, const char *req, char *out, size_t n);

/*
 * auc_subscribers.c. Open the database (pool connections) and the key-encryption key, made
 * when missing if create_kek; why gets the reason of a failure.
 */
int auc_gw_open(struct auc_gw *g, const char *db_path, const char *kek_path, bool create_kek,
                unsigned pool, char *why, size_t whylen);
void auc_gw_close(struct auc_gw *g);
/* Decode one HSS line (identifiers and check digits checked); -EINVAL, r wiped. */
int auc_hss_parse(const char *line, struct auc_hss_row *r);
/* Add or replace a subscriber, its keys wrapped; a higher SEQ already reached is kept. */
int auc_gw_put(struct auc_gw *g, const struct auc_hss_row *r);
/* Every row of an HSS file (path, or - for standard input); *n the subscribers stored. Stops at
 * the first bad row, why naming its line. */
int auc_gw_import(struct auc_gw *g, const char *path, unsigned *n, char *why, size_t whylen);

#endif
