/* SPDX-License-Identifier: Apache-2.0 */
/* Identifiers: EID, ICCID, IMSI, MSISDN, addresses, AID/TAR (see sm/ids.h). */
#include <errno.h>
#include <string.h>

#include "sm/hex.h"
#include "sm/ids.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of s when it is exactly min..max decimal digits, else -EINVAL. */
static int digits_len(const char *s, size_t min, size_t max)
{
    size_t n;

    if (!s)
        return -EINVAL;
    n = strnlen(s, max + 1);
    if (n < min || n > max)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return -EINVAL;
    return (int)n;
}

/* Remainder mod 97 of a decimal string, digit by digit (the EID exceeds 64 bits). */
static unsigned mod97(const char *s, size_t n)
{
    unsigned r = 0;

    for (size_t i = 0; i < n; i++)
        r = (r * 10 + (unsigned)(s[i] - '0')) % 97;
    return r;
}

/* --- EID: ISO/IEC 7064 MOD 97-10 (SGP.02 Annex J) --- */

int sm_eid_check(const char *eid)
{
    if (digits_len(eid, SM_EID_DIGITS, SM_EID_DIGITS) < 0)
        return -EINVAL;
    return mod97(eid, SM_EID_DIGITS) == 1 ? 0 : -EINVAL;
}

int sm_eid_complete(const char *first30, char out[SM_EID_DIGITS + 1])
{
    unsigned r;

    if (!out || digits_len(first30, SM_EID_DIGITS - 2, SM_EID_DIGITS - 2) < 0)
        return -EINVAL;
    /* check = 98 - (N * 100 mod 97): always two digits, 02..98 */
    r = (mod97(first30, SM_EID_DIGITS - 2) * 100) % 97;
    r = 98 - r;
    memcpy(out, first30, SM_EID_DIGITS - 2);
    out[SM_EID_DIGITS - 2] = (char)('0' + r / 10);
    out[SM_EID_DIGITS - 1] = (char)('0' + r % 10);
    out[SM_EID_DIGITS] = 0;
    return 0;
}

int sm_eid_to_bytes(const char *eid, uint8_t out[16])
{
    if (!out || sm_eid_check(eid) < 0)
        return -EINVAL;
    for (size_t i = 0; i < 16; i++)
        out[i] = (uint8_t)(((eid[2 * i] - '0') << 4) | (eid[2 * i + 1] - '0'));
    return 0;
}

int sm_eid_from_bytes(const uint8_t in[16], char out[SM_EID_DIGITS + 1])
{
    char tmp[SM_EID_DIGITS + 1];

    if (!in || !out)
        return -EINVAL;
    for (size_t i = 0; i < 16; i++) {
        if ((in[i] >> 4) > 9 || (in[i] & 0x0f) > 9)
            return -EINVAL;
        tmp[2 * i] = (char)('0' + (in[i] >> 4));
        tmp[2 * i + 1] = (char)('0' + (in[i] & 0x0f));
    }
    tmp[SM_EID_DIGITS] = 0;
    if (sm_eid_check(tmp) < 0)
        return -EINVAL;
    memcpy(out, tmp, sizeof(tmp));
    return 0;
}

/* --- ICCID: E.118, Luhn check digit --- */

