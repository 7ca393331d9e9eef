/* SPDX-License-Identifier: Apache-2.0 */
/* ES1 trust checks: the EUM signature and the CI -> EUM -> ECASD chain (eis_verify.h). */
#include <errno.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "eis_verify.h"
#include "sm/gpcert.h"
#include "sm/ids.h"
#include "sm/jws.h"

/* The EUM certificate (x5c[0], further x5c entries as untrusted intermediates) verified
 * against the CI store at time now; its P-256 public key and subjectKeyIdentifier. */
static int verify_eum_cert(const struct smsr_app *a, const struct sm_jws_signer *sig, int64_t now,
                           struct smsr_eum_signer *out, char *why, size_t whylen)
{
    const unsigned char *p = sig->chain[0];
    X509 *leaf = d2i_X509(NULL, &p, (long)sig->chain_len[0]);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    const ASN1_OCTET_STRING *ski;
    unsigned char *enc = NULL;
    int rc = -EKEYREJECTED;

    if (!leaf || !untrusted || !ctx) {
        snprintf(why, whylen, "cannot read the EUM certificate");
        goto out;
    }
    for (size_t i = 1; i < sig->nchain; i++) {
        const unsigned char *q = sig->chain[i];
        X509 *x = d2i_X509(NULL, &q, (long)sig->chain_len[i]);

        if (!x || !sk_X509_push(untrusted, x)) {
            X509_free(x);
            snprintf(why, whylen, "x5c[%zu] is not a certificate", i);
            goto out;
        }
    }
    if (!X509_STORE_CTX_init(ctx, a->ci, leaf, untrusted))
        goto out;
    X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
    if (X509_verify_cert(ctx) != 1) {
        snprintf(why, whylen, "the EUM certificate does not chain to a trusted CI: %s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        goto out;
    }
    if (EVP_PKEY_get1_encoded_public_key(X509_get0_pubkey(leaf), &enc) != 65) {
        snprintf(why, whylen, "the EUM key is not an uncompressed P-256 point");
        goto out;
    }
    memcpy(out->pub, enc, 65);
    out->publen = 65;
    SHA256(sig->chain[0], sig->chain_len[0], out->fingerprint);
    ski = X509_get0_subject_key_id(leaf);
    out->skilen = 0;
    if (ski && ASN1_STRING_length(ski) > 0 && ASN1_STRING_length(ski) <= 32) {
        out->skilen = (size_t)ASN1_STRING_length(ski);
        memcpy(out->ski, ASN1_STRING_get0_data(ski), out->skilen);
    }
    rc = 0;
out:
    OPENSSL_free(enc);
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(leaf);
    return rc;
}

int smsr_verify_eum_signature(const struct smsr_app *a, const json_t *signed_info, const char *jws,
                              int64_t now, struct smsr_eum_signer *out, struct sm_status *st)
{
    struct sm_jws_signer sig;
    char why[256] = "";
    int rc = sm_jws_verify_detached(jws, signed_info, &sig, why, sizeof(why));

    if (rc == -ENOMEM)
        return rc;
    if (!rc) {
        rc = verify_eum_cert(a, &sig, now, out, why, sizeof(why));
        sm_jws_signer_free(&sig);
    }
    if (rc) {
        sm_status_fail(st, 200, SM_SUBJ_EIS, SM_RSN_VERIFICATION_FAILED, NULL, "eumSignature: %s",
                       why);
        return -EKEYREJECTED;
    }
    return 0;
}

int smsr_verify_ecasd_cert(const uint8_t *der, size_t len, const char *eid,
                           const struct smsr_eum_signer *eum, uint32_t today, uint8_t pub[65],
                           size_t *publen, struct sm_status *st)
{
    struct sm_decode_err de;
    struct sm_gpcert c;
    uint8_t e[16];
    int rc;

    if (sm_gpcert_decode(der, len, &c, &de)) {
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_INVALID, NULL,
                       "CERT.ECASD.ECKA: %s at byte %zu", de.msg, de.offset);
        return -EKEYREJECTED;
    }
    if (sm_eid_to_bytes(eid, e) || c.subject_id_len != 16 || memcmp(c.subject_id, e, 16)) {
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_VERIFICATION_FAILED, eid,
                       "CERT.ECASD.ECKA does not name this EID");
        return -EKEYREJECTED;
    }
    /* C9 selects the EUM key that signed; when present it must be the signer's (es8 spec 2) */
    if (c.aki_len && eum->skilen &&
        (c.aki_len != eum->skilen || memcmp(c.aki, eum->ski, c.aki_len))) {
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_VERIFICATION_FAILED, eid,
                       "CERT.ECASD.ECKA names another EUM key (C9)");
        return -EKEYREJECTED;
    }
    if (sm_gpcert_verify(&c, SM_CURVE_P256, eum->pub, eum->publen)) {
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_VERIFICATION_FAILED, eid,
                       "CERT.ECASD.ECKA is not signed by the EUM that signed the EIS");
        return -EKEYREJECTED;
    }
    rc = sm_gpcert_check_date(&c, today);
    if (rc) {
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT,
                       rc == -EKEYEXPIRED ? SM_RSN_EXPIRED : SM_RSN_VERIFICATION_FAILED, eid,
                       "CERT.ECASD.ECKA %s",
                       rc == -EKEYEXPIRED ? "has expired" : "is not yet valid");
        return -EKEYREJECTED;
    }
    if (c.pub_len != 65 || sm_ec_check_public(c.curve, c.pub, c.pub_len)) {
        sm_status_fail(st, 200, SM_SUBJ_ECASD_CERT, SM_RSN_INVALID, eid,
                       "CERT.ECASD.ECKA carries no valid public key");
        return -EKEYREJECTED;
    }
    memcpy(pub, c.pub, 65);
    *publen = 65;
    return 0;
}
