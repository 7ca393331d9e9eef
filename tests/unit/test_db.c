/* SPDX-License-Identifier: Apache-2.0 */
/* Storage: migrations, entities and certificates, the call journal. A real SQLite file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sm_test.h"
#include "smdb/db.h"
#include "smdb/smdp_store.h"

static char dir[] = "/tmp/sm-test-db-XXXXXX";
static char path[256];

static int setup(void **state)
{
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static struct smdb *open_db_sync(const struct sm_embedded_file *set, int max_version,
                                 const char *synchronous)
{
    struct smdb_config cfg = {.path = path,
                              .migrations = set,
                              .pool_size = 2,
                              .max_version = max_version,
                              .synchronous = synchronous};
    struct smdb *db = NULL;
    char why[256];
    int rc = smdb_open(&cfg, &db, why, sizeof(why));

    if (rc)
        fail_msg("open: %s", why);
    return db;
}

static struct smdb *open_db(const struct sm_embedded_file *set, int max_version)
{
    return open_db_sync(set, max_version, NULL);
}

static void fresh_database_is_latest(void **state)
{
    struct smdb *db;

    unlink(path);
    db = open_db(smdb_smsr_migrations, 0);
    assert_int_equal(smdb_version(db), smdb_migrations_latest(smdb_smsr_migrations));
    assert_true(smdb_version(db) >= 2);
    assert_int_equal(smdb_ping(db), 0);
    smdb_close(db);
    /* reopening does not migrate again */
    db = open_db(smdb_smsr_migrations, 0);
    assert_int_equal(smdb_version(db), smdb_migrations_latest(smdb_smsr_migrations));
    smdb_close(db);
    assert_true(smdb_migrations_latest(smdb_smdp_migrations) >= 2);
}

static void migration_numbering_is_checked(void **state)
{
    static const struct sm_embedded_file gap[] = {
        {"0001_a.sql", "CREATE TABLE a (x);", 19},
        {"0003_c.sql", "CREATE TABLE c (x);", 19},
        {NULL, NULL, 0},
    };
    static const struct sm_embedded_file bad_sql[] = {
        {"0001_a.sql", "CREATE TABLE a (x);", 19},
        {"0002_b.sql", "CREATE TABLE b (x); CREATE TABLE oops", 37},
        {NULL, NULL, 0},
    };
    struct smdb_config cfg = {.path = path, .migrations = gap};
    struct smdb *db = NULL;
    char why[256];

    assert_int_equal(smdb_migrations_latest(gap), -EINVAL);
    unlink(path);
    assert_int_equal(smdb_open(&cfg, &db, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "numbered"));
    /* a failing migration rolls back entirely and leaves the earlier version */
    cfg.migrations = bad_sql;
    assert_int_equal(smdb_open(&cfg, &db, why, sizeof(why)), -EIO);
    assert_non_null(strstr(why, "0002_b.sql"));
    cfg.max_version = 1;
    assert_int_equal(smdb_open(&cfg, &db, why, sizeof(why)), 0);
    assert_int_equal(smdb_version(db), 1);
    smdb_close(db);
    unlink(path);
}

static void newer_schema_is_refused(void **state)
{
    static const struct sm_embedded_file one[] = {
        {"0001_entities.sql", "CREATE TABLE t (x);", 19},
        {NULL, NULL, 0},
    };
    struct smdb_config cfg = {.path = path, .migrations = one};
    struct smdb *db;
    char why[256];

    unlink(path);
    db = open_db(smdb_smsr_migrations, 0);
    smdb_close(db);
    assert_int_equal(smdb_open(&cfg, &db, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "newer than this program"));
    unlink(path);
}

