/* SPDX-License-Identifier: Apache-2.0 */
/* SMS-PP TPDUs, user data headers, splitting and reassembly. TPDUs of tests/vectors/scp80.json
 * are embedded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/hex.h"
#include "sm/sms.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    long n = sm_hex_decode(h, out, cap);

    assert_true(n >= 0);
    return (size_t)n;
}

/*
 * scp80.json sms_deliver_tpdu / user_data (pySim test_ota.py). pySim builds these with
 * tp_udl=3, so octet 16 (TP-UDL) reads 03 although 45 (0x2d) octets of user data follow; TS
 * 23.040 9.2.3.16 makes TP-UDL the octet count of the whole TP-UD for 8-bit data. The
 * published form is therefore refused, and the corrected one must round-trip.
 */
static const struct {
    const char *tpdu, *ud;
} scp80[] = {
    {"400881214365877ff6227052000000000302700000281506192222b00011e87cceebb2d93083011ce294f93fc4d"
     "8de80da1abae8c37ca3e72ec4432e5058",
     "02700000281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c37ca3e72ec4432e505"
     "8"},
    {"400881214365877ff6227052000000000302700000201506193535b00011ae733256918d050b87c94fbfe12e4dc"
     "402f262c41cf67f2f",
     "02700000201506193535b00011ae733256918d050b87c94fbfe12e4dc402f262c41cf67f2f"},
    {"400881214365877ff6227052000000000302700000201506093535b00011c49ac91ab8159ba5b83a54fb6385e0a"
     "5e31694f8b215fafc",
     "02700000201506093535b00011c49ac91ab8159ba5b83a54fb6385e0a5e31694f8b215fafc"},
    {"400881214365877ff6227052000000000302700000201506013535b000113190be334900f52b025f3f7eddfe868e"
     "96ebf310023b7769",
     "02700000201506013535b000113190be334900f52b025f3f7eddfe868e96ebf310023b7769"},
};

#define UDL_OFFSET 16

/* The corrected TPDU of vector i into t; returns its length. */
static size_t scp80_fixed(size_t i, uint8_t *t, size_t cap, uint8_t *ud, size_t *ud_len)
{
    size_t n = unhex(scp80[i].tpdu, t, cap);

    *ud_len = unhex(scp80[i].ud, ud, SM_SMS_UD_MAX);
    assert_int_equal(n, UDL_OFFSET + 1 + *ud_len);
    assert_int_equal(t[UDL_OFFSET], 0x03);
    t[UDL_OFFSET] = (uint8_t)*ud_len;
    return n;
}

static void deliver_scp80_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(scp80) / sizeof(scp80[0]); i++) {
        uint8_t t[200], pub[200], ud[SM_SMS_UD_MAX];
        size_t ud_len, n = scp80_fixed(i, t, sizeof(t), ud, &ud_len);
        struct sm_sms_deliver d;
        struct sm_decode_err err = {0};
        struct sm_buf out = SM_BUF_INIT;
        struct sm_sms_udh h;
        const uint8_t *pl;
        size_t pl_len;

        /* published form: 42 octets after the 3 announced ones */
        unhex(scp80[i].tpdu, pub, sizeof(pub));
        assert_int_equal(sm_sms_deliver_decode(pub, n, &d, &err), -EBADMSG);
        assert_int_equal(err.offset, UDL_OFFSET + 1 + 3);

        memset(&d, 0xa5, sizeof(d));
        assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
        assert_true(d.more_messages); /* TP-MMS 0: more messages waiting */
        assert_false(d.reply_path);
        assert_false(d.status_report);
        assert_true(d.udhi);
        assert_int_equal(d.oa.ton_npi, 0x81);
        assert_string_equal(d.oa.digits, "12345678");
        assert_int_equal(d.pid, SM_SMS_PID_DATA_DOWNLOAD);
        assert_int_equal(d.dcs, SM_SMS_DCS_CLASS2_8BIT);
        assert_int_equal(d.scts.year, 22);
        assert_int_equal(d.scts.month, 7);
        assert_int_equal(d.scts.day, 25);
        assert_int_equal(d.scts.hour, 0);
        assert_int_equal(d.scts.minute, 0);
        assert_int_equal(d.scts.second, 0);
        assert_int_equal(d.scts.tz_quarters, 0);
        assert_ptr_equal(d.ud, t + UDL_OFFSET + 1);
        assert_int_equal(d.ud_len, ud_len);
        assert_memory_equal(d.ud, ud, ud_len);

        assert_int_equal(sm_sms_udh_parse(d.ud, d.ud_len, &h, &pl, &pl_len, &err), 0);
        assert_true(h.cmd_packet);
        assert_false(h.rsp_packet);
        assert_false(h.concat);
        assert_int_equal(h.n, 1);
        assert_int_equal(pl_len, ud_len - 3);
        assert_ptr_equal(pl, d.ud + 3);

        assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
        assert_int_equal(out.len, n);
        assert_memory_equal(out.data, t, n);
        /* and the published bytes differ in TP-UDL only */
        pub[UDL_OFFSET] = t[UDL_OFFSET];
        assert_memory_equal(out.data, pub, n);
        sm_buf_free(&out);
    }
}

static void deliver_truncated_every_length(void **state)
{
    uint8_t t[200], ud[SM_SMS_UD_MAX];
    size_t ud_len, n = scp80_fixed(0, t, sizeof(t), ud, &ud_len);
    struct sm_sms_deliver d;
    struct sm_decode_err err;

    for (size_t len = 0; len < n; len++) {
        uint8_t *p = malloc(len ? len : 1); /* exact size so ASan sees any overread */

        assert_non_null(p);
        memcpy(p, t, len);
        err.offset = 9999;
        assert_int_equal(sm_sms_deliver_decode(p, len, &d, &err), -EBADMSG);
        assert_int_equal(err.offset, len);
        free(p);
    }
    /* one octet too many */
    t[n] = 0;
    assert_int_equal(sm_sms_deliver_decode(t, n + 1, &d, &err), -EBADMSG);
    assert_int_equal(err.offset, n);
    assert_int_equal(sm_sms_deliver_decode(NULL, 0, &d, &err), -EBADMSG);
    assert_int_equal(sm_sms_deliver_decode(NULL, 5, &d, &err), -EINVAL);
    assert_int_equal(sm_sms_deliver_decode(t, n, NULL, &err), -EINVAL);
    /* err may be NULL */
    assert_int_equal(sm_sms_deliver_decode(t, n - 1, &d, NULL), -EBADMSG);
}

/* Decode a DELIVER given as hex; returns rc and fills err. */
static int dec_deliver_hex(const char *hex, struct sm_sms_deliver *d, struct sm_decode_err *err)
{
    uint8_t t[200];
    size_t n = unhex(hex, t, sizeof(t));

    return sm_sms_deliver_decode(t, n, d, err);
}

