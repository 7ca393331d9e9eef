/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM-DP's calls to an SM-SR (ES3, SGP.02 4.3; smdb/peer.h): the SM-SR is an entity of role
 * smsr whose callback URL is the base of its API (https://host:port/gsma); a call goes to
 * <base>/es3/<function> with the SM-DP as requester.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/err.h"
#include "sm/log.h"
#include "smdb/peer.h"
#include "smdp.h"

int smdp_es3_post(struct smdp_app *a, const char *smsr_id, const char *function,
                  const char *call_id, int64_t validity, json_t *members, json_t **answer,
                  struct sm_status *st)
{
    char path[96], err[300] = "";
    int rc;

    snprintf(path, sizeof(path), "es3/%s", function);
    rc = smdb_peer_call(a->db, a->http, a->cfg->base.id, smsr_id, SM_ROLE_SMSR, path, call_id,
                        validity, members, answer, st, err, sizeof(err));
    if (rc == -EHOSTUNREACH) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_UNKNOWN, smsr_id,
                       "%s is not an SM-SR this SM-DP works with (an enabled entity of role smsr "
                       "with the base URL of its API)",
                       smsr_id);
        return SMDB_PEER_REFUSED;
    }
    if (rc == -EIO || rc == -ENOMEM)
        return rc;
    if (rc < 0) {
        SM_LOGW(SM_LOG_API, smsr_id, "%s", err);
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_INACCESSIBLE, smsr_id,
                       "the SM-SR could not be reached or did not answer (%s)", sm_strerror(rc));
        return -EAGAIN;
    }
    return rc;
}

int smdp_es3_call(const struct sm_api_call *call, const char *smsr_id, const char *function,
                  json_t *members, json_t **answer, struct sm_status *st)
{
    char call_id[SM_ID_MAX + 1];
    int rc;

    /* the SM-DP's own identifier of the call, traceable to the MNO's */
    snprintf(call_id, sizeof(call_id), "es2-%.40s-%.80s", call->caller->name,
             call->header->call_id);
    rc = smdp_es3_post(call->app, smsr_id, function, call_id, 0, members, answer, st);
    if (rc == -EAGAIN || rc == SMDB_PEER_ACCEPTED) {
        if (rc == SMDB_PEER_ACCEPTED)
            sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR, smsr_id,
                           "the SM-SR answered %s later (202): not a synchronous function",
                           function);
        json_decref(*answer);
        *answer = NULL;
        return 1;
    }
    if (rc == SMDB_PEER_REFUSED && !*answer)
        return 1;
    return rc < 0 ? rc : 0;
}
