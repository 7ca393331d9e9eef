/* SPDX-License-Identifier: Apache-2.0 */
/* Calling the daemons' functions from a test as a development-PKI entity (itest.h). */
#include <stdio.h>
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
