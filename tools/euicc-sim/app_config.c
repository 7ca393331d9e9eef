/* SPDX-License-Identifier: Apache-2.0 */
/* euicc-sim configuration keys (docs/configuration.md, docs/euicc-sim.md). */
#include <stddef.h>
#include <string.h>

#include "sim_app.h"
#include "sm/ids.h"
#include "sm/log.h"

#define OFF(f) offsetof(struct sim_config, f)

static const char *const log_formats[] = {"text", "json", NULL};
static const char *const aid_tags[] = {"4f", "2f", NULL};

static const struct sm_cfg_key keys[] = {
    {"log", "level", SM_CFG_STRING, OFF(log_level), "info", 0, 0, NULL,
     "log levels: one for all (error, warn, notice, info, debug) or per category, e.g. "
     "info,ota=debug"},
    {"log", "format", SM_CFG_ENUM, OFF(log_format), "text", 0, 0, log_formats,
     "log line format: text or json"},
    {"log", "file", SM_CFG_PATH, OFF(log_file), "", 0, 0, NULL, "log file (empty: standard error)"},
    {"", "db", SM_CFG_PATH, OFF(db_path), "euicc-sim.db", 0, 0, NULL,
     "SQLite database of the cards (created on first use)"},
    {"", "kek_file", SM_CFG_PATH, OFF(kek_file), "euicc-sim.kek", 0, 0, NULL,
     "key-encryption key wrapping every card's state (64 hex digits, mode 0600; created by "
     "'create' when missing)"},
    {"", "control_socket", SM_CFG_PATH, OFF(control_socket), "euicc-sim.sock", 0, 0, NULL,
     "UNIX socket of the running simulator (euicc-sim aka, fallback, show use it)"},
    {"factory", "ci_cert", SM_CFG_PATH, OFF(ci_cert), "pki/ca.crt", 0, 0, NULL,
     "certificate of the CI: its public key goes into every ECASD (PK.CI.ECDSA)"},
    {"factory", "eum_key", SM_CFG_PATH, OFF(eum_key), "pki/eum1.key", 0, 0, NULL,
     "the EUM's private key, signing CERT.ECASD.ECKA"},
    {"factory", "eum_cert", SM_CFG_PATH, OFF(eum_cert), "pki/eum1.crt", 0, 0, NULL,
     "the EUM's X.509 certificate (x5c of the EIS signature)"},
    {"factory", "transport_key", SM_CFG_PATH, OFF(transport_key), "eum-smsr-transport.key", 0, 0,
     NULL,
     "EUM-SM-SR transport key (32 hex digits, AES-128) enciphering the key values of the EIS; "
     "created by 'create' when missing"},
    {"factory", "transport_cipher", SM_CFG_ENUM, OFF(transport_cipher), "aes-ecb", 0, 0,
     (const char *const[]){"aes-ecb", "aes-cbc", NULL},
     "how key values are enciphered in the EIS (bilateral, unconfirmed in SGP.02: aes-ecb "
     "or aes-cbc with a zero IV)"},
    {"factory", "eum_id", SM_CFG_STRING, OFF(eum_id), "2.999.20.1", 0, 0, NULL,
     "the EUM's OID (EIS eumId, CA identifier of the ECASD certificates)"},
    {"factory", "smsr_id", SM_CFG_STRING, OFF(smsr_id), "2.999.2.1", 0, 0, NULL,
     "OID of the SM-SR the cards are registered with (EIS smsrId)"},
    {"factory", "mno_id", SM_CFG_STRING, OFF(mno_id), "2.999.10.1", 0, 0, NULL,
     "OID of the operator owning the provisioning profile (EIS profileInfo mnoId)"},
    {"factory", "template", SM_CFG_STRING, OFF(template), "usim-minimal", 0, 0, NULL,
     "profile template of the provisioning profile (smctl profile templates)"},
    {"factory", "adm1", SM_CFG_STRING, OFF(adm1), "12345678", 0, 0, NULL,
     "ADM1 code of the provisioning profile"},
    {"factory", "eid_prefix", SM_CFG_STRING, OFF(eid_prefix), "8904903200000000000000", 0, 0, NULL,
     "first digits of the EIDs (a serial fills up to 30 digits, then 2 check digits)"},
    {"factory", "operational_template", SM_CFG_STRING, OFF(oper_template), "", 0, 0, NULL,
     "template of an operational profile each card also ships with, disabled, in ISD-P "
     "...8900001100 (empty: none)"},
    {"factory", "operational_iccid_prefix", SM_CFG_STRING, OFF(oper_iccid_prefix), "89999020", 0, 0,
     NULL, "ICCID prefix of the operational profiles (the card's serial follows)"},
    {"factory", "operational_imsi_prefix", SM_CFG_STRING, OFF(oper_imsi_prefix), "00102", 0, 0,
     NULL, "IMSI prefix of the operational profiles"},
    {"factory", "operational_mno_id", SM_CFG_STRING, OFF(oper_mno_id), "2.999.10.1", 0, 0, NULL,
     "the Operator owning the operational profiles (mnoId in the EIS)"},
    {"factory", "iccid_prefix", SM_CFG_STRING, OFF(iccid_prefix), "89999010", 0, 0, NULL,
     "first digits of the provisioning ICCIDs (serial up to 18 digits, then the Luhn digit)"},
    {"factory", "imsi_prefix", SM_CFG_STRING, OFF(imsi_prefix), "00101", 0, 0, NULL,
     "MCC and MNC of the provisioning IMSIs (serial up to 15 digits)"},
    {"factory", "msisdn_prefix", SM_CFG_STRING, OFF(msisdn_prefix), "+4479100", 0, 0, NULL,
     "first digits of the cards' MSISDNs (serial up to 13 digits)"},
    {"factory", "imei_prefix", SM_CFG_STRING, OFF(imei_prefix), "35693803", 0, 0, NULL,
     "TAC of the devices' IMEIs (serial up to 14 digits, then the Luhn digit)"},
    {"factory", "memory", SM_CFG_SIZE, OFF(memory), "512k", 0, 0, NULL,
     "non-volatile memory of each card for profiles"},
    {"factory", "eis_dir", SM_CFG_PATH, OFF(eis_dir), "eis", 0, 0, NULL,
     "directory receiving <EID>.json, the EIS of each new card (ES1 RegisterEIS)"},
    {"factory", "hss_file", SM_CFG_PATH, OFF(hss_file), "provisioning-hss.csv", 0, 0, NULL,
     "CSV iccid,imsi,k,opc,amf,sqn of the provisioning profiles (appended, mode 0600)"},
    {"smpp", "enabled", SM_CFG_BOOL, OFF(smpp_enabled), "yes", 0, 0, NULL,
     "connect to the SMSC (no: cards reachable over the control socket only)"},
    {"smpp", "smsc", SM_CFG_ADDR, OFF(smsc), "127.0.0.1:2775", 0, 0, NULL,
     "SMPP address of the SMSC"},
    {"smpp", "system_id", SM_CFG_STRING, OFF(system_id), "euicc-sim", 0, 0, NULL,
     "SMPP system_id of the simulator (bind_transceiver)"},
    {"smpp", "password", SM_CFG_STRING, OFF(password), "", 0, 0, NULL, "SMPP password"},
    {"smpp", "address_range", SM_CFG_STRING, OFF(address_range), "", 0, 0, NULL,
     "SMPP address_range bound with (empty: the MSISDN prefix)"},
    {"smsr", "msisdn", SM_CFG_STRING, OFF(smsr_msisdn), "+4479000001", 0, 0, NULL,
     "SMS address of the SM-SR for notifications (until the SM-SR sets its own)"},
    {"smsr", "admin_url", SM_CFG_STRING, OFF(admin_url), "https://127.0.0.1:9444/gsma/adminagent",
     0, 0, NULL, "SCP81 admin agent URL used when a trigger names no host"},
    {"smsr", "psk_identity", SM_CFG_ENUM, OFF(psk_identity), "sgp02", 0, 0,
     (const char *const[]){"sgp02", "eid", NULL},
     "PSK-TLS identity: sgp02 (TLV of EID, ISD-R AID, KID, KVN, as hex) or eid"},
    {"smsr", "admin_timeout", SM_CFG_INT, OFF(admin_timeout), "30", 1, 600, NULL,
     "seconds an admin session HTTP exchange may take"},
    {"card", "pol1_disable_not_allowed", SM_CFG_INT, OFF(pol1_disable), "1", 0, 255, NULL,
     "POL1 bit meaning 'disable not allowed' (the coding is not public)"},
    {"card", "pol1_delete_not_allowed", SM_CFG_INT, OFF(pol1_delete), "2", 0, 255, NULL,
     "POL1 bit meaning 'delete not allowed'"},
    {"card", "pol1_delete_when_disabled", SM_CFG_INT, OFF(pol1_delete_when_disabled), "4", 0, 255,
     NULL, "POL1 bit meaning 'delete when disabled'"},
    {"card", "notification_aid_tag", SM_CFG_ENUM, OFF(notification_aid_tag), "4f", 0, 0, aid_tags,
     "tag of the ISD-P AID in notifications: 4f or 2f"},
    {"card", "disable_notification", SM_CFG_INT, OFF(disable_notification), "5", 2, 5, NULL,
     "notification type after a disable (fall-back): 5 or 2"},
    {"card", "notification_retries", SM_CFG_INT, OFF(notification_retries), "5", 1, 100, NULL,
     "sends of a notification before a change is rolled back"},
    {"card", "notification_interval", SM_CFG_INT, OFF(notification_interval), "30", 1, 86400, NULL,
     "seconds between sends of an unconfirmed notification"},
    {"card", "notification_tick", SM_CFG_INT, OFF(notification_tick), "1000", 10, 60000, NULL,
     "milliseconds between looks for notifications due (a card sends one after a profile "
     "change within this time; lower it for load tests)"},
    {"card", "attach_notification", SM_CFG_BOOL, OFF(attach_notification), "no", 0, 0, NULL,
     "queue the first-network-attachment notification (type 01) on every new card"},
    {"card", "cache_idle", SM_CFG_INT, OFF(cache_idle), "600", 1, 86400, NULL,
     "seconds an idle card stays in memory (sessions in progress live there)"},
    {"card", "test_res_len", SM_CFG_INT, OFF(test_res_len), "0", 0, 16, NULL,
     "RES bytes of the TS 34.108 test algorithm (0: from algorithmOptions)"},
};

