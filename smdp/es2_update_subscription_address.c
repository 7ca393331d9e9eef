/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2.UpdateSubscriptionAddress (SGP.02; sgp02-architecture 7.11): the MNO changes its profile's
 * IMSI and MSISDN through the SM-DP; the SM-SR changes the EIS (ES3, answered at once), and the
 * SM-DP's inventory follows.
 */
#include "sm/entity.h"
#include "sm/ids.h"
#include "sm/log.h"
#include "sm/sgp02_fields.h"
#include "smdb/smdp_store.h"
#include "smdp.h"

const struct sm_json_field smdp_update_subscription_address_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"smsrId", SM_JT_STRING, true, SM_ID_MAX, sm_oid_check, SM_SUBJ_SMSR, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {"newSubscriptionAddress", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_SUBSCRIPTION_ADDRESS,
     sm_subscription_address_fields, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smdp_es2_update_subscription_address(struct sm_api_call *call, json_t *out,
                                         struct sm_status *st)
{
    struct smdp_app *a = call->app;
    const json_t *addr = json_object_get(call->request, "newSubscriptionAddress");
    const char *iccid = sm_json_str(call->request, "iccid");
    json_t *answer = NULL;
    int rc = smdp_profile_relay(call, "updateSubscriptionAddress",
                                json_pack("{s:O}", "newSubscriptionAddress", addr), &answer, st);

    (void)out;
    json_decref(answer);
    if (rc)
        return rc < 0 ? rc : SM_API_DONE;
    if (st->status == SM_EXEC_SUCCESS &&
        smdb_subscription_set_address(a->db, iccid, sm_json_str(addr, "imsi"),
                                      sm_json_str(addr, "msisdn"), call->now_ms)) {
        /* the card's EIS has the new address; only the SM-DP's own record lags */
        SM_LOGW(SM_LOG_DB, iccid, "the inventory could not take the new subscription address");
        sm_status_set(st, SM_EXEC_WARNING, 200, SM_SUBJ_SUBSCRIPTION_ADDRESS, SM_RSN_ALREADY_IN_USE,
                      iccid,
                      "the SM-SR changed the address, but the SM-DP's inventory could not "
                      "follow (the IMSI belongs to another subscription)");
    }
    return SM_API_DONE;
}
