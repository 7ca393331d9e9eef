/* SPDX-License-Identifier: Apache-2.0 */
/* The common SGP.02 header of the JSON binding, strict member checks, status mapping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/api_header.h"
#include "sm/entity.h"
#include "sm/json.h"

static int parse(const char *text, struct sm_req_header *h, struct sm_status *st)
{
    json_t *root = sm_json_parse_body((const uint8_t *)text, strlen(text), st);
    int rc;

    if (!root)
        return -EBADMSG;
    rc = sm_req_header_parse(root, h, st);
    json_decref(root);
    return rc;
}

static void expect_refused(const char *text, const char *subject, const char *reason,
                           const char *fragment)
{
    struct sm_req_header h;
    struct sm_status st;

    assert_int_not_equal(parse(text, &h, &st), 0);
    assert_int_equal(st.status, SM_EXEC_FAILED);
    assert_int_equal(st.http_status, 400);
    assert_string_equal(st.subject, subject);
    assert_string_equal(st.reason, reason);
    if (!strstr(st.message, fragment))
        fail_msg("message '%s' lacks '%s'", st.message, fragment);
}

static void valid_header(void **state)
{
    struct sm_req_header h;
    struct sm_status st;

    assert_int_equal(parse("{\"header\":{\"functionRequesterIdentifier\":\"1.2.3\","
                           "\"functionCallIdentifier\":\"call-1\"},\"eid\":\"x\"}",
                           &h, &st),
                     0);
    assert_string_equal(h.requester, "1.2.3");
    assert_string_equal(h.call_id, "call-1");
    assert_false(h.has_validity);
    assert_int_equal(parse("{\"header\":{\"functionRequesterIdentifier\":\"1.2.3\","
                           "\"functionCallIdentifier\":\"c\",\"validityPeriod\":3600}}",
                           &h, &st),
                     0);
    assert_true(h.has_validity);
    assert_int_equal(h.validity_period, 3600);
}

static void malformed_requests(void **state)
{
    expect_refused("{\"header\":", "1.3.1", "2.1", "malformed JSON");
    expect_refused("[1,2]", "1.3.1", "2.1", "must be a JSON object");
    expect_refused("{\"a\":1,\"a\":2}", "1.3.1", "2.1", "malformed JSON");
    expect_refused("{}", "1.3.1", "2.2", "request.header is missing");
    expect_refused("{\"header\":[]}", "1.3.1", "2.1", "request.header must be an object");
    expect_refused("{\"header\":{\"functionCallIdentifier\":\"c\"}}", "1.1", "2.2",
                   "functionRequesterIdentifier is missing");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":\"1.2\"}}", "1.6", "2.2",
                   "functionCallIdentifier is missing");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":1,"
                   "\"functionCallIdentifier\":\"c\"}}",
                   "1.1", "2.1", "must be a string");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":\"1.2\","
                   "\"functionCallIdentifier\":\"c\",\"validityPeriod\":\"60\"}}",
                   "1.6", "2.1", "must be an integer");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":\"1.2\","
                   "\"functionCallIdentifier\":\"c\",\"validityPeriod\":0}}",
                   "1.6", "2.1", "between");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":\"1.2\","
                   "\"functionCallIdentifier\":\"c\",\"extra\":1}}",
                   "1.3.1", "2.1", "unknown member request.header.extra");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":\"1.2\","
                   "\"functionCallIdentifier\":\"\"}}",
                   "1.6", "2.1", "not valid");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":\"1.2\","
                   "\"functionCallIdentifier\":\"a b\"}}",
                   "1.6", "2.1", "not valid");
    expect_refused("{\"header\":{\"functionRequesterIdentifier\":\"1.2\","
                   "\"functionCallIdentifier\":\"a\\u0000b\"}}",
                   "1.3.1", "2.1", "malformed JSON"); /* jansson refuses NUL in strings */
}

static void oversized_identifier(void **state)
{
    char text[600], id[200];

    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = 0;
    snprintf(text, sizeof(text),
             "{\"header\":{\"functionRequesterIdentifier\":\"1.2\",\"functionCallIdentifier\":"
             "\"%s\"}}",
             id);
    expect_refused(text, "1.6", "2.1", "longer than 128");
}

static void body_member_tables(void **state)
{
    static const struct sm_json_field inner[] = {
        {"imsi", SM_JT_STRING, false, 15, NULL, "8.2.6", NULL, 0, 0},
        {NULL, 0, false, 0, NULL, NULL, NULL, 0, 0},
    };
    static const struct sm_json_field body[] = {
        {"eid", SM_JT_STRING, true, 32, NULL, "8.1.1", NULL, 0, 0},
        {"enableProfile", SM_JT_BOOLEAN, false, 0, NULL, NULL, NULL, 0, 0},
        {"address", SM_JT_OBJECT, false, 0, NULL, NULL, inner, 0, 0},
        {NULL, 0, false, 0, NULL, NULL, NULL, 0, 0},
    };
    struct sm_status st;
    json_t *o;

    o = json_pack("{s:s, s:b, s:{s:s}}", "eid", "89", "enableProfile", 1, "address", "imsi", "001");
    assert_int_equal(sm_json_check(o, body, "request", &st), 0);
    json_decref(o);

    o = json_pack("{s:b}", "enableProfile", 1);
    assert_int_equal(sm_json_check(o, body, "request", &st), -EINVAL);
    assert_string_equal(st.subject, "8.1.1");
    assert_string_equal(st.reason, "2.2");
    json_decref(o);

    o = json_pack("{s:s, s:s}", "eid", "89", "enableProfile", "yes");
    assert_int_equal(sm_json_check(o, body, "request", &st), -EINVAL);
    assert_string_equal(st.reason, "2.1");
    assert_non_null(strstr(st.message, "request.enableProfile must be a boolean"));
    json_decref(o);

    o = json_pack("{s:s, s:{s:s}}", "eid", "89", "address", "imsi", "0011223344556677");
    assert_int_equal(sm_json_check(o, body, "request", &st), -EINVAL);
    assert_string_equal(st.subject, "8.2.6");
    assert_non_null(strstr(st.message, "request.address.imsi is longer"));
    json_decref(o);

    o = json_pack("{s:s, s:{s:s}}", "eid", "89", "address", "msisdn", "1");
    assert_int_equal(sm_json_check(o, body, "request", &st), -EINVAL);
    assert_non_null(strstr(st.message, "unknown member request.address.msisdn"));
    json_decref(o);

    /* an explicit null counts as absent */
    o = json_pack("{s:s, s:n}", "eid", "89", "address");
    assert_int_equal(sm_json_check(o, body, "request", &st), 0);
    json_decref(o);
}

