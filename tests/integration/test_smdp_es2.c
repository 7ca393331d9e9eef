/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2 at the SM-DP with a real SM-SR behind it (ES3): smdp and smsr as processes, a card
 * registered at the SM-SR (ES1, an EIS from euicc-sim's factory whose two profiles this SM-DP
 * installed, one for mno1 and one for mno2), this test as the MNOs. GetEIS comes back through
 * ES3 filtered for the calling MNO; the SM-SR's refusals reach the MNO as they are; an SM-SR the
 * SM-DP does not know, or cannot reach, is refused with the SM-SR as subject.
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
#include "sm/devpki.h"
#include "sm/json.h"

#define SMDP "2.999.1.1"
#define SMSR "2.999.2.1"
#define MNO1 "2.999.10.1"
#define MNO2 "2.999.10.2"
#define EUM1 "2.999.20.1"

static char dir[] = "/tmp/sm-smdp-es2-XXXXXX";
static struct itest_proc smdp, smsr;
static int smdp_port, smsr_port;
static char eid[2][33];   /* the second is not registered */
static char iccid[2][21]; /* the card's profiles: mno1's, mno2's */
static unsigned calls;

static int run(const char *cmd)
{
    char out[4096];

    return itest_sh(cmd, out, sizeof(out));
}

static int start(struct itest_proc *p, const char *name, int *port)
{
    return itest_start_daemon(dir, p, name, name, port);
}

static json_t *call(int port, const char *who, const char *id, const char *path, json_t *members,
                    long expect_http, const char *schema)
{
    char cid[64];

    snprintf(cid, sizeof(cid), "es2-test-%u", ++calls);
    return itest_call_fn(dir, port, who, id, path, members, cid, 0, expect_http, schema);
}

static int write_conf(const char *name, const char *id, const char *extra)
{
    char text[1024], path[64];

    snprintf(text, sizeof(text),
             "test_mode = yes\nid = %s\n[log]\nlevel = info\n[api]\nlisten = 127.0.0.1:0\n"
             "port_file = %s.port\n[tls]\ncert = pki/%s.crt\nkey = pki/%s.key\nclient_ca = "
             "pki/ca.crt\n[db]\npath = %s.db\n[client]\nca = pki/ca.crt\ntimeout = 5000\n"
             "retries = 0\n%s",
             id, name, name, name, name, extra);
    snprintf(path, sizeof(path), "%s.conf", name);
    return itest_write_file(itest_path(dir, path, NULL), text);
}

static int setup(void **state)
{
    char cmd[1024];
    json_t *eis, *m, *j, *p;
    size_t i;

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir) || sm_devpki_init(itest_path(dir, "pki", NULL), false, NULL))
        return -1;
    itest_record_dir(SM_BINARY_DIR "/tests/responses-smdp-es2");
    if (itest_make_cards(dir, 1, "+4479000001", NULL, 2, eid) ||
        itest_transport_keys(dir, EUM1, "transport-keys"))
        return -1;
    if (write_conf("smsr", SMSR,
                   "[es1]\nci_certs = pki/ca.crt\ntransport_keys = transport-keys\n[es5]\nenabled "
                   "= no\n") ||
        write_conf("smdp", SMDP, ""))
        return -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c smsr.conf entity import pki/pki.json && %s/smdp -c smdp.conf "
             "entity import pki/pki.json",
             dir, SM_BIN_DIR, SM_BIN_DIR);
    if (run(cmd) || start(&smsr, "smsr", &smsr_port))
        return -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf entity callback smsr https://localhost:%d/gsma", dir,
             SM_BIN_DIR, smsr_port);
    if (run(cmd) || start(&smdp, "smdp", &smdp_port))
        return -1;
    /* the card's two profiles were installed by this SM-DP, the second for mno2 (the
     * ProfileInfo is not under the EUM's signature) */
    eis = itest_card_eis(dir, eid[0]);
    if (!eis)
        return -1;
    json_array_foreach(json_object_get(eis, "profileInfo"), i, p) {
        json_object_set_new(p, "smdpId", json_string(SMDP));
        if (i == 1)
            json_object_set_new(p, "mnoId", json_string(MNO2));
    }
    /* and they are in the SM-DP's inventory, each MNO's under a type of its own */
    json_array_foreach(json_object_get(eis, "profileInfo"), i, p) {
        const char *mno = i ? MNO2 : MNO1;
        char csv[64];

        if (i > 1)
            return -1;
        snprintf(iccid[i], sizeof(iccid[i]), "%s", sm_json_str(p, "iccid"));
        snprintf(csv, sizeof(csv), "subs%zu.csv", i);
        snprintf(cmd, sizeof(cmd), "iccid,imsi,k,opc,adm1\n%s,%s,%032d,%032d,12345678\n", iccid[i],
                 sm_json_str(json_object_get(p, "subscriptionAddress"), "imsi"), 1, 2);
        if (itest_write_file(itest_path(dir, csv, NULL), cmd))
            return -1;
        snprintf(cmd, sizeof(cmd),
                 "cd %s && %s/smdp -c smdp.conf profile-type set %s iot --template usim-minimal "
                 "&& %s/smdp -c smdp.conf subscriptions load %s iot %s",
                 dir, SM_BIN_DIR, mno, SM_BIN_DIR, mno, csv);
        if (run(cmd))
            return -1;
    }
    m = json_pack("{s:o}", "eis", eis);
    j = call(smsr_port, "eum1", EUM1, "es1/registerEIS", m, 200, NULL);
    json_decref(m);
    if (strcmp(itest_exec_status(j), "Executed-Success")) {
        json_decref(j);
        return -1;
    }
    json_decref(j);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    itest_stop(&smdp, 5000);
    itest_stop(&smsr, 5000);
    if (getenv("SM_KEEP_TEST_DIR"))
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) ? -1 : 0;
}

