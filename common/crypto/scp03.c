/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "sm/apdu.h"
#include "sm/cipher.h"
#include "sm/scp03.h"
#include "sm/secret.h"
#include "scp03_priv.h"

void sm_scp03_clear(struct sm_scp03_session *s)
{
    sm_wipe(s, sizeof(*s));
}

/* GP Amendment D 6.2.2 / 4.1.5: SP 800-108 counter mode, counter after L. */
int sm_scp03_kdf(const uint8_t *key, size_t klen, uint8_t constant, const uint8_t *ctx,
                 size_t ctxlen, unsigned lbits, uint8_t *out)
{
    uint8_t block[16 + 64], mac[16];
    size_t outlen = lbits / 8, done = 0;
    int rc = 0;

    if (lbits % 8 || !outlen || ctxlen > 64 || outlen > 64)
        return -EINVAL;
    memset(block, 0, 11);
    block[11] = constant;
    block[12] = 0x00;
    block[13] = (uint8_t)(lbits >> 8);
    block[14] = (uint8_t)lbits;
    memcpy(block + 16, ctx, ctxlen);
    for (uint8_t i = 1; done < outlen && !rc; i++) {
        size_t n = outlen - done < 16 ? outlen - done : 16;

        block[15] = i;
        rc = sm_aes_cmac(key, klen, block, 16 + ctxlen, mac);
        if (!rc)
            memcpy(out + done, mac, n);
        done += n;
    }
    sm_wipe(mac, sizeof(mac));
    return rc;
}

int sm_scp03_card_challenge(const uint8_t *kenc, size_t klen, const uint8_t seq[3],
                            const uint8_t *aid, size_t aidlen, uint8_t out[8])
{
    uint8_t ctx[3 + 16];

    if (aidlen > 16)
        return -EINVAL;
    memcpy(ctx, seq, 3);
    memcpy(ctx + 3, aid, aidlen);
    return sm_scp03_kdf(kenc, klen, SM_SCP03_KDF_CARD_CHALLENGE, ctx, 3 + aidlen, 64, out);
}

int sm_scp03_derive(struct sm_scp03_session *s, const struct sm_scp03_keys *k,
                    const uint8_t host_challenge[8], const uint8_t card_challenge[8])
{
    uint8_t ctx[16];
    unsigned kbits = (unsigned)k->klen * 8;
    int rc;

    if (k->klen != 16 && k->klen != 24 && k->klen != 32)
        return -EINVAL;
    memcpy(ctx, host_challenge, 8);
    memcpy(ctx + 8, card_challenge, 8);
    s->klen = k->klen;
    memcpy(s->host_challenge, host_challenge, 8);
    memcpy(s->card_challenge, card_challenge, 8);
    rc = sm_scp03_kdf(k->enc, k->klen, SM_SCP03_KDF_S_ENC, ctx, 16, kbits, s->s_enc);
    if (!rc)
        rc = sm_scp03_kdf(k->mac, k->klen, SM_SCP03_KDF_S_MAC, ctx, 16, kbits, s->s_mac);
    if (!rc)
        rc = sm_scp03_kdf(k->mac, k->klen, SM_SCP03_KDF_S_RMAC, ctx, 16, kbits, s->s_rmac);
    if (!rc)
        rc = sm_scp03_kdf(s->s_mac, s->klen, SM_SCP03_KDF_CARD_CRYPTOGRAM, ctx, 16, 64,
                          s->card_cryptogram);
    if (!rc)
        rc = sm_scp03_kdf(s->s_mac, s->klen, SM_SCP03_KDF_HOST_CRYPTOGRAM, ctx, 16, 64,
                          s->host_cryptogram);
    memset(s->mcv, 0, 16);
    s->counter = 0;
    s->authenticated = false;
    return rc;
}

