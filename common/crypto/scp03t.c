/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCP03t: SCP03 in TLV form for the SGP.02 ES8 profile download (GP Amd D applied to SGP.02
 * 4.1.3 / SGP.22 BSP). Byte layout follows the recorded test-eUICC session: 84 0A <KVN> 00 <host
 * challenge> -> 84 20 <INITIALIZE UPDATE response>; 85 11 <level> <host cryptogram> <C-MAC>
 * -> 85 00; 86 <len> <AES-CBC data> <C-MAC> -> 86 00; errors 9F44/9F45/9F46 01 <code>.
 */
#include <errno.h>
#include <string.h>

#include "sm/cipher.h"
#include "sm/scp03.h"
#include "sm/secret.h"
#include "sm/tlv.h"
#include "scp03_priv.h"

int sm_scp03t_cmd_84(uint8_t kvn, const uint8_t host_challenge[8], struct sm_buf *out)
{
    uint8_t v[10] = {kvn, 0x00};

    memcpy(v + 2, host_challenge, 8);
    return sm_tlv_put(out, 0x84, v, sizeof(v));
}

/* 9F4x 01 <code>: the card's error answer. */
static int card_error_tlv(const struct sm_tlv *t, uint32_t err_tag, uint8_t *card_error,
                          struct sm_decode_err *err)
{
    if (t->tag == err_tag && t->len == 1) {
        if (card_error)
            *card_error = t->value[0];
        return sm_decode_fail(err, -EPROTO, t->offset, "card answered error %02x", t->value[0]);
    }
    return sm_decode_fail(err, -EBADMSG, t->offset, "unexpected answer TLV %x", t->tag);
}

int sm_scp03t_host_84(struct sm_scp03_session *s, const struct sm_scp03_keys *k,
                      const uint8_t host_challenge[8], const uint8_t *tlv, size_t len,
                      uint8_t *card_error, struct sm_decode_err *err)
{
    struct sm_tlv t;
    int rc = sm_tlv_parse_one(tlv, len, &t, err);

    if (rc)
        return rc;
    if (t.tag != 0x84)
        return card_error_tlv(&t, 0x9F44, card_error, err);
    return sm_scp03_host_init(s, k, host_challenge, t.value, t.len, err);
}

int sm_scp03t_cmd_85(struct sm_scp03_session *s, uint8_t level, struct sm_buf *out)
{
    uint8_t msg[3 + 8];
    size_t mark = out->len;
    int rc;

    msg[0] = 0x85;
    msg[1] = 0x11;
    msg[2] = level;
    memcpy(msg + 3, s->host_cryptogram, 8);
    /* the C-MAC of 85 starts the chain from zero (recorded session: 00 x 16 || 85 11 33 ..) */
    memset(s->mcv, 0, 16);
    rc = sm_aes_cmac2(s->s_mac, s->klen, s->mcv, 16, msg, sizeof(msg), s->mcv);
    if (!rc)
        rc = sm_buf_append(out, msg, sizeof(msg));
    if (!rc)
        rc = sm_buf_append(out, s->mcv, 8);
    if (rc) {
        out->len = mark;
        return rc;
    }
    s->level = level;
    s->counter = 0; /* the 85 does not consume a counter value: the first 86 uses 1 */
    s->authenticated = true;
    return 0;
}

int sm_scp03t_wrap(struct sm_scp03_session *s, uint32_t tag, const uint8_t *plain, size_t len,
                   bool encrypt, struct sm_buf *out)
{
    struct sm_buf data = {.secure = true}, msg = {.secure = true};
    size_t mark = out->len;
    int rc;

    if (!s->authenticated)
        return -EPERM;
    s->counter++; /* every TLV advances the block counter, MAC-only ones too */
    rc = encrypt ? sm_scp03_encrypt_pad(s, false, plain, len, &data)
                 : sm_buf_append(&data, plain, len);
    /* C-MAC over MCV || tag || length (data + MAC) || data */
    if (!rc)
        rc = sm_tlv_put_header(&msg, tag, data.len + 8);
    if (!rc)
        rc = sm_buf_append(&msg, data.data, data.len);
    if (!rc)
        rc = sm_aes_cmac2(s->s_mac, s->klen, s->mcv, 16, msg.data, msg.len, s->mcv);
    if (!rc)
        rc = sm_buf_append(out, msg.data, msg.len);
    if (!rc)
        rc = sm_buf_append(out, s->mcv, 8);
    if (rc)
        out->len = mark;
    sm_buf_clear_free(&data);
    sm_buf_clear_free(&msg);
    return rc;
}

