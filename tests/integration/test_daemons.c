/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Both daemons as real processes (built with the sanitizers by ./test.sh), on ephemeral
 * loopback ports, from a temporary directory with a fresh test PKI: client authentication,
 * the SGP.02 refusals at the API edge, metrics, hostile input, and a clean shutdown. Every JSON
 * body they send is checked against schema/ at the end.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../sm_test.h"
#include "itest.h"
#include "sm/devpki.h"

static char dir[] = "/tmp/sm-itest-XXXXXX";
static char pki[600], ca[700];
static struct itest_proc smsr, smdp;
static int smsr_port, smdp_port;

/* dir/a[b]: a path in the test directory. */
static char *path_in(const char *a, const char *b)
{
    return itest_path(dir, a, b);
}

static struct itest_identity as(const char *name)
{
    static char certs[8][700], keys[8][700];
    static int next;
    int i = next++ % 8;

    snprintf(certs[i], sizeof(certs[i]), "%s/%s.crt", pki, name);
    snprintf(keys[i], sizeof(keys[i]), "%s/%s.key", pki, name);
    return (struct itest_identity){ca, certs[i], keys[i]};
}

static int write_conf(const char *name, const char *id, const char *extra)
{
    char text[2048];

    snprintf(text, sizeof(text),
             "test_mode = yes\nid = %s\n%s\n[log]\nlevel = info\n[api]\nlisten = 127.0.0.1:0\n"
             "port_file = %s.port\nbody_limit = 64k\nthreads = 4\n[tls]\ncert = pki/%s.crt\n"
             "key = pki/%s.key\nclient_ca = pki/ca.crt\n[db]\npath = %s.db\n%s",
             id, extra, name, name, name, name,
             strcmp(name, "smsr") ? "" : "[es5]\nenabled = no\n" /* no SMSC here */);
    return itest_write_file(path_in(name, ".conf"), text);
}

/* Run "<daemon> -c <name>.conf args..." (args NULL-terminated); daemon is smsr unless name is
 * smdp. Returns the exit code. */
