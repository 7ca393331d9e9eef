/* SPDX-License-Identifier: Apache-2.0 */
/* GP-format certificates (7F21): encode/sign, strict decode, verify, validity dates. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/buf.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/tlv.h"

/* issuer (CI): the RFC 6979 A.2.5 key; another issuer: the ES8 vector's eSK */
#define CI_D "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define CI_PUB                                                                                     \
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"                           \
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
#define OTHER_D "27f49ba67f17a45bb84d661566e6c483b3051745ece7e9d2d8f122298483e9ee"
#define OTHER_PUB                                                                                  \
    "043cf98b2bda64d450e420d54445e15baa366a20433fa5ad512bdc60451325217d"                           \
    "fb79715d1466daa65a821cedb1b4d8bbf7bbca841f9e372b6646f5af9cd91f7b"
/* subject: PK.DP.ECDSA of the card-accepted certificate (spec notes 1.7) */
#define PK_DP                                                                                      \
    "046466e042804faac48f839ea53e85d0b8b93f2f015028a472f07f3227af408170"                           \
    "acfb39d198ba7d0dcff3de5032a6cc8f6acc84ef556bfe530dec0ff75f2af59a"

/* elements of a hand-built certificate (signature not checked by decode) */
#define E93    "930102"
#define E42    "420102"
#define E5F20  "5f200102"
#define E95    "950188"
#define E5F25  "5f250420170105"
#define E5F24  "5f240421450101"
#define E73    "7303c80101"
#define E7F49  "7f4946b041" PK_DP "f00100"
#define ZERO32 "0000000000000000000000000000000000000000000000000000000000000000"
#define E5F37  "5f3740" ZERO32 ZERO32

static size_t hx(const char *h, uint8_t *out, size_t cap)
{
    long n = sm_hex_decode(h, out, cap);

    assert_true(n >= 0);
    return (size_t)n;
}

/* The certificate CERT.DP.ECDSA had on the test card: no 5F25, no C9, 95 = 88 (spec 2). */
static void card_fields(struct sm_gpcert *c)
{
    memset(c, 0, sizeof(*c));
    c->serial[0] = 2;
    c->serial_len = 1;
    c->ca_id[0] = 2;
    c->ca_id_len = 1;
    c->subject_id[0] = 2;
    c->subject_id_len = 1;
    c->key_usage[0] = 0x88;
    c->key_usage_len = 1;
    c->expiration = 21450101;
    c->has_type = true;
    c->type = SM_GPCERT_TYPE_SMDP;
    c->has_param_ref = true;
    c->curve = SM_CURVE_P256;
    c->pub_len = hx(PK_DP, c->pub, sizeof(c->pub));
}

static void full_fields(struct sm_gpcert *c)
{
    card_fields(c);
    for (size_t i = 0; i < 20; i++) {
        c->serial[i] = (uint8_t)(0x10 + i);
        c->aki[i] = (uint8_t)(0xa0 + i);
    }
    c->serial_len = 20;
    c->aki_len = 20;
    memcpy(c->ca_id, "GSMA-TEST-CI", 12);
    c->ca_id_len = 12;
    hx("89001012012341234012345678901224", c->subject_id, 16);
    c->subject_id_len = 16;
    c->key_usage[0] = 0x00;
    c->key_usage[1] = 0x80;
    c->key_usage_len = 2;
    c->has_effective = true;
    c->effective = 20170105;
    c->type = SM_GPCERT_TYPE_SMSR;
}

static int decode_inner(const char *inner_hex, struct sm_gpcert *c, struct sm_decode_err *e)
{
    uint8_t in[512];
    size_t n = hx(inner_hex, in, sizeof(in));
    struct sm_buf b = SM_BUF_INIT;
    int rc;

    assert_int_equal(sm_tlv_put(&b, 0x7F21, in, n), 0);
    rc = sm_gpcert_decode(b.data, b.len, c, e);
    sm_buf_free(&b);
    return rc;
}

