/* SPDX-License-Identifier: Apache-2.0 */
/* Calls to another entity's API and their results (smdb/peer.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/api_header.h"
#include "sm/err.h"
#include "sm/json.h"
#include "smdb/peer.h"

int smdb_peer_base(struct smdb *db, const char *self_id, const char *peer_id, enum sm_role role,
                   char *base, size_t n)
{
    struct sm_entity e;
    int rc = smdb_entity_get(db, peer_id, &e);

    if (rc == -ENOENT)
        return -EHOSTUNREACH;
    if (rc)
        return rc;
    if (e.role != role || !e.enabled || !e.callback_url[0] || strcmp(e.id, peer_id) ||
        !strcmp(e.id, self_id))
        return -EHOSTUNREACH;
    snprintf(base, n, "%s", e.callback_url);
    return 0;
}

int smdb_peer_call(struct smdb *db, struct sm_http_client *http, const char *self_id,
                   const char *peer_id, enum sm_role role, const char *path, const char *call_id,
                   int64_t validity, json_t *members, json_t **answer, struct sm_status *st,
                   char *err, size_t errlen)
{
    struct sm_http_result res = {0};
    char base[600], url[700];
    json_t *body = NULL;
    int rc = smdb_peer_base(db, self_id, peer_id, role, base, sizeof(base));

    *answer = NULL;
    if (rc) {
        snprintf(err, errlen, "%s: not a known %s", peer_id, sm_role_name(role));
        json_decref(members);
        return rc;
    }
    json_object_set_new(members, "header", sm_req_header_build(self_id, call_id, validity));
    snprintf(url, sizeof(url), "%s/%s", base, path);
    rc = sm_http_post_json(http, url, members, &res, &body);
    json_decref(members);
    if (rc) {
        snprintf(err, errlen, "%s: %s", url, res.error[0] ? res.error : sm_strerror(rc));
        sm_http_result_free(&res);
        return rc;
    }
    if (res.status == 202) {
        rc = SMDB_PEER_ACCEPTED;
    } else if (body && sm_resp_parse_status(body, st) == 0) {
        /* answered at once: a result, a refusal, or the result of a retried call that is done */
        rc = res.status == 200 && (st->status == SM_EXEC_SUCCESS || st->status == SM_EXEC_WARNING)
                 ? SMDB_PEER_DONE
                 : SMDB_PEER_REFUSED;
        *answer = body;
        body = NULL;
    } else {
        snprintf(err, errlen, "%s: HTTP %ld without an SGP.02 answer", url, res.status);
        rc = -EPROTO;
    }
    json_decref(body);
    sm_http_result_free(&res);
    return rc;
}

int smdb_peer_result(struct smdb *db, struct sm_http_client *http, const char *self_id,
                     const char *peer_id, enum sm_role role, const char *call_id, json_t **response,
                     char *err, size_t errlen)
{
    struct sm_http_result res = {0};
    char base[600], url[700];
    json_t *j = NULL;
    const char *state;
    int rc = smdb_peer_base(db, self_id, peer_id, role, base, sizeof(base));

    *response = NULL;
    if (rc) {
        snprintf(err, errlen, "%s: not a known %s", peer_id, sm_role_name(role));
        return rc;
    }
    snprintf(url, sizeof(url), "%s/operations/%s", base, call_id);
    rc = sm_http_get(http, url, &res);
    if (rc) {
        snprintf(err, errlen, "%s: %s", url, res.error[0] ? res.error : sm_strerror(rc));
        sm_http_result_free(&res);
        return rc;
    }
    if (res.status == 200)
        j = json_loadb((const char *)res.body.data, res.body.len, JSON_REJECT_DUPLICATES, NULL);
    state = j ? sm_json_str(j, "state") : NULL;
    if (!state) {
        snprintf(err, errlen, "%s: HTTP %ld", url, res.status);
        rc = res.status == 404 ? -ENOENT : -EPROTO;
    } else if (!strcmp(state, "done")) {
        json_t *r = json_object_get(j, "response");

        if (json_is_object(r)) {
            *response = json_incref(r);
        } else {
            snprintf(err, errlen, "%s: done without a response", url);
            rc = -EPROTO;
        }
    }
    json_decref(j);
    sm_http_result_free(&res);
    return rc;
}

void smdb_peer_status(const json_t *response, const char *subj, struct sm_status *st)
{
    if (sm_resp_parse_status(response, st))
        sm_status_fail(st, 200, subj, SM_RSN_EXECUTION_ERROR, NULL,
                       "the answer has no functionExecutionStatus");
}