/* Luhn digit of n digits: the rightmost one is doubled (it sits left of the check digit). */
static char luhn_of(const char *digits, size_t n)
{
    unsigned sum = 0;
    bool dbl = true;

    for (size_t i = n; i-- > 0; dbl = !dbl) {
        unsigned d = (unsigned)(digits[i] - '0');

        if (dbl) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

int sm_luhn_digit(const char *digits, char *check)
{
    int n = digits_len(digits, 1, 64);

    if (n < 0 || !check)
        return -EINVAL;
    *check = luhn_of(digits, (size_t)n);
    return 0;
}

int sm_iccid_check(const char *iccid)
{
    int n = digits_len(iccid, 19, SM_ICCID_MAX_DIGITS);

    if (n < 0 || iccid[0] != '8' || iccid[1] != '9')
        return -EINVAL;
    return luhn_of(iccid, (size_t)n - 1) == iccid[n - 1] ? 0 : -EINVAL;
}

int sm_iccid_complete(const char *payload, char out[SM_ICCID_MAX_DIGITS + 1])
{
    int n = digits_len(payload, 18, SM_ICCID_MAX_DIGITS - 1);

    if (n < 0 || !out || payload[0] != '8' || payload[1] != '9')
        return -EINVAL;
    memcpy(out, payload, (size_t)n);
    out[n] = luhn_of(payload, (size_t)n);
    out[n + 1] = 0;
    return 0;
}

/* 20 nibbles, F padded at the end only; swapped selects which nibble holds the first digit. */
static int iccid_pack(const char *iccid, uint8_t out[10], bool swapped)
{
    size_t n;

    if (!out || sm_iccid_check(iccid) < 0)
        return -EINVAL;
    n = strlen(iccid);
    for (size_t i = 0; i < 10; i++) {
        uint8_t a = 2 * i < n ? (uint8_t)(iccid[2 * i] - '0') : 0x0f;
        uint8_t b = 2 * i + 1 < n ? (uint8_t)(iccid[2 * i + 1] - '0') : 0x0f;

        out[i] = swapped ? (uint8_t)(b << 4 | a) : (uint8_t)(a << 4 | b);
    }
    return 0;
}

static int iccid_unpack(const uint8_t in[10], char out[SM_ICCID_MAX_DIGITS + 1], bool swapped)
{
    char tmp[SM_ICCID_MAX_DIGITS + 1];
    size_t n = 0;
    bool pad = false;

    if (!in || !out)
        return -EINVAL;
    for (size_t i = 0; i < 20; i++) {
        uint8_t byte = in[i / 2];
        bool first = (i % 2 == 0);
        uint8_t v = (first == swapped) ? (byte & 0x0f) : (byte >> 4);

        if (v == 0x0f) {
            pad = true;
            continue;
        }
        /* a digit after the filler, or a nibble A..E, cannot be an ICCID */
        if (pad || v > 9)
            return -EINVAL;
        tmp[n++] = (char)('0' + v);
    }
    tmp[n] = 0;
    if (sm_iccid_check(tmp) < 0)
        return -EINVAL;
    memcpy(out, tmp, n + 1);
    return 0;
}

int sm_iccid_to_ef(const char *iccid, uint8_t out[10])
{
    return iccid_pack(iccid, out, true);
}

int sm_iccid_from_ef(const uint8_t in[10], char out[SM_ICCID_MAX_DIGITS + 1])
{
    return iccid_unpack(in, out, true);
}

int sm_iccid_to_saip(const char *iccid, uint8_t out[10])
{
    return iccid_pack(iccid, out, false);
}

int sm_iccid_from_saip(const uint8_t in[10], char out[SM_ICCID_MAX_DIGITS + 1])
{
    return iccid_unpack(in, out, false);
}

/* --- IMSI: EF.IMSI per TS 31.102 4.2.2 / TS 24.008 10.5.1.4 --- */

int sm_imsi_check(const char *imsi)
{
    return digits_len(imsi, 6, SM_IMSI_MAX_DIGITS) < 0 ? -EINVAL : 0;
}

int sm_imsi_to_ef(const char *imsi, uint8_t out[9])
{
    int n = digits_len(imsi, 6, SM_IMSI_MAX_DIGITS);
    uint8_t nib[18];

    if (n < 0 || !out)
        return -EINVAL;
    /* nibble 0: type 001 with the odd/even bit (b4); then the digits; F fill */
    nib[0] = (n % 2) ? 0x09 : 0x01;
    for (int i = 0; i < 17; i++)
        nib[i + 1] = i < n ? (uint8_t)(imsi[i] - '0') : 0x0f;
    out[0] = (uint8_t)(n / 2 + 1); /* bytes used after the length byte */
    for (int i = 0; i < 8; i++)
        out[i + 1] = (uint8_t)(nib[2 * i + 1] << 4 | nib[2 * i]);
    /* bytes beyond the used length are FF */
    for (int i = out[0] + 1; i < 9; i++)
        out[i] = 0xff;
    return 0;
}

int sm_imsi_from_ef(const uint8_t in[9], char out[SM_IMSI_MAX_DIGITS + 1])
{
    char tmp[SM_IMSI_MAX_DIGITS + 1];
    unsigned used, n;
    bool odd;

    if (!in || !out)
        return -EINVAL;
    used = in[0];
    if (used < 1 || used > 8 || ((in[1] & 0x07) != 0x01))
        return -EINVAL;
    odd = (in[1] & 0x08) != 0;
    n = 2 * used - (odd ? 1 : 2);
    if (n < 6 || n > SM_IMSI_MAX_DIGITS)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        /* digit i is nibble i+1: high nibble of byte 1, then low-first pairs */
        unsigned k = i + 1;
        uint8_t v = (k % 2) ? (uint8_t)(in[1 + k / 2] >> 4) : (uint8_t)(in[1 + k / 2] & 0x0f);

        if (v > 9)
            return -EINVAL;
        tmp[i] = (char)('0' + v);
    }
    tmp[n] = 0;
    /* an even count leaves the last high nibble as filler */
    if (!odd && (in[used] >> 4) != 0x0f)
        return -EINVAL;
    for (unsigned i = used + 1; i < 9; i++)
        if (in[i] != 0xff)
            return -EINVAL;
    memcpy(out, tmp, n + 1);
    return 0;
}

/* --- MSISDN and addresses --- */

int sm_msisdn_check(const char *msisdn)
{
    if (!msisdn)
        return -EINVAL;
    if (msisdn[0] == '+')
        msisdn++;
    return digits_len(msisdn, 3, SM_MSISDN_MAX_DIGITS) < 0 ? -EINVAL : 0;
}

int sm_bcd_swapped_encode(const char *digits, uint8_t *out, size_t out_size)
{
    size_t n, bytes;

    if (!digits || (!out && out_size))
        return -EINVAL;
    n = strlen(digits);
    for (size_t i = 0; i < n; i++)
        if (!is_digit(digits[i]))
            return -EINVAL;
    bytes = (n + 1) / 2;
    if (bytes > out_size || bytes > 0x7fffffff)
        return -ENOSPC;
    for (size_t i = 0; i < bytes; i++) {
        uint8_t lo = (uint8_t)(digits[2 * i] - '0');
        uint8_t hi = 2 * i + 1 < n ? (uint8_t)(digits[2 * i + 1] - '0') : 0x0f;

        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)bytes;
}

int sm_bcd_swapped_decode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
    size_t n = 0;
    bool pad = false;

    if ((!in && len) || !out || !out_size)
        return -EINVAL;
    for (size_t i = 0; i < 2 * len; i++) {
        uint8_t v = (i % 2) ? (uint8_t)(in[i / 2] >> 4) : (uint8_t)(in[i / 2] & 0x0f);

        if (v == 0x0f) {
            pad = true;
            continue;
        }
        if (pad || v > 9)
            return -EINVAL;
        if (n + 1 >= out_size)
            return -EINVAL; /* sm/ids.h: 0 or -EINVAL */
        out[n++] = (char)('0' + v);
    }
    out[n] = 0;
    return 0;
}

