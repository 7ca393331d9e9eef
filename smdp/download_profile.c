/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2.DownloadProfile (SGP.02 4.2, procedure 7.2): the MNO's order for a profile on a card.
 * Accepted at once when the profile type or the ICCID is the MNO's and a subscription is free
 * (it is allocated to the order in the same transaction); then, as an order:
 *   eis        ES3.GetEIS: the card's EUM signature and CERT.ECASD.ECKA verified up to a CI
 *              this SM-DP trusts, its memory, a left-over ISD-P of ours for the ICCID;
 *   stale      ES3.DeleteISDP of that left-over (7.2 step 2);
 *   create     ES3.CreateISDP (step 3);
 *   key0/key1  ES3.SendData to the ISD-R: the key establishment, scenario #3 (step 4);
 *   auth       ES3.SendData to the ISD-P: SCP03t 84, then 85 (step 5);
 *   load       ES3.SendData: 85 and the package in 86 segments, es8.send_data_max at a time;
 *   completed  ES3.ProfileDownloadCompleted (step 6);
 *   enable     ES3.EnableProfile when asked (step 7; failing only that is a warning);
 *   cleanup    ES3.DeleteISDP after a failure past CreateISDP, then the failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order_engine.h"
#include "sm/apdu.h"
#include "sm/cipher.h"
#include "sm/keystore.h"
#include "sm/secret.h"
#include "sm/eis_verify.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/log.h"
#include "sm/rng.h"
#include "sm/tlv.h"
#include "smdb/peer.h"
#include "smdb/smdp_store.h"
#include "smdp.h"

static const char isdr_aid[] = "A0000005591010FFFFFFFF8900000100";

/* downloads that fail for want of the SM-DP's state (a restart) start again, this often */
#define MAX_RESTARTS 2

const struct sm_json_field smdp_download_profile_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"smsrId", SM_JT_STRING, true, SM_ID_MAX, sm_oid_check, SM_SUBJ_SMSR, NULL, 0, 0},
    {"profileType", SM_JT_STRING, false, SMDB_TYPE_NAME_MAX, NULL, SM_SUBJ_PROFILE_TYPE, NULL, 0,
     0},
    {"iccid", SM_JT_STRING, false, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {"enableProfile", SM_JT_BOOLEAN, true, 0, NULL, NULL, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

/* ---- acceptance ---- */

/* The subscription for the order: the ICCID asked for, or the lowest free one of the type. */
static int allocate(struct sm_api_call *call, const char *eid, const char *order_ref,
                    char type[SMDB_TYPE_NAME_MAX + 1], char iccid[21], struct sm_status *st)
{
    struct smdp_app *a = call->app;
    const char *want = sm_json_str(call->request, "iccid"),
               *ptype = sm_json_str(call->request, "profileType");
    struct smdb_profile_type pt;
    int rc;

    if (want) {
        struct smdb_subscription sub;

        rc = smdb_subscription_get(a->db, want, &sub);
        smdb_subscription_free(&sub);
        if (rc == -ENOENT || (!rc && strcmp(sub.mno_id, call->caller->id))) {
            sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_UNKNOWN, want,
                           "no profile of this SM-DP and this MNO has this ICCID");
            return 1;
        }
        if (rc)
            return rc;
        if (ptype && strcmp(ptype, sub.profile_type)) {
            sm_status_fail(st, 200, SM_SUBJ_PROFILE_TYPE, SM_RSN_INVALID_ASSOCIATION, ptype,
                           "ICCID %s is of profile type %s", want, sub.profile_type);
            return 1;
        }
        rc = smdb_subscription_take(a->db, want, call->caller->id, eid, order_ref, call->now_ms);
        if (rc == -ESTALE) {
            sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_ALREADY_IN_USE, want,
                           "the profile is %s, not available for a download", sub.state);
            return 1;
        }
        snprintf(type, SMDB_TYPE_NAME_MAX + 1, "%s", sub.profile_type);
        snprintf(iccid, 21, "%s", want);
        return rc;
    }
    if (!ptype) {
        sm_status_fail(st, 400, SM_SUBJ_PROFILE_TYPE, SM_RSN_CONDITIONAL_MISSING, NULL,
                       "profileType or iccid is needed");
        return 1;
    }
    rc = smdb_profile_type_get(a->db, call->caller->id, ptype, &pt);
    smdb_profile_type_free(&pt);
    if (rc == -ENOENT) {
        sm_status_fail(st, 200, SM_SUBJ_PROFILE_TYPE, SM_RSN_UNKNOWN, ptype,
                       "the MNO has no profile type of this name");
        return 1;
    }
    if (!rc)
        rc = smdb_subscription_allocate(a->db, call->caller->id, ptype, eid, order_ref,
                                        call->now_ms, iccid);
    if (rc == -ENOENT) {
        sm_status_fail(st, 200, SM_SUBJ_PROFILE_TYPE, SM_RSN_UNAVAILABLE, ptype,
                       "no profile of this type is left in the inventory");
        return 1;
    }
    snprintf(type, SMDB_TYPE_NAME_MAX + 1, "%s", ptype);
    return rc;
}

