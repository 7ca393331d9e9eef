/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-SR's ES5 engine state (smdb/smsr_ops.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "smdb/smsr_ops.h"
#include "smdb/smsr_store.h"

void smdb_op_free(struct smdb_op *op)
{
    free(op->params);
    free(op->card_response);
    free(op->script);
    op->params = op->card_response = NULL;
    op->script = NULL;
    op->script_len = 0;
}

static int read_op(sqlite3_stmt *s, struct smdb_op *op)
{
    const unsigned char *t;

    memset(op, 0, sizeof(*op));
    op->id = sqlite3_column_int64(s, 0);
    smdb_col_text(s, 1, op->requester, sizeof(op->requester));
    smdb_col_text(s, 2, op->call_id, sizeof(op->call_id));
    smdb_col_text(s, 3, op->function, sizeof(op->function));
    smdb_col_text(s, 4, op->eid, sizeof(op->eid));
    smdb_col_text(s, 5, op->iccid, sizeof(op->iccid));
    smdb_col_text(s, 6, op->isdp_aid, sizeof(op->isdp_aid));
    t = sqlite3_column_text(s, 7);
    op->params = strdup(t ? (const char *)t : "{}");
    smdb_col_text(s, 8, op->state, sizeof(op->state));
    op->attempts = (unsigned)sqlite3_column_int(s, 9);
    op->created_ms = sqlite3_column_int64(s, 10);
    op->deadline_ms = sqlite3_column_int64(s, 11);
    op->next_ms = sqlite3_column_int64(s, 12);
    op->por_kvn = (unsigned)sqlite3_column_int(s, 13);
    op->por_cntr = (uint64_t)sqlite3_column_int64(s, 14);
    t = sqlite3_column_text(s, 15);
    op->card_response = t ? strdup((const char *)t) : NULL;
    smdb_col_text(s, 16, op->bearer, sizeof(op->bearer));
    if (sqlite3_column_type(s, 17) == SQLITE_BLOB && sqlite3_column_bytes(s, 17) > 0) {
        op->script_len = (size_t)sqlite3_column_bytes(s, 17);
        op->script = malloc(op->script_len);
        if (op->script)
            memcpy(op->script, sqlite3_column_blob(s, 17), op->script_len);
    }
    if (!op->params || (t && !op->card_response) || (op->script_len && !op->script)) {
        smdb_op_free(op);
        return -ENOMEM;
    }
    return 0;
}

/* Step a SELECT of OP_COLS that was bound: one row into out, or -ENOENT. */
static int one_op(struct smdb *db, enum smdb_stmt idx, const char *eid, int64_t num,
                  const char *num_name, struct smdb_op *out, const char *what)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, idx);
    int rc;

    memset(out, 0, sizeof(*out));
    if (eid)
        smdb_bind_text(s, ":eid", eid);
    if (num_name)
        smdb_bind_int64(s, num_name, num);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = read_op(s, out);
    else
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, what, rc);
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_op_insert(struct smdb *db, const struct smdb_op *op, int64_t *id)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OP_INSERT);
    int rc;

    smdb_bind_text(s, ":requester", op->requester);
    smdb_bind_text(s, ":call_id", op->call_id);
    smdb_bind_text(s, ":function", op->function);
    smdb_bind_text(s, ":eid", op->eid);
    smdb_bind_opt(s, ":iccid", op->iccid);
    smdb_bind_opt(s, ":aid", op->isdp_aid);
    smdb_bind_text(s, ":params", op->params ? op->params : "{}");
    smdb_bind_int64(s, ":now", op->created_ms);
    smdb_bind_int64(s, ":deadline", op->deadline_ms);
    rc = smdb_exec_stmt(db, c, s, "operation insert");
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(c->h);
    smdb_release(db, c);
    return rc;
}

int smdb_op_due(struct smdb *db, int64_t now_ms, struct smdb_op *out)
{
    return one_op(db, STMT_OP_DUE, NULL, now_ms, ":now", out, "operation due");
}

int64_t smdb_op_next_wait(struct smdb *db, int64_t now_ms)
{
    return smdb_next_wait(db, STMT_OP_NEXT, now_ms);
}

