/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES3.SendData (SGP.02; es5-secure-channels 1.4, 1.5): the SM-DP's ES8 content for a security
 * domain, relayed untouched. The target is the ISD-R (key establishment: INSTALL [for
 * personalization] and the STORE DATAs it forwards) or an ISD-P this SM-DP created (SCP03t
 * 84/85/86); over SMS its TAR is bytes 13-15 of its AID, secured with the ISD-R's keys. The
 * answer is the card's response script, in euiccResponseData; an R-APDU with an error status or
 * an SCP03t error TLV (9F44-9F46) makes it Failed, with the same data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eis_codec.h"
#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/apdu.h"
#include "sm/hex.h"
#include "sm/ids.h"

static const char isdr_aid[] = "A0000005591010FFFFFFFF8900000100";

static json_t *params_of(const struct smdb_op *op)
{
    return json_loads(op->params ? op->params : "{}", 0, NULL);
}

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    json_t *p = params_of(op);
    const char *sd = sm_json_str(p, "sdAid");
    int rc = 0;

    if (!sd || strcasecmp(sd, isdr_aid)) {
        const struct smdb_profile *t = NULL;

        for (size_t i = 0; sd && i < e->nprofiles; i++)
            if (!strcasecmp(e->profiles[i].isdp_aid, sd))
                t = &e->profiles[i];
        if (!t) {
            sm_status_fail(st, 200, SM_SUBJ_SD_AID, SM_RSN_UNKNOWN, sd,
                           "no such security domain on card %s", e->eid);
            rc = 1;
        } else if (!smsr_may_act(op, t)) {
            sm_status_fail(st, 200, SM_SUBJ_SD_AID, SM_RSN_NOT_ALLOWED, sd,
                           "the ISD-P was not created by the requester");
            rc = 1;
        }
    }
    json_decref(p);
    return rc;
}

static int target(const struct smdb_op *op, uint8_t tar[3])
{
    json_t *p = params_of(op);
    uint8_t aid[SMSR_AID_LEN];
    int rc = smsr_aid_bytes(sm_json_str(p, "sdAid"), aid);

    json_decref(p);
    if (rc)
        return rc;
    memcpy(tar, aid + 12, 3);
    return 0;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    int rc = smsr_relay_param(op, "data", out);

    (void)e;
    return rc ? rc : smsr_chain_apply(op, out);
}

int smsr_chain_param(struct sm_api_call *call, const char *eid, bool more, json_t *params)
{
    struct smsr_app *a = call->app;
    bool open = false;
    int rc = smdb_relay_chain_open(a->db, eid, call->caller->id, &open);

    /* MoreToDo keeps the card's state for the next script (es5 spec 1.4, 1.5): first 11, then
     * 02, and 03 when no more is to come; a relay alone is not chained */
    if (!rc && (open || more))
        rc = json_object_set_new(params, "chain",
                                 json_integer(!open  ? SMSR_CHAIN_FIRST
                                              : more ? SMSR_CHAIN_SUBSEQUENT
                                                     : SMSR_CHAIN_LAST))
                 ? -ENOMEM
                 : 0;
    return rc;
}

int smsr_chain_apply(const struct smdb_op *op, struct sm_buf *script)
{
    json_t *p = params_of(op);
    json_int_t chain = json_integer_value(json_object_get(p, "chain"));

    json_decref(p);
    return chain ? smsr_es5_chain_script((uint8_t)chain, script) : 0;
}

int smsr_relay_answer(struct smsr_app *a, const struct smdb_op *op,
                      const struct smsr_es5_answer *ans, struct smsr_es5_result *r)
{
    (void)a;
    smsr_es5_response_data(r, op);
    for (unsigned i = 0; i < ans->n; i++)
        if (!sm_sw_ok(ans->r[i].sw)) {
            smsr_sw_refusal(op, ans->r[i].sw, r);
            return 0;
        }
    if (ans->scp03t_error_tag)
        sm_status_fail(&r->st, 200, SM_SUBJ_ISDP, SM_RSN_EXECUTION_ERROR, op->isdp_aid,
                       "the ISD-P reported SCP03t error %04X %02X", ans->scp03t_error_tag,
                       ans->scp03t_error);
    return 0;
}

const struct smsr_es5_fn smsr_fn_send_data = {.name = "sendData",
                                              .check = check,
                                              .script = script,
                                              .answer = smsr_relay_answer,
                                              .target = target};

static int valid_aid(const char *s)
{
    return strlen(s) == 2 * SMSR_AID_LEN && !smsr_valid_hex_data(s) ? 0 : -EINVAL;
}

const struct sm_json_field smsr_send_data_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"sdAid", SM_JT_STRING, true, 32, valid_aid, SM_SUBJ_SD_AID, NULL, 0, 0},
    /* 16 KiB of command TLVs: an ES8 segment (1000 bytes of plaintext) and its overhead many
     * times over */
    {"data", SM_JT_STRING, true, 32768, smsr_valid_hex_data, SM_SUBJ_FORMAT, NULL, 0, 0},
    {"moreToDo", SM_JT_BOOLEAN, false, 0, NULL, NULL, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es3_send_data(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const char *sd = sm_json_str(call->request, "sdAid"), *eid = sm_json_str(call->request, "eid");
    bool more = json_is_true(json_object_get(call->request, "moreToDo"));
    json_t *params = json_pack("{s:s, s:s, s:b}", "sdAid", sd, "data",
                               sm_json_str(call->request, "data"), "moreToDo", more);
    int rc = params ? smsr_chain_param(call, eid, more, params) : -ENOMEM;

    (void)out;
    if (rc) {
        json_decref(params);
        return rc;
    }
    return smsr_es5_accept(call, &smsr_fn_send_data, eid, NULL, params, st);
}
