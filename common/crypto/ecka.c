/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECKA-DH (BSI TR-03111 4.3.1), ANSI X9.63 KDF (SHA-256) and ECDSA-SHA256 with plain r || s, on
 * OpenSSL 3 (EVP_PKEY_fromdata; EC_GROUP/EC_POINT only for point arithmetic and checks).
 * Output lengths: pub must hold SM_EC_PUB_MAX bytes and sig 2 * SM_EC_FIELD_MAX; *publen and
 * *siglen are outputs only.
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cipher_priv.h"
#include "sm/buf.h"
#include "sm/ecka.h"

struct curve_info {
    enum sm_curve curve;
    int nid;
    const char *group; /* OpenSSL group name */
    const char *name;
    size_t fs;
};

static const struct curve_info curves[] = {
    {SM_CURVE_P256, NID_X9_62_prime256v1, "prime256v1", "P-256", 32},
    {SM_CURVE_BRAINPOOLP256R1, NID_brainpoolP256r1, "brainpoolP256r1", "brainpoolP256r1", 32},
};

/* The groups are built once and then only read (thread-safe): building one costs more than a
 * point multiplication. */
static EC_GROUP *group_cache[2];
static pthread_once_t group_once = PTHREAD_ONCE_INIT;

static void groups_init(void)
{
    for (size_t i = 0; i < 2; i++)
        group_cache[i] = EC_GROUP_new_by_curve_name(curves[i].nid);
}

static const EC_GROUP *group_of(const struct curve_info *ci)
{
    pthread_once(&group_once, groups_init);
    return group_cache[ci - curves];
}

/* Keygen draws at most this many candidates; more rejections mean a broken generator. */
#define KEYGEN_TRIES 64

static const struct curve_info *curve_get(enum sm_curve c)
{
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
        if (curves[i].curve == c)
            return &curves[i];
    return NULL;
}

size_t sm_curve_field_size(enum sm_curve c)
{
    const struct curve_info *ci = curve_get(c);

    return ci ? ci->fs : 0;
}

int sm_curve_from_ref(uint8_t ref, enum sm_curve *c)
{
    const struct curve_info *ci = curve_get((enum sm_curve)ref);

    if (!ci || !c)
        return -EINVAL;
    *c = ci->curve;
    return 0;
}

int sm_curve_from_name(const char *name, enum sm_curve *c)
{
    static const struct {
        const char *name;
        enum sm_curve curve;
    } names[] = {
        {"P-256", SM_CURVE_P256},
        {"secp256r1", SM_CURVE_P256},
        {"prime256v1", SM_CURVE_P256},
        {"brainpoolP256r1", SM_CURVE_BRAINPOOLP256R1},
    };
    size_t n;

    if (!name || !c)
        return -EINVAL;
    /* "secp256r1 (NIST P-256)": the name is the text before the parenthesis */
    n = strcspn(name, "(");
    if (name[n] && name[strlen(name) - 1] != ')')
        return -EINVAL;
    while (n && name[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) == n && !strncasecmp(name, names[i].name, n)) {
            *c = names[i].curve;
            return 0;
        }
    }
    return -EINVAL;
}

const char *sm_curve_name(enum sm_curve c)
{
    const struct curve_info *ci = curve_get(c);

    return ci ? ci->name : NULL;
}

/* The scalar as a secure, constant-time BIGNUM, checked to lie in [1, n-1]. */
static int scalar_load(const EC_GROUP *g, size_t fs, const uint8_t *d, size_t dlen, BIGNUM **out)
{
    BIGNUM *bn;

    if (!d || dlen == 0 || dlen > fs)
        return -EINVAL;
    bn = BN_secure_new();
    if (!bn)
        return -ENOMEM;
    BN_set_flags(bn, BN_FLG_CONSTTIME);
    if (!BN_bin2bn(d, (int)dlen, bn)) {
        BN_clear_free(bn);
        return -EIO;
    }
    if (BN_is_zero(bn) || BN_cmp(bn, EC_GROUP_get0_order(g)) >= 0) {
        BN_clear_free(bn);
        return -EINVAL;
    }
    *out = bn;
    return 0;
}

