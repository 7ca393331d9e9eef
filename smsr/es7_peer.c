/* SPDX-License-Identifier: Apache-2.0 */
/* Calls to the other SM-SR of an SM-SR change and their results (es7_peer.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "es7_peer.h"
#include "sm/api_header.h"
#include "sm/entity.h"
#include "sm/err.h"
#include "sm/json.h"
#include "smdb/db.h"

static int peer_base(const struct smsr_app *a, const char *peer_id, struct sm_entity *e)
{
    int rc = smdb_entity_get(a->db, peer_id, e);

    if (rc)
        return rc;
    return e->role == SM_ROLE_SMSR && e->enabled && e->callback_url[0] &&
                   strcmp(e->id, a->cfg->base.id)
               ? 0
               : -ENOENT;
}

int smsr_peer_check(const struct smsr_app *a, const char *peer_id, struct sm_status *st)
{
    struct sm_entity e;
    int rc = peer_base(a, peer_id, &e);

    if (rc == -ENOENT) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_UNKNOWN, peer_id,
                       "%s is not an SM-SR this SM-SR works with (an enabled entity of role "
                       "smsr with the base URL of its API)",
                       peer_id);
        return 1;
    }
    return rc;
}

int smsr_cannot_take_over(const struct smsr_app *a, struct sm_status *st)
{
    if (a->sr_cert_len)
        return 0;
    sm_status_fail(st, 200, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, a->cfg->base.id,
                   "this SM-SR cannot take cards over: no CERT.SR.ECDSA (es7.certificate)");
    return 1;
}

int smsr_peer_call(struct smsr_app *a, struct sm_http_client *http, const char *peer_id,
                   const char *function, const char *call_id, json_t *members, json_t **answer,
                   struct sm_status *st, char *err, size_t errlen)
{
    struct sm_http_result res = {0};
    struct sm_entity e;
    char url[700];
    json_t *body = NULL;
    int rc = peer_base(a, peer_id, &e);

    *answer = NULL;
    if (rc) {
        snprintf(err, errlen, "%s: not a known SM-SR", peer_id);
        json_decref(members);
        return rc == -ENOENT ? -EHOSTUNREACH : rc;
    }
    json_object_set_new(members, "header", sm_req_header_build(a->cfg->base.id, call_id, 0));
    snprintf(url, sizeof(url), "%s/es7/%s", e.callback_url, function);
    rc = sm_http_post_json(http, url, members, &res, &body);
    json_decref(members);
    if (rc) {
        snprintf(err, errlen, "%s: %s", url, res.error[0] ? res.error : sm_strerror(rc));
        sm_http_result_free(&res);
        return rc;
    }
    if (res.status == 202) {
        rc = 0;
    } else if (res.status == 200 && body && sm_resp_parse_status(body, st) == 0) {
        /* answered at once: a refusal, or the result of a retried call that is done */
        if (st->status == SM_EXEC_SUCCESS || st->status == SM_EXEC_WARNING) {
            *answer = body;
            body = NULL;
            rc = 0;
        } else {
            rc = 1;
        }
    } else if (body && sm_resp_parse_status(body, st) == 0) {
        rc = 1; /* 4xx with an SGP.02 status */
    } else {
        snprintf(err, errlen, "%s: HTTP %ld without an SGP.02 answer", url, res.status);
        rc = -EPROTO;
    }
    json_decref(body);
    sm_http_result_free(&res);
    return rc;
}

int smsr_peer_result(struct smsr_app *a, struct sm_http_client *http, const char *peer_id,
                     const char *call_id, json_t **response, char *err, size_t errlen)
{
    struct sm_http_result res = {0};
    struct sm_entity e;
    char url[700];
    json_t *j = NULL;
    const char *state;
    int rc = peer_base(a, peer_id, &e);

    *response = NULL;
    if (rc) {
        snprintf(err, errlen, "%s: not a known SM-SR", peer_id);
        return rc == -ENOENT ? -EHOSTUNREACH : rc;
    }
    snprintf(url, sizeof(url), "%s/operations/%s", e.callback_url, call_id);
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

void smsr_peer_status(const json_t *response, struct sm_status *st)
{
    if (sm_resp_parse_status(response, st))
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR, NULL,
                       "the other SM-SR's answer has no functionExecutionStatus");
}
