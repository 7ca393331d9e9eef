/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "sm/apdu.h"
#include "sm/tlv.h"

/* ISO/IEC 7816-4 5.1: the cases are told apart by the body length alone. */
int sm_capdu_decode(const uint8_t *buf, size_t len, struct sm_capdu *a, struct sm_decode_err *err)
{
    size_t body;

    memset(a, 0, sizeof(*a));
    if (len < 4)
        return sm_decode_fail(err, -EBADMSG, len, "C-APDU shorter than its 4-byte header");
    a->cla = buf[0];
    a->ins = buf[1];
    a->p1 = buf[2];
    a->p2 = buf[3];
    body = len - 4;
    if (body == 0) /* case 1 */
        return 0;
    if (body == 1) { /* case 2S */
        a->has_le = true;
        a->le = buf[4] ? buf[4] : 256;
        return 0;
    }
    if (buf[4] != 0) { /* short: case 3S or 4S */
        size_t lc = buf[4];

        if (body == 1 + lc || body == 2 + lc) {
            a->lc = lc;
            a->data = buf + 5;
            if (body == 2 + lc) {
                a->has_le = true;
                a->le = buf[5 + lc] ? buf[5 + lc] : 256;
            }
            return 0;
        }
        return sm_decode_fail(err, -EBADMSG, 4, "Lc %zu does not match a body of %zu bytes", lc,
                              body);
    }
    /* extended: 00 then two bytes */
    if (body == 3) { /* case 2E */
        size_t le = (size_t)buf[5] << 8 | buf[6];

        a->has_le = true;
        a->le = le ? (uint32_t)le : 65536;
        return 0;
    }
    if (body < 3)
        return sm_decode_fail(err, -EBADMSG, 4, "truncated extended length");
    {
        size_t lc = (size_t)buf[5] << 8 | buf[6];

        if (lc == 0)
            return sm_decode_fail(err, -EBADMSG, 5, "extended Lc of zero");
        if (body == 3 + lc || body == 5 + lc) {
            a->lc = lc;
            a->data = buf + 7;
            if (body == 5 + lc) {
                size_t le = (size_t)buf[7 + lc] << 8 | buf[8 + lc];

                a->has_le = true;
                a->le = le ? (uint32_t)le : 65536;
            }
            return 0;
        }
        return sm_decode_fail(err, -EBADMSG, 5, "extended Lc %zu does not match the body", lc);
    }
}

int sm_capdu_encode(const struct sm_capdu *a, struct sm_buf *out)
{
    uint8_t h[4] = {a->cla, a->ins, a->p1, a->p2};
    bool ext = a->lc > 255 || (a->has_le && a->le > 256);
    size_t mark = out->len;
    int rc;

    if (a->lc > 65535 || (a->has_le && (a->le == 0 || a->le > 65536)) || (a->lc && !a->data))
        return -EINVAL;
    rc = sm_buf_append(out, h, 4);
    if (!rc && a->lc) {
        if (ext) {
            uint8_t l[3] = {0, (uint8_t)(a->lc >> 8), (uint8_t)a->lc};
            rc = sm_buf_append(out, l, 3);
        } else {
            rc = sm_buf_append_byte(out, (uint8_t)a->lc);
        }
        if (!rc)
            rc = sm_buf_append(out, a->data, a->lc);
    }
    if (!rc && a->has_le) {
        if (ext) {
            uint8_t l[3] = {0, (uint8_t)(a->le >> 8), (uint8_t)a->le}; /* 65536 -> 00 00 */
            /* with data the leading 00 was already sent with Lc */
            rc = a->lc ? sm_buf_append(out, l + 1, 2) : sm_buf_append(out, l, 3);
        } else {
            rc = sm_buf_append_byte(out, (uint8_t)a->le); /* 256 -> 00 */
        }
    }
    if (rc)
        out->len = mark;
    return rc;
}

int sm_rapdu_decode(const uint8_t *buf, size_t len, struct sm_rapdu *r, struct sm_decode_err *err)
{
    if (len < 2)
        return sm_decode_fail(err, -EBADMSG, len, "R-APDU shorter than its status word");
    r->data = buf;
    r->len = len - 2;
    r->sw = (uint16_t)(buf[len - 2] << 8 | buf[len - 1]);
    return 0;
}

int sm_rapdu_encode(const struct sm_rapdu *r, struct sm_buf *out)
{
    uint8_t sw[2] = {(uint8_t)(r->sw >> 8), (uint8_t)r->sw};
    size_t mark = out->len;
    int rc = r->len ? sm_buf_append(out, r->data, r->len) : 0;

    if (!rc)
        rc = sm_buf_append(out, sw, 2);
    if (rc)
        out->len = mark;
    return rc;
}

bool sm_sw_ok(uint16_t sw)
{
    return sw == 0x9000 || (sw >> 8) == 0x61 || (sw >> 8) == 0x62 || (sw >> 8) == 0x63;
}

/* ---- expanded scripts ---- */

