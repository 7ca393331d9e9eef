/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM-SR's ES5 engine end to end, four real processes: smsr (ES1, ES4, ES3, the engine, the
 * SCP81 admin agent), smsc-sim (SMPP), euicc-sim (the cards); scripts go over SMS (SCP80) or
 * HTTPS (SCP81) as SM_ES5_BEARER says. Cards are registered through ES1; ES4/ES3
 * calls are answered 202 and followed through GET /gsma/operations until the card's answer
 * ends them. Refusals the SM-SR decides itself are answered at once.
 */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../sm_test.h"
#include "itest.h"
#include "sm/apdu.h"
#include "sm/cipher.h"
#include "sm/devpki.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/rng.h"
#include "sm/scp03.h"
#include "sm/secret.h"
#include "sm/tlv.h"
#include "smpp/pp.h"

#define SMSR_ADDRESS "4479000001"
#define MNO1         "2.999.10.1"

#define status_of itest_exec_status
#define expect    itest_expect_status

static char dir[] = "/tmp/sm-es5-XXXXXX";
static struct itest_proc smsr, smsc, sim;
static int port;
static char eids[2][33];
static char iccids[2][21];      /* provisioning profiles (enabled, fall-back) */
static char oper_iccids[2][21]; /* operational profiles (disabled) */
static char msisdns[2][16];     /* the cards' numbers (the simulator keeps one per card) */
static unsigned calls;

/* the MNO's callback receiver (callbacks_delivered) */
static struct MHD_Daemon *receiver;
static pthread_mutex_t rx_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *rx_log; /* [{"path", "body", "status"}] of every POST received */
static int rx_refuse;  /* answer 503 to this many requests first */

/* SM_ES5_BEARER: sms (SCP80 only) or https (SCP81 admin sessions after a trigger SMS); CTest
 * runs the test once each way. */
static char *path_in(const char *a, const char *b)
{
    return itest_path(dir, a, b);
}

static int run_out(const char *cmd, char *out, size_t n)
{
    return itest_sh(cmd, out, n);
}

static int run(const char *cmd)
{
    char out[4096];

    return run_out(cmd, out, sizeof(out));
}

static int spawn(struct itest_proc *p, const char *name, const char *bin, const char *conf,
                 const char *extra)
{
    return itest_spawn_conf(dir, p, name, bin, conf, extra);
}

static int start_smsr(void)
{
    unlink(path_in("smsr.port", NULL));
    if (spawn(&smsr, "smsr", "smsr", "smsr.conf", NULL))
        return -1;
    port = itest_wait_port_file(path_in("smsr.port", NULL), 15000);
    return port > 0 ? 0 : -1;
}

/* POST /gsma/<path> as name (OID id); the answer's JSON. validity 0: none. */
/* POST /gsma/<path> as name (OID id); the answer's JSON. validity 0: none. */
static json_t *post(const char *name, const char *id, const char *path, json_t *members,
                    const char *call_id, int validity, long expect_http, const char *schema)
{
    char cid[64];

    snprintf(cid, sizeof(cid), "es5-call-%u", ++calls);
    return itest_call_fn(dir, port, name, id, path, members, call_id ? call_id : cid, validity,
                         expect_http, schema);
}

/* Wait for the operation to be done; its final response. */
static json_t *outcome(const char *name, const char *call_id, int timeout_s, const char *schema)
{
    return itest_outcome(dir, port, name, call_id, timeout_s, schema);
}

/* "notifications pending: N" of euicc-sim show. */
static int pending_notifications(const char *eid)
{
    char cmd[1024], out[8192], *p;

    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf show %s", dir, SM_BIN_DIR, eid);
    if (run_out(cmd, out, sizeof(out)))
        return -1;
    p = strstr(out, "notifications pending: ");
    return p ? atoi(p + strlen("notifications pending: ")) : -1;
}

static int setup(void **state)
{
    char cmd[2048], text[2048];
    int smsc_port;

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki", NULL), false, NULL))
        return -1;
    if (itest_write_file(path_in("smsc.conf", NULL),
                         "[smpp]\nlisten = 127.0.0.1:0\nport_file = smsc.port\n"
                         "[account.smsr]\npassword = srpw\nroutes = " SMSR_ADDRESS "\n"
                         "[account.euicc-sim]\npassword = simpw\nroutes = 4479100\n") ||
        spawn(&smsc, "smsc-sim", "smsc-sim", "smsc.conf", NULL))
        return -1;
    smsc_port = itest_wait_port_file(path_in("smsc.port", NULL), 10000);
    if (smsc_port <= 0)
        return -1;
    /* two cards; each reports its first network attachment until the SM-SR confirms it */
    if (itest_make_cards(dir, smsc_port, "+" SMSR_ADDRESS, "attach_notification = yes\n", 2, eids))
        return -1;
    for (int i = 0; i < 2; i++) {
        json_t *e = itest_card_eis(dir, eids[i]);

        if (!e)
            return -1;
        snprintf(iccids[i], sizeof(iccids[i]), "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(e, "profileInfo"), 0), "iccid")));
        snprintf(msisdns[i], sizeof(msisdns[i]), "%s",
                 json_string_value(json_object_get(
                     json_object_get(json_array_get(json_object_get(e, "profileInfo"), 0),
                                     "subscriptionAddress"),
                     "msisdn")));
        snprintf(oper_iccids[i], sizeof(oper_iccids[i]), "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(e, "profileInfo"), 1), "iccid")));
        json_decref(e);
    }
    /* the SM-SR: ES1 trust, the EUM transport key, SMPP to smsc-sim, a short PoR timeout */
    if (itest_transport_keys(dir, "2.999.20.1", "transport-keys"))
        return -1;
    snprintf(text, sizeof(text),
             "test_mode = yes\nid = 2.999.2.1\n[log]\nlevel = info\n[api]\nlisten = "
             "127.0.0.1:0\nport_file = smsr.port\n[tls]\ncert = pki/smsr.crt\nkey = "
             "pki/smsr.key\nclient_ca = pki/ca.crt\n[db]\npath = smsr.db\n[es1]\nci_certs = "
             "pki/ca.crt\ntransport_keys = transport-keys\n[es5]\nsmsc = 127.0.0.1:%d\n"
             "system_id = smsr\npassword = srpw\naddress = +" SMSR_ADDRESS "\npor_timeout = 3\n"
             "bearer = %s\nadmin_listen = 127.0.0.1:0\nhttps_timeout = 3\n[client]\nca = "
             "pki/ca.crt\n",
             smsc_port, itest_bearer());
    if (itest_write_file(path_in("smsr.conf", NULL), text))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/smsr -c smsr.conf entity import pki/pki.json", dir,
             SM_BIN_DIR);
    if (run(cmd) || start_smsr())
        return -1;
    /* one directory per run: CTest runs the HTTPS and the SMS run side by side */
    {
        char rec[512];

        snprintf(rec, sizeof(rec), "%s/tests/responses-es5-%s", SM_BINARY_DIR, itest_bearer());
        itest_record_dir(rec);
    }
    /* register both cards (ES1), then let the simulator serve them */
    if (itest_register_cards(dir, port, eids, 2))
        return -1;
    return spawn(&sim, "euicc-sim", "euicc-sim", "sim.conf", "run");
}

static int teardown(void **state)
{
    struct itest_proc *const procs[] = {&smsr, &sim, &smsc};

    (void)state;
    json_decref(rx_log);
    return itest_teardown(dir, procs, 3, receiver);
}

/* Each card's first-attachment notification reaches the SM-SR over SMS (MO, CC with the ISD-R
 * keys), which records it and confirms it (STORE DATA 3A08 in a secured packet): the card stops
 * repeating it. */
static void notifications_confirmed(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        int n = -1;

        for (int t = 0; t < 300 && (n = pending_notifications(eids[i])) != 0; t++)
            usleep(100 * 1000);
        assert_int_equal(n, 0);
    }
}

