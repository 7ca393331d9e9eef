/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES8 key establishment (GP Amendment E scenario #3 as SGP.02 uses it). Byte layouts follow the
 * card-accepted trace (spec notes 1.2-1.4, 1.7). Builders append to out and leave it unchanged
 * on error. sm_es8_shared_info() writes 3 bytes (info must hold them; *infolen is an output).
 * One curve serves both the ephemeral key and the off-card entity's signing key.
 */
#include <errno.h>
#include <string.h>

#include "sm/cipher.h"
#include "sm/es8.h"
#include "sm/tlv.h"

#define TAG_CRT    0xA6
#define TAG_EPK    0x7F49
#define TAG_SIG    0x5F37
#define TAG_CERT   0x7F21
#define DGI_CERT   0x3A01
#define DGI_CRT    0x3A02
#define SCENARIO_3 0x03
/* scenario-parameter bits (GP Amd E Table 4-17): DR used, HostID/SDIN in the derivation */
#define SP_DR     0x02
#define SP_HOSTID 0x04

void sm_es8_crt_default(struct sm_es8_crt *c)
{
    memset(c, 0, sizeof(*c));
    c->scenario_param = 0x09;
    c->key_usage = 0x10;
    c->key_type = 0x88;
    c->key_length = 0x10;
    c->first_kid = 0x01;
    c->kvn = 0x30;
    c->seq_counter_len = 0;
}

int sm_es8_crt_encode(const struct sm_es8_crt *c, struct sm_buf *out)
{
    uint8_t scen[2];
    size_t mark;
    int rc;

    if (!c || !out || c->seq_counter_len > sizeof(c->seq_counter))
        return -EINVAL;
    mark = out->len;
    scen[0] = SCENARIO_3;
    scen[1] = c->scenario_param;
    /* tag order of the card-accepted CRT (1.2) */
    rc = sm_tlv_put(out, 0x90, scen, 2);
    if (!rc)
        rc = sm_tlv_put_u8(out, 0x95, c->key_usage);
    if (!rc)
        rc = sm_tlv_put_u8(out, 0x80, c->key_type);
    if (!rc)
        rc = sm_tlv_put_u8(out, 0x81, c->key_length);
    if (!rc)
        rc = sm_tlv_put_u8(out, 0x82, c->first_kid);
    if (!rc)
        rc = sm_tlv_put_u8(out, 0x83, c->kvn);
    if (!rc)
        rc = sm_tlv_put(out, 0x91, c->seq_counter, c->seq_counter_len);
    if (!rc)
        rc = sm_tlv_wrap(out, mark, TAG_CRT);
    if (rc)
        out->len = mark;
    return rc;
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

/* Decode the A6 TLV at buf[start..end) (offsets in err relative to buf). */
static int crt_decode_at(const uint8_t *buf, size_t start, size_t end, struct sm_es8_crt *c,
                         struct sm_decode_err *err)
{
    static const uint32_t one_byte[] = {0x95, 0x80, 0x81, 0x82, 0x83};
    uint8_t *dst[5];
    struct sm_es8_crt v;
    struct sm_tlv t;
    size_t pos = start, vend;
    int rc;

    rc = sm_tlv_parse_one(buf + start, end - start, &t, err);
    if (rc) {
        if (err)
            err->offset += start;
        return rc;
    }
    if (t.tag != TAG_CRT)
        return sm_decode_fail(err, -EBADMSG, start, "expected tag a6, found %x", t.tag);
    memset(&v, 0, sizeof(v));
    pos = start + t.size - t.len;
    vend = start + t.size;
    rc = expect(buf, vend, &pos, 0x90, 2, 2, &t, err);
    if (rc)
        return rc;
    if (t.value[0] != SCENARIO_3)
        return sm_decode_fail(err, -EINVAL, t.offset, "scenario %02x is not #3", t.value[0]);
    v.scenario_param = t.value[1];
    dst[0] = &v.key_usage;
    dst[1] = &v.key_type;
    dst[2] = &v.key_length;
    dst[3] = &v.first_kid;
    dst[4] = &v.kvn;
    for (size_t i = 0; i < 5; i++) {
        rc = expect(buf, vend, &pos, one_byte[i], 1, 1, &t, err);
        if (rc)
            return rc;
        *dst[i] = t.value[0];
    }
    rc = expect(buf, vend, &pos, 0x91, 0, sizeof(v.seq_counter), &t, err);
    if (rc)
        return rc;
    memcpy(v.seq_counter, t.value, t.len);
    v.seq_counter_len = (uint8_t)t.len;
    if (pos != vend)
        return sm_decode_fail(err, -EBADMSG, pos, "unexpected data after tag 91");
    *c = v;
    return 0;
}

int sm_es8_crt_decode(const uint8_t *tlv, size_t len, struct sm_es8_crt *c,
                      struct sm_decode_err *err)
{
    if (!tlv || !c)
        return -EINVAL;
    return crt_decode_at(tlv, 0, len, c, err);
}

int sm_es8_shared_info(const struct sm_es8_crt *c, uint8_t *info, size_t *infolen)
{
    if (!c || !info || !infolen)
        return -EINVAL;
    /* 1.4 step 2: only the no-DR, no-HostID variant has card evidence */
    if (c->scenario_param & (SP_DR | SP_HOSTID))
        return -EOPNOTSUPP;
    info[0] = c->key_usage;
    info[1] = c->key_type;
    info[2] = c->key_length;
    *infolen = 3;
    return 0;
}

int sm_es8_derive(const uint8_t *shs, size_t shslen, const uint8_t *info, size_t infolen,
                  struct sm_es8_keys *k)
{
    uint8_t kd[64];
    int rc;

    if (!k)
        return -EINVAL;
    /* 1.4 step 3-4: 64 bytes = receipt key || K-ENC || K-MAC || K-DEK */
    rc = sm_x963_kdf_sha256(shs, shslen, info, infolen, kd, sizeof(kd));
    if (!rc) {
        memcpy(k->receipt_key, kd, 16);
        memcpy(k->k_enc, kd + 16, 16);
        memcpy(k->k_mac, kd + 32, 16);
        memcpy(k->k_dek, kd + 48, 16);
    }
    sm_wipe(kd, sizeof(kd));
    return rc;
}

int sm_es8_receipt(const uint8_t receipt_key[16], const uint8_t *crt, size_t crtlen,
                   const uint8_t *dr, size_t drlen, uint8_t receipt[16])
{
    struct sm_buf tail = SM_BUF_INIT;
    int rc;

    if (!receipt_key || !crt || !crtlen || !receipt || (dr && !drlen) || (!dr && drlen))
        return -EINVAL;
    /* 1.4 step 5: CMAC over the CRT as sent, then 85 L DR when a DR is used */
    if (dr) {
        rc = sm_tlv_put(&tail, 0x85, dr, drlen);
        if (rc)
            return rc;
    }
    rc = sm_aes_cmac2(receipt_key, 16, crt, crtlen, tail.data, tail.len, receipt);
    sm_buf_free(&tail);
    return rc;
}

void sm_es8_keys_clear(struct sm_es8_keys *k)
{
    if (k)
        sm_wipe(k, sizeof(*k));
}

int sm_es8_block0_data(const uint8_t *cert, size_t certlen, struct sm_buf *out)
{
    struct sm_tlv t;

    if (!cert || !out || sm_tlv_parse_one(cert, certlen, &t, NULL) || t.tag != TAG_CERT)
        return -EINVAL;
    /* 1.8: the DGI length stays one byte up to FE (card-accepted "3A01 A9"), FF xxxx above */
    return sm_dgi_put(out, DGI_CERT, cert, certlen);
}

/* tbs = signed[0..n) || 00 85 L rc (1.3). */
static int sig_input(const uint8_t *signed_part, size_t n, const uint8_t *rc_, size_t rclen,
                     struct sm_buf *tbs)
{
    int rc = sm_buf_append(tbs, signed_part, n);

    if (!rc)
        rc = sm_buf_append_byte(tbs, 0x00);
    if (!rc)
        rc = sm_tlv_put(tbs, 0x85, rc_, rclen);
    return rc;
}

int sm_es8_block1_unsigned(const struct sm_es8_crt *crt, enum sm_curve curve, const uint8_t *epk,
                           size_t epklen, enum sm_es8_epk_format fmt, struct sm_buf *out)
{
    struct sm_buf crt_tlv = SM_BUF_INIT;
    size_t mark, m;
    int rc;

    if (!crt || !out || (fmt != SM_ES8_EPK_RAW && fmt != SM_ES8_EPK_B0 && fmt != SM_ES8_EPK_B0F0))
        return -EINVAL;
    rc = sm_ec_check_public(curve, epk, epklen);
    if (rc)
        return rc;
    mark = out->len;
    /* 1.1 step 3: DGI 3A02 wraps only the A6 TLV; 7F49 and 5F37 follow as siblings */
    rc = sm_es8_crt_encode(crt, &crt_tlv);
    if (!rc)
        rc = sm_dgi_put(out, DGI_CRT, crt_tlv.data, crt_tlv.len);
    m = out->len;
    if (!rc && fmt == SM_ES8_EPK_RAW)
        rc = sm_buf_append(out, epk, epklen);
    if (!rc && fmt != SM_ES8_EPK_RAW)
        rc = sm_tlv_put(out, 0xB0, epk, epklen);
    if (!rc && fmt == SM_ES8_EPK_B0F0)
        rc = sm_tlv_put_u8(out, 0xF0, (uint8_t)curve);
    if (!rc)
        rc = sm_tlv_wrap(out, m, TAG_EPK);
    if (rc)
        out->len = mark;
    sm_buf_free(&crt_tlv);
    return rc;
}

int sm_es8_block1_data(const struct sm_es8_crt *crt, enum sm_curve curve, const uint8_t *epk,
                       size_t epklen, enum sm_es8_epk_format fmt, const uint8_t *sign_key,
                       size_t sign_keylen, const uint8_t *rc_, size_t rclen, struct sm_buf *out)
{
    struct sm_buf tbs = SM_BUF_INIT;
    uint8_t sig[2 * SM_EC_FIELD_MAX];
    size_t mark, siglen = 0;
    int rc;

    if (!out || !rc_ || !rclen || !sign_key)
        return -EINVAL;
    mark = out->len;
    rc = sm_es8_block1_unsigned(crt, curve, epk, epklen, fmt, out);
    if (!rc)
        rc = sig_input(out->data + mark, out->len - mark, rc_, rclen, &tbs);
    if (!rc)
        rc = sm_ecdsa_sign(curve, sign_key, sign_keylen, tbs.data, tbs.len, sig, &siglen);
    if (!rc)
        rc = sm_tlv_put(out, TAG_SIG, sig, siglen);
    if (rc)
        out->len = mark;
    sm_buf_free(&tbs);
    return rc;
}

/* 7F49 content: raw 04||X||Y, or B0 {point} [F0 {ref}] (1.3, open question 1). */
static int epk_parse(const uint8_t *buf, const struct sm_tlv *t, enum sm_curve curve, size_t fs,
                     uint8_t *epk, size_t *epklen, struct sm_decode_err *err)
{
    size_t pos = (size_t)(t->value - buf), end = pos + t->len;
    struct sm_tlv b, f;
    int rc;

    if (t->len == 2 * fs + 1 && t->value[0] == 0x04) {
        memcpy(epk, t->value, t->len);
        *epklen = t->len;
    } else if (t->len && t->value[0] == 0xB0) {
        rc = expect(buf, end, &pos, 0xB0, 2 * fs + 1, 2 * fs + 1, &b, err);
        if (rc)
            return rc;
        if (pos < end) {
            rc = expect(buf, end, &pos, 0xF0, 1, 1, &f, err);
            if (rc)
                return rc;
            if (f.value[0] != (uint8_t)curve)
                return sm_decode_fail(err, -EINVAL, f.offset,
                                      "key parameter reference %02x is not the ECASD curve",
                                      f.value[0]);
            if (pos != end)
                return sm_decode_fail(err, -EBADMSG, pos, "unexpected data after tag f0");
        }
        memcpy(epk, b.value, b.len);
        *epklen = b.len;
    } else {
        return sm_decode_fail(err, -EBADMSG, t->offset, "7F49: neither a point nor B0");
    }
    if (sm_ec_check_public(curve, epk, *epklen))
        return sm_decode_fail(err, -EINVAL, t->offset, "ePK is not a point on the curve");
    return 0;
}

/* 3A02 {A6} 7F49 {ePK}: the CRT and the ephemeral key; pos after 7F49. */
static int block1_split(const uint8_t *data, size_t len, enum sm_curve curve, size_t fs,
                        struct sm_es8_block1 *v, size_t *pos, struct sm_decode_err *err)
{
    size_t crt_off;
    struct sm_dgi d;
    struct sm_tlv t;
    int rc;

    memset(v, 0, sizeof(*v));
    *pos = 0;
    rc = sm_dgi_next(data, len, pos, false, &d, err);
    if (rc == -ENODATA)
        return sm_decode_fail(err, -EBADMSG, 0, "empty block 1");
    if (rc)
        return rc;
    if (d.tag != DGI_CRT)
        return sm_decode_fail(err, -EBADMSG, 0, "expected DGI 3a02, found %04x", d.tag);
    crt_off = (size_t)(d.value - data);
    rc = crt_decode_at(data, crt_off, crt_off + d.len, &v->crt, err);
    if (rc)
        return rc;
    v->crt_tlv = d.value;
    v->crt_tlv_len = d.len;
    rc = expect(data, len, pos, TAG_EPK, 1, len, &t, err);
    if (!rc)
        rc = epk_parse(data, &t, curve, fs, v->epk, &v->epk_len, err);
    return rc;
}

int sm_es8_block1_parse_verify(const uint8_t *data, size_t len, enum sm_curve curve,
                               const uint8_t *signer_pub, size_t signer_publen, const uint8_t *rc_,
                               size_t rclen, struct sm_es8_block1 *out, struct sm_decode_err *err)
{
    size_t fs = sm_curve_field_size(curve), pos = 0;
    struct sm_buf tbs = SM_BUF_INIT;
    struct sm_es8_block1 v;
    struct sm_tlv s;
    int rc;

    if (!data || !out || !fs || !rc_ || !rclen)
        return -EINVAL;
    rc = block1_split(data, len, curve, fs, &v, &pos, err);
    if (!rc)
        rc = sig_input(data, pos, rc_, rclen, &tbs);
    if (!rc)
        rc = expect(data, len, &pos, TAG_SIG, 2 * fs, 2 * fs, &s, err);
    if (!rc && pos != len)
        rc = sm_decode_fail(err, -EBADMSG, pos, "unexpected data after tag 5f37");
    if (!rc) {
        /* 1.3: ECDSA over 3A02 {A6} || 7F49 {ePK} as sent || 00 85 L RC */
        rc = sm_ecdsa_verify(curve, signer_pub, signer_publen, tbs.data, tbs.len, s.value, s.len);
        if (rc == -EKEYREJECTED)
            sm_decode_fail(err, rc, s.offset, "block 1 signature does not verify");
        else if (rc)
            sm_decode_fail(err, rc, 0, "signer public key not usable");
    }
    sm_buf_free(&tbs);
    if (!rc)
        *out = v;
    return rc;
}

int sm_es8_block1_parse(const uint8_t *data, size_t len, enum sm_curve curve,
                        struct sm_es8_block1 *out, struct sm_decode_err *err)
{
    size_t fs = sm_curve_field_size(curve), pos = 0;
    struct sm_es8_block1 v;
    int rc;

    if (!data || !out || !fs)
        return -EINVAL;
    rc = block1_split(data, len, curve, fs, &v, &pos, err);
    if (!rc && pos != len)
        rc = sm_decode_fail(err, -EBADMSG, pos, "unexpected data after tag 7f49");
    if (!rc)
        *out = v;
    return rc;
}

int sm_bsp_derive(const uint8_t *shs, size_t shslen, const uint8_t *info, size_t infolen,
                  uint8_t mcv[16], uint8_t s_enc[16], uint8_t s_mac[16])
{
    uint8_t kd[48];
    int rc;

    if (!mcv || !s_enc || !s_mac)
        return -EINVAL;
    /* SGP.22 BSP (spec notes 1.4, pySim bsp.py): initial MCV || S-ENC || S-MAC */
    rc = sm_x963_kdf_sha256(shs, shslen, info, infolen, kd, sizeof(kd));
    if (!rc) {
        memcpy(mcv, kd, 16);
        memcpy(s_enc, kd + 16, 16);
        memcpy(s_mac, kd + 32, 16);
    }
    sm_wipe(kd, sizeof(kd));
    return rc;
}