static int run_daemon_cmd(const char *name, const char *const *args)
{
    char bin[700], out[4096];
    char *argv[16] = {bin, "-c", path_in(name, ".conf")};
    size_t n = 3;
    int rc;

    for (; *args && n < 15; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    snprintf(bin, sizeof(bin), "%s/%s", SM_BIN_DIR, strcmp(name, "smdp") ? "smsr" : "smdp");
    rc = itest_run(argv, out, sizeof(out));
    if (rc)
        fprintf(stderr, "%s %s: exit %d: %s\n", name, argv[3], rc, out);
    return rc;
}

#define CMD(...) ((const char *const[]){__VA_ARGS__, NULL})

static int start(struct itest_proc *p, const char *name, int *port)
{
    char bin[700];
    char *argv[] = {bin, "-c", path_in(name, ".conf"), NULL};

    snprintf(bin, sizeof(bin), "%s/%s", SM_BIN_DIR, name);
    unlink(path_in(name, ".port"));
    if (itest_spawn(p, name, argv, path_in(name, ".log")))
        return -1;
    *port = itest_wait_port_file(path_in(name, ".port"), 15000);
    return *port > 0 ? 0 : -1;
}

static int setup(void **state)
{
    int64_t now = (int64_t)time(NULL);
    struct sm_devpki_cert_spec expired = {
        "expired", SM_DEVPKI_CLIENT, now - 90 * 86400, now - 86400, true, "mno"};
    struct sm_devpki_cert_spec notyet = {
        "notyet", SM_DEVPKI_CLIENT, now + 86400, now + 90 * 86400, true, "mno"};
    struct sm_devpki_cert_spec unregistered = {
        "stranger", SM_DEVPKI_CLIENT, now - 60, now + 86400, true, "mno"};
    struct sm_devpki_cert_spec other_ca = {"otherca",   SM_DEVPKI_CA, now - 60,
                                           now + 86400, true,         "intruder"};
    struct sm_devpki_cert_spec intruder = {
        "intruder", SM_DEVPKI_CLIENT, now - 60, now + 86400, true, "mno"};
    char *pkidir;

    signal(SIGPIPE, SIG_IGN); /* hostile-input tests write to connections the server closed */
    if (!mkdtemp(dir))
        return -1;
    snprintf(pki, sizeof(pki), "%s/pki", dir);
    snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
    pkidir = pki;
    if (sm_devpki_init(pkidir, false, NULL) || sm_devpki_issue(pkidir, "ca", &expired) ||
        sm_devpki_issue(pkidir, "ca", &notyet) || sm_devpki_issue(pkidir, "ca", &unregistered) ||
        sm_devpki_make_ca(pkidir, &other_ca) || sm_devpki_issue(pkidir, "otherca", &intruder))
        return -1;
    if (write_conf("smsr", "2.999.2.1", "") || write_conf("smdp", "2.999.1.1", ""))
        return -1;
    for (int i = 0; i < 2; i++) {
        const char *d = i ? "smdp" : "smsr";

        if (run_daemon_cmd(d, CMD("entity", "import", path_in("pki/pki.json", NULL))))
            return -1;
        /* registered, so that only their expiry / validity / CA can be what refuses them */
        if (run_daemon_cmd(d, CMD("entity", "add", "mno3", "--role", "mno", "--id", "2.999.10.3",
                                  "--cert", path_in("pki/expired.crt", NULL))) ||
            run_daemon_cmd(d, CMD("entity", "cert", "mno3", path_in("pki/notyet.crt", NULL))) ||
            run_daemon_cmd(d, CMD("entity", "cert", "mno3", path_in("pki/intruder.crt", NULL))))
            return -1;
    }
    itest_record_dir(SM_BINARY_DIR "/tests/responses-daemons");
    if (start(&smsr, "smsr", &smsr_port) || start(&smdp, "smdp", &smdp_port)) {
        fprintf(stderr, "daemons did not start; logs in %s\n", dir);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[700];

    itest_stop(&smsr, 5000);
    itest_stop(&smdp, 5000);
    if (getenv("SM_KEEP_TEST_DIR"))
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static char *url(int port, const char *path)
{
    static char bufs[4][256];
    static int next;
    char *u = bufs[next++ % 4];

    snprintf(u, 256, "https://localhost:%d%s", port, path);
    return u;
}

/* Send, check the HTTP status, record the body for the schema check, return it parsed. */
static json_t *call(const struct itest_identity *id, const char *method, int port, const char *path,
                    const char *body, long expect_status, const char *schema)
{
    struct itest_resp r;
    json_t *j;

    if (itest_request(id, method, url(port, path), body, body ? strlen(body) : 0, &r))
        fail_msg("%s %s: no response: %s", method, path, r.error);
    if (r.status != expect_status)
        fail_msg("%s %s: HTTP %ld, expected %ld: %s", method, path, r.status, expect_status,
                 r.body);
    assert_string_equal(r.content_type, "application/json");
    itest_record(schema, &r);
    j = itest_json(&r);
    itest_resp_free(&r);
    assert_non_null(j);
    return j;
}

/* The body must be a refusal with these codes (and the message must contain fragment). */
static void expect_refusal(json_t *j, const char *subject, const char *reason, const char *fragment)
{
    json_t *fes = json_object_get(json_object_get(j, "header"), "functionExecutionStatus");
    json_t *scd = json_object_get(fes, "statusCodeData");
    const char *msg = json_string_value(json_object_get(scd, "message"));

    assert_string_equal(json_string_value(json_object_get(fes, "status")), "Failed");
    assert_string_equal(json_string_value(json_object_get(scd, "subjectCode")), subject);
    assert_string_equal(json_string_value(json_object_get(scd, "reasonCode")), reason);
    if (fragment && (!msg || !strstr(msg, fragment)))
        fail_msg("message '%s' lacks '%s'", msg ? msg : "(none)", fragment);
    json_decref(j);
}

static char *req(const char *call_id, const char *members)
{
    static char buf[2][1024];
    static int next;
    char *b = buf[next++ % 2];

    snprintf(b, 1024,
             "{\"header\":{\"functionRequesterIdentifier\":\"2.999.10.1\","
             "\"functionCallIdentifier\":\"%s\"}%s}",
             call_id, members);
    return b;
}

static void health_with_valid_certificate(void **state)
{
    struct itest_identity mno1 = as("mno1");
    json_t *j;

    j = call(&mno1, "GET", smsr_port, "/health", NULL, 200, "health.schema.json");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(j, "daemon")), "smsr");
    assert_string_equal(json_string_value(json_object_get(j, "id")), "2.999.2.1");
    json_decref(j);
    j = call(&mno1, "GET", smdp_port, "/health", NULL, 200, "health.schema.json");
    assert_string_equal(json_string_value(json_object_get(j, "daemon")), "smdp");
    json_decref(j);
    /* every role may ask */
    j = call((struct itest_identity[]){as("eum1")}, "GET", smsr_port, "/health", NULL, 200,
             "health.schema.json");
    json_decref(j);
}

static void unauthenticated_clients_are_refused(void **state)
{
    struct itest_identity none = {ca, NULL, NULL}, expired = as("expired"), notyet = as("notyet"),
                          stranger = as("stranger");
    struct itest_identity intruder = as("intruder");
    const int ports[] = {smsr_port, smdp_port};

    for (int i = 0; i < 2; i++) {
        expect_refusal(
            call(&none, "GET", ports[i], "/health", NULL, 403, "error-response.schema.json"), "1.1",
            "1.1", "no client certificate");
        expect_refusal(
            call(&expired, "GET", ports[i], "/health", NULL, 403, "error-response.schema.json"),
            "1.1", "1.1", "expired");
        expect_refusal(
            call(&notyet, "GET", ports[i], "/health", NULL, 403, "error-response.schema.json"),
            "1.1", "1.1", "not yet valid");
        expect_refusal(
            call(&intruder, "GET", ports[i], "/health", NULL, 403, "error-response.schema.json"),
            "1.1", "1.1", "not issued by a trusted CA");
        expect_refusal(
            call(&stranger, "GET", ports[i], "/health", NULL, 403, "error-response.schema.json"),
            "1.1", "1.1", "not registered");
        /* a function call is refused the same way, before its body is looked at */
        expect_refusal(call(&none, "POST", ports[i], "/gsma/es2/getEIS", "{", 403,
                            "error-response.schema.json"),
                       "1.1", "1.1", NULL);
    }
}

static void malformed_requests_get_400(void **state)
{
    struct itest_identity mno1 = as("mno1");

    expect_refusal(call(&mno1, "POST", smsr_port, "/gsma/es4/getEIS", "{\"header\":", 400,
                        "error-response.schema.json"),
                   "1.3.1", "2.1", "malformed JSON");
    expect_refusal(
        call(&mno1, "POST", smsr_port, "/gsma/es4/getEIS", "", 400, "error-response.schema.json"),
        "1.3.1", "2.2", "empty");
    expect_refusal(call(&mno1, "POST", smsr_port, "/gsma/es4/getEIS", "{\"eid\":\"89\"}", 400,
                        "error-response.schema.json"),
                   "1.3.1", "2.2", "request.header is missing");
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/getEIS",
                        "{\"header\":{\"functionRequesterIdentifier\":\"2.999.10.1\"}}", 400,
                        "error-response.schema.json"),
                   "1.6", "2.2", "functionCallIdentifier is missing");
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/getEIS",
                        "{\"header\":{\"functionRequesterIdentifier\":\"2.999.10.1\","
                        "\"functionCallIdentifier\":42}}",
                        400, "error-response.schema.json"),
                   "1.6", "2.1", "must be a string");
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/getEIS",
                        "{\"header\":{\"functionRequesterIdentifier\":\"2.999.10.1\","
                        "\"functionCallIdentifier\":\"x\",\"validityPeriod\":\"soon\"}}",
                        400, "error-response.schema.json"),
                   "1.6", "2.1", "must be an integer");
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/getEIS", "[\"header\"]", 400,
                        "error-response.schema.json"),
                   "1.3.1", "2.1", "must be a JSON object");
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/getEIS", "\xff\xfe{}", 400,
                        "error-response.schema.json"),
                   "1.3.1", "2.1", "malformed JSON");
}