/* pub = d * G, uncompressed. */
static int pub_compute(const struct curve_info *ci, const uint8_t *d, size_t dlen, uint8_t *pub)
{
    const EC_GROUP *g = group_of(ci);
    EC_POINT *p = NULL;
    BN_CTX *bctx = NULL;
    BIGNUM *k = NULL;
    int rc;

    if (!g)
        return -EIO;
    rc = scalar_load(g, ci->fs, d, dlen, &k);
    if (rc)
        goto out;
    rc = -EIO;
    p = EC_POINT_new(g);
    bctx = BN_CTX_secure_new();
    if (p && bctx && EC_POINT_mul(g, p, k, NULL, NULL, bctx) == 1 &&
        EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub, 2 * ci->fs + 1, bctx) ==
            2 * ci->fs + 1)
        rc = 0;
out:
    BN_clear_free(k);
    EC_POINT_clear_free(p);
    BN_CTX_free(bctx);
    ERR_clear_error();
    return rc;
}

int sm_ec_public_from_private(enum sm_curve c, const uint8_t *d, size_t dlen, uint8_t *pub,
                              size_t *publen)
{
    const struct curve_info *ci = curve_get(c);
    int rc;

    if (!ci || !pub || !publen)
        return -EINVAL;
    rc = pub_compute(ci, d, dlen, pub);
    if (!rc)
        *publen = 2 * ci->fs + 1;
    return rc;
}

static int check_public(const struct curve_info *ci, const uint8_t *pub, size_t publen)
{
    const EC_GROUP *g;
    EC_POINT *p = NULL;
    int rc = -EINVAL;

    /* uncompressed form only (SGP.02 keys are 04 || X || Y) */
    if (!pub || publen != 2 * ci->fs + 1 || pub[0] != 0x04)
        return -EINVAL;
    g = group_of(ci);
    if (!g)
        return -EIO;
    p = EC_POINT_new(g);
    if (!p)
        rc = -ENOMEM;
    else if (EC_POINT_oct2point(g, p, pub, publen, NULL) == 1 &&
             EC_POINT_is_on_curve(g, p, NULL) == 1 && !EC_POINT_is_at_infinity(g, p))
        rc = 0; /* both curves have cofactor 1: on the curve means in the group */
    EC_POINT_free(p);
    ERR_clear_error();
    return rc;
}

int sm_ec_check_public(enum sm_curve c, const uint8_t *pub, size_t publen)
{
    const struct curve_info *ci = curve_get(c);

    return ci ? check_public(ci, pub, publen) : -EINVAL;
}

int sm_ec_keygen(enum sm_curve c, const struct sm_rng *rng, struct sm_secret **priv, uint8_t *pub,
                 size_t *publen)
{
    const struct curve_info *ci = curve_get(c);
    struct sm_secret *s;
    int rc = -EIO;

    if (!ci || !rng || !priv || !pub || !publen)
        return -EINVAL;
    s = sm_secret_new(ci->fs);
    if (!s)
        return -ENOMEM;
    /* FIPS 186-4 B.4.2 (testing candidates): reject 0 and values >= n */
    for (int i = 0; i < KEYGEN_TRIES; i++) {
        rc = sm_rng_bytes(rng, s->data, s->len);
        if (rc)
            break;
        rc = pub_compute(ci, s->data, s->len, pub);
        if (rc != -EINVAL)
            break;
        rc = -EIO;
    }
    if (rc) {
        sm_secret_free(s);
        return rc;
    }
    *priv = s;
    *publen = 2 * ci->fs + 1;
    return 0;
}

/* An EVP_PKEY from a public point and, when d is set, the private scalar. */
static int pkey_build(const struct curve_info *ci, const uint8_t *d, size_t dlen,
                      const uint8_t *pub, size_t publen, EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    BIGNUM *k = NULL;
    const EC_GROUP *g = NULL;
    int rc = -EIO;

    if (!bld)
        return -ENOMEM;
    if (d) {
        g = group_of(ci);
        if (!g)
            goto out;
        rc = scalar_load(g, ci->fs, d, dlen, &k);
        if (rc)
            goto out;
        rc = -EIO;
    }
    /* a secure BIGNUM makes the builder put the scalar in secure, cleared memory */
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ci->group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) != 1 ||
        (k && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, k) != 1))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, out, k ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1)
        rc = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(k);
    return rc;
}

