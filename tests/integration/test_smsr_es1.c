/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES1.RegisterEIS and GetEIS against the real smsr process, with cards manufactured by the real
 * euicc-sim (EIS signed by the EUM, ISD-R keys under the transport key). Every refusal of the
 * trust checks is provoked by changing one thing in a genuine EIS, re-signed by the EUM where
 * the change is inside eumSignedInfo, so that only the check under test can refuse it.
 */
#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sm_test.h"
#include "../sm_test_files.h"
#include "itest.h"
#include "sm/cipher.h"
#include "sm/devpki.h"
#include "sm/ecka.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/jws.h"

#define status_of itest_exec_status
#define expect    itest_expect_status

static char dir[] = "/tmp/sm-es1-XXXXXX";
static struct itest_proc smsr;
static int port;
static char eids[3][33];
static json_t *eis[3]; /* the genuine EIS of each card */
static struct sm_secret *eum_key;
static uint8_t *eum_cert;
static size_t eum_cert_len;
static uint8_t tkey[16];
static unsigned calls;

static char *path_in(const char *a, const char *b)
{
    return itest_path(dir, a, b);
}

static int run(const char *cmd)
{
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL}, out[4096];
    int rc = itest_run(argv, out, sizeof(out));

    if (rc)
        fprintf(stderr, "%s: exit %d: %s\n", cmd, rc, out);
    return rc;
}

static int load_eum(void)
{
    enum sm_curve curve;
    FILE *f = fopen(path_in("pki/eum1.crt", NULL), "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL;
    int n;

    if (f)
        fclose(f);
    if (!x)
        return -1;
    n = i2d_X509(x, &der);
    X509_free(x);
    if (n <= 0)
        return -1;
    eum_cert = malloc((size_t)n);
    memcpy(eum_cert, der, (size_t)n);
    eum_cert_len = (size_t)n;
    OPENSSL_free(der);
    return sm_ec_private_from_pem(path_in("pki/eum1.key", NULL), &curve, &eum_key);
}

static int setup(void **state)
{
    char cmd[2048], text[1024], hex[40] = "";
    FILE *f;

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki", NULL), false, NULL))
        return -1;
    /* three cards from the simulator's factory */
    snprintf(text, sizeof(text),
             "db = sim.db\nkek_file = sim.kek\ncontrol_socket = sim.sock\n[factory]\n"
             "ci_cert = pki/ca.crt\neum_key = pki/eum1.key\neum_cert = pki/eum1.crt\n"
             "[smpp]\nenabled = no\n");
    if (itest_write_file(path_in("sim.conf", NULL), text))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf create 3", dir, SM_BIN_DIR);
    if (run(cmd))
        return -1;
    f = fopen(path_in("eum-smsr-transport.key", NULL), "r");
    if (!f || !fgets(hex, sizeof(hex), f) || sm_hex_decode(strtok(hex, "\n"), tkey, 16) != 16)
        return -1;
    fclose(f);
    {
        /* the EIDs, in the simulator's order */
        char *argv[] = {(char *)"/bin/sh", "-c", cmd, NULL}, out[4096], *line, *save = NULL;
        int i = 0;

        snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf list", dir, SM_BIN_DIR);
        if (itest_run(argv, out, sizeof(out)))
            return -1;
        for (line = strtok_r(out, "\n", &save); line && i < 3; line = strtok_r(NULL, "\n", &save))
            snprintf(eids[i++], sizeof(eids[0]), "%.32s", line);
        for (i = 0; i < 3; i++) {
            char p[128];
            json_error_t je;

            snprintf(p, sizeof(p), "eis/%s.json", eids[i]);
            eis[i] = json_load_file(path_in(p, NULL), 0, &je);
            if (!eis[i])
                return -1;
        }
    }
    if (load_eum())
        return -1;
    /* the SM-SR, trusting the development CI and holding eum1's transport key */
    snprintf(text, sizeof(text), "2.999.20.1 aes-ecb %s\n", hex);
    if (itest_write_file(path_in("transport-keys", NULL), text) ||
        chmod(path_in("transport-keys", NULL), 0600))
        return -1;
    snprintf(text, sizeof(text),
             "test_mode = yes\nid = 2.999.2.1\n[log]\nlevel = info\n[api]\nlisten = "
             "127.0.0.1:0\nport_file = smsr.port\n[tls]\ncert = pki/smsr.crt\nkey = "
             "pki/smsr.key\nclient_ca = pki/ca.crt\n[db]\npath = smsr.db\n[es1]\nci_certs = "
             "pki/ca.crt\ntransport_keys = transport-keys\n[es5]\nenabled = no\n");
    if (itest_write_file(path_in("smsr.conf", NULL), text))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/smsr -c smsr.conf entity import pki/pki.json", dir,
             SM_BIN_DIR);
    if (run(cmd))
        return -1;
    itest_record_dir(SM_BINARY_DIR "/tests/responses-es1");
    return 0;
}

