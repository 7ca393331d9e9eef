/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES4.DeleteProfile (MNO) and ES3.DeleteISDP (SM-DP) (sgp02-architecture 7.5): the profile must
 * be Disabled or Created, must not hold the fall-back attribute, and POL2 must allow DELETE.
 * DELETE 80 E4 00 40 {4F AID}; 9000 removes the ISD-P with its profile, and the owners are told
 * (HandleProfileDeletedNotification). No card notification follows.
 */
#include <stdlib.h>
#include <string.h>

#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/log.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    const struct smdb_profile *p = smsr_target_profile(op, e, st);

    if (!p || smsr_deletable(op, p, st))
        return 1;
    if (smsr_pol2_forbids(p, "DELETE")) {
        sm_status_fail(st, 200, SM_SUBJ_POL2, SM_RSN_REFUSED, op->iccid,
                       "POL2 of the profile does not allow DELETE");
        return 1;
    }
    return 0;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    uint8_t aid[SMSR_AID_LEN];

    (void)e;
    return smsr_aid_bytes(op->isdp_aid, aid) ?: smsr_es5_delete_command(aid, out);
}

int smsr_deleted_answer(struct smsr_app *a, const struct smdb_op *op,
                        const struct smsr_es5_answer *ans, struct smsr_es5_result *r)
{
    if (ans->n < 1 || ans->r[0].sw != 0x9000) {
        smsr_sw_refusal(op, ans->n ? ans->r[0].sw : 0x6F00, r);
        return 0;
    }
    return smsr_profile_deleted(a, op->eid, op->isdp_aid, op->requester);
}

const struct smsr_es5_fn smsr_fn_delete_profile = {
    .name = "deleteProfile", .check = check, .script = script, .answer = smsr_deleted_answer};

int smsr_delete_profile(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return smsr_es5_accept(call, &smsr_fn_delete_profile, sm_json_str(call->request, "eid"),
                           sm_json_str(call->request, "iccid"), NULL, st);
}
