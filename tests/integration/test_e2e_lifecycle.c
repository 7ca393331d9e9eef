/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A card's life end to end, every process real: smsc-sim (losing one SMS in ten when scripts go
 * over HTTPS), euicc-sim,
 * two SM-SRs, the SM-DP, and this test as two MNOs and the EUM, with an HTTPS receiver for both
 * MNOs' notifications. Scripts go over HTTPS or SMS as SM_ES5_BEARER says (CTest runs both).
 *
 *   register (ES1) -> MNO1 downloads and enables (ES2) -> MNO2 downloads -> MNO2's profile
 *   enabled (ES2): operator switched -> the fall-back attribute to MNO1's (ES4) -> the card
 *   loses connectivity: fall-back -> MNO2 updates POL2 (ES2) -> MNO1's profile deleted (ES2)
 *   -> audit (ES4) -> SM-SR change (ES4, ES7) -> a download through the new SM-SR (ES2) ->
 *   master delete of MNO2's profile despite its POL2 (a token from the SM-DP, ES4)
 *
 * Every step checks the EIS, the card itself (its state, the number it answers to) and the
 * notifications the MNOs received. The journey's steps share the card and run in order; the
 * negative journeys come after: each role trying what it may not, an MNO touching another's
 * profile, the card refusing.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sm_test.h"
#include "itest.h"
#include "sm/devpki.h"
#include "sm/json.h"

#define SMDP   "2.999.1.1"
#define SMSR1  "2.999.2.1"
#define SMSR2  "2.999.2.2"
#define MNO1   "2.999.10.1"
#define MNO2   "2.999.10.2"
#define EUM1   "2.999.20.1"
#define ADDR1  "4479000001"
#define ADDR2  "4479000002"
#define NCARDS 2

#define expect itest_expect_status

static char dir[] = "/tmp/sm-e2e-XXXXXX";
static struct itest_proc smsc, sim, sr1, sr2, smdp;
static int smsc_port, port1, port2, dp_port;
static char eids[NCARDS][33];
static char prov[NCARDS][21]; /* the factory's provisioning profile (fall-back) */
static char iccid1[21], iccid2[21];
static unsigned calls;

static struct MHD_Daemon *receiver; /* both MNOs' systems (itest_rx_*) */

static void wait_received(const char *suffix, const char *needle, int n)
{
    itest_rx_wait(suffix, needle, n, 60);
}

static char *path_in(const char *a)
{
    return itest_path(dir, a, NULL);
}

static int run(const char *cmd)
{
    char out[8192];

    return itest_sh(cmd, out, sizeof(out));
}

static int start(struct itest_proc *p, const char *name, const char *bin, int *port)
{
    char pf[64];

    snprintf(pf, sizeof(pf), "%s.port", name);
    unlink(path_in(pf));
    return itest_start_daemon(dir, p, name, bin, port);
}