int smdp_es2_download_profile(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    struct smdp_app *a = call->app;
    const char *eid = sm_json_str(call->request, "eid"),
               *smsr = sm_json_str(call->request, "smsrId");
    char type[SMDB_TYPE_NAME_MAX + 1], iccid[21], base[600], order_ref[2 * SM_ID_MAX + 2];
    int rc;

    (void)out;
    if (!a->trust || !a->dp_cert_len) {
        sm_status_fail(st, 200, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, a->cfg->base.id,
                       "downloads are not configured (es8.ci_certs, es8.certificate)");
        return SM_API_DONE;
    }
    rc = smdb_peer_base(a->db, a->cfg->base.id, smsr, SM_ROLE_SMSR, base, sizeof(base));
    if (rc == -EHOSTUNREACH) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_UNKNOWN, smsr,
                       "%s is not an SM-SR this SM-DP works with", smsr);
        return SM_API_DONE;
    }
    if (rc)
        return rc;
    snprintf(order_ref, sizeof(order_ref), "%s/%s", call->caller->id, call->header->call_id);
    /* the subscription and the order: one unit (a refusal or failure leaves neither) */
    rc = smdb_unit_begin(a->db);
    if (rc)
        return rc;
    rc = allocate(call, eid, order_ref, type, iccid, st);
    if (rc) {
        smdb_unit_end(a->db, -ECANCELED);
        return rc == 1 ? SM_API_DONE : rc;
    }
    rc =
        smdp_order_accept(call, &smdp_fn_download_profile, eid, smsr, iccid,
                          json_pack("{s:s, s:b}", "profileType", type, "enableProfile",
                                    json_is_true(json_object_get(call->request, "enableProfile"))));
    if (smdb_unit_end(a->db, rc == SM_API_ACCEPTED ? 0 : -ECANCELED) || rc != SM_API_ACCEPTED)
        return rc == SM_API_ACCEPTED ? -EIO : rc;
    smdp_engine_wake(a);
    return rc;
}

/* ---- the order ---- */

/* The card's response script (euiccResponseData) decoded into s, its bytes in *raw. */
static int response_script(const json_t *result, uint8_t **raw, struct sm_script *s)
{
    const char *hex = sm_json_str(result, "euiccResponseData");
    struct sm_decode_err de;
    size_t n = hex ? strlen(hex) / 2 : 0;

    *raw = NULL;
    if (!n || !(*raw = malloc(n)))
        return -EBADMSG;
    if (sm_hex_decode(hex, *raw, n) != (ssize_t)n || sm_script_decode(*raw, n, s, &de)) {
        free(*raw);
        *raw = NULL;
        return -EBADMSG;
    }
    return 0;
}

/* The data of the card's last R-APDU when it ended 90 00 (*raw holds the script: free it);
 * -EBADMSG otherwise. */
static int answer_data(const struct smdp_run *x, uint8_t **raw, struct sm_script *sc,
                       const uint8_t **d, size_t *dlen)
{
    uint16_t sw;

    return response_script(x->result, raw, sc) || smdp_es8_rapdu(sc, d, dlen, &sw) || sw != 0x9000
               ? -EBADMSG
               : 0;
}

/* Item i of a response script as the TLV it is (tag, length, value). */
static int item_tlv(const struct sm_script_item *it, struct sm_buf *b)
{
    sm_buf_reset(b);
    return sm_tlv_put(b, it->tag, it->value, it->len);
}

static json_t *hex_string(const struct sm_buf *b)
{
    char *hex = malloc(2 * b->len + 1);
    json_t *j;

    if (!hex)
        return NULL;
    sm_hex_encode_upper(b->data, b->len, hex);
    j = json_string(hex);
    free(hex);
    return j;
}

static int send_data(struct smdp_run *x, const char *sd, const struct sm_buf *tlvs, bool more)
{
    json_t *data = hex_string(tlvs);

    if (!data)
        return -ENOMEM;
    return smdp_run_call(x, "sendData",
                         json_pack("{s:s, s:o, s:b}", "sdAid", sd, "data", data, "moreToDo", more));
}

