/* SPDX-License-Identifier: Apache-2.0 */
/* SCP80 (TS 102 225 / 31.115): both directions, every PoR status the card can derive. */
#include <errno.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/hex.h"
#include "sm/scp80.h"

/* pySim test_ota.py, sysmoISIM-SJA5 AES key set (tests/vectors/scp80.json) */
static uint8_t kic[16], kid[16];
static struct sm_scp80_keys keys;
static const struct sm_scp80_header aes_hdr = {{0x06, 0x19}, 0x22, 0x22, {0xb0, 0x00, 0x11}};
static const uint8_t apdu[] = {0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00};
static const uint8_t zero_cntr[5];

static int setup(void **state)
{
    sm_hex_decode("200102030405060708090a0b0c0d0e0f", kic, 16);
    sm_hex_decode("201102030405060708090a0b0c0d0e0f", kid, 16);
    keys = (struct sm_scp80_keys){kic, 16, kid, 16};
    return 0;
}

static void known_answer(void **state)
{
    struct sm_buf out = SM_BUF_INIT;
    struct sm_scp80_command c;
    uint8_t status;
    char hex[200];

    assert_int_equal(sm_scp80_wrap_command(&aes_hdr, zero_cntr, &keys, apdu, sizeof(apdu), &out),
                     0);
    sm_hex_encode(out.data, out.len, hex);
    assert_string_equal(hex, "00281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c3"
                             "7ca3e72ec4432e5058");
    assert_int_equal(sm_scp80_unwrap_command(out.data, out.len, &keys, &c, &status, NULL), 0);
    assert_int_equal(status, SM_POR_OK);
    assert_int_equal(c.data.len, sizeof(apdu));
    assert_memory_equal(c.data.data, apdu, sizeof(apdu));
    assert_int_equal(c.pcntr, 0x0b);
    sm_scp80_command_free(&c);
    sm_buf_free(&out);
}

/* Unwrap a modified packet and expect rc and status. */
static void expect(const struct sm_buf *pkt, int rc, uint8_t status)
{
    struct sm_scp80_command c;
    struct sm_decode_err err = {0};
    uint8_t st = 0xee;

    assert_int_equal(sm_scp80_unwrap_command(pkt->data, pkt->len, &keys, &c, &st, &err), rc);
    assert_int_equal(st, status);
    sm_scp80_command_free(&c);
}

static void card_refusals(void **state)
{
    struct sm_scp80_header h = {{0x16, 0x39}, 0x12, 0x12, {0, 0, 1}}; /* SGP.02 ISD-R over SMS */
    struct sm_scp80_keys k2 = keys;
    struct sm_buf pkt = SM_BUF_INIT, bad = SM_BUF_INIT;
    uint8_t cntr[5] = {0, 0, 0, 0, 7};

    assert_int_equal(sm_scp80_wrap_command(&h, cntr, &keys, apdu, sizeof(apdu), &pkt), 0);
    expect(&pkt, 0, SM_POR_OK);
    /* a flipped bit anywhere in the secured part: checksum or cipher error, never accepted */
    for (size_t i = 10; i < pkt.len; i++) {
        struct sm_scp80_command c;
        uint8_t st;

        sm_buf_reset(&bad);
        sm_buf_append(&bad, pkt.data, pkt.len);
        bad.data[i] ^= 0x01;
        assert_true(sm_scp80_unwrap_command(bad.data, bad.len, &keys, &c, &st, NULL) < 0);
        assert_true(st == SM_POR_CC_FAILED || st == SM_POR_CIPHER_ERROR);
        sm_scp80_command_free(&c);
    }
    /* the wrong key set: checksum failure */
    k2.kid = kic;
    {
        struct sm_scp80_command c;
        uint8_t st;

        assert_int_equal(sm_scp80_unwrap_command(pkt.data, pkt.len, &k2, &c, &st, NULL),
                         -EKEYREJECTED);
        assert_int_equal(st, SM_POR_CC_FAILED);
    }
    /* every truncation */
    for (size_t n = 0; n < pkt.len; n++) {
        struct sm_scp80_command c;
        uint8_t st;

        assert_true(sm_scp80_unwrap_command(pkt.data, n, &keys, &c, &st, NULL) < 0);
        sm_scp80_command_free(&c);
    }
    /* CPL and CHL must be consistent */
    sm_buf_reset(&bad);
    sm_buf_append(&bad, pkt.data, pkt.len);
    bad.data[1]++;
    expect(&bad, -EBADMSG, SM_POR_SECURITY_ERROR);
    bad.data[1]--;
    bad.data[2] = 0x0d;
    expect(&bad, -EBADMSG, SM_POR_SECURITY_ERROR);
    /* algorithms we do not offer: single DES, RC, DS */
    bad.data[2] = 0x15;
    bad.data[5] = 0x11;
    expect(&bad, -ENOTSUP, SM_POR_SECURITY_ERROR);
    bad.data[5] = 0x12;
    bad.data[3] = 0x15; /* RC */
    expect(&bad, -ENOTSUP, SM_POR_SECURITY_ERROR);
    assert_int_equal(sm_scp80_wrap_command(&(struct sm_scp80_header){{0x13, 0}, 0x12, 0x12, {0}},
                                           cntr, &keys, apdu, sizeof(apdu), &bad),
                     -ENOTSUP);
    sm_buf_free(&pkt);
    sm_buf_free(&bad);
}