static void status_to_json(void **state)
{
    struct sm_status st, back;
    json_t *root = json_object();
    char *text;

    sm_status_ok(&st);
    assert_int_equal(sm_resp_set_header(root, &st), 0);
    text = sm_json_dump(root);
    assert_string_equal(
        text, "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}}}");
    free(text);

    sm_status_fail(&st, 200, "8.1.1", "3.9", "89049032123451234512345678901235", "EID %s unknown",
                   "x");
    assert_int_equal(sm_resp_set_header(root, &st), 0);
    text = sm_json_dump(root);
    assert_string_equal(text, "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\","
                              "\"statusCodeData\":{\"subjectCode\":\"8.1.1\",\"reasonCode\":"
                              "\"3.9\",\"subjectIdentifier\":\"89049032123451234512345678901235\","
                              "\"message\":\"EID x unknown\"}}}}");
    free(text);
    assert_int_equal(sm_resp_parse_status(root, &back), 0);
    assert_int_equal(back.status, SM_EXEC_FAILED);
    assert_string_equal(back.subject, "8.1.1");
    assert_string_equal(back.reason, "3.9");
    assert_string_equal(back.message, "EID x unknown");
    json_decref(root);

    root = json_pack("{s:{s:{s:s}}}", "header", "functionExecutionStatus", "status", "Done");
    assert_int_equal(sm_resp_parse_status(root, &back), -EINVAL);
    json_decref(root);
}

static void status_names_and_codes(void **state)
{
    enum sm_exec_status s;

    assert_string_equal(sm_exec_status_name(SM_EXEC_WARNING), "Executed-WithWarning");
    assert_string_equal(sm_exec_status_name(SM_EXEC_EXPIRED), "Expired");
    assert_int_equal(sm_exec_status_parse("EXECUTED_WITHWARNING", &s), 0);
    assert_int_equal(s, SM_EXEC_WARNING);
    assert_int_equal(sm_exec_status_parse("Failed", &s), 0);
    assert_int_equal(s, SM_EXEC_FAILED);
    assert_int_equal(sm_exec_status_parse("failed", &s), -EINVAL);
    assert_string_equal(sm_subject_code_text(SM_SUBJ_EID), "EID");
    assert_string_equal(sm_subject_code_text(SM_SUBJ_REQUESTER), "Function Requester");
    assert_string_equal(sm_reason_code_text(SM_RSN_NOT_ALLOWED), "Not Allowed (Authorisation)");
    assert_string_equal(sm_reason_code_text(SM_RSN_UNKNOWN), "Unknown");
    assert_null(sm_reason_code_text("9.9"));
    assert_true(sm_status_code_valid("8.1.1"));
    assert_true(sm_status_code_valid("1"));
    assert_false(sm_status_code_valid("8..1"));
    assert_false(sm_status_code_valid("8.1."));
    assert_false(sm_status_code_valid(".8"));
    assert_false(sm_status_code_valid("8.a"));
    /* every code the project uses is in the tables */
    const char *subjects[] = {SM_SUBJ_REQUESTER, SM_SUBJ_PROVIDER, SM_SUBJ_PROTOCOL,
                              SM_SUBJ_FORMAT,    SM_SUBJ_FUNCTION, SM_SUBJ_EID,
                              SM_SUBJ_ICCID,     SM_SUBJ_POL2,     SM_SUBJ_SMSR};
    for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
        assert_non_null(sm_subject_code_text(subjects[i]));
}

static void oids_and_roles(void **state)
{
    enum sm_role r;

    assert_int_equal(sm_oid_check("1.3.6.1.4.1.31746.1"), 0);
    assert_int_equal(sm_oid_check("2.999"), 0);
    assert_int_equal(sm_oid_check("3.1"), -EINVAL);
    assert_int_equal(sm_oid_check("1"), -EINVAL);
    assert_int_equal(sm_oid_check("1.02"), -EINVAL);
    assert_int_equal(sm_oid_check("1.2."), -EINVAL);
    assert_int_equal(sm_oid_check("1..2"), -EINVAL);
    assert_int_equal(sm_oid_check("1.2a"), -EINVAL);
    assert_int_equal(sm_role_parse("eum", &r), 0);
    assert_int_equal(r, SM_ROLE_EUM);
    assert_int_equal(sm_role_parse("root", &r), -EINVAL);
    assert_string_equal(sm_role_name(SM_ROLE_SMSR), "smsr");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(valid_header),         cmocka_unit_test(malformed_requests),
    cmocka_unit_test(oversized_identifier), cmocka_unit_test(body_member_tables),
    cmocka_unit_test(status_to_json),       cmocka_unit_test(status_names_and_codes),
    cmocka_unit_test(oids_and_roles),
};

SM_TEST_MAIN(tests, NULL, NULL)
