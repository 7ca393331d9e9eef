/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_INTERNAL_H
#define SMDB_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "smdb/db.h"

/* Every statement of the storage layer, prepared once per connection (osmo-hlr style). */
enum smdb_stmt {
    STMT_BEGIN,
    STMT_BEGIN_READ,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_PING,
    STMT_ENTITY_INSERT,
    STMT_ENTITY_BY_ID_OR_NAME,
    STMT_ENTITY_BY_CERT,
    STMT_ENTITY_CERT_INSERT,
    STMT_ENTITY_SET_ENABLED,
    STMT_ENTITY_SET_CALLBACK,
    STMT_ENTITY_DELETE,
    STMT_ENTITY_LIST,
    STMT_CALL_INSERT,
    STMT_CALL_GET,
    STMT_CALL_FINISH,
    STMT_CALL_DELETE,
    STMT_CALL_UNFINISHED_DELETE,
    /* euicc-sim (schema SMDB_SCHEMA_SIM) */
    STMT_SIM_INSERT,
    STMT_SIM_UPDATE,
    STMT_SIM_DUE,
    STMT_SIM_GET,
    STMT_SIM_BY_MSISDN,
    STMT_SIM_LIST,
    STMT_SIM_COUNT,
    STMT_SIM_META_GET,
    STMT_SIM_META_SET,
    /* smsr (schema SMDB_SCHEMA_SMSR) */
    STMT_SR_EIS_INSERT,
    STMT_SR_EIS_EXISTS,
    STMT_SR_PROFILE_INSERT,
    STMT_SR_PROFILE_BY_ICCID,
    STMT_SR_KEYSET_INSERT,
    STMT_SR_AUDIT_INSERT,
    STMT_SR_EIS_GET,
    STMT_SR_EIS_COUNT,
    STMT_SR_PROFILES_OF,
    STMT_SR_KEYSET_GET,
    STMT_SR_AUDIT_LIST,
    STMT_OP_INSERT,
    STMT_OP_DUE,
    STMT_OP_NEXT,
    STMT_OP_UPDATE,
    STMT_OP_DONE,
    STMT_OP_BY_POR,
    STMT_OP_AWAITING,
    STMT_OP_HTTPS_NEXT,
    STMT_OP_BY_ID,
    STMT_OP_PENDING,
    STMT_OP_ORPHANS,
    STMT_KS_NEXT_CNTR,
    STMT_EID_BY_MSISDN,
    STMT_CARD_MSISDN,
    STMT_NOTIF_INSERT,
    STMT_NOTIF_SINCE,
    STMT_OP_LAST_CHANGE,
    STMT_NOTIF_COUNT_SINCE,
    STMT_NOTIF_REFUSED_GET,
    STMT_NOTIF_CONFIRMED,
    STMT_PROFILE_UPDATE,
    STMT_PROFILE_DISABLE_OTHERS,
    STMT_PROFILE_SET,
    STMT_PROFILE_DELETE,
    STMT_EIS_AUDITED,
    STMT_OUTBOX_INSERT,
    STMT_OUTBOX_DUE,
    STMT_OUTBOX_GET,
    STMT_OUTBOX_RESULT,
    STMT_OUTBOX_PENDING,
    STMT_OP_ACTIVE_FN,
    STMT_OP_PEER_WAKE,
    STMT_OP_LAST_RELAY,
    STMT_SR_EIS_SET_STATE,
    STMT_SR_EIS_SET_ISDR,
    STMT_SR_EIS_DELETE,
    STMT_SR_KEYSET_DELETE,
    STMT_HO_PUT,
    STMT_HO_GET,
    STMT_HO_COMPLETE,
    /* smdp: the profile inventory (smdb/smdp_store.h) */
    STMT_DP_TYPE_PUT,
    STMT_DP_TYPE_GET,
    STMT_DP_SUB_INSERT,
    STMT_DP_SUB_GET,
    STMT_DP_SUB_ALLOCATE,
    STMT_DP_SUB_STATE,
    STMT_DP_SUB_RELEASE,
    STMT_DP_SUB_ADDRESS,
    STMT_DP_COUNTS,
    STMT_DP_SUB_TAKE,
    STMT_DP_SUB_TOKEN,
    STMT_ORD_INSERT,
    STMT_ORD_DUE,
    STMT_ORD_NEXT,
    STMT_ORD_GET,
    STMT_ORD_UPDATE,
    STMT_ORD_SMSR_RESULT,
    STMT_ORD_DONE,
    STMT_ORD_PENDING,
    STMT_ORD_ORPHANS,
    STMT_AUC_PUT,
    STMT_AUC_GET,
    STMT_AUC_NEXT_SEQ,
    STMT_AUC_RESYNC,
    STMT_AUC_COUNT,
    STMT_AUC_LIST,
    STMT_AUC_DELETE,
    STMT_COUNT
};

