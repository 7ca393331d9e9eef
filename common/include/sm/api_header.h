/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_API_HEADER_H
#define SM_API_HEADER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sm/status.h"

/*
 * The common header of every SGP.02 function call in the JSON binding (architecture section 4,
 * SGP.02 BaseRequestType / BaseResponseType in the SGP.22 ES2+ JSON spelling):
 *   request:  {"header": {"functionRequesterIdentifier", "functionCallIdentifier",
 *                         "validityPeriod"?}, ...}
 *   response: {"header": {"functionExecutionStatus": {"status", "statusCodeData"?:
 *                         {"subjectCode", "reasonCode", "subjectIdentifier"?, "message"?}}}, ...}
 */
#define SM_ID_MAX 128

struct sm_req_header {
    char requester[SM_ID_MAX + 1];
    char call_id[SM_ID_MAX + 1];
    bool has_validity;
    int64_t validity_period; /* seconds, > 0 */
};

/* Parse root.header strictly. Returns 0, or -EINVAL with st set (Failed, HTTP 400). */
int sm_req_header_parse(const json_t *root, struct sm_req_header *h, struct sm_status *st);
/* Build a request header object (for clients). */
json_t *sm_req_header_build(const char *requester, const char *call_id, int64_t validity_period);
/* {"status": ..., "statusCodeData": {...}} for st; statusCodeData only when not a success. */
json_t *sm_exec_status_json(const struct sm_status *st);
/* Set root.header = {"functionExecutionStatus": ...}; root must be an object. Returns 0 or
 * -ENOMEM. */
int sm_resp_set_header(json_t *root, const struct sm_status *st);
/* Parse a response's functionExecutionStatus into st (for clients). Returns 0 or -EINVAL. */
int sm_resp_parse_status(const json_t *root, struct sm_status *st);

#endif
