/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2.DownloadProfile end to end, five real processes: smdp (the order engine, ES8), smsr (ES3,
 * the ES5 engine), smsc-sim, euicc-sim (the cards), and this test as the MNO, with an HTTPS
 * receiver for the MNO's notifications. Scripts reach the cards over HTTPS (SCP81) or SMS
 * (SCP80) as SM_ES5_BEARER says. A downloaded profile is checked on the card itself: its
 * USIM answers AKA with the K and OPc of the subscription loaded into the SM-DP.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sm_test.h"
#include "itest.h"
#include "sm/buf.h"
#include "sm/devpki.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/milenage.h"

#define SMDP         "2.999.1.1"
#define SMSR         "2.999.2.1"
#define MNO1         "2.999.10.1"
#define EUM1         "2.999.20.1"
#define SMSR_ADDRESS "4479000001"
#define NSUBS        6

#define expect itest_expect_status

static char dir[] = "/tmp/sm-smdp-dl-XXXXXX";
static struct itest_proc smdp, smsr, smsc, sim;
static int smdp_port, smsr_port, smsc_port;
static char eids[3][33]; /* the third is never registered */
static char subs[NSUBS][21];
static unsigned calls;

/* the MNO's receiver (itest_rx_*) */
static struct MHD_Daemon *receiver;

#define received      itest_rx_count
#define wait_received itest_rx_wait

static char *path_in(const char *a, const char *b)
{
    return itest_path(dir, a, b);
}

static int run(const char *cmd)
{
    char out[8192];

    return itest_sh(cmd, out, sizeof(out));
}

static int sh_out(const char *cmd, char *out, size_t n)
{
    return itest_sh(cmd, out, n);
}

static int smdp_conf(const char *ci)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "test_mode = yes\nid = " SMDP "\n[log]\nlevel = info\n[api]\nlisten = 127.0.0.1:0\n"
             "port_file = smdp.port\n[tls]\ncert = pki/smdp.crt\nkey = pki/smdp.key\nclient_ca "
             "= pki/ca.crt\n[db]\npath = smdp.db\n[client]\nca = pki/ca.crt\ntimeout = 10000\n"
             "[es8]\nci_certs = %s\ncertificate = pki/smdp.gpcert\nkey = pki/smdp.key\n"
             "send_data_max = 2100\n[orders]\npoll = 5\ncleanup_validity = 60\n",
             ci);
    return itest_write_file(path_in("smdp.conf", NULL), text);
}

static int start_smdp(void)
{
    char cmd[512];

    unlink(path_in("smdp.port", NULL));
    if (itest_start_daemon(dir, &smdp, "smdp", "smdp", &smdp_port))
        return -1;
    /* the SM-SR delivers its results to the SM-DP's API */
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c smsr.conf entity callback smdp https://localhost:%d/gsma", dir,
             SM_BIN_DIR, smdp_port);
    return run(cmd);
}