static const char *isdp_of(const struct smdp_run *x)
{
    return sm_json_str(x->params, "isdpAid");
}

static void set_sub_state(struct smdp_run *x, const char *from, const char *to)
{
    int rc = smdb_subscription_set_state(x->a->db, x->o->iccid, from, to, sm_wall_ms());

    if (rc)
        SM_LOGW(SM_LOG_DB, x->o->iccid, "subscription %s -> %s: %s", from ? from : "*", to,
                rc == -ESTALE ? "not in that state" : "not stored");
}

static void release_sub(struct smdp_run *x)
{
    char state[16];

    if (smdb_subscription_release(x->a->db, x->o->iccid, sm_wall_ms(), state) == 0)
        SM_LOGI(SM_LOG_DB, x->o->iccid, "profile released: %s", state);
}

/* A failure after CreateISDP: remove the ISD-P (7.2), then end with st. */
static int cleanup(struct smdp_run *x, const struct sm_status *st)
{
    int rc = smdp_status_save(x->params, "failure", st);

    if (rc)
        return rc;
    smdp_session_drop(x->a, x->o->id);
    SM_LOGN(SM_LOG_API, x->o->eid, "download of %s failed (%s): deleting its ISD-P", x->o->iccid,
            st->message);
    smdp_run_goto(x, "cleanup");
    return smdp_run_call(x, "deleteISDP", json_pack("{s:s}", "iccid", x->o->iccid));
}

static int fail_card(struct smdp_run *x, const char *subj, const char *rsn, const char *what)
{
    struct sm_status st;

    sm_status_fail(&st, 200, subj, rsn, x->o->eid, "%s", what);
    return cleanup(x, &st);
}

/* The SM-DP lost the download's keys (a restart): clean up and start again, a few times. */
static int restart(struct smdp_run *x)
{
    json_int_t n = json_integer_value(json_object_get(x->params, "restarts"));
    struct sm_status st;

    sm_status_fail(&st, 200, SM_SUBJ_PROVIDER, SM_RSN_EXECUTION_ERROR, x->o->eid,
                   "the download was interrupted at %s (the SM-DP restarted)", x->o->step);
    if (n < MAX_RESTARTS) {
        json_object_set_new(x->params, "restarts", json_integer(n + 1));
        json_object_set_new(x->params, "again", json_true());
    }
    return cleanup(x, &st);
}

static int step_eis(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    const json_t *eis, *profiles, *cert;
    struct smdb_profile_type pt;
    struct sm_eum_signer eum;
    uint8_t der[1024], pk[65];
    char pkhex[131];
    size_t pklen = sizeof(pk);
    ssize_t n;
    int rc;

    if (!x->result) {
        if (smdp_run_expired_at_start(x)) {
            release_sub(x);
            return SMDP_STEP_DONE;
        }
        return smdp_run_call(x, "getEIS", json_object());
    }
    if (x->rs.status != SM_EXEC_SUCCESS && x->rs.status != SM_EXEC_WARNING) {
        release_sub(x);
        return smdp_run_fail_with_result(x);
    }
    eis = json_object_get(x->result, "eis");
    /* the card is what its EUM says, up to a CI this SM-DP trusts (7.2 step 2) */
    rc = sm_eis_verify_eum_signature(a->trust, json_object_get(eis, "eumSignedInfo"),
                                     sm_json_str(eis, "eumSignature"), sm_wall_ms() / 1000, &eum,
                                     &x->st);
    cert = json_array_get(
        json_object_get(
            json_array_get(
                json_object_get(json_object_get(json_object_get(eis, "eumSignedInfo"), "ecasd"),
                                "keyset"),
                0),
            "certificate"),
        0);
    if (!rc) {
        const char *hex = sm_json_str(cert, "value");

        n = hex && strlen(hex) <= 2 * sizeof(der) ? sm_hex_decode(hex, der, sizeof(der)) : -1;
        rc = n > 0 ? sm_eis_verify_ecasd_cert(der, (size_t)n, x->o->eid, &eum,
                                              sm_today(sm_wall_ms()), pk, &pklen, &x->st)
                   : -EKEYREJECTED;
        if (n <= 0)
            sm_status_fail(&x->st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_INVALID, x->o->eid,
                           "the EIS carries no readable CERT.ECASD.ECKA");
    }
    if (rc) {
        release_sub(x);
        return rc == -ENOMEM ? rc : SMDP_STEP_DONE;
    }
    rc = smdb_profile_type_get(a->db, x->o->requester, sm_json_str(x->params, "profileType"), &pt);
    if (rc)
        return rc;
    if (json_integer_value(json_object_get(eis, "remainingMemory")) < pt.memory_required) {
        sm_status_fail(&x->st, 200, SM_SUBJ_EUICC, SM_RSN_INSUFFICIENT_MEMORY, x->o->eid,
                       "the card has %lld bytes left, the profile needs %lld",
                       (long long)json_integer_value(json_object_get(eis, "remainingMemory")),
                       (long long)pt.memory_required);
        smdb_profile_type_free(&pt);
        release_sub(x);
        return SMDP_STEP_DONE;
    }
    json_object_set_new(x->params, "memory", json_integer(pt.memory_required));
    smdb_profile_type_free(&pt);
    sm_hex_encode_upper(pk, pklen, pkhex);
    json_object_set_new(x->params, "ecasdPk", json_string(pkhex));
    /* a profile of ours with this ICCID on the card: a left-over of an earlier attempt */
    profiles = json_object_get(eis, "profileInfo");
    for (size_t i = 0; i < json_array_size(profiles); i++) {
        const json_t *p = json_array_get(profiles, i);

        if (strcmp(sm_json_str(p, "iccid") ? sm_json_str(p, "iccid") : "", x->o->iccid))
            continue;
        if (strcmp(sm_json_str(p, "state") ? sm_json_str(p, "state") : "", "Created")) {
            sm_status_fail(&x->st, 200, SM_SUBJ_ICCID, SM_RSN_ALREADY_IN_USE, x->o->iccid,
                           "the profile is on the card already (%s)", sm_json_str(p, "state"));
            return SMDP_STEP_DONE;
        }
        smdp_run_goto(x, "stale");
        return smdp_run_call(x, "deleteISDP", json_pack("{s:s}", "iccid", x->o->iccid));
    }
    return smdp_run_goto(x, "create");
}