static void deliver_field_errors(void **state)
{
    struct sm_sms_deliver d;
    struct sm_decode_err err;

    /* base: no UDH, OA 12345678, 7F F6, 2 octets of data */
    assert_int_equal(dec_deliver_hex("040881214365877ff622705200000000020102", &d, &err), 0);
    assert_false(d.more_messages);
    assert_false(d.udhi);
    assert_int_equal(d.ud_len, 2);
    /* TP-MTI 1, 2, 3 */
    for (int mti = 1; mti <= 3; mti++) {
        char hex[64];

        snprintf(hex, sizeof(hex), "0%d0881214365877ff622705200000000020102", 4 + mti);
        assert_int_equal(dec_deliver_hex(hex, &d, &err), -EINVAL);
        assert_int_equal(err.offset, 0);
    }
    /* TP-LP (bit 4) and the unused bit 5 */
    assert_int_equal(dec_deliver_hex("0c0881214365877ff622705200000000020102", &d, &err), -EINVAL);
    assert_int_equal(dec_deliver_hex("140881214365877ff622705200000000020102", &d, &err), -EINVAL);
    /* address: 21 digits, bit 8 of the type clear, alphanumeric, a digit A, filler not F */
    assert_int_equal(
        dec_deliver_hex("0415812143658709214365870921436587092143657ff622705200000000020102", &d,
                        &err),
        -EBADMSG);
    assert_int_equal(err.offset, 1);
    assert_int_equal(dec_deliver_hex("040801214365877ff622705200000000020102", &d, &err), -EINVAL);
    assert_int_equal(err.offset, 2);
    assert_int_equal(dec_deliver_hex("0408d0214365877ff622705200000000020102", &d, &err), -EINVAL);
    assert_int_equal(dec_deliver_hex("040881214a65877ff622705200000000020102", &d, &err), -EINVAL);
    assert_int_equal(err.offset, 4);
    assert_int_equal(dec_deliver_hex("040781214365877ff622705200000000020102", &d, &err), -EINVAL);
    assert_int_equal(err.offset, 6);
}

static void deliver_addresses(void **state)
{
    struct sm_sms_deliver d;
    struct sm_decode_err err;
    struct sm_buf out = SM_BUF_INIT;
    uint8_t t[64];
    size_t n;

    /* 7 digits: the filler goes in the high nibble, not the low one */
    n = unhex("0407812143657f7ff622705200000000020102", t, sizeof(t));
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), -EINVAL);
    assert_int_equal(err.offset, 6);
    n = unhex("040781214365f77ff622705200000000020102", t, sizeof(t));
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_string_equal(d.oa.digits, "1234567");
    assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, t, n);
    sm_buf_reset(&out);
    /* empty address */
    n = unhex("0400917ff622705200000000020102", t, sizeof(t));
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_string_equal(d.oa.digits, "");
    assert_int_equal(d.oa.ton_npi, 0x91);
    assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
    assert_memory_equal(out.data, t, n);
    sm_buf_reset(&out);
    /* 20 digits, the maximum */
    n = unhex("041491214365870921436587097ff622705200000000020102", t, sizeof(t));
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_string_equal(d.oa.digits, "12345678901234567890");
    assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
    assert_memory_equal(out.data, t, n);
    sm_buf_free(&out);
}

static void deliver_dcs_and_pid(void **state)
{
    uint8_t t[64];
    size_t n = unhex("040881214365877ff622705200000000020102", t, sizeof(t));
    struct sm_sms_deliver d;
    struct sm_decode_err err;
    struct sm_buf out = SM_BUF_INIT;

    for (unsigned dcs = 0; dcs < 256; dcs++) {
        /* TS 23.038 4: 8-bit data, uncompressed */
        bool ok = (dcs >= 0x04 && dcs <= 0x07) || (dcs >= 0x14 && dcs <= 0x17) ||
                  (dcs >= 0x44 && dcs <= 0x47) || (dcs >= 0x54 && dcs <= 0x57) ||
                  (dcs >= 0xf4 && dcs <= 0xf7);
        int rc;

        t[8] = (uint8_t)dcs;
        rc = sm_sms_deliver_decode(t, n, &d, &err);
        if (ok) {
            assert_int_equal(rc, 0);
            assert_int_equal(d.dcs, dcs);
            sm_buf_reset(&out);
            assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
            assert_memory_equal(out.data, t, n);
        } else {
            assert_int_equal(rc, -EINVAL);
            assert_int_equal(err.offset, 8);
            d.dcs = (uint8_t)dcs;
            sm_buf_reset(&out);
            assert_int_equal(sm_sms_deliver_encode(&d, &out), -EINVAL);
            assert_int_equal(out.len, 0);
        }
    }
    /* TP-PID is carried as is */
    t[8] = 0xf6;
    t[7] = 0x00;
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_int_equal(d.pid, 0);
    sm_buf_free(&out);
}

static void deliver_scts(void **state)
{
    /* SCTS at offset 9..15 of this TPDU */
    uint8_t t[64];
    size_t n = unhex("040881214365877ff622705200000000020102", t, sizeof(t));
    struct sm_sms_deliver d;
    struct sm_decode_err err;
    struct sm_buf out = SM_BUF_INIT;

    /* 2099-12-31 23:45:59, +14:00 (56 quarters: tens 5 low, units 6 high) */
    unhex("99211332549565", t + 9, 7);
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_int_equal(d.scts.year, 99);
    assert_int_equal(d.scts.month, 12);
    assert_int_equal(d.scts.day, 31);
    assert_int_equal(d.scts.hour, 23);
    assert_int_equal(d.scts.minute, 45);
    assert_int_equal(d.scts.second, 59);
    assert_int_equal(d.scts.tz_quarters, 56);
    assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
    assert_memory_equal(out.data, t, n);
    sm_buf_reset(&out);
    /* -05:00 = -20 quarters: tens 2 with the sign bit -> low nibble A, units 0 */
    unhex("0001100000000a", t + 9, 7);
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_int_equal(d.scts.month, 10);
    assert_int_equal(d.scts.day, 1);
    assert_int_equal(d.scts.tz_quarters, -20);
    assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
    assert_memory_equal(out.data, t, n);
    sm_buf_reset(&out);
    /* -79 and +79: the field's extremes */
    unhex("0001100000009f", t + 9, 7);
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_int_equal(d.scts.tz_quarters, -79);
    assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
    assert_memory_equal(out.data, t, n);
    sm_buf_reset(&out);
    unhex("00011000000097", t + 9, 7);
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_int_equal(d.scts.tz_quarters, 79);

    /* refused: each field out of range or not BCD, at its own offset */
    static const struct {
        const char *scts;
        size_t off;
    } bad[] = {
        {"a0011000000000", 9},  /* year nibble A */
        {"0a011000000000", 9},  /* year nibble A (units) */
        {"00001000000000", 10}, /* month 0 */
        {"00310000000000", 10}, /* month 13 */
        {"00010000000000", 11}, /* day 0 */
        {"00012300000000", 11}, /* day 32 */
        {"00011042000000", 12}, /* hour 24 */
        {"00011000060000", 13}, /* minute 60 */
        {"00011000000600", 14}, /* second 60 */
        {"00011000000008", 15}, /* -0 */
        {"000110000000a0", 15}, /* tz units A */
        {"000110000000f0", 15}, /* tz units F */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unhex(bad[i].scts, t + 9, 7);
        err.offset = 0;
        assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), -EINVAL);
        assert_int_equal(err.offset, bad[i].off);
    }
    sm_buf_free(&out);
}

