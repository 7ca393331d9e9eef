/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES7.HandoverEUICC (SGP.02 5.x; sgp02-architecture 7.8 steps 3-7) at the new SM-SR: the current
 * SM-SR hands over the EIS (no key values). Accepted against this SM-SR's consent
 * (PrepareSMSRChange) once the EUM's signature and CERT.ECASD.ECKA verify up to a trusted CI;
 * the card is stored locked. Then, as steps of the operation:
 *   auth     ES7.AuthenticateSMSR(CERT.SR.ECDSA) at the current SM-SR -> the card's challenge;
 *   keyset   an ephemeral key pair, ShS with PK.ECASD.ECKA, the SCP80 key set derived and stored
 *            wrapped, block 1 signed with SK.SR.ECDSA; ES7.CreateAdditionalKeySet -> receipt,
 *            compared with ours: from here the card is ours (step 5);
 *   finalise FinaliseISDRhandover with the new keys (the old SM-SR's key sets deleted) and, if
 *            configured, this SM-SR's SMS address for the card's notifications and, for a card
 *            that supports HTTPS, an SCP81 key set of this SM-SR (create_scp81_key_set.c).
 * The answer goes to the current SM-SR (which then forgets the card) and every MNO and SM-DP
 * with a profile on the card hears HandleSMSRChangeNotification. A failure before the receipt
 * matched leaves nothing here; after it, the change stands and ends Executed-WithWarning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create_scp81_key_set.h"
#include "eis_codec.h"
#include "eis_lookup.h"
#include "sm/eis_verify.h"
#include "es5_engine.h"
#include "es7_peer.h"
#include "handlers.h"
#include "isdr_keys.h"
#include "sm/es8.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/log.h"
#include "sm/rng.h"
#include "sm/secret.h"
#include "smdb/smsr_store.h"

static int set_params(struct smdb_op *op, json_t *p)
{
    char *text = json_dumps(p, JSON_COMPACT);

    if (!text)
        return -ENOMEM;
    free(op->params);
    op->params = text;
    return 0;
}

/* Nothing was taken over: the card and any key set made for it leave this SM-SR. */
static int abandon(struct smsr_app *a, struct smdb_op *op, struct smsr_es5_result *r,
                   const char *why)
{
    SM_LOGW(SM_LOG_API, op->eid, "SM-SR change from %s abandoned: %s", op->requester, why);
    smdb_eis_forget(a->db, op->eid, op->requester, "SM-SR change abandoned", why, sm_wall_ms());
    (void)r;
    return SMSR_STEP_DONE;
}

/* POST to the current SM-SR, the call's identity stored first (a restart repeats it). */
static int call_peer(struct smsr_app *a, struct sm_http_client *http, struct smdb_op *op, json_t *p,
                     const char *phase, const char *function, json_t *members,
                     struct smsr_es5_result *r)
{
    char call_id[SM_ID_MAX + 1], err[300] = "";
    json_t *answer = NULL;
    int rc;

    snprintf(call_id, sizeof(call_id), "%s-%lld-%s", phase, (long long)op->id, op->eid);
    json_object_set_new(p, "phase", json_string(phase));
    json_object_set_new(p, "peer", json_string(op->requester));
    json_object_set_new(p, "peerCall", json_string(call_id));
    rc = set_params(op, p);
    if (!rc)
        rc = smdb_op_update(a->db, op);
    if (rc) {
        json_decref(members);
        return rc;
    }
    rc = smsr_peer_call(a, http, op->requester, function, call_id, members, &answer, &r->st, err,
                        sizeof(err));
    json_decref(answer);
    if (rc == 1) {
        char msg[sizeof(r->st.message)];

        snprintf(msg, sizeof(msg), "%s", r->st.message);
        sm_status_fail(&r->st, 200, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR, op->requester,
                       "the current SM-SR refused %s: %s", function, msg);
        return abandon(a, op, r, r->st.message);
    }
    if (rc < 0) {
        SM_LOGW(SM_LOG_API, op->eid, "%s at %s: %s", function, op->requester, err);
        return rc;
    }
    op->next_ms = sm_wall_ms() + 3000;
    return SMSR_STEP_WAIT;
}

static int start_auth(struct smsr_app *a, struct sm_http_client *http, struct smdb_op *op,
                      json_t *p, struct smsr_es5_result *r)
{
    char hex[2 * sizeof(a->sr_cert) + 1];
    struct smdb_eis e;
    json_t *eis;
    int rc = smdb_eis_get(a->db, op->eid, &e);

    if (rc)
        return rc;
    /* the card is named by the EIS as it was handed over (GSMA ES7 XSD) */
    eis = smsr_eis_view(&e, SMSR_VIEW_FULL, op->requester, op->requester);
    smdb_eis_free(&e);
    if (!eis)
        return -ENOMEM;
    sm_hex_encode_upper(a->sr_cert, a->sr_cert_len, hex);
    return call_peer(a, http, op, p, "auth", "authenticateSMSR",
                     json_pack("{s:o, s:s}", "eis", eis, "smsrCertificate", hex), r);
}

/* ES7.CreateAdditionalKeySet's members from what start_keyset stored. HostId is mandatory in
 * the XSD; with scenario bit 04 clear it does not enter the key set (es8 spec 1.2). */
static json_t *key_set_members(const struct smdb_op *op, const json_t *p)
{
    return json_pack("{s:s, s:O, s:i, s:s, s:O, s:s, s:s, s:s}", "eid", op->eid, "keyVersionNumber",
                     json_object_get(p, "kvn"), "initialSequenceCounter", 0, "eccKeyLength",
                     "ECC-256", "scenarioParameter", json_object_get(p, "scenario"), "hostId",
                     sm_json_str(p, "hostId"), "ephemeralPublicKey", sm_json_str(p, "epk"),
                     "signature", sm_json_str(p, "signature"));
}

/* Step 4: our key set for the card, block 1 signed over the card's challenge. */
static int start_keyset(struct smsr_app *a, struct sm_http_client *http, struct smdb_op *op,
                        json_t *p, const char *rc_hex, struct smsr_es5_result *r)
{
    const char *pk_hex = sm_json_str(p, "ecasdPk");
    uint8_t pk[SM_EC_PUB_MAX], epk[SM_EC_PUB_MAX], chal[32], shs[SM_EC_FIELD_MAX], info[8],
        receipt[16];
    char epk_hex[2 * SM_EC_PUB_MAX + 1], sig_hex[4 * SM_EC_FIELD_MAX + 1], receipt_hex[33],
        label[96], host_hex[33];
    uint8_t host[16];
    size_t epklen = sizeof(epk), infolen = sizeof(info), fs = sm_curve_field_size(a->sr_curve);
    ssize_t pklen = pk_hex ? sm_hex_decode(pk_hex, pk, sizeof(pk)) : -1,
            chlen = sm_hex_decode(rc_hex, chal, sizeof(chal));
    struct sm_buf crt_tlv = SM_BUF_INIT, block = SM_BUF_INIT, w = SM_BUF_INIT;
    struct sm_secret *esk = NULL, *plain = NULL;
    struct sm_es8_keys keys;
    struct sm_es8_crt crt;
    struct smdb_keyset ks;
    unsigned kvn = smsr_free_kvn(json_object_get(p, "oldSets"), 0x01, 0x0F);
    int rc;

    memset(&keys, 0, sizeof(keys));
    if (pklen <= 0 || chlen <= 0) {
        sm_status_fail(&r->st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "no card key or challenge to establish a key set with");
        return abandon(a, op, r, r->st.message);
    }
    if (!kvn) {
        sm_status_fail(&r->st, 200, SM_SUBJ_ISDR, SM_RSN_INSUFFICIENT_MEMORY, op->eid,
                       "the card holds SCP80 key sets 01-0F already");
        return abandon(a, op, r, r->st.message);
    }
    rc = smsr_es7_key_set_crt(kvn, 0, (unsigned)a->cfg->es7_scenario, &crt);
    if (!rc)
        rc = sm_es8_crt_encode(&crt, &crt_tlv);
    if (!rc)
        rc = sm_ec_keygen(a->sr_curve, &sm_rng_system, &esk, epk, &epklen);
    if (!rc)
        rc = sm_ecdh(a->sr_curve, esk->data, esk->len, pk, (size_t)pklen, shs, fs);
    if (!rc)
        rc = sm_es8_shared_info(&crt, info, &infolen);
    if (!rc)
        rc = sm_es8_derive(shs, fs, info, infolen, &keys);
    if (!rc)
        rc = sm_es8_receipt(keys.receipt_key, crt_tlv.data, crt_tlv.len, NULL, 0, receipt);
    if (!rc)
        rc = sm_es8_block1_data(&crt, a->sr_curve, epk, epklen, SM_ES8_EPK_RAW, a->sr_key->data,
                                a->sr_key->len, chal, (size_t)chlen, &block);
    sm_wipe(shs, sizeof(shs));
    sm_secret_free(esk);
    /* the key set (KIc, KID, KIK = K-ENC, K-MAC, K-DEK, es8 spec 1.4), wrapped as ES1's */
    if (!rc) {
        const uint8_t *k[3] = {keys.k_enc, keys.k_mac, keys.k_dek};

        plain = sm_secret_new(3 * 19);
        rc = plain ? 0 : -ENOMEM;
        for (unsigned i = 0; !rc && i < 3; i++) {
            plain->data[19 * i] = (uint8_t)(i + 1);
            plain->data[19 * i + 1] = 0x88;
            plain->data[19 * i + 2] = 16;
            memcpy(plain->data + 19 * i + 3, k[i], 16);
        }
    }
    sm_es8_keys_clear(&keys);
    if (!rc) {
        plain->len = 3 * 19;
        snprintf(label, sizeof(label), "smsr:isdr:%s:SCP80:%u", op->eid, kvn);
        rc = sm_keystore_wrap(a->ks, &sm_rng_system, label, plain, &w);
    }
    sm_secret_free(plain);
    if (!rc) {
        memset(&ks, 0, sizeof(ks));
        snprintf(ks.type, sizeof(ks.type), "SCP80");
        ks.kvn = kvn;
        ks.nkeys = 3;
        ks.wrapped = w.data;
        ks.wrapped_len = w.len;
        rc = smdb_keyset_put(a->db, op->eid, &ks);
    }
    sm_buf_free(&w);
    if (rc) {
        sm_buf_free(&crt_tlv);
        sm_buf_free(&block);
        return rc;
    }
    sm_hex_encode_upper(epk, epklen, epk_hex);
    /* the signature is the last 2 * field-size bytes of block 1 (5F37 closes it) */
    sm_hex_encode_upper(block.data + block.len - 2 * fs, 2 * fs, sig_hex);
    sm_hex_encode_upper(receipt, sizeof(receipt), receipt_hex);
    sm_rng_bytes(&sm_rng_system, host, sizeof(host));
    sm_hex_encode_upper(host, sizeof(host), host_hex);
    sm_buf_free(&crt_tlv);
    sm_buf_free(&block);
    json_object_set_new(p, "kvn", json_integer(kvn));
    json_object_set_new(p, "receipt", json_string(receipt_hex));
    json_object_set_new(p, "epk", json_string(epk_hex));
    json_object_set_new(p, "signature", json_string(sig_hex));
    /* xs:byte */
    json_object_set_new(p, "scenario", json_integer((int8_t)a->cfg->es7_scenario));
    json_object_set_new(p, "hostId", json_string(host_hex));
    return call_peer(a, http, op, p, "keyset", "createAdditionalKeySet", key_set_members(op, p), r);
}

/* 3A07 A3 81: the SM-SR's SMS address as WHTY coded it (number of digits, TON/NPI, swapped
 * BCD; es5 spec open question 7) [?]. */
static size_t address_bytes(const char *addr, uint8_t *out, size_t max)
{
    const char *d = addr[0] == '+' ? addr + 1 : addr;
    size_t n = strlen(d), len = 2 + (n + 1) / 2;

    if (!n || n > 20 || len > max || d[strspn(d, "0123456789")])
        return 0;
    out[0] = (uint8_t)n;
    out[1] = addr[0] == '+' ? 0x91 : 0x81;
    memset(out + 2, 0xFF, len - 2);
    for (size_t i = 0; i < n; i++) {
        uint8_t v = (uint8_t)(d[i] - '0');

        out[2 + i / 2] = i % 2 ? (uint8_t)((out[2 + i / 2] & 0x0F) | v << 4)
                               : (uint8_t)((out[2 + i / 2] & 0xF0) | v);
    }
    return len;
}

/* An SCP81 key set for a card that supports HTTPS, when configured; the script's index of its
 * command and what checks the answer go into params. */
static int scp81_block(struct smsr_app *a, const struct smdb_op *op, json_t *p,
                       struct sm_buf *block)
{
    struct smdb_eis e;
    json_t *pending;
    bool http;
    int rc;

    if (!a->cfg->es7_scp81_key_set || smdb_eis_get(a->db, op->eid, &e))
        return 0;
    http = e.http_support;
    smdb_eis_free(&e);
    if (!http)
        return 0;
    pending = json_object();
    if (!pending)
        return -ENOMEM;
    rc = smsr_scp81_key_set_block(a, op->eid, json_object_get(p, "oldSets"),
                                  sm_json_str(p, "ecasdPk"), pending, block);
    if (rc) {
        /* the change goes on without it: the card stays reachable by SMS */
        SM_LOGW(SM_LOG_API, op->eid, "no SCP81 key set offered to the card (%d)", rc);
        json_decref(pending);
        sm_buf_free(block);
        return 0;
    }
    json_object_set_new(p, "scp81", pending);
    return 0;
}

/* Step 5 passed: the card is ours. Step 6: the finalisation script. */
static int start_finalise(struct smsr_app *a, struct smdb_op *op, json_t *p)
{
    const json_t *sets = json_object_get(p, "oldSets"), *s;
    struct smsr_keyset_ref refs[16];
    struct sm_buf script = SM_BUF_INIT, ks81 = SM_BUF_INIT;
    uint8_t addr[16];
    size_t n = 0, addrlen = 0, i;
    int rc;

    json_array_foreach(sets, i, s) {
        const char *type = json_string_value(json_array_get(s, 1));

        if (n == 16)
            break;
        refs[n].kvn = (uint8_t)json_integer_value(json_array_get(s, 0));
        refs[n].first_kid = 0x01;
        refs[n].last_kid = type && !strcmp(type, "SCP81") ? 0x02 : 0x03;
        n++;
    }
    if (a->cfg->es7_update_address)
        addrlen = address_bytes(a->cfg->es5_address, addr, sizeof(addr));
    rc = scp81_block(a, op, p, &ks81);
    if (!rc)
        rc = smsr_es5_finalise_handover_command(refs, n, addrlen ? addr : NULL, addrlen,
                                                ks81.len ? ks81.data : NULL, ks81.len, &script);
    sm_buf_free(&ks81);
    if (rc)
        return rc;
    /* the SCP81 block's answer comes after the deletion's and the address's */
    if (json_object_get(p, "scp81"))
        json_object_set_new(json_object_get(p, "scp81"), "index", json_integer(addrlen ? 2 : 1));
    json_object_set_new(p, "phase", json_string("finalise"));
    json_object_del(p, "peerCall");
    rc = set_params(op, p);
    if (rc) {
        sm_buf_free(&script);
        return rc;
    }
    smdb_handover_complete(a->db, op->eid, sm_wall_ms());
    smdb_eis_audit(a->db, op->eid, a->cfg->base.id, "ISD-R key set established",
                   json_string_value(json_object_get(p, "receipt")), sm_wall_ms());
    free(op->script);
    op->script = script.data;
    op->script_len = script.len;
    SM_LOGI(SM_LOG_API, op->eid, "key set %lld established with the card: it is managed here now",
            (long long)json_integer_value(json_object_get(p, "kvn")));
    return SMSR_STEP_SCRIPT;
}

static int step(struct smsr_app *a, struct sm_http_client *http, struct smdb_op *op,
                struct smsr_es5_result *r)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL), *resp = NULL;
    const char *phase = sm_json_str(p, "phase"), *peer_call = sm_json_str(p, "peerCall");
    int64_t now = sm_wall_ms();
    char err[300] = "";
    int rc;

    if (!p)
        return -ENOMEM;
    if (now >= op->deadline_ms) {
        sm_status_set(&r->st, SM_EXEC_EXPIRED, 200, SM_SUBJ_SMSR, SM_RSN_TTL_EXPIRED, op->requester,
                      "the key establishment with the card did not end in time");
        rc = abandon(a, op, r, "expired");
        goto out;
    }
    if (!phase) {
        rc = start_auth(a, http, op, p, r);
        goto out;
    }
    rc = smsr_peer_result(a, http, op->requester, peer_call, &resp, err, sizeof(err));
    if (rc == -ENOENT) {
        /* the current SM-SR never got our call: make it again */
        rc = !strcmp(phase, "auth") ? start_auth(a, http, op, p, r)
                                    : call_peer(a, http, op, p, "keyset", "createAdditionalKeySet",
                                                key_set_members(op, p), r);
        goto out;
    }
    if (rc || !resp) {
        if (rc)
            SM_LOGW(SM_LOG_API, op->eid, "result of %s at %s: %s", phase, op->requester, err);
        op->next_ms = now + 3000;
        rc = rc ? rc : SMSR_STEP_WAIT;
        goto out;
    }
    smsr_peer_status(resp, &r->st);
    if (r->st.status != SM_EXEC_SUCCESS && r->st.status != SM_EXEC_WARNING) {
        char msg[sizeof(r->st.message)];

        snprintf(msg, sizeof(msg), "%s", r->st.message);
        if (!strcmp(phase, "keyset"))
            smdb_keyset_delete(a->db, op->eid, "SCP80",
                               (unsigned)json_integer_value(json_object_get(p, "kvn")));
        sm_status_fail(&r->st, 200, !strcmp(phase, "auth") ? SM_SUBJ_SMSR_CERT : SM_SUBJ_ISDR,
                       SM_RSN_VERIFICATION_FAILED, op->eid, "%s through %s failed: %s",
                       !strcmp(phase, "auth") ? "AuthenticateSMSR" : "CreateAdditionalKeySet",
                       op->requester, msg);
        rc = abandon(a, op, r, msg);
        goto out;
    }
    sm_status_ok(&r->st);
    if (!strcmp(phase, "auth")) {
        const char *chal = sm_json_str(resp, "randomChallenge");

        rc = chal && !smsr_valid_hex_data(chal) ? start_keyset(a, http, op, p, chal, r) : -EPROTO;
    } else {
        const char *got = sm_json_str(resp, "receipt"), *want = sm_json_str(p, "receipt");

        if (!got || !want || strcasecmp(got, want)) {
            smdb_keyset_delete(a->db, op->eid, "SCP80",
                               (unsigned)json_integer_value(json_object_get(p, "kvn")));
            sm_status_fail(&r->st, 200, SM_SUBJ_ISDR, SM_RSN_VERIFICATION_FAILED, op->eid,
                           "the card's receipt does not match the key set derived here");
            rc = abandon(a, op, r, r->st.message);
        } else {
            rc = start_finalise(a, op, p);
        }
    }
