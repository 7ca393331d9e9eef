/* SPDX-License-Identifier: Apache-2.0 */
/* auc-gw's storage (smdb/aucstore.h). */
#include <errno.h>
#include <string.h>

#include "db_internal.h"
#include "smdb/aucstore.h"

int smdb_auc_put(struct smdb *db, const char *imsi, const char *iccid, const uint8_t *keys,
                 size_t len, const char *amf, int64_t seq, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_AUC_PUT);
    int rc;

    smdb_bind_text(s, ":imsi", imsi);
    smdb_bind_opt(s, ":iccid", iccid);
    smdb_bind_blob(s, ":keys", keys, len);
    smdb_bind_text(s, ":amf", amf);
    smdb_bind_int64(s, ":seq", seq);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "subscriber put");
    smdb_release(db, c);
    return rc;
}

int smdb_auc_get(struct smdb *db, const char *imsi, struct sm_buf *keys, char amf[5], int64_t *seq)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_AUC_GET);
    int rc;

    smdb_bind_text(s, ":imsi", imsi);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        rc = sm_buf_append(keys, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
        smdb_col_text(s, 1, amf, 5);
        *seq = sqlite3_column_int64(s, 2);
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "subscriber get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_auc_next_seq(struct smdb *db, const char *imsi, unsigned n, int64_t now_ms, int64_t *seq)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_AUC_NEXT_SEQ);
    int rc;

    smdb_bind_text(s, ":imsi", imsi);
    smdb_bind_int64(s, ":n", n);
    smdb_bind_int64(s, ":now", now_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(s, 0);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : smdb_fail(db, c, "subscriber seq", rc);
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "subscriber seq", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_auc_resync(struct smdb *db, const char *imsi, int64_t seq, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_AUC_RESYNC);
    int rc;

    smdb_bind_text(s, ":imsi", imsi);
    smdb_bind_int64(s, ":seq", seq);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "subscriber resync");
    smdb_release(db, c);
    return rc;
}

int smdb_auc_count(struct smdb *db, int64_t *n)
{
    return smdb_scalar(db, STMT_AUC_COUNT, "subscribers", n);
}

int smdb_auc_list(struct smdb *db, int (*fn)(const struct smdb_auc_row *r, void *arg), void *arg)
{
    struct smdb_auc_row page[256];
    char after[16] = "";
    size_t n;
    int rc = 0;

    /* a page at a time, the connection released before the callbacks run */
    do {
        struct smdb_conn *c = smdb_acquire(db);
        sqlite3_stmt *s = smdb_stmt(c, STMT_AUC_LIST);
        int step;

        n = 0;
        smdb_bind_text(s, ":after", after);
        while ((step = sqlite3_step(s)) == SQLITE_ROW && n < 256) {
            struct smdb_auc_row *r = &page[n++];

            smdb_col_text(s, 0, r->imsi, sizeof(r->imsi));
            smdb_col_text(s, 1, r->iccid, sizeof(r->iccid));
            smdb_col_text(s, 2, r->amf, sizeof(r->amf));
            r->seq = sqlite3_column_int64(s, 3);
            r->updated_ms = sqlite3_column_int64(s, 4);
        }
        if (step != SQLITE_DONE && step != SQLITE_ROW)
            rc = smdb_fail(db, c, "subscriber list", step);
        sqlite3_reset(s);
        smdb_release(db, c);
        for (size_t i = 0; !rc && i < n; i++)
            rc = fn(&page[i], arg);
        if (n)
            memcpy(after, page[n - 1].imsi, sizeof(after));
    } while (!rc && n == 256);
    return rc;
}

int smdb_auc_delete(struct smdb *db, const char *imsi)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_AUC_DELETE);
    int rc;

    smdb_bind_text(s, ":imsi", imsi);
    rc = smdb_exec_stmt(db, c, s, "subscriber delete");
    if (!rc && sqlite3_changes(c->h) == 0)
        rc = -ENOENT;
    smdb_release(db, c);
    return rc;
}