struct smdb_conn {
    sqlite3 *h;
    sqlite3_stmt *stmt[STMT_COUNT];
    bool busy;
    sqlite3_int64 changes_mark; /* total changes when acquired: did this use write? */
};

struct smdb {
    char *path;
    struct smdb_conn *conns;
    unsigned nconns;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic unsigned long errors;
    int version;
    /* group commit (db.synchronous = group): commits do not wait for the disk; smdb_sync makes
     * every commit so far durable with one fdatasync of the WAL, shared by concurrent callers */
    bool group;
    _Atomic unsigned long commits; /* uses of a connection that changed something */
    unsigned long synced;          /* commits known durable (under sync_mu) */
    _Atomic unsigned long flushes; /* fdatasync calls made */
    bool syncing;
    pthread_mutex_t sync_mu;
    pthread_cond_t sync_cv;
    int wal_fd;
};

/* Take a free connection (waits when all are in use) / give it back. */
struct smdb_conn *smdb_acquire(struct smdb *db);
void smdb_release(struct smdb *db, struct smdb_conn *c);
/* The prepared statement idx of c, reset and with bindings cleared. */
sqlite3_stmt *smdb_stmt(struct smdb_conn *c, enum smdb_stmt idx);
/* Log and count an unexpected SQLite result; returns -EIO. */
int smdb_fail(struct smdb *db, struct smdb_conn *c, const char *what, int rc);
/* Run a prepared statement without parameters that answers one integer (a count). */
int smdb_scalar(struct smdb *db, enum smdb_stmt stmt, const char *what, int64_t *out);
/* Milliseconds until the earliest time a statement answers (SELECT min(next_ms) ...): 0 when
 * due, -1 when it answers none. */
int64_t smdb_next_wait(struct smdb *db, enum smdb_stmt stmt, int64_t now_ms);
/* Up to max (id, eid) rows of a statement with :now and :limit (smdb_due). */
int smdb_due_list(struct smdb *db, enum smdb_stmt stmt, const char *what, int64_t now_ms,
                  struct smdb_due *out, size_t max, size_t *n);
/* Run a statement without parameters; *n the rows it changed. */
int smdb_exec_changes(struct smdb *db, enum smdb_stmt stmt, const char *what, unsigned *n);
/* On c: the journaled call's answer (STMT_CALL_FINISH), a message into the outbox. */
int smdb_call_finish_on(struct smdb *db, struct smdb_conn *c, const char *requester,
                        const char *call_id, int http_status, const char *response, int64_t now_ms);
int smdb_outbox_put_on(struct smdb *db, struct smdb_conn *c, const char *target, const char *path,
                       const char *body, const char *eid, int64_t now_ms);
/* Bind by :name. Return SQLite result codes. */
int smdb_bind_text(sqlite3_stmt *s, const char *name, const char *v);
int smdb_bind_blob(sqlite3_stmt *s, const char *name, const void *v, size_t n);
int smdb_bind_int64(sqlite3_stmt *s, const char *name, int64_t v);
int smdb_bind_null(sqlite3_stmt *s, const char *name);
/* v, or NULL when v is NULL or empty. */
void smdb_bind_opt(sqlite3_stmt *s, const char *name, const char *v);
/* Run a statement that returns no rows; SQLITE_DONE -> 0, constraint -> -EEXIST, else -EIO. */
int smdb_exec_stmt(struct smdb *db, struct smdb_conn *c, sqlite3_stmt *s, const char *what);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on c. */
int smdb_tx_begin(struct smdb *db, struct smdb_conn *c);
/* BEGIN (deferred): the reads that follow see one snapshot; end it with smdb_tx_rollback. */
int smdb_tx_begin_read(struct smdb *db, struct smdb_conn *c);
int smdb_tx_commit(struct smdb *db, struct smdb_conn *c);
void smdb_tx_rollback(struct smdb *db, struct smdb_conn *c);
/* End a write transaction: commit when rc is 0, else roll back; release c. Returns rc or the
 * commit's error. */
int smdb_tx_end(struct smdb *db, struct smdb_conn *c, int rc);
/* Append to a card's audit trail on c (smsr_store.c). */
int smdb_sr_audit(struct smdb *db, struct smdb_conn *c, const char *eid, const char *actor,
                  const char *event, const char *detail, int64_t now_ms);
/* Insert one profile of a card on c (smsr_store.c). */
struct smdb_profile;
int smdb_sr_insert_profile(struct smdb *db, struct smdb_conn *c, const char *eid,
                           const struct smdb_profile *p);
/* BEGIN IMMEDIATE on a connection of its own: NULL with *rc set when it cannot begin. */
struct smdb_conn *smdb_tx_open(struct smdb *db, int *rc);
/* Copy a text column into a fixed buffer. */
void smdb_col_text(sqlite3_stmt *s, int col, char *out, size_t n);

#endif
