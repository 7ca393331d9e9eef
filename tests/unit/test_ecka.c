/* SPDX-License-Identifier: Apache-2.0 */
/* ECKA-DH, X9.63 KDF and ECDSA (tests/vectors/ecka.json: ecdh, x963_kdf_sha256; RFC 6979). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/ecka.h"
#include "sm/hex.h"
#include "sm/secret.h"

#define P256_N      "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
#define P256_P      "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
#define P256_GX     "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
#define P256_GY     "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
#define P256_NEG_GY "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a"
#define BP_N        "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7"
#define BP_GX       "8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262"
#define BP_GY       "547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997"

/* RFC 6979 A.2.5 (P-256, SHA-256) */
#define R6979_D "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define R6979_PUB                                                                                  \
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"                           \
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"

static size_t hx(const char *h, uint8_t *out, size_t cap)
{
    long n = sm_hex_decode(h, out, cap);

    assert_true(n >= 0);
    return (size_t)n;
}

static void curve_lookup(void **state)
{
    enum sm_curve c = SM_CURVE_BRAINPOOLP256R1;

    assert_int_equal(sm_curve_field_size(SM_CURVE_P256), 32);
    assert_int_equal(sm_curve_field_size(SM_CURVE_BRAINPOOLP256R1), 32);
    assert_int_equal(sm_curve_field_size((enum sm_curve)1), 0);
    assert_string_equal(sm_curve_name(SM_CURVE_P256), "P-256");
    assert_string_equal(sm_curve_name(SM_CURVE_BRAINPOOLP256R1), "brainpoolP256r1");
    assert_null(sm_curve_name((enum sm_curve)0x40));

    assert_int_equal(sm_curve_from_ref(0x00, &c), 0);
    assert_int_equal(c, SM_CURVE_P256);
    assert_int_equal(sm_curve_from_ref(0x03, &c), 0);
    assert_int_equal(c, SM_CURVE_BRAINPOOLP256R1);
    assert_int_equal(sm_curve_from_ref(0x01, &c), -EINVAL);
    assert_int_equal(sm_curve_from_ref(0x04, &c), -EINVAL);

    const char *p256[] = {"P-256", "secp256r1", "prime256v1", "secp256r1 (NIST P-256)", "p-256"};
    for (size_t i = 0; i < sizeof(p256) / sizeof(p256[0]); i++) {
        c = SM_CURVE_BRAINPOOLP256R1;
        assert_int_equal(sm_curve_from_name(p256[i], &c), 0);
        assert_int_equal(c, SM_CURVE_P256);
    }
    assert_int_equal(sm_curve_from_name("brainpoolP256r1", &c), 0);
    assert_int_equal(c, SM_CURVE_BRAINPOOLP256R1);
    assert_int_equal(sm_curve_from_name("brainpoolP256r1 (RFC 5639)", &c), 0);
    assert_int_equal(c, SM_CURVE_BRAINPOOLP256R1);
    assert_int_equal(sm_curve_from_name("P-384", &c), -EINVAL);
    assert_int_equal(sm_curve_from_name("brainpoolP256t1", &c), -EINVAL);
    assert_int_equal(sm_curve_from_name("secp256r1 (NIST", &c), -EINVAL);
    assert_int_equal(sm_curve_from_name("", &c), -EINVAL);
    assert_int_equal(sm_curve_from_name("secp256r1x", &c), -EINVAL);
    assert_int_equal(sm_curve_from_name(NULL, &c), -EINVAL);
}

struct ecdh_vec {
    enum sm_curve curve;
    const char *d, *qx, *qy;         /* own key */
    const char *peer_x, *peer_y, *z; /* peer public key, shared x-coordinate */
};