int sm_scp03_set_session(struct sm_scp03_session *s, const uint8_t *s_enc, const uint8_t *s_mac,
                         const uint8_t *s_rmac, size_t klen, const uint8_t mcv[16])
{
    if (klen != 16 && klen != 24 && klen != 32)
        return -EINVAL;
    memset(s, 0, sizeof(*s));
    s->klen = klen;
    memcpy(s->s_enc, s_enc, klen);
    memcpy(s->s_mac, s_mac, klen);
    if (s_rmac)
        memcpy(s->s_rmac, s_rmac, klen);
    memcpy(s->mcv, mcv, 16);
    s->level = SM_SCP03_LEVEL_CMAC | SM_SCP03_LEVEL_CDEC;
    s->authenticated = true;
    return 0;
}

/* ICV for command (first = 00) or response (first = 80) encryption. */
static int icv(const struct sm_scp03_session *s, bool response, uint8_t out[16])
{
    uint8_t block[16] = {0};

    block[12] = (uint8_t)(s->counter >> 24);
    block[13] = (uint8_t)(s->counter >> 16);
    block[14] = (uint8_t)(s->counter >> 8);
    block[15] = (uint8_t)s->counter;
    if (response)
        block[0] = 0x80;
    return sm_aes_ecb_encrypt(s->s_enc, s->klen, block, 16, out);
}

int sm_scp03_encrypt_pad(const struct sm_scp03_session *s, bool response, const uint8_t *in,
                         size_t len, struct sm_buf *out)
{
    size_t padded = (len / 16 + 1) * 16, mark = out->len;
    uint8_t iv[16];
    int rc = icv(s, response, iv);

    if (!rc)
        rc = sm_buf_reserve(out, padded);
    if (rc)
        return rc;
    memcpy(out->data + mark, in, len);
    out->data[mark + len] = 0x80;
    memset(out->data + mark + len + 1, 0, padded - len - 1);
    out->len += padded;
    out->data[out->len] = 0;
    rc = sm_aes_cbc(true, s->s_enc, s->klen, iv, out->data + mark, padded, out->data + mark);
    if (rc)
        out->len = mark;
    return rc;
}

int sm_scp03_decrypt_unpad(const struct sm_scp03_session *s, bool response, const uint8_t *in,
                           size_t len, struct sm_buf *out)
{
    size_t mark = out->len, n;
    uint8_t iv[16];
    int rc;

    if (len == 0 || len % 16)
        return -EBADMSG;
    rc = icv(s, response, iv);
    if (!rc)
        rc = sm_buf_reserve(out, len);
    if (rc)
        return rc;
    rc = sm_aes_cbc(false, s->s_enc, s->klen, iv, in, len, out->data + mark);
    if (rc)
        return rc;
    n = len;
    while (n > len - 16 && out->data[mark + n - 1] == 0x00)
        n--;
    if (out->data[mark + n - 1] != 0x80) {
        sm_wipe(out->data + mark, len);
        return -EBADMSG;
    }
    n--;
    sm_wipe(out->data + mark + n, len - n);
    out->len += n;
    out->data[out->len] = 0;
    return 0;
}

int sm_scp03_initialize_update(uint8_t kvn, const uint8_t host_challenge[8], struct sm_buf *apdu)
{
    struct sm_capdu a = {0x80, 0x50, kvn, 0x00, host_challenge, 8, true, 256};

    return sm_capdu_encode(&a, apdu);
}

/* Parse key div data || KVN 03 i || card challenge || card cryptogram [|| seq]. */
static int parse_init_response(struct sm_scp03_session *s, const uint8_t *rsp, size_t len,
                               uint8_t cryptogram[8], struct sm_decode_err *err)
{
    if (len != 29 && len != 32)
        return sm_decode_fail(err, -EBADMSG, 0, "INITIALIZE UPDATE response of %zu bytes", len);
    if (rsp[11] != 0x03)
        return sm_decode_fail(err, -EPROTO, 11, "card answers with SCP%02x, not SCP03", rsp[11]);
    s->kvn = rsp[10];
    s->i_param = rsp[12];
    memcpy(cryptogram, rsp + 21, 8);
    s->has_seq = len == 32;
    if (s->has_seq)
        memcpy(s->seq, rsp + 29, 3);
    return 0;
}

