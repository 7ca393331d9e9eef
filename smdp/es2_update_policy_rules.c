/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2.UpdatePolicyRules (SGP.02; sgp02-architecture 7.11): the MNO changes its profile's POL2
 * through the SM-DP; the SM-SR changes the EIS (ES3.UpdatePolicyRules) and answers at once.
 */
#include "sm/entity.h"
#include "sm/ids.h"
#include "sm/sgp02_fields.h"
#include "smdp.h"

const struct sm_json_field smdp_update_policy_rules_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"smsrId", SM_JT_STRING, true, SM_ID_MAX, sm_oid_check, SM_SUBJ_SMSR, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {"pol2", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_POL2, sm_pol2_fields, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smdp_es2_update_policy_rules(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    json_t *answer = NULL;
    int rc = smdp_profile_relay(call, "updatePolicyRules",
                                json_pack("{s:O}", "pol2", json_object_get(call->request, "pol2")),
                                &answer, st);

    (void)out;
    json_decref(answer);
    return rc < 0 ? rc : SM_API_DONE;
}