static int step_stale(struct smdp_run *x)
{
    if (x->rs.status != SM_EXEC_SUCCESS && x->rs.status != SM_EXEC_WARNING)
        return smdp_run_fail_with_result(x);
    return smdp_run_goto(x, "create");
}

static int step_create(struct smdp_run *x)
{
    const char *aid;

    if (!x->result)
        return smdp_run_call(x, "createISDP",
                             json_pack("{s:s, s:s, s:I, s:b}", "iccid", x->o->iccid, "mnoId",
                                       x->o->requester, "requiredMemory",
                                       json_integer_value(json_object_get(x->params, "memory")),
                                       "moreToDo", 1));
    aid = sm_json_str(x->result, "isdPAid");
    if (x->rs.status != SM_EXEC_SUCCESS && x->rs.status != SM_EXEC_WARNING) {
        release_sub(x);
        return smdp_run_fail_with_result(x);
    }
    if (!aid || strlen(aid) != 32)
        return fail_card(x, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR,
                         "CreateISDP answered without the ISD-P's AID");
    json_object_set_new(x->params, "isdpAid", json_string(aid));
    set_sub_state(x, "allocated", "downloading");
    smdp_run_progress(x, "isdp-created");
    return smdp_run_goto(x, "key0");
}

static int step_key0(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    struct sm_buf tlvs = SM_BUF_INIT, block1 = SM_BUF_INIT;
    struct smdp_session *s;
    struct sm_script sc;
    const uint8_t *d;
    uint8_t aid[16], pk[65], *raw = NULL;
    size_t dlen;
    uint16_t sw;
    int rc;

    if (!x->result) {
        rc = sm_hex_decode(isdp_of(x), aid, 16) == 16
                 ? smdp_es8_key0_script(aid, a->dp_cert, a->dp_cert_len, &tlvs)
                 : -EINVAL;
        rc = rc ? rc : send_data(x, isdr_aid, &tlvs, true);
        sm_buf_free(&tlvs);
        return rc;
    }
    if (x->rs.status != SM_EXEC_SUCCESS)
        return cleanup(x, &x->rs);
    /* [INSTALL 90 00] [STORE DATA: 85 10 <RC> 90 00] */
    if (response_script(x->result, &raw, &sc) || smdp_es8_rapdu(&sc, &d, &dlen, &sw) ||
        sw != 0x9000 || dlen != 18 || d[0] != 0x85 || d[1] != 0x10) {
        free(raw);
        return fail_card(x, SM_SUBJ_ECASD_CERT, SM_RSN_VERIFICATION_FAILED,
                         "the card did not answer CERT.DP.ECDSA with a challenge");
    }
    s = smdp_session_get(a, x->o->id, true);
    rc = s && sm_hex_decode(sm_json_str(x->params, "ecasdPk"), pk, 65) == 65 ? 0 : -ENOMEM;
    /* block 1: an ephemeral key, the ISD-P's keys derived, signed over the card's RC */
    if (!rc)
        rc = smdp_es8_key_block(&s->es8, SM_CURVE_P256, SMDP_ES8_KVN, pk, 65, a->dp_key->data,
                                a->dp_key->len, d + 2, 16, &sm_rng_system, &block1);
    free(raw);
    if (!rc)
        rc = smdp_es8_key1_script(&block1, &tlvs);
    sm_buf_free(&block1);
    smdp_run_goto(x, "key1");
    if (!rc)
        rc = send_data(x, isdr_aid, &tlvs, true);
    sm_buf_free(&tlvs);
    return rc;
}