static void requester_must_match_certificate(void **state)
{
    struct itest_identity mno1 = as("mno1");

    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/getEIS",
                        "{\"header\":{\"functionRequesterIdentifier\":\"2.999.10.2\","
                        "\"functionCallIdentifier\":\"m1\"}}",
                        403, "error-response.schema.json"),
                   "1.1", "1.2", "does not match the client certificate");
}

static void oversized_body_gets_413(void **state)
{
    struct itest_identity mno1 = as("mno1");
    size_t n = 200 * 1024;
    char *big = malloc(n + 1);

    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = 0;
    expect_refusal(
        call(&mno1, "POST", smsr_port, "/gsma/es4/getEIS", big, 413, "error-response.schema.json"),
        "1.3.1", "2.1", "larger than");
    free(big);
}

static void unknown_functions_get_404(void **state)
{
    struct itest_identity mno1 = as("mno1");

    expect_refusal(call(&mno1, "POST", smsr_port, "/gsma/es4/noSuchFunction", req("u1", ""), 404,
                        "error-response.schema.json"),
                   "1.6", "3.9", "no such function");
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es9/getEIS", req("u2", ""), 404,
                        "error-response.schema.json"),
                   "1.6", "3.9", NULL);
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/getEIS/extra", req("u3", ""), 404,
                        "error-response.schema.json"),
                   "1.6", "3.9", NULL);
    expect_refusal(
        call(&mno1, "GET", smdp_port, "/index.html", NULL, 404, "error-response.schema.json"),
        "1.3", "3.9", "no such resource");
    expect_refusal(
        call(&mno1, "GET", smdp_port, "/gsma/es2/getEIS", NULL, 405, "error-response.schema.json"),
        "1.3", "3.1", "POST");
    expect_refusal(call(&mno1, "GET", smsr_port, "/gsma/operations/never-seen", NULL, 404,
                        "error-response.schema.json"),
                   "1.6", "3.9", NULL);
}