out:
    json_decref(resp);
    json_decref(p);
    return rc;
}

/* The ISD-R's key sets as they are now: ours added, the previous SM-SR's gone when the card
 * deleted them. */
static void update_isdr(struct smsr_app *a, const struct smdb_op *op, struct smdb_eis *e,
                        bool finalised, unsigned kvn81)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    json_t *isdr = json_loads(e->isdr ? e->isdr : "{}", 0, NULL);
    json_t *sets = json_object_get(isdr, "keyset"), *ks;
    json_int_t kvn = json_integer_value(json_object_get(p, "kvn"));
    char *text;
    size_t i;

    if (!json_is_array(sets) || !kvn) {
        json_decref(p);
        json_decref(isdr);
        return;
    }
    for (i = 0; finalised && i < json_array_size(sets);) {
        const char *type = sm_json_str(json_array_get(sets, i), "type");

        if (type && (!strcmp(type, "SCP80") || !strcmp(type, "SCP81")))
            json_array_remove(sets, i);
        else
            i++;
    }
    ks = json_pack("{s:I, s:s}", "version", kvn, "type", "SCP80");
    json_array_append_new(sets, ks);
    if (kvn81)
        json_array_append_new(sets,
                              json_pack("{s:i, s:s}", "version", (int)kvn81, "type", "SCP81"));
    text = json_dumps(isdr, JSON_COMPACT);
    if (!text || smdb_eis_set_isdr(a->db, op->eid, text, sm_wall_ms())) {
        SM_LOGE(SM_LOG_DB, op->eid, "the ISD-R's key sets could not be updated");
        free(text);
    } else {
        /* the EIS in hand says what was stored (the notifications show it) */
        free(e->isdr);
        e->isdr = text;
    }
    json_decref(p);
    json_decref(isdr);
}

