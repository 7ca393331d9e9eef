/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-DP's profile inventory (smdb/smdp_store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "smdb/smdp_store.h"

static char *col_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    return t ? strdup((const char *)t) : NULL;
}

int smdb_profile_type_put(struct smdb *db, const struct smdb_profile_type *t, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_TYPE_PUT);
    int rc;

    smdb_bind_text(s, ":mno", t->mno_id);
    smdb_bind_text(s, ":name", t->name);
    smdb_bind_text(s, ":template", t->template_ref);
    smdb_bind_text(s, ":params", t->params ? t->params : "{}");
    smdb_bind_opt(s, ":pol2", t->pol2);
    smdb_bind_int64(s, ":memory", t->memory_required);
    smdb_bind_text(s, ":on_delete", t->on_delete);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "profile type put");
    smdb_release(db, c);
    return rc;
}

int smdb_profile_type_get(struct smdb *db, const char *mno, const char *name,
                          struct smdb_profile_type *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_TYPE_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    smdb_bind_text(s, ":mno", mno);
    smdb_bind_text(s, ":name", name);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(out->mno_id, sizeof(out->mno_id), "%s", mno);
        snprintf(out->name, sizeof(out->name), "%s", name);
        out->template_ref = col_dup(s, 0);
        out->params = col_dup(s, 1);
        out->pol2 = col_dup(s, 2);
        out->memory_required = sqlite3_column_int64(s, 3);
        smdb_col_text(s, 4, out->on_delete, sizeof(out->on_delete));
        out->created_ms = sqlite3_column_int64(s, 5);
        out->updated_ms = sqlite3_column_int64(s, 6);
        rc = out->template_ref && out->params ? 0 : -ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "profile type get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    if (rc)
        smdb_profile_type_free(out);
    return rc;
}

void smdb_profile_type_free(struct smdb_profile_type *t)
{
    free(t->template_ref);
    free(t->params);
    free(t->pol2);
    t->template_ref = t->params = t->pol2 = NULL;
}

int smdb_subscription_add(struct smdb *db, const struct smdb_subscription *sub, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_INSERT);
    int rc;

    smdb_bind_text(s, ":iccid", sub->iccid);
    smdb_bind_text(s, ":mno", sub->mno_id);
    smdb_bind_text(s, ":type", sub->profile_type);
    smdb_bind_text(s, ":imsi", sub->imsi);
    smdb_bind_opt(s, ":msisdn", sub->msisdn);
    smdb_bind_blob(s, ":secrets", sub->secrets, sub->secrets_len);
    smdb_bind_text(s, ":batch", sub->batch);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "subscription insert");
    smdb_release(db, c);
    return rc;
}

int smdb_subscription_get(struct smdb *db, const char *iccid, struct smdb_subscription *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    smdb_bind_text(s, ":iccid", iccid);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const void *b = sqlite3_column_blob(s, 4);
        int n = sqlite3_column_bytes(s, 4);

        snprintf(out->iccid, sizeof(out->iccid), "%s", iccid);
        smdb_col_text(s, 0, out->mno_id, sizeof(out->mno_id));
        smdb_col_text(s, 1, out->profile_type, sizeof(out->profile_type));
        smdb_col_text(s, 2, out->imsi, sizeof(out->imsi));
        smdb_col_text(s, 3, out->msisdn, sizeof(out->msisdn));
        smdb_col_text(s, 5, out->state, sizeof(out->state));
        smdb_col_text(s, 6, out->eid, sizeof(out->eid));
        smdb_col_text(s, 7, out->order_ref, sizeof(out->order_ref));
        smdb_col_text(s, 8, out->batch, sizeof(out->batch));
        out->created_ms = sqlite3_column_int64(s, 9);
        out->updated_ms = sqlite3_column_int64(s, 10);
        smdb_col_text(s, 11, out->isdp_aid, sizeof(out->isdp_aid));
        if (sqlite3_column_bytes(s, 12) > 0 &&
            (out->token_key = malloc((size_t)sqlite3_column_bytes(s, 12)))) {
            out->token_key_len = (size_t)sqlite3_column_bytes(s, 12);
            memcpy(out->token_key, sqlite3_column_blob(s, 12), out->token_key_len);
        }
        out->secrets = n > 0 ? malloc((size_t)n) : NULL;
        if (n > 0 && out->secrets) {
            memcpy(out->secrets, b, (size_t)n);
            out->secrets_len = (size_t)n;
        }
        rc = n > 0 && !out->secrets ? -ENOMEM : 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "subscription get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_subscription_set_token(struct smdb *db, const char *iccid, const char *isdp_aid,
                                const uint8_t *key, size_t len, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_TOKEN);
    int rc;

    smdb_bind_text(s, ":iccid", iccid);
    smdb_bind_text(s, ":aid", isdp_aid);
    smdb_bind_blob(s, ":key", key, len);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "subscription token key");
    if (!rc && !sqlite3_changes(c->h))
        rc = -ENOENT;
    smdb_release(db, c);
    return rc;
}

