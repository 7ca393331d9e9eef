/* SPDX-License-Identifier: Apache-2.0 */
/* Identifiers: every vector of tests/vectors/luhn-iccid-eid.json (embedded), round trips and
 * every refusal path. */
#include <errno.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/hex.h"
#include "sm/ids.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    long n = sm_hex_decode(h, out, cap);

    assert_true(n >= 0);
    return (size_t)n;
}

/* --- ICCID --- */

struct luhn_vec {
    const char *payload, *check, *iccid;
};

/* luhn-iccid-eid.json, type iccid_luhn, valid */
static const struct luhn_vec luhn_vecs[] = {
    {"898821100000053008", "2", "8988211000000530082"},
    {"8988211000000530081", "1", "89882110000005300811"},
    {"898821100000043001", "0", "8988211000000430010"},
    {"898821100000046728", "5", "8988211000000467285"},
    {"894944000000115531", "4", "8949440000001155314"},
    {"894944999999999003", "1", "8949449999999990031"},
    {"8944531015001101367", "8", "89445310150011013678"},
    /* es8 notes 4.1 example */
    {"894944999999999000", "7", "8949449999999990007"},
};

static void iccid_luhn_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(luhn_vecs) / sizeof(luhn_vecs[0]); i++) {
        const struct luhn_vec *v = &luhn_vecs[i];
        char c = 0, out[SM_ICCID_MAX_DIGITS + 1];

        assert_int_equal(sm_luhn_digit(v->payload, &c), 0);
        assert_int_equal(c, v->check[0]);
        assert_int_equal(sm_iccid_check(v->iccid), 0);
        assert_int_equal(sm_json_is_iccid(v->iccid), 0);
        assert_int_equal(sm_iccid_complete(v->payload, out), 0);
        assert_string_equal(out, v->iccid);
    }
}

static void iccid_invalid(void **state)
{
    char c, out[SM_ICCID_MAX_DIGITS + 1], buf[32];

    /* vector: 19 digits, last digit not the Luhn digit of the first 18 */
    assert_int_equal(sm_iccid_check("8988211000000530081"), -EINVAL);
    assert_int_equal(sm_json_is_iccid("8988211000000530081"), -EINVAL);
    /* Luhn catches every single-digit substitution */
    for (size_t i = 0; i < sizeof(luhn_vecs) / sizeof(luhn_vecs[0]); i++) {
        size_t n = strlen(luhn_vecs[i].iccid);

        for (size_t k = 2; k < n; k++) {
            for (char d = '0'; d <= '9'; d++) {
                strcpy(buf, luhn_vecs[i].iccid);
                if (buf[k] == d)
                    continue;
                buf[k] = d;
                assert_int_equal(sm_iccid_check(buf), -EINVAL);
            }
        }
    }
    /* lengths: 18 and 21 digits (valid Luhn each) */
    assert_int_equal(sm_luhn_digit("89882110000005300", &c), 0);
    snprintf(buf, sizeof(buf), "89882110000005300%c", c);
    assert_int_equal(sm_iccid_check(buf), -EINVAL);
    assert_int_equal(sm_luhn_digit("89882110000005300811", &c), 0);
    snprintf(buf, sizeof(buf), "89882110000005300811%c", c);
    assert_int_equal(sm_iccid_check(buf), -EINVAL);
    /* valid Luhn, wrong prefix (E.118 telecom: 89) */
    assert_int_equal(sm_luhn_digit("123456789012345678", &c), 0);
    snprintf(buf, sizeof(buf), "123456789012345678%c", c);
    assert_int_equal(sm_iccid_check(buf), -EINVAL);
    assert_int_equal(sm_luhn_digit("818821100000053008", &c), 0);
    snprintf(buf, sizeof(buf), "818821100000053008%c", c);
    assert_int_equal(sm_iccid_check(buf), -EINVAL);
    assert_int_equal(sm_luhn_digit("198821100000053008", &c), 0);
    snprintf(buf, sizeof(buf), "198821100000053008%c", c);
    assert_int_equal(sm_iccid_check(buf), -EINVAL);
    assert_int_equal(sm_iccid_check("898821100000053008a"), -EINVAL);
    assert_int_equal(sm_iccid_check("89882110000005 0082"), -EINVAL);
    assert_int_equal(sm_iccid_check(""), -EINVAL);
    assert_int_equal(sm_iccid_check(NULL), -EINVAL);
    assert_int_equal(sm_json_is_iccid(NULL), -EINVAL);
    /* Luhn input */
    assert_int_equal(sm_luhn_digit("", &c), -EINVAL);
    assert_int_equal(sm_luhn_digit(NULL, &c), -EINVAL);
    assert_int_equal(sm_luhn_digit("12x", &c), -EINVAL);
    assert_int_equal(sm_luhn_digit("12", NULL), -EINVAL);
    assert_int_equal(sm_luhn_digit("0", &c), 0);
    assert_int_equal(c, '0');
    assert_int_equal(sm_luhn_digit("7992739871", &c), 0); /* the classic Luhn example */
    assert_int_equal(c, '3');
    /* completion input */
    assert_int_equal(sm_iccid_complete("89882110000005300", out), -EINVAL);
    assert_int_equal(sm_iccid_complete("89882110000005300811", out), -EINVAL);
    assert_int_equal(sm_iccid_complete("198821100000053008", out), -EINVAL);
    assert_int_equal(sm_iccid_complete("818821100000053008", out), -EINVAL);
    assert_int_equal(sm_iccid_complete("89882110000005300x", out), -EINVAL);
    assert_int_equal(sm_iccid_complete(NULL, out), -EINVAL);
    assert_int_equal(sm_iccid_complete("898821100000053008", NULL), -EINVAL);
}

