/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM-SR change end to end (SGP.02 7.8), five real processes: two smsr instances (SM-SR1 holds
 * the cards, SM-SR2 takes one over), smsc-sim and euicc-sim, and this test as the MNO. ES4
 * PrepareSMSRChange at SM-SR2, ES4 SMSRChange at SM-SR1; between them ES7 HandoverEUICC,
 * AuthenticateSMSR and CreateAdditionalKeySet with the card's key establishment (3A01/3A02 in
 * SM-SR1's secured packets, over SMS or HTTPS as SM_ES5_BEARER says), FinaliseISDRhandover with
 * SM-SR2's new keys. Afterwards SM-SR2 runs the card and SM-SR1 no longer can.
 */
#include <errno.h>
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
#include "sm/hex.h"
#include "sm/secret.h"
#include "sm/rng.h"
#include "sm/gpcert.h"
#include "sm/ecka.h"
#include "sm/json.h"

#define SMSR1_ADDRESS "4479000001"
#define SMSR2_ADDRESS "4479000002"
#define SMSR1         "2.999.2.1"
#define SMSR2         "2.999.2.2"
#define MNO1          "2.999.10.1"
#define MNO2          "2.999.10.2"
#define EUM1          "2.999.20.1"

#define expect itest_expect_status

static char dir[] = "/tmp/sm-es7-XXXXXX";
static struct itest_proc sr1, sr2, smsc, sim;
static int port1, port2;
#define NCARDS 3
static char eids[NCARDS][33];
static char oper_iccids[NCARDS][21]; /* operational profiles (disabled) */
static unsigned calls;

static struct MHD_Daemon *receiver;
static pthread_mutex_t rx_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *rx_log;

static char *path_in(const char *a, const char *b)
{
    return itest_path(dir, a, b);
}

static int run(const char *cmd)
{
    char out[4096];

    return itest_sh(cmd, out, sizeof(out));
}

static int start_sr(struct itest_proc *p, const char *name, int *port)
{
    return itest_start_daemon(dir, p, name, "smsr", port);
}

/* POST /gsma/<path> to SM-SR port as name (OID id). */
static json_t *post(int port, const char *name, const char *id, const char *path, json_t *members,
                    const char *call_id, int validity, long expect_http, const char *schema)
{
    char cid[64];

    snprintf(cid, sizeof(cid), "es7-call-%u", ++calls);
    return itest_call_fn(dir, port, name, id, path, members, call_id ? call_id : cid, validity,
                         expect_http, schema);
}

/* Wait for the operation to be done at port; its final response. */
static json_t *outcome(int port, const char *name, const char *call_id, int timeout_s,
                       const char *schema)
{
    return itest_outcome(dir, port, name, call_id, timeout_s, schema);
}

static unsigned on_post(void *arg, const char *path, const char *body)
{
    (void)arg;
    pthread_mutex_lock(&rx_mu);
    json_array_append_new(rx_log, json_pack("{s:s, s:s}", "path", path, "body", body));
    pthread_mutex_unlock(&rx_mu);
    return 200;
}

/* The first POST to path whose body's eis names eid, within timeout_s; NULL if none. */
static json_t *received_change(const char *path, const char *eid, int timeout_s)
{
    for (int t = 0; t < timeout_s * 10; t++) {
        json_t *e, *hit = NULL;
        size_t i;

        pthread_mutex_lock(&rx_mu);
        json_array_foreach(rx_log, i, e) {
            json_t *b = json_loads(json_string_value(json_object_get(e, "body")), 0, NULL);
            const char *v = json_string_value(json_object_get(
                json_object_get(json_object_get(b, "eis"), "eumSignedInfo"), "eid"));

            if (!hit && !strcmp(json_string_value(json_object_get(e, "path")), path) && v &&
                !strcmp(v, eid))
                hit = json_incref(b);
            json_decref(b);
        }
        pthread_mutex_unlock(&rx_mu);
        if (hit)
            return hit;
        usleep(100 * 1000);
    }
    return NULL;
}