static int start_all(void)
{
    char cmd[2048], text[2048];
    int rport;

    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki", NULL), false, NULL) ||
        sm_devpki_init(path_in("pki2", NULL), false, NULL))
        return -1;
    itest_record_dir(SM_BINARY_DIR "/tests/responses-smdp-download");
    if (itest_write_file(path_in("smsc.conf", NULL),
                         "[smpp]\nlisten = 127.0.0.1:0\nport_file = smsc.port\n"
                         /* every SMS takes a while, as on a network: a download lasts long
                          * enough to be interrupted half-way */
                         "[network]\nlatency = 150\n"
                         "[account.smsr]\npassword = srpw\nroutes = " SMSR_ADDRESS "\n"
                         "[account.euicc-sim]\npassword = simpw\nroutes = 4479100\n") ||
        itest_spawn_conf(dir, &smsc, "smsc-sim", "smsc-sim", "smsc.conf", NULL))
        return -1;
    smsc_port = itest_wait_port_file(path_in("smsc.port", NULL), 10000);
    if (smsc_port <= 0 || itest_make_cards(dir, smsc_port, "+" SMSR_ADDRESS, NULL, 3, eids) ||
        itest_transport_keys(dir, EUM1, "transport-keys"))
        return -1;
    snprintf(text, sizeof(text),
             "test_mode = yes\nid = " SMSR "\n[log]\nlevel = info\n[api]\nlisten = "
             "127.0.0.1:0\nport_file = smsr.port\n[tls]\ncert = pki/smsr.crt\nkey = "
             "pki/smsr.key\nclient_ca = pki/ca.crt\n[db]\npath = smsr.db\n[es1]\nci_certs = "
             "pki/ca.crt\ntransport_keys = transport-keys\n[es5]\nsmsc = 127.0.0.1:%d\n"
             "system_id = smsr\npassword = srpw\naddress = +" SMSR_ADDRESS "\npor_timeout = 3\n"
             "bearer = %s\nadmin_listen = 127.0.0.1:0\nhttps_timeout = 3\n[client]\nca = "
             "pki/ca.crt\n",
             smsc_port, itest_bearer());
    if (itest_write_file(path_in("smsr.conf", NULL), text) || smdp_conf("pki/ca.crt"))
        return -1;
    /* the inventory: mno1's types, subscriptions with known keys */
    {
        struct sm_buf csv = SM_BUF_INIT;

        json_t *e = itest_card_eis(dir, eids[1]);
        const char *number =
            sm_json_str(json_object_get(json_array_get(json_object_get(e, "profileInfo"), 0),
                                        "subscriptionAddress"),
                        "msisdn");

        /* the SM-SR reaches a card through its enabled profile's MSISDN, and the simulated
         * modem answers to one number: the profile enabled on the second card gets it */
        if (!number)
            return -1;
        sm_buf_printf(&csv, "iccid,imsi,msisdn,k,opc,adm1\n");
        for (int i = 0; i < NSUBS; i++) {
            /* 8999903000000000000 + i, with its Luhn digit */
            static const char *const iccid[NSUBS] = {
                "89999030000000000019", "89999030000000000027", "89999030000000000035",
                "89999030000000000043", "89999030000000000050", "89999030000000000068"};

            snprintf(subs[i], sizeof(subs[i]), "%s", iccid[i]);
            sm_buf_printf(&csv, "%s,00103000000010%d,", iccid[i], i);
            if (i == 1)
                sm_buf_printf(&csv, "+%s", number);
            else
                sm_buf_printf(&csv, "+44795550000%d", i);
            sm_buf_printf(&csv, ",%030d%02x,%030d%02x,12345678\n", 0, i + 1, 0, i + 41);
        }
        json_decref(e);
        sm_buf_append(&csv, "", 1);
        if (itest_write_file(path_in("subs.csv", NULL), (const char *)csv.data))
            return -1;
        sm_buf_free(&csv);
    }
    snprintf(
        cmd, sizeof(cmd),
        "cd %s && %s/smsr -c smsr.conf entity import pki/pki.json && %s/smdp -c smdp.conf "
        "entity import pki/pki.json && %s/smdp -c smdp.conf profile-type set " MNO1
        " iot --template usim-minimal --memory 20000 && %s/smdp -c smdp.conf profile-type "
        "set " MNO1 " locked --template usim-minimal --memory 20000 --pol2 "
        "'[{\"subject\":\"PROFILE\",\"action\":\"DELETE\",\"qualification\":\"Not-Allowed\"}]' "
        "&& %s/smdp -c smdp.conf profile-type set " MNO1
        " big --template usim-minimal --memory 900000000 && %s/smdp -c smdp.conf "
        "profile-type set " MNO1 " empty --template usim-minimal && %s/smdp -c smdp.conf "
        "subscriptions load " MNO1 " iot subs.csv",
        dir, SM_BIN_DIR, SM_BIN_DIR, SM_BIN_DIR, SM_BIN_DIR, SM_BIN_DIR, SM_BIN_DIR, SM_BIN_DIR);
    if (run(cmd))
        return -1;
    /* one "locked" and one "big" subscription: the last two lines moved to those types */
    {
        static const char *const more[2][2] = {{"locked", "89999030000000000076"},
                                               {"big", "89999030000000000084"}};

        for (int i = 0; i < 2; i++) {
            char csv[256];

            snprintf(csv, sizeof(csv),
                     "iccid,imsi,k,opc,adm1\n%s,00103000000020%d,%032d,%032d,"
                     "12345678\n",
                     more[i][1], i, 7, 8);
            snprintf(text, sizeof(text), "%s.csv", more[i][0]);
            if (itest_write_file(path_in(text, NULL), csv))
                return -1;
            snprintf(cmd, sizeof(cmd),
                     "cd %s && %s/smdp -c smdp.conf subscriptions load " MNO1 " %s %s.csv", dir,
                     SM_BIN_DIR, more[i][0], more[i][0]);
            if (run(cmd))
                return -1;
        }
    }
    unlink(path_in("smsr.port", NULL));
    if (itest_start_daemon(dir, &smsr, "smsr", "smsr", &smsr_port))
        return -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf entity callback smsr https://localhost:%d/gsma", dir,
             SM_BIN_DIR, smsr_port);
    if (run(cmd) || start_smdp())
        return -1;
    rport = itest_rx_start(dir, &receiver);
    if (rport <= 0)
        return -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf entity callback mno1 https://localhost:%d/mno1", dir,
             SM_BIN_DIR, rport);
    if (run(cmd))
        return -1;
    /* two cards registered (ES1) and served by the simulator */
    if (itest_register_cards(dir, smsr_port, eids, 2))
        return -1;
    return itest_spawn_conf(dir, &sim, "euicc-sim", "euicc-sim", "sim.conf", "run");
}