static int step_key1(struct smdp_run *x)
{
    struct smdp_session *s = smdp_session_get(x->a, x->o->id, false);
    struct sm_buf tlv84 = SM_BUF_INIT;
    struct sm_script sc;
    const uint8_t *d;
    uint8_t *raw = NULL;
    size_t dlen;
    int rc;

    if (x->rs.status != SM_EXEC_SUCCESS)
        return cleanup(x, &x->rs);
    if (!s || !s->es8.keyed)
        return restart(x);
    rc = answer_data(x, &raw, &sc, &d, &dlen);
    if (!rc)
        rc = smdp_es8_receipt_check(&s->es8, d, dlen);
    free(raw);
    if (rc)
        return fail_card(x, SM_SUBJ_ISDP, SM_RSN_VERIFICATION_FAILED,
                         rc == -EKEYREJECTED ? "the card's receipt is not the SM-DP's: the keys "
                                               "differ"
                                             : "the card answered block 1 without a receipt");
    smdp_run_progress(x, "keys-established");
    rc = smdp_es8_open(&s->es8, &sm_rng_system, &tlv84);
    smdp_run_goto(x, "auth");
    if (!rc)
        rc = send_data(x, isdp_of(x), &tlv84, true);
    sm_buf_free(&tlv84);
    return rc;
}

/* The next SendData of the package: [85] and 86 segments up to es8.send_data_max bytes. */
static int send_load(struct smdp_run *x, struct smdp_session *s, const struct sm_buf *tlv85)
{
    struct sm_buf tlvs = SM_BUF_INIT;
    size_t max = (size_t)x->a->cfg->es8_send_data_max;
    json_int_t nseg = 0;
    int rc = 0;

    tlvs.secure = false; /* encrypted (C-DEC) and MACed: nothing in clear */
    if (tlv85)
        rc = sm_buf_append(&tlvs, tlv85->data, tlv85->len);
    /* each 86 is at most 1000 bytes of plaintext plus padding, MAC and header (1030) */
    while (!rc && s->off < s->pkg.len && (nseg == 0 || tlvs.len + 1030 <= max)) {
        rc = smdp_es8_segment(&s->es8, s->pkg.data, s->pkg.len, &s->off, &tlvs);
        nseg++;
    }
    json_object_set_new(x->params, "with85", json_boolean(tlv85 != NULL));
    json_object_set_new(x->params, "segments", json_integer(nseg));
    json_object_set_new(x->params, "loaded", json_integer((json_int_t)s->off));
    smdp_run_goto(x, "load");
    if (!rc)
        rc = send_data(x, isdp_of(x), &tlvs, s->off < s->pkg.len);
    sm_buf_free(&tlvs);
    return rc;
}