void smdb_subscription_free(struct smdb_subscription *s)
{
    free(s->token_key);
    s->token_key = NULL;
    free(s->secrets);
    s->secrets = NULL;
    s->secrets_len = 0;
}

/* A statement with RETURNING one text column into out: 0, -ENOENT (no row), -EIO. */
static int returning_text(struct smdb *db, struct smdb_conn *c, sqlite3_stmt *s, const char *what,
                          char *out, size_t n)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW) {
        smdb_col_text(s, 0, out, n);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : smdb_fail(db, c, what, rc);
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, what, rc);
    }
    sqlite3_reset(s);
    return rc;
}

int smdb_subscription_allocate(struct smdb *db, const char *mno, const char *type, const char *eid,
                               const char *order_ref, int64_t now_ms, char iccid[21])
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_ALLOCATE);
    int rc;

    smdb_bind_text(s, ":mno", mno);
    smdb_bind_text(s, ":type", type);
    smdb_bind_opt(s, ":eid", eid);
    smdb_bind_opt(s, ":order", order_ref);
    smdb_bind_int64(s, ":now", now_ms);
    rc = returning_text(db, c, s, "subscription allocate", iccid, 21);
    smdb_release(db, c);
    return rc;
}

int smdb_subscription_take(struct smdb *db, const char *iccid, const char *mno, const char *eid,
                           const char *order_ref, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_TAKE);
    int rc;

    smdb_bind_text(s, ":iccid", iccid);
    smdb_bind_text(s, ":mno", mno);
    smdb_bind_opt(s, ":eid", eid);
    smdb_bind_opt(s, ":order", order_ref);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "subscription take");
    if (!rc && !sqlite3_changes(c->h))
        rc = -ESTALE;
    smdb_release(db, c);
    return rc;
}

int smdb_subscription_set_state(struct smdb *db, const char *iccid, const char *from,
                                const char *to, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_STATE);
    int rc;

    smdb_bind_text(s, ":iccid", iccid);
    smdb_bind_opt(s, ":from", from);
    smdb_bind_text(s, ":to", to);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "subscription state");
    if (!rc && !sqlite3_changes(c->h)) {
        struct smdb_subscription cur;

        smdb_release(db, c);
        rc = smdb_subscription_get(db, iccid, &cur);
        smdb_subscription_free(&cur);
        return rc ? rc : -ESTALE;
    }
    smdb_release(db, c);
    return rc;
}

int smdb_subscription_set_address(struct smdb *db, const char *iccid, const char *imsi,
                                  const char *msisdn, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_ADDRESS);
    int rc;

    smdb_bind_text(s, ":iccid", iccid);
    smdb_bind_opt(s, ":imsi", imsi);
    smdb_bind_opt(s, ":msisdn", msisdn);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "subscription address");
    if (!rc && !sqlite3_changes(c->h))
        rc = -ENOENT;
    smdb_release(db, c);
    return rc;
}

int smdb_subscription_release(struct smdb *db, const char *iccid, int64_t now_ms,
                              char state_out[16])
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_SUB_RELEASE);
    int rc;

    smdb_bind_text(s, ":iccid", iccid);
    smdb_bind_int64(s, ":now", now_ms);
    rc = returning_text(db, c, s, "subscription release", state_out, 16);
    smdb_release(db, c);
    return rc;
}

int smdb_inventory_counts(struct smdb *db, const char *mno, smdb_inventory_fn fn, void *arg)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_DP_COUNTS);
    int rc;

    smdb_bind_opt(s, ":mno", mno);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(arg, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
           (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3));
    rc = rc == SQLITE_DONE ? 0 : smdb_fail(db, c, "inventory counts", rc);
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}