/* Private key with its public point computed from d. */
static int pkey_private(const struct curve_info *ci, const uint8_t *d, size_t dlen, EVP_PKEY **out)
{
    uint8_t pub[SM_EC_PUB_MAX];
    int rc = pub_compute(ci, d, dlen, pub);

    if (!rc)
        rc = pkey_build(ci, d, dlen, pub, 2 * ci->fs + 1, out);
    ERR_clear_error();
    return rc;
}

int sm_ecdh(enum sm_curve c, const uint8_t *d, size_t dlen, const uint8_t *peer, size_t peerlen,
            uint8_t *z, size_t zlen)
{
    const struct curve_info *ci = curve_get(c);
    const EC_GROUP *g;
    EC_POINT *q = NULL, *r = NULL;
    BN_CTX *bctx = NULL;
    BIGNUM *k = NULL, *x = NULL;
    int rc;

    if (!ci || !z || zlen != ci->fs)
        return -EINVAL;
    g = group_of(ci);
    if (!g)
        return -EIO;
    rc = check_public(ci, peer, peerlen);
    if (!rc)
        rc = scalar_load(g, ci->fs, d, dlen, &k);
    if (rc)
        goto out;
    /* ShS = x(d * Q) (BSI TR-03111 4.3.1; cofactor 1). A single-point EC_POINT_mul runs the
     * constant-time ladder, and no key object is built around d. */
    rc = -EIO;
    q = EC_POINT_new(g);
    r = EC_POINT_new(g);
    bctx = BN_CTX_secure_new();
    x = BN_secure_new();
    if (q && r && bctx && x && EC_POINT_oct2point(g, q, peer, peerlen, bctx) == 1 &&
        EC_POINT_mul(g, r, NULL, q, k, bctx) == 1 && !EC_POINT_is_at_infinity(g, r) &&
        EC_POINT_get_affine_coordinates(g, r, x, NULL, bctx) == 1 &&
        BN_bn2binpad(x, z, (int)zlen) == (int)zlen)
        rc = 0;
    else
        sm_wipe(z, zlen);
out:
    EC_POINT_clear_free(q);
    EC_POINT_clear_free(r);
    BN_clear_free(k);
    BN_clear_free(x);
    BN_CTX_free(bctx);
    ERR_clear_error();
    return rc;
}

int sm_x963_kdf_sha256(const uint8_t *z, size_t zlen, const uint8_t *info, size_t infolen,
                       uint8_t *out, size_t outlen)
{
    EVP_MD_CTX *md;
    uint8_t h[32];
    unsigned int hl;
    int rc = 0;

    /* X9.63 3.6.1: the counter is 32 bits; (infolen > 0) needs info */
    if (!z || !zlen || (infolen && !info) || (outlen && !out) || outlen / 32 >= (size_t)0xffffffffu)
        return -EINVAL;
    md = EVP_MD_CTX_new();
    if (!md)
        return -ENOMEM;
    for (uint32_t ctr = 1; outlen; ctr++) {
        uint8_t cb[4] = {(uint8_t)(ctr >> 24), (uint8_t)(ctr >> 16), (uint8_t)(ctr >> 8),
                         (uint8_t)ctr};
        size_t take = outlen < sizeof(h) ? outlen : sizeof(h);

        if (EVP_DigestInit_ex(md, sm_md_sha256(), NULL) != 1 ||
            EVP_DigestUpdate(md, z, zlen) != 1 || EVP_DigestUpdate(md, cb, 4) != 1 ||
            (infolen && EVP_DigestUpdate(md, info, infolen) != 1) ||
            EVP_DigestFinal_ex(md, h, &hl) != 1 || hl != sizeof(h)) {
            rc = -EIO;
            break;
        }
        memcpy(out, h, take);
        out += take;
        outlen -= take;
    }
    sm_wipe(h, sizeof(h));
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return rc;
}

