/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES7.AuthenticateSMSR (SGP.02 5.x; sgp02-architecture 7.8 step 3) at the current SM-SR: the new
 * SM-SR presents its certificate CERT.SR.ECDSA; this SM-SR passes it to the card's ISD-R in
 * EstablishISDRKeySet block 0 (STORE DATA 80 E2 09 00 {3A01 <7F21>}), the ECASD verifies it
 * with PK.CI and the card answers 85 10 <random challenge>, which goes back to the new SM-SR.
 * Accepted only from the SM-SR an SMSRChange of the card is waiting for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eis_codec.h"
#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/es8.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/json.h"

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    const char *hex = sm_json_str(p, "smsrCertificate");
    struct sm_buf data = SM_BUF_INIT;
    uint8_t cert[512];
    ssize_t n = hex ? sm_hex_decode(hex, cert, sizeof(cert)) : -1;
    int rc = n > 0 ? sm_es8_block0_data(cert, (size_t)n, &data) : -EINVAL;

    (void)e;
    if (!rc)
        rc = smsr_es5_key_establishment_command(false, data.data, data.len, out);
    sm_buf_free(&data);
    json_decref(p);
    return rc;
}

static int answer(struct smsr_app *a, const struct smdb_op *op, const struct smsr_es5_answer *ans,
                  struct smsr_es5_result *r)
{
    struct smsr_key_establishment_answer k;
    char hex[2 * 32 + 1];

    (void)a;
    if (smsr_key_establishment_result(op, ans, "CERT.SR.ECDSA", r, &k))
        return 0;
    if (!k.v85 || k.v85_len < 8) {
        sm_status_fail(&r->st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "the card's answer holds no random challenge");
        smsr_es5_response_data(r, op);
        return 0;
    }
    sm_hex_encode_upper(k.v85, k.v85_len, hex);
    json_object_set_new(r->out, "randomChallenge", json_string(hex));
    return 0;
}

const struct smsr_es5_fn smsr_fn_authenticate_smsr = {.name = "authenticateSMSR",
                                                      .check = smsr_checked_at_acceptance,
                                                      .script = script,
                                                      .answer = answer,
                                                      .while_locked = true};

/* An SM-SR certificate (C8 = 02) that decodes: what the card gets to verify. */
static int valid_sr_cert(const char *s)
{
    uint8_t der[512];
    struct sm_decode_err de;
    struct sm_gpcert c;
    ssize_t n;

    if (smsr_valid_hex_data(s))
        return -EINVAL;
    n = sm_hex_decode(s, der, sizeof(der));
    return n > 0 && !sm_gpcert_decode(der, (size_t)n, &c, &de) && c.has_type &&
                   c.type == SM_GPCERT_TYPE_SMSR
               ? 0
               : -EINVAL;
}

const struct sm_json_field smsr_authenticate_smsr_body[] = {
    {"eis", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_EIS, NULL, 0, 0},
    {"smsrCertificate", SM_JT_STRING, true, 1024, valid_sr_cert, SM_SUBJ_SMSR_CERT, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es7_authenticate_smsr(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    /* the card is named by its EIS (GSMA ES7 XSD); only its EID matters here */
    const char *eid =
        sm_json_str(json_object_get(json_object_get(call->request, "eis"), "eumSignedInfo"), "eid");
    int rc;

    (void)out;
    if (!eid || sm_eid_check(eid)) {
        sm_status_fail(st, 400, SM_SUBJ_EID, SM_RSN_INVALID, eid,
                       "eis.eumSignedInfo.eid is missing or not an EID");
        return SM_API_DONE;
    }
    rc = smsr_change_target_check(call->app, eid, call->caller->id, st);
    if (rc)
        return rc > 0 ? SM_API_DONE : rc;
    return smsr_es5_accept(
        call, &smsr_fn_authenticate_smsr, eid, NULL,
        json_pack("{s:s}", "smsrCertificate", sm_json_str(call->request, "smsrCertificate")), st);
}
