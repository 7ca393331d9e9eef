/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GlobalPlatform-format certificates (GP Amendment E as SGP.02 uses them; spec notes section 2).
 * Element order is fixed as in gpcert.h. Structure errors are -EBADMSG; bad values (dates, curve,
 * point, over-long fields) are -EINVAL. When discretionary_len is set, encoding sends
 * discretionary as is and ignores type and aki.
 */
#include <errno.h>
#include <string.h>

#include "sm/gpcert.h"
#include "sm/tlv.h"

#define TAG_CERT       0x7F21
#define TAG_SERIAL     0x93
#define TAG_CA         0x42
#define TAG_SUBJECT    0x5F20
#define TAG_USAGE      0x95
#define TAG_EFFECTIVE  0x5F25
#define TAG_EXPIRATION 0x5F24
#define TAG_DISCR      0x73
#define TAG_TYPE       0xC8
#define TAG_AKI        0xC9
#define TAG_PUBKEY     0x7F49
#define TAG_POINT      0xB0
#define TAG_PARAM      0xF0
#define TAG_SIG        0x5F37

static bool date_valid(uint32_t ymd)
{
    static const uint8_t dim[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    uint32_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;

    if (ymd > 99991231 || m < 1 || m > 12 || d < 1 || d > dim[m - 1])
        return false;
    /* Gregorian leap years */
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return false;
    return true;
}

/* Packed BCD YYYYMMDD -> decimal; false on a non-digit nibble or an impossible date. */
static bool bcd_date(const uint8_t v[4], uint32_t *out)
{
    uint32_t r = 0;

    for (size_t i = 0; i < 4; i++) {
        if ((v[i] >> 4) > 9 || (v[i] & 15) > 9)
            return false;
        r = r * 100 + (uint32_t)(v[i] >> 4) * 10 + (v[i] & 15);
    }
    if (!date_valid(r))
        return false;
    *out = r;
    return true;
}

static void date_bcd(uint32_t ymd, uint8_t v[4])
{
    for (size_t i = 4; i > 0; i--) {
        uint32_t two = ymd % 100;

        v[i - 1] = (uint8_t)((two / 10) << 4 | two % 10);
        ymd /= 100;
    }
}

/* The next TLV within buf[..end) must carry tag with a value of minlen..maxlen bytes. */
static int expect(const uint8_t *buf, size_t end, size_t *pos, uint32_t tag, size_t minlen,
                  size_t maxlen, struct sm_tlv *t, struct sm_decode_err *err)
{
    int rc = sm_tlv_next(buf, end, pos, t, err);

    if (rc == -ENODATA)
        return sm_decode_fail(err, -EBADMSG, *pos, "missing tag %x", tag);
    if (rc)
        return rc;
    if (t->tag != tag)
        return sm_decode_fail(err, -EBADMSG, t->offset, "expected tag %x, found %x", tag, t->tag);
    if (t->len < minlen || t->len > maxlen)
        return sm_decode_fail(err, -EBADMSG, t->offset, "tag %x: length %zu not in %zu..%zu", tag,
                              t->len, minlen, maxlen);
    return 0;
}

/* Discretionary data 73: a TLV list; C8 (1 byte) and C9 (AKI) at most once each. */
static int discr_parse(const uint8_t *buf, size_t pos, size_t end, struct sm_gpcert *c,
                       struct sm_decode_err *err)
{
    struct sm_tlv t;
    int rc;

    while ((rc = sm_tlv_next(buf, end, &pos, &t, err)) == 0) {
        if (t.tag == TAG_TYPE) {
            if (c->has_type || t.len != 1)
                return sm_decode_fail(err, -EBADMSG, t.offset, "bad or repeated tag c8");
            c->has_type = true;
            c->type = t.value[0];
        } else if (t.tag == TAG_AKI) {
            if (c->aki_len || !t.len || t.len > sizeof(c->aki))
                return sm_decode_fail(err, -EBADMSG, t.offset, "bad or repeated tag c9");
            memcpy(c->aki, t.value, t.len);
            c->aki_len = t.len;
        }
    }
    return rc == -ENODATA ? 0 : rc;
}

/* 7F49 { B0 04||X||Y [F0 ref] } */
static int pubkey_parse(const uint8_t *buf, const struct sm_tlv *k, struct sm_gpcert *c,
                        struct sm_decode_err *err)
{
    size_t pos = (size_t)(k->value - buf), end = pos + k->len;
    struct sm_tlv b, f;
    int rc;

    rc = expect(buf, end, &pos, TAG_POINT, 1, SM_EC_PUB_MAX, &b, err);
    if (rc)
        return rc;
    c->curve = SM_CURVE_P256;
    if (pos < end) {
        rc = expect(buf, end, &pos, TAG_PARAM, 1, 1, &f, err);
        if (rc)
            return rc;
        if (sm_curve_from_ref(f.value[0], &c->curve))
            return sm_decode_fail(err, -EINVAL, f.offset, "unsupported key parameter %02x",
                                  f.value[0]);
        c->has_param_ref = true;
        if (pos != end)
            return sm_decode_fail(err, -EBADMSG, pos, "unexpected data after tag f0");
    }
    if (sm_ec_check_public(c->curve, b.value, b.len))
        return sm_decode_fail(err, -EINVAL, b.offset, "public key is not a point on %s",
                              sm_curve_name(c->curve));
    memcpy(c->pub, b.value, b.len);
    c->pub_len = b.len;
    return 0;
}

/* Copy a byte-string element with its length bounds. */
static int take(const uint8_t *buf, size_t end, size_t *pos, uint32_t tag, uint8_t *dst, size_t cap,
                size_t *dlen, struct sm_decode_err *err)
{
    struct sm_tlv t;
    int rc = expect(buf, end, pos, tag, 1, (size_t)-1, &t, err);

    if (rc)
        return rc;
    if (t.len > cap)
        return sm_decode_fail(err, -EINVAL, t.offset, "tag %x: %zu bytes, at most %zu", tag, t.len,
                              cap);
    memcpy(dst, t.value, t.len);
    *dlen = t.len;
    return 0;
}

int sm_gpcert_decode(const uint8_t *der, size_t len, struct sm_gpcert *c, struct sm_decode_err *err)
{
    struct sm_gpcert v;
    struct sm_tlv t;
    size_t pos, end, peek, start;
    int rc;

    if (!der || !c)
        return -EINVAL;
    memset(&v, 0, sizeof(v));
    rc = sm_tlv_parse_one(der, len, &t, err);
    if (rc)
        return rc;
    if (t.tag != TAG_CERT)
        return sm_decode_fail(err, -EBADMSG, 0, "expected tag 7f21, found %x", t.tag);
    pos = start = t.size - t.len;
    end = len;
    rc = take(der, end, &pos, TAG_SERIAL, v.serial, sizeof(v.serial), &v.serial_len, err);
    if (!rc)
        rc = take(der, end, &pos, TAG_CA, v.ca_id, sizeof(v.ca_id), &v.ca_id_len, err);
    if (!rc)
        rc = take(der, end, &pos, TAG_SUBJECT, v.subject_id, sizeof(v.subject_id),
                  &v.subject_id_len, err);
    if (!rc)
        rc = take(der, end, &pos, TAG_USAGE, v.key_usage, sizeof(v.key_usage), &v.key_usage_len,
                  err);
    if (rc)
        return rc;
    /* optional 5F25 before the mandatory 5F24 */
    peek = pos;
    rc = sm_tlv_next(der, end, &peek, &t, err);
    if (rc && rc != -ENODATA)
        return rc;
    if (!rc && t.tag == TAG_EFFECTIVE) {
        if (t.len != 4)
            return sm_decode_fail(err, -EBADMSG, t.offset, "tag 5f25: length %zu, not 4", t.len);
        if (!bcd_date(t.value, &v.effective))
            return sm_decode_fail(err, -EINVAL, t.offset, "effective date is not a BCD date");
        v.has_effective = true;
        pos = peek;
    }
    rc = expect(der, end, &pos, TAG_EXPIRATION, 4, 4, &t, err);
    if (rc)
        return rc;
    if (!bcd_date(t.value, &v.expiration))
        return sm_decode_fail(err, -EINVAL, t.offset, "expiration date is not a BCD date");
    if (v.has_effective && v.effective > v.expiration)
        return sm_decode_fail(err, -EINVAL, t.offset, "expires before it becomes effective");
    rc = expect(der, end, &pos, TAG_DISCR, 0, (size_t)-1, &t, err);
    if (rc)
        return rc;
    if (t.len > sizeof(v.discretionary))
        return sm_decode_fail(err, -EINVAL, t.offset, "discretionary data of %zu bytes", t.len);
    memcpy(v.discretionary, t.value, t.len);
    v.discretionary_len = t.len;
    rc = discr_parse(der, (size_t)(t.value - der), pos, &v, err);
    if (!rc)
        rc = expect(der, end, &pos, TAG_PUBKEY, 1, (size_t)-1, &t, err);
    if (!rc)
        rc = pubkey_parse(der, &t, &v, err);
    if (rc)
        return rc;
    v.tbs = der + start;
    v.tbs_len = pos - start;
    rc = expect(der, end, &pos, TAG_SIG, sizeof(v.sig), sizeof(v.sig), &t, err);
    if (rc)
        return rc;
    memcpy(v.sig, t.value, t.len);
    v.sig_len = t.len;
    if (pos != end)
        return sm_decode_fail(err, -EBADMSG, pos, "unexpected data after tag 5f37");
    *c = v;
    return 0;
}

static bool blob_ok(size_t len, size_t cap)
{
    return len >= 1 && len <= cap;
}

int sm_gpcert_encode_sign(struct sm_gpcert *c, enum sm_curve issuer_curve,
                          const uint8_t *issuer_priv, size_t privlen, struct sm_buf *out)
{
    struct sm_gpcert tmp;
    uint8_t date[4], sig[2 * SM_EC_FIELD_MAX];
    size_t mark, m, siglen = 0;
    int rc;

    if (!c || !out || !blob_ok(c->serial_len, sizeof(c->serial)) ||
        !blob_ok(c->ca_id_len, sizeof(c->ca_id)) ||
        !blob_ok(c->subject_id_len, sizeof(c->subject_id)) ||
        !blob_ok(c->key_usage_len, sizeof(c->key_usage)) || c->aki_len > sizeof(c->aki) ||
        c->discretionary_len > sizeof(c->discretionary) || !date_valid(c->expiration) ||
        (c->has_effective && (!date_valid(c->effective) || c->effective > c->expiration)) ||
        (!c->has_param_ref && c->curve != SM_CURVE_P256) ||
        sm_ec_check_public(c->curve, c->pub, c->pub_len))
        return -EINVAL;
    /* given discretionary data must decode like the decoder will see it */
    memset(&tmp, 0, sizeof(tmp));
    if (c->discretionary_len && discr_parse(c->discretionary, 0, c->discretionary_len, &tmp, NULL))
        return -EINVAL;
    mark = out->len;
    rc = sm_tlv_put(out, TAG_SERIAL, c->serial, c->serial_len);
    if (!rc)
        rc = sm_tlv_put(out, TAG_CA, c->ca_id, c->ca_id_len);
    if (!rc)
        rc = sm_tlv_put(out, TAG_SUBJECT, c->subject_id, c->subject_id_len);
    if (!rc)
        rc = sm_tlv_put(out, TAG_USAGE, c->key_usage, c->key_usage_len);
    if (!rc && c->has_effective) {
        date_bcd(c->effective, date);
        rc = sm_tlv_put(out, TAG_EFFECTIVE, date, 4);
    }
    if (!rc) {
        date_bcd(c->expiration, date);
        rc = sm_tlv_put(out, TAG_EXPIRATION, date, 4);
    }
    m = out->len;
    if (!rc && c->discretionary_len)
        rc = sm_buf_append(out, c->discretionary, c->discretionary_len);
    if (!rc && !c->discretionary_len && c->has_type)
        rc = sm_tlv_put_u8(out, TAG_TYPE, c->type);
    if (!rc && !c->discretionary_len && c->aki_len)
        rc = sm_tlv_put(out, TAG_AKI, c->aki, c->aki_len);
    if (!rc)
        rc = sm_tlv_wrap(out, m, TAG_DISCR);
    m = out->len;
    if (!rc)
        rc = sm_tlv_put(out, TAG_POINT, c->pub, c->pub_len);
    if (!rc && c->has_param_ref)
        rc = sm_tlv_put_u8(out, TAG_PARAM, (uint8_t)c->curve);
    if (!rc)
        rc = sm_tlv_wrap(out, m, TAG_PUBKEY);
    /* the signature covers every TLV inside 7F21 before 5F37, as encoded */
    if (!rc)
        rc = sm_ecdsa_sign(issuer_curve, issuer_priv, privlen, out->data + mark, out->len - mark,
                           sig, &siglen);
    if (!rc)
        rc = sm_tlv_put(out, TAG_SIG, sig, siglen);
    if (!rc)
        rc = sm_tlv_wrap(out, mark, TAG_CERT);
    if (rc) {
        out->len = mark;
        return rc;
    }
    memcpy(c->sig, sig, siglen);
    c->sig_len = siglen;
    return 0;
}

int sm_gpcert_verify(const struct sm_gpcert *c, enum sm_curve issuer_curve,
                     const uint8_t *issuer_pub, size_t publen)
{
    if (!c || !c->tbs || !c->tbs_len || c->sig_len != 2 * sm_curve_field_size(issuer_curve))
        return -EINVAL;
    return sm_ecdsa_verify(issuer_curve, issuer_pub, publen, c->tbs, c->tbs_len, c->sig,
                           c->sig_len);
}

int sm_gpcert_check_date(const struct sm_gpcert *c, uint32_t today)
{
    if (!c || !date_valid(today))
        return -EINVAL;
    if (today > c->expiration)
        return -EKEYEXPIRED;
    if (c->has_effective && today < c->effective)
        return -EKEYREJECTED;
    return 0;
}
