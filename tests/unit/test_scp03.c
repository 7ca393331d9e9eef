/* SPDX-License-Identifier: Apache-2.0 */
/* SCP03 and SCP03t: a second known answer (GP Pro trace), and every refusal on both sides. */
#include <errno.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/hex.h"
#include "sm/scp03.h"

static uint8_t key40[16];
static const struct sm_scp03_keys *k40;
static struct sm_scp03_keys k40s;

static int setup(void **state)
{
    sm_hex_decode("404142434445464748494a4b4c4d4e4f", key40, 16);
    k40s = (struct sm_scp03_keys){key40, key40, key40, 16};
    k40 = &k40s;
    return 0;
}

static void unhex(const char *h, uint8_t *out)
{
    sm_hex_decode(h, out, 256);
}

static void hexeq(const uint8_t *p, size_t n, const char *want)
{
    char got[600];

    sm_hex_encode(p, n, got);
    assert_string_equal(got, want);
}

/* GlobalPlatformPro trace (spec es5 4.6a): KVN 01, i = 70, level 01 */
static void gppro_trace(void **state)
{
    uint8_t hc[8], rsp[32], aid[8], cc[8];
    struct sm_scp03_session s = {0};
    struct sm_buf apdu = SM_BUF_INIT;

    unhex("fe0530cf61baa9f3", hc);
    unhex("0370000000000000000001037083fa042c5c10f778148c0caf84b0e110000002", rsp);
    unhex("a000000151000000", aid);
    assert_int_equal(sm_scp03_host_init(&s, k40, hc, rsp, 32, NULL), 0);
    hexeq(s.s_enc, 16, "7392646744df8721131c4a995a845bae");
    hexeq(s.s_mac, 16, "cd9f750e543e0cf862b0ea73e3812113");
    hexeq(s.s_rmac, 16, "d1b695d89de01992b6cb238bdfb006d9");
    hexeq(s.host_cryptogram, 8, "7b54e3b21e27da5f");
    assert_int_equal(sm_scp03_external_authenticate(&s, 0x01, &apdu), 0);
    hexeq(apdu.data, apdu.len, "84820100107b54e3b21e27da5ffca958062c7ca0c5");
    sm_scp03_clear(&s);
    sm_buf_free(&apdu);
    assert_int_equal(sm_scp03_card_challenge(key40, 16, rsp + 29, aid, 8, cc), 0);
    hexeq(cc, 8, "83fa042c5c10f778");
}

static void host_refusals(void **state)
{
    uint8_t hc[8], rsp[32];
    struct sm_scp03_session s;
    struct sm_decode_err err;
    struct sm_buf out = SM_BUF_INIT;

    unhex("fe0530cf61baa9f3", hc);
    unhex("0370000000000000000001037083fa042c5c10f778148c0caf84b0e110000002", rsp);
    rsp[21] ^= 1; /* card cryptogram */
    assert_int_equal(sm_scp03_host_init(&s, k40, hc, rsp, 32, &err), -EKEYREJECTED);
    rsp[21] ^= 1;
    rsp[11] = 0x02; /* SCP02 */
    assert_int_equal(sm_scp03_host_init(&s, k40, hc, rsp, 32, &err), -EPROTO);
    rsp[11] = 0x03;
    assert_int_equal(sm_scp03_host_init(&s, k40, hc, rsp, 30, &err), -EBADMSG);
    assert_int_equal(sm_scp03_host_init(&s, k40, hc, rsp, 32, NULL), 0);
    /* not authenticated yet: no wrapping */
    assert_int_equal(sm_scp03_wrap(&s, (const uint8_t *)"\x80\xf2\x20\x02", 4, &out), -EPERM);
    /* levels that do not exist */
    assert_int_equal(sm_scp03_external_authenticate(&s, 0x02, &out), -EINVAL);
    assert_int_equal(sm_scp03_external_authenticate(&s, 0x21, &out), -EINVAL);
    assert_int_equal(sm_scp03_external_authenticate(&s, 0x40, &out), -EINVAL);
    assert_int_equal(sm_scp03_kdf(key40, 16, 4, hc, 8, 12, rsp), -EINVAL);
    sm_scp03_clear(&s);
    sm_buf_free(&out);
}