static void roles_are_enforced(void **state)
{
    struct itest_identity mno1 = as("mno1"), eum1 = as("eum1"), smdp_id = as("smdp");
    char body[512];

    /* an MNO may not register eUICCs (ES1 is the EUM's) */
    expect_refusal(call(&mno1, "POST", smsr_port, "/gsma/es1/registerEIS", req("r1", ""), 403,
                        "error-response.schema.json"),
                   "1.1", "1.2", "role mno may not call es1.registerEIS");
    /* an EUM may not drive profiles (ES4 is the MNO's) */
    snprintf(body, sizeof(body),
             "{\"header\":{\"functionRequesterIdentifier\":\"2.999.20.1\","
             "\"functionCallIdentifier\":\"r2\"}}");
    expect_refusal(call(&eum1, "POST", smsr_port, "/gsma/es4/enableProfile", body, 403,
                        "error-response.schema.json"),
                   "1.1", "1.2", "role eum may not call es4.enableProfile");
    /* the SM-DP may not act as an MNO towards the SM-SR */
    expect_refusal(call(&smdp_id, "POST", smsr_port, "/gsma/es4/getEIS", body, 403,
                        "error-response.schema.json"),
                   "1.1", "1.2", "role smdp may not call es4.getEIS");
    /* nor is it a caller of its own API (pki.json import skips the daemon itself) */
    expect_refusal(call(&smdp_id, "POST", smdp_port, "/gsma/es2/downloadProfile", body, 403,
                        "error-response.schema.json"),
                   "1.1", "1.1", "not registered");
    /* an MNO may not send the SM-SR's notifications to the SM-DP */
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es3/handleProfileEnabledNotification",
                        req("r3", ""), 403, "error-response.schema.json"),
                   "1.1", "1.2", NULL);
    /* the right role passes the edge: the function's member table decides */
    expect_refusal(call(&mno1, "POST", smsr_port, "/gsma/es4/smsrChange", req("r4", ""), 400,
                        "error-response.schema.json"),
                   "8.1.1", "2.2", "eid");
    /* ES2.AuditEIS without the card named */
    expect_refusal(call(&mno1, "POST", smdp_port, "/gsma/es2/auditEIS", req("r5", ""), 400,
                        "error-response.schema.json"),
                   "8.1.1", "2.2", "eid");
}