static void card_layout(void **state)
{
    uint8_t d[32], ci[65], want[200];
    size_t wl = hx("7f2181a5" E93 E42 E5F20 E95 E5F24 E73 E7F49 "5f3740", want, sizeof(want));
    struct sm_gpcert c, dec;
    struct sm_buf b = SM_BUF_INIT, blk = SM_BUF_INIT;

    hx(CI_D, d, 32);
    hx(CI_PUB, ci, 65);
    card_fields(&c);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, &b), 0);
    assert_int_equal(b.len, 0xa9);
    assert_int_equal(wl, 0xa9 - 64);
    assert_memory_equal(b.data, want, wl);
    assert_int_equal(c.sig_len, 64);
    assert_memory_equal(b.data + wl, c.sig, 64);
    assert_int_equal(sm_gpcert_decode(b.data, b.len, &dec, NULL), 0);
    assert_ptr_equal(dec.tbs, b.data + 4);
    assert_int_equal(dec.tbs_len, 0xa5 - 67);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), 0);
    assert_false(dec.has_effective);
    assert_int_equal(dec.aki_len, 0);
    assert_true(dec.has_type);
    assert_int_equal(dec.type, 1);
    /* in block 0 as the card took it: 3A01 A9 7F21 81 A5 */
    assert_int_equal(sm_es8_block0_data(b.data, b.len, &blk), 0);
    assert_memory_equal(blk.data, "\x3a\x01\xa9\x7f\x21\x81\xa5", 7);
    sm_buf_free(&blk);
    sm_buf_free(&b);
}

static void round_trip(void **state)
{
    uint8_t d[32], ci[65];
    struct sm_gpcert c, dec, again;
    struct sm_buf b = SM_BUF_INIT, b2 = SM_BUF_INIT;

    hx(CI_D, d, 32);
    hx(CI_PUB, ci, 65);
    full_fields(&c);
    assert_int_equal(sm_buf_append(&b, "ab", 2), 0);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, &b), 0);
    assert_memory_equal(b.data, "ab\x7f\x21", 4);
    assert_int_equal(sm_gpcert_decode(b.data + 2, b.len - 2, &dec, NULL), 0);
    assert_memory_equal(dec.serial, c.serial, 20);
    assert_int_equal(dec.serial_len, 20);
    assert_int_equal(dec.ca_id_len, 12);
    assert_memory_equal(dec.ca_id, "GSMA-TEST-CI", 12);
    assert_int_equal(dec.subject_id_len, 16);
    assert_memory_equal(dec.subject_id, c.subject_id, 16);
    assert_int_equal(dec.key_usage_len, 2);
    assert_memory_equal(dec.key_usage, "\x00\x80", 2);
    assert_true(dec.has_effective);
    assert_int_equal(dec.effective, 20170105);
    assert_int_equal(dec.expiration, 21450101);
    assert_true(dec.has_type);
    assert_int_equal(dec.type, 2);
    assert_int_equal(dec.aki_len, 20);
    assert_memory_equal(dec.aki, c.aki, 20);
    assert_int_equal(dec.discretionary_len, 3 + 22);
    assert_memory_equal(dec.discretionary, "\xc8\x01\x02\xc9\x14\xa0", 6);
    assert_true(dec.has_param_ref);
    assert_int_equal(dec.curve, SM_CURVE_P256);
    assert_int_equal(dec.pub_len, 65);
    assert_memory_equal(dec.pub, c.pub, 65);
    assert_memory_equal(dec.sig, c.sig, 64);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), 0);
    /* 5F25 BCD on the wire */
    assert_non_null(memmem(b.data, b.len, "\x5f\x25\x04\x20\x17\x01\x05", 7));
    /* re-encoding the decoded certificate (discretionary as decoded) gives the same TBS */
    again = dec;
    again.has_type = false;
    again.aki_len = 0;
    assert_int_equal(sm_gpcert_encode_sign(&again, SM_CURVE_P256, d, 32, &b2), 0);
    assert_int_equal(b2.len, b.len - 2);
    assert_memory_equal(b2.data, b.data + 2, b2.len - 64);
    /* an empty 73 when there is neither type nor AKI */
    sm_buf_reset(&b2);
    again.discretionary_len = 0;
    assert_int_equal(sm_gpcert_encode_sign(&again, SM_CURVE_P256, d, 32, &b2), 0);
    assert_int_equal(sm_gpcert_decode(b2.data, b2.len, &dec, NULL), 0);
    assert_false(dec.has_type);
    assert_int_equal(dec.discretionary_len, 0);
    assert_non_null(memmem(b2.data, b2.len, "\x73\x00\x7f\x49", 4));
    /* P-256 without F0: 7F49 43 {B0 41 ...} */
    sm_buf_reset(&b2);
    again.has_param_ref = false;
    assert_int_equal(sm_gpcert_encode_sign(&again, SM_CURVE_P256, d, 32, &b2), 0);
    assert_non_null(memmem(b2.data, b2.len, "\x7f\x49\x43\xb0\x41", 5));
    assert_int_equal(sm_gpcert_decode(b2.data, b2.len, &dec, NULL), 0);
    assert_false(dec.has_param_ref);
    assert_int_equal(dec.curve, SM_CURVE_P256);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), 0);
    sm_buf_free(&b);
    sm_buf_free(&b2);
}

