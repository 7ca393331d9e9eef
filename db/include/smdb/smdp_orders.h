/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_SMDP_ORDERS_H
#define SMDB_SMDP_ORDERS_H

/*
 * The SM-DP's orders (migration smdp/4): accepted ES2 calls that the order engine advances
 * step by step. Return values as in smdb/db.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "sm/entity.h"
#include "smdb/db.h"

struct smdb_order {
    int64_t id;
    char requester[SM_ID_MAX + 1];
    char call_id[SM_ID_MAX + 1];
    char function[48]; /* es2.downloadProfile */
    char eid[33];
    char smsr_id[SM_ID_MAX + 1];
    char iccid[21]; /* "" until known */
    char *params;   /* JSON object text (malloc'd when read) */
    char step[24];
    char state[16]; /* queued | await-smsr | done */
    char smsr_call[SM_ID_MAX + 1];
    char *smsr_result; /* JSON text, NULL until the SM-SR gave it (malloc'd when read) */
    unsigned attempts;
    int64_t created_ms, deadline_ms, next_ms;
};

void smdb_order_free(struct smdb_order *o);
/* A new order (next_ms = created_ms). -EEXIST when (requester, call_id) has one. */
int smdb_order_insert(struct smdb *db, const struct smdb_order *o, int64_t *id);
/* Up to max due orders (next_ms <= now), each the first unfinished order of its card: their ids
 * and cards in *n entries. */
int smdb_order_due(struct smdb *db, int64_t now_ms, struct smdb_due *out, size_t max, size_t *n);
/* Milliseconds until the next order is due (0: now), or -1 when none is pending. */
int64_t smdb_order_next_in(struct smdb *db, int64_t now_ms);
int smdb_order_get(struct smdb *db, int64_t id, struct smdb_order *out);
/* Store step, state, iccid, params, smsr_call, smsr_result, attempts and next_ms. */
int smdb_order_update(struct smdb *db, const struct smdb_order *o);
/*
 * The SM-SR smsr answered call: the waiting order gets the result and is due now. -ENOENT when
 * no order waits for it (a repetition, or not ours).
 */
int smdb_order_smsr_result(struct smdb *db, const char *smsr, const char *call, const char *result,
                           int64_t now_ms);
/*
 * End the order: its outcome, the journaled answer of the MNO's call (http_status, response)
 * and, when callback_body is not NULL, the result for the MNO's callback URL (path
 * "operations") in the outbox; one transaction.
 */
int smdb_order_finish(struct smdb *db, const struct smdb_order *o, const char *outcome,
                      int http_status, const char *response, const char *callback_body,
                      int64_t now_ms);
/* Unfinished orders. */
int smdb_order_pending(struct smdb *db, int64_t *n);
/* Accepted calls without an order (a crash between the journal and the order): forgotten so
 * that a retry runs them. */
int smdb_order_forget_orphans(struct smdb *db, unsigned *n);

#endif