/* A host and a card talking at level 33 through every kind of APDU. */
static void host_card_level33(void **state)
{
    static const uint8_t seq[3] = {0, 0, 1},
                         aid[16] = {0xa0, 0,    0,    5,    0x59, 0x10, 0x10, 0xff,
                                    0xff, 0xff, 0xff, 0x89, 0,    0,    0x13, 0};
    static const uint8_t div[10];
    uint8_t hc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct sm_scp03_session host, card;
    struct sm_buf a = SM_BUF_INIT, w = SM_BUF_INIT, p = SM_BUF_INIT, r = SM_BUF_INIT;
    const char *cmds[] = {"80f22002", "80ca00e000", "80e2880003aabbcc",
                          "80e2910010000102030405060708090a0b0c0d0e0f00"};

    assert_int_equal(sm_scp03_card_init(&card, k40, 0x30, 0x70, seq, aid, 16, div, hc, &a), 0);
    assert_int_equal(a.len, 32);
    assert_int_equal(sm_scp03_host_init(&host, k40, hc, a.data, a.len, NULL), 0);
    sm_buf_reset(&a);
    assert_int_equal(sm_scp03_external_authenticate(&host, 0x33, &a), 0);
    assert_int_equal(sm_scp03_card_external_authenticate(&card, a.data, a.len, NULL), 0);
    for (size_t i = 0; i < 4; i++) {
        uint8_t plain[64];
        size_t n = strlen(cmds[i]) / 2;
        uint16_t sw = 0x9000;

        unhex(cmds[i], plain);
        sm_buf_reset(&w);
        sm_buf_reset(&p);
        sm_buf_reset(&r);
        assert_int_equal(sm_scp03_wrap(&host, plain, n, &w), 0);
        assert_int_equal(w.data[0], 0x84);
        assert_int_equal(sm_scp03_card_unwrap(&card, w.data, w.len, &p, NULL), 0);
        assert_int_equal(p.len, n);
        assert_memory_equal(p.data, plain, n);
        /* response with data, encrypted and MACed; then back */
        assert_int_equal(sm_scp03_card_wrap_response(&card, plain, n, sw, &r), 0);
        sm_buf_reset(&p);
        assert_int_equal(sm_scp03_unwrap_response(&host, r.data, r.len - 2, sw, &p), 0);
        assert_memory_equal(p.data, plain, n);
        /* an R-MAC that does not verify */
        r.data[r.len - 3] ^= 1;
        sm_buf_reset(&p);
        assert_int_equal(sm_scp03_unwrap_response(&host, r.data, r.len - 2, sw, &p), -EKEYREJECTED);
    }
    /* error status words travel without protection */
    sm_buf_reset(&r);
    assert_int_equal(sm_scp03_card_wrap_response(&card, NULL, 0, 0x6985, &r), 0);
    assert_int_equal(r.len, 2);
    sm_buf_reset(&p);
    assert_int_equal(sm_scp03_unwrap_response(&host, NULL, 0, 0x6985, &p), 0);
    /* a tampered command ends the card's session */
    sm_buf_reset(&w);
    assert_int_equal(sm_scp03_wrap(&host, (const uint8_t *)"\x80\xf2\x20\x02", 4, &w), 0);
    w.data[w.len - 1] ^= 1;
    sm_buf_reset(&p);
    assert_int_equal(sm_scp03_card_unwrap(&card, w.data, w.len, &p, NULL), -EKEYREJECTED);
    assert_false(card.authenticated);
    assert_int_equal(sm_scp03_card_unwrap(&card, w.data, w.len, &p, NULL), -EPERM);
    sm_scp03_clear(&host);
    sm_scp03_clear(&card);
    sm_buf_free(&a);
    sm_buf_free(&w);
    sm_buf_free(&p);
    sm_buf_free(&r);
}

