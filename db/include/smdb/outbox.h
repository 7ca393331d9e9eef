/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_OUTBOX_H
#define SMDB_OUTBOX_H

/*
 * The outbox of a daemon (SM-SR and SM-DP; architecture 6): results of asynchronous calls and
 * notifications for other entities, each a row written in the transaction that decided it, kept
 * until the receiver's callback URL answered 2xx and retried with back-off (1 s doubling to
 * 10 min) until then. The receiver deduplicates on functionCallIdentifier. Messages about one
 * card leave in the order they were written, one at a time; others in parallel.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/entity.h"
#include "sm/http_client.h"
#include "smdb/db.h"

struct smdb_outbox_msg {
    int64_t id;
    char target[SM_ID_MAX + 1];
    char path[128];
    char *body; /* malloc'd */
    unsigned attempts;
};
/* A message for target's callback URL + path, about card eid (NULL: none). */
int smdb_outbox_add(struct smdb *db, const char *target, const char *path, const char *body,
                    const char *eid, int64_t now_ms);
/* The oldest due messages, up to max, in the order they are to leave: *n of them. */
int smdb_outbox_due(struct smdb *db, int64_t now_ms, struct smdb_due *out, size_t max, size_t *n);
/* One undelivered message, or -ENOENT. */
int smdb_outbox_get(struct smdb *db, int64_t id, struct smdb_outbox_msg *out);
/* Delivered (error NULL), or to be tried again at next_ms. */
int smdb_outbox_result(struct smdb *db, int64_t id, const char *error, int64_t next_ms,
                       int64_t now_ms);
int smdb_outbox_pending(struct smdb *db, int64_t *n);

/* Delivery: workers threads POSTing due messages to <target's callback URL>/<path>. */
#define SMDB_OUTBOX_MAX_WORKERS 64

struct smdb_outbox_pool_cfg {
    struct smdb *db;
    const struct sm_http_client_config *http;
    unsigned workers; /* 1..SMDB_OUTBOX_MAX_WORKERS */
    /* counted when not NULL */
    atomic_ulong *delivered, *errors;
};
struct smdb_outbox_pool;
int smdb_outbox_pool_start(const struct smdb_outbox_pool_cfg *cfg, struct smdb_outbox_pool **out);
/* Messages were committed: a worker looks now (else within 200 ms). NULL is ignored. */
void smdb_outbox_pool_wake(struct smdb_outbox_pool *p);
void smdb_outbox_pool_stop(struct smdb_outbox_pool *p);

#endif