static void metrics_for_admin_only(void **state)
{
    struct itest_identity admin = as("admin"), mno1 = as("mno1");
    struct itest_resp r;

    expect_refusal(
        call(&mno1, "GET", smsr_port, "/metrics", NULL, 403, "error-response.schema.json"), "1.1",
        "1.2", "admin");
    assert_int_equal(itest_request(&admin, "GET", url(smsr_port, "/metrics"), NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/plain"));
    assert_non_null(strstr(r.body, "# TYPE sm_requests_total counter"));
    assert_non_null(strstr(
        r.body, "sm_requests_total{daemon=\"smsr\",function=\"es1.registerEIS\",code=\"403\"} 1"));
    assert_non_null(strstr(r.body, "sm_requests_total{daemon=\"smsr\",function=\"health\""));
    assert_non_null(strstr(r.body, "sm_request_duration_seconds_bucket{daemon=\"smsr\","
                                   "function=\"es4.smsrChange\",le=\"+Inf\"}"));
    assert_non_null(strstr(r.body, "sm_function_results_total{daemon=\"smsr\","
                                   "function=\"es4.smsrChange\",status=\"Failed\"}"));
    assert_non_null(strstr(r.body, "sm_db_errors_total{daemon=\"smsr\"} 0"));
    itest_resp_free(&r);
}

/* Bytes no client should send. The daemons must answer or hang up, and keep running. */
static void hostile_input_does_not_crash(void **state)
{
    struct itest_identity mno1 = as("mno1");
    static char out[65536];
    const int ports[] = {smsr_port, smdp_port};
    char *deep = malloc(300002), *longurl = malloc(70000);
    char req_text[400];

    for (int i = 0; i < 150000; i++) {
        deep[i] = '[';
        deep[150000 + i] = ']';
    }
    deep[300000] = 0;
    memcpy(longurl, "GET /", 5);
    memset(longurl + 5, 'a', 69000);
    memcpy(longurl + 69005, " HTTP/1.1\r\nHost: x\r\n\r\n", 23);
    for (int i = 0; i < 2; i++) {
        int p = ports[i];
        struct itest_resp r;
        const char *raw[] = {
            "GARBAGE\r\n\r\n",
            "POST /gsma/es4/getEIS HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            ("POST /gsma/es4/getEIS HTTP/1.1\r\nHost: x\r\nContent-Length: "
             "99999999999999999999\r\n\r\n"),
            "POST /gsma/es4/getEIS HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "POST /gsma/es4/getEIS HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\"",
            "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /gsma/operations/%00%ff HTTP/1.1\r\nHost: x\r\n\r\n",
            "DELETE /gsma/es4/getEIS HTTP/1.0\r\n\r\n",
            "GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
        };

        for (size_t k = 0; k < sizeof(raw) / sizeof(raw[0]); k++)
            itest_raw_tls(&mno1, (uint16_t)p, raw[k], strlen(raw[k]), out, sizeof(out), 1500);
        itest_raw_tls(&mno1, (uint16_t)p, longurl, 69028, out, sizeof(out), 1500);
        /* a deeply nested JSON body and a non-object one */
        itest_request(&mno1, "POST", url(p, "/gsma/es2/getEIS"), deep, 300000, &r);
        assert_true(r.status == 400 || r.status == 413 || r.status == 404);
        itest_resp_free(&r);
        snprintf(req_text, sizeof(req_text), "%s", req("h1", ",\"x\":1e999999"));
        itest_request(&mno1, "POST", url(p, "/gsma/es4/getEIS"), req_text, strlen(req_text), &r);
        itest_resp_free(&r);
        /* plain TCP garbage and a TLS client hello cut short */
        itest_raw_tcp((uint16_t)p, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
        itest_raw_tcp((uint16_t)p, "hello\r\n\r\n", 9);
        /* random bodies */
        srand(7);
        for (int n = 0; n < 100; n++) {
            char body[256];
            size_t len = (size_t)(rand() % 255);

            for (size_t b = 0; b < len; b++)
                body[b] = (char)(rand() % 256);
            itest_request(&mno1, "POST", url(p, "/gsma/es4/getEIS"), body, len, &r);
            assert_true(r.status == 400 || r.status == 404 || r.status == 501 || r.status == 0);
            itest_resp_free(&r);
        }
    }
    free(deep);
    free(longurl);
    assert_true(itest_alive(&smsr));
    assert_true(itest_alive(&smdp));
    json_decref(call(&mno1, "GET", smsr_port, "/health", NULL, 200, "health.schema.json"));
    json_decref(call(&mno1, "GET", smdp_port, "/health", NULL, 200, "health.schema.json"));
}

static void config_errors_name_the_line(void **state)
{
    char bin[700], out[4096];
    char *argv[] = {bin, "-c", path_in("bad.conf", NULL), "--check-config", NULL};

    snprintf(bin, sizeof(bin), "%s/smsr", SM_BIN_DIR);
    itest_write_file(path_in("bad.conf", NULL),
                     "test_mode = yes\nid = 2.999.2.1\n[api]\nthreads = 0\n");
    assert_int_equal(itest_run(argv, out, sizeof(out)), 2);
    if (!strstr(out, "bad.conf:4: value '0' of 'api.threads' is out of range"))
        fail_msg("unexpected: %s", out);
    /* outside test mode the test PKI is refused before anything starts */
    itest_write_file(path_in("bad.conf", NULL), "id = 2.999.2.1\n[tls]\ncert = pki/smsr.crt\n"
                                                "key = pki/smsr.key\nclient_ca = pki/ca.crt\n");
    assert_int_equal(itest_run(argv, out, sizeof(out)), 2);
    if (!strstr(out, "bad.conf:3: tls.cert:") || !strstr(out, "test certificate"))
        fail_msg("unexpected: %s", out);
    argv[2] = path_in("smsr.conf", NULL);
    assert_int_equal(itest_run(argv, out, sizeof(out)), 0);
}

/* A daemon outside test mode, with a PKI of its own that is not marked as test, refuses a
 * client certificate that carries the test policy even though it chains to its CA. */
static void test_certificates_need_test_mode(void **state)
{
    int64_t now = (int64_t)time(NULL);
    char prod[700], conf[2048], cacert[760];
    struct sm_devpki_cert_spec pca = {"ca", SM_DEVPKI_CA, now - 60, now + 86400, false, NULL};
    struct sm_devpki_cert_spec srv = {
        "smsr", SM_DEVPKI_SERVER | SM_DEVPKI_CLIENT, now - 60, now + 86400, false, "smsr"};
    struct sm_devpki_cert_spec good = {"mno9", SM_DEVPKI_CLIENT, now - 60, now + 86400, false,
                                       "mno"};
    struct sm_devpki_cert_spec test = {"mno9test", SM_DEVPKI_CLIENT, now - 60, now + 86400, true,
                                       "mno"};
    struct itest_proc p = {0};
    int port;

    snprintf(prod, sizeof(prod), "%s/prod", dir);
    mkdir(prod, 0700);
    assert_int_equal(sm_devpki_make_ca(prod, &pca), 0);
    assert_int_equal(sm_devpki_issue(prod, "ca", &srv), 0);
    assert_int_equal(sm_devpki_issue(prod, "ca", &good), 0);
    assert_int_equal(sm_devpki_issue(prod, "ca", &test), 0);
    snprintf(conf, sizeof(conf),
             "id = 2.999.2.9\n[api]\nlisten = 127.0.0.1:0\nport_file = prod.port\n[tls]\n"
             "cert = prod/smsr.crt\nkey = prod/smsr.key\nclient_ca = prod/ca.crt\n[db]\n"
             "path = prod.db\n[es5]\nenabled = no\n");
    itest_write_file(path_in("prod.conf", NULL), conf);
    assert_int_equal(
        run_daemon_cmd("prod", CMD("entity", "add", "mno9", "--role", "mno", "--id", "2.999.10.9",
                                   "--cert", path_in("prod/mno9.crt", NULL))),
        0);
    assert_int_equal(
        run_daemon_cmd("prod", CMD("entity", "cert", "mno9", path_in("prod/mno9test.crt", NULL))),
        0);
    {
        char bin[700];
        char *argv[] = {bin, "-c", path_in("prod.conf", NULL), NULL};

        snprintf(bin, sizeof(bin), "%s/smsr", SM_BIN_DIR);
        assert_int_equal(itest_spawn(&p, "prod", argv, path_in("prod.log", NULL)), 0);
        port = itest_wait_port_file(path_in("prod.port", NULL), 15000);
        assert_true(port > 0);
    }
    snprintf(cacert, sizeof(cacert), "%s/ca.crt", prod);
    {
        char c1[760], k1[760], c2[760], k2[760];

        snprintf(c1, sizeof(c1), "%s/mno9.crt", prod);
        snprintf(k1, sizeof(k1), "%s/mno9.key", prod);
        snprintf(c2, sizeof(c2), "%s/mno9test.crt", prod);
        snprintf(k2, sizeof(k2), "%s/mno9test.key", prod);
        struct itest_identity ok = {cacert, c1, k1}, t = {cacert, c2, k2};
        json_t *j = call(&ok, "GET", port, "/health", NULL, 200, "health.schema.json");

        assert_false(json_is_true(json_object_get(j, "testMode")));
        json_decref(j);
        expect_refusal(call(&t, "GET", port, "/health", NULL, 403, "error-response.schema.json"),
                       "1.1", "1.1", "test certificates are not accepted");
    }
    assert_int_equal(itest_stop(&p, 10000), 0);
}

static void responses_match_the_schemas(void **state)
{
    assert_int_equal(itest_validate_recorded(SM_SOURCE_DIR "/schema",
                                             SM_SOURCE_DIR "/tests/integration/validate_json.py"),
                     0);
}

/* Last: SIGTERM stops both cleanly (exit 0; under ASan this includes the leak check). */
static void clean_shutdown(void **state)
{
    assert_int_equal(itest_stop(&smsr, 10000), 0);
    assert_int_equal(itest_stop(&smdp, 10000), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(health_with_valid_certificate),
    cmocka_unit_test(unauthenticated_clients_are_refused),
    cmocka_unit_test(malformed_requests_get_400),
    cmocka_unit_test(requester_must_match_certificate),
    cmocka_unit_test(oversized_body_gets_413),
    cmocka_unit_test(unknown_functions_get_404),
    cmocka_unit_test(roles_are_enforced),
    cmocka_unit_test(metrics_for_admin_only),
    cmocka_unit_test(hostile_input_does_not_crash),
    cmocka_unit_test(config_errors_name_the_line),
    cmocka_unit_test(test_certificates_need_test_mode),
    cmocka_unit_test(responses_match_the_schemas),
    cmocka_unit_test(clean_shutdown),
};

SM_TEST_MAIN(tests, setup, teardown)