int sm_ecdsa_sign(enum sm_curve c, const uint8_t *d, size_t dlen, const uint8_t *msg, size_t len,
                  uint8_t *sig, size_t *siglen)
{
    const struct curve_info *ci = curve_get(c);
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *md = NULL;
    ECDSA_SIG *es = NULL;
    const BIGNUM *r, *s;
    uint8_t der[16 + 4 * SM_EC_FIELD_MAX];
    const uint8_t *p = der;
    size_t derlen = sizeof(der);
    int rc;

    if (!ci || (len && !msg) || !sig || !siglen)
        return -EINVAL;
    rc = pkey_private(ci, d, dlen, &key);
    if (rc)
        return rc;
    rc = -EIO;
    /* the nonce comes from OpenSSL's DRBG (rng.h) */
    md = EVP_MD_CTX_new();
    if (!md || EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) != 1 ||
        EVP_DigestSign(md, der, &derlen, msg ? msg : der, len) != 1)
        goto out;
    /* DER SEQUENCE { r, s } -> r || s, each left-padded to the field size */
    es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    if (!es)
        goto out;
    ECDSA_SIG_get0(es, &r, &s);
    if (BN_bn2binpad(r, sig, (int)ci->fs) != (int)ci->fs ||
        BN_bn2binpad(s, sig + ci->fs, (int)ci->fs) != (int)ci->fs)
        goto out;
    *siglen = 2 * ci->fs;
    rc = 0;
out:
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return rc;
}

int sm_ecdsa_verify(enum sm_curve c, const uint8_t *pub, size_t publen, const uint8_t *msg,
                    size_t len, const uint8_t *sig, size_t siglen)
{
    const struct curve_info *ci = curve_get(c);
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *md = NULL;
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL, *s = NULL;
    uint8_t *der = NULL;
    int derlen, rc;

    if (!ci || (len && !msg) || !sig || siglen != 2 * ci->fs)
        return -EINVAL;
    rc = check_public(ci, pub, publen);
    if (!rc)
        rc = pkey_build(ci, NULL, 0, pub, publen, &key);
    if (rc)
        goto out;
    rc = -EIO;
    es = ECDSA_SIG_new();
    r = BN_bin2bn(sig, (int)ci->fs, NULL);
    s = BN_bin2bn(sig + ci->fs, (int)ci->fs, NULL);
    if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1)
        goto out;
    r = s = NULL; /* owned by es */
    derlen = i2d_ECDSA_SIG(es, &der);
    md = EVP_MD_CTX_new();
    if (derlen <= 0 || !md ||
        EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) != 1)
        goto out;
    /* 0 or a negative value (r or s out of range) both mean "does not verify" */
    rc = EVP_DigestVerify(md, der, (size_t)derlen, msg ? msg : der, len) == 1 ? 0 : -EKEYREJECTED;
out:
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return rc;
}

/* ---- keys from PEM files ---- */

static const struct curve_info *curve_of_pkey(EVP_PKEY *pk)
{
    char group[64] = "";
    size_t glen = 0;

    if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &glen) != 1)
        return NULL;
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
        if (!strcasecmp(group, curves[i].group))
            return &curves[i];
    return NULL;
}

int sm_ec_private_from_pem(const char *path, enum sm_curve *curve, struct sm_secret **d)
{
    const struct curve_info *ci;
    BIGNUM *bn = NULL;
    EVP_PKEY *pk = NULL;
    FILE *f = fopen(path, "r");
    int rc = -EINVAL;

    if (!f)
        return -errno;
    pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    ci = pk ? curve_of_pkey(pk) : NULL;
    if (ci && EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1) {
        *d = sm_secret_new(ci->fs);
        if (!*d)
            rc = -ENOMEM;
        else if (BN_bn2binpad(bn, (*d)->data, (int)ci->fs) != (int)ci->fs) {
            sm_secret_free(*d);
            *d = NULL;
        } else {
            *curve = ci->curve;
            rc = 0;
        }
    }
    BN_clear_free(bn);
    EVP_PKEY_free(pk);
    ERR_clear_error();
    return rc;
}

int sm_ec_public_from_cert_pem(const char *path, enum sm_curve *curve, uint8_t *pub, size_t *publen)
{
    const struct curve_info *ci;
    EVP_PKEY *pk = NULL;
    X509 *x = NULL;
    FILE *f = fopen(path, "r");
    int rc = -EINVAL;

    if (!f)
        return -errno;
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    pk = x ? X509_get_pubkey(x) : NULL;
    ci = pk ? curve_of_pkey(pk) : NULL;
    if (ci &&
        EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub, SM_EC_PUB_MAX, publen) ==
            1 &&
        *publen == 2 * ci->fs + 1 && pub[0] == 0x04) {
        *curve = ci->curve;
        rc = 0;
    }
    EVP_PKEY_free(pk);
    X509_free(x);
    ERR_clear_error();
    return rc;
}
