/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2.AuditEIS (SGP.02 4.2; sgp02-architecture 4.2, 7.9): the MNO has the SM-SR it names read
 * the card again (ES3.AuditEIS: GET DATA FF21, GET STATUS of the listed ISD-Ps) and gets the
 * refreshed EIS, filtered for it: only its own profiles. The ICCIDs it lists must be its
 * profiles at this SM-DP. The card is reached: an order (202), ended with the SM-SR's result.
 */
#include <string.h>

#include "order_engine.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "smdp.h"

/* as many ICCIDs as this project's SM-SR reads in one audit (one R-APDU each, beside FF21) */
#define AUDIT_MAX_ICCIDS 15

const struct sm_json_field smdp_audit_eis_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"smsrId", SM_JT_STRING, true, SM_ID_MAX, sm_oid_check, SM_SUBJ_SMSR, NULL, 0, 0},
    {"iccid", SM_JT_ARRAY, false, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, AUDIT_MAX_ICCIDS},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

static int step(struct smdp_run *x)
{
    json_t *eis;

    if (!x->result) {
        if (smdp_run_expired_at_start(x))
            return SMDP_STEP_DONE;
        return smdp_run_call(x, "auditEIS",
                             json_pack("{s:O}", "iccid", json_object_get(x->params, "iccid")));
    }
    /* the SM-SR's answer is the MNO's; the EIS it gives the SM-DP, filtered again */
    x->st = x->rs;
    eis = json_object_get(x->result, "eis");
    if (json_is_object(eis) &&
        (x->rs.status == SM_EXEC_SUCCESS || x->rs.status == SM_EXEC_WARNING)) {
        json_t *mine = json_deep_copy(eis);

        smdp_eis_for_mno(mine, x->o->requester);
        x->out = json_pack("{s:o}", "eis", mine);
    }
    return SMDP_STEP_DONE;
}

const struct smdp_order_fn smdp_fn_audit_eis = {
    .name = "es2.auditEIS", .first = "call", .step = step};

int smdp_es2_audit_eis(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    json_t *iccids = json_object_get(call->request, "iccid"), *params;
    size_t i;
    json_t *v;

    (void)out;
    /* each profile named must be this SM-DP's and the caller's, on this card when placed */
    json_array_foreach(iccids, i, v) {
        int rc = smdp_profile_check_of(call, sm_json_str(call->request, "eid"),
                                       json_string_value(v), st);

        if (rc)
            return rc == 1 ? SM_API_DONE : rc;
    }
    params =
        json_pack("{s:o}", "iccid", json_is_array(iccids) ? json_incref(iccids) : json_array());
    return smdp_order_accept(call, &smdp_fn_audit_eis, sm_json_str(call->request, "eid"),
                             sm_json_str(call->request, "smsrId"), NULL, params);
}