static const struct ecdh_vec ecdh_vecs[] = {
    /* NIST CAVP KAS ECC CDH P-256 COUNT=0 */
    {SM_CURVE_P256, "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
     "ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230",
     "28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141",
     "700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287",
     "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
     "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"},
    /* NIST CAVP KAS ECC CDH P-256 COUNT=1 */
    {SM_CURVE_P256, "38f65d6dce47676044d58ce5139582d568f64bb16098d179dbab07741dd5caf5",
     "119f2f047902782ab0c9e27a54aff5eb9b964829ca99c06b02ddba95b0a3f6d0",
     "8f52b726664cac366fc98ac7a012b2682cbd962e5acb544671d41b9445704d1d",
     "809f04289c64348c01515eb03d5ce7ac1a8cb9498f5caa50197e58d43a86a7ae",
     "b29d84e811197f25eba8f5194092cb6ff440e26d4421011372461f579271cda3",
     "057d636096cb80b67a8c038c890e887d1adfa4195e9b3ce241c8a778c59cda67"},
    /* RFC 5903 8.1, A with B's key and B with A's key */
    {SM_CURVE_P256, "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
     "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
     "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
     "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
     "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
     "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
    {SM_CURVE_P256, "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
     "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
     "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
     "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
     "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
     "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
    /* RFC 7027 A.1 brainpoolP256r1, both directions */
    {SM_CURVE_BRAINPOOLP256R1, "81db1ee100150ff2ea338d708271be38300cb54241d79950f77b063039804f1d",
     "44106e913f92bc02a1705d9953a8414db95e1aaa49e81d9e85f929a8e3100be5",
     "8ab4846f11caccb73ce49cbdd120f5a900a69fd32c272223f789ef10eb089bdc",
     "8d2d688c6cf93e1160ad04cc4429117dc2c41825e1e9fca0addd34e6f1b39f7b",
     "990c57520812be512641e47034832106bc7d3e8dd0e4c7f1136d7006547cec6a",
     "89afc39d41d3b327814b80940b042590f96556ec91e6ae7939bce31f3a18bf2b"},
    {SM_CURVE_BRAINPOOLP256R1, "55e40bc41e37e3e2ad25c3c6654511ffa8474a91a0032087593852d3e7d76bd3",
     "8d2d688c6cf93e1160ad04cc4429117dc2c41825e1e9fca0addd34e6f1b39f7b",
     "990c57520812be512641e47034832106bc7d3e8dd0e4c7f1136d7006547cec6a",
     "44106e913f92bc02a1705d9953a8414db95e1aaa49e81d9e85f929a8e3100be5",
     "8ab4846f11caccb73ce49cbdd120f5a900a69fd32c272223f789ef10eb089bdc",
     "89afc39d41d3b327814b80940b042590f96556ec91e6ae7939bce31f3a18bf2b"},
};

/* 04 || x || y */
static void point(const char *x, const char *y, uint8_t out[65])
{
    out[0] = 0x04;
    assert_int_equal(hx(x, out + 1, 32), 32);
    assert_int_equal(hx(y, out + 33, 32), 32);
}

static void ecdh_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(ecdh_vecs) / sizeof(ecdh_vecs[0]); i++) {
        const struct ecdh_vec *v = &ecdh_vecs[i];
        uint8_t d[32], own[65], peer[65], z[32], want[32], pub[SM_EC_PUB_MAX];
        size_t publen = 0;

        hx(v->d, d, sizeof(d));
        point(v->qx, v->qy, own);
        point(v->peer_x, v->peer_y, peer);
        hx(v->z, want, sizeof(want));
        assert_int_equal(sm_ec_public_from_private(v->curve, d, 32, pub, &publen), 0);
        assert_int_equal(publen, 65);
        assert_memory_equal(pub, own, 65);
        assert_int_equal(sm_ec_check_public(v->curve, own, 65), 0);
        assert_int_equal(sm_ec_check_public(v->curve, peer, 65), 0);
        memset(z, 0, sizeof(z));
        assert_int_equal(sm_ecdh(v->curve, d, 32, peer, 65, z, 32), 0);
        assert_memory_equal(z, want, 32);
    }
}

static void ecdh_rejects(void **state)
{
    const struct ecdh_vec *v = &ecdh_vecs[0];
    uint8_t d[33], peer[66], z[33], n[32];

    hx(v->d, d, 32);
    point(v->peer_x, v->peer_y, peer);
    hx(P256_N, n, sizeof(n));
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 32, peer, 65, z, 31), -EINVAL);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 32, peer, 65, z, 33), -EINVAL);
    assert_int_equal(sm_ecdh((enum sm_curve)1, d, 32, peer, 65, z, 32), -EINVAL);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 32, peer, 64, z, 32), -EINVAL);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 32, NULL, 65, z, 32), -EINVAL);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 32, peer, 65, NULL, 32), -EINVAL);
    /* a P-256 point is not on brainpoolP256r1 */
    assert_int_equal(sm_ecdh(SM_CURVE_BRAINPOOLP256R1, d, 32, peer, 65, z, 32), -EINVAL);
    /* scalar 0, n, longer than the field, empty */
    assert_int_equal(sm_ecdh(SM_CURVE_P256, (const uint8_t *)"\0", 1, peer, 65, z, 32), -EINVAL);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, n, 32, peer, 65, z, 32), -EINVAL);
    d[32] = 1;
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 33, peer, 65, z, 32), -EINVAL);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 0, peer, 65, z, 32), -EINVAL);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, NULL, 32, peer, 65, z, 32), -EINVAL);
    /* off the curve */
    peer[64] ^= 1;
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 32, peer, 65, z, 32), -EINVAL);
    /* a short scalar (leading zero bytes dropped) is the same scalar */
    peer[64] ^= 1;
    {
        uint8_t one[32] = {0}, z1[32], z2[32];

        one[31] = 7;
        assert_int_equal(sm_ecdh(SM_CURVE_P256, one, 32, peer, 65, z1, 32), 0);
        assert_int_equal(sm_ecdh(SM_CURVE_P256, one + 31, 1, peer, 65, z2, 32), 0);
        assert_memory_equal(z1, z2, 32);
    }
}