static void wrong_key_rejected(void **state)
{
    uint8_t d[32], od[32], ci[65], other[65];
    struct sm_gpcert c, dec;
    struct sm_buf b = SM_BUF_INIT;

    hx(CI_D, d, 32);
    hx(CI_PUB, ci, 65);
    hx(OTHER_D, od, 32);
    hx(OTHER_PUB, other, 65);
    full_fields(&c);
    /* signed by another key than the CI's */
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, od, 32, &b), 0);
    assert_int_equal(sm_gpcert_decode(b.data, b.len, &dec, NULL), 0);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), -EKEYREJECTED);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, other, 65), 0);
    /* a changed subject identifier, a changed signature */
    sm_buf_reset(&b);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, &b), 0);
    {
        uint8_t *p = memmem(b.data, b.len, "\x5f\x20\x10\x89", 4);

        assert_non_null(p);
        p[3] = 0x88;
        assert_int_equal(sm_gpcert_decode(b.data, b.len, &dec, NULL), 0);
        assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), -EKEYREJECTED);
        p[3] = 0x89;
    }
    assert_int_equal(sm_gpcert_decode(b.data, b.len, &dec, NULL), 0);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), 0);
    dec.sig[63] ^= 1;
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), -EKEYREJECTED);
    dec.sig[63] ^= 1;
    /* unusable issuer key or certificate */
    ci[64] ^= 1;
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), -EINVAL);
    ci[64] ^= 1;
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_BRAINPOOLP256R1, ci, 65), -EINVAL);
    assert_int_equal(sm_gpcert_verify(&dec, (enum sm_curve)5, ci, 65), -EINVAL);
    assert_int_equal(sm_gpcert_verify(NULL, SM_CURVE_P256, ci, 65), -EINVAL);
    dec.tbs = NULL;
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ci, 65), -EINVAL);
    sm_buf_free(&b);
}