static void entities_and_certificates(void **state)
{
    struct sm_entity e = {.id = "2.999.10.1", .name = "mno1", .role = SM_ROLE_MNO, .enabled = true},
                     got;
    struct sm_cert_info ci = {.subject = "CN=mno1", .not_after = 2000000000};
    uint8_t other[32] = {9};
    struct smdb *db;

    unlink(path);
    db = open_db(smdb_smdp_migrations, 0);
    memset(ci.fingerprint, 0xab, 32);
    assert_int_equal(smdb_entity_add(db, &e, 1000), 0);
    assert_int_equal(smdb_entity_add(db, &e, 1000), -EEXIST);
    strcpy(e.id, "not-an-oid");
    assert_int_equal(smdb_entity_add(db, &e, 1000), -EINVAL);
    strcpy(e.id, "2.999.10.1");
    assert_int_equal(smdb_entity_add_cert(db, e.id, &ci, 1000), 0);
    assert_int_equal(smdb_entity_add_cert(db, e.id, &ci, 1000), -EEXIST);
    memset(ci.fingerprint, 0xcd, 32);
    assert_int_equal(smdb_entity_add_cert(db, "2.999.99", &ci, 1000), -ENOENT); /* no entity */
    memset(ci.fingerprint, 0xab, 32);
    assert_int_equal(smdb_entity_by_cert(db, ci.fingerprint, &got), 0);
    assert_string_equal(got.name, "mno1");
    assert_int_equal(got.role, SM_ROLE_MNO);
    assert_int_equal(smdb_entity_by_cert(db, other, &got), -ENOENT);
    assert_int_equal(smdb_entity_get(db, "mno1", &got), 0);
    assert_int_equal(smdb_entity_get(db, "2.999.10.1", &got), 0);
    assert_int_equal(smdb_entity_get(db, "mno2", &got), -ENOENT);
    /* a disabled entity is not found by its certificate */
    assert_int_equal(smdb_entity_set_enabled(db, e.id, false), 0);
    assert_int_equal(smdb_entity_by_cert(db, ci.fingerprint, &got), -ENOENT);
    assert_int_equal(smdb_entity_set_enabled(db, e.id, true), 0);
    assert_int_equal(smdb_entity_set_callback(db, e.id, "https://mno1.example/cb"), 0);
    assert_int_equal(smdb_entity_get(db, "mno1", &got), 0);
    assert_string_equal(got.callback_url, "https://mno1.example/cb");
    assert_int_equal(smdb_entity_set_enabled(db, "2.999.99", true), -ENOENT);
    /* removing the entity removes its certificates */
    assert_int_equal(smdb_entity_remove(db, e.id), 0);
    assert_int_equal(smdb_entity_by_cert(db, ci.fingerprint, &got), -ENOENT);
    assert_int_equal(smdb_entity_remove(db, e.id), -ENOENT);
    assert_int_equal(smdb_error_count(db), 0);
    smdb_close(db);
}

/* Group commit: commits wait for no flush; smdb_sync flushes the WAL once for all commits made
 * before it, and not at all when nothing was committed since; with "full" it never needs to. */
/* An accepted call of the journal, its identifier to be filled in. */
static struct sm_api_call_record accepted_call(void)
{
    return (struct sm_api_call_record){.requester = "2.999.10.1",
                                       .function = "es2.downloadProfile",
                                       .state = "accepted",
                                       .received_ms = 5000,
                                       .deadline_ms = 65000};
}

static void group_commit(void **state)
{
    struct sm_api_call_record rec = accepted_call(), ex = {0};
    struct smdb *db;

    (void)state;
    unlink(path);
    db = open_db_sync(smdb_smdp_migrations, 0, "group");
    assert_int_equal(smdb_sync(db), 0);
    assert_int_equal(smdb_flush_count(db), 0);
    for (int i = 0; i < 10; i++) {
        snprintf(rec.call_id, sizeof(rec.call_id), "g-%d", i);
        assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    }
    assert_int_equal(smdb_flush_count(db), 0);
    assert_int_equal(smdb_sync(db), 0);
    assert_int_equal(smdb_flush_count(db), 1);
    assert_int_equal(smdb_sync(db), 0);
    assert_int_equal(smdb_flush_count(db), 1);
    /* a read commits nothing */
    assert_int_equal(smdb_call_get(db, rec.requester, "g-3", &ex), 0);
    free(ex.response);
    assert_int_equal(smdb_sync(db), 0);
    assert_int_equal(smdb_flush_count(db), 1);
    smdb_close(db);
    /* the rows are there after reopening */
    db = open_db(smdb_smdp_migrations, 0);
    assert_int_equal(smdb_call_get(db, rec.requester, "g-9", &ex), 0);
    free(ex.response);
    strcpy(rec.call_id, "f-1");
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    assert_int_equal(smdb_sync(db), 0);
    assert_int_equal(smdb_flush_count(db), 0);
    smdb_close(db);
}

