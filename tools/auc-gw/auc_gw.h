/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AUC_GW_H
#define AUC_GW_H

/* auc-gw: an AuC for hostapd's EAP-SIM/AKA/AKA' database interface (docs/auc-gw.md). */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/keystore.h"
#include "smdb/db.h"

/*
 * SEQ values are reserved in blocks (auc_proto.c): the database holds the end of each
 * subscriber's block, committed before the block's first vector leaves; the vectors of the block
 * then cost no write. A restart skips what was left of a block, never reuses it (TS 33.102 C.3
 * lets SEQ jump; the card accepts up to delta ahead). A direct-mapped cache keeps the blocks.
 */
#define AUC_SEQ_SLOTS   65536
#define AUC_SEQ_STRIPES 64

struct auc_seq_slot {
    char imsi[16];
    int64_t next, end; /* next SEQ to hand out; the reserved end, as in the database */
};

struct auc_gw {
    struct smdb *db;
    struct sm_keystore *ks;
    unsigned seq_block; /* SEQs reserved at a time (1: every vector commits its own) */
    unsigned ind;       /* the IND of every SQN (TS 33.102 C.3.4: one per kind of service) */
    pthread_mutex_t seq_mu[AUC_SEQ_STRIPES]; /* slot i under seq_mu[i % AUC_SEQ_STRIPES] */
    struct auc_seq_slot *seq;                /* AUC_SEQ_SLOTS, or NULL when seq_block is 1 */
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
 * when missing if create_kek; kek_path NULL: the database only (no key wrapped or unwrapped).
 * why gets the reason of a failure. SEQs are then reserved one at a time; auc_gw_seq_block()
 * sets the block.
 */
int auc_gw_open(struct auc_gw *g, const char *db_path, const char *kek_path, bool create_kek,
                unsigned pool, char *why, size_t whylen);
void auc_gw_close(struct auc_gw *g);
/* The keystore label of a subscriber's keys (the IMSI binds the blob to its row). */
void auc_gw_label(const char *imsi, char *out, size_t n);
/* Reserve n SEQs at a time (1..1024); -EINVAL, -ENOMEM. */
int auc_gw_seq_block(struct auc_gw *g, unsigned n);
/* Decode one HSS line (identifiers and check digits checked); -EINVAL, r wiped. */
int auc_hss_parse(const char *line, struct auc_hss_row *r);
/* Add or replace a subscriber, its keys wrapped; a higher SEQ already reached is kept. */
int auc_gw_put(struct auc_gw *g, const struct auc_hss_row *r);
/* Every row of an HSS file (path, or - for standard input); *n the subscribers stored. Stops at
 * the first bad row, why naming its line. */
int auc_gw_import(struct auc_gw *g, const char *path, unsigned *n, char *why, size_t whylen);

#endif