struct ef_vec {
    const char *iccid, *ef, *saip;
};

static const struct ef_vec ef_vecs[] = {
    /* luhn-iccid-eid.json ef_iccid; SAIP form from the same digits in natural order */
    {"8988211000000430010", "988812010000400310f0", "8988211000000430010f"},
    {"89882110000005300811", "98881201000050038011", "89882110000005300811"},
    /* es8 notes 4.1 / 3.2 (TS.48) */
    {"8949449999999990007", "989444999999990900f7", "8949449999999990007f"},
};

static void iccid_ef_and_saip(void **state)
{
    for (size_t i = 0; i < sizeof(ef_vecs) / sizeof(ef_vecs[0]); i++) {
        uint8_t exp[10], got[10];
        char out[SM_ICCID_MAX_DIGITS + 1];

        assert_int_equal(unhex(ef_vecs[i].ef, exp, sizeof(exp)), 10);
        assert_int_equal(sm_iccid_to_ef(ef_vecs[i].iccid, got), 0);
        assert_memory_equal(got, exp, 10);
        assert_int_equal(sm_iccid_from_ef(exp, out), 0);
        assert_string_equal(out, ef_vecs[i].iccid);

        assert_int_equal(unhex(ef_vecs[i].saip, exp, sizeof(exp)), 10);
        assert_int_equal(sm_iccid_to_saip(ef_vecs[i].iccid, got), 0);
        assert_memory_equal(got, exp, 10);
        assert_int_equal(sm_iccid_from_saip(exp, out), 0);
        assert_string_equal(out, ef_vecs[i].iccid);
    }
}

static void iccid_ef_invalid(void **state)
{
    uint8_t ef[10], b[10];
    char out[SM_ICCID_MAX_DIGITS + 1] = "unchanged";

    assert_int_equal(sm_iccid_to_ef("8988211000000530081", ef), -EINVAL);
    assert_int_equal(sm_iccid_to_saip("8988211000000530081", ef), -EINVAL);
    assert_int_equal(sm_iccid_to_ef(NULL, ef), -EINVAL);
    assert_int_equal(sm_iccid_to_ef("8988211000000430010", NULL), -EINVAL);
    assert_int_equal(sm_iccid_from_ef(NULL, out), -EINVAL);
    assert_int_equal(sm_iccid_from_ef(ef, NULL), -EINVAL);

    unhex("988812010000400310f0", ef, sizeof(ef));
    /* filler in the middle, then digits */
    memcpy(b, ef, 10);
    b[4] = 0xf0;
    assert_int_equal(sm_iccid_from_ef(b, out), -EINVAL);
    /* a nibble A..E */
    memcpy(b, ef, 10);
    b[3] = 0x1a;
    assert_int_equal(sm_iccid_from_ef(b, out), -EINVAL);
    /* filler in the low (first-digit) nibble of the last byte, digit after it */
    memcpy(b, ef, 10);
    b[9] = 0x0f;
    assert_int_equal(sm_iccid_from_ef(b, out), -EINVAL);
    /* bad Luhn digit */
    memcpy(b, ef, 10);
    b[9] = 0xf1;
    assert_int_equal(sm_iccid_from_ef(b, out), -EINVAL);
    /* 18 digits (last byte all filler) */
    memcpy(b, ef, 10);
    b[9] = 0xff;
    assert_int_equal(sm_iccid_from_ef(b, out), -EINVAL);
    /* all filler */
    memset(b, 0xff, 10);
    assert_int_equal(sm_iccid_from_ef(b, out), -EINVAL);
    assert_int_equal(sm_iccid_from_saip(b, out), -EINVAL);
    /* the EF form read as SAIP is not an ICCID (starts 98, filler first) */
    assert_int_equal(sm_iccid_from_saip(ef, out), -EINVAL);
    assert_string_equal(out, "unchanged");
}

