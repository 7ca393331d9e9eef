/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the profile functions (es5_profile_fn.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es5_profile_fn.h"
#include "sm/hex.h"
#include "sm/ids.h"

const struct sm_json_field smsr_profile_fn_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

const struct smdb_profile *smsr_target_profile(const struct smdb_op *op, const struct smdb_eis *e,
                                               struct sm_status *st)
{
    const struct smdb_profile *p = smsr_profile_by_iccid(e, op->iccid);

    if (!p) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_UNKNOWN, op->iccid,
                       "no profile with this ICCID on card %s", e->eid);
        return NULL;
    }
    if (!smsr_may_act(op, p)) {
        /* the same answer as for a profile that is not there would leak less, but SGP.02
         * names the authorisation failure */
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_NOT_ALLOWED, op->iccid,
                       "the profile is not managed by the requester");
        return NULL;
    }
    return p;
}

void smsr_sw_refusal(const struct smdb_op *op, uint16_t sw, struct smsr_es5_result *r)
{
    switch (sw) {
    case 0x69E1:
        sm_status_fail(&r->st, 200, SM_SUBJ_POL1, SM_RSN_REFUSED, op->iccid,
                       "the card refused: POL1 of the profile forbids it (SW 69E1)");
        break;
    case 0x6985:
        sm_status_fail(&r->st, 200, SM_SUBJ_ICCID, SM_RSN_INVALID_TRANSITION, op->iccid,
                       "the card refused: the profile's state does not allow it (SW 6985)");
        break;
    case 0x6A88:
        sm_status_fail(&r->st, 200, SM_SUBJ_ISDP, SM_RSN_UNKNOWN, op->isdp_aid,
                       "the card does not know the ISD-P (SW 6A88)");
        break;
    case 0x6A84:
        sm_status_fail(&r->st, 200, SM_SUBJ_EUICC, SM_RSN_INSUFFICIENT_MEMORY, op->eid,
                       "the card has not enough memory (SW 6A84)");
        break;
    default:
        sm_status_fail(&r->st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "the card answered SW %04X", sw);
        break;
    }
    smsr_es5_response_data(r, op);
}

int smsr_profile_store_data(const struct smdb_op *op, uint16_t dgi, struct sm_buf *out)
{
    uint8_t aid[SMSR_AID_LEN];

    return smsr_aid_bytes(op->isdp_aid, aid) ?: smsr_es5_profile_command(dgi, aid, out);
}

int smsr_answer_then_notification(struct smsr_app *a, const struct smdb_op *op,
                                  const struct smsr_es5_answer *ans, struct smsr_es5_result *r)
{
    (void)a;
    if (ans->n < 1 || ans->r[0].sw != 0x9000)
        smsr_sw_refusal(op, ans->n ? ans->r[0].sw : 0x6F00, r);
    else
        r->await_notification = true;
    return 0;
}

int smsr_relay_param(const struct smdb_op *op, const char *member, struct sm_buf *out)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    const char *hex = sm_json_str(p, member);
    size_t n = hex ? strlen(hex) / 2 : 0;
    uint8_t *data = malloc(n + 1);
    int rc = data && hex && sm_hex_decode(hex, data, n) == (ssize_t)n ? 0 : -EINVAL;

    if (!rc)
        rc = smsr_es5_relay_script(data, n, out);
    free(data);
    json_decref(p);
    return rc;
}

int smsr_deletable(const struct smdb_op *op, const struct smdb_profile *p, struct sm_status *st)
{
    if (!strcmp(p->state, "Enabled")) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_INVALID_TRANSITION, op->iccid,
                       "the profile is Enabled: disable it first");
        return 1;
    }
    if (p->fallback) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_REFUSED, op->iccid,
                       "the profile holds the fall-back attribute: it cannot be deleted");
        return 1;
    }
    return 0;
}

int smsr_key_establishment_result(const struct smdb_op *op, const struct smsr_es5_answer *ans,
                                  const char *what, struct smsr_es5_result *r,
                                  struct smsr_key_establishment_answer *k)
{
    uint16_t sw = ans->n ? ans->r[0].sw : 0x6F00;

    if (sw != 0x9000) {
        if (sw == 0x6982 || sw == 0x6A80)
            sm_status_fail(&r->st, 200, SM_SUBJ_SMSR_CERT, SM_RSN_VERIFICATION_FAILED, op->eid,
                           "the card did not accept %s (SW %04X)", what, sw);
        else
            smsr_sw_refusal(op, sw, r);
        return 1;
    }
    if (smsr_es5_key_establishment_decode(ans->r[0].data, ans->r[0].len, k) || k->v85_len > 32) {
        sm_status_fail(&r->st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "the card's answer to EstablishISDRKeySet is not 85/86 TLVs");
        smsr_es5_response_data(r, op);
        return 1;
    }
    return 0;
}
