/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "sm/tlv.h"

/* ISO/IEC 8825-1 8.1.2: tag bytes. */
static int read_tag(const uint8_t *buf, size_t len, size_t *pos, uint32_t *tag, bool *cons,
                    struct sm_decode_err *err)
{
    size_t start = *pos, p = *pos;
    uint32_t t;

    if (p >= len)
        return sm_decode_fail(err, -EBADMSG, p, "missing tag");
    t = buf[p];
    *cons = (buf[p] & 0x20) != 0;
    /* 00 is padding in ISO 7816 contexts, not a tag. FF starts multi-byte private tags that
     * GlobalPlatform uses (FF21, the card resources of GET DATA, seen from a real eUICC), so it
     * is a tag byte when a second byte follows. */
    if (buf[p] == 0x00)
        return sm_decode_fail(err, -EBADMSG, p, "invalid tag byte %02x", buf[p]);
    p++;
    if ((t & 0x1f) == 0x1f) {
        for (;;) {
            if (p >= len)
                return sm_decode_fail(err, -EBADMSG, p, "truncated tag");
            if (p - start >= 3)
                return sm_decode_fail(err, -EBADMSG, start, "tag longer than 3 bytes");
            t = t << 8 | buf[p];
            if (!(buf[p++] & 0x80))
                break;
        }
    }
    *tag = t;
    *pos = p;
    return 0;
}

static int read_len(const uint8_t *buf, size_t len, size_t *pos, size_t *out,
                    struct sm_decode_err *err)
{
    size_t p = *pos, n, v = 0;

    if (p >= len)
        return sm_decode_fail(err, -EBADMSG, p, "missing length");
    if (buf[p] < 0x80) {
        *out = buf[p];
        *pos = p + 1;
        return 0;
    }
    if (buf[p] == 0x80)
        return sm_decode_fail(err, -EBADMSG, p, "indefinite length not allowed here");
    n = buf[p] & 0x7f;
    if (n > 3)
        return sm_decode_fail(err, -EBADMSG, p, "length field of %zu bytes", n);
    if (len - p - 1 < n)
        return sm_decode_fail(err, -EBADMSG, p, "truncated length");
    for (size_t i = 0; i < n; i++)
        v = v << 8 | buf[p + 1 + i];
    /* DER/GP: the shortest form only (81 7F or 82 00 FF are overlong) */
    if ((n == 1 && v < 0x80) || (n > 1 && v < (1u << (8 * (n - 1)))))
        return sm_decode_fail(err, -EBADMSG, p, "length %zu not in its shortest form", v);
    *out = v;
    *pos = p + 1 + n;
    return 0;
}

int sm_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct sm_tlv *t,
                struct sm_decode_err *err)
{
    size_t p = *pos, vlen = 0;
    int rc;

    if (p >= len)
        return -ENODATA;
    t->offset = p;
    rc = read_tag(buf, len, &p, &t->tag, &t->constructed, err);
    if (!rc)
        rc = read_len(buf, len, &p, &vlen, err);
    if (rc)
        return rc;
    if (len - p < vlen)
        return sm_decode_fail(err, -EBADMSG, t->offset,
                              "TLV %x: value of %zu bytes but only %zu left", t->tag, vlen,
                              len - p);
    t->value = buf + p;
    t->len = vlen;
    t->size = p + vlen - t->offset;
    *pos = p + vlen;
    return 0;
}

int sm_tlv_parse_one(const uint8_t *buf, size_t len, struct sm_tlv *t, struct sm_decode_err *err)
{
    size_t pos = 0;
    int rc = sm_tlv_next(buf, len, &pos, t, err);

    if (rc == -ENODATA)
        return sm_decode_fail(err, -EBADMSG, 0, "empty input");
    if (rc)
        return rc;
    if (pos != len)
        return sm_decode_fail(err, -EBADMSG, pos, "%zu trailing bytes", len - pos);
    return 0;
}

int sm_tlv_check_list(const uint8_t *buf, size_t len, struct sm_decode_err *err)
{
    size_t pos = 0;
    struct sm_tlv t;
    int rc;

    while ((rc = sm_tlv_next(buf, len, &pos, &t, err)) == 0)
        ;
    return rc == -ENODATA ? 0 : rc;
}

static int check_der(const uint8_t *buf, size_t len, size_t base, unsigned depth,
                     struct sm_decode_err *err)
{
    size_t pos = 0;
    struct sm_tlv t;
    int rc;

    while ((rc = sm_tlv_next(buf, len, &pos, &t, err)) == 0) {
        if (!t.constructed)
            continue;
        if (!depth)
            return sm_decode_fail(err, -EBADMSG, base + t.offset, "nested too deeply");
        rc = check_der(t.value, t.len, base + (size_t)(t.value - buf), depth - 1, err);
        if (rc)
            return rc;
    }
    if (rc == -EBADMSG && err)
        err->offset += base;
    return rc == -ENODATA ? 0 : rc;
}

int sm_tlv_check_der(const uint8_t *buf, size_t len, unsigned max_depth, struct sm_decode_err *err)
{
    return check_der(buf, len, 0, max_depth, err);
}

int sm_tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct sm_tlv *t,
                struct sm_decode_err *err)
{
    size_t pos = 0;
    int rc;

    while ((rc = sm_tlv_next(buf, len, &pos, t, err)) == 0)
        if (t->tag == tag)
            return 0;
    return rc == -ENODATA ? -ENOENT : rc;
}

size_t sm_tlv_tag_size(uint32_t tag)
{
    return tag > 0xffff ? 3 : tag > 0xff ? 2 : 1;
}