int sm_scp03_host_init(struct sm_scp03_session *s, const struct sm_scp03_keys *k,
                       const uint8_t host_challenge[8], const uint8_t *rsp, size_t len,
                       struct sm_decode_err *err)
{
    uint8_t got[8];
    int rc;

    memset(s, 0, sizeof(*s));
    rc = parse_init_response(s, rsp, len, got, err);
    if (!rc)
        rc = sm_scp03_derive(s, k, host_challenge, rsp + 13);
    if (!rc && !sm_ct_equal(got, s->card_cryptogram, 8))
        rc = sm_decode_fail(err, -EKEYREJECTED, 21, "card cryptogram does not verify");
    if (rc)
        sm_scp03_clear(s);
    return rc;
}

/* C-MAC over MCV || header || data; updates the MCV, writes the 8 transmitted bytes. */
static int cmac_chain(struct sm_scp03_session *s, const uint8_t *msg, size_t len, uint8_t mac8[8])
{
    int rc = sm_aes_cmac2(s->s_mac, s->klen, s->mcv, 16, msg, len, s->mcv);

    if (!rc)
        memcpy(mac8, s->mcv, 8);
    return rc;
}

static bool level_valid(uint8_t level)
{
    /* C-MAC is mandatory; C-DEC needs C-MAC, R-ENC needs R-MAC (Amd D 5.1) */
    if (level &
        ~(SM_SCP03_LEVEL_CMAC | SM_SCP03_LEVEL_CDEC | SM_SCP03_LEVEL_RMAC | SM_SCP03_LEVEL_RENC))
        return false;
    if (!(level & SM_SCP03_LEVEL_CMAC))
        return false;
    return !((level & SM_SCP03_LEVEL_RENC) && !(level & SM_SCP03_LEVEL_RMAC));
}

int sm_scp03_external_authenticate(struct sm_scp03_session *s, uint8_t level, struct sm_buf *apdu)
{
    uint8_t msg[5 + 8], mac[8];
    size_t mark = apdu->len;
    int rc;

    if (!level_valid(level))
        return -EINVAL;
    memset(s->mcv, 0, 16);
    msg[0] = 0x84;
    msg[1] = 0x82;
    msg[2] = level;
    msg[3] = 0x00;
    msg[4] = 0x10;
    memcpy(msg + 5, s->host_cryptogram, 8);
    rc = cmac_chain(s, msg, sizeof(msg), mac);
    if (!rc)
        rc = sm_buf_append(apdu, msg, sizeof(msg));
    if (!rc)
        rc = sm_buf_append(apdu, mac, 8);
    if (rc) {
        apdu->len = mark;
        return rc;
    }
    s->level = level;
    s->counter = 0;
    s->authenticated = true;
    return 0;
}

int sm_scp03_wrap(struct sm_scp03_session *s, const uint8_t *apdu, size_t len, struct sm_buf *out)
{
    struct sm_buf body = {.secure = true};
    struct sm_capdu a;
    uint8_t mac[8];
    size_t mark = out->len;
    int rc;

    if (!s->authenticated)
        return -EPERM;
    rc = sm_capdu_decode(apdu, len, &a, NULL);
    if (rc)
        return rc;
    s->counter++; /* every command counts, with or without data (Amd D 6.2.6) */
    /* header with the secure-messaging class, Lc' filled in below */
    rc = sm_buf_append_byte(&body, (uint8_t)(a.cla | 0x04));
    if (!rc)
        rc = sm_buf_append(&body, apdu + 1, 3);
    if (!rc)
        rc = sm_buf_append_byte(&body, 0);
    if (!rc && a.lc) {
        if (s->level & SM_SCP03_LEVEL_CDEC)
            rc = sm_scp03_encrypt_pad(s, false, a.data, a.lc, &body);
        else
            rc = sm_buf_append(&body, a.data, a.lc);
    }
    if (rc)
        goto out;
    if (s->level & SM_SCP03_LEVEL_CMAC) {
        if (body.len - 5 + 8 > 255) {
            rc = -EMSGSIZE;
            goto out;
        }
        body.data[4] = (uint8_t)(body.len - 5 + 8);
        rc = cmac_chain(s, body.data, body.len, mac);
        if (!rc)
            rc = sm_buf_append(&body, mac, 8);
    } else {
        body.data[4] = (uint8_t)(body.len - 5);
    }
    if (rc)
        goto out;
    /* a command without data and without MAC keeps its original (case 1/2) form */
    rc = sm_buf_append(out, body.data, body.data[4] ? body.len : 4);
    if (!rc && a.has_le)
        rc = sm_buf_append_byte(out, (uint8_t)a.le); /* Le after the MAC, not MACed */
out:
    if (rc)
        out->len = mark;
    sm_buf_clear_free(&body);
    return rc;
}

