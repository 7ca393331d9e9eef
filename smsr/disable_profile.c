/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DisableProfile, ES4 (MNO) and ES3 (SM-DP) (sgp02-architecture 7.4): the target must be
 * Enabled, allowed by POL2, and a fall-back profile other than the target must exist, since the
 * card enables it. The card answers STORE DATA 3A04 with 9000 when it accepts; its notification
 * (05, or 02; 03 on rollback) ends the operation.
 */
#include <string.h>

#include "es5_profile_fn.h"
#include "handlers.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    const struct smdb_profile *p = smsr_target_profile(op, e, st);
    bool fallback = false;

    if (!p)
        return 1;
    if (strcmp(p->state, "Enabled")) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_INVALID_TRANSITION, op->iccid,
                       "the profile is %s, not Enabled", p->state);
        return 1;
    }
    if (smsr_pol2_forbids(p, "DISABLE")) {
        sm_status_fail(st, 200, SM_SUBJ_POL2, SM_RSN_REFUSED, op->iccid,
                       "POL2 of the profile does not allow DISABLE");
        return 1;
    }
    for (size_t i = 0; i < e->nprofiles; i++)
        fallback |= e->profiles[i].fallback && &e->profiles[i] != p;
    if (!fallback) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_REFUSED, op->iccid,
                       p->fallback ? "the profile holds the fall-back attribute: it cannot be "
                                     "disabled"
                                   : "no fall-back profile to take over on the card");
        return 1;
    }
    return 0;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    (void)e;
    return smsr_profile_store_data(op, SMSR_DGI_DISABLE, out);
}

const struct smsr_es5_fn smsr_fn_disable_profile = {.name = "disableProfile",
                                                    .check = check,
                                                    .script = script,
                                                    .answer = smsr_answer_then_notification};

int smsr_disable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return smsr_es5_accept(call, &smsr_fn_disable_profile, sm_json_str(call->request, "eid"),
                           sm_json_str(call->request, "iccid"), NULL, st);
}