static void deliver_ud_errors(void **state)
{
    uint8_t t[200], ud[SM_SMS_UD_MAX];
    size_t ud_len, n = scp80_fixed(0, t, sizeof(t), ud, &ud_len);
    struct sm_sms_deliver d;
    struct sm_decode_err err;

    /* TP-UDL over 140 */
    t[UDL_OFFSET] = 141;
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), -EBADMSG);
    assert_int_equal(err.offset, UDL_OFFSET);
    t[UDL_OFFSET] = (uint8_t)ud_len;
    /* UDHI with a UDHL running past the UD: offset in TPDU coordinates */
    t[UDL_OFFSET + 1] = 0x40;
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), -EBADMSG);
    assert_int_equal(err.offset, UDL_OFFSET + 1);
    /* UDHI with a bad IE (70 with length 1) */
    t[UDL_OFFSET + 1] = 0x02;
    t[UDL_OFFSET + 3] = 0x01;
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), -EBADMSG);
    assert_int_equal(err.offset, UDL_OFFSET + 3);
    t[UDL_OFFSET + 3] = 0x00;
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    /* UDHI with empty user data */
    n = unhex("440881214365877ff62270520000000000", t, sizeof(t));
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), -EBADMSG);
    assert_int_equal(err.offset, UDL_OFFSET + 1);
    /* without UDHI the same is fine, and 140 octets is the maximum */
    t[0] = 0x04;
    assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), 0);
    assert_int_equal(d.ud_len, 0);
    t[UDL_OFFSET] = 140;
    memset(t + UDL_OFFSET + 1, 0x5a, 140);
    assert_int_equal(sm_sms_deliver_decode(t, UDL_OFFSET + 1 + 140, &d, &err), 0);
    assert_int_equal(d.ud_len, 140);
}