static int setup(void **state)
{
    char cmd[2048];
    int smsc_port, rx_port;

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki", NULL), false, NULL))
        return -1;
    if (itest_write_file(path_in("smsc.conf", NULL),
                         "[smpp]\nlisten = 127.0.0.1:0\nport_file = smsc.port\n"
                         "[account.sr1]\npassword = pw\nroutes = " SMSR1_ADDRESS "\n"
                         "[account.sr2]\npassword = pw\nroutes = " SMSR2_ADDRESS "\n"
                         "[account.euicc-sim]\npassword = simpw\nroutes = 4479100\n") ||
        itest_spawn_conf(dir, &smsc, "smsc-sim", "smsc-sim", "smsc.conf", NULL))
        return -1;
    smsc_port = itest_wait_port_file(path_in("smsc.port", NULL), 10000);
    if (smsc_port <= 0)
        return -1;
    if (itest_make_cards(dir, smsc_port, "+" SMSR1_ADDRESS, NULL, NCARDS, eids))
        return -1;
    for (int i = 0; i < NCARDS; i++) {
        json_t *e = itest_card_eis(dir, eids[i]);

        if (!e)
            return -1;
        snprintf(oper_iccids[i], sizeof(oper_iccids[i]), "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(e, "profileInfo"), 1), "iccid")));
        json_decref(e);
    }
    if (itest_transport_keys(dir, EUM1, "transport-keys") ||
        itest_write_file(path_in("none", NULL), "") || chmod(path_in("none", NULL), 0600))
        return -1;
    /* SM-SR1 has the EUM's transport key (the cards are registered there); SM-SR2 none */
    if (itest_smsr_conf(dir, "sr1", SMSR1, "smsr", SMSR1_ADDRESS, smsc_port, "transport-keys") ||
        itest_smsr_conf(dir, "sr2", SMSR2, "smsr2", SMSR2_ADDRESS, smsc_port, "none"))
        return -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c sr1.conf entity import pki/pki.json && %s/smsr -c sr2.conf "
             "entity import pki/pki.json",
             dir, SM_BIN_DIR, SM_BIN_DIR);
    if (run(cmd) || start_sr(&sr1, "sr1", &port1) || start_sr(&sr2, "sr2", &port2))
        return -1;
    /* each SM-SR knows the other's API; the MNO's system hears SM-SR2's notifications */
    rx_log = json_array();
    rx_port = itest_receiver_start(dir, on_post, NULL, &receiver);
    if (rx_port <= 0)
        return -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c sr1.conf entity callback smsr2 https://localhost:%d/gsma && "
             "%s/smsr -c sr2.conf entity callback smsr https://localhost:%d/gsma && %s/smsr -c "
             "sr2.conf entity callback mno1 https://localhost:%d",
             dir, SM_BIN_DIR, port2, SM_BIN_DIR, port1, SM_BIN_DIR, rx_port);
    if (run(cmd))
        return -1;
    {
        char rec[512];

        snprintf(rec, sizeof(rec), "%s/tests/responses-es7-%s", SM_BINARY_DIR, itest_bearer());
        itest_record_dir(rec);
    }
    if (itest_register_cards(dir, port1, eids, NCARDS))
        return -1;
    return itest_spawn_conf(dir, &sim, "euicc-sim", "euicc-sim", "sim.conf", "run");
}

static int teardown(void **state)
{
    struct itest_proc *const procs[] = {&sr1, &sr2, &sim, &smsc};

    (void)state;
    json_decref(rx_log);
    return itest_teardown(dir, procs, 4, receiver);
}

static void record_notification(json_t *j)
{
    itest_record_json("notify.handleSMSRChangeNotification.schema.json", j);
}

static json_t *eid_msg(const char *eid)
{
    return json_pack("{s:s}", "eid", eid);
}

/* An audit through the SM-SR at port: proves it can reach the card with its keys. */
static void audit_ok(int port, const char *eid, const char *schema)
{
    json_t *m = eid_msg(eid);
    char cid[64];

    snprintf(cid, sizeof(cid), "audit-%u", ++calls);
    json_decref(post(port, "mno1", MNO1, "es4/auditEIS", m, cid, 0, 202, NULL));
    json_decref(m);
    expect(outcome(port, "mno1", cid, 60, schema), "Executed-Success", NULL, NULL, NULL);
}