/* The change stands (with or without the finalisation): the card takes operations here, and
 * the MNOs and SM-DPs of its profiles hear it (sgp02 7.8 step 7). */
static void taken_over(struct smsr_app *a, const struct smdb_op *op, bool finalised, unsigned kvn81)
{
    int64_t now = sm_wall_ms();
    struct smdb_eis e;
    char ts[32], id[64 + SM_ID_MAX + 32];

    smdb_eis_set_state(a->db, op->eid, "registered", op->requester, "taken over by SM-SR change",
                       op->requester, now);
    if (smdb_eis_get(a->db, op->eid, &e))
        return;
    update_isdr(a, op, &e, finalised, kvn81);
    sm_rfc3339(now, ts);
    for (size_t i = 0; i < e.nprofiles; i++) {
        const struct smdb_profile *p = &e.profiles[i];
        bool seen = false;

        for (size_t j = 0; j < i; j++)
            seen |= !strcmp(e.profiles[j].mno_id, p->mno_id) &&
                    !strcmp(e.profiles[j].smdp_id, p->smdp_id);
        if (seen)
            continue;
        for (int to_smdp = 0; to_smdp < 2; to_smdp++) {
            const char *target = to_smdp ? p->smdp_id : p->mno_id;
            json_t *m;
            char *text;

            if (!target[0])
                continue;
            snprintf(id, sizeof(id), "SMSRChange-%s-%lld-%zu-%d", op->eid, (long long)now, i,
                     to_smdp);
            m = json_pack("{s:o, s:o, s:s}", "header", sm_req_header_build(a->cfg->base.id, id, 0),
                          "eis",
                          smsr_eis_view(&e, to_smdp ? SMSR_VIEW_SMDP : SMSR_VIEW_MNO, target,
                                        a->cfg->base.id),
                          "completionTimestamp", ts);
            if (m && to_smdp)
                json_object_set_new(m, "mnoId", json_string(p->mno_id));
            text = m ? json_dumps(m, JSON_COMPACT) : NULL;
            if (!text || smdb_outbox_add(a->db, target,
                                         to_smdp ? "es3/handleSMSRChangeNotification"
                                                 : "es4/handleSMSRChangeNotification",
                                         text, op->eid, now))
                SM_LOGE(SM_LOG_DB, op->eid, "SM-SR change notification for %s not queued", target);
            free(text);
            json_decref(m);
        }
    }
    /* and the previous SM-SR, whose SMSRChange waits for it (ES7) */
    {
        json_t *m;
        char *text;

        snprintf(id, sizeof(id), "SMSRChange-%s-%lld-sr", op->eid, (long long)now);
        m = json_pack("{s:o, s:o, s:s}", "header", sm_req_header_build(a->cfg->base.id, id, 0),
                      "eis", smsr_eis_view(&e, SMSR_VIEW_FULL, op->requester, a->cfg->base.id),
                      "completionTimestamp", ts);
        text = m ? json_dumps(m, JSON_COMPACT) : NULL;
        if (!text || smdb_outbox_add(a->db, op->requester, "es7/handleSMSRChangeNotification", text,
                                     op->eid, now))
            SM_LOGE(SM_LOG_DB, op->eid, "SM-SR change notification for %s not queued",
                    op->requester);
        free(text);
        json_decref(m);
    }
    smdb_eis_free(&e);
}

