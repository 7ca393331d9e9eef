/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Upgrading a database made by an earlier migration set: the frozen dump of a schema-version-1
 * SM-SR database (tests/fixtures/smsr-v1.sql) is restored with the sqlite3 shell, then opened by
 * the current code, which must migrate it, keep its data and leave a backup of the old file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sm_test.h"
#include "smdb/db.h"

static char dir[] = "/tmp/sm-test-upgrade-XXXXXX";
static char path[256];

static int setup(void **state)
{
    char cmd[1024];

    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/smsr.db", dir);
    snprintf(cmd, sizeof(cmd), "sqlite3 %s < %s/tests/fixtures/smsr-v1.sql", path, SM_SOURCE_DIR);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static void upgrade_keeps_data(void **state)
{
    struct smdb_config cfg = {.path = path, .migrations = smdb_smsr_migrations, .pool_size = 2};
    struct sm_api_call_record rec = {.requester = "2.999.10.1",
                                     .call_id = "after-upgrade",
                                     .function = "es4.getEIS",
                                     .state = "accepted"},
                              ex;
    struct sm_entity e;
    uint8_t fp[32];
    struct smdb *db = NULL;
    char why[256], backup[300];

    assert_int_equal(smdb_open(&cfg, &db, why, sizeof(why)), 0);
    assert_int_equal(smdb_version(db), smdb_migrations_latest(smdb_smsr_migrations));
    /* the old rows are there and usable through the current statements */
    memset(fp, 0xab, sizeof(fp));
    assert_int_equal(smdb_entity_by_cert(db, fp, &e), 0);
    assert_string_equal(e.id, "2.999.10.1");
    assert_string_equal(e.name, "mno1");
    assert_string_equal(e.callback_url, "https://mno1.example/cb");
    /* tables added after version 1 work */
    assert_int_equal(smdb_call_begin(db, &rec, &ex), 0);
    assert_int_equal(smdb_error_count(db), 0);
    smdb_close(db);
    /* the pre-upgrade copy was written and is still at version 1 */
    snprintf(backup, sizeof(backup), "%s.pre-v%d", path,
             smdb_migrations_latest(smdb_smsr_migrations));
    assert_int_equal(access(backup, R_OK), 0);
    cfg.path = backup;
    cfg.max_version = 1;
    cfg.no_backup = true;
    assert_int_equal(smdb_open(&cfg, &db, why, sizeof(why)), 0);
    assert_int_equal(smdb_version(db), 1);
    smdb_close(db);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(upgrade_keeps_data),
};

SM_TEST_MAIN(tests, setup, teardown)