/* A unit of work: the calls in it share one transaction and one commit; a failing part (its
 * own transaction, a savepoint in the unit) is undone alone; a unit ended with an error leaves
 * nothing; units nest. */
static void units_of_work(void **state)
{
    struct sm_api_call_record rec = accepted_call(), ex = {0};
    unsigned long w0;
    struct smdb *db;

    (void)state;
    unlink(path);
    db = open_db_sync(smdb_smdp_migrations, 0, "group");
    assert_int_equal(smdb_unit_end(db, 0), -EINVAL);
    w0 = smdb_write_count(db);
    assert_int_equal(smdb_unit_begin(db), 0);
    assert_true(smdb_unit_active(db));
    strcpy(rec.call_id, "u-1");
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    assert_int_equal(smdb_call_begin(db, &rec, &ex), -EEXIST); /* refused, the unit goes on */
    free(ex.response);
    assert_int_equal(smdb_unit_begin(db), 0); /* nested: joins */
    strcpy(rec.call_id, "u-2");
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    assert_int_equal(smdb_unit_end(db, 0), 0);
    assert_true(smdb_unit_active(db));
    assert_int_equal(smdb_call_finish(db, rec.requester, "u-1", 200, "{}", 6000), 0);
    assert_int_equal(smdb_unit_end(db, 0), 0);
    assert_false(smdb_unit_active(db));
    /* one commit for the four writes */
    assert_int_equal(smdb_write_count(db) - w0, 1);
    assert_int_equal(smdb_call_get(db, rec.requester, "u-1", &ex), 0);
    assert_string_equal(ex.state, "done");
    free(ex.response);
    assert_int_equal(smdb_call_get(db, rec.requester, "u-2", &ex), 0);
    free(ex.response);
    /* ended with an error: rolled back */
    assert_int_equal(smdb_unit_begin(db), 0);
    strcpy(rec.call_id, "u-3");
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    assert_int_equal(smdb_unit_end(db, -EIO), -EIO);
    assert_int_equal(smdb_call_get(db, rec.requester, "u-3", &ex), -ENOENT);
    /* the connection went back to the pool: plain calls work */
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    smdb_close(db);
}

/* The SM-DP's inventory: types, subscriptions, allocation of the lowest available ICCID (never
 * twice), state changes from the expected state only, release or retirement as the type says. */