static int start_all(void)
{
    char cmd[4096], text[2048];
    int rx;

    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki"), false, NULL))
        return -1;
    /* over HTTPS the network loses one SMS in ten (the same ones every run): triggers,
     * notifications and confirmations that do not come are sent again. Over SMS it loses none:
     * a lost PoR makes the SM-SR send a script again that the card has run, which a STORE DATA
     * or SCP03t sequence does not survive (docs/e2e.md) */
    snprintf(text, sizeof(text),
             "[smpp]\nlisten = 127.0.0.1:0\nport_file = smsc.port\n[network]\nloss = %s\nseed = "
             "7\n[account.sr1]\npassword = pw\nroutes = " ADDR1 "\n[account.sr2]\npassword = "
             "pw\nroutes = " ADDR2 "\n[account.euicc-sim]\npassword = simpw\nroutes = 4479100\n",
             strcmp(itest_bearer(), "sms") ? "0.1" : "0");
    if (itest_write_file(path_in("smsc.conf"), text) ||
        itest_spawn_conf(dir, &smsc, "smsc-sim", "smsc-sim", "smsc.conf", NULL))
        return -1;
    smsc_port = itest_wait_port_file(path_in("smsc.port"), 10000);
    if (smsc_port <= 0 || itest_make_cards(dir, smsc_port, "+" ADDR1, NULL, NCARDS, eids) ||
        itest_transport_keys(dir, EUM1, "transport-keys") ||
        itest_write_file(path_in("none"), "") || chmod(path_in("none"), 0600))
        return -1;
    for (int i = 0; i < NCARDS; i++) {
        json_t *e = itest_card_eis(dir, eids[i]);

        snprintf(prov[i], sizeof(prov[i]), "%s",
                 sm_json_str(json_array_get(json_object_get(e, "profileInfo"), 0), "iccid"));
        json_decref(e);
    }
    if (itest_smsr_conf(dir, "sr1", SMSR1, "smsr", ADDR1, smsc_port, "transport-keys") ||
        itest_smsr_conf(dir, "sr2", SMSR2, "smsr2", ADDR2, smsc_port, "none"))
        return -1;
    snprintf(text, sizeof(text),
             "test_mode = yes\nid = " SMDP "\n[log]\nlevel = info\n[api]\nlisten = 127.0.0.1:0\n"
             "port_file = smdp.port\n[tls]\ncert = pki/smdp.crt\nkey = pki/smdp.key\nclient_ca "
             "= pki/ca.crt\n[db]\npath = smdp.db\n[client]\nca = pki/ca.crt\ntimeout = 10000\n"
             "[es8]\nci_certs = pki/ca.crt\ncertificate = pki/smdp.gpcert\nkey = pki/smdp.key\n"
             "token_key = yes\n[orders]\npoll = 5\n");
    if (itest_write_file(path_in("smdp.conf"), text))
        return -1;
    /* each MNO's profile type and subscriptions, with numbers the simulator routes; MNO1's
     * second type cannot be disabled once enabled (POL1 01, the card enforces it) */
    snprintf(cmd, sizeof(cmd),
             "cd %s && for c in sr1 sr2; do %s/smsr -c $c.conf entity import pki/pki.json || "
             "exit 1; done && D='%s/smdp -c smdp.conf' && $D entity import pki/pki.json && "
             "$D profile-type set " MNO1 " m1 --template usim-minimal --memory 20000 && "
             "$D profile-type set " MNO1 " m1-locked --template usim-minimal --memory 20000 "
             "--param pol1=01 && $D profile-type set " MNO2
             " m2 --template usim-minimal --memory 20000 && "
             "$D subscriptions generate " MNO1 " m1 --iccid 89999081000000000009 --imsi "
             "001081000000001 --msisdn +447910081001 --count 4 && "
             "$D subscriptions generate " MNO1 " m1-locked --iccid 89999083000000000007 --imsi "
             "001083000000001 --msisdn +447910083001 --count 2 && "
             "$D subscriptions generate " MNO2 " m2 --iccid 89999082000000000008 --imsi "
             "001082000000001 --msisdn +447910082001 --count 4",
             dir, SM_BIN_DIR, SM_BIN_DIR);
    if (run(cmd) || start(&sr1, "sr1", "smsr", &port1) || start(&sr2, "sr2", "smsr", &port2) ||
        start(&smdp, "smdp", "smdp", &dp_port))
        return -1;
    rx = itest_rx_start(dir, &receiver);
    if (rx <= 0)
        return -1;
    /* who reaches whom: the SM-DP both SM-SRs (ES3), the SM-SRs the SM-DP (results) and each
     * other (ES7), everyone the MNOs (notifications, results) */
    snprintf(cmd, sizeof(cmd),
             "cd %s && S='%s/smsr' D='%s/smdp' && "
             "$D -c smdp.conf entity callback smsr https://localhost:%d/gsma && "
             "$D -c smdp.conf entity callback smsr2 https://localhost:%d/gsma && "
             "$D -c smdp.conf entity callback mno1 https://localhost:%d/mno1 && "
             "$D -c smdp.conf entity callback mno2 https://localhost:%d/mno2 && "
             "for c in sr1 sr2; do $S -c $c.conf entity callback smdp https://localhost:%d/gsma "
             "&& $S -c $c.conf entity callback mno1 https://localhost:%d/mno1 && $S -c $c.conf "
             "entity callback mno2 https://localhost:%d/mno2 || exit 1; done && "
             "$S -c sr1.conf entity callback smsr2 https://localhost:%d/gsma && "
             "$S -c sr2.conf entity callback smsr https://localhost:%d/gsma",
             dir, SM_BIN_DIR, SM_BIN_DIR, port1, port2, rx, rx, dp_port, rx, rx, port2, port1);
    if (run(cmd) || itest_register_cards(dir, port1, eids, NCARDS))
        return -1;
    {
        char rec[512];

        snprintf(rec, sizeof(rec), "%s/tests/responses-e2e-%s", SM_BINARY_DIR, itest_bearer());
        itest_record_dir(rec);
    }
    return itest_spawn_conf(dir, &sim, "euicc-sim", "euicc-sim", "sim.conf", "run");
}