/* --- IMSI --- */

static const struct {
    const char *imsi, *ef;
} imsi_vecs[] = {
    {"228062800000208", "082982608200002080"},
    {"262011106487504", "082926101160845740"},
    {"001010000123456", "080910100000214365"},
    {"0010100001234", "0709101000002143ff"},
    {"22806280000028", "0821826082000020f8"},
    {"00101000012345", "0801101000002143f5"},
    {"001010000123", "07011010000021f3ff"},
    /* es8 notes 4.2 */
    {"001010123456063", "080910101032540636"},
};

static void imsi_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(imsi_vecs) / sizeof(imsi_vecs[0]); i++) {
        uint8_t exp[9], got[9];
        char out[SM_IMSI_MAX_DIGITS + 1];

        assert_int_equal(unhex(imsi_vecs[i].ef, exp, sizeof(exp)), 9);
        assert_int_equal(sm_imsi_check(imsi_vecs[i].imsi), 0);
        assert_int_equal(sm_json_is_imsi(imsi_vecs[i].imsi), 0);
        assert_int_equal(sm_imsi_to_ef(imsi_vecs[i].imsi, got), 0);
        assert_memory_equal(got, exp, 9);
        assert_int_equal(sm_imsi_from_ef(exp, out), 0);
        assert_string_equal(out, imsi_vecs[i].imsi);
    }
}

static void imsi_lengths_round_trip(void **state)
{
    const char *digits = "123456789012345";

    for (size_t n = 6; n <= 15; n++) {
        char imsi[16], out[16];
        uint8_t ef[9];

        memcpy(imsi, digits, n);
        imsi[n] = 0;
        assert_int_equal(sm_imsi_to_ef(imsi, ef), 0);
        assert_int_equal(ef[0], n / 2 + 1);
        assert_int_equal(ef[1], 0x10 | ((n % 2) ? 0x09 : 0x01));
        for (size_t k = (size_t)ef[0] + 1; k < 9; k++)
            assert_int_equal(ef[k], 0xff);
        assert_int_equal(sm_imsi_from_ef(ef, out), 0);
        assert_string_equal(out, imsi);
    }
}