/* The profiles in an answer's EIS: their ICCIDs' owners, in order, as "mno,mno". */
static void owners(const json_t *j, char *out, size_t n)
{
    const json_t *p;
    size_t i, used = 0;

    out[0] = 0;
    json_array_foreach(json_object_get(json_object_get(j, "eis"), "profileInfo"), i, p)
        used +=
            (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", sm_json_str(p, "mnoId"));
}

static void get_eis_filtered(void **state)
{
    json_t *m = json_pack("{s:s, s:s}", "eid", eid[0], "smsrId", SMSR), *j;
    char who[128];

    (void)state;
    j = call(smdp_port, "mno1", MNO1, "es2/getEIS", m, 200, "es2.getEIS.response.schema.json");
    itest_expect_status(json_incref(j), "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(
        sm_json_str(json_object_get(json_object_get(j, "eis"), "eumSignedInfo"), "eid"), eid[0]);
    owners(j, who, sizeof(who));
    assert_string_equal(who, MNO1);
    json_decref(j);
    j = call(smdp_port, "mno2", MNO2, "es2/getEIS", m, 200, "es2.getEIS.response.schema.json");
    owners(j, who, sizeof(who));
    assert_string_equal(who, MNO2);
    /* never an ISD-R key on the way (eis-filtered: key sets without "key") */
    {
        const json_t *ks;
        size_t i;

        json_array_foreach(
            json_object_get(json_object_get(json_object_get(j, "eis"), "isdR"), "keyset"), i, ks)
            assert_null(json_object_get(ks, "key"));
    }
    json_decref(j);
    json_decref(m);
}

static void get_eis_refusals(void **state)
{
    json_t *m;

    (void)state;
    /* the SM-SR's answer: no such card */
    m = json_pack("{s:s, s:s}", "eid", eid[1], "smsrId", SMSR);
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/getEIS", m, 200, NULL), "Failed",
                        "8.1.1", "3.9", NULL);
    json_decref(m);
    /* not an SM-SR this SM-DP works with: another entity's OID, an unknown OID */
    m = json_pack("{s:s, s:s}", "eid", eid[0], "smsrId", MNO2);
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/getEIS", m, 200, NULL), "Failed", "8.7",
                        "3.9", "not an SM-SR");
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", eid[0], "smsrId", "2.999.2.77");
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/getEIS", m, 200, NULL), "Failed", "8.7",
                        "3.9", NULL);
    json_decref(m);
    /* malformed: a bad EID, no SM-SR */
    m = json_pack("{s:s, s:s}", "eid", "8904903200000000000000000000099X", "smsrId", SMSR);
    json_decref(call(smdp_port, "mno1", MNO1, "es2/getEIS", m, 400, NULL));
    json_decref(m);
    m = json_pack("{s:s}", "eid", eid[0]);
    json_decref(call(smdp_port, "mno1", MNO1, "es2/getEIS", m, 400, NULL));
    json_decref(m);
    /* ES2 is the MNO's */
    m = json_pack("{s:s, s:s}", "eid", eid[0], "smsrId", SMSR);
    json_decref(call(smdp_port, "eum1", EUM1, "es2/getEIS", m, 403, NULL));
    json_decref(m);
}