static int teardown(void **state)
{
    struct itest_proc *const procs[] = {&smdp, &sr1, &sr2, &sim, &smsc};
    (void)state;
    itest_rx_free();
    return itest_teardown(dir, procs, 5, receiver);
}

/* (cmocka runs the group teardown after a failed set-up too: it stops what was started) */
static int setup(void **state)
{
    (void)state;
    return start_all();
}

/* ---- calls ---- */

static int port_of(const char *iface, const char *smsr)
{
    if (!strcmp(iface, "es2"))
        return dp_port;
    return smsr && !strcmp(smsr, SMSR2) ? port2 : port1;
}

/* Call iface/fn as mno (1 or 2) and, when it is accepted, wait for its result (the answer
 * either way). smsr: which SM-SR for ES4 (and smsrId of ES2). */
static json_t *call(int mno, const char *smsr, const char *iface, const char *fn, json_t *m)
{
    const char *who = mno == 1 ? "mno1" : "mno2", *id = mno == 1 ? MNO1 : MNO2;
    char cid[64], path[96], schema[128];
    int port = port_of(iface, smsr);
    json_t *j;

    if (!strcmp(iface, "es2") && !json_object_get(m, "smsrId"))
        json_object_set_new(m, "smsrId", json_string(smsr ? smsr : SMSR1));
    snprintf(cid, sizeof(cid), "e2e-%u", ++calls);
    snprintf(path, sizeof(path), "%s/%s", iface, fn);
    snprintf(schema, sizeof(schema), "%s.%s.response.schema.json", iface, fn);
    j = itest_call_fn(dir, port, who, id, path, m, cid, 0, 0, NULL);
    json_decref(m);
    if (json_object_get(j, "state")) {
        json_decref(j);
        j = itest_outcome(dir, port, who, cid, 180, schema);
    }
    return j;
}

static json_t *eid_msg(const char *eid)
{
    return json_pack("{s:s}", "eid", eid);
}

/* The EIS of eid at SM-SR smsr as mno sees it (ES4.GetEIS). */
static json_t *eis_of(int mno, const char *smsr, const char *eid)
{
    json_t *j = call(mno, smsr, "es4", "getEIS", eid_msg(eid)), *e;

    e = json_incref(json_object_get(j, "eis"));
    json_decref(j);
    return e;
}

/* A profile's state in the EIS ("absent" when not there), and its fall-back attribute. */
static const char *state_of(int mno, const char *smsr, const char *eid, const char *iccid,
                            bool *fallback)
{
    static char st[32];
    json_t *e = eis_of(mno, smsr, eid), *p;
    size_t i;

    snprintf(st, sizeof(st), "absent");
    json_array_foreach(json_object_get(e, "profileInfo"), i, p)
        if (!strcmp(sm_json_str(p, "iccid"), iccid)) {
            snprintf(st, sizeof(st), "%s", sm_json_str(p, "state"));
            if (fallback)
                *fallback = json_is_true(json_object_get(p, "fallbackAttribute"));
        }
    json_decref(e);
    return st;
}

/* The number the card answers to (euicc-sim show). */
static void card_number_is(const char *eid, const char *number)
{
    char cmd[600], out[4096], want[64];

    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf show %s", dir, SM_BIN_DIR, eid);
    assert_int_equal(itest_sh(cmd, out, sizeof(out)), 0);
    snprintf(want, sizeof(want), "msisdn %s\n", number);
    if (!strstr(out, want))
        fail_msg("card %s: expected %s in:\n%s", eid, want, out);
}

/* The profile's state on the card itself (euicc-sim show: "isd-p AID STATE [fall-back] iccid
 * ICCID ..."), "absent" when the card has no ISD-P with it; *fallback its attribute. */
static const char *on_card(const char *eid, const char *iccid, bool *fallback)
{
    static char st[32];
    char cmd[600], out[4096], *line, *save = NULL;

    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf show %s", dir, SM_BIN_DIR, eid);
    assert_int_equal(itest_sh(cmd, out, sizeof(out)), 0);
    snprintf(st, sizeof(st), "absent");
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char aid[40], state[32], third[32], id[32];
        int n = sscanf(line, "isd-p %39s %31s %31s %31s", aid, state, third, id);

        if (n >= 3 && strstr(line, iccid)) {
            snprintf(st, sizeof(st), "%s", state);
            if (fallback)
                *fallback = !strcmp(third, "fall-back");
        }
    }
    return st;
}

