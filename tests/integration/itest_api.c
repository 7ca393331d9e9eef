/* SPDX-License-Identifier: Apache-2.0 */
/* Calling the daemons' functions from a test as a development-PKI entity (itest.h). */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "itest.h"
#include "sm/json.h"

struct itest_identity itest_as(const char *dir, const char *name)
{
    static char ca[8][700], certs[8][700], keys[8][700];
    static int next;
    int i = next++ % 8;

    snprintf(ca[i], sizeof(ca[i]), "%s/pki/ca.crt", dir);
    snprintf(certs[i], sizeof(certs[i]), "%s/pki/%s.crt", dir, name);
    snprintf(keys[i], sizeof(keys[i]), "%s/pki/%s.key", dir, name);
    return (struct itest_identity){ca[i], certs[i], keys[i]};
}

json_t *itest_call_fn(const char *dir, int port, const char *name, const char *id, const char *path,
                      const json_t *members, const char *call_id, int validity, long expect_http,
                      const char *schema)
{
    struct itest_identity who = itest_as(dir, name);
    struct itest_resp r;
    char url[256], *body;
    json_t *req = json_deep_copy(members), *h, *j;

    h = json_pack("{s:s, s:s}", "functionRequesterIdentifier", id, "functionCallIdentifier",
                  call_id);
    if (validity)
        json_object_set_new(h, "validityPeriod", json_integer(validity));
    json_object_set_new(req, "header", h);
    body = sm_json_dump(req);
    json_decref(req);
    snprintf(url, sizeof(url), "https://localhost:%d/gsma/%s", port, path);
    if (itest_request(&who, "POST", url, body, strlen(body), &r))
        fail_msg("POST %s: no response: %s", path, r.error);
    free(body);
    if (expect_http ? r.status != expect_http : (r.status < 200 || r.status > 299))
        fail_msg("POST %s: HTTP %ld, expected %ld: %s", path, r.status, expect_http, r.body);
    if (schema)
        itest_record(schema, &r);
    j = itest_json(&r);
    itest_resp_free(&r);
    assert_non_null(j);
    return j;
}

const char *itest_exec_status(const json_t *j)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(j, "header"), "functionExecutionStatus"), "status"));
}

void itest_expect_status(json_t *j, const char *status, const char *subject, const char *reason,
                         const char *fragment)
{
    json_t *scd = json_object_get(
        json_object_get(json_object_get(j, "header"), "functionExecutionStatus"), "statusCodeData");
    const char *msg = json_string_value(json_object_get(scd, "message")),
               *subj = json_string_value(json_object_get(scd, "subjectCode")),
               *rsn = json_string_value(json_object_get(scd, "reasonCode")),
               *got = itest_exec_status(j);

    if (!got || strcmp(got, status) ||
        (subject && (!subj || !rsn || strcmp(subj, subject) || strcmp(rsn, reason)))) {
        char *t = sm_json_dump(j);

        fail_msg("unexpected answer (wanted %s %s/%s): %s", status, subject ? subject : "",
                 reason ? reason : "", t ? t : "?");
    }
    if (fragment && (!msg || !strstr(msg, fragment)))
        fail_msg("message '%s' lacks '%s'", msg ? msg : "(none)", fragment);
    json_decref(j);
}

json_t *itest_outcome(const char *dir, int port, const char *name, const char *call_id,
                      int timeout_s, const char *schema)
{
    struct itest_identity who = itest_as(dir, name);
    char url[256];

    snprintf(url, sizeof(url), "https://localhost:%d/gsma/operations/%s", port, call_id);
    for (int i = 0; i < timeout_s * 10; i++) {
        struct itest_resp r;
        json_t *j, *resp;

        if (itest_request(&who, "GET", url, NULL, 0, &r) || r.status != 200)
            fail_msg("GET %s: HTTP %ld %s", url, r.status, r.error);
        j = itest_json(&r);
        assert_non_null(j);
        if (!strcmp(json_string_value(json_object_get(j, "state")), "done")) {
            itest_record("operation.schema.json", &r);
            resp = json_incref(json_object_get(j, "response"));
            /* the final response on its own, as the function's schema has it */
            if (schema)
                itest_record_json(schema, resp);
            json_decref(j);
            itest_resp_free(&r);
            return resp;
        }
        json_decref(j);
        itest_resp_free(&r);
        usleep(100 * 1000);
    }
    fail_msg("operation %s not done within %d s", call_id, timeout_s);
    return NULL;
}

void itest_record_json(const char *schema, const json_t *j)
{
    char *t = sm_json_dump(j);
    struct itest_resp rr = {.status = 200, .body = t, .len = t ? strlen(t) : 0};

    itest_record(schema, &rr);
    free(t);
}