static void imsi_invalid(void **state)
{
    uint8_t ef[9], b[9];
    char out[16] = "unchanged";

    assert_int_equal(sm_imsi_check("12345"), -EINVAL);
    assert_int_equal(sm_imsi_check("1234567890123456"), -EINVAL);
    assert_int_equal(sm_imsi_check("12345a"), -EINVAL);
    assert_int_equal(sm_imsi_check(""), -EINVAL);
    assert_int_equal(sm_imsi_check(NULL), -EINVAL);
    assert_int_equal(sm_json_is_imsi("+12345678"), -EINVAL);
    assert_int_equal(sm_imsi_to_ef("12345", ef), -EINVAL);
    assert_int_equal(sm_imsi_to_ef("1234567890123456", ef), -EINVAL);
    assert_int_equal(sm_imsi_to_ef("12345678x", ef), -EINVAL);
    assert_int_equal(sm_imsi_to_ef("123456", NULL), -EINVAL);
    assert_int_equal(sm_imsi_from_ef(NULL, out), -EINVAL);

    unhex("0821826082000020f8", ef, sizeof(ef)); /* 14 digits, even */
    assert_int_equal(sm_imsi_from_ef(ef, NULL), -EINVAL);
    /* used length 0, 9, FF (erased EF) */
    memcpy(b, ef, 9);
    b[0] = 0;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    b[0] = 9;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    memset(b, 0xff, 9);
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    /* type bits other than 001 (IMSI) */
    memcpy(b, ef, 9);
    b[1] = 0x22;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    b[1] = 0x20;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    /* odd flag on an even IMSI: the filler F would be a digit */
    memcpy(b, ef, 9);
    b[1] = 0x29;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    /* even flag but the last high nibble is a digit */
    memcpy(b, ef, 9);
    b[8] = 0x38;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    /* a digit nibble A..F inside */
    memcpy(b, ef, 9);
    b[3] = 0x6b;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    memcpy(b, ef, 9);
    b[1] = 0xf1;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    /* bytes past the used length must be FF */
    unhex("07011010000021f3ff", ef, sizeof(ef));
    memcpy(b, ef, 9);
    b[8] = 0xfe;
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    /* fewer than 6 digits: 3 bytes used -> 4 or 5 digits */
    unhex("03192143ffffffffff", b, sizeof(b));
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    unhex("031121f3ffffffffff", b, sizeof(b));
    assert_int_equal(sm_imsi_from_ef(b, out), -EINVAL);
    /* 4 bytes used, odd: 7 digits is fine (boundary) */
    unhex("0419214365ffffffff", b, sizeof(b));
    assert_int_equal(sm_imsi_from_ef(b, out), 0);
    assert_string_equal(out, "1123456");
}

/* --- EID --- */

static const struct {
    const char *eid, *first30, *check;
} eid_vecs[] = {
    {"89049032123451234512345678901235", "890490321234512345123456789012", "35"},
    {"89086030202200000022000023022943", "890860302022000000220000230229", "43"},
    {"89044045116727494800000004479366", "890440451167274948000000044793", "66"},
    {"89882119900000000000000000000005", "898821199000000000000000000000", "05"},
    {"89049044900000000000000000102355", "890490449000000000000000001023", "55"},
    {"89034011560010000000000000000121", "890340115600100000000000000001", "21"},
    {"89001012012341234012345678901224", "890010120123412340123456789012", "24"},
    {"89001567010203040506070809101152", "890015670102030405060708091011", "52"},
    {"89044011112233441122334411223321", "890440111122334411223344112233", "21"},
    /* es8 notes 4.3 */
    {"89049032000000000000000000000066", "890490320000000000000000000000", "66"},
    {"89044000000000000000000001234558", "890440000000000000000000012345", "58"},
};

static void eid_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(eid_vecs) / sizeof(eid_vecs[0]); i++) {
        char out[SM_EID_DIGITS + 1];
        uint8_t b[16];

        assert_int_equal(sm_eid_check(eid_vecs[i].eid), 0);
        assert_int_equal(sm_json_is_eid(eid_vecs[i].eid), 0);
        assert_int_equal(sm_eid_complete(eid_vecs[i].first30, out), 0);
        assert_string_equal(out, eid_vecs[i].eid);
        assert_string_equal(out + 30, eid_vecs[i].check);
        assert_int_equal(sm_eid_to_bytes(eid_vecs[i].eid, b), 0);
        /* natural-order packed BCD: first byte holds "89" */
        assert_int_equal(b[0], 0x89);
        assert_int_equal(b[15], ((eid_vecs[i].check[0] - '0') << 4) | (eid_vecs[i].check[1] - '0'));
        memset(out, 0, sizeof(out));
        assert_int_equal(sm_eid_from_bytes(b, out), 0);
        assert_string_equal(out, eid_vecs[i].eid);
    }
}