/* What each side refuses before anything reaches the card. */
static void refusals(void **state)
{
    const char *eid = eids[1];
    json_t *m;

    (void)state;
    /* ES4.SMSRChange: only an MNO with a profile on the card; only to a known SM-SR */
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR2);
    expect(post(port1, "mno2", MNO2, "es4/smsrChange", m, NULL, 0, 200,
                "es4.smsrChange.response.schema.json"),
           "Failed", "8.1.1", "1.2", "no profile");
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", "2.999.9.9");
    expect(post(port1, "mno1", MNO1, "es4/smsrChange", m, NULL, 0, 200, NULL), "Failed", "8.7",
           "3.9", NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR1);
    expect(post(port1, "mno1", MNO1, "es4/smsrChange", m, NULL, 0, 200, NULL), "Failed", "8.7",
           "2.1", NULL);
    json_decref(m);
    /* PrepareSMSRChange: from a known SM-SR, for a card not managed here already */
    m = json_pack("{s:s, s:s}", "eid", eid, "currentSmsrId", "2.999.9.9");
    expect(post(port2, "mno1", MNO1, "es4/prepareSMSRChange", m, NULL, 0, 200,
                "es4.prepareSMSRChange.response.schema.json"),
           "Failed", "8.7", "3.9", NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", eid, "currentSmsrId", SMSR2);
    expect(post(port1, "mno1", MNO1, "es4/prepareSMSRChange", m, NULL, 0, 200, NULL), "Failed",
           "8.1.1", "3.3", "already");
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", "not-an-eid", "currentSmsrId", SMSR1);
    json_decref(post(port2, "mno1", MNO1, "es4/prepareSMSRChange", m, NULL, 0, 400, NULL));
    json_decref(m);
    /* ES7 is for SM-SRs only */
    m = json_pack("{s:{}}", "eis");
    json_decref(post(port2, "mno1", MNO1, "es7/handoverEUICC", m, NULL, 0, 403, NULL));
    json_decref(m);
    /* AuthenticateSMSR / CreateAdditionalKeySet without a change of that card under way */
    {
        uint8_t der[1024];
        char hex[2049];
        FILE *f = fopen(path_in("pki/smsr2.gpcert", NULL), "rb");
        size_t n = f ? fread(der, 1, sizeof(der), f) : 0;

        if (f)
            fclose(f);
        assert_true(n > 0);
        sm_hex_encode_upper(der, n, hex);
        m = json_pack("{s:{s:{s:s}}, s:s}", "eis", "eumSignedInfo", "eid", eid, "smsrCertificate",
                      hex);
        expect(post(port1, "smsr2", SMSR2, "es7/authenticateSMSR", m, NULL, 0, 200, NULL), "Failed",
               "8.1.1", "1.2", "no change");
        json_decref(m);
        /* a certificate that is not an SM-SR's is malformed input */
        m = json_pack("{s:{s:{s:s}}, s:s}", "eis", "eumSignedInfo", "eid", eid, "smsrCertificate",
                      "7F2103010203");
        json_decref(post(port1, "smsr2", SMSR2, "es7/authenticateSMSR", m, NULL, 0, 400, NULL));
        json_decref(m);
    }
    m = json_pack("{s:s, s:i, s:i, s:s, s:i, s:s, s:s, s:s}", "eid", eid, "keyVersionNumber", 2,
                  "initialSequenceCounter", 0, "eccKeyLength", "ECC-256", "scenarioParameter", 11,
                  "hostId", "00112233445566778899AABBCCDDEEFF", "ephemeralPublicKey",
                  "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7"
                  "F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5",
                  "signature",
                  "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
                  "000000000000000000000000000000000000000000000000");
    expect(post(port1, "smsr2", SMSR2, "es7/createAdditionalKeySet", m, NULL, 0, 200, NULL),
           "Failed", "8.4", "3.1", "not offered");
    json_decref(m);
    /* HandoverEUICC without the new SM-SR's consent */
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR2);
    json_decref(post(port1, "mno1", MNO1, "es4/smsrChange", m, "change-unprepared", 0, 202, NULL));
    json_decref(m);
    expect(outcome(port1, "mno1", "change-unprepared", 60, "es4.smsrChange.response.schema.json"),
           "Failed", "8.7", "4.2", "prepared");
    /* the card stayed with SM-SR1, unlocked and reachable */
    audit_ok(port1, eid, NULL);
    /* a consent from an MNO without a profile on the card does not count */
    m = json_pack("{s:s, s:s}", "eid", eid, "currentSmsrId", SMSR1);
    expect(post(port2, "mno2", MNO2, "es4/prepareSMSRChange", m, NULL, 0, 200, NULL),
           "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR2);
    json_decref(
        post(port1, "mno1", MNO1, "es4/smsrChange", m, "change-foreign-consent", 0, 202, NULL));
    json_decref(m);
    expect(outcome(port1, "mno1", "change-foreign-consent", 60, NULL), "Failed", "8.7", "4.2",
           "no profile");
    audit_ok(port1, eid, NULL);
    m = eid_msg(eid);
    expect(post(port2, "mno1", MNO1, "es4/getEIS", m, NULL, 0, 200, NULL), "Failed", "8.1.1", "3.9",
           NULL);
    json_decref(m);
}

