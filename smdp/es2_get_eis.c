/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2.GetEIS (SGP.02; sgp02-architecture 4.2): the MNO reads, through the SM-DP, the EIS of a
 * card managed by the SM-SR it names. The SM-DP asks the SM-SR (ES3.GetEIS), which answers with
 * the view an SM-DP may have (the profiles it installed), and passes it on filtered again: the
 * MNO sees only its own profiles. The SM-SR's refusals (unknown card, ...) reach the MNO as
 * they are.
 */
#include <stdio.h>
#include <string.h>

#include "sm/entity.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "smdp.h"

const struct sm_json_field smdp_get_eis_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"smsrId", SM_JT_STRING, true, SM_ID_MAX, sm_oid_check, SM_SUBJ_SMSR, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

void smdp_eis_for_mno(json_t *eis, const char *mno)
{
    json_t *profiles = json_object_get(eis, "profileInfo");

    for (size_t i = 0; json_is_array(profiles) && i < json_array_size(profiles);) {
        const char *owner = sm_json_str(json_array_get(profiles, i), "mnoId");

        if (owner && !strcmp(owner, mno))
            i++;
        else
            json_array_remove(profiles, i);
    }
    if (json_is_array(profiles) && !json_array_size(profiles))
        json_object_del(eis, "profileInfo");
}

int smdp_es2_get_eis(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const char *eid = sm_json_str(call->request, "eid"),
               *smsr = sm_json_str(call->request, "smsrId");
    json_t *answer = NULL, *eis;
    int rc = smdp_es3_call(call, smsr, "getEIS", json_pack("{s:s}", "eid", eid), &answer, st);
    if (rc)
        return rc < 0 ? rc : SM_API_DONE;
    eis = json_object_get(answer, "eis");
    if (json_is_object(eis) && (st->status == SM_EXEC_SUCCESS || st->status == SM_EXEC_WARNING)) {
        smdp_eis_for_mno(eis, call->caller->id);
        json_object_set(out, "eis", eis);
    }
    json_decref(answer);
    return SM_API_DONE;
}