int sm_scp03t_host_check(struct sm_scp03_session *s, uint32_t tag, const uint8_t *tlv, size_t len,
                         struct sm_buf *data, uint8_t *card_error, struct sm_decode_err *err)
{
    struct sm_buf msg = {.secure = true};
    uint8_t mac[16];
    struct sm_tlv t;
    size_t elen;
    int rc = sm_tlv_parse_one(tlv, len, &t, err);

    if (rc)
        return rc;
    if (t.tag != tag)
        return card_error_tlv(&t,
                              tag == 0x85   ? 0x9F45
                              : tag == 0x84 ? 0x9F44
                                            : 0x9F46,
                              card_error, err);
    if (t.len == 0)
        return 0;
    /* response data: <encrypted data> <R-MAC>, R-MAC over MCV || tag || len || data */
    if (t.len < 8)
        return sm_decode_fail(err, -EBADMSG, t.offset, "answer of %zu bytes without R-MAC", t.len);
    elen = t.len - 8;
    rc = sm_buf_append(&msg, tlv, (size_t)(t.value - tlv) + elen);
    if (!rc)
        rc = sm_aes_cmac2(s->s_rmac, s->klen, s->mcv, 16, msg.data, msg.len, mac);
    sm_buf_clear_free(&msg);
    if (rc)
        return rc;
    if (!sm_ct_equal(mac, t.value + elen, 8))
        return sm_decode_fail(err, -EKEYREJECTED, t.offset, "R-MAC of the card's answer wrong");
    if (!elen || !data)
        return 0;
    rc = sm_scp03_decrypt_unpad(s, true, t.value, elen, data);
    return rc ? sm_decode_fail(err, rc, t.offset, "the card's answer cannot be deciphered") : 0;
}

/* ---- card side ---- */

static int answer_error(struct sm_buf *rsp, uint32_t tag, uint8_t code)
{
    return sm_tlv_put_u8(rsp, tag, code);
}

int sm_scp03t_card_84(struct sm_scp03_session *s, const struct sm_scp03_keys *k, uint8_t kvn,
                      const uint8_t seq[3], const uint8_t *aid, size_t aidlen, const uint8_t *tlv,
                      size_t len, struct sm_buf *rsp)
{
    static const uint8_t zero_div[10];
    struct sm_buf init = SM_BUF_INIT;
    struct sm_tlv t;
    int rc;

    if (sm_tlv_parse_one(tlv, len, &t, NULL) || t.tag != 0x84 || t.len != 10 ||
        (t.value[1] != 0x00 && t.value[1] != 0x01)) {
        rc = answer_error(rsp, 0x9F44, SM_SCP03T_ERR_STRUCTURE);
        return rc ? rc : -EBADMSG;
    }
    /* KVN 00 means "the first available key set" (GP); otherwise it must be ours */
    if (!k || (t.value[0] != 0x00 && t.value[0] != kvn)) {
        rc = answer_error(rsp, 0x9F44, SM_SCP03T_ERR_NO_KEYSET);
        return rc ? rc : -ENOKEY;
    }
    rc = sm_scp03_card_init(s, k, kvn, 0x70, seq, aid, aidlen, zero_div, t.value + 2, &init);
    if (!rc)
        rc = sm_tlv_put(rsp, 0x84, init.data, init.len);
    sm_buf_free(&init);
    return rc;
}

int sm_scp03t_card_85(struct sm_scp03_session *s, const uint8_t *tlv, size_t len,
                      struct sm_buf *rsp)
{
    uint8_t mac[16];
    struct sm_tlv t;
    int rc;

