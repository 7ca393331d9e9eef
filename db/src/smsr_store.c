/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-SR's eUICC registry (smdb/smsr_store.h, db/migrations/smsr/0003_eis.sql). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "smdb/smsr_store.h"

/* 1 when the statement (bound) yields a row, 0 when not, -EIO. */
static int exists(struct smdb *db, struct smdb_conn *c, sqlite3_stmt *s, const char *what,
                  char *first, size_t len)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW) {
        if (first)
            smdb_col_text(s, 0, first, len);
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : smdb_fail(db, c, what, rc);
    }
    sqlite3_reset(s);
    return rc;
}

int smdb_sr_insert_profile(struct smdb *db, struct smdb_conn *c, const char *eid,
                           const struct smdb_profile *p)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_PROFILE_INSERT);

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":aid", p->isdp_aid);
    smdb_bind_text(s, ":iccid", p->iccid);
    smdb_bind_text(s, ":mno", p->mno_id);
    smdb_bind_opt(s, ":smdp", p->smdp_id);
    smdb_bind_opt(s, ":type", p->profile_type);
    smdb_bind_text(s, ":state", p->state);
    smdb_bind_int64(s, ":fallback", p->fallback);
    smdb_bind_int64(s, ":mem", p->allocated_memory);
    smdb_bind_opt(s, ":msisdn", p->msisdn);
    smdb_bind_opt(s, ":imsi", p->imsi);
    smdb_bind_text(s, ":pol2", p->pol2 ? p->pol2 : "[]");
    return smdb_exec_stmt(db, c, s, "profile insert");
}

static int insert_keyset(struct smdb *db, struct smdb_conn *c, const char *eid,
                         const struct smdb_keyset *k)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_KEYSET_INSERT);

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":type", k->type);
    smdb_bind_int64(s, ":kvn", k->kvn);
    smdb_bind_int64(s, ":n", k->nkeys);
    smdb_bind_blob(s, ":w", k->wrapped, k->wrapped_len);
    smdb_bind_int64(s, ":cntr", (int64_t)k->counter);
    return smdb_exec_stmt(db, c, s, "keyset insert");
}

int smdb_sr_audit(struct smdb *db, struct smdb_conn *c, const char *eid, const char *actor,
                  const char *event, const char *detail, int64_t now_ms)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_AUDIT_INSERT);

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_text(s, ":actor", actor);
    smdb_bind_text(s, ":event", event);
    smdb_bind_opt(s, ":detail", detail);
    return smdb_exec_stmt(db, c, s, "audit insert");
}

int smdb_eis_register(struct smdb *db, const struct smdb_eis *e, const struct smdb_keyset *ks,
                      size_t nks, const char *actor, int64_t now_ms, char *conflict,
                      size_t conflict_len)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s;
    int rc = smdb_tx_begin(db, c);

    if (conflict_len)
        conflict[0] = 0;
    /* the conflicts are told apart before inserting, so the caller can say which it was */
    if (!rc) {
        s = smdb_stmt(c, STMT_SR_EIS_EXISTS);
        smdb_bind_text(s, ":eid", e->eid);
        rc = exists(db, c, s, "eis exists", NULL, 0);
        if (rc == 1) {
            snprintf(conflict, conflict_len, "eid");
            rc = -EEXIST;
        }
    }
    for (size_t i = 0; !rc && i < e->nprofiles; i++) {
        s = smdb_stmt(c, STMT_SR_PROFILE_BY_ICCID);
        smdb_bind_text(s, ":iccid", e->profiles[i].iccid);
        rc = exists(db, c, s, "profile by iccid", NULL, 0);
        if (rc == 1) {
            snprintf(conflict, conflict_len, "%s", e->profiles[i].iccid);
            rc = -EEXIST;
        }
    }
    if (!rc) {
        s = smdb_stmt(c, STMT_SR_EIS_INSERT);
        smdb_bind_text(s, ":eid", e->eid);
        smdb_bind_text(s, ":eum", e->eum_id);
        smdb_bind_text(s, ":si", e->signed_info);
        smdb_bind_text(s, ":sig", e->eum_signature);
        smdb_bind_text(s, ":isdr", e->isdr);
        smdb_bind_int64(s, ":rem", e->remaining_memory);
        smdb_bind_int64(s, ":avail", e->available_memory);
        smdb_bind_int64(s, ":http", e->http_support);
        smdb_bind_int64(s, ":cattp", e->cattp_support);
        smdb_bind_text(s, ":state", e->state[0] ? e->state : "registered");
        smdb_bind_int64(s, ":now", now_ms);
        rc = smdb_exec_stmt(db, c, s, "eis insert");
    }
    for (size_t i = 0; !rc && i < e->nprofiles; i++)
        rc = smdb_sr_insert_profile(db, c, e->eid, &e->profiles[i]);
    for (size_t i = 0; !rc && i < nks; i++)
        rc = insert_keyset(db, c, e->eid, &ks[i]);
    if (!rc)
        rc = smdb_sr_audit(db, c, e->eid, actor, "registered", NULL, now_ms);
    return smdb_tx_end(db, c, rc);
}