static json_t *profile_msg(const char *eid, const char *iccid)
{
    return json_pack("{s:s, s:s}", "eid", eid, "iccid", iccid);
}

/* A download through the SM-DP (ES2) as mno via SM-SR smsr; the ICCID the SM-DP chose. */
static void download(int mno, const char *smsr, const char *eid, const char *type, bool enable,
                     char iccid[21])
{
    json_t *j = call(
        mno, smsr, "es2", "downloadProfile",
        json_pack("{s:s, s:s, s:b}", "eid", eid, "profileType", type, "enableProfile", enable));

    expect(json_incref(j), "Executed-Success", NULL, NULL, NULL);
    snprintf(iccid, 21, "%s", sm_json_str(j, "iccid"));
    json_decref(j);
}

/* ---- the journey (card 0) ---- */

static void mno1_downloads_and_enables(void **state)
{
    (void)state;
    download(1, NULL, eids[0], "m1", true, iccid1);
    assert_string_equal(state_of(1, SMSR1, eids[0], iccid1, NULL), "Enabled");
    assert_string_equal(on_card(eids[0], iccid1, NULL), "enabled");
    card_number_is(eids[0], "+447910081001");
    /* MNO1 heard it from the SM-DP (ES2) and from the SM-SR (ES4) */
    wait_received("/mno1/es2/handleProfileEnabledNotification", iccid1, 1);
    wait_received("/mno1/es4/handleProfileEnabledNotification", iccid1, 1);
}

static void mno2_downloads(void **state)
{
    (void)state;
    download(2, NULL, eids[0], "m2", false, iccid2);
    assert_string_equal(state_of(2, SMSR1, eids[0], iccid2, NULL), "Disabled");
    assert_string_equal(on_card(eids[0], iccid2, NULL), "disabled");
    /* each MNO sees its own profiles only */
    assert_string_equal(state_of(2, SMSR1, eids[0], iccid1, NULL), "absent");
}

static void operator_switched(void **state)
{
    (void)state;
    expect(call(2, NULL, "es2", "enableProfile", profile_msg(eids[0], iccid2)), "Executed-Success",
           NULL, NULL, NULL);
    assert_string_equal(state_of(2, SMSR1, eids[0], iccid2, NULL), "Enabled");
    assert_string_equal(state_of(1, SMSR1, eids[0], iccid1, NULL), "Disabled");
    assert_string_equal(on_card(eids[0], iccid2, NULL), "enabled");
    assert_string_equal(on_card(eids[0], iccid1, NULL), "disabled");
    card_number_is(eids[0], "+447910082001");
    wait_received("/mno1/es2/handleProfileDisabledNotification", iccid1, 1);
    wait_received("/mno2/es2/handleProfileEnabledNotification", iccid2, 1);
}

static void fallback_attribute_set(void **state)
{
    bool fb = false;

    (void)state;
    expect(call(1, SMSR1, "es4", "setFallbackAttribute", profile_msg(eids[0], iccid1)),
           "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_of(1, SMSR1, eids[0], iccid1, &fb), "Disabled");
    assert_true(fb);
    fb = false;
    assert_string_equal(on_card(eids[0], iccid1, &fb), "disabled");
    assert_true(fb);
    /* the SM-SR tells MNO1 its profile holds the attribute now (ES4) */
    wait_received("/mno1/es4/handleFallBackAttributeSetNotification", iccid1, 1);
}

static void connectivity_lost_fallback(void **state)
{
    char cmd[600];
    int t;

    (void)state;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf fallback %s", dir, SM_BIN_DIR,
             eids[0]);
    assert_int_equal(run(cmd), 0);
    /* the card notifies (type 05) over its fall-back profile's number; the SM-SR confirms and
     * updates the EIS */
    for (t = 0; t < 600 && strcmp(state_of(1, SMSR1, eids[0], iccid1, NULL), "Enabled"); t++)
        usleep(100 * 1000);
    assert_string_equal(state_of(1, SMSR1, eids[0], iccid1, NULL), "Enabled");
    assert_string_equal(state_of(2, SMSR1, eids[0], iccid2, NULL), "Disabled");
    assert_string_equal(on_card(eids[0], iccid1, NULL), "enabled");
    card_number_is(eids[0], "+447910081001");
    wait_received("/mno2/es4/handleProfileDisabledNotification", iccid2, 1);
}

