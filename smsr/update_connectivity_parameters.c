/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES3.UpdateConnectivityParameters (SGP.02; sgp02-architecture 4.3, es5-secure-channels 1.6):
 * the SM-DP's ES8 data for the profile's ISD-P (SCP03 in APDU form with the ISD-P's keys:
 * INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, wrapped STORE DATA 3A07), relayed untouched to the
 * ISD-P's TAR (secured with the ISD-R keys) or in an admin session targeted at it. Only the
 * SM-DP that created the ISD-P may; the answer is the card's response script.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eis_codec.h"
#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/hex.h"
#include "sm/ids.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    return smsr_target_profile(op, e, st) ? 0 : 1;
}

static int target(const struct smdb_op *op, uint8_t tar[3])
{
    uint8_t aid[SMSR_AID_LEN];
    int rc = smsr_aid_bytes(op->isdp_aid, aid);

    if (!rc)
        memcpy(tar, aid + 12, 3);
    return rc;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    (void)e;
    return smsr_relay_param(op, "connectivityParameters", out);
}

const struct smsr_es5_fn smsr_fn_update_connectivity = {.name = "updateConnectivityParameters",
                                                        .check = check,
                                                        .script = script,
                                                        .answer = smsr_relay_answer,
                                                        .target = target};

const struct sm_json_field smsr_update_connectivity_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {"connectivityParameters", SM_JT_STRING, true, 8192, smsr_valid_hex_data, SM_SUBJ_FORMAT, NULL,
     0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es3_update_connectivity(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    json_t *params = json_pack("{s:s}", "connectivityParameters",
                               sm_json_str(call->request, "connectivityParameters"));

    (void)out;
    return smsr_es5_accept(call, &smsr_fn_update_connectivity, sm_json_str(call->request, "eid"),
                           sm_json_str(call->request, "iccid"), params, st);
}