/* AuditEIS: GET DATA FF21 and GET STATUS in one script, the card's answers in the EIS. */
static void audit(void **state)
{
    json_t *m = json_pack("{s:s, s:[s]}", "eid", eids[0], "iccid", iccids[0]), *j, *eis, *p;

    (void)state;
    j = post("mno1", MNO1, "es4/auditEIS", m, "audit-1", 0, 202, "operation.schema.json");
    assert_string_equal(json_string_value(json_object_get(j, "state")), "accepted");
    json_decref(j);
    /* the same call again is a retry, not a second operation: the operation's state while it
     * runs (202), its final answer once done (200) */
    j = post("mno1", MNO1, "es4/auditEIS", m, "audit-1", 0, 0, NULL);
    assert_true(json_object_get(j, "state") ? json_object_get(j, "response") == NULL
                                            : !strcmp(status_of(j), "Executed-Success"));
    json_decref(j);
    json_decref(m);
    j = outcome("mno1", "audit-1", 30, "es4.auditEIS.response.schema.json");
    eis = json_object_get(j, "eis");
    assert_non_null(json_object_get(eis, "lastAuditDate"));
    assert_true(json_integer_value(json_object_get(eis, "remainingMemory")) > 0);
    p = json_array_get(json_object_get(eis, "profileInfo"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "state")), "Enabled");
    assert_true(json_is_true(json_object_get(p, "fallbackAttribute")));
    expect(j, "Executed-Success", NULL, NULL, NULL);
    /* ES3 as well: the SM-DP sees no profile it did not create, but the audit runs */
    m = json_pack("{s:s}", "eid", eids[1]);
    json_decref(post("smdp", "2.999.1.1", "es3/auditEIS", m, "audit-2", 0, 202, NULL));
    json_decref(m);
    j = outcome("smdp", "audit-2", 30, "es3.auditEIS.response.schema.json");
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "eis"), "profileInfo")), 0);
    expect(j, "Executed-Success", NULL, NULL, NULL);
}

/* What the SM-SR refuses without asking the card. */
static void refusals(void **state)
{
    json_t *m;

    (void)state;
    /* unknown EID */
    m = json_pack("{s:s, s:s}", "eid", "89049032000000000000000000099976", "iccid", iccids[0]);
    expect(post("mno1", MNO1, "es4/enableProfile", m, NULL, 0, 200, NULL), "Failed", "8.1.1", "3.9",
           NULL);
    json_decref(m);
    /* an ICCID that is not on this card (it is on the other one) */
    m = json_pack("{s:s, s:s}", "eid", eids[0], "iccid", iccids[1]);
    expect(post("mno1", MNO1, "es4/deleteProfile", m, NULL, 0, 200, NULL), "Failed", "8.2.1", "3.9",
           NULL);
    json_decref(m);
    /* not the owner: mno2 on mno1's profile */
    m = json_pack("{s:s, s:s}", "eid", eids[0], "iccid", iccids[0]);
    expect(post("mno2", "2.999.10.2", "es4/disableProfile", m, NULL, 0, 200, NULL), "Failed",
           "8.2.1", "1.2", NULL);
    /* enabling the enabled profile */
    expect(post("mno1", MNO1, "es4/enableProfile", m, NULL, 0, 200, NULL), "Failed", "8.2.1", "3.5",
           "not Disabled");
    /* deleting it */
    expect(post("mno1", MNO1, "es4/deleteProfile", m, NULL, 0, 200, NULL), "Failed", "8.2.1", "3.5",
           NULL);
    /* disabling the only profile, which holds the fall-back attribute */
    expect(post("mno1", MNO1, "es4/disableProfile", m, NULL, 0, 200, NULL), "Failed", "8.2.1",
           "3.8", "fall-back");
    /* the SM-DP did not create it */
    expect(post("smdp", "2.999.1.1", "es3/enableProfile", m, NULL, 0, 200, NULL), "Failed", "8.2.1",
           "1.2", NULL);
    json_decref(m);
    /* malformed ICCID */
    m = json_pack("{s:s, s:s}", "eid", eids[0], "iccid", "8999901");
    json_decref(post("mno1", MNO1, "es4/enableProfile", m, NULL, 0, 400, NULL));
    json_decref(m);
    /* an audit of a profile the MNO cannot see reads as unknown */
    m = json_pack("{s:s, s:[s]}", "eid", eids[0], "iccid", iccids[1]);
    expect(post("mno1", MNO1, "es4/auditEIS", m, NULL, 0, 200, NULL), "Failed", "8.2.1", "3.9",
           NULL);
    json_decref(m);
}

/* The state of profile iccid in the MNO's view of card eid. */
static char *state_in_eis(const char *eid, const char *iccid)
{
    static char state[16];
    json_t *m = json_pack("{s:s}", "eid", eid),
           *j = post("mno1", MNO1, "es4/getEIS", m, NULL, 0, 200, NULL), *p;
    size_t i;

    json_decref(m);
    snprintf(state, sizeof(state), "absent");
    json_array_foreach(json_object_get(json_object_get(j, "eis"), "profileInfo"), i, p) {
        if (!strcmp(json_string_value(json_object_get(p, "iccid")), iccid))
            snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(p, "state")));
    }
    json_decref(j);
    return state;
}

/* Enable the operational profile (the card switches and notifies 02), disable it (the
 * fall-back profile takes over, notification 05), delete it: each over SMS, each ended by the
 * card's word, the EIS following the card. */
