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
    {"es8", "ci_certs", SM_CFG_PATH, OFF(es8_ci_certs), "", 0, 0, NULL,
     "PEM certificates of the CIs the cards' EUMs chain to: CERT.ECASD.ECKA is verified up to "
     "one before a download (empty: downloads refused)"},
    {"es8", "certificate", SM_CFG_PATH, OFF(es8_certificate), "", 0, 0, NULL,
     "CERT.DP.ECDSA, the SM-DP's GP certificate (the 7F21 TLV, DER) signed by the CI the cards "
     "trust (empty: downloads refused)"},
    {"es8", "key", SM_CFG_PATH, OFF(es8_key), "", 0, 0, NULL,
     "SK.DP.ECDSA, the private key of es8.certificate (PEM)"},
    {"es8", "send_data_max", SM_CFG_INT, OFF(es8_send_data_max), "4096", 1100, 16000, NULL,
     "bytes of SCP03t commands (85 and 86 segments of 1000 bytes) per ES3.SendData: fewer, "
     "larger calls, as long as the SM-SR's bearer carries them (SMS: 64 concatenated parts)"},
    {"es8", "token_key", SM_CFG_BOOL, OFF(es8_token_key), "no", 0, 0, NULL,
     "after the package, load a master-delete token key (KVN 70) into the new ISD-P with its "
     "SCP03 keys (two more scripts) and keep it wrapped, so that smdp master-delete-token can "
     "authorise a master delete (SGP.02 v4 7.6)"},
    {"orders", "workers", SM_CFG_INT, OFF(orders_workers), "8", 1, 64, NULL,
     "threads advancing orders at once (each order of a card still waits for the one before)"},
    {"orders", "validity", SM_CFG_INT, OFF(orders_validity), "86400", 10, 2592000, NULL,
     "seconds an order may take when the call gives no validityPeriod; then Expired"},
    {"orders", "cleanup_validity", SM_CFG_INT, OFF(orders_cleanup_validity), "3600", 10, 2592000,
     NULL,
     "seconds the clean-up of a failed download (ES3.DeleteISDP) may take at least, even when "
     "the order's own validity period is over"},
    {"orders", "poll", SM_CFG_INT, OFF(orders_poll), "30", 1, 3600, NULL,
     "seconds to wait for an SM-SR's result at our callback URL before asking for it (GET)"},
    {"orders", "outbox_workers", SM_CFG_INT, OFF(outbox_workers), "8", 1, 64, NULL,
     "threads delivering results and notifications to the MNOs at once"},
    {"es2", "progress", SM_CFG_BOOL, OFF(es2_progress), "yes", 0, 0, NULL,
     "tell the MNO how a download advances (es2/handleDownloadProgressNotification at "
     "isdp-created, keys-established, installed; a project extension, SGP.02 has none)"},
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
        .callback = smdp_operation_callback,
        .start = smdp_start,
        .stop = smdp_stop,
    };

    return smdb_daemon_main(&desc, argc, argv);
}