static void eid_invalid(void **state)
{
    /* the invalid vectors: mod 97 = 0, 65, 4; their correct check digits */
    static const struct {
        const char *eid, *correct;
    } bad[] = {
        {"89049032123451234512345678901234", "35"},
        {"89049032123451234512345678901299", "35"},
        {"89049032123451234512345678901335", "32"},
    };
    char out[SM_EID_DIGITS + 1], buf[40];
    uint8_t b[16];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sm_eid_check(bad[i].eid), -EINVAL);
        assert_int_equal(sm_json_is_eid(bad[i].eid), -EINVAL);
        assert_int_equal(sm_eid_to_bytes(bad[i].eid, b), -EINVAL);
        memcpy(buf, bad[i].eid, 30);
        buf[30] = 0;
        assert_int_equal(sm_eid_complete(buf, out), 0);
        assert_string_equal(out + 30, bad[i].correct);
        assert_int_equal(sm_eid_check(out), 0);
    }
    /* MOD 97-10 catches every single-digit substitution */
    for (size_t k = 0; k < SM_EID_DIGITS; k++) {
        for (char d = '0'; d <= '9'; d++) {
            strcpy(buf, eid_vecs[0].eid);
            if (buf[k] == d)
                continue;
            buf[k] = d;
            assert_int_equal(sm_eid_check(buf), -EINVAL);
        }
    }
    assert_int_equal(sm_eid_check("8904903212345123451234567890123"), -EINVAL);   /* 31 */
    assert_int_equal(sm_eid_check("890490321234512345123456789012350"), -EINVAL); /* 33 */
    assert_int_equal(sm_eid_check("8904903212345123451234567890123a"), -EINVAL);
    assert_int_equal(sm_eid_check(""), -EINVAL);
    assert_int_equal(sm_eid_check(NULL), -EINVAL);
    assert_int_equal(sm_json_is_eid(NULL), -EINVAL);
    assert_int_equal(sm_eid_complete("89049032123451234512345678901", out), -EINVAL);
    assert_int_equal(sm_eid_complete("8904903212345123451234567890123", out), -EINVAL);
    assert_int_equal(sm_eid_complete("89049032123451234512345678901x", out), -EINVAL);
    assert_int_equal(sm_eid_complete(NULL, out), -EINVAL);
    assert_int_equal(sm_eid_complete("890490321234512345123456789012", NULL), -EINVAL);
    assert_int_equal(sm_eid_to_bytes(eid_vecs[0].eid, NULL), -EINVAL);

    assert_int_equal(sm_eid_to_bytes(eid_vecs[0].eid, b), 0);
    strcpy(out, "unchanged");
    b[15] ^= 0x01; /* check digits 35 -> 34 */
    assert_int_equal(sm_eid_from_bytes(b, out), -EINVAL);
    b[15] ^= 0x01;
    b[7] = 0x3c; /* nibble C */
    assert_int_equal(sm_eid_from_bytes(b, out), -EINVAL);
    b[7] = 0xf3;
    assert_int_equal(sm_eid_from_bytes(b, out), -EINVAL);
    assert_string_equal(out, "unchanged");
    assert_int_equal(sm_eid_from_bytes(NULL, out), -EINVAL);
    assert_int_equal(sm_eid_from_bytes(b, NULL), -EINVAL);
}

/* --- MSISDN, BCD, addresses --- */

static void msisdn_check(void **state)
{
    assert_int_equal(sm_msisdn_check("+491701234567"), 0);
    assert_int_equal(sm_msisdn_check("123"), 0);
    assert_int_equal(sm_msisdn_check("+123"), 0);
    assert_int_equal(sm_msisdn_check("123456789012345"), 0);
    assert_int_equal(sm_msisdn_check("+123456789012345"), 0);
    assert_int_equal(sm_json_is_msisdn("+491701234567"), 0);
    assert_int_equal(sm_msisdn_check("12"), -EINVAL);
    assert_int_equal(sm_msisdn_check("+12"), -EINVAL);
    assert_int_equal(sm_msisdn_check("1234567890123456"), -EINVAL);
    assert_int_equal(sm_msisdn_check("+1234567890123456"), -EINVAL);
    assert_int_equal(sm_msisdn_check("+"), -EINVAL);
    assert_int_equal(sm_msisdn_check("++123"), -EINVAL);
    assert_int_equal(sm_msisdn_check("12+34"), -EINVAL);
    assert_int_equal(sm_msisdn_check("123 45"), -EINVAL);
    assert_int_equal(sm_msisdn_check("123*"), -EINVAL);
    assert_int_equal(sm_msisdn_check(""), -EINVAL);
    assert_int_equal(sm_msisdn_check(NULL), -EINVAL);
    assert_int_equal(sm_json_is_msisdn("12"), -EINVAL);
}