static void every_truncation(void **state)
{
    uint8_t d[32];
    struct sm_gpcert c, dec;
    struct sm_buf b = SM_BUF_INIT, w = SM_BUF_INIT;
    size_t hdr;

    hx(CI_D, d, 32);
    full_fields(&c);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, &b), 0);
    /* prefixes of the whole TLV */
    for (size_t k = 0; k < b.len; k++)
        assert_int_equal(sm_gpcert_decode(b.data, k, &dec, NULL), -EBADMSG);
    /* prefixes of the content, re-wrapped in a consistent 7F21 */
    {
        struct sm_tlv t;

        assert_int_equal(sm_tlv_parse_one(b.data, b.len, &t, NULL), 0);
        hdr = t.size - t.len;
    }
    for (size_t k = 0; k < b.len - hdr; k++) {
        sm_buf_reset(&w);
        assert_int_equal(sm_tlv_put(&w, 0x7F21, b.data + hdr, k), 0);
        assert_int_equal(sm_gpcert_decode(w.data, w.len, &dec, NULL), -EBADMSG);
    }
    sm_buf_reset(&w);
    assert_int_equal(sm_tlv_put(&w, 0x7F21, b.data + hdr, b.len - hdr), 0);
    assert_int_equal(w.len, b.len);
    assert_int_equal(sm_gpcert_decode(w.data, w.len, &dec, NULL), 0);
    /* a trailing byte outside and a trailing TLV inside */
    b.data[b.len] = 0;
    assert_int_equal(sm_gpcert_decode(b.data, b.len + 1, &dec, NULL), -EBADMSG);
    sm_buf_free(&w);
    sm_buf_free(&b);
}

