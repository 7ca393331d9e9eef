/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_SIMSTORE_H
#define SMDB_SIMSTORE_H

/*
 * The eUICC simulator's storage (db/migrations/euicc-sim): one row per card holding its wrapped
 * state. Open it with smdb_open() and smdb_sim_migrations, schema SMDB_SCHEMA_SIM. Functions
 * return 0 or a negative errno as the rest of the storage layer.
 */
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "smdb/db.h"

extern const struct sm_embedded_file smdb_sim_migrations[];

struct smdb_sim_card {
    const char *eid;
    const char *msisdn;
    const uint8_t *state; /* wrapped */
    size_t state_len;
    int64_t notify_ms; /* next notification due, 0: none */
};

/* Insert n new cards in one transaction (all or none). -EEXIST on a duplicate EID or MSISDN. */
int smdb_sim_insert(struct smdb *db, const struct smdb_sim_card *cards, size_t n, int64_t now_ms);
/* Replace a card's state (notify_ms: next notification due, 0 none) and the number SMS reach
 * it at (msisdn without '+'; NULL keeps it). -ENOENT when the EID is unknown, -EEXIST when
 * another card has that number. */
int smdb_sim_update(struct smdb *db, const char *eid, const char *msisdn, const uint8_t *state,
                    size_t len, int64_t notify_ms, int64_t now_ms);
/* Cards with a notification due at now_ms (at most max): fn per EID. */
int smdb_sim_due(struct smdb *db, int64_t now_ms, unsigned max,
                 int (*fn)(void *arg, const char *eid), void *arg);
/* The wrapped state of a card, appended to out. */
int smdb_sim_get(struct smdb *db, const char *eid, struct sm_buf *out);
/* The EID of the card with this MSISDN (digits as stored). */
int smdb_sim_by_msisdn(struct smdb *db, const char *msisdn, char eid[33]);
/* Every card (EID, MSISDN) in EID order; stops when fn returns non-zero. */
int smdb_sim_foreach(struct smdb *db, int (*fn)(void *arg, const char *eid, const char *msisdn),
                     void *arg);
int smdb_sim_count(struct smdb *db, long *n);
/* Key/value facts. */
int smdb_sim_meta_get(struct smdb *db, const char *key, char *value, size_t size);
int smdb_sim_meta_set(struct smdb *db, const char *key, const char *value);

#endif