static int start_smsr(void)
{
    char bin[700];
    char *argv[] = {bin, "-c", path_in("smsr.conf", NULL), NULL};

    snprintf(bin, sizeof(bin), "%s/smsr", SM_BIN_DIR);
    unlink(path_in("smsr.port", NULL));
    if (itest_spawn(&smsr, "smsr", argv, path_in("smsr.log", NULL)))
        return -1;
    port = itest_wait_port_file(path_in("smsr.port", NULL), 15000);
    return port > 0 ? 0 : -1;
}

static int group_setup(void **state)
{
    return setup(state) || start_smsr() ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[700];

    (void)state;
    itest_stop(&smsr, 5000);
    for (int i = 0; i < 3; i++)
        json_decref(eis[i]);
    sm_secret_free(eum_key);
    free(eum_cert);
    if (getenv("SM_KEEP_TEST_DIR"))
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* POST /gsma/<path> as name (OID id) with members; the answer, recorded for the schema check. */
static json_t *post(const char *name, const char *id, const char *path, json_t *members,
                    const char *call_id, long expect_http, const char *schema)
{
    char cid[64];

    snprintf(cid, sizeof(cid), "call-%u", ++calls);
    return itest_call_fn(dir, port, name, id, path, members, call_id ? call_id : cid, 0,
                         expect_http, schema);
}

static json_t *register_eis(json_t *e, const char *call_id, long expect_http)
{
    json_t *m = json_pack("{s:O}", "eis", e), *j;

    j = post("eum1", "2.999.20.1", "es1/registerEIS", m, call_id, expect_http,
             expect_http == 200 ? "es1.registerEIS.response.schema.json" : NULL);
    json_decref(m);
    return j;
}

/* The EUM signs eumSignedInfo again, as it would after changing it. */
static void resign(json_t *e)
{
    char *jws = NULL;

    assert_int_equal(sm_jws_sign_detached(json_object_get(e, "eumSignedInfo"), eum_cert,
                                          eum_cert_len, SM_CURVE_P256, eum_key->data, eum_key->len,
                                          &jws),
                     0);
    json_object_set_new(e, "eumSignature", json_string(jws));
    free(jws);
}

static json_t *ecasd_cert_json(json_t *e)
{
    return json_array_get(
        json_object_get(
            json_array_get(
                json_object_get(json_object_get(json_object_get(e, "eumSignedInfo"), "ecasd"),
                                "keyset"),
                0),
            "certificate"),
        0);
}

/* ---- tests ---- */

static void refusals_before_any_registration(void **state)
{
    json_t *e;

    (void)state;
    /* a signed-info change without a new signature */
    e = json_deep_copy(eis[0]);
    json_object_set_new(json_object_get(e, "eumSignedInfo"), "platformVersion",
                        json_string("9.9.9"));
    expect(register_eis(e, NULL, 200), "Failed", "8.6", "6.1", "does not verify");
    json_decref(e);
    /* a signature that is not a JWS, and one by another key (mno1's, same CI) */
    e = json_deep_copy(eis[0]);
    json_object_set_new(e, "eumSignature", json_string("not-a-jws"));
    expect(register_eis(e, NULL, 200), "Failed", "8.6", "6.1", "JWS");
    json_decref(e);
    {
        struct sm_secret *k = NULL;
        enum sm_curve c;
        char *jws = NULL, cpath[700];
        FILE *f;
        X509 *x;
        unsigned char *der = NULL;
        int n;

        snprintf(cpath, sizeof(cpath), "%s/pki/mno1.crt", dir);
        f = fopen(cpath, "r");
        x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
        n = i2d_X509(x, &der);
        X509_free(x);
        assert_int_equal(sm_ec_private_from_pem(path_in("pki/mno1.key", NULL), &c, &k), 0);
        e = json_deep_copy(eis[0]);
        assert_int_equal(sm_jws_sign_detached(json_object_get(e, "eumSignedInfo"), der, (size_t)n,
                                              c, k->data, k->len, &jws),
                         0);
        json_object_set_new(e, "eumSignature", json_string(jws));
        expect(register_eis(e, NULL, 200), "Failed", "8.6", "6.1", "not registered for EUM");
        json_decref(e);
        free(jws);
        OPENSSL_free(der);
        sm_secret_free(k);
    }
    /* addressed to another SM-SR (smsrId is outside the signed part) */
    e = json_deep_copy(eis[0]);
    json_object_set_new(e, "smsrId", json_string("2.999.2.7"));
    expect(register_eis(e, NULL, 200), "Failed", "8.7", "3.10", "another SM-SR");
    json_decref(e);
    /* made by another EUM */
    e = json_deep_copy(eis[0]);
    json_object_set_new(json_object_get(e, "eumSignedInfo"), "eumId", json_string("2.999.20.9"));
    resign(e);
    expect(register_eis(e, NULL, 200), "Failed", "8.6", "1.2", "not by the caller");
    json_decref(e);
    /* the ECASD certificate of another card: it does not name this EID */
    e = json_deep_copy(eis[0]);
    json_object_set(ecasd_cert_json(e), "value", json_object_get(ecasd_cert_json(eis[1]), "value"));
    resign(e);
    expect(register_eis(e, NULL, 200), "Failed", "8.5.2", "6.1", "EID");
    json_decref(e);
    /* an ECASD certificate signed by the wrong key, and an expired one (made here) */
    for (int expired = 0; expired < 2; expired++) {
        uint8_t der[1024];
        struct sm_decode_err de;
        struct sm_gpcert c;
        struct sm_buf out = SM_BUF_INIT;
        char hex[2100];
        long n = sm_hex_decode(json_string_value(json_object_get(ecasd_cert_json(eis[0]), "value")),
                               der, sizeof(der));
        struct sm_secret *other = NULL;
        uint8_t pub[65];
        size_t publen = sizeof(pub);

        assert_int_equal(sm_gpcert_decode(der, (size_t)n, &c, &de), 0);
        if (expired) {
            c.expiration = 20200101;
            assert_int_equal(
                sm_gpcert_encode_sign(&c, SM_CURVE_P256, eum_key->data, eum_key->len, &out), 0);
        } else {
            assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &other, pub, &publen), 0);
            assert_int_equal(
                sm_gpcert_encode_sign(&c, SM_CURVE_P256, other->data, other->len, &out), 0);
            sm_secret_free(other);
        }
        sm_hex_encode_upper(out.data, out.len, hex);
        e = json_deep_copy(eis[0]);
        json_object_set_new(ecasd_cert_json(e), "value", json_string(hex));
        resign(e);
        if (expired)
            expect(register_eis(e, NULL, 200), "Failed", "8.5.2", "6.3", "expired");
        else
            expect(register_eis(e, NULL, 200), "Failed", "8.5.2", "6.1", "not signed by the EUM");
        json_decref(e);
        sm_buf_free(&out);
    }
    /* a key value whose KCV does not match (the key sets are outside the signed part) */
    e = json_deep_copy(eis[0]);
    {
        json_t *sets = json_object_get(json_object_get(e, "isdR"), "keyset");
        json_t *key = json_array_get(json_object_get(json_array_get(sets, 0), "key"), 1);

        json_object_set_new(key, "kcv", json_string("000000"));
    }
    expect(register_eis(e, NULL, 200), "Failed", "8.4", "6.1", "KCV");
    json_decref(e);
    /* malformed: HTTP 400 with the member named */
    e = json_deep_copy(eis[0]);
    json_object_del(e, "isdR");
    expect(register_eis(e, NULL, 400), "Failed", "8.6", "2.2", "eis.isdR");
    json_decref(e);
    e = json_deep_copy(eis[0]);
    json_object_set_new(json_object_get(e, "eumSignedInfo"), "eid",
                        json_string("89049032000000000000000000000164"));
    expect(register_eis(e, NULL, 400), "Failed", "8.1.1", "2.1", "eid");
    json_decref(e);
    e = json_deep_copy(eis[0]);
    json_object_set_new(e, "colour", json_string("blue"));
    expect(register_eis(e, NULL, 400), "Failed", "1.3.1", "2.1", "unknown member eis.colour");
    json_decref(e);
    e = json_deep_copy(eis[0]);
    json_object_set_new(json_array_get(json_object_get(e, "profileInfo"), 0), "iccid",
                        json_string("8999901000000000012"));
    expect(register_eis(e, NULL, 400), "Failed", "8.2.1", "2.1", "iccid");
    json_decref(e);
}

