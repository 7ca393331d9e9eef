/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_AUCSTORE_H
#define SMDB_AUCSTORE_H

/*
 * auc-gw's storage (db/migrations/auc-gw): the subscribers, their keys wrapped (the wrapping is
 * the caller's) and the SEQ of their last vector. Open with smdb_open(), smdb_auc_migrations,
 * schema SMDB_SCHEMA_AUC. Functions return 0 or a negative errno.
 */
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "smdb/db.h"

extern const struct sm_embedded_file smdb_auc_migrations[];

/* Add or replace a subscriber (keys wrapped, amf 4 hex digits); an existing SEQ is kept when
 * it is higher. */
int smdb_auc_put(struct smdb *db, const char *imsi, const char *iccid, const uint8_t *keys,
                 size_t len, const char *amf, int64_t seq, int64_t now_ms);
/* The wrapped keys (appended to keys), AMF and SEQ of imsi; -ENOENT. */
int smdb_auc_get(struct smdb *db, const char *imsi, struct sm_buf *keys, char amf[5], int64_t *seq);
/* Advance imsi's SEQ by n and return the new value, committed (before a vector leaves). */
int smdb_auc_next_seq(struct smdb *db, const char *imsi, unsigned n, int64_t now_ms, int64_t *seq);
/* After a resynchronisation: SEQ becomes seq when that is higher. */
int smdb_auc_resync(struct smdb *db, const char *imsi, int64_t seq, int64_t now_ms);
int smdb_auc_count(struct smdb *db, int64_t *n);

/* One subscriber as listed: never its keys. */
struct smdb_auc_row {
    char imsi[16];
    char iccid[21];
    char amf[5];
    int64_t seq;
    int64_t updated_ms;
};
/* Every subscriber in IMSI order, fn called for each (a non-zero return stops the walk and is
 * returned). */
int smdb_auc_list(struct smdb *db, int (*fn)(const struct smdb_auc_row *r, void *arg), void *arg);
/* Remove a subscriber; -ENOENT when there is none. */
int smdb_auc_delete(struct smdb *db, const char *imsi);

#endif
