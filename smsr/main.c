/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>

#include "smdb/daemon.h"
#include "es5_engine.h"
#include "sm/smpp.h"
#include "smsr.h"

#define OFF(f) offsetof(struct smsr_cfg, f)

static const char *const bearers[] = {"sms", "https", "auto", NULL};

static const struct sm_cfg_key smsr_keys[] = {
    {"api", "listen", SM_CFG_ADDR, OFF(base.listen), "127.0.0.1:9443", 0, 0, NULL,
     "address and port of the ES1/ES3/ES4/ES7 HTTPS API (port 0: any free port)"},
    {"db", "path", SM_CFG_PATH, OFF(base.db_path), "smsr.db", 0, 0, NULL,
     "SQLite database file (created and migrated on start)"},
    {"keystore", "kek_file", SM_CFG_PATH, OFF(kek_file), "smsr.kek", 0, 0, NULL,
     "key-encryption key wrapping every stored card key (64 hex digits, mode 0600; created "
     "when missing in test mode only)"},
    {"es1", "ci_certs", SM_CFG_PATH, OFF(es1_ci_certs), "", 0, 0, NULL,
     "PEM certificates of the trusted CIs: EUM certificates must chain to one (empty: ES1 "
     "unavailable)"},
    {"es1", "transport_keys", SM_CFG_PATH, OFF(es1_transport_keys), "", 0, 0, NULL,
     "EUM transport keys of the EIS key values, one line '<eum-oid> <aes-ecb|aes-cbc> <32 hex>' "
     "each (mode 0600; bilateral with each EUM)"},
    {"es5", "enabled", SM_CFG_BOOL, OFF(es5_enabled), "yes", 0, 0, NULL,
     "run the ES5 engine (SMS to the cards, card notifications, callbacks)"},
    {"es5", "smsc", SM_CFG_ADDR, OFF(es5_smsc), "127.0.0.1:2775", 0, 0, NULL,
     "SMPP 3.4 SMSC the SM-SR binds to as a transceiver (SCP80 over SMS)"},
    {"es5", "system_id", SM_CFG_STRING, OFF(es5_system_id), "smsr", 0, 0, NULL, "SMPP system_id"},
    {"es5", "password", SM_CFG_STRING, OFF(es5_password), "", 0, 0, NULL, "SMPP password"},
    {"es5", "address", SM_CFG_STRING, OFF(es5_address), "+4479000001", 0, 0, NULL,
     "the SM-SR's SMS address: source of its command packets, destination of the cards' PoRs "
     "and notifications"},
    {"es5", "por_timeout", SM_CFG_INT, OFF(es5_por_timeout), "30", 1, 3600, NULL,
     "seconds to wait for a PoR before the packet goes again (with a new counter)"},
    {"es5", "bearer", SM_CFG_ENUM, OFF(es5_bearer), "auto", 0, 0, bearers,
     "how scripts reach the cards: sms (SCP80), https (SCP81 admin sessions, triggered by SMS) or "
     "auto (https when the card supports it and has an SCP81 key set, else sms)"},
    {"es5", "admin_listen", SM_CFG_ADDR, OFF(es5_admin_listen), "127.0.0.1:9444", 0, 0, NULL,
     "address and port of the SCP81 admin agent (TLS 1.2 PSK); the trigger names it"},
    {"es5", "admin_uri", SM_CFG_STRING, OFF(es5_admin_uri), "/gsma/adminagent", 0, 0, NULL,
     "path of the admin agent's first POST"},
    {"es5", "https_timeout", SM_CFG_INT, OFF(es5_https_timeout), "10", 1, 3600, NULL,
     "seconds for the card's admin session to come after a trigger; after three triggers the "
     "script goes by SMS"},
    {"es5", "smpp_window", SM_CFG_INT, OFF(es5_smpp_window), "32", 1, SM_SMPP_WINDOW_MAX, NULL,
     "submit_sm sent without waiting for their responses, at most (SMPP 3.4 2.8 windowing; ask "
     "the SMSC's operator for its window)"},
    {"es5", "smpp_rate", SM_CFG_INT, OFF(es5_smpp_rate), "0", 0, 100000, NULL,
     "submit_sm per second at most, as agreed with the SMSC (0: no limit); after "
     "ESME_RTHROTTLED nothing is sent for a second either way"},
    {"es5", "outbox_workers", SM_CFG_INT, OFF(es5_outbox_workers), "8", 1, SMSR_OUTBOX_MAX_WORKERS,
     NULL,
     "threads delivering results and notifications to callback URLs at once (a card's messages "
     "still leave one after the other, in order)"},
    {"es5", "validity", SM_CFG_INT, OFF(es5_validity), "86400", 10, 2592000, NULL,
     "seconds an operation may take when the call gives no validityPeriod; then Expired"},
    {"es7", "certificate", SM_CFG_PATH, OFF(es7_certificate), "", 0, 0, NULL,
     "CERT.SR.ECDSA, the SM-SR's GP certificate (the 7F21 TLV, DER) signed by the CI the cards "
     "trust; empty: this SM-SR cannot take cards over from another (SM-SR change)"},
    {"es7", "key", SM_CFG_PATH, OFF(es7_key), "", 0, 0, NULL,
     "SK.SR.ECDSA, the private key of es7.certificate (PEM)"},
    {"es7", "scenario", SM_CFG_INT, OFF(es7_scenario), "9", 0, 255, NULL,
     "GP Amd E scenario #3 parameter of the key establishment with the card (default 09, the "
     "value a real card accepted; bits 02 DR and 04 HostID are not offered) [?]"},
    {"es7", "update_address", SM_CFG_BOOL, OFF(es7_update_address), "yes", 0, 0, NULL,
     "after taking a card over, give it this SM-SR's SMS address (UpdateSMSRAddressing"
     "Parameters) so that its notifications come here"},
    {"es7", "scp81_key_set", SM_CFG_BOOL, OFF(es7_scp81_key_set), "yes", 0, 0, NULL,
     "after taking over a card that supports HTTPS, create this SM-SR's SCP81 key set (TLS-PSK, "
     "KVN 40-4F) in the finalisation script, so that the HTTPS path works (block 1 without a "
     "signature over the new SCP80 channel, es8 spec 1.6) [?]; no: the card is reached by SMS"},
};

static const struct sm_cfg_table tables[] = {
    {NULL, 0}, /* sm_daemon_cfg_table, filled in main (not a constant expression) */
    {smsr_keys, sizeof(smsr_keys) / sizeof(smsr_keys[0])},
};

int main(int argc, char **argv)
{
    struct sm_cfg_table t[2] = {sm_daemon_cfg_table, tables[1]};
    const struct smdb_daemon_desc desc = {
        .name = "smsr",
        .title = "SGP.02 SM-SR: eUICC registry, ES1/ES3/ES4/ES7 server, ES5 engine",
        .iface_label = "ES1 ES3 ES4 ES7",
        .migrations = smdb_smsr_migrations,
        .schema = SMDB_SCHEMA_SMSR,
        .tables = t,
        .ntables = 2,
        .cfg_size = sizeof(struct smsr_cfg),
        .routes = smsr_routes,
        .nroutes = smsr_nroutes,
        .start = smsr_start,
        .stop = smsr_stop,
        .metrics = smsr_metrics,
        .callback = smsr_operation_callback,
    };

    return smdb_daemon_main(&desc, argc, argv);
}
