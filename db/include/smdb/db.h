/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_DB_H
#define SMDB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sm/api.h"
#include "sm/embed.h"
#include "sm/entity.h"
#include "sm/tls.h"

/*
 * Storage layer. SQLite in WAL mode today; the API is narrow so that a PostgreSQL backend can
 * replace it. Only this directory includes sqlite3.h.
 *
 * A database is a small pool of connections, each with every statement prepared once at open.
 * The schema comes from numbered migrations (db/migrations/<daemon>/NNNN_*.sql, compiled in),
 * applied in order inside transactions and recorded in PRAGMA user_version; before upgrading an
 * existing database a copy is written next to it (<path>.pre-vN).
 *
 * Every function returns 0 or a negative errno: -ENOENT (no such row, or a reference to one),
 * -EEXIST (uniqueness), -EINVAL (a value the schema refuses), -EIO (SQLite error; logged and
 * counted), -ENOMEM.
 */

struct smdb;

/* The compiled-in migration sets. */
extern const struct sm_embedded_file smdb_smdp_migrations[];
extern const struct sm_embedded_file smdb_smsr_migrations[];

/* Which set of tables the database has (and so which statements are prepared). */
enum smdb_schema {
    SMDB_SCHEMA_DAEMON, /* smdp, smsr: entities, the call journal */
    SMDB_SCHEMA_SIM,    /* euicc-sim: cards (smdb/simstore.h) */
    SMDB_SCHEMA_SMSR,   /* smsr: the daemon's tables and the eUICC registry (smdb/smsr_store.h) */
    SMDB_SCHEMA_SMDP, /* smdp: the daemon's tables and the profile inventory (smdb/smdp_store.h) */
    SMDB_SCHEMA_AUC,  /* auc-gw: subscribers and their SQN (smdb/aucstore.h) */
};

struct smdb_config {
    const char *path;
    enum smdb_schema schema;
    const struct sm_embedded_file *migrations;
    unsigned pool_size;       /* connections; >= 1 */
    const char *synchronous;  /* "full" (default), "group" (see smdb_sync) or "normal" */
    unsigned busy_timeout_ms; /* default 5000 */
    int max_version;          /* migrate up to this version only (tests); 0: all */
    bool no_backup;           /* skip the copy before an upgrade */
};

int smdb_open(const struct smdb_config *cfg, struct smdb **out, char *why, size_t whylen);
void smdb_close(struct smdb *db);
/* Schema version of the open database (PRAGMA user_version). */
int smdb_version(struct smdb *db);
/* Number of migrations in a set, or -EINVAL if their numbering is not 1..N. */
int smdb_migrations_latest(const struct sm_embedded_file *set);
int smdb_ping(struct smdb *db);
/* A row due for work (an order, an outbox message) and the card it is about ("" when none):
 * work on one card keeps its order. */
struct smdb_due {
    int64_t id;
    char eid[33];
};

/*
 * A unit of work: the smdb calls this thread makes until smdb_unit_end are one transaction
 * (BEGIN IMMEDIATE: other writers wait), their own transactions savepoints in it, so that a
 * step's writes cost one commit. No network I/O and no sm_durable() inside one. Units nest
 * (the inner joins the outer). smdb_unit_end commits when rc is 0, else rolls back; it returns
 * rc, or the commit's error.
 */
int smdb_unit_begin(struct smdb *db);
int smdb_unit_end(struct smdb *db, int rc);
bool smdb_unit_active(const struct smdb *db);

/* With synchronous "group": put every commit made so far on disk (one fdatasync of the WAL for
 * all concurrent callers). Elsewhere a no-op. Returns 0 or a negative errno. */
int smdb_sync(struct smdb *db);
/* How many of the daemon's statements read a table that grows with use (operations, journal,
 * outbox, audit trail, registry, cards) without an index, each named in out; the counts behind
 * the /metrics gauges are not looked at. 0 is the aim. */
int smdb_full_scans(struct smdb *db, char *out, size_t outlen);
/* WAL flushes smdb_sync made (group commit's figure). */
unsigned long smdb_flush_count(struct smdb *db);
/* Uses of a connection that wrote (each a transaction or more: the figure to bring down). */
unsigned long smdb_write_count(struct smdb *db);
unsigned long smdb_error_count(struct smdb *db);

/* Entities (callers) and their certificates. */
int smdb_entity_add(struct smdb *db, const struct sm_entity *e, int64_t now_ms);
/* By OID or by name. */
int smdb_entity_get(struct smdb *db, const char *id_or_name, struct sm_entity *out);
int smdb_entity_by_cert(struct smdb *db, const uint8_t fingerprint[32], struct sm_entity *out);
int smdb_entity_add_cert(struct smdb *db, const char *entity_id, const struct sm_cert_info *ci,
                         int64_t now_ms);
int smdb_entity_set_enabled(struct smdb *db, const char *id, bool enabled);
int smdb_entity_set_callback(struct smdb *db, const char *id, const char *url);
int smdb_entity_remove(struct smdb *db, const char *id);
/* Calls fn for every entity, ordered by name; stops early when fn returns non-zero. */
int smdb_entity_foreach(struct smdb *db,
                        int (*fn)(void *arg, const struct sm_entity *e, unsigned ncerts),
                        void *arg);

/* The API call journal (see sm_api_store_ops). */
int smdb_call_begin(struct smdb *db, const struct sm_api_call_record *rec,
                    struct sm_api_call_record *existing);
int smdb_call_finish(struct smdb *db, const char *requester, const char *call_id, int http_status,
                     const char *response, int64_t finished_ms);
int smdb_call_forget(struct smdb *db, const char *requester, const char *call_id);
/* Forget the calls of function ("es1.registerEIS") that never finished (a synchronous function
 * interrupted by a crash): a retry then runs them again. *n receives how many. */
int smdb_call_forget_unfinished(struct smdb *db, const char *function, unsigned *n);
int smdb_call_get(struct smdb *db, const char *requester, const char *call_id,
                  struct sm_api_call_record *out);

/* The sm_api_store_ops of this backend; store is the struct smdb. */
extern const struct sm_api_store_ops smdb_api_store_ops;

/*
 * "<daemon> -c FILE entity ..." administration: add, cert, list, show, enable, disable,
 * remove, import. Prints to out, errors to stderr. Returns a process exit code.
 */
int smdb_entity_cli(struct smdb *db, const char *self_id, int argc, char **argv, FILE *out);

#endif