static void public_key_checks(void **state)
{
    uint8_t g[65], bad[65], p[32], pub[SM_EC_PUB_MAX], n[32], nm1[32];
    size_t publen = 0;

    point(P256_GX, P256_GY, g);
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, g, 65), 0);
    assert_int_equal(sm_ec_check_public(SM_CURVE_BRAINPOOLP256R1, g, 65), -EINVAL);
    assert_int_equal(sm_ec_check_public((enum sm_curve)2, g, 65), -EINVAL);
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, g, 64), -EINVAL);
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, NULL, 65), -EINVAL);
    /* compressed and hybrid forms are refused */
    memcpy(bad, g, 65);
    bad[0] = 0x02;
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, bad, 33), -EINVAL);
    bad[0] = 0x06;
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, bad, 65), -EINVAL);
    bad[0] = 0x07; /* the hybrid form of G (odd y) that OpenSSL itself would take */
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, bad, 65), -EINVAL);
    /* x = p (out of the field) */
    memcpy(bad, g, 65);
    hx(P256_P, p, sizeof(p));
    memcpy(bad + 1, p, 32);
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, bad, 65), -EINVAL);
    /* (0, 0) and off-curve */
    memset(bad, 0, sizeof(bad));
    bad[0] = 0x04;
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, bad, 65), -EINVAL);
    memcpy(bad, g, 65);
    bad[1] ^= 0x80;
    assert_int_equal(sm_ec_check_public(SM_CURVE_P256, bad, 65), -EINVAL);

    /* 1 * G = G; (n - 1) * G = -G */
    assert_int_equal(
        sm_ec_public_from_private(SM_CURVE_P256, (const uint8_t *)"\1", 1, pub, &publen), 0);
    assert_memory_equal(pub, g, 65);
    hx(P256_N, n, sizeof(n));
    memcpy(nm1, n, 32);
    nm1[31]--;
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, nm1, 32, pub, &publen), 0);
    point(P256_GX, P256_NEG_GY, bad);
    assert_memory_equal(pub, bad, 65);
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, n, 32, pub, &publen), -EINVAL);
    memset(n, 0, sizeof(n));
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, n, 32, pub, &publen), -EINVAL);
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, nm1, 0, pub, &publen), -EINVAL);
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, nm1, 32, NULL, &publen), -EINVAL);
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, nm1, 32, pub, NULL), -EINVAL);
    assert_int_equal(sm_ec_public_from_private((enum sm_curve)9, nm1, 32, pub, &publen), -EINVAL);
}

struct kdf_vec {
    const char *z, *info, *out;
};

static const struct kdf_vec kdf_vecs[] = {
    /* CAVP ansx963_2001 SHA-256 COUNT=0, COUNT=1 (no SharedInfo) and the 1024-bit case */
    {"96c05619d56c328ab95fe84b18264b08725b85e33fd34f08", "", "443024c3dae66b95e6f5670601558f71"},
    {"96f600b73ad6ac5629577eced51743dd2c24c21b1ac83ee4", "", "b6295162a7804f5667ba9070f82fa522"},
    {"22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d", "75eef81aa3041e33b80971203d2c0c52",
     "c498af77161cc59f2962b9a713e2b215152d139766ce34a776df11866a69bf2e52a13d9c7c6fc878c50c5ea0bc"
     "7b00e0da2447cfd874f6cf92f30d0097111485500c90c3af8b487872d04685d14c8d1dc8d7fa08beb0ce0abab"
     "c11f0bd496269142d43525a78e5bc79a17f59676a5706dc54d54d4d1f0bd7e386128ec26afc21"},
};