static void registration_and_retries(void **state)
{
    json_t *e;

    (void)state;
    for (int i = 0; i < 3; i++)
        expect(register_eis(eis[i], NULL, 200), "Executed-Success", NULL, NULL, NULL);
    /* again, as a new call: already registered */
    expect(register_eis(eis[0], NULL, 200), "Failed", "8.1.1", "3.3", "already registered");
    /* a retry of a call that succeeded gets its answer again, nothing runs twice */
    expect(register_eis(eis[1], "reg-retry", 200), "Failed", "8.1.1", "3.3", NULL);
    expect(register_eis(eis[1], "reg-retry", 200), "Failed", "8.1.1", "3.3", NULL);
    /* another card claiming an ICCID of the registry (profileInfo is outside the signature) */
    e = json_deep_copy(eis[2]);
    json_object_set(
        json_array_get(json_object_get(e, "profileInfo"), 0), "iccid",
        json_object_get(json_array_get(json_object_get(eis[0], "profileInfo"), 0), "iccid"));
    json_object_set_new(json_object_get(e, "eumSignedInfo"), "eid", json_string(eids[2]));
    expect(register_eis(e, NULL, 200), "Failed", "8.1.1", "3.3", NULL);
    json_decref(e);
}

static json_t *get_eis(const char *who, const char *id, const char *iface, const char *eid)
{
    json_t *m = json_pack("{s:s}", "eid", eid), *j;
    char path[64], schema[64];

    snprintf(path, sizeof(path), "%s/getEIS", iface);
    snprintf(schema, sizeof(schema), "%s.getEIS.response.schema.json", iface);
    j = post(who, id, path, m, NULL, 200, schema);
    json_decref(m);
    return j;
}