static int step_auth(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    struct smdp_session *s = smdp_session_get(a, x->o->id, false);
    struct sm_buf tlv = SM_BUF_INIT, tlv85 = SM_BUF_INIT;
    struct smdb_subscription sub;
    struct smdb_profile_type pt;
    struct sm_script sc;
    uint8_t *raw = NULL, cerr = 0;
    char why[300] = "";
    int rc;

    if (x->rs.status != SM_EXEC_SUCCESS)
        return cleanup(x, &x->rs);
    if (!s || !s->es8.keyed)
        return restart(x);
    rc = response_script(x->result, &raw, &sc) || !sc.n || sc.item[sc.n - 1].tag != 0x84 ||
                 item_tlv(&sc.item[sc.n - 1], &tlv)
             ? -EBADMSG
             : smdp_es8_authenticate(&s->es8, tlv.data, tlv.len, &cerr, &tlv85);
    free(raw);
    sm_buf_free(&tlv);
    if (rc) {
        sm_buf_free(&tlv85);
        return fail_card(x, SM_SUBJ_ISDP, SM_RSN_VERIFICATION_FAILED,
                         rc == -EKEYREJECTED ? "the ISD-P's cryptogram is wrong"
                                             : "the ISD-P did not open the SCP03t session");
    }
    /* the package, personalised now for this card and kept only for the download */
    rc = smdb_subscription_get(a->db, x->o->iccid, &sub);
    if (!rc) {
        rc = smdb_profile_type_get(a->db, sub.mno_id, sub.profile_type, &pt);
        if (!rc) {
            rc = smdp_personalise(a, &sub, &pt, &s->pkg, why, sizeof(why));
            smdb_profile_type_free(&pt);
        }
        smdb_subscription_free(&sub);
    }
    if (rc) {
        sm_buf_free(&tlv85);
        SM_LOGE(SM_LOG_API, x->o->iccid, "package not personalised: %s", why);
        char msg[400];

        snprintf(msg, sizeof(msg), "the profile package could not be made: %s",
                 why[0] ? why : "storage");
        return fail_card(x, SM_SUBJ_PROFILE, SM_RSN_EXECUTION_ERROR, msg);
    }
    s->off = 0;
    rc = send_load(x, s, &tlv85);
    sm_buf_free(&tlv85);
    return rc;
}

static int step_load(struct smdp_run *x)
{
    struct smdp_session *s = smdp_session_get(x->a, x->o->id, false);
    struct sm_buf tlv = SM_BUF_INIT, data = SM_BUF_INIT;
    json_int_t nseg = json_integer_value(json_object_get(x->params, "segments"));
    bool with85 = json_is_true(json_object_get(x->params, "with85"));
    struct sm_script sc;
    uint8_t *raw = NULL, cerr = 0;
    unsigned i = 0;
    int rc;

    if (x->rs.status != SM_EXEC_SUCCESS)
        return cleanup(x, &x->rs);
    if (!s || !s->es8.open)
        return restart(x);
    rc = response_script(x->result, &raw, &sc);
    /* each command's answer in order (the R-MAC chains them): 85 00, then 86 00 per segment */
    for (json_int_t k = with85 ? -1 : 0; !rc && k < nseg; k++) {
        uint32_t tag = k < 0 ? 0x85 : 0x86;

        while (i < sc.n && sc.item[i].tag != tag)
            i++;
        rc = i < sc.n && !item_tlv(&sc.item[i], &tlv)
                 ? smdp_es8_check(&s->es8, tag, tlv.data, tlv.len, &data, &cerr)
                 : -EBADMSG;
        i++;
    }
    free(raw);
    sm_buf_free(&tlv);
    sm_buf_free(&data);
    if (rc) {
        char what[80];

        snprintf(what, sizeof(what),
                 cerr ? "the ISD-P refused the package (error %02X)"
                      : "the ISD-P's answer to the package does not check out",
                 cerr);
        return fail_card(x, SM_SUBJ_ISDP, SM_RSN_EXECUTION_ERROR, what);
    }
    if (s->off < s->pkg.len)
        return send_load(x, s, NULL);
    return smdp_run_goto(x, x->a->cfg->es8_token_key ? "token0" : "completed");
}

/* Go to step next and, when rc is 0, send tlvs (freed) to the ISD-P. */
static int isdp_script(struct smdp_run *x, const char *next, int rc, struct sm_buf *tlvs, bool more)
{
    smdp_run_goto(x, next);
    if (!rc)
        rc = send_data(x, isdp_of(x), tlvs, more);
    sm_buf_free(tlvs);
    return rc;
}

/* The master-delete token key (SGP.02 v4 7.6): SCP03 in APDU form with the ISD-P's new keys,
 * INITIALIZE UPDATE first, then EXTERNAL AUTHENTICATE and PUT KEY (KVN 70, AES, under the DEK,
 * with its KCV); the key is kept wrapped with the subscription. */
static int step_token0(struct smdp_run *x)
{
    struct smdp_session *s = smdp_session_get(x->a, x->o->id, false);
    struct sm_buf apdu = SM_BUF_INIT, tlvs = SM_BUF_INIT;
    int rc;

    if (!s || !s->es8.open)
        return restart(x);
    rc = sm_rng_bytes(&sm_rng_system, s->host_challenge, sizeof(s->host_challenge));
    if (!rc)
        rc = sm_scp03_initialize_update(s->es8.kvn, s->host_challenge, &apdu);
    if (!rc)
        rc = sm_tlv_put(&tlvs, 0x22, apdu.data, apdu.len);
    sm_buf_free(&apdu);
    return isdp_script(x, "token1", rc, &tlvs, true);
}