static void card_external_authenticate_refusals(void **state)
{
    static const uint8_t seq[3] = {0, 0, 2}, aid[8] = {0xa0, 0, 0, 1, 0x51, 0, 0, 0};
    static const uint8_t div[10];
    uint8_t hc[8] = {9};
    struct sm_scp03_session host, card;
    struct sm_buf a = SM_BUF_INIT;

    assert_int_equal(sm_scp03_card_init(&card, k40, 0x30, 0x70, seq, aid, 8, div, hc, &a), 0);
    assert_int_equal(sm_scp03_host_init(&host, k40, hc, a.data, a.len, NULL), 0);
    sm_buf_reset(&a);
    assert_int_equal(sm_scp03_external_authenticate(&host, 0x33, &a), 0);
    a.data[a.len - 1] ^= 1;
    assert_int_equal(sm_scp03_card_external_authenticate(&card, a.data, a.len, NULL),
                     -EKEYREJECTED);
    a.data[a.len - 1] ^= 1;
    a.data[6] ^= 1; /* host cryptogram */
    assert_int_equal(sm_scp03_card_external_authenticate(&card, a.data, a.len, NULL),
                     -EKEYREJECTED);
    a.data[6] ^= 1;
    a.data[2] = 0x20; /* R-ENC without R-MAC */
    assert_int_equal(sm_scp03_card_external_authenticate(&card, a.data, a.len, NULL), -EINVAL);
    assert_int_equal(sm_scp03_card_external_authenticate(&card, a.data, 10, NULL), -EBADMSG);
    /* random card challenges are not offered (SGP.02 uses i = 70) */
    sm_buf_reset(&a);
    assert_int_equal(sm_scp03_card_init(&card, k40, 0x30, 0x60, seq, aid, 8, div, hc, &a),
                     -ENOTSUP);
    sm_scp03_clear(&host);
    sm_scp03_clear(&card);
    sm_buf_free(&a);
}

