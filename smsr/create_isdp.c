/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES3.CreateISDP (SGP.02; sgp02-architecture 7.2 step 3): the SM-DP asks for an ISD-P for a
 * new profile. The ICCID must be new to the registry and the card must have the memory; the
 * SM-SR picks the ISD-P AID (the lowest free A0000005591010FFFFFFFF89 0000 xx00, xx from 12),
 * sends INSTALL [for install and make selectable] with the quota, and on 9000 the profile
 * enters the EIS as Created, owned by mnoId, created by the calling SM-DP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/hex.h"
#include "sm/ids.h"

static const char aid_stem[] = "A0000005591010FFFFFFFF890000"; /* 12 bytes, then xx 00 */

static int64_t required_memory(const struct smdb_op *op)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    int64_t v = json_integer_value(json_object_get(p, "requiredMemory"));

    json_decref(p);
    return v;
}

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    int64_t need = required_memory(op);

    if (smsr_profile_by_iccid(e, op->iccid)) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_ALREADY_IN_USE, op->iccid,
                       "the ICCID is already on card %s", e->eid);
        return 1;
    }
    if (need > e->remaining_memory) {
        sm_status_fail(st, 200, SM_SUBJ_EUICC, SM_RSN_INSUFFICIENT_MEMORY, e->eid,
                       "%lld bytes required, the card has %lld", (long long)need,
                       (long long)e->remaining_memory);
        return 1;
    }
    return 0;
}

/* The AIDs of the ISD-P load file and module the EUM declared (eumSignedInfo). */
static int elf_and_module(const struct smdb_eis *e, uint8_t elf[SMSR_AID_LEN],
                          uint8_t mod[SMSR_AID_LEN])
{
    json_t *si = json_loads(e->signed_info, 0, NULL);
    int rc = smsr_aid_bytes(sm_json_str(si, "isdPLoadfileAid"), elf) ||
                     smsr_aid_bytes(sm_json_str(si, "isdPModuleAid"), mod)
                 ? -EINVAL
                 : 0;

    json_decref(si);
    return rc;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    uint8_t elf[SMSR_AID_LEN], mod[SMSR_AID_LEN], aid[SMSR_AID_LEN];
    int rc = elf_and_module(e, elf, mod);

    /* the lowest free instance number: a retry after a lost PoR picks the same one unless the
     * card's answer created it, and then the card answers that the AID is taken */
    op->isdp_aid[0] = 0;
    for (unsigned x = 0x12; !rc && x <= 0xFF && !op->isdp_aid[0]; x++) {
        bool taken = false;

        snprintf(op->isdp_aid, sizeof(op->isdp_aid), "%s%02X00", aid_stem, x);
        for (size_t i = 0; i < e->nprofiles; i++)
            taken |= !strcasecmp(e->profiles[i].isdp_aid, op->isdp_aid);
        if (taken)
            op->isdp_aid[0] = 0;
    }
    if (rc || !op->isdp_aid[0])
        return rc ? rc : -ENOSPC;
    rc = smsr_aid_bytes(op->isdp_aid, aid);
    if (!rc)
        rc = smsr_es5_create_isdp_command(elf, mod, aid, (uint32_t)required_memory(op), out);
    return rc ? rc : smsr_chain_apply(op, out);
}

static int answer(struct smsr_app *a, const struct smdb_op *op, const struct smsr_es5_answer *ans,
                  struct smsr_es5_result *r)
{
    json_t *p;
    struct smdb_profile prof;
    int rc;

    if (ans->n < 1 || ans->r[0].sw != 0x9000) {
        smsr_sw_refusal(op, ans->n ? ans->r[0].sw : 0x6F00, r);
        return 0;
    }
    p = json_loads(op->params ? op->params : "{}", 0, NULL);
    memset(&prof, 0, sizeof(prof));
    snprintf(prof.isdp_aid, sizeof(prof.isdp_aid), "%s", op->isdp_aid);
    snprintf(prof.iccid, sizeof(prof.iccid), "%s", op->iccid);
    snprintf(prof.mno_id, sizeof(prof.mno_id), "%s", sm_json_str(p, "mnoId"));
    snprintf(prof.smdp_id, sizeof(prof.smdp_id), "%s", op->requester);
    snprintf(prof.state, sizeof(prof.state), "Created");
    prof.allocated_memory = json_integer_value(json_object_get(p, "requiredMemory"));
    json_decref(p);
    rc = smdb_profile_add(a->db, op->eid, &prof, op->requester, sm_wall_ms());
    if (rc == -EEXIST) {
        sm_status_fail(&r->st, 200, SM_SUBJ_ICCID, SM_RSN_ALREADY_IN_USE, op->iccid,
                       "the ICCID appeared in the registry meanwhile; the ISD-P %s was created",
                       op->isdp_aid);
        smsr_es5_response_data(r, op);
        return 0;
    }
    if (rc)
        return rc;
    json_object_set_new(r->out, "isdPAid", json_string(op->isdp_aid));
    smsr_es5_response_data(r, op);
    return 0;
}

const struct smsr_es5_fn smsr_fn_create_isdp = {
    .name = "createISDP", .check = check, .script = script, .answer = answer};

static int valid_oid(const char *s)
{
    return sm_oid_check(s);
}

const struct sm_json_field smsr_create_isdp_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {"mnoId", SM_JT_STRING, true, SM_ID_MAX, valid_oid, SM_SUBJ_PROFILE, NULL, 0, 0},
    {"requiredMemory", SM_JT_INTEGER, true, 0, NULL, SM_SUBJ_EUICC, NULL, 0, 0xFFFFFFFF},
    {"moreToDo", SM_JT_BOOLEAN, false, 0, NULL, NULL, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es3_create_isdp(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    bool more = json_is_true(json_object_get(call->request, "moreToDo"));
    json_t *params =
        json_pack("{s:s, s:O, s:b}", "mnoId", sm_json_str(call->request, "mnoId"), "requiredMemory",
                  json_object_get(call->request, "requiredMemory"), "moreToDo", more);

    (void)out;
    /* a download starts here: with more to come, a new script chain (es5 spec 1.5) */
    if (params && more)
        json_object_set_new(params, "chain", json_integer(SMSR_CHAIN_FIRST));
    return smsr_es5_accept(call, &smsr_fn_create_isdp, sm_json_str(call->request, "eid"),
                           sm_json_str(call->request, "iccid"), params, st);
}
