/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES1.RegisterEIS (SGP.02 5.2; sgp02-architecture 4.1, 7.1): an EUM registers a card it made.
 * The SM-SR checks that the EIS is meant for it and comes from the calling EUM, verifies the
 * EUM's signature and certificate up to a trusted CI and CERT.ECASD.ECKA, unwraps the ISD-R key
 * values with the EUM's transport key (each checked against its KCV), wraps them under its own
 * KEK and stores the EIS. The EID and the ICCIDs must be new to the registry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eis_codec.h"
#include "eis_lookup.h"
#include "sm/eis_verify.h"
#include "handlers.h"
#include "sm/cipher.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/log.h"

const struct sm_json_field smsr_es1_register_eis_body[] = {
    {"eis", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_EIS, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

/* Decipher one key value with the EUM's transport key and check its KCV. */
static int unwrap_key(const struct smsr_transport_key *tk, const struct smsr_eis_key *k,
                      uint8_t *out)
{
    static const uint8_t zero[16];
    uint8_t kcv[3];
    int rc = 0;

    if (tk->cbc) {
        rc = sm_aes_cbc(false, tk->key, 16, zero, k->enc, k->len, out);
    } else {
        /* ECB: each block on its own (a CBC decryption with a zero IV per block) */
        for (size_t off = 0; !rc && off < k->len; off += 16)
            rc = sm_aes_cbc(false, tk->key, 16, zero, k->enc + off, 16, out + off);
    }
    if (!rc)
        rc = k->type == 0x80 ? sm_kcv_des(out, k->len, kcv) : sm_kcv_aes(out, k->len, kcv);
    if (!rc && memcmp(kcv, k->kcv, 3))
        rc = -EKEYREJECTED;
    sm_wipe(kcv, sizeof(kcv));
    return rc;
}

/* Every key set: unwrap with the transport key, wrap for the store under our KEK. Blob
 * plaintext: per key index (1) | type (1) | length (1) | value. */
static int rewrap_keysets(const struct smsr_app *a, const struct smsr_eis_in *in,
                          struct smdb_keyset *out, struct sm_status *st)
{
    const struct smsr_transport_key *tk = smsr_transport_key(a, in->eum_id);
    bool scp80 = false;

    if (!tk && in->nkeysets) {
        sm_status_fail(st, 200, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, in->eum_id,
                       "no transport key agreed with EUM %s (es1.transport_keys)", in->eum_id);
        return -EKEYREJECTED;
    }
    for (size_t i = 0; i < in->nkeysets; i++) {
        const struct smsr_eis_keyset *ks = &in->keysets[i];
        struct sm_secret *plain = sm_secret_new(ks->nkeys * 35);
        char label[96];
        size_t n = 0;
        int rc = plain ? 0 : -ENOMEM;

        for (size_t j = 0; !rc && j < ks->nkeys; j++) {
            plain->data[n++] = (uint8_t)ks->keys[j].index;
            plain->data[n++] = ks->keys[j].type;
            plain->data[n++] = (uint8_t)ks->keys[j].len;
            rc = unwrap_key(tk, &ks->keys[j], plain->data + n);
            n += ks->keys[j].len;
            if (rc == -EKEYREJECTED)
                sm_status_fail(st, 200, SM_SUBJ_ISDR, SM_RSN_VERIFICATION_FAILED, in->eid,
                               "isdR %s key set %u key %u: the KCV does not match (wrong "
                               "transport key?)",
                               ks->type, ks->kvn, ks->keys[j].index);
        }
        if (!rc) {
            struct sm_buf w = SM_BUF_INIT;

            plain->len = n;
            snprintf(label, sizeof(label), "smsr:isdr:%s:%s:%u", in->eid, ks->type, ks->kvn);
            rc = sm_keystore_wrap(a->ks, &sm_rng_system, label, plain, &w);
            snprintf(out[i].type, sizeof(out[i].type), "%s", ks->type);
            out[i].kvn = ks->kvn;
            out[i].nkeys = (unsigned)ks->nkeys;
            out[i].wrapped = w.data;
            out[i].wrapped_len = w.len;
            out[i].counter = ks->cntr;
        }
        sm_secret_free(plain);
        if (rc)
            return rc;
        scp80 |= !strcmp(ks->type, "SCP80");
    }
    if (!scp80) {
        /* without an SCP80 key set the SM-SR cannot reach the card (ES5 over SMS) */
        sm_status_fail(st, 200, SM_SUBJ_ISDR, SM_RSN_MANDATORY_MISSING, in->eid,
                       "isdR has no SCP80 key set");
        return -EKEYREJECTED;
    }
    return 0;
}

/* The CA identifier of the ECASD certificate (tag 42) must be the one the EIS names. */
static int check_ca_id(const struct smsr_eis_in *in, const uint8_t *der, size_t len,
                       struct sm_status *st)
{
    struct sm_decode_err de;
    struct sm_gpcert c;

    if (!sm_gpcert_decode(der, len, &c, &de) &&
        (c.ca_id_len != strlen(in->ecasd_ca_id) || memcmp(c.ca_id, in->ecasd_ca_id, c.ca_id_len))) {
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_INVALID, in->eid,
                       "the ECASD certificate's CA identifier is not the caId of the EIS");
        return -EINVAL;
    }
    return 0;
}

int smsr_es1_register_eis(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const struct smsr_app *a = call->app;
    struct smsr_eis_in in;
    struct sm_eum_signer eum;
    struct smdb_keyset *ks = NULL;
    uint8_t cert[2048], ecasd_pk[65];
    size_t certlen, pklen;
    int rc;

    (void)out;
    if (!a->trust) {
        sm_status_fail(st, 200, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, NULL,
                       "ES1 is not available: no trusted CI configured (es1.ci_certs)");
        return SM_API_DONE;
    }
    rc = smsr_eis_decode(json_object_get(call->request, "eis"), &in, st);
    if (rc)
        goto out;
    /* addressed to us, by the EUM that made the card (sgp02 7.1) */
    if (strcmp(in.smsr_id, a->cfg->base.id)) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_INVALID_ASSOCIATION, in.smsr_id,
                       "the EIS names another SM-SR (smsrId %s)", in.smsr_id);
        goto out;
    }
    if (strcmp(in.eum_id, call->caller->id)) {
        sm_status_fail(st, 200, SM_SUBJ_EIS, SM_RSN_NOT_ALLOWED, in.eum_id,
                       "the EIS was made by EUM %s, not by the caller", in.eum_id);
        goto out;
    }
    rc = sm_eis_verify_eum_signature(a->trust, in.signed_info, in.eum_signature,
                                     call->now_ms / 1000, &eum, st);
    if (rc)
        goto out;
    /* the signing certificate must be one the operator registered for this EUM (smsr entity
     * cert): a certificate of another party under the same CI does not speak for the EUM */
    {
        struct sm_entity signer;

        rc = smdb_entity_by_cert(a->db, eum.fingerprint, &signer);
        if (rc == -ENOENT || (!rc && strcmp(signer.id, call->caller->id))) {
            rc = 0;
            sm_status_fail(st, 200, SM_SUBJ_EIS, SM_RSN_VERIFICATION_FAILED, in.eum_id,
                           "eumSignature: the signing certificate is not registered for EUM %s",
                           call->caller->id);
            goto out;
        }
        if (rc)
            goto out;
    }
    rc = (int)sm_hex_decode(in.ecasd_cert_hex, cert, sizeof(cert));
    if (rc <= 0) {
        rc = 0;
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_INVALID, in.eid,
                       "the ECASD certificate is longer than %zu bytes", sizeof(cert));
        goto out;
    }
    certlen = (size_t)rc;
    rc = 0;
    if (check_ca_id(&in, cert, certlen, st))
        goto out;
    rc = sm_eis_verify_ecasd_cert(cert, certlen, in.eid, &eum, sm_today(call->now_ms), ecasd_pk,
                                  &pklen, st);
    if (rc)
        goto out;
    ks = calloc(in.nkeysets + 1, sizeof(*ks));
    rc = ks ? rewrap_keysets(a, &in, ks, st) : -ENOMEM;
    if (rc)
        goto out;
    rc = smsr_eis_store(a, &in.eis, ks, in.nkeysets, call->caller->id, call->now_ms, st);
    if (rc == 1) {
        rc = 0;
        goto out;
    }
    if (!rc)
        SM_LOGI(SM_LOG_API, in.eid, "registered by EUM %s: %zu profile%s, %zu ISD-R key set%s",
                call->caller->id, in.eis.nprofiles, in.eis.nprofiles == 1 ? "" : "s", in.nkeysets,
                in.nkeysets == 1 ? "" : "s");
out:
    for (size_t i = 0; ks && i < in.nkeysets; i++)
        free(ks[i].wrapped);
    free(ks);
    smsr_eis_in_free(&in);
    sm_wipe(cert, sizeof(cert));
    /* a refusal was decided (st set) or it worked; only internal errors are errors */
    return rc == -ENOMEM || rc == -EIO ? rc : SM_API_DONE;
}
