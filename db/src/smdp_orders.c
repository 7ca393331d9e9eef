/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-DP's orders (smdb/smdp_orders.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "smdb/smdp_orders.h"

void smdb_order_free(struct smdb_order *o)
{
    free(o->params);
    free(o->smsr_result);
    o->params = o->smsr_result = NULL;
}

int smdb_order_insert(struct smdb *db, const struct smdb_order *o, int64_t *id)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_ORD_INSERT);
    int rc;

    smdb_bind_text(s, ":requester", o->requester);
    smdb_bind_text(s, ":call_id", o->call_id);
    smdb_bind_text(s, ":function", o->function);
    smdb_bind_text(s, ":eid", o->eid);
    smdb_bind_text(s, ":smsr", o->smsr_id);
    smdb_bind_opt(s, ":iccid", o->iccid[0] ? o->iccid : NULL);
    smdb_bind_text(s, ":params", o->params ? o->params : "{}");
    smdb_bind_text(s, ":step", o->step);
    smdb_bind_int64(s, ":now", o->created_ms);
    smdb_bind_int64(s, ":deadline", o->deadline_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        rc = 0;
        if (id)
            *id = sqlite3_last_insert_rowid(c->h);
    } else {
        rc = sqlite3_extended_errcode(c->h) == SQLITE_CONSTRAINT_UNIQUE
                 ? -EEXIST
                 : smdb_fail(db, c, "order insert", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_order_due(struct smdb *db, int64_t now_ms, struct smdb_due *out, size_t max, size_t *n)
{
    return smdb_due_list(db, STMT_ORD_DUE, "orders due", now_ms, out, max, n);
}

int64_t smdb_order_next_in(struct smdb *db, int64_t now_ms)
{
    return smdb_next_wait(db, STMT_ORD_NEXT, now_ms);
}

static char *col_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    return t ? strdup((const char *)t) : NULL;
}

int smdb_order_get(struct smdb *db, int64_t id, struct smdb_order *o)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_ORD_GET);
    int rc;

    memset(o, 0, sizeof(*o));
    smdb_bind_int64(s, ":id", id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        o->id = sqlite3_column_int64(s, 0);
        smdb_col_text(s, 1, o->requester, sizeof(o->requester));
        smdb_col_text(s, 2, o->call_id, sizeof(o->call_id));
        smdb_col_text(s, 3, o->function, sizeof(o->function));
        smdb_col_text(s, 4, o->eid, sizeof(o->eid));
        smdb_col_text(s, 5, o->smsr_id, sizeof(o->smsr_id));
        smdb_col_text(s, 6, o->iccid, sizeof(o->iccid));
        o->params = col_dup(s, 7);
        smdb_col_text(s, 8, o->step, sizeof(o->step));
        smdb_col_text(s, 9, o->state, sizeof(o->state));
        smdb_col_text(s, 10, o->smsr_call, sizeof(o->smsr_call));
        o->smsr_result = col_dup(s, 11);
        o->attempts = (unsigned)sqlite3_column_int(s, 12);
        o->created_ms = sqlite3_column_int64(s, 13);
        o->deadline_ms = sqlite3_column_int64(s, 14);
        o->next_ms = sqlite3_column_int64(s, 15);
        rc = o->params && (o->smsr_result || sqlite3_column_type(s, 11) == SQLITE_NULL) ? 0
                                                                                        : -ENOMEM;
        if (rc)
            smdb_order_free(o);
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "order get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_order_update(struct smdb *db, const struct smdb_order *o)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_ORD_UPDATE);
    int rc;

    smdb_bind_text(s, ":step", o->step);
    smdb_bind_text(s, ":state", o->state);
    smdb_bind_opt(s, ":iccid", o->iccid[0] ? o->iccid : NULL);
    smdb_bind_text(s, ":params", o->params ? o->params : "{}");
    smdb_bind_opt(s, ":call", o->smsr_call[0] ? o->smsr_call : NULL);
    smdb_bind_opt(s, ":result", o->smsr_result);
    smdb_bind_int64(s, ":attempts", o->attempts);
    smdb_bind_int64(s, ":next", o->next_ms);
    smdb_bind_int64(s, ":id", o->id);
    rc = smdb_exec_stmt(db, c, s, "order update");
    smdb_release(db, c);
    return rc;
}

int smdb_order_smsr_result(struct smdb *db, const char *smsr, const char *call, const char *result,
                           int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_ORD_SMSR_RESULT);
    int rc;

    smdb_bind_text(s, ":result", result);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_text(s, ":call", call);
    smdb_bind_text(s, ":smsr", smsr);
    rc = smdb_exec_stmt(db, c, s, "order result");
    if (!rc && sqlite3_changes(c->h) == 0)
        rc = -ENOENT;
    smdb_release(db, c);
    return rc;
}

int smdb_order_finish(struct smdb *db, const struct smdb_order *o, const char *outcome,
                      int http_status, const char *response, const char *callback_body,
                      int64_t now_ms)
{
    sqlite3_stmt *s;
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);

    if (!c)
        return rc;
    s = smdb_stmt(c, STMT_ORD_DONE);
    smdb_bind_text(s, ":outcome", outcome);
    smdb_bind_text(s, ":step", o->step);
    smdb_bind_text(s, ":params", o->params ? o->params : "{}");
    smdb_bind_opt(s, ":iccid", o->iccid[0] ? o->iccid : NULL);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_int64(s, ":id", o->id);
    rc = smdb_exec_stmt(db, c, s, "order done");
    if (!rc)
        rc = smdb_call_finish_on(db, c, o->requester, o->call_id, http_status, response, now_ms);
    if (!rc && callback_body)
        rc = smdb_outbox_put_on(db, c, o->requester, "operations", callback_body, o->eid, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_order_pending(struct smdb *db, int64_t *n)
{
    return smdb_scalar(db, STMT_ORD_PENDING, "orders pending", n);
}

int smdb_order_forget_orphans(struct smdb *db, unsigned *n)
{
    return smdb_exec_changes(db, STMT_ORD_ORPHANS, "orphan calls", n);
}