static void deliver_encode_flags_and_errors(void **state)
{
    static const uint8_t ud[] = {0x02, 0x70, 0x00, 0xaa};
    struct sm_sms_deliver d =
                              {
                                  .more_messages = false,
                                  .reply_path = true,
                                  .status_report = true,
                                  .udhi = true,
                                  .oa = {.ton_npi = 0x91, .digits = "4915"},
                                  .pid = 0x7f,
                                  .dcs = 0xf6,
                                  .scts = {.year = 24,
                                           .month = 2,
                                           .day = 29,
                                           .hour = 12,
                                           .minute = 34,
                                           .second = 56,
                                           .tz_quarters = 4},
                                  .ud = ud,
                                  .ud_len = sizeof(ud),
                              },
                          e, back;
    uint8_t exp[40];
    /* FO e4: RP, UDHI, SRI, MMS (no more messages); TZ +1h = 4 quarters -> 40 */
    size_t n = unhex("e4049194517ff64220922143654004027000aa", exp, sizeof(exp));
    struct sm_buf out = SM_BUF_INIT, lim = {.limit = 5};
    struct sm_decode_err err;

    assert_int_equal(sm_sms_deliver_encode(&d, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, exp, n);
    assert_int_equal(sm_sms_deliver_decode(out.data, out.len, &back, &err), 0);
    assert_false(back.more_messages);
    assert_true(back.reply_path);
    assert_true(back.status_report);
    assert_true(back.udhi);
    assert_int_equal(back.scts.tz_quarters, 4);
    assert_int_equal(back.scts.day, 29);
    sm_buf_reset(&out);
    /* TP-MMS: 0 when more messages wait */
    e = d;
    e.more_messages = true;
    assert_int_equal(sm_sms_deliver_encode(&e, &out), 0);
    assert_int_equal(out.data[0], 0xe0);
    sm_buf_reset(&out);
    /* buffer limit: refused, nothing written */
    assert_int_equal(sm_sms_deliver_encode(&d, &lim), -EMSGSIZE);
    assert_int_equal(lim.len, 0);

#define BAD(mutation)                                                                              \
    do {                                                                                           \
        e = d;                                                                                     \
        mutation;                                                                                  \
        assert_int_equal(sm_sms_deliver_encode(&e, &out), -EINVAL);                                \
        assert_int_equal(out.len, 0);                                                              \
    } while (0)
    BAD(e.dcs = 0x00);
    BAD(e.dcs = 0x08);
    BAD(e.oa.ton_npi = 0x11);
    BAD(e.oa.ton_npi = 0xd0);
    BAD(strcpy(e.oa.digits, "49a5"));
    BAD(strcpy(e.oa.digits, "4+15"));
    BAD(strcpy(e.oa.digits, "4915*"));
    BAD(memset(e.oa.digits, '1', sizeof(e.oa.digits))); /* 21 digits, unterminated */
    BAD(e.scts.year = 100);
    BAD(e.scts.month = 0);
    BAD(e.scts.month = 13);
    BAD(e.scts.day = 0);
    BAD(e.scts.day = 32);
    BAD(e.scts.hour = 24);
    BAD(e.scts.minute = 60);
    BAD(e.scts.second = 60);
    BAD(e.scts.tz_quarters = 80);
    BAD(e.scts.tz_quarters = -80);
    BAD(e.ud_len = 141);
    BAD(e.ud = NULL);
    BAD(e.ud = (const uint8_t *)"\x05\x70\x00"); /* UDHL past the UD */
    BAD(e.ud_len = 0);                           /* UDHI without UDH */
#undef BAD
    assert_int_equal(sm_sms_deliver_encode(NULL, &out), -EINVAL);
    assert_int_equal(sm_sms_deliver_encode(&d, NULL), -EINVAL);
    /* without UDHI the user data is not looked at */
    e = d;
    e.udhi = false;
    e.ud = (const uint8_t *)"\xff";
    e.ud_len = 1;
    assert_int_equal(sm_sms_deliver_encode(&e, &out), 0);
    /* 20 digits is the longest address */
    sm_buf_reset(&out);
    e = d;
    strcpy(e.oa.digits, "12345678901234567890");
    assert_int_equal(sm_sms_deliver_encode(&e, &out), 0);
    assert_int_equal(out.data[1], 20);
    sm_buf_free(&out);
    sm_buf_free(&lim);
}

/* --- SMS-SUBMIT --- */

/* PoR of the AES vector (scp80.json response) in an SMS-SUBMIT to +49172345678, built by hand
 * from TS 23.040 9.2.2.2: FO MR DA(0b 91 ...) PID DCS [VP] UDL UD. */
#define POR "027100002412b00011ebc6b497e2cad7aedf36ace0e3a29b38853f0fe9ccde81913be5702b73abce1f"
static const char submit_novp[] = "41000b919471325476f87ff629" POR;
static const char submit_vp[] = "512a0b919471325476f87ff6a729" POR;

static void submit_vectors(void **state)
{
    uint8_t t[200], por[64];
    size_t n, por_len = unhex(POR, por, sizeof(por));
    struct sm_sms_submit s;
    struct sm_decode_err err;
    struct sm_buf out = SM_BUF_INIT;

    n = unhex(submit_novp, t, sizeof(t));
    assert_int_equal(sm_sms_submit_decode(t, n, &s, &err), 0);
    assert_int_equal(s.vpf, 0);
    assert_int_equal(s.mr, 0);
    assert_true(s.udhi);
    assert_false(s.reject_duplicates);
    assert_false(s.status_report_request);
    assert_false(s.reply_path);
    assert_int_equal(s.da.ton_npi, 0x91);
    assert_string_equal(s.da.digits, "49172345678");
    assert_int_equal(s.pid, 0x7f);
    assert_int_equal(s.dcs, 0xf6);
    assert_int_equal(s.ud_len, por_len);
    assert_memory_equal(s.ud, por, por_len);
    assert_int_equal(sm_sms_submit_encode(&s, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, t, n);
    sm_buf_reset(&out);

    n = unhex(submit_vp, t, sizeof(t));
    assert_int_equal(sm_sms_submit_decode(t, n, &s, &err), 0);
    assert_int_equal(s.vpf, 2);
    assert_int_equal(s.vp_relative, 0xa7);
    assert_int_equal(s.mr, 0x2a);
    assert_int_equal(s.ud_len, por_len);
    assert_int_equal(sm_sms_submit_encode(&s, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, t, n);
    sm_buf_reset(&out);

    /* every first-octet flag */
    s.reject_duplicates = s.status_report_request = s.reply_path = true;
    assert_int_equal(sm_sms_submit_encode(&s, &out), 0);
    assert_int_equal(out.data[0], 0xf5);
    assert_int_equal(sm_sms_submit_decode(out.data, out.len, &s, &err), 0);
    assert_true(s.reject_duplicates);
    assert_true(s.status_report_request);
    assert_true(s.reply_path);
    sm_buf_free(&out);
}

static void submit_truncated_and_errors(void **state)
{
    static const char *const vecs[] = {submit_novp, submit_vp};
    struct sm_sms_submit s;
    struct sm_decode_err err;
    struct sm_buf out = SM_BUF_INIT;
    uint8_t t[200];
    size_t n;

    for (size_t v = 0; v < 2; v++) {
        n = unhex(vecs[v], t, sizeof(t));
        for (size_t len = 0; len < n; len++) {
            uint8_t *p = malloc(len ? len : 1);

            assert_non_null(p);
            memcpy(p, t, len);
            err.offset = 9999;
            assert_int_equal(sm_sms_submit_decode(p, len, &s, &err), -EBADMSG);
            assert_int_equal(err.offset, len);
            free(p);
        }
        t[n] = 0x00;
        assert_int_equal(sm_sms_submit_decode(t, n + 1, &s, &err), -EBADMSG);
        assert_int_equal(err.offset, n);
    }
    n = unhex(submit_novp, t, sizeof(t));
    /* TP-MTI 0 (a DELIVER), 2, 3 */
    for (uint8_t mti = 0; mti < 4; mti++) {
        if (mti == 1)
            continue;
        t[0] = (uint8_t)(0x40 | mti);
        assert_int_equal(sm_sms_submit_decode(t, n, &s, &err), -EINVAL);
        assert_int_equal(err.offset, 0);
    }
    /* TP-VPF enhanced (01) and absolute (11) */
    t[0] = 0x49;
    assert_int_equal(sm_sms_submit_decode(t, n, &s, &err), -EINVAL);
    t[0] = 0x59;
    assert_int_equal(sm_sms_submit_decode(t, n, &s, &err), -EINVAL);
    t[0] = 0x41;
    /* a 7-bit DCS */
    t[11] = 0x00;
    assert_int_equal(sm_sms_submit_decode(t, n, &s, &err), -EINVAL);
    assert_int_equal(err.offset, 11);
    t[11] = 0xf6;
    /* the DELIVER decoder refuses a SUBMIT */
    {
        struct sm_sms_deliver d;

        assert_int_equal(sm_sms_deliver_decode(t, n, &d, &err), -EINVAL);
    }
    assert_int_equal(sm_sms_submit_decode(t, n, NULL, &err), -EINVAL);
    assert_int_equal(sm_sms_submit_decode(NULL, 3, &s, &err), -EINVAL);

    assert_int_equal(sm_sms_submit_decode(t, n, &s, &err), 0);
    s.vpf = 1;
    assert_int_equal(sm_sms_submit_encode(&s, &out), -EINVAL);
    s.vpf = 3;
    assert_int_equal(sm_sms_submit_encode(&s, &out), -EINVAL);
    s.vpf = 0;
    s.dcs = 0x08;
    assert_int_equal(sm_sms_submit_encode(&s, &out), -EINVAL);
    s.dcs = 0xf6;
    s.da.ton_npi = 0x50 | 0x80;
    assert_int_equal(sm_sms_submit_encode(&s, &out), -EINVAL);
    s.da.ton_npi = 0x91;
    s.ud_len = 141;
    assert_int_equal(sm_sms_submit_encode(&s, &out), -EINVAL);
    s.ud_len = 2;
    assert_int_equal(sm_sms_submit_encode(&s, &out), -EINVAL); /* UDHL 2 past 2 octets */
    assert_int_equal(sm_sms_submit_encode(NULL, &out), -EINVAL);
    assert_int_equal(sm_sms_submit_encode(&s, NULL), -EINVAL);
    assert_int_equal(out.len, 0);
    sm_buf_free(&out);
}

/* --- user data header --- */

static int udh_hex(const char *hex, struct sm_sms_udh *h, const uint8_t **pl, size_t *pl_len,
                   struct sm_decode_err *err)
{
    static uint8_t b[200];
    size_t n = unhex(hex, b, sizeof(b));

    return sm_sms_udh_parse(b, n, h, pl, pl_len, err);
}

static void udh_valid(void **state)
{
    struct sm_sms_udh h;
    const uint8_t *pl;
    size_t pl_len;
    struct sm_decode_err err;

    assert_int_equal(udh_hex("027100aabb", &h, &pl, &pl_len, &err), 0);
    assert_true(h.rsp_packet);
    assert_false(h.cmd_packet);
    assert_int_equal(pl_len, 2);
    assert_memory_equal(pl, "\xaa\xbb", 2);

    assert_int_equal(udh_hex("0770000003ab030100", &h, &pl, &pl_len, &err), 0);
    assert_true(h.cmd_packet);
    assert_true(h.concat);
    assert_int_equal(h.ref, 0xab);
    assert_int_equal(h.total, 3);
    assert_int_equal(h.seq, 1);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.ie[1].iei, 0);
    assert_int_equal(h.ie[1].len, 3);
    assert_memory_equal(h.ie[1].data, "\xab\x03\x01", 3);
    assert_int_equal(pl_len, 1);
}

static void udh_more(void **state)
{
    struct sm_sms_udh h;
    const uint8_t *pl;
    size_t pl_len;
    struct sm_decode_err err;

    /* 16-bit reference, last part */
    assert_int_equal(udh_hex("06080412340202", &h, &pl, &pl_len, &err), 0);
    assert_true(h.concat);
    assert_int_equal(h.ref, 0x1234);
    assert_int_equal(h.total, 2);
    assert_int_equal(h.seq, 2);
    assert_false(h.cmd_packet || h.rsp_packet);
    assert_int_equal(pl_len, 0);
    /* unknown IEs are kept and skipped */
    assert_int_equal(udh_hex("052401aa7000ee", &h, &pl, &pl_len, &err), 0);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.ie[0].iei, 0x24);
    assert_int_equal(h.ie[0].len, 1);
    assert_int_equal(h.ie[0].data[0], 0xaa);
    assert_true(h.cmd_packet);
    assert_int_equal(pl_len, 1);
    assert_int_equal(pl[0], 0xee);
    /* empty header; payload pointer and length optional */
    assert_int_equal(udh_hex("00aa", &h, &pl, &pl_len, &err), 0);
    assert_int_equal(h.n, 0);
    assert_int_equal(pl_len, 1);
    assert_int_equal(udh_hex("027000", &h, NULL, NULL, &err), 0);
    /* exactly eight IEs */
    assert_int_equal(udh_hex("1024002400240024002400240024002400", &h, &pl, &pl_len, &err), 0);
    assert_int_equal(h.n, 8);
}

static void udh_errors(void **state)
{
    static const struct {
        const char *hex;
        int rc;
        size_t off;
    } bad[] = {
        {"", -EBADMSG, 0},                                        /* no UDHL */
        {"0500030102", -EBADMSG, 0},                              /* UDHL past the UD */
        {"0170", -EBADMSG, 1},                                    /* IE header cut */
        {"03700000", -EBADMSG, 3},                                /* trailing lone IEI */
        {"0300030102 01", -EBADMSG, 2},                           /* IE length past the UDH */
        {"04000201 01", -EBADMSG, 2},                             /* concat8 length 2 */
        {"0600040101 0101", -EBADMSG, 2},                         /* concat8 length 4 */
        {"0508030001 01", -EBADMSG, 2},                           /* concat16 length 3 */
        {"0500030100 01", -EINVAL, 4},                            /* total 0 */
        {"0500030102 00", -EINVAL, 5},                            /* seq 0 */
        {"0500030102 03", -EINVAL, 5},                            /* seq > total */
        {"060804000100 01", -EINVAL, 5},                          /* concat16 total 0 */
        {"060804000102 00", -EINVAL, 6},                          /* concat16 seq 0 */
        {"0608040001ff", -EBADMSG, 0},                            /* UDHL 6, 5 octets follow */
        {"060804000102 03", -EINVAL, 6},                          /* concat16 seq > total */
        {"037001 00", -EBADMSG, 2},                               /* CPI with data */
        {"037101 00", -EBADMSG, 2},                               /* RPI with data */
        {"0b000301020108040001 0201", -EBADMSG, 6},               /* two concatenation IEs */
        {"0a000301020100030102 01", -EBADMSG, 6},                 /* concat8 twice */
        {"0470007100", -EBADMSG, 3},                              /* CPI and RPI */
        {"0470007000", -EBADMSG, 3},                              /* CPI twice */
        {"12240024002400240024002400240024002400", -EBADMSG, 17}, /* nine IEs */
    };
    char clean[128];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sm_sms_udh h;
        const uint8_t *pl = NULL;
        size_t k = 0, pl_len = 7;
        struct sm_decode_err err = {.offset = 9999};

        for (const char *p = bad[i].hex; *p; p++)
            if (*p != ' ')
                clean[k++] = *p;
        clean[k] = 0;
        memset(&h, 0x5a, sizeof(h));
        assert_int_equal(udh_hex(clean, &h, &pl, &pl_len, &err), bad[i].rc);
        assert_int_equal(err.offset, bad[i].off);
        assert_true(err.msg[0] != 0);
        /* outputs untouched on failure */
        assert_null(pl);
        assert_int_equal(pl_len, 7);
        assert_int_equal(h.n, 0x5a5a5a5a);
    }
    {
        struct sm_sms_udh h;

        assert_int_equal(sm_sms_udh_parse((const uint8_t *)"\x00", 1, NULL, NULL, NULL, NULL),
                         -EINVAL);
        assert_int_equal(sm_sms_udh_parse(NULL, 1, &h, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(sm_sms_udh_parse(NULL, 0, &h, NULL, NULL, NULL), -EBADMSG);
    }
}

/* Every prefix of a header is refused; random input never reads out of bounds. */
static void udh_prefixes_and_noise(void **state)
{
    static const uint8_t full[] = {0x07, 0x70, 0x00, 0x00, 0x03, 0xab, 0x03, 0x01};
    struct sm_sms_udh h;
    const uint8_t *pl;
    size_t pl_len;
    unsigned seed = 12345;

    for (size_t len = 0; len < sizeof(full); len++) {
        uint8_t *p = malloc(len ? len : 1);

        assert_non_null(p);
        memcpy(p, full, len);
        assert_int_equal(sm_sms_udh_parse(p, len, &h, &pl, &pl_len, NULL), -EBADMSG);
        free(p);
    }
    assert_int_equal(sm_sms_udh_parse(full, sizeof(full), &h, &pl, &pl_len, NULL), 0);
    assert_int_equal(pl_len, 0);

    for (int i = 0; i < 200000; i++) {
        size_t len = (size_t)(rand_r(&seed) % 24);
        uint8_t *p = malloc(len ? len : 1);
        int rc;

        assert_non_null(p);
        for (size_t k = 0; k < len; k++) {
            /* bias towards small values so that lengths often fit */
            unsigned r = (unsigned)rand_r(&seed);

            p[k] = (uint8_t)((r & 1) ? (r >> 8) % 8 : (r >> 8));
        }
        if (len)
            p[0] = (uint8_t)(p[0] % (len + 1));
        rc = sm_sms_udh_parse(p, len, &h, &pl, &pl_len, NULL);
        assert_true(rc == 0 || rc == -EBADMSG || rc == -EINVAL);
        if (rc == 0) {
            assert_ptr_equal(pl, p + 1 + p[0]);
            assert_int_equal(pl_len, len - 1 - p[0]);
            assert_true(h.n <= SM_SMS_MAX_IES);
            if (h.concat)
                assert_true(h.seq >= 1 && h.seq <= h.total);
        }
        free(p);
    }
}

/* --- splitting --- */

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + 3);
}