static int answer(struct smsr_app *a, const struct smdb_op *op, const struct smsr_es5_answer *ans,
                  struct smsr_es5_result *r)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    const json_t *pending = json_object_get(p, "scp81");
    unsigned at81 = pending ? (unsigned)json_integer_value(json_object_get(pending, "index"))
                            : SMSR_ES5_MAX_RAPDU;
    bool ok = ans->n >= 1 && ans->r[0].sw == 0x9000;
    unsigned kvn81 = 0;
    char why[200] = "";

    for (unsigned i = 1; i < ans->n && i < at81; i++)
        ok &= ans->r[i].sw == 0x9000;
    if (pending && ok && at81 < ans->n) {
        if (!smsr_scp81_key_set_answer(a, op->eid, pending, ans->r[at81].sw, ans->r[at81].data,
                                       ans->r[at81].len, why, sizeof(why)))
            kvn81 = (unsigned)json_integer_value(json_object_get(pending, "kvn"));
    } else if (pending && ok) {
        snprintf(why, sizeof(why), "the card did not run the SCP81 key set command");
    }
    if (!ok) {
        /* step 5 passed: the change stands, with what is left undone said (never Failed) */
        sm_status_set(&r->st, SM_EXEC_WARNING, 200, SM_SUBJ_ISDR, SM_RSN_EXECUTION_ERROR, op->eid,
                      "the card is managed here now, but FinaliseISDRhandover was refused "
                      "(SW %04X): the previous SM-SR's key sets remain",
                      ans->n ? ans->r[ans->n - 1].sw : 0x6F00);
        smsr_es5_response_data(r, op);
    } else if (why[0]) {
        sm_status_set(&r->st, SM_EXEC_WARNING, 200, SM_SUBJ_ISDR, SM_RSN_EXECUTION_ERROR, op->eid,
                      "the card is managed here now, but without an SCP81 key set of this SM-SR "
                      "(%s): it is reached by SMS",
                      why);
        SM_LOGW(SM_LOG_API, op->eid, "%s", why);
    }
    json_decref(p);
    taken_over(a, op, ok, kvn81);
    return 0;
}