static void element_order(void **state)
{
    struct sm_gpcert c;
    struct sm_decode_err e;

    /* the reference layout decodes (also with 5F25) */
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 E7F49 E5F37, &c, &e), 0);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F25 E5F24 E73 E7F49 E5F37, &c, &e), 0);
    assert_true(c.has_effective);
    /* swapped neighbours */
    assert_int_equal(decode_inner(E42 E93 E5F20 E95 E5F24 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(e.offset, 4);
    assert_int_equal(decode_inner(E93 E5F20 E42 E95 E5F24 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E95 E5F20 E5F24 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E5F25 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E73 E5F24 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E7F49 E73 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 E5F37 E7F49, &c, &e), -EBADMSG);
    /* F0 before B0 */
    assert_int_equal(
        decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4946f00100b041" PK_DP E5F37, &c, &e), -EBADMSG);
    /* missing elements */
    assert_int_equal(decode_inner(E42 E5F20 E95 E5F24 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F25 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4903f00100" E5F37, &c, &e),
                     -EBADMSG);
    /* something after 5F37, inside and outside 7F21 */
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 E7F49 E5F37 "9000", &c, &e),
                     -EBADMSG);
    /* a duplicated element */
    assert_int_equal(decode_inner(E93 E93 E42 E5F20 E95 E5F24 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    /* wrong outer tag */
    {
        uint8_t in[300];
        size_t n = hx("7f2203" E93, in, sizeof(in));

        assert_int_equal(sm_gpcert_decode(in, n, &c, &e), -EBADMSG);
        assert_int_equal(sm_gpcert_decode(NULL, n, &c, &e), -EINVAL);
        assert_int_equal(sm_gpcert_decode(in, n, NULL, &e), -EINVAL);
    }
}

static void bad_dates(void **state)
{
    struct sm_gpcert c;
    struct sm_decode_err e;

#define WITH_DATES(d) E93 E42 E5F20 E95 d E73 E7F49 E5F37
    assert_int_equal(decode_inner(WITH_DATES("5f240421451301"), &c, &e), -EINVAL); /* month 13 */
    assert_int_equal(e.offset, 4 + 13);
    assert_int_equal(decode_inner(WITH_DATES("5f240421450001"), &c, &e), -EINVAL); /* month 0 */
    assert_int_equal(decode_inner(WITH_DATES("5f240421450100"), &c, &e), -EINVAL); /* day 0 */
    assert_int_equal(decode_inner(WITH_DATES("5f240421450431"), &c, &e), -EINVAL); /* Apr 31 */
    assert_int_equal(decode_inner(WITH_DATES("5f2404214a0101"), &c, &e), -EINVAL); /* nibble A */
    assert_int_equal(decode_inner(WITH_DATES("5f2404f1450101"), &c, &e), -EINVAL); /* nibble F */
    assert_int_equal(decode_inner(WITH_DATES("5f240420230229"), &c, &e), -EINVAL);
    assert_int_equal(decode_inner(WITH_DATES("5f240421000229"), &c, &e), -EINVAL); /* 2100 */
    assert_int_equal(decode_inner(WITH_DATES("5f240420240229"), &c, &e), 0);
    assert_int_equal(c.expiration, 20240229);
    assert_int_equal(decode_inner(WITH_DATES("5f240420000229"), &c, &e), 0); /* 2000 */
    assert_int_equal(decode_inner(WITH_DATES("5f25042017013a5f240421450101"), &c, &e), -EINVAL);
    assert_int_equal(e.offset, 4 + 13);
    assert_int_equal(decode_inner(WITH_DATES("5f2503201701" E5F24), &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(WITH_DATES("5f25052017010101" E5F24), &c, &e), -EBADMSG);
    assert_int_equal(decode_inner(WITH_DATES("5f2403214501"), &c, &e), -EBADMSG);
    /* effective after expiration */
    assert_int_equal(decode_inner(WITH_DATES("5f250421450102" E5F24), &c, &e), -EINVAL);
    assert_int_equal(decode_inner(WITH_DATES("5f250421450101" E5F24), &c, &e), 0);
#undef WITH_DATES
}

static void date_checks(void **state)
{
    struct sm_gpcert c;

    full_fields(&c);
    assert_int_equal(sm_gpcert_check_date(&c, 20170105), 0);
    assert_int_equal(sm_gpcert_check_date(&c, 20170104), -EKEYREJECTED);
    assert_int_equal(sm_gpcert_check_date(&c, 20161231), -EKEYREJECTED);
    assert_int_equal(sm_gpcert_check_date(&c, 20260301), 0);
    assert_int_equal(sm_gpcert_check_date(&c, 21450101), 0);
    assert_int_equal(sm_gpcert_check_date(&c, 21450102), -EKEYEXPIRED);
    assert_int_equal(sm_gpcert_check_date(&c, 21460101), -EKEYEXPIRED);
    c.has_effective = false;
    assert_int_equal(sm_gpcert_check_date(&c, 19700101), 0);
    assert_int_equal(sm_gpcert_check_date(&c, 20261301), -EINVAL);
    assert_int_equal(sm_gpcert_check_date(&c, 20230229), -EINVAL);
    assert_int_equal(sm_gpcert_check_date(&c, 0), -EINVAL);
    assert_int_equal(sm_gpcert_check_date(NULL, 20260301), -EINVAL);
}

static void decode_values(void **state)
{
    struct sm_gpcert c;
    struct sm_decode_err e;
    char h[600];

    /* lengths: empty serial, serial of 21 bytes, usage of 3, signature of 63 and 65 */
    assert_int_equal(decode_inner("9300" E42 E5F20 E95 E5F24 E73 E7F49 E5F37, &c, &e), -EBADMSG);
    assert_int_equal(
        decode_inner(
            "9315"
            "000102030405060708090a0b0c0d0e0f1011121314" E42 E5F20 E95 E5F24 E73 E7F49 E5F37,
            &c, &e),
        -EINVAL);
    assert_int_equal(decode_inner(E93 E42 E5F20 "9503000080" E5F24 E73 E7F49 E5F37, &c, &e),
                     -EINVAL);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 E7F49 "5f373f" ZERO32 ZERO32, &c, &e),
                     -EBADMSG);
    assert_int_equal(
        decode_inner(E93 E42 E5F20 E95 E5F24 E73 E7F49 "5f3741" ZERO32 ZERO32 "00", &c, &e),
        -EBADMSG);
    /* 73: C8 twice, C8 of two bytes, C9 twice, empty C9, malformed content, too long */
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 "7306c80101c80102" E7F49 E5F37, &c, &e),
                     -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 "7304c8020101" E7F49 E5F37, &c, &e),
                     -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 "7306c90101c90102" E7F49 E5F37, &c, &e),
                     -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 "7302c900" E7F49 E5F37, &c, &e),
                     -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 "7303c80501" E7F49 E5F37, &c, &e),
                     -EBADMSG);
    /* 73 with other TLVs is kept whole; C9 found after them */
    assert_int_equal(
        decode_inner(E93 E42 E5F20 E95 E5F24 "730cc80101cb0199c90401020304" E7F49 E5F37, &c, &e),
        0);
    assert_int_equal(c.discretionary_len, 12);
    assert_int_equal(c.aki_len, 4);
    assert_memory_equal(c.aki, "\x01\x02\x03\x04", 4);
    strcpy(h, E93 E42 E5F20 E95 E5F24 "738181c17f");
    for (int i = 0; i < 127; i++)
        strcat(h, "00");
    strcat(h, E7F49 E5F37);
    assert_int_equal(decode_inner(h, &c, &e), -EINVAL);
    /* 7F49: unsupported curve reference, not a point, short B0, trailing TLV, no F0 -> P-256 */
    assert_int_equal(
        decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4946b041" PK_DP "f00101" E5F37, &c, &e),
        -EINVAL);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73
                                  "7f4946b041"
                                  "046466e042804faac48f839ea53e85d0b8b93f2f015028a472f07f3227af40"
                                  "8170acfb39d198ba7d0dcff3de5032a6cc8f6acc84ef556bfe530dec0ff75f"
                                  "2af59b"
                                  "f00100" E5F37,
                                  &c, &e),
                     -EINVAL);
    assert_int_equal(
        decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4946b041" PK_DP "f00103" E5F37, &c, &e),
        -EINVAL);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4904b0020400" E5F37, &c, &e),
                     -EINVAL);
    assert_int_equal(
        decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4948b041" PK_DP "f00100c100" E5F37, &c, &e),
        -EBADMSG);
    assert_int_equal(
        decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4947b041" PK_DP "f0020000" E5F37, &c, &e),
        -EBADMSG);
    assert_int_equal(decode_inner(E93 E42 E5F20 E95 E5F24 E73 "7f4943b041" PK_DP E5F37, &c, &e), 0);
    assert_false(c.has_param_ref);
    assert_int_equal(c.curve, SM_CURVE_P256);
    /* c untouched on error */
    memset(&c, 0x5a, sizeof(c));
    assert_int_equal(decode_inner("9300" E42 E5F20 E95 E5F24 E73 E7F49 E5F37, &c, NULL), -EBADMSG);
    assert_int_equal(c.serial_len, (size_t)0x5a5a5a5a5a5a5a5aULL);
}