/* The profile (index i) as mno1 reads it through the SM-DP; NULL when it is not there. */
static json_t *profile_seen(const char *who, const char *id, const char *iccid_)
{
    json_t *m = json_pack("{s:s, s:s}", "eid", eid[0], "smsrId", SMSR),
           *j = call(smdp_port, who, id, "es2/getEIS", m, 200, NULL), *p, *hit = NULL;
    size_t i;

    json_array_foreach(json_object_get(json_object_get(j, "eis"), "profileInfo"), i, p) {
        if (!strcmp(sm_json_str(p, "iccid"), iccid_))
            hit = json_incref(p);
    }
    json_decref(j);
    json_decref(m);
    return hit;
}

/* POL2 through the SM-DP: the MNO's own profile only, a known one, well formed. */
static void update_policy_rules(void **state)
{
    json_t *rule = json_pack("{s:[{s:s, s:s, s:s}]}", "rule", "subject", "PROFILE", "action",
                             "DELETE", "qualification", "Not-Allowed"),
           *m, *p;

    (void)state;
    m = json_pack("{s:s, s:s, s:s, s:O}", "eid", eid[0], "smsrId", SMSR, "iccid", iccid[0], "pol2",
                  rule);
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/updatePolicyRules", m, 200,
                             "es2.updatePolicyRules.response.schema.json"),
                        "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    p = profile_seen("mno1", MNO1, iccid[0]);
    assert_non_null(p);
    {
        const char *action = sm_json_str(
            json_array_get(json_object_get(json_object_get(p, "pol2"), "rule"), 0), "action");

        if (!action)
            fail_msg("no POL2 rule in %s", sm_json_dump(p));
        assert_string_equal(action, "DELETE");
    }
    json_decref(p);
    /* mno2's profile, a profile this SM-DP does not have, a POL2 that is not one */
    m = json_pack("{s:s, s:s, s:s, s:O}", "eid", eid[0], "smsrId", SMSR, "iccid", iccid[1], "pol2",
                  rule);
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/updatePolicyRules", m, 200, NULL),
                        "Failed", "8.2.1", "1.2", NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s, s:s, s:O}", "eid", eid[0], "smsrId", SMSR, "iccid",
                  "8999900000000000006", "pol2", rule);
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/updatePolicyRules", m, 200, NULL),
                        "Failed", "8.2.1", "3.9", NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s, s:s, s:{s:[{s:s, s:s, s:s}]}}", "eid", eid[0], "smsrId", SMSR,
                  "iccid", iccid[0], "pol2", "rule", "subject", "PROFILE", "action", "REBOOT",
                  "qualification", "Not-Allowed");
    json_decref(call(smdp_port, "mno1", MNO1, "es2/updatePolicyRules", m, 400, NULL));
    json_decref(m);
    json_decref(rule);
}

/* A new MSISDN through the SM-DP: in the EIS afterwards. */
static void update_subscription_address(void **state)
{
    json_t *m, *p;

    (void)state;
    m = json_pack("{s:s, s:s, s:s, s:{s:s}}", "eid", eid[0], "smsrId", SMSR, "iccid", iccid[0],
                  "newSubscriptionAddress", "msisdn", "447700900123");
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/updateSubscriptionAddress", m, 200,
                             "es2.updateSubscriptionAddress.response.schema.json"),
                        "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    p = profile_seen("mno1", MNO1, iccid[0]);
    assert_non_null(p);
    assert_string_equal(sm_json_str(json_object_get(p, "subscriptionAddress"), "msisdn"),
                        "447700900123");
    json_decref(p);
    /* mno2 may not change mno1's */
    m = json_pack("{s:s, s:s, s:s, s:{s:s}}", "eid", eid[0], "smsrId", SMSR, "iccid", iccid[0],
                  "newSubscriptionAddress", "msisdn", "447700900999");
    itest_expect_status(
        call(smdp_port, "mno2", MNO2, "es2/updateSubscriptionAddress", m, 200, NULL), "Failed",
        "8.2.1", "1.2", NULL);
    json_decref(m);
}

