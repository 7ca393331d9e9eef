/* SPDX-License-Identifier: Apache-2.0 */
/* BER-TLV and DGI: encodings, and every strictness rule with its offset. */
#include <errno.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/hex.h"
#include "sm/tlv.h"

static size_t unhex(const char *h, uint8_t *out)
{
    return (size_t)sm_hex_decode(h, out, 512);
}

static void expect_bad(const char *hex, size_t offset, const char *fragment)
{
    uint8_t b[512];
    size_t n = unhex(hex, b);
    struct sm_decode_err err = {0};
    struct sm_tlv t;

    assert_int_equal(sm_tlv_parse_one(b, n, &t, &err), -EBADMSG);
    if (err.offset != offset || !strstr(err.msg, fragment))
        fail_msg("%s: got offset %zu '%s', expected %zu '%s'", hex, err.offset, err.msg, offset,
                 fragment);
}

static void parse_forms(void **state)
{
    uint8_t b[512];
    struct sm_tlv t;
    size_t n;

    n = unhex("4f10a0000005591010ffffffff8900000100", b);
    assert_int_equal(sm_tlv_parse_one(b, n, &t, NULL), 0);
    assert_int_equal(t.tag, 0x4f);
    assert_false(t.constructed);
    assert_int_equal(t.len, 16);
    assert_int_equal(t.size, 18);
    n = unhex("7f2103930102", b);
    assert_int_equal(sm_tlv_parse_one(b, n, &t, NULL), 0);
    assert_int_equal(t.tag, 0x7f21);
    assert_true(t.constructed);
    n = unhex("bf3e035c015a", b);
    assert_int_equal(sm_tlv_parse_one(b, n, &t, NULL), 0);
    assert_int_equal(t.tag, 0xbf3e);
    n = unhex("9f7001 0f", b);
    (void)n;
    n = unhex("9f70010f", b);
    assert_int_equal(sm_tlv_parse_one(b, n, &t, NULL), 0);
    assert_int_equal(t.tag, 0x9f70);
    assert_int_equal(t.value[0], 0x0f);
    /* three-byte tag (BF 1F = df-5gprose in SAIP; BF 81 01 is a 3-byte tag) */
    n = unhex("bf810100", b);
    assert_int_equal(sm_tlv_parse_one(b, n, &t, NULL), 0);
    assert_int_equal(t.tag, 0xbf8101);
    assert_int_equal(t.len, 0);
    /* long lengths */
    memset(b, 0, sizeof(b));
    b[0] = 0x86;
    b[1] = 0x81;
    b[2] = 0x80;
    assert_int_equal(sm_tlv_parse_one(b, 3 + 0x80, &t, NULL), 0);
    assert_int_equal(t.len, 0x80);
    b[1] = 0x82;
    b[2] = 0x01;
    b[3] = 0x00;
    assert_int_equal(sm_tlv_parse_one(b, 4 + 0x100, &t, NULL), 0);
    assert_int_equal(t.len, 0x100);
}

static void strictness(void **state)
{
    expect_bad("", 0, "empty");
    expect_bad("4f", 1, "missing length");
    expect_bad("4f05aabb", 0, "only 2 left");
    expect_bad("4f01aabb", 3, "1 trailing");
    expect_bad("4f817f"
               "00",
               1, "shortest form");
    expect_bad("4f820050", 1, "shortest form");
    expect_bad("4f80", 1, "indefinite");
    expect_bad("4f8401000000", 1, "length field of 4");
    expect_bad("4f82ff", 1, "truncated length");
    expect_bad("5f", 1, "truncated tag");
    expect_bad("5f81", 2, "truncated tag");
    expect_bad("5f81818100", 0, "longer than 3");
    expect_bad("0001aa", 0, "invalid tag byte 00");
    /* FF starts a multi-byte tag (GP FF21): alone it is a truncated tag */
    expect_bad("ff", 1, "truncated tag");
}

/* The card resources answer of a real eUICC (GET DATA FF21, es5 spec 1.2). */
static void ff21_card_resources(void **state)
{
    uint8_t b[512];
    size_t n = unhex("ff210d810101820400077e3083023a92", b);
    struct sm_decode_err err;
    struct sm_tlv t, f;

    (void)state;
    assert_int_equal(sm_tlv_parse_one(b, n, &t, &err), 0);
    assert_int_equal(t.tag, 0xFF21);
    assert_true(t.constructed);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x83, &f, &err), 0);
    assert_int_equal(f.len, 2);
}

