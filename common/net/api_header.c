/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/api_header.h"
#include "sm/json.h"

/* Identifiers are printable ASCII without spaces: they end up in logs, URLs and SQL keys. */
static int printable_id(const char *s)
{
    if (!*s)
        return -EINVAL;
    for (; *s; s++)
        if (*s <= 0x20 || *s >= 0x7f)
            return -EINVAL;
    return 0;
}

/* BaseRequestType: FunctionCallIdentifier mandatory, ValidityPeriod optional positive seconds.
 * The requester identifier is the JSON binding's addition (SGP.22 ES2+ header). */
static const struct sm_json_field header_fields[] = {
    {"functionRequesterIdentifier", SM_JT_STRING, true, SM_ID_MAX, printable_id, SM_SUBJ_REQUESTER,
     NULL, 0, 0},
    {"functionCallIdentifier", SM_JT_STRING, true, SM_ID_MAX, printable_id, SM_SUBJ_FUNCTION, NULL,
     0, 0},
    {"validityPeriod", SM_JT_INTEGER, false, 0, NULL, SM_SUBJ_FUNCTION, NULL, 1,
     10LL * 365 * 24 * 3600},
    {NULL, 0, false, 0, NULL, NULL, NULL, 0, 0},
};

static const struct sm_json_field root_header[] = {
    {"header", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_FORMAT, header_fields, 0, 0},
    {NULL, 0, false, 0, NULL, NULL, NULL, 0, 0},
};

int sm_req_header_parse(const json_t *root, struct sm_req_header *h, struct sm_status *st)
{
    const json_t *hdr;
    json_t *only;
    int rc;

    memset(h, 0, sizeof(*h));
    /* check the header member alone; the body members are the function's business */
    only = json_object();
    if (!only)
        return -ENOMEM;
    hdr = json_object_get(root, "header");
    if (hdr)
        json_object_set(only, "header", (json_t *)hdr);
    rc = sm_json_check(only, root_header, "request", st);
    json_decref(only);
    if (rc)
        return rc;
    snprintf(h->requester, sizeof(h->requester), "%s",
             sm_json_str(hdr, "functionRequesterIdentifier"));
    snprintf(h->call_id, sizeof(h->call_id), "%s", sm_json_str(hdr, "functionCallIdentifier"));
    if (json_object_get(hdr, "validityPeriod")) {
        h->has_validity = true;
        h->validity_period = sm_json_int(hdr, "validityPeriod", 0);
    }
    return 0;
}

json_t *sm_req_header_build(const char *requester, const char *call_id, int64_t validity_period)
{
    json_t *h = json_pack("{s:s, s:s}", "functionRequesterIdentifier", requester,
                          "functionCallIdentifier", call_id);

    if (h && validity_period > 0)
        json_object_set_new(h, "validityPeriod", json_integer(validity_period));
    return h;
}

json_t *sm_exec_status_json(const struct sm_status *st)
{
    json_t *fes = json_pack("{s:s}", "status", sm_exec_status_name(st->status));
    json_t *scd;

    if (!fes || st->status == SM_EXEC_SUCCESS || !st->subject[0])
        return fes;
    scd = json_pack("{s:s, s:s}", "subjectCode", st->subject, "reasonCode", st->reason);
    if (!scd) {
        json_decref(fes);
        return NULL;
    }
    if (st->subject_id[0])
        json_object_set_new(scd, "subjectIdentifier", json_string(st->subject_id));
    if (st->message[0])
        json_object_set_new(scd, "message", json_string(st->message));
    json_object_set_new(fes, "statusCodeData", scd);
    return fes;
}

int sm_resp_set_header(json_t *root, const struct sm_status *st)
{
    json_t *fes = sm_exec_status_json(st);

    if (!fes)
        return -ENOMEM;
    return json_object_set_new(root, "header", json_pack("{s:o}", "functionExecutionStatus", fes))
               ? -ENOMEM
               : 0;
}

int sm_resp_parse_status(const json_t *root, struct sm_status *st)
{
    const json_t *fes = json_object_get(json_object_get(root, "header"), "functionExecutionStatus");
    const json_t *scd;
    enum sm_exec_status s;
    const char *name = sm_json_str(fes, "status");

    sm_status_ok(st);
    if (!name || sm_exec_status_parse(name, &s))
        return -EINVAL;
    st->status = s;
    scd = json_object_get(fes, "statusCodeData");
    if (scd) {
        const char *subject = sm_json_str(scd, "subjectCode");
        const char *reason = sm_json_str(scd, "reasonCode");
        const char *sid = sm_json_str(scd, "subjectIdentifier");
        const char *msg = sm_json_str(scd, "message");

        if (!subject || !reason)
            return -EINVAL;
        snprintf(st->subject, sizeof(st->subject), "%s", subject);
        snprintf(st->reason, sizeof(st->reason), "%s", reason);
        snprintf(st->subject_id, sizeof(st->subject_id), "%s", sid ? sid : "");
        snprintf(st->message, sizeof(st->message), "%s", msg ? msg : "");
    }
    return 0;
}