static void brainpool_cert(void **state)
{
    struct sm_secret *ik = NULL, *sk = NULL;
    uint8_t ipub[SM_EC_PUB_MAX], spub[SM_EC_PUB_MAX];
    size_t il = 0, sl = 0;
    struct sm_gpcert c, dec;
    struct sm_buf b = SM_BUF_INIT;

    assert_int_equal(sm_ec_keygen(SM_CURVE_BRAINPOOLP256R1, &sm_rng_system, &ik, ipub, &il), 0);
    assert_int_equal(sm_ec_keygen(SM_CURVE_BRAINPOOLP256R1, &sm_rng_system, &sk, spub, &sl), 0);
    full_fields(&c);
    c.curve = SM_CURVE_BRAINPOOLP256R1;
    memcpy(c.pub, spub, sl);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_BRAINPOOLP256R1, ik->data, ik->len, &b), 0);
    assert_non_null(memmem(b.data, b.len, "\xf0\x01\x03\x5f\x37\x40", 6));
    assert_int_equal(sm_gpcert_decode(b.data, b.len, &dec, NULL), 0);
    assert_int_equal(dec.curve, SM_CURVE_BRAINPOOLP256R1);
    assert_memory_equal(dec.pub, spub, 65);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_BRAINPOOLP256R1, ipub, il), 0);
    assert_int_equal(sm_gpcert_verify(&dec, SM_CURVE_P256, ipub, il), -EINVAL);
    /* without F0 the key would read as P-256: refused */
    c.has_param_ref = false;
    sm_buf_reset(&b);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_BRAINPOOLP256R1, ik->data, ik->len, &b),
                     -EINVAL);
    assert_int_equal(b.len, 0);
    sm_buf_free(&b);
    sm_secret_free(ik);
    sm_secret_free(sk);
}

