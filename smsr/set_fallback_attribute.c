/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SetFallBackAttribute, ES4 (MNO) and ES3 (SM-DP) (SGP.02 v4; sgp02-architecture 6, 4.6 [?]:
 * inputs assumed like the other profile functions): the fall-back attribute has one holder;
 * giving it to an installed profile (Disabled or Enabled) takes it from the other. STORE DATA
 * 3A05 {4F AID} to the ISD-R; on 9000 the EIS follows and both owners are told
 * (HandleFallBackAttributeSet / Unset).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/log.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    const struct smdb_profile *p = smsr_target_profile(op, e, st);

    if (!p)
        return 1;
    if (!strcmp(p->state, "Created")) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_INVALID_TRANSITION, op->iccid,
                       "the profile is not installed yet (Created)");
        return 1;
    }
    return 0;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    (void)e;
    return smsr_profile_store_data(op, SMSR_DGI_FALLBACK, out);
}

static int answer(struct smsr_app *a, const struct smdb_op *op, const struct smsr_es5_answer *ans,
                  struct smsr_es5_result *r)
{
    struct smdb_eis e;
    int64_t now = sm_wall_ms();
    int rc;

    if (ans->n < 1 || ans->r[0].sw != 0x9000) {
        smsr_sw_refusal(op, ans->n ? ans->r[0].sw : 0x6F00, r);
        return 0;
    }
    rc = smdb_eis_get(a->db, op->eid, &e);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    for (size_t i = 0; !rc && i < e.nprofiles; i++) {
        const struct smdb_profile *p = &e.profiles[i];
        bool target = !strcasecmp(p->isdp_aid, op->isdp_aid);

        if (target == p->fallback)
            continue;
        rc = smdb_profile_update(a->db, op->eid, p->isdp_aid, NULL, target, op->requester,
                                 target ? "fall-back attribute set" : "fall-back attribute unset",
                                 now);
        if (!rc)
            smsr_notify_owner(a, p, op->eid,
                              target ? "FallBackAttributeSet" : "FallBackAttributeUnset", now);
    }
    smdb_eis_free(&e);
    return rc;
}

const struct smsr_es5_fn smsr_fn_set_fallback = {
    .name = "setFallbackAttribute", .check = check, .script = script, .answer = answer};

int smsr_set_fallback_attribute(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return smsr_es5_accept(call, &smsr_fn_set_fallback, sm_json_str(call->request, "eid"),
                           sm_json_str(call->request, "iccid"), NULL, st);
}