static void lists_and_find(void **state)
{
    uint8_t b[64];
    size_t n = unhex("80010a8102abcd8200", b);
    struct sm_decode_err err;
    struct sm_tlv t;
    size_t pos = 0;
    int count = 0;

    assert_int_equal(sm_tlv_check_list(b, n, NULL), 0);
    while (sm_tlv_next(b, n, &pos, &t, NULL) == 0)
        count++;
    assert_int_equal(count, 3);
    assert_int_equal(sm_tlv_find(b, n, 0x81, &t, NULL), 0);
    assert_int_equal(t.len, 2);
    assert_int_equal(t.offset, 3);
    assert_int_equal(sm_tlv_find(b, n, 0x83, &t, NULL), -ENOENT);
    assert_int_equal(sm_tlv_check_list(b, n - 1, &err), -EBADMSG);
    assert_int_equal(err.offset, 8); /* where the length of "82" should be */
    assert_int_equal(sm_tlv_check_list(b, 0, NULL), 0);
}

static void encode(void **state)
{
    struct sm_buf b = SM_BUF_INIT;
    uint8_t big[300] = {0};
    char hex[80];
    size_t mark;

    assert_int_equal(sm_tlv_put_u8(&b, 0x95, 0x10), 0);
    assert_int_equal(sm_tlv_put(&b, 0x7f49, "\x04", 1), 0);
    sm_hex_encode(b.data, b.len, hex);
    assert_string_equal(hex, "9501107f490104");
    sm_buf_reset(&b);
    assert_int_equal(sm_tlv_put(&b, 0x86, big, 0x7f), 0);
    assert_int_equal(b.data[1], 0x7f);
    sm_buf_reset(&b);
    assert_int_equal(sm_tlv_put(&b, 0x86, big, 0x80), 0);
    assert_memory_equal(b.data, "\x86\x81\x80", 3);
    sm_buf_reset(&b);
    assert_int_equal(sm_tlv_put(&b, 0x86, big, 300), 0);
    assert_memory_equal(b.data, "\x86\x82\x01\x2c", 4);
    /* nesting by wrapping what was appended */
    sm_buf_reset(&b);
    mark = b.len;
    sm_tlv_put_u8(&b, 0x80, 0x88);
    sm_tlv_put_u8(&b, 0x81, 0x10);
    assert_int_equal(sm_tlv_wrap(&b, mark, 0xa6), 0);
    sm_hex_encode(b.data, b.len, hex);
    assert_string_equal(hex, "a606800188810110");
    /* invalid tags are refused */
    assert_int_equal(sm_tlv_put(&b, 0x1f, NULL, 0), -EINVAL);
    assert_int_equal(sm_tlv_put(&b, 0x5f81, NULL, 0), -EINVAL);
    assert_int_equal(sm_tlv_put(&b, 0x0, NULL, 0), -EINVAL);
    assert_int_equal(sm_tlv_put(&b, 0x1000000, NULL, 0), -EINVAL);
    assert_int_equal(sm_tlv_tag_size(0xbf8101), 3);
    assert_int_equal(sm_tlv_len_size(0x10000), 4);
    sm_buf_free(&b);
}