static void inventory(void **state)
{
    struct smdb_profile_type t = {.mno_id = "2.999.10.1",
                                  .name = "iot-basic",
                                  .template_ref = "usim-minimal",
                                  .params = "{\"spn\":\"00\"}",
                                  .memory_required = 30000,
                                  .on_delete = "release"},
                             got;
    uint8_t wrapped[40] = {1, 2, 3};
    struct smdb_subscription sub = {.mno_id = "2.999.10.1",
                                    .profile_type = "iot-basic",
                                    .secrets = wrapped,
                                    .secrets_len = sizeof(wrapped),
                                    .batch = "b1"},
                             back;
    char iccid[21], st[16];
    struct smdb *db;

    (void)state;
    unlink(path);
    {
        struct smdb_config cfg = {.path = path,
                                  .migrations = smdb_smdp_migrations,
                                  .schema = SMDB_SCHEMA_SMDP,
                                  .pool_size = 2};
        char why[256];

        assert_int_equal(smdb_open(&cfg, &db, why, sizeof(why)), 0);
    }
    /* a subscription of a type that does not exist */
    strcpy(sub.iccid, "8999901000000000001");
    strcpy(sub.imsi, "001010000000001");
    assert_int_equal(smdb_subscription_add(db, &sub, 1000), -ENOENT);
    assert_int_equal(smdb_profile_type_put(db, &t, 1000), 0);
    assert_int_equal(smdb_profile_type_get(db, t.mno_id, "iot-basic", &got), 0);
    assert_string_equal(got.template_ref, "usim-minimal");
    assert_int_equal(got.memory_required, 30000);
    assert_null(got.pol2);
    smdb_profile_type_free(&got);
    assert_int_equal(smdb_profile_type_get(db, "2.999.10.2", "iot-basic", &got), -ENOENT);
    /* three subscriptions; a second with the same ICCID or IMSI is refused */
    for (int i = 3; i >= 1; i--) {
        snprintf(sub.iccid, sizeof(sub.iccid), "899990100000000000%d", i);
        snprintf(sub.imsi, sizeof(sub.imsi), "00101000000000%d", i);
        assert_int_equal(smdb_subscription_add(db, &sub, 1000), 0);
    }
    assert_int_equal(smdb_subscription_add(db, &sub, 1000), -EEXIST);
    strcpy(sub.iccid, "8999901000000000009");
    assert_int_equal(smdb_subscription_add(db, &sub, 1000), -EEXIST); /* the IMSI */
    /* the lowest ICCID first, never the same twice */
    assert_int_equal(smdb_subscription_allocate(db, t.mno_id, "iot-basic",
                                                "89049032000000000000000000000011", "mno1/o-1",
                                                2000, iccid),
                     0);
    assert_string_equal(iccid, "8999901000000000001");
    assert_int_equal(
        smdb_subscription_allocate(db, t.mno_id, "iot-basic", NULL, "mno1/o-2", 2000, iccid), 0);
    assert_string_equal(iccid, "8999901000000000002");
    assert_int_equal(smdb_subscription_get(db, "8999901000000000001", &back), 0);
    assert_string_equal(back.state, "allocated");
    assert_string_equal(back.eid, "89049032000000000000000000000011");
    assert_string_equal(back.order_ref, "mno1/o-1");
    assert_int_equal(back.secrets_len, sizeof(wrapped));
    assert_memory_equal(back.secrets, wrapped, sizeof(wrapped));
    smdb_subscription_free(&back);
    /* another MNO's type has nothing */
    assert_int_equal(
        smdb_subscription_allocate(db, "2.999.10.2", "iot-basic", NULL, "x", 2000, iccid), -ENOENT);
    /* states move from the expected one only */
    assert_int_equal(
        smdb_subscription_set_state(db, "8999901000000000001", "allocated", "downloading", 3000),
        0);
    assert_int_equal(
        smdb_subscription_set_state(db, "8999901000000000001", "allocated", "installed", 3000),
        -ESTALE);
    assert_int_equal(
        smdb_subscription_set_state(db, "8999901000000000001", "downloading", "bogus", 3000),
        -EINVAL);
    assert_int_equal(
        smdb_subscription_set_state(db, "8999901000000000099", NULL, "installed", 3000), -ENOENT);
    /* released: available again (type says release), with no card or order */
    assert_int_equal(smdb_subscription_release(db, "8999901000000000001", 4000, st), 0);
    assert_string_equal(st, "available");
    assert_int_equal(smdb_subscription_get(db, "8999901000000000001", &back), 0);
    assert_string_equal(back.eid, "");
    assert_string_equal(back.order_ref, "");
    smdb_subscription_free(&back);
    assert_int_equal(smdb_subscription_release(db, "8999901000000000001", 4000, st), -ENOENT);
    /* the type now retires: the next release retires */
    strcpy(t.on_delete, "retire");
    assert_int_equal(smdb_profile_type_put(db, &t, 5000), 0);
    assert_int_equal(smdb_subscription_release(db, "8999901000000000002", 5000, st), 0);
    assert_string_equal(st, "retired");
    assert_int_equal(
        smdb_subscription_allocate(db, t.mno_id, "iot-basic", NULL, "mno1/o-3", 6000, iccid), 0);
    assert_string_equal(iccid, "8999901000000000001");
    assert_int_equal(
        smdb_subscription_allocate(db, t.mno_id, "iot-basic", NULL, "mno1/o-4", 6000, iccid), 0);
    assert_string_equal(iccid, "8999901000000000003");
    assert_int_equal(
        smdb_subscription_allocate(db, t.mno_id, "iot-basic", NULL, "mno1/o-5", 6000, iccid),
        -ENOENT);
    smdb_close(db);
}