static void bcd_swapped(void **state)
{
    uint8_t b[8];
    char out[20];

    assert_int_equal(sm_bcd_swapped_encode("12345", b, sizeof(b)), 3);
    assert_memory_equal(b, "\x21\x43\xf5", 3);
    assert_int_equal(sm_bcd_swapped_encode("123456", b, 3), 3);
    assert_memory_equal(b, "\x21\x43\x65", 3);
    assert_int_equal(sm_bcd_swapped_encode("", b, sizeof(b)), 0);
    assert_int_equal(sm_bcd_swapped_encode("1234567", b, 3), -ENOSPC);
    assert_int_equal(sm_bcd_swapped_encode("12a4", b, sizeof(b)), -EINVAL);
    assert_int_equal(sm_bcd_swapped_encode("+12", b, sizeof(b)), -EINVAL);
    assert_int_equal(sm_bcd_swapped_encode(NULL, b, sizeof(b)), -EINVAL);

    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21\x43\xf5", 3, out, sizeof(out)),
                     0);
    assert_string_equal(out, "12345");
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21\x43\x65", 3, out, sizeof(out)),
                     0);
    assert_string_equal(out, "123456");
    /* F fill then FF bytes (EF style) */
    assert_int_equal(
        sm_bcd_swapped_decode((const uint8_t *)"\x21\xf3\xff\xff", 4, out, sizeof(out)), 0);
    assert_string_equal(out, "123");
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"", 0, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    /* exact fit: 6 digits + NUL in 7 */
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21\x43\x65", 3, out, 7), 0);
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21\x43\x65", 3, out, 6), -EINVAL);
    /* a digit after the filler */
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x2f\x43", 2, out, sizeof(out)),
                     -EINVAL);
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\xf1\x43", 2, out, sizeof(out)),
                     -EINVAL);
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21\xf3\x4f", 3, out, sizeof(out)),
                     -EINVAL);
    /* nibbles A..E */
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21\x4a", 2, out, sizeof(out)),
                     -EINVAL);
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\xe1", 1, out, sizeof(out)), -EINVAL);
    assert_int_equal(sm_bcd_swapped_decode(NULL, 2, out, sizeof(out)), -EINVAL);
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21", 1, NULL, 4), -EINVAL);
    assert_int_equal(sm_bcd_swapped_decode((const uint8_t *)"\x21", 1, out, 0), -EINVAL);
}

static void address(void **state)
{
    uint8_t b[12];
    char out[20];

    assert_int_equal(sm_address_encode("+491701234567", b, sizeof(b)), 7);
    assert_memory_equal(b, "\x91\x94\x71\x10\x32\x54\x76", 7);
    assert_int_equal(sm_address_decode(b, 7, out, sizeof(out)), 0);
    assert_string_equal(out, "+491701234567");
    assert_int_equal(sm_address_encode("12345", b, sizeof(b)), 4);
    assert_memory_equal(b, "\x81\x21\x43\xf5", 4);
    assert_int_equal(sm_address_decode(b, 4, out, sizeof(out)), 0);
    assert_string_equal(out, "12345");
    /* output sizes: "12345" needs 6 */
    assert_int_equal(sm_address_decode(b, 4, out, 6), 0);
    assert_int_equal(sm_address_decode(b, 4, out, 5), -ENOSPC);
    assert_int_equal(sm_address_encode("12345", b, 4), 4);
    assert_int_equal(sm_address_encode("12345", b, 3), -ENOSPC);
    assert_int_equal(sm_address_encode("12345", b, 0), -ENOSPC);

    assert_int_equal(sm_address_encode("12", b, sizeof(b)), -EINVAL);
    assert_int_equal(sm_address_encode("+12a45", b, sizeof(b)), -EINVAL);
    assert_int_equal(sm_address_encode(NULL, b, sizeof(b)), -EINVAL);
    assert_int_equal(sm_address_encode("12345", NULL, 0), -EINVAL);
    /* TON/NPI values the text cannot carry back (national, unknown plan, reserved) */
    assert_int_equal(sm_address_decode((const uint8_t *)"\xa1\x21\x43", 3, out, sizeof(out)),
                     -EINVAL);
    assert_int_equal(sm_address_decode((const uint8_t *)"\x80\x21\x43", 3, out, sizeof(out)),
                     -EINVAL);
    assert_int_equal(sm_address_decode((const uint8_t *)"\x11\x21\x43", 3, out, sizeof(out)),
                     -EINVAL);
    /* too short: TON only, and 2 digits */
    assert_int_equal(sm_address_decode((const uint8_t *)"\x91", 1, out, sizeof(out)), -EINVAL);
    assert_int_equal(sm_address_decode((const uint8_t *)"\x91\x21", 2, out, sizeof(out)), -EINVAL);
    /* 16 digits */
    assert_int_equal(sm_address_decode((const uint8_t *)"\x91\x21\x43\x65\x87\x09\x21\x43\x65", 9,
                                       out, sizeof(out)),
                     -EINVAL);
    assert_int_equal(sm_address_decode((const uint8_t *)"\x81\x21\x43\x65\x87\x09\x21\x43\x65", 9,
                                       out, sizeof(out)),
                     -EINVAL);
    /* 15 digits: the maximum */
    assert_int_equal(sm_address_decode((const uint8_t *)"\x91\x21\x43\x65\x87\x09\x21\x43\xf5", 9,
                                       out, sizeof(out)),
                     0);
    assert_string_equal(out, "+123456789012345");
    /* bad BCD */
    assert_int_equal(sm_address_decode((const uint8_t *)"\x91\x21\x4b", 3, out, sizeof(out)),
                     -EINVAL);
    assert_int_equal(sm_address_decode(NULL, 3, out, sizeof(out)), -EINVAL);
    assert_int_equal(sm_address_decode(b, 4, NULL, 0), -EINVAL);
}

