/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the ES2 functions on one profile share (SGP.02 ES2 -> ES3): the profile must be one of
 * this SM-DP's subscriptions and the calling MNO's, on the card named (when it is on one); then
 * the SM-SR the MNO names does the work (ES3), and its answer is the MNO's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/json.h"
#include "smdb/smdp_store.h"
#include "smdp.h"

int smdp_profile_check(struct sm_api_call *call, struct sm_status *st)
{
    return smdp_profile_check_of(call, sm_json_str(call->request, "eid"),
                                 sm_json_str(call->request, "iccid"), st);
}

int smdp_profile_check_of(struct sm_api_call *call, const char *eid, const char *iccid,
                          struct sm_status *st)
{
    struct smdp_app *a = call->app;
    struct smdb_subscription sub;
    int rc = smdb_subscription_get(a->db, iccid, &sub);

    smdb_subscription_free(&sub);
    if (rc == -ENOENT) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_UNKNOWN, iccid,
                       "no profile of this SM-DP has this ICCID");
        return 1;
    }
    if (rc)
        return rc;
    if (strcmp(sub.mno_id, call->caller->id)) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_NOT_ALLOWED, iccid,
                       "the profile is not the requester's");
        return 1;
    }
    if (sub.eid[0] && strcmp(sub.eid, eid)) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_INVALID_ASSOCIATION, iccid,
                       "the profile is not on this eUICC");
        return 1;
    }
    return 0;
}

int smdp_profile_relay(struct sm_api_call *call, const char *function, json_t *members,
                       json_t **answer, struct sm_status *st)
{
    int rc = smdp_profile_check(call, st);

    *answer = NULL;
    if (rc) {
        json_decref(members);
        return rc;
    }
    json_object_set_new(members, "eid", json_string(sm_json_str(call->request, "eid")));
    json_object_set_new(members, "iccid", json_string(sm_json_str(call->request, "iccid")));
    return smdp_es3_call(call, sm_json_str(call->request, "smsrId"), function, members, answer, st);
}