int itest_sh(const char *cmd, char *out, size_t n)
{
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
    int rc = itest_run(argv, out, n);

    if (rc)
        fprintf(stderr, "%s: exit %d: %s\n", cmd, rc, out);
    return rc;
}

int itest_make_cards(const char *dir, int smsc_port, const char *smsr_msisdn,
                     const char *card_extra, unsigned n, char (*eids)[33])
{
    char text[2048], cmd[1024], out[8192], *save = NULL, *line;

    snprintf(text, sizeof(text),
             "db = sim.db\nkek_file = sim.kek\ncontrol_socket = sim.sock\n[log]\nlevel = info\n"
             "[factory]\nci_cert = pki/ca.crt\neum_key = pki/eum1.key\neum_cert = pki/eum1.crt\n"
             "operational_template = usim-minimal\n"
             "[smpp]\nsmsc = 127.0.0.1:%d\nsystem_id = euicc-sim\npassword = simpw\n"
             "[smsr]\nmsisdn = %s\n"
             "[card]\nnotification_interval = 2\nnotification_retries = 3\n%s",
             smsc_port, smsr_msisdn, card_extra ? card_extra : "");
    if (itest_write_file(itest_path(dir, "sim.conf", NULL), text))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf create %u", dir, SM_BIN_DIR, n);
    if (itest_sh(cmd, out, sizeof(out)))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf list", dir, SM_BIN_DIR);
    if (itest_sh(cmd, out, sizeof(out)))
        return -1;
    line = strtok_r(out, "\n", &save);
    for (unsigned i = 0; i < n; i++, line = strtok_r(NULL, "\n", &save)) {
        if (!line || strlen(line) < 32)
            return -1;
        snprintf(eids[i], 33, "%.32s", line);
    }
    return 0;
}

json_t *itest_card_eis(const char *dir, const char *eid)
{
    char p[128];

    snprintf(p, sizeof(p), "eis/%s.json", eid);
    return json_load_file(itest_path(dir, p, NULL), 0, NULL);
}

double itest_metric(const char *dir, int port, const char *name)
{
    struct itest_identity who = itest_as(dir, "admin");
    struct itest_resp r;
    char url[128];
    const char *p;
    double v = -1;

    snprintf(url, sizeof(url), "https://localhost:%d/metrics", port);
    assert_int_equal(itest_request(&who, "GET", url, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    for (p = r.body; p && (p = strstr(p, name));) {
        if ((p == r.body || p[-1] == '\n') && (p[strlen(name)] == ' ' || p[strlen(name)] == '{')) {
            v = atof(strchr(p, ' ') + 1);
            break;
        }
        p += strlen(name);
    }
    itest_resp_free(&r);
    return v;
}

void itest_responses_match_schemas(void **state)
{
    (void)state;
    assert_int_equal(itest_validate_recorded(SM_SOURCE_DIR "/schema",
                                             SM_SOURCE_DIR "/tests/integration/validate_json.py"),
                     0);
}

int itest_start_daemon(const char *dir, struct itest_proc *p, const char *name, const char *bin,
                       int *port)
{
    char conf[64], pf[64];

    snprintf(conf, sizeof(conf), "%s.conf", name);
    snprintf(pf, sizeof(pf), "%s.port", name);
    unlink(itest_path(dir, pf, NULL));
    if (itest_spawn_conf(dir, p, name, bin, conf, NULL))
        return -1;
    *port = itest_wait_port_file(itest_path(dir, pf, NULL), 15000);
    return *port > 0 ? 0 : -1;
}

int itest_register_cards(const char *dir, int port, char (*eids)[33], unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        json_t *e = itest_card_eis(dir, eids[i]), *m = e ? json_pack("{s:o}", "eis", e) : NULL, *j;
        char cid[48];
        int ok;

        if (!m)
            return -1;
        snprintf(cid, sizeof(cid), "register-%s", eids[i]);
        j = itest_call_fn(dir, port, "eum1", "2.999.20.1", "es1/registerEIS", m, cid, 0, 200, NULL);
        json_decref(m);
        ok = itest_exec_status(j) && !strcmp(itest_exec_status(j), "Executed-Success");
        json_decref(j);
        if (!ok)
            return -1;
    }
    return 0;
}

void itest_rx_wait(const char *suffix, const char *needle, int n, int timeout_s)
{
    for (int t = 0; t < timeout_s * 10 && itest_rx_count(suffix, needle) < n; t++)
        usleep(100 * 1000);
    if (itest_rx_count(suffix, needle) < n)
        fail_msg("%s about %s: %d received, %d expected", suffix, needle,
                 itest_rx_count(suffix, needle), n);
}
