/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

static void bind_key(sqlite3_stmt *s, const char *requester, const char *call_id)
{
    smdb_bind_text(s, ":requester", requester);
    smdb_bind_text(s, ":call_id", call_id);
}

/* Read the row of STMT_CALL_GET (already stepped to SQLITE_ROW) into out. */
static int read_call(sqlite3_stmt *s, const char *requester, const char *call_id,
                     struct sm_api_call_record *out)
{
    const void *hash = sqlite3_column_blob(s, 1);
    const unsigned char *resp = sqlite3_column_text(s, 4);

    memset(out, 0, sizeof(*out));
    snprintf(out->requester, sizeof(out->requester), "%s", requester);
    snprintf(out->call_id, sizeof(out->call_id), "%s", call_id);
    smdb_col_text(s, 0, out->function, sizeof(out->function));
    if (hash && sqlite3_column_bytes(s, 1) == 32)
        memcpy(out->request_hash, hash, 32);
    smdb_col_text(s, 2, out->state, sizeof(out->state));
    out->http_status = sqlite3_column_int(s, 3);
    if (resp) {
        out->response = strdup((const char *)resp);
        if (!out->response)
            return -ENOMEM;
    }
    out->received_ms = sqlite3_column_int64(s, 5);
    out->deadline_ms = sqlite3_column_int64(s, 6);
    out->finished_ms = sqlite3_column_int64(s, 7);
    return 0;
}

static int get_locked(struct smdb *db, struct smdb_conn *c, const char *requester,
                      const char *call_id, struct sm_api_call_record *out)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_CALL_GET);
    int rc;

    bind_key(s, requester, call_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = read_call(s, requester, call_id, out);
    else if (rc == SQLITE_DONE)
        rc = -ENOENT;
    else
        rc = smdb_fail(db, c, "call lookup", rc);
    sqlite3_reset(s);
    return rc;
}

int smdb_call_begin(struct smdb *db, const struct sm_api_call_record *rec,
                    struct sm_api_call_record *existing)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s;
    int rc;

    /* one transaction: look for a previous call, insert if none, commit */
    rc = smdb_tx_begin(db, c);
    if (rc)
        goto out;
    rc = get_locked(db, c, rec->requester, rec->call_id, existing);
    if (rc == 0) {
        smdb_tx_rollback(db, c);
        rc = -EEXIST;
        goto out;
    }
    if (rc != -ENOENT)
        goto rollback;
    s = smdb_stmt(c, STMT_CALL_INSERT);
    bind_key(s, rec->requester, rec->call_id);
    smdb_bind_text(s, ":function", rec->function);
    smdb_bind_blob(s, ":hash", rec->request_hash, 32);
    smdb_bind_text(s, ":state", rec->state);
    smdb_bind_int64(s, ":received", rec->received_ms);
    if (rec->deadline_ms)
        smdb_bind_int64(s, ":deadline", rec->deadline_ms);
    else
        smdb_bind_null(s, ":deadline");
    rc = smdb_exec_stmt(db, c, s, "call insert");
    if (rc)
        goto rollback;
    rc = smdb_tx_commit(db, c);
    goto out;
rollback:
    smdb_tx_rollback(db, c);
out:
    smdb_release(db, c);
    return rc;
}

int smdb_call_finish(struct smdb *db, const char *requester, const char *call_id, int http_status,
                     const char *response, int64_t finished_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_CALL_FINISH);
    int rc;

    bind_key(s, requester, call_id);
    smdb_bind_int64(s, ":status", http_status);
    smdb_bind_text(s, ":response", response);
    smdb_bind_int64(s, ":finished", finished_ms);
    rc = smdb_exec_stmt(db, c, s, "call finish");
    if (rc == 0 && sqlite3_changes(c->h) == 0)
        rc = -ENOENT;
    smdb_release(db, c);
    return rc;
}

int smdb_call_forget(struct smdb *db, const char *requester, const char *call_id)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_CALL_DELETE);
    int rc;

    bind_key(s, requester, call_id);
    rc = smdb_exec_stmt(db, c, s, "call delete");
    smdb_release(db, c);
    return rc;
}

int smdb_call_forget_unfinished(struct smdb *db, const char *function, unsigned *n)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_CALL_UNFINISHED_DELETE);
    int rc;

    smdb_bind_text(s, ":function", function);
    rc = smdb_exec_stmt(db, c, s, "unfinished calls delete");
    *n = rc ? 0 : (unsigned)sqlite3_changes(c->h);
    smdb_release(db, c);
    return rc;
}

int smdb_call_get(struct smdb *db, const char *requester, const char *call_id,
                  struct sm_api_call_record *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    int rc = get_locked(db, c, requester, call_id, out);

    smdb_release(db, c);
    return rc;
}

/* ---- the sm_api_store_ops adapter ---- */

static int op_entity_by_cert(void *store, const uint8_t fp[32], struct sm_entity *out)
{
    return smdb_entity_by_cert(store, fp, out);
}

static int op_call_begin(void *store, const struct sm_api_call_record *rec,
                         struct sm_api_call_record *existing)
{
    return smdb_call_begin(store, rec, existing);
}

static int op_call_finish(void *store, const char *requester, const char *call_id, int http_status,
                          const char *response, int64_t finished_ms)
{
    return smdb_call_finish(store, requester, call_id, http_status, response, finished_ms);
}

static int op_call_forget(void *store, const char *requester, const char *call_id)
{
    return smdb_call_forget(store, requester, call_id);
}

static int op_call_get(void *store, const char *requester, const char *call_id,
                       struct sm_api_call_record *out)
{
    return smdb_call_get(store, requester, call_id, out);
}

static int op_ping(void *store)
{
    return smdb_ping(store);
}

static unsigned long op_error_count(void *store)
{
    return smdb_error_count(store);
}

const struct sm_api_store_ops smdb_api_store_ops = {
    .entity_by_cert = op_entity_by_cert,
    .call_begin = op_call_begin,
    .call_finish = op_call_finish,
    .call_forget = op_call_forget,
    .call_get = op_call_get,
    .ping = op_ping,
    .error_count = op_error_count,
};
