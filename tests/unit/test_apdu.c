/* SPDX-License-Identifier: Apache-2.0 */
/* C-APDU/R-APDU cases, expanded and compact remote command scripts (ETSI TS 102 226). */
#include <errno.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/apdu.h"
#include "sm/hex.h"

static size_t unhex(const char *h, uint8_t *out)
{
    return (size_t)sm_hex_decode(h, out, 1024);
}

static void hexeq(const struct sm_buf *b, const char *want)
{
    char got[2100];

    sm_hex_encode(b->data, b->len, got);
    assert_string_equal(got, want);
}

static void capdu_cases(void **state)
{
    uint8_t b[300];
    struct sm_capdu a;
    struct sm_buf out = SM_BUF_INIT;
    struct sm_decode_err err;
    size_t n;

    n = unhex("80f22002", b); /* case 1 */
    assert_int_equal(sm_capdu_decode(b, n, &a, NULL), 0);
    assert_int_equal(a.lc, 0);
    assert_false(a.has_le);
    n = unhex("80ca00e000", b); /* case 2, Le 00 = 256 */
    assert_int_equal(sm_capdu_decode(b, n, &a, NULL), 0);
    assert_true(a.has_le);
    assert_int_equal(a.le, 256);
    n = unhex("80e2880015"
              "3a03124f10a0000005591010ffffffff8900001300",
              b); /* case 3 */
    assert_int_equal(sm_capdu_decode(b, n, &a, NULL), 0);
    assert_int_equal(a.lc, 0x15);
    assert_false(a.has_le);
    assert_int_equal(sm_capdu_encode(&a, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, b, n);
    n = unhex("80e2910006bf3e035c015a00", b); /* case 4 */
    assert_int_equal(sm_capdu_decode(b, n, &a, NULL), 0);
    assert_int_equal(a.lc, 6);
    assert_int_equal(a.le, 256);
    sm_buf_reset(&out);
    assert_int_equal(sm_capdu_encode(&a, &out), 0);
    hexeq(&out, "80e2910006bf3e035c015a00");
    /* extended: case 2E, 3E, 4E */
    n = unhex("00b0000000ffff", b);
    assert_int_equal(sm_capdu_decode(b, n, &a, NULL), 0);
    assert_int_equal(a.le, 65535);
    memset(b, 0xab, sizeof(b));
    memcpy(b, "\x80\xe2\x00\x00\x00\x01\x00", 7);
    assert_int_equal(sm_capdu_decode(b, 7 + 256, &a, NULL), 0);
    assert_int_equal(a.lc, 256);
    sm_buf_reset(&out);
    assert_int_equal(sm_capdu_encode(&a, &out), 0);
    assert_int_equal(out.len, 7 + 256);
    b[7 + 256] = 0x00;
    b[7 + 257] = 0x00;
    assert_int_equal(sm_capdu_decode(b, 7 + 258, &a, NULL), 0);
    assert_int_equal(a.le, 65536);
    sm_buf_reset(&out);
    assert_int_equal(sm_capdu_encode(&a, &out), 0);
    assert_int_equal(out.len, 7 + 258);
    /* malformed */
    assert_int_equal(sm_capdu_decode(b, 3, &a, &err), -EBADMSG);
    n = unhex("80e2880005aabb", b);
    assert_int_equal(sm_capdu_decode(b, n, &a, &err), -EBADMSG);
    assert_int_equal(err.offset, 4);
    n = unhex("80e28800000000aa", b); /* extended Lc of zero */
    assert_int_equal(sm_capdu_decode(b, n, &a, &err), -EBADMSG);
    n = unhex("80e2880000", b); /* 00 then nothing: case 2S with Le 256 */
    assert_int_equal(sm_capdu_decode(b, n, &a, NULL), 0);
    n = unhex("80e288000001", b); /* truncated extended length */
    assert_int_equal(sm_capdu_decode(b, n, &a, &err), -EBADMSG);
    a = (struct sm_capdu){0x80, 0xe2, 0, 0, NULL, 3, false, 0};
    assert_int_equal(sm_capdu_encode(&a, &out), -EINVAL);
    sm_buf_free(&out);
}

static void rapdu(void **state)
{
    uint8_t b[8];
    struct sm_rapdu r;
    struct sm_buf out = SM_BUF_INIT;
    size_t n = unhex("85100001"
                     "9000",
                     b);

    assert_int_equal(sm_rapdu_decode(b, n, &r, NULL), 0);
    assert_int_equal(r.sw, 0x9000);
    assert_int_equal(r.len, 4);
    assert_int_equal(sm_rapdu_encode(&r, &out), 0);
    assert_memory_equal(out.data, b, n);
    assert_int_equal(sm_rapdu_decode(b, 1, &r, NULL), -EBADMSG);
    assert_true(sm_sw_ok(0x9000));
    assert_true(sm_sw_ok(0x6310));
    assert_true(sm_sw_ok(0x6120));
    assert_false(sm_sw_ok(0x69e1));
    assert_false(sm_sw_ok(0x6a88));
    sm_buf_free(&out);
}

static void expanded_scripts(void **state)
{
    struct sm_buf out = SM_BUF_INIT;
    struct sm_script_builder bld;
    struct sm_script s;
    struct sm_capdu a = {0x80, 0xe2, 0x88, 0x00, (const uint8_t *)"\x3a\x04\x00", 3, false, 0};
    struct sm_rapdu r = {NULL, 0, 0x9000};
    uint8_t b[200];
    size_t n;

    /* definite command script */
    assert_int_equal(sm_script_begin(&bld, &out, false, false), 0);
    assert_int_equal(sm_script_add_capdu(&bld, &a), 0);
    assert_int_equal(sm_script_end(&bld), 0);
    hexeq(&out, "aa0a220880e28800033a0400");
    assert_int_equal(sm_script_decode(out.data, out.len, &s, NULL), 0);
    assert_false(s.indefinite);
    assert_false(s.response);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.item[0].tag, 0x22);
    /* indefinite command script with SCP03t TLVs, as the SM-DP sends 84 and 85 together */
    sm_buf_reset(&out);
    sm_script_begin(&bld, &out, false, true);
    sm_script_add(&bld, 0x84, "\x30\x00\xea\x8d\xd0\x47\x36\x29\xb2\x66", 10);
    sm_script_end(&bld);
    hexeq(&out, "ae80840a3000ea8dd0473629b2660000");
    assert_int_equal(sm_script_decode(out.data, out.len, &s, NULL), 0);
    assert_true(s.indefinite);
    assert_int_equal(s.item[0].tag, 0x84);
    /* the card's indefinite response, as recorded: AF80 23 L <R-APDU> 00 00 */
    n = unhex("af802303009000"
              "0000",
              b);
    assert_int_equal(sm_script_decode(b, n, &s, NULL), 0);
    assert_true(s.response);
    assert_int_equal(s.item[0].tag, 0x23);
    /* definite response with the executed count, as the card sends over SMS */
    sm_buf_reset(&out);
    sm_script_begin(&bld, &out, true, false);
    sm_script_add(&bld, 0x80, "\x01", 1);
    sm_script_add_rapdu(&bld, &r);
    sm_script_end(&bld);
    hexeq(&out, "ab078001012302"
                "9000");
    /* malformed scripts */
    n = unhex("ac00", b);
    assert_int_equal(sm_script_decode(b, n, &s, NULL), -EBADMSG);
    n = unhex("ae802203009000", b); /* no end-of-contents */
    assert_int_equal(sm_script_decode(b, n, &s, NULL), -EBADMSG);
    n = unhex("ae0022030090000000", b); /* indefinite tag without 80 */
    assert_int_equal(sm_script_decode(b, n, &s, NULL), -EBADMSG);
    n = unhex("aa05220380e2", b); /* item overruns */
    assert_int_equal(sm_script_decode(b, n, &s, NULL), -EBADMSG);
    n = unhex("aa0222ff", b);
    assert_int_equal(sm_script_decode(b, n, &s, NULL), -EBADMSG);
    n = unhex("aa", b);
    assert_int_equal(sm_script_decode(b, n, &s, NULL), -EBADMSG);
    /* too many items */
    b[0] = 0xaa;
    b[1] = 0x81;
    b[2] = 2 * (SM_SCRIPT_MAX_ITEMS + 1);
    for (int i = 0; i < SM_SCRIPT_MAX_ITEMS + 1; i++) {
        b[3 + 2 * i] = 0x81;
        b[4 + 2 * i] = 0x00;
    }
    assert_int_equal(sm_script_decode(b, 3 + 2 * (SM_SCRIPT_MAX_ITEMS + 1), &s, NULL), -EMSGSIZE);
    sm_buf_free(&out);
}

