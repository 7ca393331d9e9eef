/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "db_internal.h"

static void read_entity(sqlite3_stmt *s, struct sm_entity *e)
{
    char role[16];

    memset(e, 0, sizeof(*e));
    smdb_col_text(s, 0, e->id, sizeof(e->id));
    smdb_col_text(s, 1, e->name, sizeof(e->name));
    smdb_col_text(s, 2, role, sizeof(role));
    if (sm_role_parse(role, &e->role))
        e->role = 0; /* the CHECK constraint makes this unreachable */
    smdb_col_text(s, 3, e->callback_url, sizeof(e->callback_url));
    e->enabled = sqlite3_column_int(s, 4) != 0;
}

int smdb_entity_add(struct smdb *db, const struct sm_entity *e, int64_t now_ms)
{
    struct smdb_conn *c;
    sqlite3_stmt *s;
    int rc;

    if (sm_oid_check(e->id) || !e->name[0] || !strcmp(sm_role_name(e->role), "?"))
        return -EINVAL;
    c = smdb_acquire(db);
    s = smdb_stmt(c, STMT_ENTITY_INSERT);
    smdb_bind_text(s, ":id", e->id);
    smdb_bind_text(s, ":name", e->name);
    smdb_bind_text(s, ":role", sm_role_name(e->role));
    smdb_bind_text(s, ":callback_url", e->callback_url);
    smdb_bind_int64(s, ":enabled", e->enabled);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "entity insert");
    smdb_release(db, c);
    return rc;
}

static int get_one(struct smdb *db, enum smdb_stmt idx, const char *key, const void *blob,
                   struct sm_entity *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, idx);
    int rc;

    if (blob)
        smdb_bind_blob(s, ":fp", blob, 32);
    else
        smdb_bind_text(s, ":key", key);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_entity(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = -ENOENT;
    } else {
        rc = smdb_fail(db, c, "entity lookup", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_entity_get(struct smdb *db, const char *id_or_name, struct sm_entity *out)
{
    return get_one(db, STMT_ENTITY_BY_ID_OR_NAME, id_or_name, NULL, out);
}

int smdb_entity_by_cert(struct smdb *db, const uint8_t fingerprint[32], struct sm_entity *out)
{
    int rc = get_one(db, STMT_ENTITY_BY_CERT, NULL, fingerprint, out);

    /* a disabled entity is refused exactly like an unknown one */
    if (rc == 0 && !out->enabled)
        return -ENOENT;
    return rc;
}

int smdb_entity_add_cert(struct smdb *db, const char *entity_id, const struct sm_cert_info *ci,
                         int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_ENTITY_CERT_INSERT);
    int rc;

    smdb_bind_blob(s, ":fp", ci->fingerprint, 32);
    smdb_bind_text(s, ":entity_id", entity_id);
    smdb_bind_text(s, ":subject", ci->subject);
    smdb_bind_int64(s, ":not_after", ci->not_after);
    smdb_bind_int64(s, ":now", now_ms);
    rc = smdb_exec_stmt(db, c, s, "entity certificate insert");
    smdb_release(db, c);
    return rc;
}

static int update(struct smdb *db, enum smdb_stmt idx, const char *id, const char *name,
                  const char *text, int64_t v)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, idx);
    int rc;

    smdb_bind_text(s, ":id", id);
    if (text)
        smdb_bind_text(s, name, text);
    else if (name)
        smdb_bind_int64(s, name, v);
    rc = smdb_exec_stmt(db, c, s, "entity update");
    if (rc == 0 && sqlite3_changes(c->h) == 0)
        rc = -ENOENT;
    smdb_release(db, c);
    return rc;
}

int smdb_entity_set_enabled(struct smdb *db, const char *id, bool enabled)
{
    return update(db, STMT_ENTITY_SET_ENABLED, id, ":enabled", NULL, enabled);
}

int smdb_entity_set_callback(struct smdb *db, const char *id, const char *url)
{
    return update(db, STMT_ENTITY_SET_CALLBACK, id, ":url", url, 0);
}

int smdb_entity_remove(struct smdb *db, const char *id)
{
    return update(db, STMT_ENTITY_DELETE, id, NULL, NULL, 0);
}

int smdb_entity_foreach(struct smdb *db,
                        int (*fn)(void *arg, const struct sm_entity *e, unsigned ncerts), void *arg)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_ENTITY_LIST);
    int rc;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct sm_entity e;

        read_entity(s, &e);
        if (fn(arg, &e, (unsigned)sqlite3_column_int(s, 5)))
            break;
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : smdb_fail(db, c, "entity list", rc);
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}