static void padding_counter_checked(void **state)
{
    struct sm_scp80_header h = {{0x02, 0x00}, 0x12, 0x12, {0, 0, 1}}; /* CC only */
    struct sm_buf pkt = SM_BUF_INIT;

    assert_int_equal(sm_scp80_wrap_command(&h, zero_cntr, &keys, apdu, sizeof(apdu), &pkt), 0);
    /* without ciphering no padding may be announced */
    pkt.data[15] = 1;
    expect(&pkt, -EPROTO, SM_POR_CIPHER_ERROR);
    sm_buf_free(&pkt);
}

static void counters(void **state)
{
    uint8_t b[5];

    /* must be higher */
    assert_int_equal(sm_scp80_check_counter(0x16, 5, 6), SM_POR_OK);
    assert_int_equal(sm_scp80_check_counter(0x16, 5, 100), SM_POR_OK);
    assert_int_equal(sm_scp80_check_counter(0x16, 5, 5), SM_POR_CNTR_LOW); /* replay */
    assert_int_equal(sm_scp80_check_counter(0x16, 5, 4), SM_POR_CNTR_LOW);
    assert_int_equal(sm_scp80_check_counter(0x16, 0xffffffffffull, 0), SM_POR_CNTR_BLOCKED);
    /* exactly one higher */
    assert_int_equal(sm_scp80_check_counter(0x1e, 5, 6), SM_POR_OK);
    assert_int_equal(sm_scp80_check_counter(0x1e, 5, 7), SM_POR_CNTR_HIGH);
    assert_int_equal(sm_scp80_check_counter(0x1e, 5, 5), SM_POR_CNTR_LOW);
    /* not checked */
    assert_int_equal(sm_scp80_check_counter(0x0e, 5, 1), SM_POR_OK);
    assert_int_equal(sm_scp80_check_counter(0x06, 5, 1), SM_POR_OK);
    sm_scp80_cntr_bytes(0x0102030405ull, b);
    assert_memory_equal(b, "\x01\x02\x03\x04\x05", 5);
    assert_true(sm_scp80_cntr_value(b) == 0x0102030405ull);
    assert_string_equal(sm_por_status_text(SM_POR_CNTR_LOW), "CNTR low");
    assert_string_equal(sm_por_status_text(0x7f), "reserved status");
}

static void por_both_ways(void **state)
{
    static const uint8_t rsp[] = {0xab, 0x07, 0x80, 0x01, 0x01, 0x23, 0x02, 0x90, 0x00};
    const uint8_t spi2s[] = {0x00, 0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x39};
    struct sm_buf por = SM_BUF_INIT;
    uint8_t cntr[5] = {0, 0, 0, 1, 0x23};

    for (size_t i = 0; i < sizeof(spi2s); i++) {
        struct sm_scp80_header h = {{0x16, spi2s[i]}, 0x12, 0x12, {0, 0, 1}};
        struct sm_scp80_por p;

        sm_buf_reset(&por);
        assert_int_equal(sm_scp80_wrap_por(&h, cntr, SM_POR_OK, &keys, rsp, sizeof(rsp), &por), 0);
        assert_memory_equal(por.data, "\x02\x71\x00", 3);
        assert_int_equal(
            sm_scp80_unwrap_por(h.spi, h.kic, h.kid, &keys, por.data, por.len, &p, NULL), 0);
        assert_int_equal(p.status, SM_POR_OK);
        assert_memory_equal(p.cntr, cntr, 5);
        assert_memory_equal(p.tar, h.tar, 3);
        assert_int_equal(p.data.len, sizeof(rsp));
        assert_memory_equal(p.data.data, rsp, sizeof(rsp));
        assert_int_equal(p.protected_cc, (spi2s[i] & 0x08) != 0);
        assert_int_equal(p.deciphered, (spi2s[i] & 0x10) != 0);
        sm_scp80_por_free(&p);
        /* without its UDH it unwraps the same */
        assert_int_equal(
            sm_scp80_unwrap_por(h.spi, h.kic, h.kid, &keys, por.data + 3, por.len - 3, &p, NULL),
            0);
        sm_scp80_por_free(&p);
        /* a flipped bit in a protected PoR is caught */
        if (spi2s[i] & 0x08) {
            por.data[por.len - 1] ^= 0x80;
            assert_true(
                sm_scp80_unwrap_por(h.spi, h.kic, h.kid, &keys, por.data, por.len, &p, NULL) < 0);
            sm_scp80_por_free(&p);
        }
        /* truncations */
        for (size_t n = 0; n < por.len; n++) {
            assert_true(sm_scp80_unwrap_por(h.spi, h.kic, h.kid, &keys, por.data, n, &p, NULL) < 0);
            sm_scp80_por_free(&p);
        }
    }
    /* a card that reports an error unprotected although CC was asked for */
    {
        struct sm_scp80_header asked = {{0x16, 0x39}, 0x12, 0x12, {0, 0, 1}};
        struct sm_scp80_header plain = asked;
        struct sm_scp80_por p;

        plain.spi[1] = 0x01;
        sm_buf_reset(&por);
        assert_int_equal(sm_scp80_wrap_por(&plain, cntr, SM_POR_CC_FAILED, &keys, NULL, 0, &por),
                         0);
        assert_int_equal(sm_scp80_unwrap_por(asked.spi, asked.kic, asked.kid, &keys, por.data,
                                             por.len, &p, NULL),
                         0);
        assert_int_equal(p.status, SM_POR_CC_FAILED);
        assert_false(p.protected_cc);
        sm_scp80_por_free(&p);
    }
    sm_buf_free(&por);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(known_answer),
    cmocka_unit_test(card_refusals),
    cmocka_unit_test(padding_counter_checked),
    cmocka_unit_test(counters),
    cmocka_unit_test(por_both_ways),
};

SM_TEST_MAIN(tests, setup, NULL)