static void filtered_views(void **state)
{
    json_t *j, *e;
    char *text;

    (void)state;
    /* the owner of the provisioning profile sees it; another MNO and the SM-DP do not */
    j = get_eis("mno1", "2.999.10.1", "es4", eids[0]);
    assert_string_equal(status_of(j), "Executed-Success");
    e = json_object_get(j, "eis");
    assert_int_equal(json_array_size(json_object_get(e, "profileInfo")), 1);
    assert_string_equal(json_string_value(json_object_get(e, "smsrId")), "2.999.2.1");
    /* never a key value or a KCV; the EUM signature still verifies for whoever checks it */
    text = sm_json_dump(e);
    assert_null(strstr(text, "keyComponents"));
    assert_null(strstr(text, "\"key\""));
    assert_null(strstr(text, "\"kcv\""));
    free(text);
    {
        struct sm_jws_signer s;
        char why[200];

        assert_int_equal(
            sm_jws_verify_detached(json_string_value(json_object_get(e, "eumSignature")),
                                   json_object_get(e, "eumSignedInfo"), &s, why, sizeof(why)),
            0);
        sm_jws_signer_free(&s);
    }
    json_decref(j);
    j = get_eis("mno2", "2.999.10.2", "es4", eids[0]);
    assert_string_equal(status_of(j), "Executed-Success");
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "eis"), "profileInfo")), 0);
    json_decref(j);
    j = get_eis("smdp", "2.999.1.1", "es3", eids[1]);
    assert_string_equal(status_of(j), "Executed-Success");
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "eis"), "profileInfo")), 0);
    json_decref(j);
    /* an EID that is valid but not registered */
    expect(get_eis("mno1", "2.999.10.1", "es4", "89049032000000000000000000001133"), "Failed",
           "8.1.1", "3.9", "unknown EID");
    /* the EUM may not read EISs over ES4 */
    {
        json_t *m = json_pack("{s:s}", "eid", eids[0]);

        json_decref(post("eum1", "2.999.20.1", "es4/getEIS", m, NULL, 403, NULL));
        json_decref(m);
    }
}

static void kept_across_restart_and_no_key_in_clear(void **state)
{
    size_t len = 0;
    uint8_t *db;
    json_t *j;

    (void)state;
    assert_int_equal(itest_stop(&smsr, 10000), 0);
    /* the ISD-R keys are in the store, but not in clear: decipher them here and look */
    db = sm_test_read_file(path_in("smsr.db", NULL), &len);
    assert_non_null(db);
    for (int i = 0; i < 3; i++) {
        json_t *ks, *k;
        size_t a, b;

        json_array_foreach(json_object_get(json_object_get(eis[i], "isdR"), "keyset"), a, ks) {
            json_array_foreach(json_object_get(ks, "key"), b, k) {
                uint8_t enc[16], plain[16];
                static const uint8_t zero[16];

                sm_hex_decode(json_string_value(json_object_get(
                                  json_array_get(json_object_get(k, "keyComponents"), 0), "value")),
                              enc, 16);
                assert_int_equal(sm_aes_cbc(false, tkey, 16, zero, enc, 16, plain), 0);
                assert_null(memmem(db, len, plain, 16));
            }
        }
    }
    free(db);
    assert_int_equal(start_smsr(), 0);
    j = get_eis("mno1", "2.999.10.1", "es4", eids[2]);
    assert_string_equal(status_of(j), "Executed-Success");
    json_decref(j);
    assert_int_equal(itest_stop(&smsr, 10000), 0);
    assert_int_equal(itest_validate_recorded(SM_SOURCE_DIR "/schema",
                                             SM_SOURCE_DIR "/tests/integration/validate_json.py"),
                     0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(refusals_before_any_registration),
    cmocka_unit_test(registration_and_retries),
    cmocka_unit_test(filtered_views),
    cmocka_unit_test(kept_across_restart_and_no_key_in_clear),
};

SM_TEST_MAIN(tests, group_setup, teardown)