static void x963_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(kdf_vecs) / sizeof(kdf_vecs[0]); i++) {
        uint8_t z[64], info[64], want[128], out[129];
        size_t zl = hx(kdf_vecs[i].z, z, sizeof(z)), il = hx(kdf_vecs[i].info, info, sizeof(info));
        size_t ol = hx(kdf_vecs[i].out, want, sizeof(want));

        memset(out, 0xee, sizeof(out));
        assert_int_equal(sm_x963_kdf_sha256(z, zl, il ? info : NULL, il, out, ol), 0);
        assert_memory_equal(out, want, ol);
        assert_int_equal(out[ol], 0xee); /* nothing written past outlen */
        /* a truncated output is a prefix */
        memset(out, 0, sizeof(out));
        assert_int_equal(sm_x963_kdf_sha256(z, zl, info, il, out, 5), 0);
        assert_memory_equal(out, want, 5);
    }
}

static void x963_rejects(void **state)
{
    uint8_t z[4] = {1, 2, 3, 4}, out[8];

    assert_int_equal(sm_x963_kdf_sha256(z, 0, NULL, 0, out, 8), -EINVAL);
    assert_int_equal(sm_x963_kdf_sha256(NULL, 4, NULL, 0, out, 8), -EINVAL);
    assert_int_equal(sm_x963_kdf_sha256(z, 4, NULL, 3, out, 8), -EINVAL);
    assert_int_equal(sm_x963_kdf_sha256(z, 4, NULL, 0, NULL, 8), -EINVAL);
    assert_int_equal(sm_x963_kdf_sha256(z, 4, NULL, 0, NULL, 0), 0);
}

struct replay_rng {
    struct sm_rng_replay r;
    struct sm_rng rng;
};

static void replay_init(struct replay_rng *rr, const uint8_t *data, size_t len)
{
    rr->r.data = data;
    rr->r.len = len;
    rr->r.pos = 0;
    rr->rng.fill = sm_rng_replay_fill;
    rr->rng.ctx = &rr->r;
}

static int zero_fill(void *ctx, uint8_t *out, size_t len)
{
    (*(int *)ctx)++;
    memset(out, 0, len);
    return 0;
}

static void keygen_rejection_sampling(void **state)
{
    uint8_t feed[4 * 32], want[65], pub[SM_EC_PUB_MAX], pub2[SM_EC_PUB_MAX];
    struct replay_rng rr;
    struct sm_secret *priv = NULL;
    size_t publen = 0, publen2 = 0;

    /* P-256: 0, FF..FF and n are rejected; n - 1 is taken, giving -G */
    memset(feed, 0, 32);
    memset(feed + 32, 0xff, 32);
    hx(P256_N, feed + 64, 32);
    hx(P256_N, feed + 96, 32);
    feed[127]--;
    replay_init(&rr, feed, sizeof(feed));
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &rr.rng, &priv, pub, &publen), 0);
    assert_int_equal(rr.r.pos, sizeof(feed));
    assert_int_equal(priv->len, 32);
    assert_memory_equal(priv->data, feed + 96, 32);
    point(P256_GX, P256_NEG_GY, want);
    assert_int_equal(publen, 65);
    assert_memory_equal(pub, want, 65);
    sm_secret_free(priv);
    priv = NULL;

    /* brainpoolP256r1: n rejected, then 1 -> G */
    memset(feed, 0, 64);
    hx(BP_N, feed, 32);
    feed[63] = 1;
    replay_init(&rr, feed, 64);
    assert_int_equal(sm_ec_keygen(SM_CURVE_BRAINPOOLP256R1, &rr.rng, &priv, pub, &publen), 0);
    point(BP_GX, BP_GY, want);
    assert_memory_equal(pub, want, 65);
    assert_int_equal(
        sm_ec_public_from_private(SM_CURVE_BRAINPOOLP256R1, priv->data, priv->len, pub2, &publen2),
        0);
    assert_memory_equal(pub2, want, 65);
    sm_secret_free(priv);
    priv = NULL;

    /* an exhausted generator's error is passed on (0 rejected, then 8 bytes left) */
    memset(feed, 0, 40);
    replay_init(&rr, feed, 40);
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &rr.rng, &priv, pub, &publen), -ENODATA);
    assert_null(priv);
    {
        int calls = 0;
        struct sm_rng zero = {zero_fill, &calls};

        assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &zero, &priv, pub, &publen), -EIO);
        assert_int_equal(calls, 64);
        assert_null(priv);
    }
    assert_int_equal(sm_ec_keygen((enum sm_curve)1, &sm_rng_system, &priv, pub, &publen), -EINVAL);
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, NULL, &priv, pub, &publen), -EINVAL);
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, NULL, pub, &publen), -EINVAL);
    assert_null(priv);
}