int smdb_op_update(struct smdb *db, const struct smdb_op *op)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OP_UPDATE);
    int rc;

    smdb_bind_text(s, ":state", op->state);
    smdb_bind_int64(s, ":attempts", op->attempts);
    smdb_bind_int64(s, ":next", op->next_ms);
    smdb_bind_int64(s, ":kvn", op->por_kvn);
    smdb_bind_int64(s, ":cntr", (int64_t)op->por_cntr);
    smdb_bind_opt(s, ":resp", op->card_response);
    smdb_bind_opt(s, ":aid", op->isdp_aid);
    smdb_bind_text(s, ":bearer", op->bearer[0] ? op->bearer : "sms");
    if (op->script_len)
        smdb_bind_blob(s, ":script", op->script, op->script_len);
    else
        smdb_bind_null(s, ":script");
    smdb_bind_text(s, ":params", op->params ? op->params : "{}");
    smdb_bind_int64(s, ":id", op->id);
    rc = smdb_exec_stmt(db, c, s, "operation update");
    smdb_release(db, c);
    return rc;
}

int smdb_op_finish(struct smdb *db, const struct smdb_op *op, const char *outcome, int http_status,
                   const char *response, const char *callback_path, const char *callback_body,
                   int64_t now_ms)
{
    sqlite3_stmt *s;
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);

    if (!c)
        return rc;
    s = smdb_stmt(c, STMT_OP_DONE);
    smdb_bind_text(s, ":outcome", outcome);
    smdb_bind_opt(s, ":resp", op->card_response);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_int64(s, ":id", op->id);
    rc = smdb_exec_stmt(db, c, s, "operation done");
    if (!rc && response)
        rc = smdb_call_finish_on(db, c, op->requester, op->call_id, http_status, response, now_ms);
    if (!rc && callback_path)
        rc =
            smdb_outbox_put_on(db, c, op->requester, callback_path, callback_body, op->eid, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_op_by_por(struct smdb *db, const char *eid, uint64_t cntr, struct smdb_op *out)
{
    return one_op(db, STMT_OP_BY_POR, eid, (int64_t)cntr, ":cntr", out, "operation by PoR");
}

int smdb_op_https_next(struct smdb *db, const char *eid, int64_t now_ms, int64_t stale_ms,
                       struct smdb_op *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OP_HTTPS_NEXT);
    int rc;

    memset(out, 0, sizeof(*out));
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_int64(s, ":stale", stale_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        rc = read_op(s, out);
        if (!rc && sqlite3_step(s) != SQLITE_DONE)
            rc = smdb_fail(db, c, "operation for a session", SQLITE_ERROR);
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "operation for a session", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_op_by_id(struct smdb *db, int64_t id, struct smdb_op *out)
{
    return one_op(db, STMT_OP_BY_ID, NULL, id, ":id", out, "operation by id");
}

int smdb_op_awaiting(struct smdb *db, const char *eid, struct smdb_op *out)
{
    return one_op(db, STMT_OP_AWAITING, eid, 0, NULL, out, "operation awaiting");
}

int smdb_op_pending(struct smdb *db, int64_t *n)
{
    return smdb_scalar(db, STMT_OP_PENDING, "operations pending", n);
}

int smdb_op_forget_orphans(struct smdb *db, unsigned *n)
{
    return smdb_exec_changes(db, STMT_OP_ORPHANS, "orphan calls", n);
}

int smdb_keyset_next_counter(struct smdb *db, const char *eid, unsigned kvn, uint64_t *cntr)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_KS_NEXT_CNTR);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":kvn", kvn);
    /* autocommit: the counter is on disk before the packet that uses it is built */
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *cntr = (uint64_t)sqlite3_column_int64(s, 0);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : smdb_fail(db, c, "counter", rc);
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "counter", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

static int one_text(struct smdb *db, enum smdb_stmt idx, const char *name, const char *v, char *out,
                    size_t n, const char *what)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, idx);
    int rc;

    smdb_bind_text(s, name, v);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        smdb_col_text(s, 0, out, n);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, what, rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_eid_by_msisdn(struct smdb *db, const char *msisdn, char eid[33])
{
    return one_text(db, STMT_EID_BY_MSISDN, ":msisdn", msisdn, eid, 33, "eid by msisdn");
}

