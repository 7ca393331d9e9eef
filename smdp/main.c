/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>

#include "smdb/daemon.h"
#include "smdp.h"

#define OFF(f) offsetof(struct smdp_cfg, f)

static const struct sm_cfg_key smdp_keys[] = {
    {"api", "listen", SM_CFG_ADDR, OFF(base.listen), "127.0.0.1:8443", 0, 0, NULL,
     "address and port of the ES2 (and ES3 notification) HTTPS API (port 0: any free port)"},
    {"db", "path", SM_CFG_PATH, OFF(base.db_path), "smdp.db", 0, 0, NULL,
     "SQLite database file (created and migrated on start)"},
    {"keystore", "kek_file", SM_CFG_PATH, OFF(kek_file), "smdp.kek", 0, 0, NULL,
     "key-encryption key (64 hex digits, mode 0600) wrapping the subscriptions' secrets; "
     "created in test mode when missing"},
};

static const struct sm_cfg_table tables[] = {
    {NULL, 0}, /* sm_daemon_cfg_table, filled in main (not a constant expression) */
    {smdp_keys, sizeof(smdp_keys) / sizeof(smdp_keys[0])},
};

int main(int argc, char **argv)
{
    struct sm_cfg_table t[2] = {sm_daemon_cfg_table, tables[1]};
    const struct smdb_daemon_desc desc = {
        .name = "smdp",
        .title = "SGP.02 SM-DP: profile orders (ES2), profile packages, ES8 download",
        .iface_label = "ES2",
        .migrations = smdb_smdp_migrations,
        .schema = SMDB_SCHEMA_SMDP,
        .tables = t,
        .ntables = 2,
        .cfg_size = sizeof(struct smdp_cfg),
        .routes = smdp_routes,
        .nroutes = smdp_nroutes,
        .command = smdp_inventory_command,
        .start = smdp_start,
        .stop = smdp_stop,
    };

    return smdb_daemon_main(&desc, argc, argv);
}