    if (sm_tlv_parse_one(tlv, len, &t, NULL) || t.tag != 0x85 || t.len != 17) {
        rc = answer_error(rsp, 0x9F45, SM_SCP03T_ERR_STRUCTURE);
        return rc ? rc : -EBADMSG;
    }
    rc = sm_aes_cmac2(s->s_mac, s->klen, (const uint8_t[16]){0}, 16, tlv, 2 + 9, mac);
    if (rc)
        return rc;
    if (!(t.value[0] & SM_SCP03_LEVEL_CMAC) || !sm_ct_equal(t.value + 1, s->host_cryptogram, 8) ||
        !sm_ct_equal(t.value + 9, mac, 8)) {
        s->authenticated = false;
        rc = answer_error(rsp, 0x9F45, SM_SCP03T_ERR_SECURITY);
        return rc ? rc : -EKEYREJECTED;
    }
    memcpy(s->mcv, mac, 16);
    s->level = t.value[0];
    s->counter = 0;
    s->authenticated = true;
    return sm_tlv_put(rsp, 0x85, NULL, 0);
}

int sm_scp03t_card_86(struct sm_scp03_session *s, const uint8_t *tlv, size_t len,
                      struct sm_buf *plain, struct sm_buf *rsp)
{
    uint8_t mac[16];
    struct sm_tlv t;
    size_t dlen;
    int rc;

    if (sm_tlv_parse_one(tlv, len, &t, NULL) || t.tag != 0x86 || t.len < 8) {
        rc = answer_error(rsp, 0x9F46, SM_SCP03T_ERR_STRUCTURE);
        return rc ? rc : -EBADMSG;
    }
    if (!s->authenticated) {
        rc = answer_error(rsp, 0x9F46, SM_SCP03T_ERR_SECURITY);
        return rc ? rc : -EPERM;
    }
    dlen = t.len - 8;
    rc = sm_aes_cmac2(s->s_mac, s->klen, s->mcv, 16, tlv, (size_t)(t.value - tlv) + dlen, mac);
    if (rc)
        return rc;
    if (!sm_ct_equal(mac, t.value + dlen, 8)) {
        s->authenticated = false; /* a MAC failure ends the session (Amd D 6.2.1) */
        rc = answer_error(rsp, 0x9F46, SM_SCP03T_ERR_SECURITY);
        return rc ? rc : -EKEYREJECTED;
    }
    memcpy(s->mcv, mac, 16);
    s->counter++;
    if (!(s->level & SM_SCP03_LEVEL_CDEC)) {
        rc = sm_buf_append(plain, t.value, dlen);
        return rc ? rc : sm_tlv_put(rsp, 0x86, NULL, 0);
    }
    rc = sm_scp03_decrypt_unpad(s, false, t.value, dlen, plain);
    if (rc == -EBADMSG)
        goto structure;
    return rc ? rc : sm_tlv_put(rsp, 0x86, NULL, 0);
structure:
    s->authenticated = false;
    rc = answer_error(rsp, 0x9F46, SM_SCP03T_ERR_STRUCTURE);
    return rc ? rc : -EBADMSG;
}

int sm_scp03t_card_answer(struct sm_scp03_session *s, uint32_t tag, const uint8_t *data, size_t len,
                          struct sm_buf *rsp)
{
    struct sm_buf body = {.secure = true};
    size_t mark = rsp->len, vstart;
    uint8_t mac[16];
    int rc;

    if (!s->authenticated)
        return -EPERM;
    rc = (s->level & SM_SCP03_LEVEL_RENC) ? sm_scp03_encrypt_pad(s, true, data, len, &body)
                                          : sm_buf_append(&body, data, len);
    if (!rc)
        rc = sm_tlv_put_header(rsp, tag, body.len + 8);
    vstart = rsp->len;
    if (!rc)
        rc = sm_buf_append(rsp, body.data, body.len);
    /* R-MAC over MCV || tag || length || data, as the host checks it */
    if (!rc)
        rc = sm_aes_cmac2(s->s_rmac, s->klen, s->mcv, 16, rsp->data + mark,
                          vstart - mark + body.len, mac);
    if (!rc)
        rc = sm_buf_append(rsp, mac, 8);
    sm_buf_clear_free(&body);
    if (rc)
        rsp->len = mark;
    return rc;
}