static void keygen_system_agreement(void **state)
{
    const enum sm_curve cs[] = {SM_CURVE_P256, SM_CURVE_BRAINPOOLP256R1};

    for (size_t i = 0; i < 2; i++) {
        struct sm_secret *a = NULL, *b = NULL;
        uint8_t pa[SM_EC_PUB_MAX], pb[SM_EC_PUB_MAX], za[32], zb[32];
        size_t la = 0, lb = 0;

        assert_int_equal(sm_ec_keygen(cs[i], &sm_rng_system, &a, pa, &la), 0);
        assert_int_equal(sm_ec_keygen(cs[i], &sm_rng_system, &b, pb, &lb), 0);
        assert_memory_not_equal(pa, pb, 65);
        assert_int_equal(sm_ec_check_public(cs[i], pa, la), 0);
        assert_int_equal(sm_ecdh(cs[i], a->data, a->len, pb, lb, za, 32), 0);
        assert_int_equal(sm_ecdh(cs[i], b->data, b->len, pa, la, zb, 32), 0);
        assert_memory_equal(za, zb, 32);
        sm_secret_free(a);
        sm_secret_free(b);
    }
}

static void ecdsa_rfc6979_verify(void **state)
{
    static const struct {
        const char *msg, *sig;
    } v[] = {
        {"sample", "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
                   "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"},
        {"test", "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
                 "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"},
    };
    uint8_t pub[65], d[32], derived[SM_EC_PUB_MAX];
    size_t dl = 0;

    hx(R6979_PUB, pub, sizeof(pub));
    hx(R6979_D, d, sizeof(d));
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, d, 32, derived, &dl), 0);
    assert_memory_equal(derived, pub, 65);
    for (size_t i = 0; i < 2; i++) {
        uint8_t sig[64];
        size_t ml = strlen(v[i].msg);

        hx(v[i].sig, sig, sizeof(sig));
        assert_int_equal(
            sm_ecdsa_verify(SM_CURVE_P256, pub, 65, (const uint8_t *)v[i].msg, ml, sig, 64), 0);
        /* the other message, a flipped bit in r and in s */
        assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, (const uint8_t *)v[1 - i].msg,
                                         strlen(v[1 - i].msg), sig, 64),
                         -EKEYREJECTED);
        sig[5] ^= 1;
        assert_int_equal(
            sm_ecdsa_verify(SM_CURVE_P256, pub, 65, (const uint8_t *)v[i].msg, ml, sig, 64),
            -EKEYREJECTED);
        sig[5] ^= 1;
        sig[40] ^= 1;
        assert_int_equal(
            sm_ecdsa_verify(SM_CURVE_P256, pub, 65, (const uint8_t *)v[i].msg, ml, sig, 64),
            -EKEYREJECTED);
    }
}

static void ecdsa_round_trip(void **state)
{
    const enum sm_curve cs[] = {SM_CURVE_P256, SM_CURVE_BRAINPOOLP256R1};
    const uint8_t msg[] = "GP Amd E signature input";

    for (size_t i = 0; i < 2; i++) {
        struct sm_secret *k = NULL, *other = NULL;
        uint8_t pub[SM_EC_PUB_MAX], opub[SM_EC_PUB_MAX], sig[64], sig2[64];
        size_t pl = 0, opl = 0, sl = 0;

        assert_int_equal(sm_ec_keygen(cs[i], &sm_rng_system, &k, pub, &pl), 0);
        assert_int_equal(sm_ec_keygen(cs[i], &sm_rng_system, &other, opub, &opl), 0);
        assert_int_equal(sm_ecdsa_sign(cs[i], k->data, k->len, msg, sizeof(msg), sig, &sl), 0);
        assert_int_equal(sl, 64);
        assert_int_equal(sm_ecdsa_verify(cs[i], pub, pl, msg, sizeof(msg), sig, sl), 0);
        /* signing is randomized */
        assert_int_equal(sm_ecdsa_sign(cs[i], k->data, k->len, msg, sizeof(msg), sig2, &sl), 0);
        assert_memory_not_equal(sig, sig2, 64);
        assert_int_equal(sm_ecdsa_verify(cs[i], pub, pl, msg, sizeof(msg), sig2, sl), 0);
        /* wrong key, changed message, empty message */
        assert_int_equal(sm_ecdsa_verify(cs[i], opub, opl, msg, sizeof(msg), sig, sl),
                         -EKEYREJECTED);
        assert_int_equal(sm_ecdsa_verify(cs[i], pub, pl, msg, sizeof(msg) - 1, sig, sl),
                         -EKEYREJECTED);
        assert_int_equal(sm_ecdsa_sign(cs[i], k->data, k->len, NULL, 0, sig, &sl), 0);
        assert_int_equal(sm_ecdsa_verify(cs[i], pub, pl, NULL, 0, sig, sl), 0);
        sm_secret_free(k);
        sm_secret_free(other);
    }
}