static int teardown(void **state)
{
    struct itest_proc *const procs[] = {&smdp, &smsr, &sim, &smsc};
    (void)state;
    itest_rx_free();
    return itest_teardown(dir, procs, 4, receiver);
}

/* (cmocka runs the group teardown after a failed set-up too: it stops what was started) */
static int setup(void **state)
{
    (void)state;
    return start_all();
}

/* POST es2/<fn> to the SM-DP as mno1. */
static json_t *es2(const char *fn, json_t *members, const char *call_id, int validity,
                   long expect_http, const char *schema)
{
    char cid[64], path[64];
    json_t *j;

    snprintf(cid, sizeof(cid), "dl-%u", ++calls);
    snprintf(path, sizeof(path), "es2/%s", fn);
    j = itest_call_fn(dir, smdp_port, "mno1", MNO1, path, members, call_id ? call_id : cid,
                      validity, expect_http, schema);
    json_decref(members);
    return j;
}

static json_t *download(const char *eid, const char *type, const char *iccid, bool enable,
                        const char *call_id)
{
    json_t *m = json_pack("{s:s, s:s, s:b}", "eid", eid, "smsrId", SMSR, "enableProfile", enable);

    if (type)
        json_object_set_new(m, "profileType", json_string(type));
    if (iccid)
        json_object_set_new(m, "iccid", json_string(iccid));
    return es2("downloadProfile", m, call_id, 0, call_id ? 202 : 200,
               call_id ? "operation.schema.json" : "es2.downloadProfile.response.schema.json");
}

static json_t *outcome(const char *call_id, int timeout_s, const char *schema)
{
    return itest_outcome(dir, smdp_port, "mno1", call_id, timeout_s, schema);
}

/* The state of iccid in the card's EIS as mno1 sees it through ES2.GetEIS, or "absent". */
static const char *state_in_eis(const char *eid, const char *iccid)
{
    static char state[32];
    json_t *j =
        es2("getEIS", json_pack("{s:s, s:s}", "eid", eid, "smsrId", SMSR), NULL, 0, 200, NULL);
    const json_t *p;
    size_t i;

    snprintf(state, sizeof(state), "absent");
    json_array_foreach(json_object_get(json_object_get(j, "eis"), "profileInfo"), i, p)
        if (!strcmp(sm_json_str(p, "iccid"), iccid))
            snprintf(state, sizeof(state), "%s", sm_json_str(p, "state"));
    json_decref(j);
    return state;
}

/* The SM-DP's inventory holds n profiles of type in state (smdp inventory). */
static int inventory_count(const char *type, const char *state)
{
    char cmd[512], out[4096], *line, *save = NULL;
    int got = 0;

    snprintf(cmd, sizeof(cmd), "cd %s && %s/smdp -c smdp.conf inventory " MNO1, dir, SM_BIN_DIR);
    assert_int_equal(sh_out(cmd, out, sizeof(out)), 0);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char m[64], t[64], st[32];
        int c;

        if (sscanf(line, "%63s %63s %31s %d", m, t, st, &c) == 4 && !strcmp(t, type) &&
            !strcmp(st, state))
            got = c;
    }
    return got;
}

static void inventory_has(const char *type, const char *state, int n)
{
    int got = inventory_count(type, state);

    if (got != n)
        fail_msg("inventory: %d %s profiles of type %s, expected %d", got, state, type, n);
}