static char *col_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    return strdup(t ? (const char *)t : "");
}

static int read_profiles(struct smdb *db, struct smdb_conn *c, struct smdb_eis *e)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_PROFILES_OF);
    int rc;

    smdb_bind_text(s, ":eid", e->eid);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct smdb_profile *n = realloc(e->profiles, (e->nprofiles + 1) * sizeof(*n)), *p;

        if (!n) {
            sqlite3_reset(s);
            return -ENOMEM;
        }
        e->profiles = n;
        p = &n[e->nprofiles];
        memset(p, 0, sizeof(*p));
        smdb_col_text(s, 0, p->isdp_aid, sizeof(p->isdp_aid));
        smdb_col_text(s, 1, p->iccid, sizeof(p->iccid));
        smdb_col_text(s, 2, p->mno_id, sizeof(p->mno_id));
        smdb_col_text(s, 3, p->smdp_id, sizeof(p->smdp_id));
        smdb_col_text(s, 4, p->profile_type, sizeof(p->profile_type));
        smdb_col_text(s, 5, p->state, sizeof(p->state));
        p->fallback = sqlite3_column_int(s, 6) != 0;
        p->allocated_memory = sqlite3_column_int64(s, 7);
        smdb_col_text(s, 8, p->msisdn, sizeof(p->msisdn));
        smdb_col_text(s, 9, p->imsi, sizeof(p->imsi));
        p->pol2 = col_dup(s, 10);
        e->nprofiles++;
        if (!p->pol2) {
            sqlite3_reset(s);
            return -ENOMEM;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : smdb_fail(db, c, "profiles of", rc);
}

int smdb_eis_get(struct smdb *db, const char *eid, struct smdb_eis *e)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_EIS_GET);
    int rc;

    memset(e, 0, sizeof(*e));
    snprintf(e->eid, sizeof(e->eid), "%s", eid);
    /* one read transaction: the EIS and its profiles as of one moment */
    rc = smdb_tx_begin_read(db, c);
    if (rc) {
        smdb_release(db, c);
        return rc;
    }
    smdb_bind_text(s, ":eid", eid);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        smdb_col_text(s, 0, e->eum_id, sizeof(e->eum_id));
        e->signed_info = col_dup(s, 1);
        e->eum_signature = col_dup(s, 2);
        e->isdr = col_dup(s, 3);
        e->remaining_memory = sqlite3_column_int64(s, 4);
        e->available_memory = sqlite3_column_int64(s, 5);
        e->http_support = sqlite3_column_int(s, 6) != 0;
        e->cattp_support = sqlite3_column_int(s, 7) != 0;
        e->last_audit_ms = sqlite3_column_int64(s, 8);
        smdb_col_text(s, 9, e->state, sizeof(e->state));
        e->registered_ms = sqlite3_column_int64(s, 10);
        e->updated_ms = sqlite3_column_int64(s, 11);
        rc = e->signed_info && e->eum_signature && e->isdr ? 0 : -ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "eis get", rc);
    }
    sqlite3_reset(s);
    if (!rc)
        rc = read_profiles(db, c, e);
    smdb_tx_rollback(db, c); /* read only */
    smdb_release(db, c);
    if (rc)
        smdb_eis_free(e);
    return rc;
}

void smdb_eis_free(struct smdb_eis *e)
{
    for (size_t i = 0; i < e->nprofiles; i++)
        free(e->profiles[i].pol2);
    free(e->profiles);
    free(e->signed_info);
    free(e->eum_signature);
    free(e->isdr);
    e->profiles = NULL;
    e->nprofiles = 0;
    e->signed_info = e->eum_signature = e->isdr = NULL;
}