/* POST /gsma/operations, where another SM-SR says a call of ours ended: only SM-SRs, only a
 * JSON object naming the call; whatever comes, the daemon answers and keeps serving. */
static void callback_input(void **state)
{
    static const struct {
        const char *who, *body;
        long status;
    } cases[] = {
        {"mno1", "{\"functionCallIdentifier\":\"x\"}", 403},
        {"smsr2", "{\"functionCallIdentifier\":", 400},
        {"smsr2", "[1,2]", 400},
        {"smsr2", "{\"state\":\"done\"}", 400},
        {"smsr2", "{\"functionCallIdentifier\":7}", 400},
        /* a result nobody waits for is taken and ignored */
        {"smsr2", "{\"functionCallIdentifier\":\"nobody-waits\",\"state\":\"done\"}", 200},
    };
    char url[128], *big;
    struct itest_resp r;

    (void)state;
    snprintf(url, sizeof(url), "https://localhost:%d/gsma/operations", port1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct itest_identity who = itest_as(dir, cases[i].who);

        assert_int_equal(itest_request(&who, "POST", url, cases[i].body, strlen(cases[i].body), &r),
                         0);
        if (r.status != cases[i].status)
            fail_msg("%s: HTTP %ld, expected %ld: %s", cases[i].body, r.status, cases[i].status,
                     r.body);
        itest_resp_free(&r);
    }
    {
        struct itest_identity who = itest_as(dir, "smsr2");

        /* GET is for reading a result by its identifier */
        assert_int_equal(itest_request(&who, "GET", url, NULL, 0, &r), 0);
        assert_int_equal(r.status, 405);
        itest_resp_free(&r);
        big = malloc(4 << 20);
        assert_non_null(big);
        memset(big, ' ', 4 << 20);
        assert_int_equal(itest_request(&who, "POST", url, big, 4 << 20, &r), 0);
        free(big);
        assert_int_equal(r.status, 413);
        itest_resp_free(&r);
    }
    audit_ok(port1, eids[1], NULL);
}