static void expired(struct smsr_app *a, const struct smdb_op *op, struct sm_status *st)
{
    sm_status_set(st, SM_EXEC_WARNING, 200, SM_SUBJ_ISDR, SM_RSN_TTL_EXPIRED, op->eid,
                  "the card is managed here now, but did not answer FinaliseISDRhandover: the "
                  "previous SM-SR's key sets may remain");
    taken_over(a, op, false, 0);
}

const struct smsr_es5_fn smsr_fn_handover_euicc = {.name = "handoverEUICC",
                                                   .check = smsr_checked_at_acceptance,
                                                   .answer = answer,
                                                   .step = step,
                                                   .expired = expired,
                                                   .while_locked = true};

const struct sm_json_field smsr_handover_euicc_body[] = {
    {"eis", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_EIS, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

/* 7.8 Retry: the previous SM-SR timed out after the card's receipt matched here and hands the
 * card over again. The card is ours already: steps 3-5 are skipped and the answer is a warning,
 * on which the previous SM-SR forgets the card. */
static bool retried(struct smsr_app *a, const struct sm_api_call *call,
                    const struct smdb_handover *h, struct sm_status *st)
{
    struct smdb_eis e;
    char ts[32];

    if (!h->completed_ms || strcmp(h->from_smsr, call->caller->id) ||
        smdb_eis_get(a->db, h->eid, &e))
        return false;
    smdb_eis_free(&e);
    sm_rfc3339(h->completed_ms, ts);
    sm_status_set(st, SM_EXEC_WARNING, 200, SM_SUBJ_EID, SM_RSN_ALREADY_IN_USE, h->eid,
                  "the card was taken over already (its key set established here at %s): a "
                  "retried handover",
                  ts);
    smdb_eis_audit(a->db, h->eid, call->caller->id, "SM-SR change retried",
                   "answered from the completed change", call->now_ms);
    SM_LOGI(SM_LOG_API, h->eid, "%s hands the card over again: taken over already at %s",
            call->caller->name, ts);
    return true;
}

int smsr_es7_handover_euicc(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    struct smsr_app *a = call->app;
    struct smsr_eis_in in;
    struct sm_eum_signer eum;
    struct smdb_handover h;
    uint8_t cert[2048], pk[65];
    size_t pklen = sizeof(pk);
    char pk_hex[2 * sizeof(pk) + 1];
    json_t *params = NULL, *sets;
    ssize_t certlen;
    int rc;

    (void)out;
    if (smsr_cannot_take_over(a, st))
        return SM_API_DONE;
    rc = smsr_eis_decode_handover(json_object_get(call->request, "eis"), &in, st);
    if (rc)
        goto out;
    rc = smdb_handover_get(a->db, in.eid, &h);
    if (!rc && retried(a, call, &h, st))
        goto out;
    if (rc == -ENOENT ||
        (!rc && (strcmp(h.from_smsr, call->caller->id) || h.expires_ms < call->now_ms))) {
        rc = 0;
        sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_NOT_ALLOWED, in.eid,
                       "no change of this card from the calling SM-SR was prepared here (or the "
                       "consent expired)");
        goto out;
    }
    if (rc)
        goto out;
    /* the consent counts when it came from an operator of the card (a profile's MNO) */
    {
        bool mno = false;

        for (size_t i = 0; i < in.eis.nprofiles; i++)
            mno |= !strcmp(in.eis.profiles[i].mno_id, h.mno_id);
        if (!mno) {
            sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_NOT_ALLOWED, in.eid,
                           "the change was prepared by %s, which has no profile on the card",
                           h.mno_id);
            goto out;
        }
    }
    /* step 3: the card is what its EUM says, up to a CI this SM-SR trusts */
    if (!a->trust) {
        sm_status_fail(st, 200, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, NULL,
                       "no trusted CI configured (es1.ci_certs): the EIS cannot be verified");
        goto out;
    }
    rc = sm_eis_verify_eum_signature(a->trust, in.signed_info, in.eum_signature,
                                     call->now_ms / 1000, &eum, st);
    if (rc)
        goto out;
    certlen = sm_hex_decode(in.ecasd_cert_hex, cert, sizeof(cert));
    rc = certlen > 0 ? sm_eis_verify_ecasd_cert(cert, (size_t)certlen, in.eid, &eum,
                                                sm_today(call->now_ms), pk, &pklen, st)
                     : -EKEYREJECTED;
    if (rc == -EKEYREJECTED && certlen <= 0)
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_INVALID, in.eid,
                       "the ECASD certificate is too long");
    if (rc)
        goto out;
    /* the old SM-SR's key sets, to be deleted once ours works */
    sets = json_array();
    for (size_t i = 0; sets && i < in.nkeysets; i++)
        json_array_append_new(sets,
                              json_pack("[i, s]", (int)in.keysets[i].kvn, in.keysets[i].type));
    sm_hex_encode_upper(pk, pklen, pk_hex);
    params = json_pack("{s:s, s:o}", "ecasdPk", pk_hex, "oldSets", sets);
    snprintf(in.eis.state, sizeof(in.eis.state), "locked");
    rc = params ? smsr_eis_store(a, &in.eis, NULL, 0, call->caller->id, call->now_ms, st) : -ENOMEM;
    if (rc == 1) {
        rc = 0;
        goto out;
    }
    if (rc)
        goto out;
    rc = smsr_es5_accept(call, &smsr_fn_handover_euicc, in.eid, NULL, params, st);
    params = NULL;
    if (rc != SM_API_ACCEPTED)
        smdb_eis_forget(a->db, in.eid, call->caller->id, "handover not accepted", NULL,
                        call->now_ms);
    smsr_eis_in_free(&in);
    return rc;
out:
    json_decref(params);
    smsr_eis_in_free(&in);
    sm_wipe(cert, sizeof(cert));
    return rc == -ENOMEM || rc == -EIO ? rc : SM_API_DONE;
}