/* ---- the MNO's callback receiver ---- */

static pthread_mutex_t rx_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *rx_log; /* [{path, body}] of what was accepted */
static int rx_refuse;  /* answer 503 to this many first */
static struct MHD_Daemon *receiver;

static unsigned on_post(void *arg, const char *path, const char *body)
{
    unsigned code = 200;

    (void)arg;
    pthread_mutex_lock(&rx_mu);
    if (rx_refuse > 0) {
        rx_refuse--;
        code = 503;
    } else {
        json_array_append_new(rx_log, json_pack("{s:s, s:s}", "path", path, "body", body));
    }
    pthread_mutex_unlock(&rx_mu);
    return code;
}

static size_t received(void)
{
    size_t n;

    pthread_mutex_lock(&rx_mu);
    n = json_array_size(rx_log);
    pthread_mutex_unlock(&rx_mu);
    return n;
}

/* The inventory's count of a state for mno1's type, from the command line. */
static int count_in(const char *state)
{
    char cmd[512], out[4096], *line, *save = NULL;
    char *argv[] = {(char *)"/bin/sh", "-c", cmd, NULL};
    int n = 0;

    snprintf(cmd, sizeof(cmd), "cd %s && %s/smdp -c smdp.conf inventory %s", dir, SM_BIN_DIR, MNO1);
    assert_int_equal(itest_run(argv, out, sizeof(out)), 0);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char m[64], t[64], st[32];
        int c;

        if (sscanf(line, "%63s %63s %31s %d", m, t, st, &c) == 4 && !strcmp(st, state))
            n = c;
    }
    return n;
}

static json_t *notification(const char *iccid_)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "eid", eid[0], "iccid", iccid_, "completionTimestamp",
                     "2026-12-05T07:00:00Z", "mnoId", MNO1);
}

/* The SM-SR delivers a notification to path with its call identifier; it is taken. */
static void delivered_to(const char *path, const json_t *m, const char *call_id)
{
    itest_expect_status(itest_call_fn(dir, smdp_port, "smsr", SMSR, path, m, call_id, 0, 200, NULL),
                        "Executed-Success", NULL, NULL, NULL);
}

static void delivered(const char *what, const json_t *m, const char *call_id)
{
    char path[96];

    snprintf(path, sizeof(path), "es3/handleProfile%sNotification", what);
    delivered_to(path, m, call_id);
}

/* The SM-SR's notifications: the inventory follows and the MNO hears them (ES2); when the MNO
 * cannot be told the SM-SR gets 503, and its next delivery (same call identifier) runs again. */
