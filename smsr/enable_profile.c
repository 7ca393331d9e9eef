/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EnableProfile, ES4 (MNO) and ES3 (SM-DP) (SGP.02 5.x; sgp02-architecture 7.3): the target
 * must be Disabled, POL2 of the target must allow ENABLE and of the enabled profile DISABLE.
 * The card answers STORE DATA 3A03 with 9000 when it accepts; the outcome comes with its
 * notification (02 success, 03 rolled back), which ends the operation.
 */
#include <string.h>

#include "es5_profile_fn.h"
#include "handlers.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    const struct smdb_profile *p = smsr_target_profile(op, e, st);

    if (!p)
        return 1;
    if (strcmp(p->state, "Disabled")) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_INVALID_TRANSITION, op->iccid,
                       "the profile is %s, not Disabled", p->state);
        return 1;
    }
    if (smsr_pol2_forbids(p, "ENABLE")) {
        sm_status_fail(st, 200, SM_SUBJ_POL2, SM_RSN_REFUSED, op->iccid,
                       "POL2 of the profile does not allow ENABLE");
        return 1;
    }
    for (size_t i = 0; i < e->nprofiles; i++)
        if (!strcmp(e->profiles[i].state, "Enabled") &&
            smsr_pol2_forbids(&e->profiles[i], "DISABLE")) {
            sm_status_fail(st, 200, SM_SUBJ_POL2, SM_RSN_REFUSED, e->profiles[i].iccid,
                           "POL2 of the enabled profile does not allow DISABLE");
            return 1;
        }
    return 0;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    (void)e;
    return smsr_profile_store_data(op, SMSR_DGI_ENABLE, out);
}

const struct smsr_es5_fn smsr_fn_enable_profile = {.name = "enableProfile",
                                                   .check = check,
                                                   .script = script,
                                                   .answer = smsr_answer_then_notification};

int smsr_enable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return smsr_es5_accept(call, &smsr_fn_enable_profile, sm_json_str(call->request, "eid"),
                           sm_json_str(call->request, "iccid"), NULL, st);
}