/* AKA on the card's enabled profile with the keys of subscription i: the RES Milenage gives. */
static void card_answers_aka(const char *eid, int i)
{
    uint8_t k[16] = {0}, opc[16] = {0}, sqn[6] = {0, 0, 0, 0, 0, 0x21}, amf[2] = {0x80, 0};
    struct sm_milenage m;
    struct sm_milenage_vector v;
    char cmd[512], out[1024], rh[33], ah[33], res[17], want[32];

    k[15] = (uint8_t)(i + 1);
    opc[15] = (uint8_t)(i + 41);
    assert_int_equal(sm_milenage_init(&m, k, opc), 0);
    memset(v.rand, 0x5A, 16);
    assert_int_equal(sm_milenage_generate(&m, v.rand, sqn, amf, &v), 0);
    sm_milenage_clear(&m);
    sm_hex_encode(v.rand, 16, rh);
    sm_hex_encode(v.autn, 16, ah);
    sm_hex_encode(v.res, 8, res);
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf aka --eid %s --rand %s --autn %s",
             dir, SM_BIN_DIR, eid, rh, ah);
    assert_int_equal(sh_out(cmd, out, sizeof(out)), 0);
    snprintf(want, sizeof(want), "res=%s", res);
    if (!strstr(out, want))
        fail_msg("AKA on %s: %s, expected %s", eid, out, want);
}

