/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES7.CreateAdditionalKeySet (SGP.02 5.x; sgp02-architecture 7.8 step 4; es8 spec 1.1-1.2) at
 * the current SM-SR: the new SM-SR sends the parameters of its key set, its ephemeral public
 * key and its signature; this SM-SR builds EstablishISDRKeySet block 1 from them,
 *   STORE DATA 80 E2 89 01 {3A02 {A6 CRT} 7F49 {ePK} 5F37 {signature}},
 * byte for byte what the new SM-SR signed (the CRT encoding is shared, sm/es8.h), and returns the
 * card's answer (85 DR when the scenario asks for one, 86 receipt). The card creates an SCP80
 * key set (KVN 01-0F) this SM-SR never learns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eis_codec.h"
#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/es8.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/tlv.h"

/* ECC-256 / ECC-384 / ECC-512 / ECC-521 (GSMA ES7 XSD); only the curves the cards use. */
static int curve_of(const char *s, enum sm_curve *c)
{
    if (s && !strcmp(s, "ECC-256")) {
        *c = SM_CURVE_P256;
        return 0;
    }
    return -EINVAL;
}

int smsr_es7_key_set_crt(unsigned kvn, uint64_t isc, unsigned scenario, struct sm_es8_crt *crt)
{
    if (kvn < 0x01 || kvn > 0x0F || scenario > 0xFF)
        return -EINVAL;
    sm_es8_crt_default(crt);
    crt->scenario_param = (uint8_t)scenario;
    crt->kvn = (uint8_t)kvn;
    /* SCP80 counters are five bytes (es8 spec 1.2, 91) */
    crt->seq_counter_len = 5;
    for (int i = 4; i >= 0; i--, isc >>= 8)
        crt->seq_counter[i] = (uint8_t)isc;
    return 0;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    struct sm_buf data = SM_BUF_INIT;
    struct sm_es8_crt crt;
    enum sm_curve curve;
    uint8_t epk[SM_EC_PUB_MAX], sig[2 * SM_EC_FIELD_MAX];
    const char *epk_hex = sm_json_str(p, "ephemeralPublicKey"),
               *sig_hex = sm_json_str(p, "signature");
    ssize_t ne = epk_hex ? sm_hex_decode(epk_hex, epk, sizeof(epk)) : -1,
            ns = sig_hex ? sm_hex_decode(sig_hex, sig, sizeof(sig)) : -1;
    /* xs:byte: 09 is 9, bytes above 7F come negative */
    unsigned scenario =
        (unsigned)json_integer_value(json_object_get(p, "scenarioParameter")) & 0xFF;
    int rc = ne > 0 && ns > 0 ? 0 : -EINVAL;

    (void)e;
    if (!rc)
        rc = curve_of(sm_json_str(p, "eccKeyLength"), &curve);
    if (!rc)
        rc = smsr_es7_key_set_crt(
            (unsigned)json_integer_value(json_object_get(p, "keyVersionNumber")),
            (uint64_t)json_integer_value(json_object_get(p, "initialSequenceCounter")), scenario,
            &crt);
    if (!rc)
        rc = sm_es8_block1_unsigned(&crt, curve, epk, (size_t)ne, SM_ES8_EPK_RAW, &data);
    if (!rc)
        rc = sm_tlv_put(&data, 0x5F37, sig, (size_t)ns);
    if (!rc)
        rc = smsr_es5_key_establishment_command(true, data.data, data.len, out);
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
    if (smsr_key_establishment_result(op, ans, "the new SM-SR's signature", r, &k))
        return 0;
    if (!k.receipt) {
        sm_status_fail(&r->st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "the card's answer holds no receipt");
        smsr_es5_response_data(r, op);
        return 0;
    }
    if (k.v85) {
        sm_hex_encode_upper(k.v85, k.v85_len, hex);
        json_object_set_new(r->out, "derivationRandom", json_string(hex));
    }
    sm_hex_encode_upper(k.receipt, k.receipt_len, hex);
    json_object_set_new(r->out, "receipt", json_string(hex));
    return 0;
}

const struct smsr_es5_fn smsr_fn_create_additional_key_set = {.name = "createAdditionalKeySet",
                                                              .check = smsr_checked_at_acceptance,
                                                              .script = script,
                                                              .answer = answer,
                                                              .while_locked = true};

static int valid_ecc(const char *s)
{
    enum sm_curve c;

    return curve_of(s, &c);
}

static int valid_epk(const char *s)
{
    uint8_t pub[SM_EC_PUB_MAX];
    ssize_t n = smsr_valid_hex_data(s) ? -1 : sm_hex_decode(s, pub, sizeof(pub));

    return n > 0 && !sm_ec_check_public(SM_CURVE_P256, pub, (size_t)n) ? 0 : -EINVAL;
}

static int valid_sig(const char *s)
{
    return strlen(s) == 128 && !smsr_valid_hex_data(s) ? 0 : -EINVAL;
}

static int valid_host_id(const char *s)
{
    return strlen(s) <= 32 && !smsr_valid_hex_data(s) ? 0 : -EINVAL;
}

const struct sm_json_field smsr_create_additional_key_set_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"keyVersionNumber", SM_JT_INTEGER, true, 0, NULL, SM_SUBJ_ISDR, NULL, 1, 15},
    {"initialSequenceCounter", SM_JT_INTEGER, true, 0, NULL, SM_SUBJ_ISDR, NULL, 0, 0xFFFFFFFFFFLL},
    {"eccKeyLength", SM_JT_STRING, true, 16, valid_ecc, SM_SUBJ_ISDR, NULL, 0, 0},
    {"scenarioParameter", SM_JT_INTEGER, true, 0, NULL, SM_SUBJ_ISDR, NULL, -128, 127},
    {"hostId", SM_JT_STRING, true, 32, valid_host_id, SM_SUBJ_ISDR, NULL, 0, 0},
    {"ephemeralPublicKey", SM_JT_STRING, true, 2 * SM_EC_PUB_MAX, valid_epk, SM_SUBJ_ISDR, NULL, 0,
     0},
    {"signature", SM_JT_STRING, true, 128, valid_sig, SM_SUBJ_ISDR, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es7_create_additional_key_set(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const json_t *q = call->request;
    const char *eid = sm_json_str(q, "eid");
    json_int_t scenario = json_integer_value(json_object_get(q, "scenarioParameter"));
    json_t *params;
    int rc;

    (void)out;
    /* DR (02) and HostID (04) would enter the derivation; neither is offered (es8 spec 1.2) */
    if (scenario & 0x06) {
        sm_status_fail(st, 200, SM_SUBJ_ISDR, SM_RSN_UNSUPPORTED, eid,
                       "scenario parameter %02X: DR and HostID are not offered",
                       (unsigned)(scenario & 0xFF));
        return SM_API_DONE;
    }
    rc = smsr_change_target_check(call->app, eid, call->caller->id, st);
    if (rc)
        return rc > 0 ? SM_API_DONE : rc;
    params =
        json_pack("{s:O, s:O, s:s, s:O, s:s, s:s}", "keyVersionNumber",
                  json_object_get(q, "keyVersionNumber"), "initialSequenceCounter",
                  json_object_get(q, "initialSequenceCounter"), "eccKeyLength",
                  sm_json_str(q, "eccKeyLength"), "scenarioParameter",
                  json_object_get(q, "scenarioParameter"), "ephemeralPublicKey",
                  sm_json_str(q, "ephemeralPublicKey"), "signature", sm_json_str(q, "signature"));
    return smsr_es5_accept(call, &smsr_fn_create_additional_key_set, eid, NULL, params, st);
}