static void ecdsa_rejects(void **state)
{
    uint8_t pub[65], d[32], sig[64], n[32];
    size_t sl = 0;
    const uint8_t msg[] = "sample";

    hx(R6979_PUB, pub, sizeof(pub));
    hx(R6979_D, d, sizeof(d));
    hx(P256_N, n, sizeof(n));
    assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, d, 32, msg, 6, sig, &sl), 0);
    assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, msg, 6, sig, 63), -EINVAL);
    assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, msg, 6, NULL, 64), -EINVAL);
    assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 64, msg, 6, sig, 64), -EINVAL);
    assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, NULL, 6, sig, 64), -EINVAL);
    assert_int_equal(sm_ecdsa_verify((enum sm_curve)7, pub, 65, msg, 6, sig, 64), -EINVAL);
    assert_int_equal(sm_ecdsa_verify(SM_CURVE_BRAINPOOLP256R1, pub, 65, msg, 6, sig, 64), -EINVAL);
    pub[64] ^= 1;
    assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, msg, 6, sig, 64), -EINVAL);
    pub[64] ^= 1;
    /* r = 0, s = 0, r = n: out of range, never valid */
    {
        uint8_t bad[64];

        memcpy(bad, sig, 64);
        memset(bad, 0, 32);
        assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, msg, 6, bad, 64), -EKEYREJECTED);
        memcpy(bad, sig, 64);
        memset(bad + 32, 0, 32);
        assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, msg, 6, bad, 64), -EKEYREJECTED);
        memcpy(bad, n, 32);
        assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, msg, 6, bad, 64), -EKEYREJECTED);
    }
    assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, n, 32, msg, 6, sig, &sl), -EINVAL);
    assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, d, 0, msg, 6, sig, &sl), -EINVAL);
    assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, d, 32, NULL, 6, sig, &sl), -EINVAL);
    assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, d, 32, msg, 6, NULL, &sl), -EINVAL);
    assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, d, 32, msg, 6, sig, NULL), -EINVAL);
    assert_int_equal(sm_ecdsa_sign((enum sm_curve)7, d, 32, msg, 6, sig, &sl), -EINVAL);
}

/* r or s below 2^248 must keep its leading zero byte (r || s is fixed-width, DER is not). */
static void ecdsa_leading_zeros(void **state)
{
    uint8_t pub[65], d[32], sig[64], msg[4];
    size_t sl = 0;
    bool r0 = false, s0 = false;

    hx(R6979_PUB, pub, sizeof(pub));
    hx(R6979_D, d, sizeof(d));
    /* each has probability 1/256 per signature; 6000 tries miss with p < 1e-10 */
    for (uint32_t i = 0; i < 6000 && !(r0 && s0); i++) {
        memcpy(msg, &i, 4);
        assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, d, 32, msg, 4, sig, &sl), 0);
        assert_int_equal(sl, 64);
        if (sig[0] == 0 || sig[32] == 0) {
            assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, msg, 4, sig, 64), 0);
            r0 |= sig[0] == 0;
            s0 |= sig[32] == 0;
        }
    }
    assert_true(r0);
    assert_true(s0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(curve_lookup),
    cmocka_unit_test(ecdh_vectors),
    cmocka_unit_test(ecdh_rejects),
    cmocka_unit_test(public_key_checks),
    cmocka_unit_test(x963_vectors),
    cmocka_unit_test(x963_rejects),
    cmocka_unit_test(keygen_rejection_sampling),
    cmocka_unit_test(keygen_system_agreement),
    cmocka_unit_test(ecdsa_rfc6979_verify),
    cmocka_unit_test(ecdsa_round_trip),
    cmocka_unit_test(ecdsa_rejects),
    cmocka_unit_test(ecdsa_leading_zeros),
};

SM_TEST_MAIN(tests, NULL, NULL)