/* The change itself, then the card under SM-SR2 and out of SM-SR1's reach. */
static void smsr_change(void **state)
{
    const char *eid = eids[0];
    json_t *m, *j, *n;

    (void)state;
    m = json_pack("{s:s, s:s}", "eid", eid, "currentSmsrId", SMSR1);
    expect(post(port2, "mno1", MNO1, "es4/prepareSMSRChange", m, NULL, 0, 200,
                "es4.prepareSMSRChange.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR2);
    json_decref(post(port1, "mno1", MNO1, "es4/smsrChange", m, "change-1", 0, 202, NULL));
    json_decref(m);
    /* while it runs, the card takes no other operation at SM-SR1 (the EIS is locked) */
    expect(outcome(port1, "mno1", "change-1", 120, "es4.smsrChange.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    /* SM-SR1 forgot the card */
    m = eid_msg(eid);
    expect(post(port1, "mno1", MNO1, "es4/getEIS", m, NULL, 0, 200, NULL), "Failed", "8.1.1", "3.9",
           NULL);
    /* SM-SR2 has it, as its own */
    j = post(port2, "mno1", MNO1, "es4/getEIS", m, NULL, 0, 200, "es4.getEIS.response.schema.json");
    assert_string_equal(itest_exec_status(j), "Executed-Success");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "eis"), "smsrId")),
                        SMSR2);
    /* its ISD-R holds SM-SR2's key sets only: SM-SR1's SCP80 (01) and SCP81 (40) sets are
     * deleted; SM-SR2 made an SCP80 set by key establishment and then an SCP81 set (the card
     * supports HTTPS) under a KVN SM-SR1's set did not use */
    {
        json_t *sets =
                   json_object_get(json_object_get(json_object_get(j, "eis"), "isdR"), "keyset"),
               *ks;
        size_t i, n80 = 0, n81 = 0;

        json_array_foreach(sets, i, ks) {
            const char *type = json_string_value(json_object_get(ks, "type"));
            json_int_t kvn = json_integer_value(json_object_get(ks, "version"));

            if (type && !strcmp(type, "SCP80")) {
                assert_int_not_equal(kvn, 1);
                n80++;
            } else if (type && !strcmp(type, "SCP81")) {
                assert_int_equal(kvn, 0x41);
                n81++;
            }
        }
        assert_int_equal(n80, 1);
        assert_int_equal(n81, 1);
    }
    json_decref(j);
    json_decref(m);
    /* the MNO heard it from SM-SR2 (ES4) */
    n = received_change("/es4/handleSMSRChangeNotification", eid, 30);
    assert_non_null(n);
    record_notification(n);
    json_decref(n);
    /* SM-SR2 reaches the card with its own keys, over HTTPS with its new SCP81 set when that
     * is the bearer; the card's notification of a profile change comes to SM-SR2's address
     * (given in the finalisation) */
    assert_true(itest_metric(dir, port2, "sm_smsr_admin_sessions_total") == 0);
    audit_ok(port2, eid, "es4.auditEIS.response.schema.json");
    if (!strcmp(itest_bearer(), "https"))
        assert_true(itest_metric(dir, port2, "sm_smsr_admin_sessions_total") >= 1);
    else
        assert_true(itest_metric(dir, port2, "sm_smsr_admin_sessions_total") == 0);
    m = json_pack("{s:s, s:s}", "eid", eid, "iccid", oper_iccids[0]);
    json_decref(post(port2, "mno1", MNO1, "es4/enableProfile", m, "enable-after", 0, 202, NULL));
    json_decref(m);
    expect(outcome(port2, "mno1", "enable-after", 60, NULL), "Executed-Success", NULL, NULL, NULL);
}

/* The previous SM-SR's keys are gone from the card: registered again at SM-SR1 (by its EUM,
 * with the factory keys), the card no longer answers SM-SR1's packets. */
static void old_keys_deleted(void **state)
{
    const char *eid = eids[0];
    char p[128];
    json_t *e, *m, *j;

    (void)state;
    /* (the EUM may register it again: the EID and its ICCIDs left SM-SR1's registry) */
    snprintf(p, sizeof(p), "eis/%s.json", eid);
    e = json_load_file(path_in(p, NULL), 0, NULL);
    assert_non_null(e);
    m = json_pack("{s:o}", "eis", e);
    j = post(port1, "eum1", EUM1, "es1/registerEIS", m, NULL, 0, 200, NULL);
    json_decref(m);
    assert_string_equal(itest_exec_status(j), "Executed-Success");
    json_decref(j);
    m = eid_msg(eid);
    json_decref(post(port1, "mno1", MNO1, "es4/auditEIS", m, "audit-old-keys", 12, 202, NULL));
    json_decref(m);
    /* the card drops packets under a key set it does not have: no PoR, the audit expires */
    expect(outcome(port1, "mno1", "audit-old-keys", 60, NULL), "Expired", NULL, NULL, NULL);
}

/* 7.8 Retry: SM-SR1 holds the card again (as it would after timing out while SM-SR2 verified
 * the receipt: old_keys_deleted registered it again) though SM-SR2 took it over. The MNO's
 * SMSRChange at SM-SR1 ends at once with SM-SR2's warning, without the card (steps 3-5
 * skipped), and SM-SR1 forgets the card; SM-SR2 keeps managing it. */
static void retry_after_timeout(void **state)
{
    const char *eid = eids[0];
    json_t *m;

    (void)state;
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR2);
    json_decref(post(port1, "mno1", MNO1, "es4/smsrChange", m, "change-retry", 0, 202, NULL));
    json_decref(m);
    expect(outcome(port1, "mno1", "change-retry", 60, "es4.smsrChange.response.schema.json"),
           "Executed-WithWarning", "8.1.1", "3.3", "taken over already");
    m = eid_msg(eid);
    expect(post(port1, "mno1", MNO1, "es4/getEIS", m, NULL, 0, 200, NULL), "Failed", "8.1.1", "3.9",
           NULL);
    json_decref(m);
    audit_ok(port2, eid, "es4.auditEIS.response.schema.json");
}