int smdb_eis_count(struct smdb *db, int64_t *n)
{
    return smdb_scalar(db, STMT_SR_EIS_COUNT, "eis count", n);
}

int smdb_keyset_get(struct smdb *db, const char *eid, const char *type, unsigned kvn,
                    struct smdb_keyset *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_KEYSET_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(out->type, sizeof(out->type), "%s", type);
    out->kvn = kvn;
    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":type", type);
    smdb_bind_int64(s, ":kvn", kvn);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->nkeys = (unsigned)sqlite3_column_int(s, 0);
        out->wrapped_len = (size_t)sqlite3_column_bytes(s, 1);
        out->wrapped = malloc(out->wrapped_len ? out->wrapped_len : 1);
        if (out->wrapped)
            memcpy(out->wrapped, sqlite3_column_blob(s, 1), out->wrapped_len);
        out->counter = (uint64_t)sqlite3_column_int64(s, 2);
        rc = out->wrapped ? 0 : -ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "keyset get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_eis_audit(struct smdb *db, const char *eid, const char *actor, const char *event,
                   const char *detail, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    int rc = smdb_sr_audit(db, c, eid, actor, event, detail, now_ms);

    smdb_release(db, c);
    return rc;
}

int smdb_eis_audit_foreach(struct smdb *db, const char *eid, unsigned max,
                           int (*fn)(void *arg, int64_t at_ms, const char *actor, const char *event,
                                     const char *detail),
                           void *arg)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_AUDIT_LIST);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_int64(s, ":max", max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(s, 3);

        if (fn(arg, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
               (const char *)sqlite3_column_text(s, 2), d)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    rc = rc == SQLITE_DONE ? 0 : smdb_fail(db, c, "audit list", rc);
    smdb_release(db, c);
    return rc;
}

int smdb_eis_set_state(struct smdb *db, const char *eid, const char *state, const char *actor,
                       const char *event, const char *detail, int64_t now_ms)
{
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);
    sqlite3_stmt *s;

    if (!c)
        return rc;
    s = smdb_stmt(c, STMT_SR_EIS_SET_STATE);
    smdb_bind_text(s, ":state", state);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_text(s, ":eid", eid);
    rc = smdb_exec_stmt(db, c, s, "eis state");
    if (!rc && sqlite3_changes(c->h) == 0)
        rc = -ENOENT;
    if (!rc)
        rc = smdb_sr_audit(db, c, eid, actor, event, detail, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_eis_forget(struct smdb *db, const char *eid, const char *actor, const char *event,
                    const char *detail, int64_t now_ms)
{
    int rc;
    struct smdb_conn *c = smdb_tx_open(db, &rc);
    sqlite3_stmt *s;

    if (!c)
        return rc;
    /* profiles and key sets go with it (ON DELETE CASCADE); the audit trail stays */
    s = smdb_stmt(c, STMT_SR_EIS_DELETE);
    smdb_bind_text(s, ":eid", eid);
    rc = smdb_exec_stmt(db, c, s, "eis delete");
    if (!rc)
        rc = smdb_sr_audit(db, c, eid, actor, event, detail, now_ms);
    return smdb_tx_end(db, c, rc);
}

int smdb_keyset_put(struct smdb *db, const char *eid, const struct smdb_keyset *k)
{
    struct smdb_conn *c = smdb_acquire(db);
    int rc = insert_keyset(db, c, eid, k);

    smdb_release(db, c);
    return rc;
}

int smdb_keyset_delete(struct smdb *db, const char *eid, const char *type, unsigned kvn)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_KEYSET_DELETE);
    int rc;

    smdb_bind_text(s, ":eid", eid);
    smdb_bind_text(s, ":type", type);
    smdb_bind_int64(s, ":kvn", kvn);
    rc = smdb_exec_stmt(db, c, s, "keyset delete");
    smdb_release(db, c);
    return rc;
}

int smdb_eis_set_isdr(struct smdb *db, const char *eid, const char *isdr, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_SR_EIS_SET_ISDR);
    int rc;

    smdb_bind_text(s, ":isdr", isdr);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_text(s, ":eid", eid);
    rc = smdb_exec_stmt(db, c, s, "eis isdr");
    smdb_release(db, c);
    return rc;
}