/* No statement walks a table that grows with use (operations, journal, outbox, audit trail,
 * registry) without an index: the SMS path once scanned every finished operation per PoR. */
static void statements_use_indexes(void **state)
{
    const struct {
        const struct sm_embedded_file *set;
        enum smdb_schema schema;
    } dbs[] = {{smdb_smsr_migrations, SMDB_SCHEMA_SMSR}, {smdb_smdp_migrations, SMDB_SCHEMA_SMDP}};
    char out[2048], why[256];

    (void)state;
    for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
        struct smdb_config cfg = {
            .path = path, .migrations = dbs[i].set, .schema = dbs[i].schema, .pool_size = 1};
        struct smdb *db = NULL;
        int n;

        unlink(path);
        if (smdb_open(&cfg, &db, why, sizeof(why)))
            fail_msg("open: %s", why);
        n = smdb_full_scans(db, out, sizeof(out));
        if (n)
            fail_msg("%d full scan(s):\n%s", n, out);
        smdb_close(db);
    }
}

static void call_journal(void **state)
{
    struct sm_api_call_record rec = {.requester = "2.999.10.1",
                                     .call_id = "c-1",
                                     .function = "es2.downloadProfile",
                                     .state = "accepted",
                                     .received_ms = 5000,
                                     .deadline_ms = 65000},
                              ex = {0};
    struct smdb *db;

    memset(rec.request_hash, 7, 32);
    unlink(path);
    db = open_db(smdb_smdp_migrations, 0);
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    assert_int_equal(smdb_call_begin(db, &rec, &ex), -EEXIST);
    assert_string_equal(ex.function, "es2.downloadProfile");
    assert_string_equal(ex.state, "accepted");
    assert_memory_equal(ex.request_hash, rec.request_hash, 32);
    assert_int_equal(ex.deadline_ms, 65000);
    assert_null(ex.response);
    assert_int_equal(smdb_call_finish(db, rec.requester, rec.call_id, 200, "{\"a\":1}", 6000), 0);
    assert_int_equal(smdb_call_get(db, rec.requester, rec.call_id, &ex), 0);
    assert_string_equal(ex.state, "done");
    assert_int_equal(ex.http_status, 200);
    assert_string_equal(ex.response, "{\"a\":1}");
    free(ex.response);
    /* the same identifier from another requester is another call */
    strcpy(rec.requester, "2.999.10.2");
    assert_int_equal(smdb_call_get(db, rec.requester, rec.call_id, &ex), -ENOENT);
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    assert_int_equal(smdb_call_forget(db, rec.requester, rec.call_id), 0);
    assert_int_equal(smdb_call_get(db, rec.requester, rec.call_id, &ex), -ENOENT);
    assert_int_equal(smdb_call_finish(db, rec.requester, rec.call_id, 200, "{}", 1), -ENOENT);
    smdb_close(db);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(fresh_database_is_latest),
    cmocka_unit_test(migration_numbering_is_checked),
    cmocka_unit_test(newer_schema_is_refused),
    cmocka_unit_test(entities_and_certificates),
    cmocka_unit_test(call_journal),
    cmocka_unit_test(group_commit),
    cmocka_unit_test(units_of_work),
    cmocka_unit_test(inventory),
    cmocka_unit_test(statements_use_indexes),
};

SM_TEST_MAIN(tests, setup, teardown)
