/* SPDX-License-Identifier: Apache-2.0 */
/* euicc-sim storage: cards as wrapped state blobs (db/migrations/euicc-sim). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "smdb/simstore.h"

int smdb_sim_insert(struct smdb *db, const struct smdb_sim_card *cards, size_t n, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    int rc = smdb_tx_begin(db, c);

    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_INSERT);

        smdb_bind_text(s, ":eid", cards[i].eid);
        smdb_bind_text(s, ":msisdn", cards[i].msisdn);
        smdb_bind_blob(s, ":state", cards[i].state, cards[i].state_len);
        if (cards[i].notify_ms)
            smdb_bind_int64(s, ":notify", cards[i].notify_ms);
        else
            smdb_bind_null(s, ":notify");
        smdb_bind_int64(s, ":now", now_ms);
        rc = smdb_exec_stmt(db, c, s, "card insert");
    }
    return smdb_tx_end(db, c, rc);
}

int smdb_sim_update(struct smdb *db, const char *eid, const char *msisdn, const uint8_t *state,
                    size_t len, int64_t notify_ms, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_UPDATE);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_opt(s, ":msisdn", msisdn);
    smdb_bind_blob(s, ":state", state, len);
    if (notify_ms)
        smdb_bind_int64(s, ":notify", notify_ms);
    else
        smdb_bind_null(s, ":notify");
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "card update");
    if (!rc && sqlite3_changes(c->h) == 0)
        rc = -ENOENT;
    smdb_release(db, c);
    return rc;
}

int smdb_sim_get(struct smdb *db, const char *eid, struct sm_buf *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_GET);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = sm_buf_append(out, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    else if (rc == SQLITE_DONE)
        rc = -ENOENT;
    else
        rc = smdb_fail(db, c, "card get", rc);
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_sim_by_msisdn(struct smdb *db, const char *msisdn, char eid[33])
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_BY_MSISDN);
    int rc;

    smdb_bind_text(s, ":msisdn", msisdn);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        smdb_col_text(s, 0, eid, 33);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "card by msisdn", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_sim_foreach(struct smdb *db, int (*fn)(void *arg, const char *eid, const char *msisdn),
                     void *arg)
{
    enum { PAGE = 512 };
    char(*eids)[33] = malloc(PAGE * 33), (*msisdns)[24] = malloc(PAGE * 24), after[33] = "";
    int rc = eids && msisdns ? 0 : -ENOMEM;

    /* a page at a time, the connection given back before the callbacks: they may use the
     * database themselves */
    while (!rc) {
        struct smdb_conn *c = smdb_acquire(db);
        sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_LIST);
        unsigned n = 0;

        smdb_bind_text(s, ":after", after);
        smdb_bind_int64(s, ":limit", PAGE);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < PAGE) {
            smdb_col_text(s, 0, eids[n], 33);
            smdb_col_text(s, 1, msisdns[n], 24);
            n++;
        }
        rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : smdb_fail(db, c, "card list", rc);
        sqlite3_reset(s);
        smdb_release(db, c);
        for (unsigned i = 0; i < n && !rc; i++)
            if (fn(arg, eids[i], msisdns[i]))
                n = 0, rc = 1;
        if (rc || n < PAGE)
            break;
        memcpy(after, eids[n - 1], 33);
    }
    free(eids);
    free(msisdns);
    return rc > 0 ? 0 : rc;
}

int smdb_sim_count(struct smdb *db, long *n)
{
    int64_t v = 0;
    int rc = smdb_scalar(db, STMT_SIM_COUNT, "card count", &v);

    *n = (long)v;
    return rc;
}

int smdb_sim_meta_get(struct smdb *db, const char *key, char *value, size_t size)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_META_GET);
    int rc;

    smdb_bind_text(s, ":key", key);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        smdb_col_text(s, 0, value, size);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "meta get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_sim_meta_set(struct smdb *db, const char *key, const char *value)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_META_SET);
    int rc;

    smdb_bind_text(s, ":key", key);
    smdb_bind_text(s, ":value", value);
    rc = smdb_exec_stmt(db, c, s, "meta set");
    smdb_release(db, c);
    return rc;
}

int smdb_sim_due(struct smdb *db, int64_t now_ms, unsigned max,
                 int (*fn)(void *arg, const char *eid), void *arg)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SIM_DUE);
    char(*eids)[33] = calloc(max ? max : 1, 33);
    unsigned n = 0;
    int rc;

    if (!eids) {
        smdb_release(db, c);
        return -ENOMEM;
    }
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_int64(s, ":limit", max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max)
        smdb_col_text(s, 0, eids[n++], 33);
    rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : smdb_fail(db, c, "cards due", rc);
    sqlite3_reset(s);
    smdb_release(db, c);
    /* the callbacks run without the connection: they load and save cards */
    for (unsigned i = 0; i < n && !rc; i++)
        rc = fn(arg, eids[i]);
    free(eids);
    return rc;
}