int sm_script_decode(const uint8_t *buf, size_t len, struct sm_script *s, struct sm_decode_err *err)
{
    size_t pos, end;
    struct sm_tlv t;
    int rc;

    memset(s, 0, sizeof(*s));
    if (len < 2)
        return sm_decode_fail(err, -EBADMSG, 0, "script shorter than its header");
    switch (buf[0]) {
    case SM_SCRIPT_TAG_CMD_DEF:
        break;
    case SM_SCRIPT_TAG_RSP_DEF:
        s->response = true;
        break;
    case SM_SCRIPT_TAG_CMD_INDEF:
        s->indefinite = true;
        break;
    case SM_SCRIPT_TAG_RSP_INDEF:
        s->indefinite = s->response = true;
        break;
    default:
        return sm_decode_fail(err, -EBADMSG, 0, "not a script template (tag %02x)", buf[0]);
    }
    if (s->indefinite) {
        /* AE 80 ... 00 00: the end-of-contents octets must close the input exactly */
        if (buf[1] != 0x80)
            return sm_decode_fail(err, -EBADMSG, 1, "expected indefinite length 80");
        if (len < 4 || buf[len - 2] || buf[len - 1])
            return sm_decode_fail(err, -EBADMSG, len, "missing end-of-contents 00 00");
        pos = 2;
        end = len - 2;
    } else {
        rc = sm_tlv_parse_one(buf, len, &t, err);
        if (rc)
            return rc;
        pos = (size_t)(t.value - buf);
        end = len;
    }
    while ((rc = sm_tlv_next(buf, end, &pos, &t, err)) == 0) {
        if (s->n == SM_SCRIPT_MAX_ITEMS)
            return sm_decode_fail(err, -EMSGSIZE, t.offset, "more than %d script items",
                                  SM_SCRIPT_MAX_ITEMS);
        s->item[s->n].tag = t.tag;
        s->item[s->n].value = t.value;
        s->item[s->n].len = t.len;
        s->n++;
    }
    return rc == -ENODATA ? 0 : rc;
}

int sm_script_begin(struct sm_script_builder *b, struct sm_buf *out, bool response, bool indefinite)
{
    static const uint8_t open_cmd[2] = {SM_SCRIPT_TAG_CMD_INDEF, 0x80};
    static const uint8_t open_rsp[2] = {SM_SCRIPT_TAG_RSP_INDEF, 0x80};

    b->out = out;
    b->response = response;
    b->indefinite = indefinite;
    b->mark = out->len;
    return indefinite ? sm_buf_append(out, response ? open_rsp : open_cmd, 2) : 0;
}

int sm_script_add(struct sm_script_builder *b, uint32_t tag, const void *value, size_t len)
{
    return sm_tlv_put(b->out, tag, value, len);
}

int sm_script_add_capdu(struct sm_script_builder *b, const struct sm_capdu *a)
{
    size_t mark = b->out->len;
    int rc = sm_capdu_encode(a, b->out);

    return rc ? rc : sm_tlv_wrap(b->out, mark, SM_SCRIPT_C_APDU);
}

int sm_script_add_rapdu(struct sm_script_builder *b, const struct sm_rapdu *r)
{
    size_t mark = b->out->len;
    int rc = sm_rapdu_encode(r, b->out);

    return rc ? rc : sm_tlv_wrap(b->out, mark, SM_SCRIPT_R_APDU);
}

int sm_script_end(struct sm_script_builder *b)
{
    static const uint8_t eoc[2] = {0, 0};

    if (b->indefinite)
        return sm_buf_append(b->out, eoc, 2);
    return sm_tlv_wrap(b->out, b->mark,
                       b->response ? SM_SCRIPT_TAG_RSP_DEF : SM_SCRIPT_TAG_CMD_DEF);
}

/* ---- compact format ---- */

/* Instructions whose P3 is Le, never Lc (ISO 7816-4 / TS 102 221 case 2 commands). */
static bool case2_ins(uint8_t ins)
{
    switch (ins) {
    case 0xB0: /* READ BINARY */
    case 0xB2: /* READ RECORD */
    case 0xC0: /* GET RESPONSE */
    case 0xCA: /* GET DATA (without data) */
    case 0x12: /* FETCH */
    case 0xF2: /* STATUS (TS 102 221; GP GET STATUS uses CLA 80 and has data) */
        return true;
    default:
        return false;
    }
}

int sm_compact_decode(const uint8_t *buf, size_t len,
                      int (*fn)(void *arg, const struct sm_capdu *a), void *arg,
                      struct sm_decode_err *err)
{
    size_t pos = 0;

    while (pos < len) {
        struct sm_capdu a = {0};
        size_t start = pos;
        uint8_t p3;
        int rc;

        if (len - pos < 5)
            return sm_decode_fail(err, -EBADMSG, pos, "truncated compact APDU header");
        a.cla = buf[pos];
        a.ins = buf[pos + 1];
        a.p1 = buf[pos + 2];
        a.p2 = buf[pos + 3];
        p3 = buf[pos + 4];
        pos += 5;
        if (case2_ins(a.ins) && !(a.cla & 0x80 && a.ins == 0xF2)) {
            a.has_le = true;
            a.le = p3 ? p3 : 256;
        } else if (p3) {
            if (len - pos < p3)
                return sm_decode_fail(err, -EBADMSG, start, "compact APDU data truncated");
            a.lc = p3;
            a.data = buf + pos;
            pos += p3;
        }
        rc = fn(arg, &a);
        if (rc)
            return rc;
    }
    return 0;
}

int sm_compact_response_encode(uint8_t executed, const struct sm_rapdu *last, struct sm_buf *out)
{
    uint8_t h[3] = {executed, (uint8_t)(last->sw >> 8), (uint8_t)last->sw};
    size_t mark = out->len;
    int rc = sm_buf_append(out, h, 3);

    if (!rc && last->len)
        rc = sm_buf_append(out, last->data, last->len);
    if (rc)
        out->len = mark;
    return rc;
}

int sm_compact_response_decode(const uint8_t *buf, size_t len, uint8_t *executed,
                               struct sm_rapdu *last, struct sm_decode_err *err)
{
    if (len < 3)
        return sm_decode_fail(err, -EBADMSG, len, "compact response shorter than 3 bytes");
    *executed = buf[0];
    last->sw = (uint16_t)(buf[1] << 8 | buf[2]);
    last->data = buf + 3;
    last->len = len - 3;
    return 0;
}