static void pol2_updated(void **state)
{
    json_t *m;

    (void)state;
    m = json_pack("{s:s, s:s, s:{s:[{s:s, s:s, s:s}]}}", "eid", eids[0], "iccid", iccid2, "pol2",
                  "rule", "subject", "PROFILE", "action", "DELETE", "qualification", "Not-Allowed");
    expect(call(2, NULL, "es2", "updatePolicyRules", m), "Executed-Success", NULL, NULL, NULL);
    /* the rule holds: MNO2 cannot delete its profile now */
    expect(call(2, SMSR1, "es4", "deleteProfile", profile_msg(eids[0], iccid2)), "Failed", "8.2.3",
           "3.8", "POL2");
}

static void mno1_profile_deleted(void **state)
{
    (void)state;
    /* MNO1's profile is enabled and the fall-back: MNO2's enabled again, the attribute back
     * on the provisioning profile (MNO1's, from the factory) */
    expect(call(2, SMSR1, "es4", "enableProfile", profile_msg(eids[0], iccid2)), "Executed-Success",
           NULL, NULL, NULL);
    expect(call(1, SMSR1, "es4", "setFallbackAttribute", profile_msg(eids[0], prov[0])),
           "Executed-Success", NULL, NULL, NULL);
    expect(call(1, NULL, "es2", "deleteProfile", profile_msg(eids[0], iccid1)), "Executed-Success",
           NULL, NULL, NULL);
    assert_string_equal(state_of(1, SMSR1, eids[0], iccid1, NULL), "absent");
    assert_string_equal(on_card(eids[0], iccid1, NULL), "absent");
    assert_string_equal(on_card(eids[0], iccid2, NULL), "enabled");
    wait_received("/mno1/es2/handleProfileDeletedNotification", iccid1, 1);
}

static void audited(void **state)
{
    json_t *j;

    (void)state;
    j = call(2, SMSR1, "es4", "auditEIS",
             json_pack("{s:s, s:[s]}", "eid", eids[0], "iccid", iccid2));
    expect(json_incref(j), "Executed-Success", NULL, NULL, NULL);
    assert_non_null(sm_json_str(json_object_get(j, "eis"), "lastAuditDate"));
    json_decref(j);
}

static void smsr_changed(void **state)
{
    json_t *m;

    (void)state;
    /* MNO2 (whose profile runs on the card) asks SM-SR2 to take it, then SM-SR1 to hand it */
    m = json_pack("{s:s, s:s}", "eid", eids[0], "currentSmsrId", SMSR1);
    expect(call(2, SMSR2, "es4", "prepareSMSRChange", m), "Executed-Success", NULL, NULL, NULL);
    m = json_pack("{s:s, s:s}", "eid", eids[0], "targetSmsrId", SMSR2);
    expect(call(2, SMSR1, "es4", "smsrChange", m), "Executed-Success", NULL, NULL, NULL);
    /* SM-SR2 has the card, SM-SR1 forgets it */
    assert_string_equal(state_of(2, SMSR2, eids[0], iccid2, NULL), "Enabled");
    expect(call(2, SMSR1, "es4", "getEIS", eid_msg(eids[0])), "Failed", "8.1.1", "3.9", NULL);
    wait_received("/mno2/es4/handleSMSRChangeNotification", eids[0], 1);
}

static void lifecycle_on_new_smsr(void **state)
{
    char iccid3[21];

    (void)state;
    /* the SM-SR2 reaches the card with its own keys: a download through it (ES2 -> ES3) */
    download(1, SMSR2, eids[0], "m1", false, iccid3);
    assert_string_equal(state_of(1, SMSR2, eids[0], iccid3, NULL), "Disabled");
    /* and an operator switch through it (ES4 at SM-SR2) */
    expect(call(1, SMSR2, "es4", "enableProfile", profile_msg(eids[0], iccid3)), "Executed-Success",
           NULL, NULL, NULL);
    assert_string_equal(state_of(1, SMSR2, eids[0], iccid3, NULL), "Enabled");
    assert_string_equal(on_card(eids[0], iccid3, NULL), "enabled");
    wait_received("/mno1/es4/handleProfileEnabledNotification", iccid3, 1);
    /* one of MNO1's numbers (the ICCID deleted before may have come back) */
    card_number_is(eids[0], strcmp(iccid3, iccid1) ? "+447910081002" : "+447910081001");
}