int sm_scp03_unwrap_response(struct sm_scp03_session *s, const uint8_t *data, size_t len,
                             uint16_t sw, struct sm_buf *plain)
{
    uint8_t sw2[2] = {(uint8_t)(sw >> 8), (uint8_t)sw}, mac[16];
    struct sm_buf msg = {.secure = true};
    int rc;

    if (!sm_sw_ok(sw) || !(s->level & SM_SCP03_LEVEL_RMAC))
        return sm_buf_append(plain, data, len); /* errors carry no R-MAC (Amd D 6.2.5) */
    if (len < 8)
        return -EBADMSG;
    rc = sm_buf_append(&msg, data, len - 8);
    if (!rc)
        rc = sm_buf_append(&msg, sw2, 2);
    if (!rc)
        rc = sm_aes_cmac2(s->s_rmac, s->klen, s->mcv, 16, msg.data, msg.len, mac);
    sm_buf_clear_free(&msg);
    if (rc)
        return rc;
    if (!sm_ct_equal(mac, data + len - 8, 8))
        return -EKEYREJECTED;
    if ((s->level & SM_SCP03_LEVEL_RENC) && len > 8)
        return sm_scp03_decrypt_unpad(s, true, data, len - 8, plain);
    return sm_buf_append(plain, data, len - 8);
}

/* ---- card side ---- */

int sm_scp03_card_init(struct sm_scp03_session *s, const struct sm_scp03_keys *k, uint8_t kvn,
                       uint8_t i_param, const uint8_t seq[3], const uint8_t *aid, size_t aidlen,
                       const uint8_t key_div_data[10], const uint8_t host_challenge[8],
                       struct sm_buf *rsp)
{
    uint8_t cc[8], info[3] = {kvn, 0x03, i_param};
    size_t mark = rsp->len;
    int rc;

    if (!(i_param & 0x10))
        return -ENOTSUP; /* random card challenges need an RNG; SGP.02 uses i = 70 */
    memset(s, 0, sizeof(*s));
    rc = sm_scp03_card_challenge(k->enc, k->klen, seq, aid, aidlen, cc);
    if (!rc)
        rc = sm_scp03_derive(s, k, host_challenge, cc);
    if (rc)
        goto out;
    s->kvn = kvn;
    s->i_param = i_param;
    memcpy(s->seq, seq, 3);
    s->has_seq = true;
    rc = sm_buf_append(rsp, key_div_data, 10);
    if (!rc)
        rc = sm_buf_append(rsp, info, 3);
    if (!rc)
        rc = sm_buf_append(rsp, cc, 8);
    if (!rc)
        rc = sm_buf_append(rsp, s->card_cryptogram, 8);
    if (!rc)
        rc = sm_buf_append(rsp, seq, 3);
out:
    if (rc) {
        rsp->len = mark;
        sm_scp03_clear(s);
    }
    return rc;
}

int sm_scp03_card_external_authenticate(struct sm_scp03_session *s, const uint8_t *apdu, size_t len,
                                        struct sm_decode_err *err)
{
    uint8_t mac[8];
    struct sm_capdu a;
    int rc = sm_capdu_decode(apdu, len, &a, err);