static int step_token1(struct smdp_run *x)
{
    struct smdp_session *s = smdp_session_get(x->a, x->o->id, false);
    struct sm_buf apdu = SM_BUF_INIT, tlvs = SM_BUF_INIT;
    /* PUT KEY 80 D8 00 01: KVN 70, key type 88 (AES) of 16 bytes enciphered, KCV */
    uint8_t put[5 + 24] = {0x80, 0xD8, 0x00, 0x01, 24, 0x70, 0x88, 17, 16}, *raw = NULL;
    struct sm_decode_err de;
    struct sm_script sc;
    const uint8_t *d;
    size_t dlen;
    int rc;

    if (x->rs.status != SM_EXEC_SUCCESS)
        return cleanup(x, &x->rs);
    if (!s || !s->es8.keyed)
        return restart(x);
    rc = answer_data(x, &raw, &sc, &d, &dlen);
    if (!rc) {
        struct sm_scp03_keys k = {s->es8.keys.k_enc, s->es8.keys.k_mac, s->es8.keys.k_dek, 16};

        rc = sm_scp03_host_init(&s->scp, &k, s->host_challenge, d, dlen, &de);
    }
    free(raw);
    if (rc)
        return fail_card(x, SM_SUBJ_ISDP, SM_RSN_VERIFICATION_FAILED,
                         "the ISD-P did not open an SCP03 session for the token key");
    rc = sm_rng_bytes(&sm_rng_system, s->token_key, 16);
    if (!rc)
        rc = sm_aes_cbc(true, s->es8.keys.k_dek, 16, (const uint8_t[16]){0}, s->token_key, 16,
                        put + 9);
    put[25] = 3;
    if (!rc)
        rc = sm_kcv_aes(s->token_key, 16, put + 26);
    if (!rc)
        rc = sm_scp03_external_authenticate(&s->scp, 0x33, &apdu);
    if (!rc)
        rc = sm_tlv_put(&tlvs, 0x22, apdu.data, apdu.len);
    sm_buf_reset(&apdu);
    if (!rc)
        rc = sm_scp03_wrap(&s->scp, put, sizeof(put), &apdu);
    if (!rc)
        rc = sm_tlv_put(&tlvs, 0x22, apdu.data, apdu.len);
    sm_wipe(put, sizeof(put));
    sm_buf_free(&apdu);
    return isdp_script(x, "token2", rc, &tlvs, false);
}

static int step_token2(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    struct smdp_session *s = smdp_session_get(a, x->o->id, false);
    struct sm_buf w = SM_BUF_INIT;
    struct sm_secret *k;
    struct sm_script sc;
    uint8_t *raw = NULL;
    char label[64];
    int rc;

    if (x->rs.status != SM_EXEC_SUCCESS)
        return cleanup(x, &x->rs);
    if (!s)
        return restart(x);
    /* every R-APDU of the script (EXTERNAL AUTHENTICATE, PUT KEY) 90 00 */
    rc = response_script(x->result, &raw, &sc);
    for (unsigned i = 0; !rc && i < sc.n; i++)
        if (sc.item[i].tag == 0x23 &&
            (sc.item[i].len < 2 || sc.item[i].value[sc.item[i].len - 2] != 0x90 ||
             sc.item[i].value[sc.item[i].len - 1] != 0x00))
            rc = -EKEYREJECTED;
    free(raw);
    if (rc)
        return fail_card(x, SM_SUBJ_ISDP, SM_RSN_EXECUTION_ERROR,
                         "the ISD-P refused the master-delete token key");
    snprintf(label, sizeof(label), "smdp:token:%s", x->o->iccid);
    k = sm_secret_from(s->token_key, 16);
    rc = k ? sm_keystore_wrap(a->ks, &sm_rng_system, label, k, &w) : -ENOMEM;
    sm_secret_free(k);
    if (!rc)
        rc = smdb_subscription_set_token(a->db, x->o->iccid, isdp_of(x), w.data, w.len,
                                         sm_wall_ms());
    sm_buf_free(&w);
    if (rc)
        return rc;
    return smdp_run_goto(x, "completed");
}