/* Master delete (v4): MNO2's profile, whose POL2 forbids deleting it, removed all the same
 * with a token the SM-DP computes under the ISD-P's token key it loaded during the download. */
static void master_deleted(void **state)
{
    char cmd[700], out[2048];
    json_t *m;

    (void)state;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf master-delete-token %s --sin 010203 --sdin 040506 "
             "--provider-id 07 --token-id 08",
             dir, SM_BIN_DIR, iccid2);
    assert_int_equal(itest_sh(cmd, out, sizeof(out)), 0);
    m = json_loads(out, 0, NULL);
    assert_non_null(m);
    json_object_set_new(m, "eid", json_string(eids[0]));
    assert_string_equal(state_of(2, SMSR2, eids[0], iccid2, NULL), "Disabled");
    expect(call(2, SMSR2, "es4", "masterDelete", m), "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_of(2, SMSR2, eids[0], iccid2, NULL), "absent");
    assert_string_equal(on_card(eids[0], iccid2, NULL), "absent");
    wait_received("/mno2/es4/handleProfileDeletedNotification", iccid2, 1);
}

/* ---- negative journeys (card 1) ---- */

static void roles_refused(void **state)
{
    json_t *m = json_pack("{s:s, s:s}", "eid", eids[1], "smsrId", SMSR1);

    (void)state;
    /* the EUM may not order profiles; an MNO may not register cards; the SM-DP is no MNO */
    json_decref(itest_call_fn(dir, dp_port, "eum1", EUM1, "es2/getEIS", m, "neg-1", 0, 403,
                              "error-response.schema.json"));
    json_decref(
        itest_call_fn(dir, port1, "mno1", MNO1, "es1/registerEIS", m, "neg-2", 0, 403, NULL));
    json_decref(itest_call_fn(dir, port1, "smdp", SMDP, "es4/getEIS", m, "neg-3", 0, 403, NULL));
    json_decref(m);
}

static void other_mnos_profile(void **state)
{
    char own[21];

    (void)state;
    download(2, NULL, eids[1], "m2", false, own);
    /* MNO1 on MNO2's profile: through the SM-DP and straight at the SM-SR */
    expect(call(1, NULL, "es2", "enableProfile", profile_msg(eids[1], own)), "Failed", "8.2.1",
           "1.2", NULL);
    expect(call(1, SMSR1, "es4", "deleteProfile", profile_msg(eids[1], own)), "Failed", "8.2.1",
           "1.2", NULL);
    assert_string_equal(state_of(2, SMSR1, eids[1], own, NULL), "Disabled");
    assert_string_equal(on_card(eids[1], own, NULL), "disabled");
}

static void card_refuses(void **state)
{
    json_t *j;
    char locked[21];

    (void)state;
    /* a profile whose POL1 forbids disabling it, enabled: the SM-SR cannot know, the card says
     * no (69E1), and the profile stays enabled */
    download(1, NULL, eids[1], "m1-locked", true, locked);
    j = call(1, NULL, "es2", "disableProfile", profile_msg(eids[1], locked));
    expect(json_incref(j), "Failed", NULL, NULL, NULL);
    json_decref(j);
    assert_string_equal(state_of(1, SMSR1, eids[1], locked, NULL), "Enabled");
    assert_string_equal(on_card(eids[1], locked, NULL), "enabled");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mno1_downloads_and_enables),
        cmocka_unit_test(mno2_downloads),
        cmocka_unit_test(operator_switched),
        cmocka_unit_test(fallback_attribute_set),
        cmocka_unit_test(connectivity_lost_fallback),
        cmocka_unit_test(pol2_updated),
        cmocka_unit_test(mno1_profile_deleted),
        cmocka_unit_test(audited),
        cmocka_unit_test(smsr_changed),
        cmocka_unit_test(lifecycle_on_new_smsr),
        cmocka_unit_test(master_deleted),
        cmocka_unit_test(roles_refused),
        cmocka_unit_test(other_mnos_profile),
        cmocka_unit_test(card_refuses),
        cmocka_unit_test(itest_responses_match_schemas),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
