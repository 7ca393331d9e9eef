/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES3.HandleSMSRChangeNotification at the SM-DP (SGP.02; sgp02-architecture 7.8 step 7): the new
 * SM-SR of a card on which this SM-DP installed profiles says it manages the card now. The MNO
 * named (mnoId) hears it as ES2 with the EIS as the SM-DP saw it, filtered for that MNO (its own
 * profiles); as for the profile notifications, the SM-SR hears success only once the MNO has it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/entity.h"
#include "sm/log.h"
#include "smdp.h"

const struct sm_json_field smdp_smsr_change_notification_body[] = {
    {"eis", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_EIS, NULL, 0, 0},
    {"completionTimestamp", SM_JT_STRING, true, 40, NULL, SM_SUBJ_FORMAT, NULL, 0, 0},
    {"mnoId", SM_JT_STRING, true, SM_ID_MAX, sm_oid_check, SM_SUBJ_PROFILE, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smdp_es3_smsr_change(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const char *mno = sm_json_str(call->request, "mnoId");
    json_t *eis = json_deep_copy(json_object_get(call->request, "eis")), *m;
    char why[1200] = "";

    (void)out;
    if (!eis)
        return -ENOMEM;
    smdp_eis_for_mno(eis, mno);
    m = json_pack("{s:o, s:s}", "eis", eis, "completionTimestamp",
                  sm_json_str(call->request, "completionTimestamp"));
    if (!m)
        return -ENOMEM;
    if (smdp_tell_mno(call->app, mno, "es2/handleSMSRChangeNotification", call->header->call_id, m,
                      why, sizeof(why))) {
        SM_LOGW(SM_LOG_API, mno, "SM-SR change notification: %s; the SM-SR sends it again", why);
        return smdp_tell_later(st, SM_SUBJ_EIS, mno);
    }
    return SM_API_DONE;
}