static void free_parts(struct sm_buf *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sm_buf_free(&parts[i]);
}

static void split_single(void **state)
{
    uint8_t pk[137];
    struct sm_buf parts[2] = {SM_BUF_INIT, SM_BUF_INIT};

    fill(pk, sizeof(pk));
    assert_int_equal(sm_sms_split_packet(pk, 137, false, 9, parts, 2), 1);
    assert_int_equal(parts[0].len, 140);
    assert_memory_equal(parts[0].data, "\x02\x70\x00", 3);
    assert_memory_equal(parts[0].data + 3, pk, 137);
    assert_null(parts[1].data);
    free_parts(parts, 2);
    assert_int_equal(sm_sms_split_packet(pk, 1, true, 9, parts, 1), 1);
    assert_int_equal(parts[0].len, 4);
    assert_memory_equal(parts[0].data, "\x02\x71\x00", 3);
    assert_int_equal(parts[0].data[3], pk[0]);
    free_parts(parts, 1);
    /* the AES vector's command packet: exactly scp80.json user_data */
    {
        uint8_t cmd[64], ud[64];
        size_t n = unhex("00281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c37ca3e"
                         "72ec4432e5058",
                         cmd, sizeof(cmd));
        size_t m = unhex(scp80[0].ud, ud, sizeof(ud));

        assert_int_equal(sm_sms_split_packet(cmd, n, false, 0, parts, 1), 1);
        assert_int_equal(parts[0].len, m);
        assert_memory_equal(parts[0].data, ud, m);
        free_parts(parts, 1);
    }
}