/* TS 102 223 8.1 Address: TON/NPI (91 international / 81 unknown, E.164) + swapped BCD. */
int sm_address_encode(const char *msisdn, uint8_t *out, size_t out_size)
{
    bool intl;
    int rc;

    if (sm_msisdn_check(msisdn) < 0 || !out)
        return -EINVAL;
    if (out_size < 1)
        return -ENOSPC;
    intl = msisdn[0] == '+';
    rc = sm_bcd_swapped_encode(msisdn + (intl ? 1 : 0), out + 1, out_size - 1);
    if (rc < 0)
        return rc;
    out[0] = intl ? 0x91 : 0x81;
    return rc + 1;
}

int sm_address_decode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
    char tmp[SM_MSISDN_MAX_DIGITS + 2];
    size_t off;
    int rc;

    if (!in || len < 2 || !out)
        return -EINVAL;
    /* only the two forms the text can carry back exactly */
    if (in[0] != 0x91 && in[0] != 0x81)
        return -EINVAL;
    off = in[0] == 0x91 ? 1 : 0;
    tmp[0] = '+';
    rc = sm_bcd_swapped_decode(in + 1, len - 1, tmp + off, sizeof(tmp) - off);
    if (rc < 0)
        return -EINVAL;
    if (sm_msisdn_check(tmp) < 0)
        return -EINVAL;
    if (strlen(tmp) + 1 > out_size)
        return -ENOSPC;
    memcpy(out, tmp, strlen(tmp) + 1);
    return 0;
}

/* --- AID (ISO/IEC 7816-5) and TAR (TS 101 220 / 102 226) --- */

int sm_aid_parse(const char *hex, uint8_t out[SM_AID_MAX])
{
    long n;

    if (!hex || !out || strnlen(hex, 2 * SM_AID_MAX + 1) > 2 * SM_AID_MAX)
        return -EINVAL;
    n = sm_hex_decode(hex, out, SM_AID_MAX);
    if (n < SM_AID_MIN || n > SM_AID_MAX)
        return -EINVAL;
    return (int)n;
}

int sm_tar_from_aid(const uint8_t *aid, size_t len, uint8_t tar[3])
{
    if (!aid || !tar || len != SM_AID_MAX)
        return -EINVAL;
    memcpy(tar, aid + 12, 3);
    return 0;
}

/* --- JSON validators --- */

int sm_json_is_eid(const char *s)
{
    return sm_eid_check(s) < 0 ? -EINVAL : 0;
}

int sm_json_is_iccid(const char *s)
{
    return sm_iccid_check(s) < 0 ? -EINVAL : 0;
}

int sm_json_is_imsi(const char *s)
{
    return sm_imsi_check(s) < 0 ? -EINVAL : 0;
}

int sm_json_is_msisdn(const char *s)
{
    return sm_msisdn_check(s) < 0 ? -EINVAL : 0;
}

int sm_json_is_aid(const char *s)
{
    uint8_t aid[SM_AID_MAX];

    return sm_aid_parse(s, aid) < 0 ? -EINVAL : 0;
}
