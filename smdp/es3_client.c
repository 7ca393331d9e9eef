/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM-DP's calls to an SM-SR (ES3, SGP.02 4.3): the SM-SR is an entity of role smsr whose
 * callback URL is the base of its API (https://host:port/gsma); a call goes to
 * <base>/es3/<function> with the SM-DP as requester.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/api_header.h"
#include "sm/err.h"
#include "sm/http_client.h"
#include "sm/log.h"
#include "smdb/db.h"
#include "smdp.h"

int smdp_es3_call(const struct sm_api_call *call, const char *smsr_id, const char *function,
                  json_t *members, json_t **answer, struct sm_status *st)
{
    struct smdp_app *a = call->app;
    struct sm_http_result res = {0};
    struct sm_entity e;
    char url[700], call_id[SM_ID_MAX + 1];
    json_t *body = NULL;
    int rc = smdb_entity_get(a->db, smsr_id, &e);

    *answer = NULL;
    if (rc == -ENOENT || (!rc && (e.role != SM_ROLE_SMSR || !e.enabled || !e.callback_url[0] ||
                                  strcmp(e.id, smsr_id)))) {
        json_decref(members);
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_UNKNOWN, smsr_id,
                       "%s is not an SM-SR this SM-DP works with (an enabled entity of role smsr "
                       "with the base URL of its API)",
                       smsr_id);
        return 1;
    }
    if (rc) {
        json_decref(members);
        return rc;
    }
    /* the SM-DP's own identifier of the call, traceable to the MNO's */
    snprintf(call_id, sizeof(call_id), "es2-%.40s-%.80s", call->caller->name,
             call->header->call_id);
    json_object_set_new(members, "header", sm_req_header_build(a->cfg->base.id, call_id, 0));
    snprintf(url, sizeof(url), "%s/es3/%s", e.callback_url, function);
    rc = sm_http_post_json(a->http, url, members, &res, &body);
    json_decref(members);
    if (rc || !body || sm_resp_parse_status(body, st)) {
        SM_LOGW(SM_LOG_API, smsr_id, "%s: %s", url,
                rc ? (res.error[0] ? res.error : sm_strerror(rc)) : "no SGP.02 answer");
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_INACCESSIBLE, smsr_id,
                       "the SM-SR could not be reached or did not answer (%s)",
                       rc ? sm_strerror(rc) : "HTTP answer without an SGP.02 status");
        json_decref(body);
        sm_http_result_free(&res);
        return 1;
    }
    sm_http_result_free(&res);
    *answer = body;
    return 0;
}