static int step_completed(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    struct smdb_subscription sub;
    struct smdb_profile_type pt;
    json_t *m, *addr;
    int rc;

    if (!x->result) {
        smdp_session_drop(a, x->o->id); /* the keys and the package are not needed any more */
        rc = smdb_subscription_get(a->db, x->o->iccid, &sub);
        if (rc)
            return rc;
        rc = smdb_profile_type_get(a->db, sub.mno_id, sub.profile_type, &pt);
        if (rc) {
            smdb_subscription_free(&sub);
            return rc;
        }
        addr = json_pack("{s:s}", "imsi", sub.imsi);
        /* MSISDNType: E.164 digits without '+' */
        if (addr && sub.msisdn[0])
            json_object_set_new(addr, "msisdn", json_string(sub.msisdn + (sub.msisdn[0] == '+')));
        m = json_pack("{s:s, s:s, s:o}", "iccid", x->o->iccid, "profileType", sub.profile_type,
                      "subscriptionAddress", addr);
        if (m && pt.pol2) {
            /* the type keeps the rule array; ES3 carries it as {"rule": [...]} */
            json_t *rules = json_loads(pt.pol2, 0, NULL);

            json_object_set_new(m, "pol2",
                                json_is_array(rules) ? json_pack("{s:o}", "rule", rules) : rules);
        }
        smdb_profile_type_free(&pt);
        smdb_subscription_free(&sub);
        return smdp_run_call(x, "profileDownloadCompleted", m);
    }
    if (x->rs.status != SM_EXEC_SUCCESS && x->rs.status != SM_EXEC_WARNING)
        return cleanup(x, &x->rs);
    set_sub_state(x, "downloading", "installed");
    smdp_run_progress(x, "installed");
    if (json_is_true(json_object_get(x->params, "enableProfile")))
        return smdp_run_goto(x, "enable");
    x->out = json_pack("{s:s}", "iccid", x->o->iccid);
    atomic_fetch_add(&a->stats.downloads_ok, 1);
    return SMDP_STEP_DONE;
}

static int step_enable(struct smdp_run *x)
{
    if (!x->result)
        return smdp_run_call(x, "enableProfile", json_pack("{s:s}", "iccid", x->o->iccid));
    x->out = json_pack("{s:s}", "iccid", x->o->iccid);
    atomic_fetch_add(&x->a->stats.downloads_ok, 1);
    if (x->rs.status == SM_EXEC_SUCCESS || x->rs.status == SM_EXEC_WARNING) {
        set_sub_state(x, "installed", "enabled");
        return SMDP_STEP_DONE;
    }
    /* installed, not enabled: a warning, not a failure (7.2 step 7) */
    sm_status_set(&x->st, SM_EXEC_WARNING, 200, x->rs.subject, x->rs.reason, x->o->iccid,
                  "installed, but not enabled: %s", x->rs.message);
    return SMDP_STEP_DONE;
}

static int step_cleanup(struct smdp_run *x)
{
    bool deleted = x->rs.status == SM_EXEC_SUCCESS || x->rs.status == SM_EXEC_WARNING;

    if (deleted && json_is_true(json_object_get(x->params, "again"))) {
        json_object_del(x->params, "again");
        json_object_del(x->params, "failure");
        json_object_del(x->params, "isdpAid");
        set_sub_state(x, "downloading", "allocated");
        return smdp_run_goto(x, "eis");
    }
    smdp_status_load(x->params, "failure", &x->st);
    if (deleted) {
        release_sub(x);
    } else {
        size_t n = strlen(x->st.message);

        /* the ISD-P stays: the ICCID cannot be used again until it is gone */
        snprintf(x->st.message + n, sizeof(x->st.message) - n,
                 "; its ISD-P could not be deleted: %s", x->rs.message);
    }
    atomic_fetch_add(&x->a->stats.downloads_failed, 1);
    return SMDP_STEP_DONE;
}

static const struct {
    const char *name;
    int (*fn)(struct smdp_run *x);
} steps[] = {
    {"eis", step_eis},         {"stale", step_stale},         {"create", step_create},
    {"key0", step_key0},       {"key1", step_key1},           {"auth", step_auth},
    {"load", step_load},       {"token0", step_token0},       {"token1", step_token1},
    {"token2", step_token2},   {"completed", step_completed}, {"enable", step_enable},
    {"cleanup", step_cleanup},
};

static int step(struct smdp_run *x)
{
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (!strcmp(steps[i].name, x->o->step)) {
            /* steps past "eis" only run with the answer of the call they made */
            if (!x->result && i > 0 && steps[i].fn != step_create && steps[i].fn != step_key0 &&
                steps[i].fn != step_token0 && steps[i].fn != step_completed &&
                steps[i].fn != step_enable)
                return restart(x);
            return steps[i].fn(x);
        }
    return -EINVAL;
}

const struct smdp_order_fn smdp_fn_download_profile = {
    .name = "es2.downloadProfile", .first = "eis", .step = step};