/* --- AID and TAR --- */

static void aid_and_tar(void **state)
{
    uint8_t aid[SM_AID_MAX], tar[3];

    /* ISD-R (SGP.02): TAR 000001 */
    assert_int_equal(sm_aid_parse("A0000005591010FFFFFFFF8900000100", aid), 16);
    assert_int_equal(sm_tar_from_aid(aid, 16, tar), 0);
    assert_memory_equal(tar, "\x00\x00\x01", 3);
    /* an ISD-P, lower case accepted */
    assert_int_equal(sm_aid_parse("a0000005591010ffffffff8900001000", aid), 16);
    assert_int_equal(sm_tar_from_aid(aid, 16, tar), 0);
    assert_memory_equal(tar, "\x00\x00\x10", 3);
    assert_int_equal(sm_json_is_aid("A0000005591010FFFFFFFF8900000100"), 0);
    /* bounds: 5 and 16 bytes */
    assert_int_equal(sm_aid_parse("A000000559", aid), 5);
    assert_memory_equal(aid, "\xa0\x00\x00\x05\x59", 5);
    assert_int_equal(sm_tar_from_aid(aid, 5, tar), -EINVAL);
    assert_int_equal(sm_tar_from_aid(aid, 15, tar), -EINVAL);
    assert_int_equal(sm_tar_from_aid(aid, 17, tar), -EINVAL);
    assert_int_equal(sm_tar_from_aid(NULL, 16, tar), -EINVAL);
    assert_int_equal(sm_tar_from_aid(aid, 16, NULL), -EINVAL);
    assert_int_equal(sm_aid_parse("A0000005", aid), -EINVAL);                           /* 4 */
    assert_int_equal(sm_aid_parse("A0000005591010FFFFFFFF890000010000", aid), -EINVAL); /* 17 */
    assert_int_equal(sm_aid_parse("A00000055", aid), -EINVAL);                          /* odd */
    assert_int_equal(sm_aid_parse("A0000005591G", aid), -EINVAL);
    assert_int_equal(sm_aid_parse("A0 00 00 05 59", aid), -EINVAL);
    assert_int_equal(sm_aid_parse("", aid), -EINVAL);
    assert_int_equal(sm_aid_parse(NULL, aid), -EINVAL);
    assert_int_equal(sm_aid_parse("A000000559", NULL), -EINVAL);
    assert_int_equal(sm_json_is_aid("A0000005"), -EINVAL);
    assert_int_equal(sm_json_is_aid(NULL), -EINVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(iccid_luhn_vectors), cmocka_unit_test(iccid_invalid),
    cmocka_unit_test(iccid_ef_and_saip),  cmocka_unit_test(iccid_ef_invalid),
    cmocka_unit_test(imsi_vectors),       cmocka_unit_test(imsi_lengths_round_trip),
    cmocka_unit_test(imsi_invalid),       cmocka_unit_test(eid_vectors),
    cmocka_unit_test(eid_invalid),        cmocka_unit_test(msisdn_check),
    cmocka_unit_test(bcd_swapped),        cmocka_unit_test(address),
    cmocka_unit_test(aid_and_tar),
};

SM_TEST_MAIN(tests, NULL, NULL)