/* SCP03t: the recorded test-eUICC 84/85 (spec es5 4.6b) and the error TLVs both ways. */
static void scp03t_session_and_errors(void **state)
{
    uint8_t kenc[16], kmac[16], hc[8], aid[16], seq[3] = {0, 0, 1}, cerr;
    struct sm_scp03_keys k;
    struct sm_scp03_session dp, card;
    struct sm_buf a = SM_BUF_INIT, b = SM_BUF_INIT, pt = SM_BUF_INIT;
    uint8_t seg[1000];

    unhex("eff404fa0bb2ebd0d90b4ae2907dc568", kenc);
    unhex("f5f2f673c2468ac5ce2d13cb65c02d0e", kmac);
    unhex("ea8dd0473629b266", hc);
    unhex("a0000005591010ffffffff8900001300", aid);
    k = (struct sm_scp03_keys){kenc, kmac, NULL, 16};
    assert_int_equal(sm_scp03t_cmd_84(0x30, hc, &a), 0);
    hexeq(a.data, a.len, "840a3000ea8dd0473629b266");
    /* a key set the card does not have */
    assert_int_equal(sm_scp03t_card_84(&card, &k, 0x31, seq, aid, 16, a.data, a.len, &b), -ENOKEY);
    hexeq(b.data, b.len, "9f440103");
    assert_int_equal(sm_scp03t_host_84(&dp, &k, hc, b.data, b.len, &cerr, NULL), -EPROTO);
    assert_int_equal(cerr, SM_SCP03T_ERR_NO_KEYSET);
    sm_buf_reset(&b);
    assert_int_equal(sm_scp03t_card_84(&card, &k, 0x30, seq, aid, 16, a.data, a.len - 1, &b),
                     -EBADMSG);
    hexeq(b.data, b.len, "9f440101");
    sm_buf_reset(&b);
    assert_int_equal(sm_scp03t_card_84(&card, &k, 0x30, seq, aid, 16, a.data, a.len, &b), 0);
    hexeq(b.data, b.len, "842000000000000000000000300370491e6e833e81357c1ee486a19560ccef000001");
    assert_int_equal(sm_scp03t_host_84(&dp, &k, hc, b.data, b.len, &cerr, NULL), 0);
    /* 85 with a wrong MAC, then the right one */
    sm_buf_reset(&a);
    sm_buf_reset(&b);
    assert_int_equal(sm_scp03t_cmd_85(&dp, 0x33, &a), 0);
    hexeq(a.data, a.len, "85113323889d58bc82cb2f4a5719400433e2b6");
    a.data[a.len - 1] ^= 1;
    assert_int_equal(sm_scp03t_card_85(&card, a.data, a.len, &b), -EKEYREJECTED);
    hexeq(b.data, b.len, "9f450102");
    assert_int_equal(sm_scp03t_host_check(&dp, 0x85, b.data, b.len, NULL, &cerr, NULL), -EPROTO);
    assert_int_equal(cerr, SM_SCP03T_ERR_SECURITY);
    a.data[a.len - 1] ^= 1;
    sm_buf_reset(&b);
    assert_int_equal(sm_scp03t_card_85(&card, a.data, a.len, &b), 0);
    hexeq(b.data, b.len, "8500");
    /* an 86 segment, then a tampered one that ends the session */
    memset(seg, 0x5a, sizeof(seg));
    sm_buf_reset(&a);
    sm_buf_reset(&b);
    assert_int_equal(sm_scp03t_wrap(&dp, 0x86, seg, sizeof(seg), true, &a), 0);
    assert_memory_equal(a.data, "\x86\x82\x03\xf8", 4);
    assert_int_equal(sm_scp03t_card_86(&card, a.data, a.len, &pt, &b), 0);
    hexeq(b.data, b.len, "8600");
    assert_int_equal(pt.len, sizeof(seg));
    assert_memory_equal(pt.data, seg, sizeof(seg));
    sm_buf_reset(&a);
    sm_buf_reset(&b);
    assert_int_equal(sm_scp03t_wrap(&dp, 0x86, seg, 100, true, &a), 0);
    a.data[10] ^= 1;
    assert_int_equal(sm_scp03t_card_86(&card, a.data, a.len, &pt, &b), -EKEYREJECTED);
    hexeq(b.data, b.len, "9f460102");
    sm_buf_reset(&b);
    assert_int_equal(sm_scp03t_card_86(&card, a.data, 3, &pt, &b), -EBADMSG);
    hexeq(b.data, b.len, "9f460101");
    sm_buf_reset(&b);
    a.data[10] ^= 1;
    assert_int_equal(sm_scp03t_card_86(&card, a.data, a.len, &pt, &b), -EPERM);
    /* the SM-DP side reads every answer form */
    assert_int_equal(
        sm_scp03t_host_check(&dp, 0x86, (const uint8_t *)"\x86\x00", 2, NULL, &cerr, NULL), 0);
    assert_int_equal(
        sm_scp03t_host_check(&dp, 0x86, (const uint8_t *)"\x9f\x46\x01\x01", 4, NULL, &cerr, NULL),
        -EPROTO);
    assert_int_equal(cerr, SM_SCP03T_ERR_STRUCTURE);
    assert_int_equal(sm_scp03t_host_check(&dp, 0x86, (const uint8_t *)"\x86\x03\x01\x02\x03", 5,
                                          NULL, &cerr, NULL),
                     -EBADMSG);
    assert_int_equal(
        sm_scp03t_host_check(&dp, 0x86, (const uint8_t *)"\x87\x00", 2, NULL, &cerr, NULL),
        -EBADMSG);
    sm_scp03_clear(&dp);
    sm_scp03_clear(&card);
    sm_buf_free(&a);
    sm_buf_free(&b);
    sm_buf_free(&pt);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(gppro_trace),
    cmocka_unit_test(host_refusals),
    cmocka_unit_test(host_card_level33),
    cmocka_unit_test(card_external_authenticate_refusals),
    cmocka_unit_test(scp03t_session_and_errors),
};

SM_TEST_MAIN(tests, setup, NULL)