static int count_apdu(void *arg, const struct sm_capdu *a)
{
    int *n = arg;

    (*n)++;
    return a->ins == 0xff ? -ECANCELED : 0;
}

static void compact(void **state)
{
    uint8_t b[64];
    uint8_t exec;
    struct sm_rapdu r = {(const uint8_t *)"\x01\x02", 2, 0x9000}, back;
    struct sm_buf out = SM_BUF_INIT;
    int n = 0;
    size_t len;

    /* SELECT (case 3) then READ BINARY (case 2: P3 is Le) then a case-3 STORE DATA */
    len = unhex("00a40004023f00"
                "00b000000a"
                "80e2880003aabbcc",
                b);
    assert_int_equal(sm_compact_decode(b, len, count_apdu, &n, NULL), 0);
    assert_int_equal(n, 3);
    n = 0;
    assert_int_equal(sm_compact_decode(b, len - 1, count_apdu, &n, NULL), -EBADMSG);
    n = 0;
    len = unhex("00ff000000"
                "00a40004023f00",
                b);
    assert_int_equal(sm_compact_decode(b, len, count_apdu, &n, NULL), -ECANCELED);
    assert_int_equal(n, 1);
    assert_int_equal(sm_compact_decode(b, 4, count_apdu, &n, NULL), -EBADMSG);
    assert_int_equal(sm_compact_response_encode(2, &r, &out), 0);
    hexeq(&out, "0290000102");
    assert_int_equal(sm_compact_response_decode(out.data, out.len, &exec, &back, NULL), 0);
    assert_int_equal(exec, 2);
    assert_int_equal(back.sw, 0x9000);
    assert_int_equal(back.len, 2);
    assert_int_equal(sm_compact_response_decode(out.data, 2, &exec, &back, NULL), -EBADMSG);
    sm_buf_free(&out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(capdu_cases),
    cmocka_unit_test(rapdu),
    cmocka_unit_test(expanded_scripts),
    cmocka_unit_test(compact),
};

SM_TEST_MAIN(tests, NULL, NULL)