static void encode_rejects(void **state)
{
    uint8_t d[32];
    struct sm_gpcert c;
    struct sm_buf b = SM_BUF_INIT;

    hx(CI_D, d, 32);
    assert_int_equal(sm_buf_append(&b, "z", 1), 0);
#define REJECT(mutation)                                                                           \
    do {                                                                                           \
        full_fields(&c);                                                                           \
        mutation;                                                                                  \
        assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, &b), -EINVAL);            \
        assert_int_equal(b.len, 1);                                                                \
    } while (0)
    REJECT(c.serial_len = 0);
    REJECT(c.serial_len = 21);
    REJECT(c.ca_id_len = 0);
    REJECT(c.ca_id_len = 33);
    REJECT(c.subject_id_len = 0);
    REJECT(c.subject_id_len = 33);
    REJECT(c.key_usage_len = 0);
    REJECT(c.key_usage_len = 3);
    REJECT(c.aki_len = 33);
    REJECT(c.discretionary_len = 129);
    REJECT(c.expiration = 21451301);
    REJECT(c.effective = 20170230);
    REJECT(c.effective = 21450102);
    REJECT(c.pub[64] ^= 1);
    REJECT(c.pub_len = 64);
    REJECT(c.curve = (enum sm_curve)1);
    /* discretionary data that would not decode: truncated TLV, C8 of 2 bytes */
    REJECT((memcpy(c.discretionary, "\xc8\x05\x01", 3), c.discretionary_len = 3));
    REJECT((memcpy(c.discretionary, "\xc8\x02\x01\x02", 4), c.discretionary_len = 4));
    /* issuer key 0, issuer key = n, unsupported issuer curve */
    full_fields(&c);
    memset(d, 0, 32);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, &b), -EINVAL);
    assert_int_equal(b.len, 1);
    hx(CI_D, d, 32);
    assert_int_equal(sm_gpcert_encode_sign(&c, (enum sm_curve)1, d, 32, &b), -EINVAL);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, NULL, 32, &b), -EINVAL);
    assert_int_equal(sm_gpcert_encode_sign(NULL, SM_CURVE_P256, d, 32, &b), -EINVAL);
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, NULL), -EINVAL);
    assert_int_equal(b.len, 1);
    /* given discretionary data is sent as is, type and AKI ignored */
    full_fields(&c);
    memcpy(c.discretionary, "\xc8\x01\x01", 3);
    c.discretionary_len = 3;
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, d, 32, &b), 0);
    assert_non_null(memmem(b.data, b.len, "\x73\x03\xc8\x01\x01\x7f\x49", 7));
#undef REJECT
    sm_buf_free(&b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(card_layout),        cmocka_unit_test(round_trip),
    cmocka_unit_test(wrong_key_rejected), cmocka_unit_test(every_truncation),
    cmocka_unit_test(element_order),      cmocka_unit_test(bad_dates),
    cmocka_unit_test(date_checks),        cmocka_unit_test(decode_values),
    cmocka_unit_test(brainpool_cert),     cmocka_unit_test(encode_rejects),
};

SM_TEST_MAIN(tests, NULL, NULL)
