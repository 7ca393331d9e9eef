/* SPDX-License-Identifier: Apache-2.0 */
/* EIS trust checks: the EUM signature and the CI -> EUM -> ECASD chain (sm/eis_verify.h). */
#include <errno.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sm/eis_verify.h"
#include "sm/gpcert.h"
#include "sm/ids.h"
#include "sm/jws.h"
#include "sm/log.h"

/* ---- verified chains ---- */

/* Every EIS of an EUM carries the same x5c: its chain to the CI is verified once and kept for
 * as long as every certificate in it is valid (there is no revocation source to consult). */
#define EUM_CACHE_SIZE 64

struct sm_eum_cache {
    pthread_mutex_t mu;
    struct {
        bool used;
        uint8_t hash[32]; /* SHA-256 over the x5c chain (length-prefixed DER) */
        int64_t not_before, not_after;
        struct sm_eum_signer signer;
    } e[EUM_CACHE_SIZE];
    unsigned next;
};

struct sm_eis_trust {
    X509_STORE *ci;
    struct sm_eum_cache cache;
};

int sm_eis_trust_load(const char *path, struct sm_eis_trust **out)
{
    struct sm_eis_trust *t;
    FILE *f = fopen(path, "r");
    X509 *x;
    int n = 0;

    *out = NULL;
    if (!f) {
        SM_LOGE(SM_LOG_TLS, path, "CI certificates: %s", strerror(errno));
        return -errno;
    }
    t = calloc(1, sizeof(*t));
    if (t && !(t->ci = X509_STORE_new())) {
        free(t);
        t = NULL;
    }
    while (t && (x = PEM_read_X509(f, NULL, NULL, NULL))) {
        X509_STORE_add_cert(t->ci, x);
        X509_free(x);
        n++;
    }
    fclose(f);
    if (!t)
        return -ENOMEM;
    pthread_mutex_init(&t->cache.mu, NULL);
    if (!n) {
        SM_LOGE(SM_LOG_TLS, path, "no certificate in the CI file");
        sm_eis_trust_free(t);
        return -EINVAL;
    }
    SM_LOGI(SM_LOG_TLS, path, "%d trusted CI certificate%s", n, n == 1 ? "" : "s");
    *out = t;
    return 0;
}

void sm_eis_trust_free(struct sm_eis_trust *t)
{
    if (!t)
        return;
    X509_STORE_free(t->ci);
    pthread_mutex_destroy(&t->cache.mu);
    free(t);
}

/* SHA-256 over the SHA-256 of each certificate of the chain, in order */
static void chain_hash(const struct sm_jws_signer *s, uint8_t out[32])
{
    uint8_t each[8 * 32];
    size_t n = s->nchain < 8 ? s->nchain : 8;

    for (size_t i = 0; i < n; i++)
        SHA256(s->chain[i], s->chain_len[i], each + 32 * i);
    SHA256(each, 32 * n, out);
}

static bool cache_get(struct sm_eum_cache *c, const uint8_t hash[32], int64_t now,
                      struct sm_eum_signer *out)
{
    bool hit = false;

    pthread_mutex_lock(&c->mu);
    for (unsigned i = 0; !hit && i < EUM_CACHE_SIZE; i++)
        if (c->e[i].used && !memcmp(c->e[i].hash, hash, 32) && now >= c->e[i].not_before &&
            now <= c->e[i].not_after) {
            *out = c->e[i].signer;
            hit = true;
        }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

static void cache_put(struct sm_eum_cache *c, const uint8_t hash[32], int64_t not_before,
                      int64_t not_after, const struct sm_eum_signer *signer)
{
    pthread_mutex_lock(&c->mu);
    c->e[c->next].used = true;
    memcpy(c->e[c->next].hash, hash, 32);
    c->e[c->next].not_before = not_before;
    c->e[c->next].not_after = not_after;
    c->e[c->next].signer = *signer;
    c->next = (c->next + 1) % EUM_CACHE_SIZE;
    pthread_mutex_unlock(&c->mu);
}

static int64_t asn1_seconds(const ASN1_TIME *t, int64_t dflt)
{
    struct tm tm;

    return t && ASN1_TIME_to_tm(t, &tm) == 1 ? (int64_t)timegm(&tm) : dflt;
}

/* The window in which every certificate of the verified chain is valid. */
static void chain_window(X509_STORE_CTX *ctx, int64_t *not_before, int64_t *not_after)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);

    *not_before = INT64_MIN;
    *not_after = INT64_MAX;
    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        int64_t nb = asn1_seconds(X509_get0_notBefore(x), INT64_MAX),
                na = asn1_seconds(X509_get0_notAfter(x), INT64_MIN);

        *not_before = nb > *not_before ? nb : *not_before;
        *not_after = na < *not_after ? na : *not_after;
    }
}

/* The EUM certificate (x5c[0], further x5c entries as untrusted intermediates) verified
 * against the CI store at time now; its P-256 public key and subjectKeyIdentifier, and the window
 * in which the verification holds. */
static int verify_eum_cert(const struct sm_eis_trust *t, const struct sm_jws_signer *sig, int64_t now,
                           struct sm_eum_signer *out, int64_t *not_before, int64_t *not_after,
                           char *why, size_t whylen)
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
    if (!X509_STORE_CTX_init(ctx, t->ci, leaf, untrusted))
        goto out;
    X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
    if (X509_verify_cert(ctx) != 1) {
        snprintf(why, whylen, "the EUM certificate does not chain to a trusted CI: %s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        goto out;
    }
    chain_window(ctx, not_before, not_after);
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

struct key_lookup {
    struct sm_eis_trust *t;
    int64_t now;
    uint8_t hash[32];
    bool hit;
    struct sm_eum_signer cached;
};

/* sm_jws_key_fn: the key of a chain verified before, if it still holds */
static int cached_key(void *arg, const struct sm_jws_signer *s, uint8_t pub[65], size_t *publen)
{
    struct key_lookup *k = arg;

    chain_hash(s, k->hash);
    if (!cache_get(&k->t->cache, k->hash, k->now, &k->cached))
        return 1;
    k->hit = true;
    memcpy(pub, k->cached.pub, 65);
    *publen = 65;
    return 0;
}

int sm_eis_verify_eum_signature(struct sm_eis_trust *t, const json_t *signed_info, const char *jws,
                              int64_t now, struct sm_eum_signer *out, struct sm_status *st)
{
    struct key_lookup k = {.t = t, .now = now};
    struct sm_jws_signer sig;
    char why[256] = "";
    int64_t nb, na;
    int rc = sm_jws_verify_detached_key(jws, signed_info, cached_key, &k, &sig, why, sizeof(why));

    if (rc == -ENOMEM)
        return rc;
    if (!rc && k.hit) {
        *out = k.cached;
        sm_jws_signer_free(&sig);
    } else if (!rc) {
        rc = verify_eum_cert(t, &sig, now, out, &nb, &na, why, sizeof(why));
        if (!rc)
            cache_put(&t->cache, k.hash, nb, na, out);
        sm_jws_signer_free(&sig);
    }
    if (rc) {
        sm_status_fail(st, 200, SM_SUBJ_EIS, SM_RSN_VERIFICATION_FAILED, NULL, "eumSignature: %s",
                       why);
        return -EKEYREJECTED;
    }
    return 0;
}

int sm_eis_verify_ecasd_cert(const uint8_t *der, size_t len, const char *eid,
                           const struct sm_eum_signer *eum, uint32_t today, uint8_t pub[65],
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