const struct sm_cfg_table sim_cfg_tables[] = {{keys, sizeof(keys) / sizeof(keys[0])}};
const size_t sim_cfg_ntables = 1;

static bool digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);

    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int sim_config_check(const char *path, const struct sim_config *c, struct sm_cfg_error *err)
{
    if (sm_log_levels_valid(c->log_level))
        return sm_cfg_fail(err, path, "log", "level", "not a level specification");
    const char *m = c->msisdn_prefix[0] == '+' ? c->msisdn_prefix + 1 : c->msisdn_prefix;

    if (!digits(c->eid_prefix, 8, 26))
        return sm_cfg_fail(err, path, "factory", "eid_prefix", "8 to 26 digits");
    if (!digits(c->iccid_prefix, 2, 14) || strncmp(c->iccid_prefix, "89", 2))
        return sm_cfg_fail(err, path, "factory", "iccid_prefix", "2 to 14 digits starting 89");
    if (!digits(c->imsi_prefix, 5, 11))
        return sm_cfg_fail(err, path, "factory", "imsi_prefix", "5 to 11 digits");
    if (!digits(c->oper_iccid_prefix, 2, 14) || strncmp(c->oper_iccid_prefix, "89", 2) ||
        !strcmp(c->oper_iccid_prefix, c->iccid_prefix))
        return sm_cfg_fail(err, path, "factory", "operational_iccid_prefix",
                           "2 to 14 digits starting 89, not the provisioning prefix");
    if (!digits(c->oper_imsi_prefix, 5, 11))
        return sm_cfg_fail(err, path, "factory", "operational_imsi_prefix", "5 to 11 digits");
    if (!digits(m, 3, 11))
        return sm_cfg_fail(err, path, "factory", "msisdn_prefix", "3 to 11 digits, + allowed");
    if (!digits(c->imei_prefix, 8, 8))
        return sm_cfg_fail(err, path, "factory", "imei_prefix", "8 digits (a TAC)");
    if (sm_msisdn_check(c->smsr_msisdn))
        return sm_cfg_fail(err, path, "smsr", "msisdn", "not an MSISDN");
    if (c->memory < 16 * 1024 || c->memory > 64 * 1024 * 1024)
        return sm_cfg_fail(err, path, "factory", "memory", "between 16k and 64M");
    return 0;
}

void sim_config_policy(const struct sim_config *c, struct sim_policy *pol)
{
    sim_policy_default(pol);
    pol->pol1_disable_not_allowed = (uint8_t)c->pol1_disable;
    pol->pol1_delete_not_allowed = (uint8_t)c->pol1_delete;
    pol->pol1_delete_when_disabled = (uint8_t)c->pol1_delete_when_disabled;
    pol->notif_aid_tag = !strcmp(c->notification_aid_tag, "2f") ? 0x2F : 0x4F;
    pol->disable_notif = (uint8_t)c->disable_notification;
}