static void split_concatenated(void **state)
{
    static uint8_t pk[132 + 254 * 134 + 1];
    static struct sm_buf parts[256];
    static const struct {
        size_t len;
        int n;
    } cases[] = {{138, 2}, {266, 2}, {267, 3}, {1000, 8}, {132 + 254 * 134, 255}};

    fill(pk, sizeof(pk));
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t len = cases[c].len, off = 0;
        int n = sm_sms_split_packet(pk, len, c % 2 == 1, 0x42, parts, 256);

        assert_int_equal(n, cases[c].n);
        for (int i = 0; i < n; i++) {
            struct sm_sms_udh h;
            const uint8_t *pl;
            size_t pl_len, want;

            assert_true(parts[i].len <= SM_SMS_UD_MAX);
            if (i == 0) {
                uint8_t hdr[8] = {0x07, c % 2 ? 0x71 : 0x70, 0x00, 0x00, 0x03, 0x42, 0, 1};

                hdr[6] = (uint8_t)n;
                assert_memory_equal(parts[i].data, hdr, 8);
                want = 132;
            } else {
                uint8_t hdr[6] = {0x05, 0x00, 0x03, 0x42, 0, 0};

                hdr[4] = (uint8_t)n;
                hdr[5] = (uint8_t)(i + 1);
                assert_memory_equal(parts[i].data, hdr, 6);
                want = len - off < 134 ? len - off : 134;
            }
            assert_int_equal(sm_sms_udh_parse(parts[i].data, parts[i].len, &h, &pl, &pl_len, NULL),
                             0);
            assert_true(h.concat);
            assert_int_equal(h.seq, i + 1);
            assert_int_equal(h.total, n);
            assert_int_equal(h.cmd_packet, i == 0 && c % 2 == 0);
            assert_int_equal(h.rsp_packet, i == 0 && c % 2 == 1);
            assert_int_equal(pl_len, want);
            assert_memory_equal(pl, pk + off, pl_len);
            off += pl_len;
        }
        assert_int_equal(off, len);
        free_parts(parts, 256);
    }
}

static void split_errors(void **state)
{
    static uint8_t pk[132 + 254 * 134 + 1];
    static struct sm_buf parts[256];

    fill(pk, sizeof(pk));
    assert_int_equal(sm_sms_split_packet(pk, sizeof(pk), false, 1, parts, 256), -EMSGSIZE);
    assert_int_equal(sm_sms_split_packet(pk, 267, false, 1, parts, 2), -ENOSPC);
    assert_null(parts[0].data);
    assert_int_equal(sm_sms_split_packet(pk, 0, false, 1, parts, 2), -EINVAL);
    assert_int_equal(sm_sms_split_packet(NULL, 10, false, 1, parts, 2), -EINVAL);
    assert_int_equal(sm_sms_split_packet(pk, 10, false, 1, NULL, 2), -EINVAL);
    assert_int_equal(sm_sms_split_packet(pk, 10, false, 1, parts, 0), -EINVAL);
    /* a part that cannot grow: everything written so far is released */
    parts[2].limit = 10;
    assert_int_equal(sm_sms_split_packet(pk, 500, false, 1, parts, 256), -EMSGSIZE);
    for (int i = 0; i < 4; i++)
        assert_null(parts[i].data);
    parts[0].limit = 2;
    assert_int_equal(sm_sms_split_packet(pk, 10, false, 1, parts, 1), -EMSGSIZE);
    assert_null(parts[0].data);
    parts[0].limit = 0;
    parts[2].limit = 0;
}

/* --- reassembly --- */