int smdb_card_msisdn(struct smdb *db, const char *eid, char msisdn[16])
{
    return one_text(db, STMT_CARD_MSISDN, ":eid", eid, msisdn, 16, "card msisdn");
}

int smdb_card_notif_add(struct smdb *db, const char *eid, unsigned seq, unsigned type,
                        const char *aid, const char *imei, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_NOTIF_INSERT);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":seq", seq);
    smdb_bind_int64(s, ":type", type);
    smdb_bind_opt(s, ":aid", aid);
    smdb_bind_opt(s, ":imei", imei);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "notification insert");
    smdb_release(db, c);
    return rc;
}

int smdb_card_notif_since(struct smdb *db, const char *eid, int64_t since_ms, unsigned *type)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_NOTIF_SINCE);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":since", since_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *type = (unsigned)sqlite3_column_int(s, 0);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "notification since", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_card_notif_confirmed(struct smdb *db, const char *eid, unsigned seq, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_NOTIF_CONFIRMED);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":seq", seq);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "notification confirmed");
    smdb_release(db, c);
    return rc;
}

static int set_profile(struct smdb *db, struct smdb_conn *c, const char *eid, const char *aid,
                       const char *state, int fallback)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_PROFILE_UPDATE);

    smdb_bind_opt(s, ":state", state);
    if (fallback < 0)
        smdb_bind_null(s, ":fallback");
    else
        smdb_bind_int64(s, ":fallback", fallback ? 1 : 0);
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":aid", aid);
    return smdb_exec_stmt(db, c, s, "profile update");
}

int smdb_profile_update(struct smdb *db, const char *eid, const char *aid, const char *state,
                        int fallback, const char *actor, const char *event, int64_t now_ms)
{
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);

    if (!c)
        return rc;
    rc = set_profile(db, c, eid, aid, state, fallback);
    if (!rc && event)
        rc = smdb_sr_audit(db, c, eid, actor, event, aid, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_profile_switch(struct smdb *db, const char *eid, const char *aid, const char *actor,
                        const char *event, int64_t now_ms)
{
    sqlite3_stmt *s;
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);

    if (!c)
        return rc;
    s = smdb_stmt(c, STMT_PROFILE_DISABLE_OTHERS);
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":aid", aid);
    rc = smdb_exec_stmt(db, c, s, "profile switch");
    if (!rc)
        rc = set_profile(db, c, eid, aid, "Enabled", -1);
    if (!rc)
        rc = smdb_sr_audit(db, c, eid, actor, event, aid, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_profile_delete(struct smdb *db, const char *eid, const char *aid, const char *actor,
                        int64_t now_ms)
{
    sqlite3_stmt *s;
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);

    if (!c)
        return rc;
    s = smdb_stmt(c, STMT_PROFILE_DELETE);
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":aid", aid);
    rc = smdb_exec_stmt(db, c, s, "profile delete");
    if (!rc)
        rc = smdb_sr_audit(db, c, eid, actor, "profile deleted", aid, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_eis_audited(struct smdb *db, const char *eid, int64_t remaining_memory, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_EIS_AUDITED);
    int rc;

    smdb_bind_int64(s, ":rem", remaining_memory);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_text(s, ":eid", eid);
    rc = smdb_exec_stmt(db, c, s, "eis audited");
    smdb_release(db, c);
    return rc;
}