static void db_query(const char *db, const char *sql, char *out, size_t n);

/* An ES7 call to SM-SR1 as smsr2; its final response. */
static json_t *as_smsr2(const char *fn, json_t *m, const char *cid)
{
    char path[64];

    snprintf(path, sizeof(path), "es7/%s", fn);
    json_decref(post(port1, "smsr2", SMSR2, path, m, cid, 0, 202, NULL));
    json_decref(m);
    return outcome(port1, "smsr2", cid, 60, NULL);
}

/* The card checks what the new SM-SR presents, whatever the SM-SRs let through: with SM-SR2
 * away, SM-SR1 holds the change open; a party with SM-SR2's TLS identity then presents a
 * CERT.SR.ECDSA signed by a key that is not the CI's (the card refuses it, 6982 -> 8.5.3 / 6.1)
 * and, after the genuine certificate, a block 1 whose signature is not SM-SR2's (refused too).
 * SM-SR2 comes back, and the change completes as if nothing happened. */
static void forged_sr_identity(void **state)
{
    const char *eid = eids[1];
    uint8_t der[1024], fake_ci[32], pk[65], sk_unused[65];
    struct sm_secret *k = NULL;
    struct sm_buf forged = SM_BUF_INIT;
    struct sm_decode_err de;
    struct sm_gpcert c;
    char hex[2049], out[256], sql[256], cmd[1024];
    size_t n, pklen = sizeof(pk);
    FILE *f;
    json_t *m, *j;

    (void)state;
    (void)sk_unused;
    m = json_pack("{s:s, s:s}", "eid", eid, "currentSmsrId", SMSR1);
    expect(post(port2, "mno1", MNO1, "es4/prepareSMSRChange", m, NULL, 0, 200, NULL),
           "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    itest_stop(&sr2, 5000);
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR2);
    json_decref(post(port1, "mno1", MNO1, "es4/smsrChange", m, "change-forged", 0, 202, NULL));
    json_decref(m);
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(json_extract(params, '$.peerCall'), '') FROM operation WHERE "
             "call_id = 'change-forged'");
    for (int i = 0; i < 100; i++) {
        db_query("sr1.db", sql, out, sizeof(out));
        if (out[0])
            break;
        usleep(100 * 1000);
    }
    assert_true(out[0] != 0);
    /* SM-SR2's certificate, re-signed by a key of our own */
    f = fopen(path_in("pki/smsr2.gpcert", NULL), "rb");
    assert_non_null(f);
    n = fread(der, 1, sizeof(der), f);
    fclose(f);
    assert_int_equal(sm_gpcert_decode(der, n, &c, &de), 0);
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &k, pk, &pklen), 0);
    memcpy(fake_ci, k->data, 32);
    sm_secret_free(k);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, fake_ci, 32, &forged), 0);
    sm_hex_encode_upper(forged.data, forged.len, hex);
    sm_buf_free(&forged);
    m = json_pack("{s:{s:{s:s}}, s:s}", "eis", "eumSignedInfo", "eid", eid, "smsrCertificate", hex);
    expect(as_smsr2("authenticateSMSR", m, "forged-cert"), "Failed", "8.5.3", "6.1",
           "CERT.SR.ECDSA");
    /* the genuine certificate gets a challenge; a block 1 not signed by its key does not pass */
    sm_hex_encode_upper(der, n, hex);
    m = json_pack("{s:{s:{s:s}}, s:s}", "eis", "eumSignedInfo", "eid", eid, "smsrCertificate", hex);
    j = as_smsr2("authenticateSMSR", m, "genuine-cert");
    assert_string_equal(itest_exec_status(j), "Executed-Success");
    assert_int_equal(strlen(json_string_value(json_object_get(j, "randomChallenge"))), 32);
    json_decref(j);
    sm_hex_encode_upper(pk, pklen, hex);
    m = json_pack("{s:s, s:i, s:i, s:s, s:i, s:s, s:s, s:s}", "eid", eid, "keyVersionNumber", 2,
                  "initialSequenceCounter", 0, "eccKeyLength", "ECC-256", "scenarioParameter", 9,
                  "hostId", "00112233445566778899AABBCCDDEEFF", "ephemeralPublicKey", hex,
                  "signature",
                  "11111111111111111111111111111111111111111111111111111111111111111111111111111111"
                  "111111111111111111111111111111111111111111111111");
    expect(as_smsr2("createAdditionalKeySet", m, "forged-signature"), "Failed", "8.5.3", "6.1",
           "signature");
    /* SM-SR2 back (a new port): SM-SR1's handover goes through now */
    assert_int_equal(start_sr(&sr2, "sr2", &port2), 0);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c sr1.conf entity callback smsr2 https://localhost:%d/gsma", dir,
             SM_BIN_DIR, port2);
    assert_int_equal(run(cmd), 0);
    expect(outcome(port1, "mno1", "change-forged", 120, NULL), "Executed-Success", NULL, NULL,
           NULL);
    audit_ok(port2, eid, NULL);
}