/* Downloaded without enabling: installed (Disabled in the EIS), the MNO told how it went. */
static void download_installs(void **state)
{
    json_t *j, *m;

    (void)state;
    json_decref(download(eids[0], "iot", NULL, false, "order-1"));
    j = outcome("order-1", 120, "es2.downloadProfile.response.schema.json");
    expect(json_incref(j), "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(sm_json_str(j, "iccid"), subs[0]);
    json_decref(j);
    assert_string_equal(state_in_eis(eids[0], subs[0]), "Disabled");
    inventory_has("iot", "installed", 1);
    /* progress at each milestone, then the result at the MNO's callback URL */
    wait_received("handleDownloadProgressNotification", "isdp-created", 1, 30);
    wait_received("handleDownloadProgressNotification", "keys-established", 1, 30);
    wait_received("handleDownloadProgressNotification", "installed", 1, 30);
    wait_received("/operations", "order-1", 1, 30);
    /* the same call again is the same order: answered from the journal, nothing downloaded */
    m = json_pack("{s:s, s:s, s:s, s:b}", "eid", eids[0], "smsrId", SMSR, "profileType", "iot",
                  "enableProfile", 0);
    j = itest_call_fn(dir, smdp_port, "mno1", MNO1, "es2/downloadProfile", m, "order-1", 0, 200,
                      NULL);
    json_decref(m);
    expect(j, "Executed-Success", NULL, NULL, NULL);
    inventory_has("iot", "installed", 1);
}

/* Downloaded and enabled: the card runs the new profile, whose USIM has the subscription's
 * keys; the MNO hears of the enabling. */
static void download_and_enable(void **state)
{
    json_t *j;

    (void)state;
    json_decref(download(eids[1], "iot", NULL, true, "order-2"));
    j = outcome("order-2", 120, "es2.downloadProfile.response.schema.json");
    expect(json_incref(j), "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(sm_json_str(j, "iccid"), subs[1]);
    json_decref(j);
    assert_string_equal(state_in_eis(eids[1], subs[1]), "Enabled");
    wait_received("handleProfileEnabledNotification", subs[1], 1, 30);
    /* the card's file system: EF.IMSI and the USIM's keys are the subscription's */
    {
        char cmd[512], out[256];

        snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf imsi %s", dir, SM_BIN_DIR,
                 eids[1]);
        assert_int_equal(sh_out(cmd, out, sizeof(out)), 0);
        assert_non_null(strstr(out, "001030000000101"));
    }
    card_answers_aka(eids[1], 1);
}

/* ES2.DisableProfile (the fall-back profile takes over), SetFallbackAttribute and
 * EnableProfile of the downloaded profile, each an order through the SM-SR; the MNO hears of
 * each change. */
static void profile_orders(void **state)
{
    const char *fns[3] = {"disableProfile", "setFallbackAttribute", "enableProfile"};
    const char *after[3] = {"Disabled", "Disabled", "Enabled"};

    (void)state;
    for (int i = 0; i < 3; i++) {
        char cid[32], schema[96];

        snprintf(cid, sizeof(cid), "po-%d", i);
        snprintf(schema, sizeof(schema), "es2.%s.response.schema.json", fns[i]);
        json_decref(es2(
            fns[i], json_pack("{s:s, s:s, s:s}", "eid", eids[1], "smsrId", SMSR, "iccid", subs[1]),
            cid, 0, 202, "operation.schema.json"));
        expect(outcome(cid, 120, schema), "Executed-Success", NULL, NULL, NULL);
        assert_string_equal(state_in_eis(eids[1], subs[1]), after[i]);
    }
    wait_received("handleProfileDisabledNotification", subs[1], 1, 30);
    wait_received("handleProfileEnabledNotification", subs[1], 2, 30);
    inventory_has("iot", "enabled", 1);
}

/* ES2.AuditEIS: the SM-SR reads the card again; the MNO gets the refreshed EIS with only its
 * own profiles, the audited one in its state on the card. Another MNO may not name the
 * profile. */
static void audit_eis(void **state)
{
    json_t *j, *m, *eis;
    const json_t *p;
    size_t i;
    bool seen = false;

    (void)state;
    m = json_pack("{s:s, s:s, s:[s]}", "eid", eids[1], "smsrId", SMSR, "iccid", subs[1]);
    json_decref(es2("auditEIS", m, "audit-1", 0, 202, "operation.schema.json"));
    j = outcome("audit-1", 120, "es2.auditEIS.response.schema.json");
    assert_string_equal(itest_exec_status(j), "Executed-Success");
    eis = json_object_get(j, "eis");
    assert_non_null(sm_json_str(eis, "lastAuditDate"));
    json_array_foreach(json_object_get(eis, "profileInfo"), i, p) {
        assert_string_equal(sm_json_str(p, "mnoId"), MNO1);
        if (!strcmp(sm_json_str(p, "iccid"), subs[1])) {
            seen = true;
            assert_string_equal(sm_json_str(p, "state"), "Enabled");
        }
    }
    assert_true(seen);
    json_decref(j);
    /* no profile named: the card's memory only, the MNO's profiles as the SM-SR knows them */
    m = json_pack("{s:s, s:s}", "eid", eids[1], "smsrId", SMSR);
    json_decref(es2("auditEIS", m, "audit-2", 0, 202, "operation.schema.json"));
    j = outcome("audit-2", 120, "es2.auditEIS.response.schema.json");
    assert_string_equal(itest_exec_status(j), "Executed-Success");
    assert_non_null(sm_json_str(json_object_get(j, "eis"), "lastAuditDate"));
    json_decref(j);
    /* more profiles than one audit reads: refused with the member named */
    m = json_pack("{s:s, s:s, s:[]}", "eid", eids[1], "smsrId", SMSR, "iccid");
    for (int k = 0; k < 16; k++)
        json_array_append_new(json_object_get(m, "iccid"), json_string(subs[1]));
    expect(es2("auditEIS", m, "audit-many", 0, 400, NULL), "Failed", "8.2.1", "2.1",
           "between 0 and 15");
    /* mno2 may not audit mno1's profile: refused before the card is reached */
    m = json_pack("{s:s, s:s, s:[s]}", "eid", eids[1], "smsrId", SMSR, "iccid", subs[1]);
    j = itest_call_fn(dir, smdp_port, "mno2", "2.999.10.2", "es2/auditEIS", m, "audit-not-mine", 0,
                      200, NULL);
    json_decref(m);
    expect(j, "Failed", "8.2.1", "1.2", NULL);
}

/* Refused at once: an SM-SR the SM-DP does not know, a type the MNO does not have or has no
 * profile left of, an ICCID that is taken, neither type nor ICCID. */
static void refused_at_once(void **state)
{
    json_t *m;

    (void)state;
    m = json_pack("{s:s, s:s, s:s, s:b}", "eid", eids[0], "smsrId", "2.999.2.9", "profileType",
                  "iot", "enableProfile", 0);
    expect(es2("downloadProfile", m, NULL, 0, 200, NULL), "Failed", "8.7", "3.9", NULL);
    expect(download(eids[0], "nosuch", NULL, false, NULL), "Failed", "8.2.5", "3.9", NULL);
    expect(download(eids[0], "empty", NULL, false, NULL), "Failed", "8.2.5", "3.7", "left");
    expect(download(eids[0], NULL, subs[0], false, NULL), "Failed", "8.2.1", "3.3", NULL);
    expect(download(eids[0], NULL, "89999030000000009994", false, NULL), "Failed", "8.2.1", "3.9",
           NULL);
    m = json_pack("{s:s, s:s, s:b}", "eid", eids[0], "smsrId", SMSR, "enableProfile", 0);
    expect(es2("downloadProfile", m, NULL, 0, 400, NULL), "Failed", "8.2.5", "2.3", NULL);
    /* none of them took a subscription */
    inventory_has("iot", "available", NSUBS - 2);
}

/* Refused after the card was looked at: a card the SM-SR does not know, too little memory. The
 * subscription goes back to the inventory. */
static void refused_by_the_card(void **state)
{
    json_t *j;

    (void)state;
    json_decref(download(eids[2], "iot", NULL, false, "order-unknown"));
    expect(outcome("order-unknown", 60, NULL), "Failed", "8.1.1", "3.9", NULL);
    json_decref(download(eids[0], "big", NULL, false, "order-big"));
    j = outcome("order-big", 60, NULL);
    expect(j, "Failed", "8.1", "4.8", "bytes left");
    inventory_has("iot", "available", NSUBS - 2);
    inventory_has("big", "available", 1);
}

/* POL2 of the downloaded profile: deleting it is not allowed; the SM-SR refuses, and the MNO
 * gets that answer. Deleting a profile without that rule works, and its ICCID is released. */
static void pol2_and_delete(void **state)
{
    json_t *j, *m;

    (void)state;
    json_decref(download(eids[0], "locked", NULL, false, "order-locked"));
    expect(outcome("order-locked", 120, NULL), "Executed-Success", NULL, NULL, NULL);
    json_decref(es2("deleteProfile",
                    json_pack("{s:s, s:s, s:s}", "eid", eids[0], "smsrId", SMSR, "iccid",
                              "89999030000000000076"),
                    "delete-locked", 0, 202, NULL));
    expect(outcome("delete-locked", 60, NULL), "Failed", "8.2.3", "3.8", "POL2");
    assert_string_equal(state_in_eis(eids[0], "89999030000000000076"), "Disabled");
    json_decref(es2("deleteProfile",
                    json_pack("{s:s, s:s, s:s}", "eid", eids[0], "smsrId", SMSR, "iccid", subs[0]),
                    "delete-1", 0, 202, NULL));
    j = outcome("delete-1", 60, NULL);
    expect(j, "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_in_eis(eids[0], subs[0]), "absent");
    wait_received("handleProfileDeletedNotification", subs[0], 1, 30);
    inventory_has("iot", "available", NSUBS - 1);
    /* another MNO's profile is not the caller's */
    m = json_pack("{s:s, s:s, s:s}", "eid", eids[1], "smsrId", SMSR, "iccid", subs[1]);
    j = itest_call_fn(dir, smdp_port, "mno2", "2.999.10.2", "es2/enableProfile", m, "not-mine", 0,
                      200, NULL);
    json_decref(m);
    expect(j, "Failed", "8.2.1", "1.2", NULL);
}

/* The SM-DP killed in the middle of a download: restarted, it removes what it had begun and
 * downloads again; the order ends once, installed once. */
static void restart_mid_download(void **state)
{
    json_t *j;
    int n0;

    (void)state;
    n0 = received("handleDownloadProgressNotification", "keys-established");
    json_decref(download(eids[0], "iot", NULL, false, "order-kill"));
    /* killed with the ISD-P's keys in memory only, an SCP03t exchange on its way */
    wait_received("handleDownloadProgressNotification", "keys-established", n0 + 1, 60);
    kill(smdp.pid, SIGKILL);
    itest_stop(&smdp, 5000);
    assert_int_equal(start_smdp(), 0);
    j = outcome("order-kill", 120, NULL);
    expect(json_incref(j), "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_in_eis(eids[0], sm_json_str(j, "iccid")), "Disabled");
    json_decref(j);
    inventory_has("iot", "installed", 1);
    /* it started again after deleting the first ISD-P */
    assert_true(received("handleDownloadProgressNotification", "isdp-created") >= 2);
}

/* A card whose EUM chains to a CI this SM-DP does not trust: no key establishment. */
static void other_ci(void **state)
{
    (void)state;
    itest_stop(&smdp, 5000);
    assert_int_equal(smdp_conf("pki2/ca.crt"), 0);
    assert_int_equal(start_smdp(), 0);
    json_decref(download(eids[0], "iot", NULL, false, "order-ci"));
    expect(outcome("order-ci", 60, NULL), "Failed", "8.6", "6.1", NULL);
    itest_stop(&smdp, 5000);
    assert_int_equal(smdp_conf("pki/ca.crt"), 0);
    assert_int_equal(start_smdp(), 0);
}

/* The card gone in the middle of a download: the SM-SR's operation expires with the order's
 * validity; once the card is back the ISD-P is deleted and the order ends Failed. */
static void card_disappears(void **state)
{
    json_t *m;
    int n0 = received("handleDownloadProgressNotification", "isdp-created");

    (void)state;
    m = json_pack("{s:s, s:s, s:s, s:b}", "eid", eids[1], "smsrId", SMSR, "profileType", "iot",
                  "enableProfile", 0);
    json_decref(es2("downloadProfile", m, "order-gone", 20, 202, NULL));
    wait_received("handleDownloadProgressNotification", "isdp-created", n0 + 1, 60);
    itest_stop(&sim, 5000);
    sleep(22);
    assert_int_equal(itest_spawn_conf(dir, &sim, "euicc-sim", "euicc-sim", "sim.conf", "run"), 0);
    m = outcome("order-gone", 120, NULL);
    if (strcmp(itest_exec_status(m), "Failed") && strcmp(itest_exec_status(m), "Expired"))
        fail_msg("order-gone: %s", sm_json_dump(m));
    json_decref(m);
}

#define position itest_rx_position

/* Two orders for one card at once: both installed, the second begun after the first ended;
 * orders for another card meanwhile run beside them. */
static void one_card_at_a_time(void **state)
{
    (void)state;
    json_decref(download(eids[0], "iot", NULL, false, "order-a"));
    json_decref(download(eids[0], "iot", NULL, false, "order-b"));
    expect(outcome("order-a", 120, NULL), "Executed-Success", NULL, NULL, NULL);
    expect(outcome("order-b", 120, NULL), "Executed-Success", NULL, NULL, NULL);
    wait_received("handleDownloadProgressNotification", "order-b", 3, 30);
    assert_true(position("handleDownloadProgressNotification", "order-a", "installed") >= 0);
    assert_true(position("handleDownloadProgressNotification", "order-a", "installed") <
                position("handleDownloadProgressNotification", "order-b", "isdp-created"));
}

/* smctl against the same stack, as mno1 with a configuration file: a call waited for, one not
 * waited for and asked about later, a refusal, a usage error, a batch run twice. */
static int smctl(const char *args, char *out, size_t n)
{
    char cmd[2400];
    size_t got;
    FILE *f;
    int rc = -1;

    /* the exit code is what the test looks at: kept in a file beside the output */
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smctl %s --config smctl.conf > smctl.out 2>&1; echo $? > smctl.rc", dir,
             SM_BIN_DIR, args);
    if (system(cmd) == -1)
        return -1;
    f = fopen(path_in("smctl.out", NULL), "r");
    got = f ? fread(out, 1, n - 1, f) : 0;
    out[got] = 0;
    if (f)
        fclose(f);
    f = fopen(path_in("smctl.rc", NULL), "r");
    if (!f || fscanf(f, "%d", &rc) != 1)
        rc = -1;
    if (f)
        fclose(f);
    return rc;
}

static void smctl_calls(void **state)
{
    char text[1024], args[600], out[8192];

    (void)state;
    snprintf(text, sizeof(text),
             "[smctl]\nsmdp = https://localhost:%d\nsmsr = https://localhost:%d\nca = "
             "pki/ca.crt\ncert = pki/mno1.crt\nkey = pki/mno1.key\nid = " MNO1 "\nsmsr_id = " SMSR
             "\ntimeout = 120\n",
             smdp_port, smsr_port);
    assert_int_equal(itest_write_file(path_in("smctl.conf", NULL), text), 0);
    snprintf(args, sizeof(args),
             "cd %s && %s/smdp -c smdp.conf subscriptions generate " MNO1
             " iot --iccid 89999031000000000000 --imsi 001031000000001 --count 4",
             dir, SM_BIN_DIR);
    assert_int_equal(run(args), 0);
    /* waited for, as JSON */
    snprintf(args, sizeof(args),
             "es2 downloadProfile --eid %s --profile-type iot --enable-profile=false --json",
             eids[0]);
    assert_int_equal(smctl(args, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "\"state\":\"done\""));
    assert_non_null(strstr(out, "\"iccid\":\"8999903"));
    /* not waited for (exit 3), then asked about */
    snprintf(args, sizeof(args),
             "es2 downloadProfile --eid %s --profile-type iot --enable-profile=false --no-wait "
             "--call-id smctl-nw",
             eids[0]);
    assert_int_equal(smctl(args, out, sizeof(out)), 3);
    assert_int_equal(smctl("operation es2 smctl-nw --wait", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "Executed-Success"));
    /* refused: exit 1 with the codes; a usage error: exit 2 */
    snprintf(args, sizeof(args),
             "es2 downloadProfile --eid %s --profile-type nosuch "
             "--enable-profile",
             eids[0]);
    assert_int_equal(smctl(args, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "Failed 8.2.5/3.9"));
    assert_int_equal(
        smctl("es2 downloadProfile --profile-type iot --enable-profile", out, sizeof(out)), 2);
    assert_non_null(strstr(out, "--eid is required"));
    /* a number beyond 64 bits is refused, not capped */
    snprintf(text, sizeof(text),
             "eid,iccid,mnoId,requiredMemory\n%s,8944501234567890123," MNO1
             ",99999999999999999999999\n",
             eids[0]);
    assert_int_equal(itest_write_file(path_in("big.csv", NULL), text), 0);
    assert_int_equal(smctl("batch es3.createISDP big.csv", out, sizeof(out)), 2);
    assert_non_null(strstr(out, "--required-memory: 99999999999999999999999 is out of range"));
    /* ES4 straight to the SM-SR with the same identity */
    snprintf(args, sizeof(args), "es4 getEIS --eid %s", eids[0]);
    assert_int_equal(smctl(args, out, sizeof(out)), 0);
    /* a batch of two downloads; the second run finds them done */
    snprintf(text, sizeof(text), "eid,profileType,enableProfile\n%s,iot,false\n%s,iot,false\n",
             eids[0], eids[1]);
    assert_int_equal(itest_write_file(path_in("orders.csv", NULL), text), 0);
    assert_int_equal(
        smctl("batch es2.downloadProfile orders.csv --concurrency 2", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "2 ok, 0 failed"));
    assert_int_equal(smctl("batch es2.downloadProfile orders.csv", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "2 done before"));
}

/* The SM-SR unreachable for the whole validity period: the order ends Expired with the SM-SR
 * as subject, its subscription back in the inventory. */
static void smsr_unreachable(void **state)
{
    char cmd[512];
    json_t *m;
    int available = inventory_count("iot", "available");

    (void)state;
    itest_stop(&smsr, 5000);
    m = json_pack("{s:s, s:s, s:s, s:b}", "eid", eids[0], "smsrId", SMSR, "profileType", "iot",
                  "enableProfile", 0);
    json_decref(es2("downloadProfile", m, "order-no-smsr", 3, 202, NULL));
    expect(outcome("order-no-smsr", 60, NULL), "Expired", "8.7", "5.1", "validity");
    inventory_has("iot", "available", available);
    unlink(path_in("smsr.port", NULL));
    assert_int_equal(itest_start_daemon(dir, &smsr, "smsr", "smsr", &smsr_port), 0);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf entity callback smsr https://localhost:%d/gsma", dir,
             SM_BIN_DIR, smsr_port);
    assert_int_equal(run(cmd), 0);
}

/* A device is known by the number of the profile it runs: after enabling a downloaded profile
 * with an MSISDN of its own, the card answers to that number (EF.MSISDN), and the SM-SR reaches
 * it there (an ES4 audit). */
static void number_follows_profile(void **state)
{
    char cmd[700], out[4096];
    json_t *m;

    (void)state;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf subscriptions generate " MNO1
             " iot --iccid 89999032000000000009 --imsi 001032000000001 --msisdn +447910070001 "
             "--count 1",
             dir, SM_BIN_DIR);
    assert_int_equal(run(cmd), 0);
    m = json_pack("{s:s, s:s, s:s, s:b}", "eid", eids[0], "smsrId", SMSR, "iccid",
                  "89999032000000000009", "enableProfile", 1);
    json_decref(es2("downloadProfile", m, "order-number", 0, 202, NULL));
    expect(outcome("order-number", 120, NULL), "Executed-Success", NULL, NULL, NULL);
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf show %s", dir, SM_BIN_DIR,
             eids[0]);
    assert_int_equal(sh_out(cmd, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "msisdn +447910070001"));
    m = json_pack("{s:s}", "eid", eids[0]);
    json_decref(itest_call_fn(dir, smsr_port, "mno1", MNO1, "es4/auditEIS", m, "audit-number", 0,
                              202, NULL));
    json_decref(m);
    expect(itest_outcome(dir, smsr_port, "mno1", "audit-number", 60, NULL), "Executed-Success",
           NULL, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(download_installs),
        cmocka_unit_test(download_and_enable),
        cmocka_unit_test(profile_orders),
        cmocka_unit_test(audit_eis),
        cmocka_unit_test(refused_at_once),
        cmocka_unit_test(refused_by_the_card),
        cmocka_unit_test(pol2_and_delete),
        cmocka_unit_test(restart_mid_download),
        cmocka_unit_test(other_ci),
        cmocka_unit_test(card_disappears),
        cmocka_unit_test(one_card_at_a_time),
        cmocka_unit_test(smctl_calls),
        cmocka_unit_test(smsr_unreachable),
        cmocka_unit_test(number_follows_profile),
        cmocka_unit_test(itest_responses_match_schemas),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