int smdb_profile_set(struct smdb *db, const char *eid, const char *aid,
                     const struct smdb_profile_change *ch, const char *actor, const char *event,
                     int64_t now_ms)
{
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);
    sqlite3_stmt *s;

    if (!c)
        return rc;
    s = smdb_stmt(c, STMT_PROFILE_SET);
    smdb_bind_opt(s, ":state", ch->state);
    smdb_bind_opt(s, ":pol2", ch->pol2);
    smdb_bind_opt(s, ":imsi", ch->imsi);
    smdb_bind_opt(s, ":msisdn", ch->msisdn);
    smdb_bind_opt(s, ":type", ch->profile_type);
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":aid", aid);
    rc = smdb_exec_stmt(db, c, s, "profile set");
    if (!rc)
        rc = smdb_sr_audit(db, c, eid, actor, event, aid, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_profile_add(struct smdb *db, const char *eid, const struct smdb_profile *p,
                     const char *actor, int64_t now_ms)
{
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);

    if (!c)
        return rc;
    rc = smdb_sr_insert_profile(db, c, eid, p);
    if (!rc)
        rc = smdb_sr_audit(db, c, eid, actor, "ISD-P created", p->isdp_aid, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_card_notif_late(struct smdb *db, const char *eid, unsigned seq, bool *late)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OP_LAST_CHANGE);
    char outcome[24] = "";
    int64_t since = 0, attempts = 0;
    int rc;

    *late = false;
    smdb_bind_text(s, ":eid", eid);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        smdb_col_text(s, 0, outcome, sizeof(outcome));
        since = sqlite3_column_int64(s, 1);
        attempts = sqlite3_column_int64(s, 2);
        rc = SQLITE_DONE;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        rc = smdb_fail(db, c, "last change", rc);
        smdb_release(db, c);
        return rc;
    }
    /* an operation that expired before anything was sent changed nothing on the card */
    if (!strcmp(outcome, "Expired") && attempts > 0) {
        /* late: the first change report since that operation was accepted */
        s = smdb_stmt(c, STMT_NOTIF_COUNT_SINCE);
        smdb_bind_text(s, ":eid", eid);
        smdb_bind_int64(s, ":since", since);
        smdb_bind_int64(s, ":seq", seq);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            *late = sqlite3_column_int64(s, 0) == 0;
        rc = rc == SQLITE_ROW ? 0 : smdb_fail(db, c, "notifications since", rc);
        sqlite3_reset(s);
    } else {
        rc = 0;
    }
    smdb_release(db, c);
    return rc;
}

int smdb_card_notif_confirmed_ms(struct smdb *db, const char *eid, unsigned seq, int64_t *ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_NOTIF_REFUSED_GET);
    int rc;

    *ms = 0;
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":seq", seq);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *ms = sqlite3_column_type(s, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 0);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "notification", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_op_change_active(struct smdb *db, const char *eid, struct smdb_op *out)
{
    return one_op(db, STMT_OP_ACTIVE_FN, eid, 0, NULL, out, "active SM-SR change");
}

int smdb_op_peer_wake(struct smdb *db, const char *peer, const char *peer_call, const char *eid,
                      int64_t now_ms, unsigned *n)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OP_PEER_WAKE);
    int rc;

    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_text(s, ":peer", peer);
    smdb_bind_opt(s, ":call", peer_call);
    smdb_bind_opt(s, ":eid", eid);
    rc = smdb_exec_stmt(db, c, s, "operation wake");
    *n = rc ? 0 : (unsigned)sqlite3_changes(c->h);
    smdb_release(db, c);
    return rc;
}

int smdb_handover_put(struct smdb *db, const struct smdb_handover *h)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_HO_PUT);
    int rc;

    smdb_bind_text(s, ":eid", h->eid);
    smdb_bind_text(s, ":from", h->from_smsr);
    smdb_bind_text(s, ":mno", h->mno_id);
    smdb_bind_int64(s, ":now", h->prepared_ms);
    smdb_bind_int64(s, ":expires", h->expires_ms);
    rc = smdb_exec_stmt(db, c, s, "handover put");
    smdb_release(db, c);
    return rc;
}

int smdb_handover_get(struct smdb *db, const char *eid, struct smdb_handover *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_HO_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    smdb_bind_text(s, ":eid", eid);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(out->eid, sizeof(out->eid), "%s", eid);
        smdb_col_text(s, 0, out->from_smsr, sizeof(out->from_smsr));
        smdb_col_text(s, 1, out->mno_id, sizeof(out->mno_id));
        out->prepared_ms = sqlite3_column_int64(s, 2);
        out->expires_ms = sqlite3_column_int64(s, 3);
        out->completed_ms = sqlite3_column_int64(s, 4);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "handover get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_handover_complete(struct smdb *db, const char *eid, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_HO_COMPLETE);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "handover complete");
    smdb_release(db, c);
    return rc;
}

int smdb_relay_chain_open(struct smdb *db, const char *eid, const char *requester, bool *open)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OP_LAST_RELAY);
    int rc;

    *open = false;
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":req", requester);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *open = sqlite3_column_int(s, 0) != 0;
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? 0 : smdb_fail(db, c, "last relay", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}