    if (rc)
        return rc;
    if (a.cla != 0x84 || a.ins != 0x82 || a.lc != 16)
        return sm_decode_fail(err, -EBADMSG, 0, "not an EXTERNAL AUTHENTICATE with 16 bytes");
    if (!level_valid(a.p1))
        return sm_decode_fail(err, -EINVAL, 2, "security level %02x not valid", a.p1);
    memset(s->mcv, 0, 16);
    rc = cmac_chain(s, apdu, 5 + 8, mac);
    if (rc)
        return rc;
    if (!sm_ct_equal(a.data, s->host_cryptogram, 8) || !sm_ct_equal(a.data + 8, mac, 8)) {
        s->authenticated = false;
        return sm_decode_fail(err, -EKEYREJECTED, 5, "host cryptogram or C-MAC wrong");
    }
    s->level = a.p1;
    s->counter = 0;
    s->authenticated = true;
    return 0;
}

int sm_scp03_card_unwrap(struct sm_scp03_session *s, const uint8_t *apdu, size_t len,
                         struct sm_buf *plain, struct sm_decode_err *err)
{
    struct sm_buf data = {.secure = true};
    struct sm_capdu a, p;
    uint8_t mac[8];
    size_t dlen, mark = plain->len;
    int rc;

    if (!s->authenticated)
        return sm_decode_fail(err, -EPERM, 0, "no secure channel");
    rc = sm_capdu_decode(apdu, len, &a, err);
    if (rc)
        return rc;
    dlen = a.lc;
    s->counter++;
    if (s->level & SM_SCP03_LEVEL_CMAC) {
        if (!(a.cla & 0x04) || a.lc < 8 || a.lc > 255) {
            s->authenticated = false;
            return sm_decode_fail(err, -EKEYREJECTED, 0, "command without C-MAC");
        }
        dlen = a.lc - 8;
        rc = cmac_chain(s, apdu, 5 + dlen, mac);
        if (rc)
            return rc;
        if (!sm_ct_equal(mac, a.data + dlen, 8)) {
            s->authenticated = false;
            return sm_decode_fail(err, -EKEYREJECTED, 5 + dlen, "C-MAC wrong");
        }
    }
    if (dlen && (s->level & SM_SCP03_LEVEL_CDEC))
        rc = sm_scp03_decrypt_unpad(s, false, a.data, dlen, &data);
    else if (dlen)
        rc = sm_buf_append(&data, a.data, dlen);
    if (rc) {
        sm_buf_clear_free(&data);
        return sm_decode_fail(err, rc, 5, "command data cannot be deciphered");
    }
    p = a;
    p.cla = (uint8_t)(a.cla & ~0x04);
    p.data = data.data;
    p.lc = data.len;
    rc = sm_capdu_encode(&p, plain);
    if (rc)
        plain->len = mark;
    sm_buf_clear_free(&data);
    return rc;
}

int sm_scp03_card_wrap_response(struct sm_scp03_session *s, const uint8_t *data, size_t len,
                                uint16_t sw, struct sm_buf *out)
{
    uint8_t sw2[2] = {(uint8_t)(sw >> 8), (uint8_t)sw}, mac[16];
    size_t mark = out->len;
    int rc = 0;

    if (!sm_sw_ok(sw) || !(s->level & SM_SCP03_LEVEL_RMAC)) {
        rc = len ? sm_buf_append(out, data, len) : 0;
    } else {
        if ((s->level & SM_SCP03_LEVEL_RENC) && len)
            rc = sm_scp03_encrypt_pad(s, true, data, len, out);
        else if (len)
            rc = sm_buf_append(out, data, len);
        if (!rc) {
            struct sm_buf msg = {.secure = true};

            rc = sm_buf_append(&msg, out->data + mark, out->len - mark);
            if (!rc)
                rc = sm_buf_append(&msg, sw2, 2);
            if (!rc)
                rc = sm_aes_cmac2(s->s_rmac, s->klen, s->mcv, 16, msg.data, msg.len, mac);
            sm_buf_clear_free(&msg);
        }
        if (!rc)
            rc = sm_buf_append(out, mac, 8);
    }
    if (!rc)
        rc = sm_buf_append(out, sw2, 2);
    if (rc)
        out->len = mark;
    return rc;
}
