/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES4.MasterDelete (SGP.02 v4 [?]; sgp02-architecture 7.6, es5-secure-channels 1.2): the MNO
 * removes a profile whose rules block deletion, with a one-time token that the SM-DP holding
 * the ISD-P's token key (KVN 70, loaded during the download) computed. The SM-SR checks that
 * the profile is the MNO's and neither enabled nor the fall-back profile (the card refuses those
 * too), ignores POL2 as the card ignores POL1, and sends
 *   DELETE 80 E4 00 40 {4F AID} B6 {42 SIN, 45 SDIN, 5F20 provider, 93 token id} 9E token 00
 * with the TLVs in that order: the token covers them.
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
#include "sm/tlv.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    const struct smdb_profile *p = smsr_target_profile(op, e, st);

    if (!p || smsr_deletable(op, p, st))
        return 1;
    /* POL2 is not applied: the token is the owner's word (7.6) */
    return 0;
}

/* One TLV from a hex member of the operation's parameters. */
static int put_hex(struct sm_buf *b, uint32_t tag, const json_t *p, const char *member)
{
    const char *hex = sm_json_str(p, member);
    uint8_t v[128];
    ssize_t n = hex ? sm_hex_decode(hex, v, sizeof(v)) : -1;

    return n < 0 ? -EINVAL : sm_tlv_put(b, tag, v, (size_t)n);
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    struct sm_buf data = SM_BUF_INIT, crt = SM_BUF_INIT;
    uint8_t aid[SMSR_AID_LEN];
    struct sm_capdu a = {
        .cla = 0x80, .ins = 0xE4, .p1 = 0x00, .p2 = 0x40, .has_le = true, .le = 256};
    struct sm_script_builder b;
    int rc = smsr_aid_bytes(op->isdp_aid, aid);

    (void)e;
    if (!rc)
        rc = sm_tlv_put(&data, 0x4F, aid, SMSR_AID_LEN);
    if (!rc)
        rc = put_hex(&crt, 0x42, p, "sin");
    if (!rc)
        rc = put_hex(&crt, 0x45, p, "sdin");
    if (!rc)
        rc = put_hex(&crt, 0x5F20, p, "providerId");
    if (!rc)
        rc = put_hex(&crt, 0x93, p, "tokenId");
    if (!rc)
        rc = sm_tlv_put(&data, 0xB6, crt.data, crt.len);
    if (!rc)
        rc = put_hex(&data, 0x9E, p, "token");
    if (!rc && data.len > 255)
        rc = -EMSGSIZE;
    if (!rc) {
        a.data = data.data;
        a.lc = data.len;
        rc = sm_script_begin(&b, out, false, false);
        if (!rc)
            rc = sm_script_add_capdu(&b, &a);
        if (!rc)
            rc = sm_script_end(&b);
    }
    sm_buf_free(&data);
    sm_buf_free(&crt);
    json_decref(p);
    return rc;
}

const struct smsr_es5_fn smsr_fn_master_delete = {
    .name = "masterDelete", .check = check, .script = script, .answer = smsr_deleted_answer};

static int valid_token(const char *s)
{
    return !smsr_valid_hex_data(s) && strlen(s) >= 16 && strlen(s) <= 32 ? 0 : -EINVAL;
}

const struct sm_json_field smsr_master_delete_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {"sin", SM_JT_STRING, true, 32, smsr_valid_hex_data, SM_SUBJ_ISDP, NULL, 0, 0},
    {"sdin", SM_JT_STRING, true, 32, smsr_valid_hex_data, SM_SUBJ_ISDP, NULL, 0, 0},
    {"providerId", SM_JT_STRING, true, 64, smsr_valid_hex_data, SM_SUBJ_ISDP, NULL, 0, 0},
    {"tokenId", SM_JT_STRING, true, 64, smsr_valid_hex_data, SM_SUBJ_ISDP, NULL, 0, 0},
    {"token", SM_JT_STRING, true, 32, valid_token, SM_SUBJ_ISDP, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es4_master_delete(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const json_t *r = call->request;
    json_t *params =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "sin", sm_json_str(r, "sin"), "sdin",
                  sm_json_str(r, "sdin"), "providerId", sm_json_str(r, "providerId"), "tokenId",
                  sm_json_str(r, "tokenId"), "token", sm_json_str(r, "token"));

    (void)out;
    return smsr_es5_accept(call, &smsr_fn_master_delete, sm_json_str(r, "eid"),
                           sm_json_str(r, "iccid"), params, st);
}