static void enable_disable_delete(void **state)
{
    json_t *m = json_pack("{s:s, s:s}", "eid", eids[0], "iccid", oper_iccids[0]);

    (void)state;
    assert_string_equal(state_in_eis(eids[0], oper_iccids[0]), "Disabled");
    json_decref(post("mno1", MNO1, "es4/enableProfile", m, "enable-1", 0, 202, NULL));
    expect(outcome("mno1", "enable-1", 30, "es4.enableProfile.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_in_eis(eids[0], oper_iccids[0]), "Enabled");
    assert_string_equal(state_in_eis(eids[0], iccids[0]), "Disabled");
    /* now the provisioning profile may be deleted? No: it holds the fall-back attribute */
    {
        json_t *m2 = json_pack("{s:s, s:s}", "eid", eids[0], "iccid", iccids[0]);

        expect(post("mno1", MNO1, "es4/deleteProfile", m2, NULL, 0, 200, NULL), "Failed", "8.2.1",
               "3.8", "fall-back");
        json_decref(m2);
    }
    json_decref(post("mno1", MNO1, "es4/disableProfile", m, "disable-1", 0, 202, NULL));
    expect(outcome("mno1", "disable-1", 30, "es4.disableProfile.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_in_eis(eids[0], oper_iccids[0]), "Disabled");
    assert_string_equal(state_in_eis(eids[0], iccids[0]), "Enabled");
    json_decref(post("mno1", MNO1, "es4/deleteProfile", m, "delete-1", 0, 202, NULL));
    expect(outcome("mno1", "delete-1", 30, "es4.deleteProfile.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_in_eis(eids[0], oper_iccids[0]), "absent");
    /* the card agrees: an audit finds one profile */
    json_decref(m);
    m = json_pack("{s:s}", "eid", eids[0]);
    json_decref(post("mno1", MNO1, "es4/auditEIS", m, "audit-after-delete", 0, 202, NULL));
    json_decref(m);
    m = outcome("mno1", "audit-after-delete", 30, NULL);
    assert_int_equal(json_array_size(json_object_get(json_object_get(m, "eis"), "profileInfo")), 1);
    expect(m, "Executed-Success", NULL, NULL, NULL);
}

/* ---- ES3: a whole download relayed over SMS, the test playing the SM-DP ---- */

#define SMDP  "2.999.1.1"
#define ISD_R "A0000005591010FFFFFFFF8900000100"

/* An ES3 relay call (fn: sendData, updateConnectivityParameters) with the TLVs in member as
 * hex; the card's response script decoded into s (its items point into *raw, which the caller
 * frees). */
static void relay(const char *fn, json_t *m, const char *member, const struct sm_buf *tlvs,
                  uint8_t **raw, struct sm_script *s)
{
    char *hex = malloc(2 * tlvs->len + 1), cid[64], path[64], schema[96];
    json_t *j;
    const char *rsp;
    struct sm_decode_err err;
    size_t n;

    assert_non_null(hex);
    sm_hex_encode_upper(tlvs->data, tlvs->len, hex);
    json_object_set_new(m, member, json_string(hex));
    free(hex);
    snprintf(cid, sizeof(cid), "relay-%u", ++calls);
    snprintf(path, sizeof(path), "es3/%s", fn);
    snprintf(schema, sizeof(schema), "es3.%s.response.schema.json", fn);
    json_decref(post("smdp", SMDP, path, m, cid, 0, 202, NULL));
    json_decref(m);
    j = outcome("smdp", cid, 30, schema);
    if (strcmp(status_of(j), "Executed-Success"))
        fail_msg("%s: %s", fn, sm_json_dump(j));
    rsp = json_string_value(json_object_get(j, "euiccResponseData"));
    assert_non_null(rsp);
    n = strlen(rsp) / 2;
    *raw = malloc(n);
    assert_int_equal(sm_hex_decode(rsp, *raw, n), (ssize_t)n);
    assert_int_equal(sm_script_decode(*raw, n, s, &err), 0);
    assert_true(s->response);
    json_decref(j);
}

/* ES3.SendData to sd. */
static void send_data(const char *eid, const char *sd, const struct sm_buf *tlvs, bool more,
                      uint8_t **raw, struct sm_script *s)
{
    relay("sendData", json_pack("{s:s, s:s, s:b}", "eid", eid, "sdAid", sd, "moreToDo", more),
          "data", tlvs, raw, s);
}

/* ES3.UpdateConnectivityParameters for the profile iccid. */
static void ucp(const char *eid, const char *iccid, const struct sm_buf *tlvs, uint8_t **raw,
                struct sm_script *s)
{
    relay("updateConnectivityParameters", json_pack("{s:s, s:s}", "eid", eid, "iccid", iccid),
          "connectivityParameters", tlvs, raw, s);
}

/* A C-APDU as a 22 TLV appended to b. */
static void add_capdu(struct sm_buf *b, uint8_t p1, uint8_t p2, uint8_t ins, const uint8_t *data,
                      size_t len)
{
    struct sm_capdu a = {.cla = 0x80, .ins = ins, .p1 = p1, .p2 = p2, .data = data, .lc = len};
    struct sm_buf apdu = SM_BUF_INIT;

    assert_int_equal(sm_capdu_encode(&a, &apdu), 0);
    assert_int_equal(sm_tlv_put(b, 0x22, apdu.data, apdu.len), 0);
    sm_buf_free(&apdu);
}

/* The SM-DP's keys: a fresh key pair with CERT.DP.ECDSA signed by the development CI. */
static void smdp_identity(uint8_t sk[32], uint8_t pk[65], struct sm_buf *cert)
{
    struct sm_secret *ci = NULL, *s = NULL;
    enum sm_curve curve;
    struct sm_gpcert c;
    size_t publen = 65;

    assert_int_equal(sm_ec_private_from_pem(path_in("pki/ca.key", NULL), &curve, &ci), 0);
    assert_int_equal(curve, SM_CURVE_P256);
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &s, pk, &publen), 0);
    memcpy(sk, s->data, 32);
    sm_secret_free(s);
    memset(&c, 0, sizeof(c));
    c.serial[0] = 0x01;
    c.serial_len = 1;
    c.ca_id[0] = 0x02;
    c.ca_id_len = 1;
    memcpy(c.subject_id, "2.999.1.1", 9);
    c.subject_id_len = 9;
    c.key_usage[0] = 0x88;
    c.key_usage_len = 1;
    c.expiration = 20991231;
    c.has_type = true;
    c.type = SM_GPCERT_TYPE_SMDP;
    c.has_param_ref = true;
    c.curve = SM_CURVE_P256;
    memcpy(c.pub, pk, 65);
    c.pub_len = 65;
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, ci->data, ci->len, cert), 0);
    sm_secret_free(ci);
}

/* PK.ECASD.ECKA of the card, from its EIS as the SM-DP reads it (ES3.GetEIS). */
static void ecasd_key(const char *eid, uint8_t pk[65])
{
    json_t *m = json_pack("{s:s}", "eid", eid),
           *j = post("smdp", SMDP, "es3/getEIS", m, NULL, 0, 200, NULL);
    const char *hex = json_string_value(json_object_get(
        json_array_get(
            json_object_get(
                json_array_get(
                    json_object_get(
                        json_object_get(json_object_get(json_object_get(j, "eis"), "eumSignedInfo"),
                                        "ecasd"),
                        "keyset"),
                    0),
                "certificate"),
            0),
        "value"));
    uint8_t der[512];
    struct sm_gpcert c;
    struct sm_decode_err err;
    ssize_t n;

    assert_non_null(hex);
    n = sm_hex_decode(hex, der, sizeof(der));
    assert_true(n > 0);
    assert_int_equal(sm_gpcert_decode(der, (size_t)n, &c, &err), 0);
    assert_int_equal(c.pub_len, 65);
    memcpy(pk, c.pub, 65);
    json_decref(m);
    json_decref(j);
}

static void es3_download_enable(void **state)
{
    const char *eid = eids[1], *iccid = "89999030000000000019";
    uint8_t dp_sk[32], dp_pk[65], ecasd_pk[65], esk[32], epk[65], rc[16], shs[32], info[8],
        receipt[16], aid[16], hc[8] = {8, 7, 6, 5, 4, 3, 2, 1}, *raw, cerr, token_key[16];
    struct sm_buf cert = SM_BUF_INIT, tlvs = SM_BUF_INIT, b = SM_BUF_INIT, pkg = {.secure = true};
    struct sm_secret *e = NULL;
    struct sm_es8_crt crt;
    struct sm_es8_keys keys;
    struct sm_scp03_session sess;
    struct sm_script sc;
    struct sm_decode_err err;
    struct sm_pp_template *t;
    struct sm_pp_error pe;
    size_t infolen = sizeof(info), publen = 65;
    char isdp[33];
    json_t *m, *j;

    (void)state;
    memset(&sess, 0, sizeof(sess));
    smdp_identity(dp_sk, dp_pk, &cert);
    ecasd_key(eid, ecasd_pk);
    /* CreateISDP */
    m = json_pack("{s:s, s:s, s:s, s:i, s:b}", "eid", eid, "iccid", iccid, "mnoId", MNO1,
                  "requiredMemory", 32768, "moreToDo", 1);
    json_decref(post("smdp", SMDP, "es3/createISDP", m, "create-1", 0, 202, NULL));
    j = outcome("smdp", "create-1", 30, "es3.createISDP.response.schema.json");
    snprintf(isdp, sizeof(isdp), "%s", json_string_value(json_object_get(j, "isdPAid")));
    assert_int_equal(strlen(isdp), 32);
    expect(j, "Executed-Success", NULL, NULL, NULL);
    /* more memory than the card has: refused at once */
    {
        json_t *big = json_pack("{s:s, s:s, s:s, s:i}", "eid", eid, "iccid", "89999030000000000027",
                                "mnoId", MNO1, "requiredMemory", 64 * 1024 * 1024);

        expect(post("smdp", SMDP, "es3/createISDP", big, NULL, 0, 200, NULL), "Failed", "8.1",
               "4.8", NULL);
        json_decref(big);
    }
    /* the same ICCID again: refused at once */
    expect(post("smdp", SMDP, "es3/createISDP", m, NULL, 0, 200, NULL), "Failed", "8.2.1", "3.3",
           NULL);
    json_decref(m);
    assert_int_equal(sm_hex_decode(isdp, aid, 16), 16);
    /* key establishment through the ISD-R: INSTALL [for personalization] and block 0 ... */
    {
        uint8_t inst[2 + 17 + 3] = {0x00, 0x00, 0x10};

        memcpy(inst + 3, aid, 16);
        add_capdu(&tlvs, 0x20, 0x00, 0xE6, inst, sizeof(inst));
    }
    assert_int_equal(sm_es8_block0_data(cert.data, cert.len, &b), 0);
    add_capdu(&tlvs, 0x09, 0x00, 0xE2, b.data, b.len);
    send_data(eid, ISD_R, &tlvs, true, &raw, &sc);
    assert_int_equal(sc.n, 3); /* 80 01 02, then two R-APDUs */
    assert_int_equal(sc.item[2].tag, 0x23);
    assert_int_equal(sc.item[2].len, 20); /* 85 10 <challenge> 90 00 */
    assert_memory_equal(sc.item[2].value, "\x85\x10", 2);
    memcpy(rc, sc.item[2].value + 2, 16);
    free(raw);
    /* ... block 1: the card answers the receipt the SM-DP computes */
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &e, epk, &publen), 0);
    memcpy(esk, e->data, 32);
    sm_secret_free(e);
    sm_es8_crt_default(&crt);
    sm_buf_reset(&b);
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, dp_sk, 32, rc, 16, &b), 0);
    sm_buf_reset(&tlvs);
    add_capdu(&tlvs, 0x89, 0x01, 0xE2, b.data, b.len);
    send_data(eid, ISD_R, &tlvs, true, &raw, &sc);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, esk, 32, ecasd_pk, 65, shs, 32), 0);
    assert_int_equal(sm_es8_shared_info(&crt, info, &infolen), 0);
    assert_int_equal(sm_es8_derive(shs, 32, info, infolen, &keys), 0);
    sm_buf_reset(&b);
    assert_int_equal(sm_es8_crt_encode(&crt, &b), 0);
    assert_int_equal(sm_es8_receipt(keys.receipt_key, b.data, b.len, NULL, 0, receipt), 0);
    assert_int_equal(sc.item[sc.n - 1].len, 20); /* 86 10 <receipt> 90 00 */
    assert_memory_equal(sc.item[sc.n - 1].value + 2, receipt, 16);
    free(raw);
    /* SCP03t to the ISD-P (its own TAR, the ISD-R's keys): 84, 85 ... */
    {
        struct sm_scp03_keys k = {keys.k_enc, keys.k_mac, keys.k_dek, 16};

        sm_buf_reset(&tlvs);
        assert_int_equal(sm_scp03t_cmd_84(0x30, hc, &tlvs), 0);
        send_data(eid, isdp, &tlvs, true, &raw, &sc);
        assert_int_equal(sm_scp03t_host_84(&sess, &k, hc, sc.item[sc.n - 1].value - 2,
                                           sc.item[sc.n - 1].len + 2, &cerr, &err),
                         0);
        free(raw);
    }
    sm_buf_reset(&tlvs);
    assert_int_equal(sm_scp03t_cmd_85(&sess, 0x33, &tlvs), 0);
    send_data(eid, isdp, &tlvs, true, &raw, &sc);
    assert_int_equal(sc.item[sc.n - 1].tag, 0x85);
    free(raw);
    /* ... and the package in 1000-byte segments */
    /* POL1 01: the profile may not be disabled (the card enforces it: 69E1) */
    m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "iccid", iccid, "imsi", "001030000000001", "k",
                  "000102030405060708090a0b0c0d0e0f", "opc", "0f0e0d0c0b0a09080706050403020100",
                  "adm1", "12345678", "pol1", "01");
    assert_int_equal(sm_pp_template_shipped("usim-minimal", &t, &pe), 0);
    assert_int_equal(sm_pp_personalise(t, m, &pkg, &pe), 0);
    sm_pp_template_free(t);
    json_decref(m);
    for (size_t off = 0; off < pkg.len; off += 1000) {
        size_t n = pkg.len - off < 1000 ? pkg.len - off : 1000;

        sm_buf_reset(&tlvs);
        assert_int_equal(sm_scp03t_wrap(&sess, 0x86, pkg.data + off, n, true, &tlvs), 0);
        send_data(eid, isdp, &tlvs, off + n < pkg.len, &raw, &sc);
        assert_int_equal(sm_scp03t_host_check(&sess, 0x86, sc.item[sc.n - 1].value - 2,
                                              sc.item[sc.n - 1].len + 2, NULL, &cerr, &err),
                         0);
        free(raw);
    }
    /* the chain ended with the last segment (83 03): the card's SCP03t session ended with that
     * script, and an 85 in a script of its own finds none (9F45), as a card's would (es5 spec
     * 1.5: no session spans two scripts or admin sessions without chaining) */
    {
        char *hex;

        sm_buf_reset(&tlvs);
        assert_int_equal(sm_scp03t_cmd_85(&sess, 0x33, &tlvs), 0);
        hex = malloc(2 * tlvs.len + 1);
        assert_non_null(hex);
        sm_hex_encode_upper(tlvs.data, tlvs.len, hex);
        m = json_pack("{s:s, s:s, s:s}", "eid", eid, "sdAid", isdp, "data", hex);
        free(hex);
        json_decref(post("smdp", SMDP, "es3/sendData", m, "unchained-85", 0, 202, NULL));
        json_decref(m);
        expect(outcome("smdp", "unchained-85", 30, NULL), "Failed", "8.3", "4.2", "9F45");
    }
    /* ProfileDownloadCompleted: Disabled in the EIS, with its address and POL2 (the number is
     * the card's: the simulated modem has one, and the SM-SR reaches the card through the
     * enabled profile's MSISDN) */
    m = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:[{s:s, s:s, s:s}]}}", "eid", eid, "iccid",
                  iccid, "profileType", "usim-minimal", "subscriptionAddress", "imsi",
                  "001030000000001", "msisdn", msisdns[1], "pol2", "rule", "subject", "PROFILE",
                  "action", "DELETE", "qualification", "Not-Allowed");
    expect(post("smdp", SMDP, "es3/profileDownloadCompleted", m, NULL, 0, 200,
                "es3.profileDownloadCompleted.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    expect(post("smdp", SMDP, "es3/profileDownloadCompleted", m, NULL, 0, 200, NULL), "Failed",
           "8.2.1", "3.5", "not Created");
    json_decref(m);
    assert_string_equal(state_in_eis(eid, iccid), "Disabled");
    /* enabled through ES3: the card switches to the downloaded profile and says so */
    m = json_pack("{s:s, s:s}", "eid", eid, "iccid", iccid);
    json_decref(post("smdp", SMDP, "es3/enableProfile", m, "enable-dl", 0, 202, NULL));
    expect(outcome("smdp", "enable-dl", 30, "es3.enableProfile.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_in_eis(eid, iccid), "Enabled");
    /* UpdateConnectivityParameters: SCP03 in APDU form with the ISD-P's keys, relayed to it;
     * first INITIALIZE UPDATE (the card's cryptogram checks out), then EXTERNAL AUTHENTICATE
     * and the wrapped STORE DATA 3A07 {A0 {06 <SMSC>}} */
    {
        struct sm_scp03_keys k = {keys.k_enc, keys.k_mac, keys.k_dek, 16};
        struct sm_scp03_session s2;
        uint8_t hc2[8] = {1, 3, 5, 7, 9, 11, 13, 15};
        static const uint8_t plain[] = {0x80, 0xE2, 0x88, 0x00, 0x0C, 0x3A, 0x07, 0x09, 0xA0,
                                        0x07, 0x06, 0x05, 0x91, 0x44, 0x97, 0x00, 0xF1};

        memset(&s2, 0, sizeof(s2));
        sm_buf_reset(&b);
        sm_buf_reset(&tlvs);
        assert_int_equal(sm_scp03_initialize_update(0x30, hc2, &b), 0);
        assert_int_equal(sm_tlv_put(&tlvs, 0x22, b.data, b.len), 0);
        ucp(eid, iccid, &tlvs, &raw, &sc);
        assert_int_equal(sc.item[sc.n - 1].tag, 0x23);
        assert_int_equal(sm_scp03_host_init(&s2, &k, hc2, sc.item[sc.n - 1].value,
                                            sc.item[sc.n - 1].len - 2, &err),
                         0);
        free(raw);
        sm_buf_reset(&b);
        sm_buf_reset(&tlvs);
        assert_int_equal(sm_scp03_external_authenticate(&s2, 0x33, &b), 0);
        assert_int_equal(sm_tlv_put(&tlvs, 0x22, b.data, b.len), 0);
        sm_buf_reset(&b);
        assert_int_equal(sm_scp03_wrap(&s2, plain, sizeof(plain), &b), 0);
        assert_int_equal(sm_tlv_put(&tlvs, 0x22, b.data, b.len), 0);
        /* and the master-delete token key (KVN 70) under the ISD-P's DEK, as an SM-DP loads it */
        {
            uint8_t put[5 + 24] = {0x80, 0xD8, 0x00, 0x01, 24, 0x70, 0x88, 17, 16};

            assert_int_equal(sm_rng_bytes(&sm_rng_system, token_key, 16), 0);
            assert_int_equal(
                sm_aes_cbc(true, keys.k_dek, 16, (const uint8_t[16]){0}, token_key, 16, put + 9),
                0);
            put[25] = 3;
            assert_int_equal(sm_kcv_aes(token_key, 16, put + 26), 0);
            sm_buf_reset(&b);
            assert_int_equal(sm_scp03_wrap(&s2, put, sizeof(put), &b), 0);
            assert_int_equal(sm_tlv_put(&tlvs, 0x22, b.data, b.len), 0);
        }
        ucp(eid, iccid, &tlvs, &raw, &sc);
        for (unsigned i = 0; i < sc.n; i++)
            if (sc.item[i].tag == 0x23)
                assert_memory_equal(sc.item[i].value + sc.item[i].len - 2, "\x90\x00", 2);
        free(raw);
        sm_scp03_clear(&s2);
    }
    /* the MNO may not disable it: POL1 on the card says so (69E1), with the card's answer */
    json_decref(post("mno1", MNO1, "es4/disableProfile", m, "disable-dl", 0, 202, NULL));
    j = outcome("mno1", "disable-dl", 30, "es4.disableProfile.response.schema.json");
    assert_non_null(json_object_get(j, "euiccResponseData"));
    expect(j, "Failed", "8.2.2", "3.8", "69E1");
    assert_string_equal(state_in_eis(eid, iccid), "Enabled");
    /* the device loses the network: the card falls back by itself (ignoring POL1), says so
     * (notification 05), and the EIS follows */
    {
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf fallback %s", dir, SM_BIN_DIR,
                 eid);
        assert_int_equal(run(cmd), 0);
        for (int w = 0; w < 100 && strcmp(state_in_eis(eid, iccid), "Disabled"); w++)
            usleep(100 * 1000);
    }
    assert_string_equal(state_in_eis(eid, iccid), "Disabled");
    /* POL2 forbids deleting it, before any OTA */
    expect(post("mno1", MNO1, "es4/deleteProfile", m, NULL, 0, 200, NULL), "Failed", "8.2.3", "3.8",
           "POL2");
    /* only the owner changes POL2 (the same rule again) */
    json_decref(m);
    m = json_pack("{s:s, s:s, s:{s:[{s:s, s:s, s:s}]}}", "eid", eid, "iccid", iccid, "pol2", "rule",
                  "subject", "PROFILE", "action", "DELETE", "qualification", "Not-Allowed");
    expect(post("mno2", "2.999.10.2", "es4/updatePolicyRules", m, NULL, 0, 200, NULL), "Failed",
           "8.2.1", "1.2", NULL);
    expect(post("mno1", MNO1, "es4/updatePolicyRules", m, NULL, 0, 200,
                "es4.updatePolicyRules.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s, s:{s:s}}", "eid", eid, "iccid", iccid, "newSubscriptionAddress",
                  "imsi", "001030000000002");
    expect(post("mno1", MNO1, "es4/updateSubscriptionAddress", m, NULL, 0, 200,
                "es4.updateSubscriptionAddress.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    /* master delete: it passes POL1 and POL2, with a token under the ISD-P's token key; a wrong
     * token is the card's refusal */
    {
        uint8_t in[3 + 18 + 64], mac[16];
        size_t n = 0;
        char tok[33];
        static const uint8_t b6[] = {0xB6, 0x11, 0x42, 0x03, 0x01, 0x02, 0x03, 0x45, 0x03, 0x04,
                                     0x05, 0x06, 0x5F, 0x20, 0x01, 0x07, 0x93, 0x01, 0x08};

        in[n++] = 0x00;
        in[n++] = 0x40;
        in[n++] = (uint8_t)(18 + sizeof(b6));
        in[n++] = 0x4F;
        in[n++] = 0x10;
        memcpy(in + n, aid, 16);
        n += 16;
        memcpy(in + n, b6, sizeof(b6));
        n += sizeof(b6);
        assert_int_equal(sm_aes_cmac(token_key, 16, in, n, mac), 0);
        mac[0] ^= 1;
        sm_hex_encode_upper(mac, 16, tok);
        m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "eid", eid, "iccid", iccid, "sin",
                      "010203", "sdin", "040506", "providerId", "07", "tokenId", "08", "token",
                      tok);
        json_decref(post("mno1", MNO1, "es4/masterDelete", m, "master-bad", 0, 202, NULL));
        expect(outcome("mno1", "master-bad", 30, "es4.masterDelete.response.schema.json"), "Failed",
               "8.1", "4.2", "6982");
        mac[0] ^= 1;
        sm_hex_encode_upper(mac, 16, tok);
        json_object_set_new(m, "token", json_string(tok));
        json_decref(post("mno1", MNO1, "es4/masterDelete", m, "master-ok", 0, 202, NULL));
        expect(outcome("mno1", "master-ok", 30, "es4.masterDelete.response.schema.json"),
               "Executed-Success", NULL, NULL, NULL);
        json_decref(m);
        sm_wipe(token_key, sizeof(token_key));
    }
    assert_string_equal(state_in_eis(eid, iccid), "absent");
    /* DeleteISDP through ES3: an ISD-P created and never downloaded */
    m = json_pack("{s:s, s:s, s:s, s:i}", "eid", eid, "iccid", "89999030000000000027", "mnoId",
                  MNO1, "requiredMemory", 16384);
    json_decref(post("smdp", SMDP, "es3/createISDP", m, "create-2", 0, 202, NULL));
    expect(outcome("smdp", "create-2", 30, NULL), "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    assert_string_equal(state_in_eis(eid, "89999030000000000027"), "Created");
    m = json_pack("{s:s, s:s}", "eid", eid, "iccid", "89999030000000000027");
    json_decref(post("smdp", SMDP, "es3/deleteISDP", m, "delete-dl", 0, 202, NULL));
    expect(outcome("smdp", "delete-dl", 30, "es3.deleteISDP.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    assert_string_equal(state_in_eis(eid, "89999030000000000027"), "absent");
    json_decref(m);
    sm_es8_keys_clear(&keys);
    sm_scp03_clear(&sess);
    sm_wipe(esk, sizeof(esk));
    sm_wipe(dp_sk, sizeof(dp_sk));
    sm_buf_free(&cert);
    sm_buf_free(&tlvs);
    sm_buf_free(&b);
    sm_buf_clear_free(&pkg);
}

/* ---- the MNO's callback receiver ---- */

/* A slow receiver (outbox_parallel_in_order): each POST takes rx_delay_ms; how many are being
 * received at once, in all and per card (the card of an operation's result by its call
 * identifier, par<card>-<n>). */
static int rx_delay_ms;
static int rx_now, rx_max, rx_card_now[2], rx_card_max[2];

static int card_of(const char *body)
{
    json_t *b = json_loads(body, 0, NULL);
    const char *eid = json_string_value(json_object_get(b, "eid")),
               *id = json_string_value(json_object_get(b, "functionCallIdentifier"));
    int card = -1;

    for (int i = 0; i < 2; i++)
        if ((eid && !strcmp(eid, eids[i])) || (id && !strncmp(id, "par", 3) && id[3] - '0' == i))
            card = i;
    json_decref(b);
    return card;
}

/* Every POST is kept; the first rx_refuse of them are answered 503. */
static unsigned on_post(void *arg, const char *path, const char *body)
{
    int card = rx_delay_ms ? card_of(body) : -1;
    unsigned code;

    (void)arg;
    pthread_mutex_lock(&rx_mu);
    code = rx_refuse > 0 ? 503 : 200;
    if (rx_refuse > 0)
        rx_refuse--;
    json_array_append_new(rx_log,
                          json_pack("{s:s, s:s, s:i}", "path", path, "body", body, "status", code));
    if (++rx_now > rx_max)
        rx_max = rx_now;
    if (card >= 0 && ++rx_card_now[card] > rx_card_max[card])
        rx_card_max[card] = rx_card_now[card];
    pthread_mutex_unlock(&rx_mu);
    if (rx_delay_ms)
        usleep((useconds_t)rx_delay_ms * 1000);
    pthread_mutex_lock(&rx_mu);
    rx_now--;
    if (card >= 0)
        rx_card_now[card]--;
    pthread_mutex_unlock(&rx_mu);
    return code;
}

static int receiver_start(void)
{
    rx_log = json_array();
    return itest_receiver_start(dir, on_post, NULL, &receiver);
}

/* The first POST to path whose body has member = value, within timeout_s; NULL if none. */
static json_t *received(const char *path, const char *member, const char *value, int timeout_s)
{
    for (int t = 0; t < timeout_s * 10; t++) {
        json_t *e, *hit = NULL;
        size_t i;

        pthread_mutex_lock(&rx_mu);
        json_array_foreach(rx_log, i, e) {
            json_t *b = json_loads(json_string_value(json_object_get(e, "body")), 0, NULL);
            const char *v = json_string_value(json_object_get(b, member));

            if (!hit && json_integer_value(json_object_get(e, "status")) == 200 &&
                !strcmp(json_string_value(json_object_get(e, "path")), path) && v &&
                !strcmp(v, value))
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

static void record_json(const char *schema, json_t *j)
{
    itest_record_json(schema, j);
}

/* Results and notifications reach the MNO's callback URL: the operation's final answer
 * (<callback>/operations) and HandleProfileEnabled/DisabledNotification (ES4), once the
 * receiver accepts them; a 503 is retried with back-off, nothing is lost. */
static void callbacks_delivered(void **state)
{
    char cmd[1024], url[128];
    int rport = receiver_start();
    json_t *m, *j;

    (void)state;
    assert_true(rport > 0);
    rx_refuse = 2;
    snprintf(url, sizeof(url), "https://localhost:%d/mno1", rport);
    snprintf(cmd, sizeof(cmd), "cd %s && %s/smsr -c smsr.conf entity callback mno1 %s", dir,
             SM_BIN_DIR, url);
    assert_int_equal(run(cmd), 0);
    m = json_pack("{s:s, s:s}", "eid", eids[1], "iccid", oper_iccids[1]);
    json_decref(post("mno1", MNO1, "es4/enableProfile", m, "enable-cb", 0, 202, NULL));
    json_decref(m);
    j = received("/mno1/operations", "functionCallIdentifier", "enable-cb", 30);
    assert_non_null(j);
    record_json("operation.schema.json", j);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "done");
    assert_string_equal(status_of(json_object_get(j, "response")), "Executed-Success");
    json_decref(j);
    j = received("/mno1/es4/handleProfileEnabledNotification", "iccid", oper_iccids[1], 30);
    assert_non_null(j);
    record_json("notify.handleProfileEnabledNotification.schema.json", j);
    assert_string_equal(json_string_value(json_object_get(j, "eid")), eids[1]);
    json_decref(j);
    j = received("/mno1/es4/handleProfileDisabledNotification", "iccid", iccids[1], 30);
    assert_non_null(j);
    record_json("notify.handleProfileDisabledNotification.schema.json", j);
    json_decref(j);
    /* the two refused deliveries were tried again */
    pthread_mutex_lock(&rx_mu);
    assert_true(json_array_size(rx_log) >= 5);
    pthread_mutex_unlock(&rx_mu);
}

/* The outbox delivers to a slow receiver (0.8 s a message) with several workers at once, while
 * the messages of one card leave one after the other, in the order they were made: two audits
 * of each card, accepted together. */
static void outbox_parallel_in_order(void **state)
{
    const char *ids[2][2] = {{"par0-a", "par0-b"}, {"par1-a", "par1-b"}};
    size_t first[2][2];

    (void)state;
    pthread_mutex_lock(&rx_mu);
    rx_delay_ms = 800;
    rx_max = 0;
    rx_card_max[0] = rx_card_max[1] = 0;
    pthread_mutex_unlock(&rx_mu);
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < 2; c++) {
            json_t *m = json_pack("{s:s}", "eid", eids[c]);

            json_decref(post("mno1", MNO1, "es4/auditEIS", m, ids[c][k], 0, 202, NULL));
            json_decref(m);
        }
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 2; k++) {
            json_t *j = received("/mno1/operations", "functionCallIdentifier", ids[c][k], 60);

            assert_non_null(j);
            json_decref(j);
        }
    pthread_mutex_lock(&rx_mu);
    /* where each result sits in the order of arrival */
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 2; k++) {
            json_t *e;
            size_t i;

            first[c][k] = SIZE_MAX;
            json_array_foreach(rx_log, i, e) {
                if (first[c][k] == SIZE_MAX &&
                    strstr(json_string_value(json_object_get(e, "body")), ids[c][k]))
                    first[c][k] = i;
            }
        }
    assert_true(rx_max >= 2);
    assert_int_equal(rx_card_max[0], 1);
    assert_int_equal(rx_card_max[1], 1);
    rx_delay_ms = 0;
    pthread_mutex_unlock(&rx_mu);
    assert_true(first[0][0] < first[0][1]);
    assert_true(first[1][0] < first[1][1]);
}

/* The fall-back attribute moves to the enabled operational profile (STORE DATA 3A05) and back:
 * the EIS follows the card, the MNO hears of both changes, and the rules of the attribute hold
 * meanwhile (its holder cannot be disabled). */
static bool fallback_in_eis(const char *eid, const char *iccid)
{
    json_t *m = json_pack("{s:s}", "eid", eid),
           *j = post("mno1", MNO1, "es4/getEIS", m, NULL, 0, 200, NULL), *p;
    bool fb = false;
    size_t i;

    json_array_foreach(json_object_get(json_object_get(j, "eis"), "profileInfo"), i, p) {
        if (!strcmp(json_string_value(json_object_get(p, "iccid")), iccid))
            fb = json_is_true(json_object_get(p, "fallbackAttribute"));
    }
    json_decref(m);
    json_decref(j);
    return fb;
}

static void fallback_attribute(void **state)
{
    json_t *m = json_pack("{s:s, s:s}", "eid", eids[1], "iccid", oper_iccids[1]), *j;

    (void)state;
    assert_string_equal(state_in_eis(eids[1], oper_iccids[1]), "Enabled");
    json_decref(post("mno1", MNO1, "es4/setFallbackAttribute", m, "fallback-1", 0, 202, NULL));
    expect(outcome("mno1", "fallback-1", 30, "es4.setFallbackAttribute.response.schema.json"),
           "Executed-Success", NULL, NULL, NULL);
    assert_true(fallback_in_eis(eids[1], oper_iccids[1]));
    assert_false(fallback_in_eis(eids[1], iccids[1]));
    j = received("/mno1/es4/handleFallBackAttributeSetNotification", "iccid", oper_iccids[1], 30);
    assert_non_null(j);
    record_json("notify.handleFallBackAttributeSetNotification.schema.json", j);
    json_decref(j);
    /* its holder is the enabled profile: nothing could take over after a disable */
    expect(post("mno1", MNO1, "es4/disableProfile", m, NULL, 0, 200, NULL), "Failed", "8.2.1",
           "3.8", "fall-back");
    json_decref(m);
    /* back to the provisioning profile, then the operational one may be disabled again */
    m = json_pack("{s:s, s:s}", "eid", eids[1], "iccid", iccids[1]);
    json_decref(post("mno1", MNO1, "es4/setFallbackAttribute", m, "fallback-2", 0, 202, NULL));
    expect(outcome("mno1", "fallback-2", 30, NULL), "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    assert_true(fallback_in_eis(eids[1], iccids[1]));
    m = json_pack("{s:s, s:s}", "eid", eids[1], "iccid", oper_iccids[1]);
    json_decref(post("mno1", MNO1, "es4/disableProfile", m, "disable-after-fb", 0, 202, NULL));
    expect(outcome("mno1", "disable-after-fb", 30, NULL), "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    assert_string_equal(state_in_eis(eids[1], iccids[1]), "Enabled");
}

/* SGP.02 7.3: the card's report of a change that comes after the operation's validity period is
 * not confirmed, so the card rolls the change back (and reports 03); the EIS never moves. Over
 * SMS only: the stale packet waits in the SMSC while the card is frozen (over HTTPS the script
 * is never handed out once the operation has expired, so the card changes nothing). */
static void late_change_rolled_back(void **state)
{
    json_t *m = json_pack("{s:s, s:s}", "eid", eids[1], "iccid", oper_iccids[1]), *j = NULL;
    bool back = false, seen = false;

    (void)state;
    if (strcmp(itest_bearer(), "sms")) {
        json_decref(m);
        skip();
    }
    assert_string_equal(state_in_eis(eids[1], oper_iccids[1]), "Disabled");
    assert_int_equal(kill(sim.pid, SIGSTOP), 0);
    json_decref(post("mno1", MNO1, "es4/enableProfile", m, "enable-late", 2, 202, NULL));
    json_decref(m);
    expect(outcome("mno1", "enable-late", 30, NULL), "Expired", NULL, NULL, NULL);
    assert_int_equal(kill(sim.pid, SIGCONT), 0);
    /* the card enables, reports 02 (refused), retries, gives up, rolls back and reports 03
     * (confirmed); meanwhile the EIS does not move */
    for (int w = 0; w < 150 && !back; w++) {
        int pending = pending_notifications(eids[1]);

        seen |= pending > 0;
        back = seen && pending == 0;
        assert_string_equal(state_in_eis(eids[1], oper_iccids[1]), "Disabled");
        if (!back)
            usleep(200 * 1000);
    }
    assert_true(back);
    /* the card's word (an audit): the operational profile is disabled again */
    m = json_pack("{s:s, s:[s]}", "eid", eids[1], "iccid", oper_iccids[1]);
    json_decref(post("mno1", MNO1, "es4/auditEIS", m, "audit-late", 0, 202, NULL));
    json_decref(m);
    j = outcome("mno1", "audit-late", 30, NULL);
    expect(j, "Executed-Success", NULL, NULL, NULL);
    assert_true(back);
    assert_string_equal(state_in_eis(eids[1], oper_iccids[1]), "Disabled");
    assert_string_equal(state_in_eis(eids[1], iccids[1]), "Enabled");
}

/* POL2 DISABLE + Auto-Delete: once the card disabled the profile, the SM-SR deletes it and the
 * MNO hears of it. */
static void pol2_auto_delete(void **state)
{
    json_t *m = json_pack("{s:s, s:s, s:{s:[{s:s, s:s, s:s}]}}", "eid", eids[1], "iccid",
                          oper_iccids[1], "pol2", "rule", "subject", "PROFILE", "action", "DISABLE",
                          "qualification", "Auto-Delete"),
           *j;

    (void)state;
    expect(post("mno1", MNO1, "es4/updatePolicyRules", m, NULL, 0, 200, NULL), "Executed-Success",
           NULL, NULL, NULL);
    json_decref(m);
    m = json_pack("{s:s, s:s}", "eid", eids[1], "iccid", oper_iccids[1]);
    json_decref(post("mno1", MNO1, "es4/enableProfile", m, "enable-ad", 0, 202, NULL));
    expect(outcome("mno1", "enable-ad", 30, NULL), "Executed-Success", NULL, NULL, NULL);
    json_decref(post("mno1", MNO1, "es4/disableProfile", m, "disable-ad", 0, 202, NULL));
    expect(outcome("mno1", "disable-ad", 30, NULL), "Executed-Success", NULL, NULL, NULL);
    json_decref(m);
    for (int w = 0; w < 100 && strcmp(state_in_eis(eids[1], oper_iccids[1]), "absent"); w++)
        usleep(100 * 1000);
    assert_string_equal(state_in_eis(eids[1], oper_iccids[1]), "absent");
    j = received("/mno1/es4/handleProfileDeletedNotification", "iccid", oper_iccids[1], 30);
    assert_non_null(j);
    record_json("notify.handleProfileDeletedNotification.schema.json", j);
    json_decref(j);
}

/* A killed SM-SR resumes: an audit accepted just before SIGKILL runs after the restart. */
static void survives_sigkill(void **state)
{
    json_t *m = json_pack("{s:s}", "eid", eids[1]), *j;

    (void)state;
    json_decref(post("mno1", MNO1, "es4/auditEIS", m, "audit-kill", 0, 202, NULL));
    json_decref(m);
    kill(smsr.pid, SIGKILL);
    itest_stop(&smsr, 5000);
    assert_int_equal(start_smsr(), 0);
    j = outcome("mno1", "audit-kill", 30, NULL);
    expect(j, "Executed-Success", NULL, NULL, NULL);
}

/* A query on the SM-SR's database file (Python's sqlite3: the test reads what is on disk). */
static void db_query(const char *sql, char *out, size_t n)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
             "print(c.execute(sys.argv[2]).fetchone()[0])' %s/smsr.db \"%s\"",
             dir, sql);
    assert_int_equal(run_out(cmd, out, n), 0);
    out[strcspn(out, "\n")] = 0;
}

/* SIGKILL while a script is out (the card frozen, so that its answer cannot come first): after
 * the restart the script goes again with a new counter, the card answers, the operation ends
 * well, and the database passes its integrity check. */
static void killed_mid_flight(void **state)
{
    json_t *m = json_pack("{s:s}", "eid", eids[1]);
    char out[256], before[32], after[32];

    (void)state;
    db_query("SELECT max(counter) FROM isdr_keyset", before, sizeof(before));
    assert_int_equal(kill(sim.pid, SIGSTOP), 0);
    json_decref(post("mno1", MNO1, "es4/auditEIS", m, "audit-mid", 0, 202, NULL));
    json_decref(m);
    for (int i = 0; i < 100; i++) {
        db_query("SELECT state FROM operation WHERE call_id = 'audit-mid'", out, sizeof(out));
        if (!strcmp(out, "sent"))
            break;
        usleep(100 * 1000);
    }
    assert_string_equal(out, "sent");
    kill(smsr.pid, SIGKILL);
    itest_stop(&smsr, 5000);
    assert_int_equal(start_smsr(), 0);
    assert_int_equal(kill(sim.pid, SIGCONT), 0);
    expect(outcome("mno1", "audit-mid", 60, NULL), "Executed-Success", NULL, NULL, NULL);
    db_query("SELECT max(counter) FROM isdr_keyset", after, sizeof(after));
    assert_true(atol(after) > atol(before));
    db_query("PRAGMA integrity_check", out, sizeof(out));
    assert_string_equal(out, "ok");
}

/* The card cannot be reached (the simulator is gone): the packet is sent again after each PoR
 * timeout until the validity period ends, then Expired. */
static void unreachable_until_expiry(void **state)
{
    json_t *m = json_pack("{s:s}", "eid", eids[0]), *j;

    (void)state;
    assert_int_equal(itest_stop(&sim, 10000), 0);
    sim.pid = 0;
    json_decref(post("mno1", MNO1, "es4/auditEIS", m, "audit-gone", 8, 202, NULL));
    json_decref(m);
    j = outcome("mno1", "audit-gone", 30, "es4.auditEIS.response.schema.json");
    expect(j, "Expired", "8.1", "4.10", "did not answer");
}

/* The scripts went by the bearer this run is about. */
static void bearer_used(void **state)
{
    char cmd[512], out[64];

    (void)state;
    snprintf(cmd, sizeof(cmd), "grep -c 'handed out in the admin session' %s/smsr.log || true",
             dir);
    assert_int_equal(run_out(cmd, out, sizeof(out)), 0);
    if (!strcmp(itest_bearer(), "https"))
        assert_true(atoi(out) > 10);
    else
        assert_int_equal(atoi(out), 0);
}

/* A Prometheus counter or gauge (first sample of name) from /metrics, as the admin reads it. */
static double metric(const char *name)
{
    return itest_metric(dir, port, name);
}

/* The engine's own metrics say what happened. */
static void engine_metrics(void **state)
{
    (void)state;
    assert_true(metric("sm_smsr_cards") == 2);
    assert_true(metric("sm_smsr_sms_out_total") > 10);
    assert_true(metric("sm_smsr_por_total") >= 0);
    assert_true(metric("sm_smsr_card_notifications_total") >= 4);
    assert_true(metric("sm_smsr_deliveries_total") >= 5);
    assert_true(metric("sm_smsr_operations_pending") >= 0);
    /* group commit is the default (with db.synchronous full nothing is flushed this way) */
    assert_true(metric("sm_smsr_db_flushes_total") > 0);
    if (!strcmp(itest_bearer(), "https"))
        assert_true(metric("sm_smsr_admin_sessions_total") > 10);
    else
        assert_true(metric("sm_smsr_admin_sessions_total") == 0);
}

/* The port of the SCP81 admin agent, from smsr's log ("admin agent on 127.0.0.1:N/..."). */
static int admin_port(void)
{
    FILE *f = fopen(path_in("smsr.log", NULL), "r");
    char line[1024];
    int port_found = 0;

    while (f && fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, "admin agent on 127.0.0.1:");

        if (p)
            port_found = atoi(p + strlen("admin agent on 127.0.0.1:"));
    }
    if (f)
        fclose(f);
    return port_found;
}

/* The card's SCP81 PSK, deciphered from its EIS with the EUM's transport key (as ES1 does). */
static void card_psk(const char *eid, uint8_t psk[16])
{
    static const uint8_t zero[16];
    json_t *e = itest_card_eis(dir, eid), *ks;
    const char *hex = NULL;
    uint8_t tk[16], enc[16];
    char line[80] = "";
    FILE *f = fopen(path_in("eum-smsr-transport.key", NULL), "r");
    size_t i;

    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    line[strspn(line, "0123456789abcdefABCDEF")] = 0;
    assert_int_equal(sm_hex_decode(line, tk, 16), 16);
    json_array_foreach(json_object_get(json_object_get(e, "isdR"), "keyset"), i, ks)
        if (!strcmp(json_string_value(json_object_get(ks, "type")), "SCP81"))
            hex = json_string_value(json_object_get(
                json_array_get(
                    json_object_get(json_array_get(json_object_get(ks, "key"), 0), "keyComponents"),
                    0),
                "value"));
    assert_non_null(hex);
    assert_int_equal(sm_hex_decode(hex, enc, 16), 16);
    assert_int_equal(sm_aes_cbc(false, tk, 16, zero, enc, 16, psk), 0);
    json_decref(e);
}

/* What reaches the SCP81 admin agent from the network: bytes that are not TLS, unknown PSK
 * identities and wrong keys (no handshake), and from a card with the right key, requests that
 * are not the protocol: each is answered (or the connection dropped), nothing is handed out
 * or taken as an answer, and the SM-SR keeps serving the card. */
static void admin_agent_hostile_input(void **state)
{
    static const uint8_t wrong[16] = {1};
    const char *eid = eids[0];
    char out[4096], *big;
    uint8_t psk[16];
    int aport;
    long n;

    (void)state;
    if (strcmp(itest_bearer(), "https"))
        skip(); /* no admin agent with es5.bearer sms */
    aport = admin_port();
    assert_true(aport > 0);
    card_psk(eid, psk);
    assert_int_equal(itest_raw_tcp((uint16_t)aport, "GARBAGE\r\n\r\n", 11), 0);
    assert_int_equal(itest_psk_tls((uint16_t)aport, eid, wrong, 16, "", 0, out, sizeof(out), 500),
                     -1);
    assert_int_equal(
        itest_psk_tls((uint16_t)aport, "nobody", psk, 16, "", 0, out, sizeof(out), 500), -1);
    assert_int_equal(itest_psk_tls((uint16_t)aport, "8904903200000000000000000000000X", psk, 16, "",
                                   0, out, sizeof(out), 500),
                     -1);
    {
        static const struct {
            const char *req, *status;
        } cases[] = {
            {"GET /gsma/adminagent HTTP/1.1\r\nHost: x\r\n\r\n", " 404 "},
            {"POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", " 404 "},
            {"POST /gsma/adminagentX HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", " 404 "},
            {"POST /gsma/adminagent/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", " 404 "},
            {"POST /gsma/adminagent/-5 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", " 404 "},
            /* no such operation: nothing taken, nothing waiting for the card: the session ends */
            {"POST /gsma/adminagent/99999999 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"
             "\xAB\x02\x80\x01",
             " 204 "},
            {"POST /gsma/adminagent HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab", NULL},
            {"BLAH\r\n\r\n", NULL},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            n = itest_psk_tls((uint16_t)aport, eid, psk, 16, cases[i].req, strlen(cases[i].req),
                              out, sizeof(out), 1000);
            assert_true(n >= 0);
            if (cases[i].status && !strstr(out, cases[i].status))
                fail_msg("%s: expected%s, got %.200s", cases[i].req, cases[i].status, out);
        }
    }
    /* a body over the agent's 64 KiB */
    big = malloc(80 * 1024 + 200);
    assert_non_null(big);
    n = snprintf(big, 200,
                 "POST /gsma/adminagent HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n",
                 80 * 1024);
    memset(big + n, 'A', 80 * 1024);
    n = itest_psk_tls((uint16_t)aport, eid, psk, 16, big, (size_t)n + 80 * 1024, out, sizeof(out),
                      2000);
    free(big);
    assert_true(n > 0);
    assert_non_null(strstr(out, " 413 "));
    /* still serving the card */
    {
        json_t *m = json_pack("{s:s}", "eid", eid);

        json_decref(post("mno1", MNO1, "es4/auditEIS", m, "audit-after-hostile", 0, 202, NULL));
        json_decref(m);
        expect(outcome("mno1", "audit-after-hostile", 30, NULL), "Executed-Success", NULL, NULL,
               NULL);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(notifications_confirmed),
    cmocka_unit_test(audit),
    cmocka_unit_test(refusals),
    cmocka_unit_test(enable_disable_delete),
    cmocka_unit_test(es3_download_enable),
    cmocka_unit_test(callbacks_delivered),
    cmocka_unit_test(outbox_parallel_in_order),
    cmocka_unit_test(fallback_attribute),
    cmocka_unit_test(late_change_rolled_back),
    cmocka_unit_test(pol2_auto_delete),
    cmocka_unit_test(engine_metrics), /* before the restarts: the counters start at zero */
    cmocka_unit_test(survives_sigkill),
    cmocka_unit_test(killed_mid_flight),
    cmocka_unit_test(admin_agent_hostile_input), /* while the card simulator runs */
    cmocka_unit_test(unreachable_until_expiry),
    cmocka_unit_test(bearer_used),
    cmocka_unit_test(itest_responses_match_schemas),
};

int main(void)
{
    return cmocka_run_group_tests(tests, setup, teardown);
}