static void dgi(void **state)
{
    uint8_t b[600];
    struct sm_buf out = SM_BUF_INIT;
    struct sm_decode_err err;
    struct sm_dgi d;
    size_t pos = 0, n;

    /* the card-accepted one-byte form: 3A01 A9 (169 bytes) */
    memset(b, 0x11, sizeof(b));
    b[0] = 0x3a;
    b[1] = 0x01;
    b[2] = 0xa9;
    assert_int_equal(sm_dgi_next(b, 3 + 0xa9, &pos, false, &d, NULL), 0);
    assert_int_equal(d.tag, 0x3a01);
    assert_int_equal(d.len, 0xa9);
    assert_int_equal(pos, 3 + 0xa9);
    assert_int_equal(sm_dgi_next(b, 3 + 0xa9, &pos, false, &d, NULL), -ENODATA);
    /* FF + two bytes */
    b[2] = 0xff;
    b[3] = 0x01;
    b[4] = 0x00;
    pos = 0;
    assert_int_equal(sm_dgi_next(b, 5 + 0x100, &pos, false, &d, NULL), 0);
    assert_int_equal(d.len, 0x100);
    /* the BER reading 3A01 81 A9 only when asked and only when it, and not the one-byte
     * reading (129 bytes), ends exactly at the end of the input */
    b[2] = 0x81;
    b[3] = 0xa9;
    pos = 0;
    assert_int_equal(sm_dgi_next(b, 4 + 0xa9, &pos, false, &d, &err), 0);
    assert_int_equal(d.len, 0x81);
    pos = 0;
    assert_int_equal(sm_dgi_next(b, 4 + 0xa9, &pos, true, &d, NULL), 0);
    assert_int_equal(d.len, 0xa9);
    pos = 0;
    assert_int_equal(sm_dgi_next(b, 3 + 0x80, &pos, true, &d, &err), -EBADMSG);
    pos = 0;
    assert_int_equal(sm_dgi_next(b, 3 + 0x81, &pos, true, &d, NULL), 0);
    assert_int_equal(d.len, 0x81); /* exactly fits the one-byte reading: that one wins */
    /* truncations */
    pos = 0;
    assert_int_equal(sm_dgi_next(b, 2, &pos, false, &d, &err), -EBADMSG);
    b[2] = 0xff;
    pos = 0;
    assert_int_equal(sm_dgi_next(b, 4, &pos, false, &d, &err), -EBADMSG);
    /* encoding */
    assert_int_equal(sm_dgi_put(&out, 0x3a03, "\x4f\x00", 2), 0);
    assert_memory_equal(out.data, "\x3a\x03\x02\x4f\x00", 5);
    sm_buf_reset(&out);
    assert_int_equal(sm_dgi_put(&out, 0x3a01, b, 0xfe), 0);
    assert_int_equal(out.data[2], 0xfe);
    sm_buf_reset(&out);
    assert_int_equal(sm_dgi_put(&out, 0x3a01, b, 0xff), 0);
    assert_memory_equal(out.data, "\x3a\x01\xff\x00\xff", 5);
    n = out.len;
    assert_int_equal(n, 5 + 0xff);
    assert_int_equal(sm_dgi_put_header(&out, 0x3a01, 0x10000), -EINVAL);
    sm_buf_free(&out);
}

/* sm_tlv_check_der: every level of nesting, with absolute offsets in the error. */
static void der_nesting(void **state)
{
    static const uint8_t ok[] = {0x30, 0x08, 0xa0, 0x03, 0x80, 0x01, 0x05, 0x04, 0x01, 0xff};
    static const uint8_t indef[] = {0x30, 0x06, 0xa0, 0x04, 0xa1, 0x80, 0x00, 0x00};
    static const uint8_t overlong[] = {0x7f, 0x49, 0x05, 0x30, 0x81, 0x02, 0x01, 0x00};
    uint8_t deep[2 * 40];
    struct sm_decode_err err;

    (void)state;
    assert_int_equal(sm_tlv_check_der(ok, sizeof(ok), 4, &err), 0);
    assert_int_equal(sm_tlv_check_der(ok, sizeof(ok), 1, &err), -EBADMSG); /* two levels */
    assert_int_equal(sm_tlv_check_der(indef, sizeof(indef), 8, &err), -EBADMSG);
    assert_int_equal(err.offset, 5);
    assert_non_null(strstr(err.msg, "indefinite"));
    assert_int_equal(sm_tlv_check_der(overlong, sizeof(overlong), 8, &err), -EBADMSG);
    assert_int_equal(err.offset, 4);
    /* a primitive value is not descended into, whatever it holds */
    assert_int_equal(sm_tlv_check_der((const uint8_t *)"\x04\x02\xa0\x80", 4, 8, &err), 0);
    for (size_t i = 0; i < 40; i++) {
        deep[2 * i] = 0xa0;
        deep[2 * i + 1] = (uint8_t)(2 * (39 - i));
    }
    assert_int_equal(sm_tlv_check_der(deep, sizeof(deep), 40, &err), 0);
    assert_int_equal(sm_tlv_check_der(deep, sizeof(deep), 39, &err), -EBADMSG);
    assert_int_equal(err.offset, 2 * 39);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(der_nesting),
    cmocka_unit_test(parse_forms),
    cmocka_unit_test(strictness),
    cmocka_unit_test(ff21_card_resources),
    cmocka_unit_test(lists_and_find),
    cmocka_unit_test(encode),
    cmocka_unit_test(dgi),
};

SM_TEST_MAIN(tests, NULL, NULL)