static void reasm_single_and_one_part(void **state)
{
    struct sm_sms_reasm *r = sm_sms_reasm_new(4, 60);
    struct sm_buf out = SM_BUF_INIT;
    struct sm_sms_udh h;

    assert_non_null(r);
    sm_buf_append_str(&out, "old");
    assert_int_equal(
        sm_sms_reasm_add(r, "123", (const uint8_t *)"\x02\x70\x00\xaa\xbb", 5, 0, &out, &h), 1);
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.data, "\xaa\xbb", 2);
    assert_true(h.cmd_packet);
    assert_false(h.concat);
    /* concatenated "1 of 1" completes at once */
    assert_int_equal(sm_sms_reasm_add(r, "123",
                                      (const uint8_t *)"\x07\x71\x00\x00\x03\x05\x01\x01\xcc", 9, 0,
                                      &out, NULL),
                     1);
    assert_int_equal(out.len, 1);
    assert_int_equal(out.data[0], 0xcc);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static void reasm_out_of_order_and_duplicates(void **state)
{
    static uint8_t pk[700];
    struct sm_buf parts[6] = {SM_BUF_INIT, SM_BUF_INIT, SM_BUF_INIT,
                              SM_BUF_INIT, SM_BUF_INIT, SM_BUF_INIT};
    struct sm_sms_reasm *r = sm_sms_reasm_new(4, 60);
    struct sm_buf out = SM_BUF_INIT;
    struct sm_sms_udh h;
    int n;

    fill(pk, sizeof(pk));
    n = sm_sms_split_packet(pk, sizeof(pk), false, 0x77, parts, 6);
    assert_int_equal(n, 6);
    /* last first, first in the middle, every part twice (the copy ignored) */
    static const int order[] = {5, 5, 2, 0, 0, 4, 1, 3};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        int k = order[i];
        int rc = sm_sms_reasm_add(r, "+4912345", parts[k].data, parts[k].len, 10, &out, &h);

        assert_int_equal(rc, i + 1 == sizeof(order) / sizeof(order[0]) ? 1 : 0);
    }
    assert_int_equal(out.len, sizeof(pk));
    assert_memory_equal(out.data, pk, sizeof(pk));
    assert_true(h.cmd_packet);
    assert_false(h.rsp_packet);
    assert_true(h.concat);
    assert_int_equal(h.ref, 0x77);
    assert_int_equal(h.total, 6);
    assert_int_equal(h.seq, 1);
    assert_int_equal(h.n, 0);
    /* the set is gone: part 1 again starts a new one */
    assert_int_equal(sm_sms_reasm_add(r, "+4912345", parts[0].data, parts[0].len, 10, &out, &h), 0);
    free_parts(parts, 6);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static void reasm_keys_and_conflicts(void **state)
{
    struct sm_sms_reasm *r = sm_sms_reasm_new(8, 60);
    struct sm_buf out = SM_BUF_INIT;
    /* ref 5, 2 parts */
    static const uint8_t a1[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x01, 'A', '1'};
    static const uint8_t a2[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x02, 'A', '2'};
    static const uint8_t b1[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x01, 'B', '1'};
    static const uint8_t b2[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x02, 'B', '2'};
    static const uint8_t x2[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x02, 'X', 'X'};
    /* ref 5 but 3 parts: conflicts with a set of total 2 */
    static const uint8_t c3[] = {0x05, 0x00, 0x03, 0x05, 0x03, 0x03, 'C', '3'};
    /* 16-bit reference 0x0106, 2 parts */
    static const uint8_t w2[] = {0x06, 0x08, 0x04, 0x01, 0x06, 0x02, 0x02, 'W', '2'};
    static const uint8_t w1[] = {0x06, 0x08, 0x04, 0x01, 0x06, 0x02, 0x01, 'W', '1'};

    assert_non_null(r);
    assert_int_equal(sm_sms_reasm_add(r, "111", a1, sizeof(a1), 0, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "222", b2, sizeof(b2), 0, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "111", c3, sizeof(c3), 0, &out, NULL), -EBADMSG);
    assert_int_equal(sm_sms_reasm_add(r, "111", w2, sizeof(w2), 0, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "111", a2, sizeof(a2), 1, &out, NULL), 1);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.data, "A1A2", 4);
    assert_int_equal(sm_sms_reasm_add(r, "222", b1, sizeof(b1), 2, &out, NULL), 1);
    assert_memory_equal(out.data, "B1B2", 4);
    assert_int_equal(sm_sms_reasm_add(r, "111", w1, sizeof(w1), 2, &out, NULL), 1);
    assert_memory_equal(out.data, "W1W2", 4);
    /* a duplicate with other content does not replace the first copy */
    assert_int_equal(sm_sms_reasm_add(r, "333", a2, sizeof(a2), 3, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "333", x2, sizeof(x2), 3, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "333", a1, sizeof(a1), 3, &out, NULL), 1);
    assert_memory_equal(out.data, "A1A2", 4);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static void reasm_bad_parts(void **state)
{
    struct sm_sms_reasm *r = sm_sms_reasm_new(2, 60);
    struct sm_buf out = SM_BUF_INIT;
    static const uint8_t ok[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x01, 'A'};
    static const uint8_t seq0[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x00, 'A'};
    static const uint8_t seq3[] = {0x05, 0x00, 0x03, 0x05, 0x02, 0x03, 'A'};
    static const uint8_t udhl[] = {0x09, 0x00, 0x03, 0x05, 0x02, 0x01, 'A'};
    static uint8_t big[141];
    char longname[65];

    assert_non_null(r);
    assert_int_equal(sm_sms_reasm_add(r, "1", seq0, sizeof(seq0), 0, &out, NULL), -EBADMSG);
    assert_int_equal(sm_sms_reasm_add(r, "1", seq3, sizeof(seq3), 0, &out, NULL), -EBADMSG);
    assert_int_equal(sm_sms_reasm_add(r, "1", udhl, sizeof(udhl), 0, &out, NULL), -EBADMSG);
    assert_int_equal(sm_sms_reasm_add(r, "1", ok, 0, 0, &out, NULL), -EBADMSG);
    memcpy(big, ok, sizeof(ok));
    assert_int_equal(sm_sms_reasm_add(r, "1", big, sizeof(big), 0, &out, NULL), -EBADMSG);
    assert_int_equal(sm_sms_reasm_add(r, "1", big, 140, 0, &out, NULL), 0);
    memset(longname, '7', 64);
    longname[64] = 0;
    assert_int_equal(sm_sms_reasm_add(r, longname, ok, sizeof(ok), 0, &out, NULL), -EINVAL);
    longname[63] = 0;
    assert_int_equal(sm_sms_reasm_add(r, longname, ok, sizeof(ok), 0, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(NULL, "1", ok, sizeof(ok), 0, &out, NULL), -EINVAL);
    assert_int_equal(sm_sms_reasm_add(r, NULL, ok, sizeof(ok), 0, &out, NULL), -EINVAL);
    assert_int_equal(sm_sms_reasm_add(r, "1", ok, sizeof(ok), 0, NULL, NULL), -EINVAL);
    assert_int_equal(out.len, 0);
    assert_null(sm_sms_reasm_new(0, 60));
    assert_null(sm_sms_reasm_new(4, 0));
    assert_int_equal(sm_sms_reasm_expire(NULL, 0), 0);
    sm_sms_reasm_free(NULL);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static void reasm_timeouts(void **state)
{
    struct sm_sms_reasm *r = sm_sms_reasm_new(4, 30);
    struct sm_buf out = SM_BUF_INIT;
    static const uint8_t p1[] = {0x05, 0x00, 0x03, 0x09, 0x02, 0x01, 'a'};
    static const uint8_t p2[] = {0x05, 0x00, 0x03, 0x09, 0x02, 0x02, 'b'};

    assert_non_null(r);
    assert_int_equal(sm_sms_reasm_add(r, "9", p1, sizeof(p1), 100, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_expire(r, 50), 0); /* clock behind: nothing dropped */
    assert_int_equal(sm_sms_reasm_expire(r, 130), 0);
    assert_int_equal(sm_sms_reasm_expire(r, 131), 1);
    assert_int_equal(sm_sms_reasm_expire(r, 131), 0);
    /* the set is gone: part 2 opens a new one and waits */
    assert_int_equal(sm_sms_reasm_add(r, "9", p2, sizeof(p2), 131, &out, NULL), 0);
    /* add expires on its own: part 1 long after finds nothing to complete */
    assert_int_equal(sm_sms_reasm_add(r, "9", p1, sizeof(p1), 1000, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "9", p2, sizeof(p2), 1030, &out, NULL), 1);
    assert_memory_equal(out.data, "ab", 2);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static void reasm_full_table(void **state)
{
    struct sm_sms_reasm *r = sm_sms_reasm_new(2, 60);
    struct sm_buf out = SM_BUF_INIT;
    static const uint8_t p1[] = {0x05, 0x00, 0x03, 0x01, 0x02, 0x01, '1'};
    static const uint8_t p2[] = {0x05, 0x00, 0x03, 0x01, 0x02, 0x02, '2'};

    assert_non_null(r);
    assert_int_equal(sm_sms_reasm_add(r, "A", p1, sizeof(p1), 1, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "B", p1, sizeof(p1), 2, &out, NULL), 0);
    /* third set: A (oldest) gives way, C is kept */
    assert_int_equal(sm_sms_reasm_add(r, "C", p1, sizeof(p1), 3, &out, NULL), -ENOSPC);
    assert_int_equal(sm_sms_reasm_add(r, "C", p2, sizeof(p2), 4, &out, NULL), 1);
    assert_memory_equal(out.data, "12", 2);
    assert_int_equal(sm_sms_reasm_add(r, "B", p2, sizeof(p2), 5, &out, NULL), 1);
    /* A's part 1 was dropped: its part 2 opens a new set */
    assert_int_equal(sm_sms_reasm_add(r, "A", p2, sizeof(p2), 6, &out, NULL), 0);
    /* slot 0 A(6), slot 1 D(7); A completes; slot 0 E(9); F(10) must evict D, the oldest,
     * although it sits in slot 1 */
    assert_int_equal(sm_sms_reasm_add(r, "D", p1, sizeof(p1), 7, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "A", p1, sizeof(p1), 8, &out, NULL), 1);
    assert_int_equal(sm_sms_reasm_add(r, "E", p1, sizeof(p1), 9, &out, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "F", p1, sizeof(p1), 10, &out, NULL), -ENOSPC);
    assert_int_equal(sm_sms_reasm_add(r, "E", p2, sizeof(p2), 11, &out, NULL), 1);
    assert_int_equal(sm_sms_reasm_add(r, "D", p2, sizeof(p2), 11, &out, NULL), 0);
    /* a 1-of-1 part needs no slot and evicts nothing */
    assert_int_equal(sm_sms_reasm_add(r, "G", (const uint8_t *)"\x05\x00\x03\x01\x01\x01\x33", 7,
                                      10, &out, NULL),
                     1);
    assert_int_equal(sm_sms_reasm_add(r, "F", p2, sizeof(p2), 12, &out, NULL), 1);
    assert_int_equal(sm_sms_reasm_add(r, "D", p1, sizeof(p1), 12, &out, NULL), 1);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static void reasm_output_failure_then_retry(void **state)
{
    struct sm_sms_reasm *r = sm_sms_reasm_new(2, 60);
    struct sm_buf small = {.limit = 1}, out = SM_BUF_INIT;
    static const uint8_t p1[] = {0x05, 0x00, 0x03, 0x01, 0x02, 0x01, '1'};
    static const uint8_t p2[] = {0x05, 0x00, 0x03, 0x01, 0x02, 0x02, '2'};

    assert_non_null(r);
    assert_int_equal(sm_sms_reasm_add(r, "A", p1, sizeof(p1), 1, &small, NULL), 0);
    assert_int_equal(sm_sms_reasm_add(r, "A", p2, sizeof(p2), 1, &small, NULL), -EMSGSIZE);
    assert_int_equal(small.len, 0);
    /* the set survived: the repeated last part completes it */
    assert_int_equal(sm_sms_reasm_add(r, "A", p2, sizeof(p2), 2, &out, NULL), 1);
    assert_memory_equal(out.data, "12", 2);
    /* single message into a buffer too small */
    assert_int_equal(
        sm_sms_reasm_add(r, "A", (const uint8_t *)"\x02\x70\x00xy", 5, 3, &small, NULL), -EMSGSIZE);
    sm_buf_free(&small);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static void reasm_255_parts(void **state)
{
    static uint8_t pk[132 + 254 * 134];
    static struct sm_buf parts[255];
    struct sm_sms_reasm *r = sm_sms_reasm_new(1, 60);
    struct sm_buf out = SM_BUF_INIT;
    struct sm_sms_udh h;

    assert_non_null(r);
    fill(pk, sizeof(pk));
    assert_int_equal(sm_sms_split_packet(pk, sizeof(pk), true, 0xfe, parts, 255), 255);
    for (int i = 254; i >= 0; i--)
        assert_int_equal(sm_sms_reasm_add(r, "5", parts[i].data, parts[i].len, 0, &out, &h),
                         i == 0 ? 1 : 0);
    assert_int_equal(out.len, sizeof(pk));
    assert_memory_equal(out.data, pk, sizeof(pk));
    assert_true(h.rsp_packet);
    assert_int_equal(h.total, 255);
    free_parts(parts, 255);
    sm_buf_free(&out);
    sm_sms_reasm_free(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(deliver_scp80_vectors),
    cmocka_unit_test(deliver_truncated_every_length),
    cmocka_unit_test(deliver_field_errors),
    cmocka_unit_test(deliver_addresses),
    cmocka_unit_test(deliver_dcs_and_pid),
    cmocka_unit_test(deliver_scts),
    cmocka_unit_test(deliver_ud_errors),
    cmocka_unit_test(deliver_encode_flags_and_errors),
    cmocka_unit_test(submit_vectors),
    cmocka_unit_test(submit_truncated_and_errors),
    cmocka_unit_test(udh_valid),
    cmocka_unit_test(udh_more),
    cmocka_unit_test(udh_errors),
    cmocka_unit_test(udh_prefixes_and_noise),
    cmocka_unit_test(split_single),
    cmocka_unit_test(split_concatenated),
    cmocka_unit_test(split_errors),
    cmocka_unit_test(reasm_single_and_one_part),
    cmocka_unit_test(reasm_out_of_order_and_duplicates),
    cmocka_unit_test(reasm_keys_and_conflicts),
    cmocka_unit_test(reasm_bad_parts),
    cmocka_unit_test(reasm_timeouts),
    cmocka_unit_test(reasm_full_table),
    cmocka_unit_test(reasm_output_failure_then_retry),
    cmocka_unit_test(reasm_255_parts),
};

SM_TEST_MAIN(tests, NULL, NULL)