static void notifications_passed_on(void **state)
{
    char cmd[512];
    json_t *m, *j, *b;
    int rport;

    (void)state;
    rx_log = json_array();
    rport = itest_receiver_start(dir, on_post, NULL, &receiver);
    assert_true(rport > 0);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf entity callback mno1 https://localhost:%d/mno1", dir,
             SM_BIN_DIR, rport);
    assert_int_equal(run(cmd), 0);
    /* enabled: passed on as ES2, the inventory says enabled */
    m = notification(iccid[0]);
    delivered("Enabled", m, "n-enabled");
    assert_int_equal(received(), 1);
    pthread_mutex_lock(&rx_mu);
    assert_string_equal(sm_json_str(json_array_get(rx_log, 0), "path"),
                        "/mno1/es2/handleProfileEnabledNotification");
    b = json_loads(sm_json_str(json_array_get(rx_log, 0), "body"), 0, NULL);
    pthread_mutex_unlock(&rx_mu);
    assert_string_equal(sm_json_str(b, "iccid"), iccid[0]);
    assert_string_equal(sm_json_str(b, "eid"), eid[0]);
    assert_string_equal(sm_json_str(json_object_get(b, "header"), "functionCallIdentifier"),
                        "n-enabled");
    itest_record_json("notify.handleProfileEnabledNotification.schema.json", b);
    json_decref(b);
    assert_int_equal(count_in("enabled"), 1);
    /* the MNO is away: 503 to the SM-SR, nothing journaled; the same delivery again goes */
    json_object_set_new(m, "completionTimestamp", json_string("2026-12-05T07:01:00Z"));
    rx_refuse = 1;
    j = itest_call_fn(dir, smdp_port, "smsr", SMSR, "es3/handleProfileDisabledNotification", m,
                      "n-disabled", 0, 503, NULL);
    itest_expect_status(j, "Failed", "8.2", "5.1", "again");
    assert_int_equal(received(), 1);
    delivered("Disabled", m, "n-disabled");
    assert_int_equal(received(), 2);
    assert_int_equal(count_in("disabled"), 1);
    json_decref(m);
    /* deleted: the ICCID is available again (the type releases) */
    m = notification(iccid[0]);
    delivered("Deleted", m, "n-deleted");
    assert_int_equal(received(), 3);
    assert_int_equal(count_in("available"), 1);
    json_decref(m);
    /* a profile this SM-DP does not have: acknowledged, nobody told */
    m = notification("8999900000000000006");
    delivered("Enabled", m, "n-unknown");
    assert_int_equal(received(), 3);
    /* an SM-SR change: the MNO hears it with the EIS as the SM-DP saw it, its own profiles only */
    {
        json_t *q = json_pack("{s:s}", "eid", eid[0]),
               *v = itest_call_fn(dir, smsr_port, "smdp", SMDP, "es3/getEIS", q, "n-view", 0, 200,
                                  NULL),
               *n = json_pack("{s:O, s:s, s:s}", "eis", json_object_get(v, "eis"),
                              "completionTimestamp", "2026-12-05T07:02:00Z", "mnoId", MNO1);
        char who[128];

        delivered_to("es3/handleSMSRChangeNotification", n, "n-change");
        assert_int_equal(received(), 4);
        pthread_mutex_lock(&rx_mu);
        assert_string_equal(sm_json_str(json_array_get(rx_log, 3), "path"),
                            "/mno1/es2/handleSMSRChangeNotification");
        b = json_loads(sm_json_str(json_array_get(rx_log, 3), "body"), 0, NULL);
        pthread_mutex_unlock(&rx_mu);
        owners(b, who, sizeof(who));
        assert_string_equal(who, MNO1);
        itest_record_json("notify.handleSMSRChangeNotification.schema.json", b);
        json_decref(b);
        json_decref(n);
        json_decref(v);
        json_decref(q);
    }
    /* malformed: a bad EID, no completion time; the SM-DP serves on */
    json_object_set_new(m, "eid", json_string("8904903200000000000000000000099X"));
    json_decref(itest_call_fn(dir, smdp_port, "smsr", SMSR, "es3/handleProfileEnabledNotification",
                              m, "n-bad-eid", 0, 400, NULL));
    json_object_set_new(m, "eid", json_string(eid[0]));
    json_object_del(m, "completionTimestamp");
    json_decref(itest_call_fn(dir, smdp_port, "smsr", SMSR, "es3/handleProfileEnabledNotification",
                              m, "n-no-time", 0, 400, NULL));
    assert_int_equal(received(), 4);
    /* only an SM-SR sends these */
    json_decref(
        call(smdp_port, "mno1", MNO1, "es3/handleProfileEnabledNotification", m, 403, NULL));
    json_decref(m);
    MHD_stop_daemon(receiver);
    json_decref(rx_log);
}

/* The SM-SR is down: refused with the SM-SR as subject, the SM-DP serving on. */
static void smsr_unreachable(void **state)
{
    json_t *m = json_pack("{s:s, s:s}", "eid", eid[0], "smsrId", SMSR);

    (void)state;
    kill(smsr.pid, SIGKILL);
    itest_stop(&smsr, 5000);
    itest_expect_status(call(smdp_port, "mno1", MNO1, "es2/getEIS", m, 200, NULL), "Failed", "8.7",
                        "5.1", "could not be reached");
    json_decref(m);
    assert_true(itest_alive(&smdp));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(get_eis_filtered),
    cmocka_unit_test(get_eis_refusals),
    cmocka_unit_test(update_policy_rules),
    cmocka_unit_test(update_subscription_address),
    cmocka_unit_test(notifications_passed_on),
    cmocka_unit_test(smsr_unreachable),
    cmocka_unit_test(itest_responses_match_schemas),
    /* one per line */
};

int main(void)
{
    return cmocka_run_group_tests(tests, setup, teardown);
}