static void db_query(const char *db, const char *sql, char *out, size_t n)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
             "print(c.execute(sys.argv[2]).fetchone()[0])' %s/%s \"%s\"",
             dir, db, sql);
    assert_int_equal(itest_sh(cmd, out, n), 0);
    out[strcspn(out, "\n")] = 0;
}

/* Both SM-SRs restarted (new ports): each learns the other's again. */
static void restart_both(void)
{
    char cmd[1024];

    assert_int_equal(start_sr(&sr1, "sr1", &port1), 0);
    assert_int_equal(start_sr(&sr2, "sr2", &port2), 0);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c sr1.conf entity callback smsr2 https://localhost:%d/gsma && "
             "%s/smsr -c sr2.conf entity callback smsr https://localhost:%d/gsma",
             dir, SM_BIN_DIR, port2, SM_BIN_DIR, port1);
    assert_int_equal(run(cmd), 0);
}

/* Durability: both SM-SRs are killed (SIGKILL) while the current one waits for the card's
 * answer to AuthenticateSMSR; restarted, the change completes from the stored state, and both
 * databases pass an integrity check. */
static void killed_mid_change(void **state)
{
    const char *eid = eids[2];
    json_t *m;
    char out[256], sent[256], keys[256];

    (void)state;
    snprintf(sent, sizeof(sent),
             "SELECT coalesce(max(state), '') FROM operation WHERE function = "
             "'es7.authenticateSMSR' AND eid = '%s'",
             eid);
    snprintf(keys, sizeof(keys), "SELECT count(*) FROM isdr_keyset WHERE eid = '%s'", eid);
    m = json_pack("{s:s, s:s}", "eid", eid, "currentSmsrId", SMSR1);
    expect(post(port2, "mno1", MNO1, "es4/prepareSMSRChange", m, NULL, 0, 200, NULL),
           "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    assert_int_equal(kill(sim.pid, SIGSTOP), 0);
    m = json_pack("{s:s, s:s}", "eid", eid, "targetSmsrId", SMSR2);
    json_decref(post(port1, "mno1", MNO1, "es4/smsrChange", m, "change-killed", 0, 202, NULL));
    json_decref(m);
    for (int i = 0; i < 100; i++) {
        db_query("sr1.db", sent, out, sizeof(out));
        if (!strcmp(out, "sent"))
            break;
        usleep(100 * 1000);
    }
    assert_string_equal(out, "sent");
    kill(sr1.pid, SIGKILL);
    kill(sr2.pid, SIGKILL);
    itest_stop(&sr1, 5000);
    itest_stop(&sr2, 5000);
    restart_both();
    assert_int_equal(kill(sim.pid, SIGCONT), 0);
    expect(outcome(port1, "mno1", "change-killed", 120, NULL), "Executed-Success", NULL, NULL,
           NULL);
    audit_ok(port2, eid, NULL);
    db_query("sr1.db", "PRAGMA integrity_check", out, sizeof(out));
    assert_string_equal(out, "ok");
    db_query("sr2.db", "PRAGMA integrity_check", out, sizeof(out));
    assert_string_equal(out, "ok");
    db_query("sr1.db", keys, out, sizeof(out));
    assert_string_equal(out, "0");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(refusals),
    cmocka_unit_test(callback_input),
    cmocka_unit_test(smsr_change),
    cmocka_unit_test(old_keys_deleted),
    cmocka_unit_test(retry_after_timeout),
    cmocka_unit_test(forged_sr_identity),
    cmocka_unit_test(killed_mid_change),
    cmocka_unit_test(itest_responses_match_schemas),
};

int main(void)
{
    return cmocka_run_group_tests(tests, setup, teardown);
}