size_t sm_tlv_len_size(size_t len)
{
    return len < 0x80 ? 1 : len <= 0xff ? 2 : len <= 0xffff ? 3 : 4;
}

static bool tag_valid(uint32_t tag)
{
    size_t n = sm_tlv_tag_size(tag);
    uint8_t b[3] = {(uint8_t)(tag >> 16), (uint8_t)(tag >> 8), (uint8_t)tag};
    const uint8_t *p = b + 3 - n;

    if (tag == 0 || tag > 0xffffff)
        return false;
    if (n == 1)
        return (p[0] & 0x1f) != 0x1f;
    if ((p[0] & 0x1f) != 0x1f)
        return false;
    for (size_t i = 1; i < n; i++)
        if (((p[i] & 0x80) != 0) != (i < n - 1))
            return false;
    return true;
}

int sm_tlv_put_header(struct sm_buf *b, uint32_t tag, size_t len)
{
    uint8_t h[8];
    size_t n = 0, ts = sm_tlv_tag_size(tag);

    if (!tag_valid(tag) || len > 0xffffff)
        return -EINVAL;
    for (size_t i = ts; i > 0; i--)
        h[n++] = (uint8_t)(tag >> (8 * (i - 1)));
    if (len < 0x80) {
        h[n++] = (uint8_t)len;
    } else if (len <= 0xff) {
        h[n++] = 0x81;
        h[n++] = (uint8_t)len;
    } else if (len <= 0xffff) {
        h[n++] = 0x82;
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    } else {
        h[n++] = 0x83;
        h[n++] = (uint8_t)(len >> 16);
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    }
    return sm_buf_append(b, h, n);
}

int sm_tlv_put(struct sm_buf *b, uint32_t tag, const void *value, size_t len)
{
    size_t mark = b->len;
    int rc = sm_tlv_put_header(b, tag, len);

    if (!rc && len)
        rc = sm_buf_append(b, value, len);
    if (rc)
        b->len = mark;
    return rc;
}

int sm_tlv_put_u8(struct sm_buf *b, uint32_t tag, uint8_t v)
{
    return sm_tlv_put(b, tag, &v, 1);
}

int sm_tlv_wrap(struct sm_buf *b, size_t mark, uint32_t tag)
{
    size_t vlen, hlen;
    int rc;

    if (mark > b->len)
        return -EINVAL;
    vlen = b->len - mark;
    hlen = sm_tlv_tag_size(tag) + sm_tlv_len_size(vlen);
    /* append the header at the end, then rotate it in front of the children */
    rc = sm_tlv_put_header(b, tag, vlen);
    if (rc)
        return rc;
    {
        uint8_t h[8];

        memcpy(h, b->data + b->len - hlen, hlen);
        memmove(b->data + mark + hlen, b->data + mark, vlen);
        memcpy(b->data + mark, h, hlen);
    }
    return 0;
}

int sm_dgi_next(const uint8_t *buf, size_t len, size_t *pos, bool allow_ber, struct sm_dgi *d,
                struct sm_decode_err *err)
{
    size_t p = *pos, vlen, hdr;

    if (p >= len)
        return -ENODATA;
    if (len - p < 3)
        return sm_decode_fail(err, -EBADMSG, p, "truncated DGI header");
    d->offset = p;
    d->tag = (uint16_t)(buf[p] << 8 | buf[p + 1]);
    if (buf[p + 2] == 0xff) {
        if (len - p < 5)
            return sm_decode_fail(err, -EBADMSG, p + 2, "truncated DGI length");
        vlen = (size_t)buf[p + 3] << 8 | buf[p + 4];
        hdr = 5;
    } else {
        vlen = buf[p + 2];
        hdr = 3;
        if (allow_ber && (vlen == 0x81 || vlen == 0x82) && len - p - hdr != vlen) {
            /* BER long form 81 xx / 82 xxxx as some implementations send it: taken when it,
             * and not the one-byte reading, ends exactly at the end of the input */
            size_t n = vlen & 0x7f;

            if (len - p - 3 >= n) {
                size_t v = n == 1 ? buf[p + 3] : (size_t)buf[p + 3] << 8 | buf[p + 4];

                if (len - p - 3 - n == v) {
                    vlen = v;
                    hdr = 3 + n;
                }
            }
        }
    }
    if (len - p - hdr < vlen)
        return sm_decode_fail(err, -EBADMSG, p, "DGI %04x: value of %zu bytes but only %zu left",
                              d->tag, vlen, len - p - hdr);
    d->value = buf + p + hdr;
    d->len = vlen;
    d->size = hdr + vlen;
    *pos = p + hdr + vlen;
    return 0;
}

int sm_dgi_put_header(struct sm_buf *b, uint16_t tag, size_t len)
{
    uint8_t h[5] = {(uint8_t)(tag >> 8), (uint8_t)tag};

    if (len > 0xffff)
        return -EINVAL;
    if (len <= 0xfe) {
        h[2] = (uint8_t)len;
        return sm_buf_append(b, h, 3);
    }
    h[2] = 0xff;
    h[3] = (uint8_t)(len >> 8);
    h[4] = (uint8_t)len;
    return sm_buf_append(b, h, 5);
}

int sm_dgi_put(struct sm_buf *b, uint16_t tag, const void *value, size_t len)
{
    size_t mark = b->len;
    int rc = sm_dgi_put_header(b, tag, len);

    if (!rc && len)
        rc = sm_buf_append(b, value, len);
    if (rc)
        b->len = mark;
    return rc;
}
