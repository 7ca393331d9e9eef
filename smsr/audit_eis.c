/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AuditEIS, ES4 (MNO) and ES3 (SM-DP) (sgp02-architecture 7.9): GET DATA FF21 (free memory)
 * and GET STATUS for the listed profiles (all the requester may see when none is listed); the
 * EIS takes the card's word for states, the fall-back attribute and free memory, records the
 * audit, and the requester gets its filtered view.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eis_lookup.h"
#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/hex.h"
#include "sm/ids.h"

/* The profiles to read: the listed ones, or every one the requester may see. Returns how
 * many, or (size_t)-1 with st set when a listed one is unknown or not the requester's. */
static size_t targets(const struct smdb_op *op, const struct smdb_eis *e,
                      const struct smdb_profile **out, size_t max, struct sm_status *st)
{
    json_t *params = json_loads(op->params ? op->params : "{}", 0, NULL);
    json_t *list = json_object_get(params, "iccid"), *v;
    size_t n = 0, i;

    if (json_array_size(list)) {
        json_array_foreach(list, i, v) {
            const char *iccid = json_string_value(v);
            const struct smdb_profile *p = smsr_profile_by_iccid(e, iccid);

            if (!p || !smsr_may_act(op, p)) {
                /* a profile the requester may not see is as unknown as one that is not there */
                sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_UNKNOWN, iccid,
                               "no profile with this ICCID on card %s", e->eid);
                json_decref(params);
                return (size_t)-1;
            }
            if (n < max)
                out[n++] = p;
        }
    } else {
        for (i = 0; i < e->nprofiles; i++)
            if (smsr_may_act(op, &e->profiles[i]) && n < max)
                out[n++] = &e->profiles[i];
    }
    json_decref(params);
    return n;
}

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    const struct smdb_profile *p[SMSR_ES5_MAX_RAPDU - 1];

    return targets(op, e, p, SMSR_ES5_MAX_RAPDU - 1, st) == (size_t)-1 ? 1 : 0;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    const struct smdb_profile *p[SMSR_ES5_MAX_RAPDU - 1];
    uint8_t aids[SMSR_ES5_MAX_RAPDU - 1][SMSR_AID_LEN];
    struct sm_status st;
    size_t n = targets(op, e, p, SMSR_ES5_MAX_RAPDU - 1, &st);

    if (n == (size_t)-1)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (smsr_aid_bytes(p[i]->isdp_aid, aids[i]))
            return -EINVAL;
    return smsr_es5_audit_command((const uint8_t(*)[SMSR_AID_LEN])aids, n, out);
}

static int answer(struct smsr_app *a, const struct smdb_op *op, const struct smsr_es5_answer *ans,
                  struct smsr_es5_result *r)
{
    struct smsr_card_resources res;
    struct smdb_eis e;
    int64_t now = sm_wall_ms();
    json_t *view;
    int rc;

    if (ans->n < 1 || ans->r[0].sw != 0x9000 ||
        smsr_es5_resources_decode(ans->r[0].data, ans->r[0].len, &res)) {
        smsr_sw_refusal(op, ans->n ? ans->r[0].sw : 0x6F00, r);
        return 0;
    }
    rc = smdb_eis_audited(a->db, op->eid, (int64_t)res.free_nvm, now);
    for (unsigned i = 1; !rc && i < ans->n; i++) {
        struct smsr_isdp_status s[4];
        size_t n = 0;

        if (ans->r[i].sw != 0x9000 ||
            smsr_es5_status_decode(ans->r[i].data, ans->r[i].len, s, 4, &n))
            continue; /* a profile the card no longer has answers 6A88: left to the caller */
        for (size_t j = 0; !rc && j < n; j++) {
            char aid[2 * SMSR_AID_LEN + 1];
            const char *state = smsr_lcs_state(s[j].lcs);

            sm_hex_encode_upper(s[j].aid, SMSR_AID_LEN, aid);
            rc = smdb_profile_update(a->db, op->eid, aid, state, s[j].fallback, op->requester, NULL,
                                     now);
        }
    }
    if (!rc)
        rc = smdb_eis_audit(a->db, op->eid, op->requester, "audited", NULL, now);
    if (rc)
        return rc;
    rc = smdb_eis_get(a->db, op->eid, &e);
    if (rc)
        return rc;
    view = smsr_eis_view(&e, strncmp(op->function, "es3.", 4) ? SMSR_VIEW_MNO : SMSR_VIEW_SMDP,
                         op->requester, a->cfg->base.id);
    smdb_eis_free(&e);
    if (!view)
        return -ENOMEM;
    json_object_set_new(r->out, "eis", view);
    return 0;
}

const struct smsr_es5_fn smsr_fn_audit_eis = {
    .name = "auditEIS", .check = check, .script = script, .answer = answer};

const struct sm_json_field smsr_audit_eis_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"iccid", SM_JT_ARRAY, false, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0,
     SMSR_ES5_MAX_RAPDU - 1},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_audit_eis(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    json_t *list = json_object_get(call->request, "iccid");
    json_t *params = json_pack("{s:O?}", "iccid", list);

    (void)out;
    return smsr_es5_accept(call, &smsr_fn_audit_eis, sm_json_str(call->request, "eid"), NULL,
                           params, st);
}
