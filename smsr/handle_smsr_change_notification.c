/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES7.HandleSMSRChangeNotification (SGP.02 5.x; sgp02-architecture 4.4) at the previous SM-SR:
 * the new SM-SR says the change of a card is complete. The SMSRChange that waits for it looks
 * at the new SM-SR's answer to HandoverEUICC at once (that answer, read back, is what ends it).
 */
#include <string.h>

#include "es5_engine.h"
#include "handlers.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/log.h"
#include "smdb/smsr_ops.h"

const struct sm_json_field smsr_handle_smsr_change_notification_body[] = {
    {"eis", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_EIS, NULL, 0, 0},
    {"completionTimestamp", SM_JT_STRING, true, 40, NULL, SM_SUBJ_FORMAT, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es7_handle_smsr_change_notification(struct sm_api_call *call, json_t *out,
                                             struct sm_status *st)
{
    struct smsr_app *a = call->app;
    const char *eid =
        sm_json_str(json_object_get(json_object_get(call->request, "eis"), "eumSignedInfo"), "eid");
    unsigned n = 0;

    (void)out;
    if (!eid || sm_eid_check(eid)) {
        sm_status_fail(st, 400, SM_SUBJ_EID, SM_RSN_INVALID, eid,
                       "eis.eumSignedInfo.eid is missing or not an EID");
        return SM_API_DONE;
    }
    if (smdb_op_peer_wake(a->db, call->caller->id, NULL, eid, call->now_ms, &n) == 0 && n &&
        a->engine)
        smsr_engine_wake(a->engine);
    SM_LOGI(SM_LOG_API, eid, "%s reports the SM-SR change complete%s", call->caller->name,
            n ? "" : " (no change of this card waits for it here)");
    return SM_API_DONE;
}
