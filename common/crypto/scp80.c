/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "sm/cipher.h"
#include "sm/secret.h"
#include "sm/scp80.h"

static const char *const status_text[] = {
    "PoR OK",
    "RC/CC/DS failed",
    "CNTR low",
    "CNTR high",
    "CNTR blocked",
    "ciphering error",
    "unidentified security error",
    "insufficient memory",
    "more time needed",
    "TAR unknown",
    "insufficient security level",
    "response sent in SMS-SUBMIT",
    "response sent in USSD",
};

const char *sm_por_status_text(uint8_t status)
{
    return status < sizeof(status_text) / sizeof(status_text[0]) ? status_text[status]
                                                                 : "reserved status";
}

static int block_size(uint8_t kic)
{
    switch (kic & 0x0f) {
    case SM_ALG_AES:
        return 16;
    case SM_ALG_3DES2:
    case SM_ALG_3DES3:
        return 8;
    default:
        return -ENOTSUP; /* implicit, DES: not offered */
    }
}

int sm_scp80_cc_len(uint8_t spi_integrity, uint8_t kid)
{
    switch (spi_integrity & 0x03) {
    case 0:
        return 0;
    case SM_SPI1_CC:
        switch (kid & 0x0f) {
        case SM_ALG_AES: /* SGP.02: AES-CMAC truncated to 64 bits */
        case SM_ALG_3DES2:
        case SM_ALG_3DES3:
            return 8;
        default:
            return -ENOTSUP;
        }
    default:
        return -ENOTSUP; /* RC and DS */
    }
}

/* Cipher key length must fit the algorithm. */
static int cipher(bool encrypt, uint8_t kic, const struct sm_scp80_keys *k, uint8_t *buf,
                  size_t len)
{
    static const uint8_t zero[16];

    switch (kic & 0x0f) {
    case SM_ALG_AES:
        return sm_aes_cbc(encrypt, k->kic, k->kic_len, zero, buf, len, buf);
    case SM_ALG_3DES2:
        return k->kic_len == 16 ? sm_3des_cbc(encrypt, k->kic, 16, zero, buf, len, buf) : -EINVAL;
    case SM_ALG_3DES3:
        return k->kic_len == 24 ? sm_3des_cbc(encrypt, k->kic, 24, zero, buf, len, buf) : -EINVAL;
    default:
        return -ENOTSUP;
    }
}

/* Checksum over msg (the packet with the CC field taken out). */
static int checksum(uint8_t kid, const struct sm_scp80_keys *k, const uint8_t *msg, size_t len,
                    uint8_t cc[8])
{
    uint8_t full[16];
    int rc;

    switch (kid & 0x0f) {
    case SM_ALG_AES:
        rc = sm_aes_cmac(k->kid, k->kid_len, msg, len, full);
        if (!rc)
            memcpy(cc, full, 8);
        return rc;
    case SM_ALG_3DES2:
        return k->kid_len == 16 ? sm_3des_cbc_mac(k->kid, 16, msg, len, cc) : -EINVAL;
    case SM_ALG_3DES3:
        return k->kid_len == 24 ? sm_3des_cbc_mac(k->kid, 24, msg, len, cc) : -EINVAL;
    default:
        return -ENOTSUP;
    }
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

uint64_t sm_scp80_cntr_value(const uint8_t cntr[5])
{
    uint64_t v = 0;

    for (int i = 0; i < 5; i++)
        v = v << 8 | cntr[i];
    return v;
}

void sm_scp80_cntr_bytes(uint64_t v, uint8_t cntr[5])
{
    for (int i = 4; i >= 0; i--) {
        cntr[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Checksum over two parts: the packet up to the CC field, and what follows it. */
static int checksum2(uint8_t kid, const struct sm_scp80_keys *k, const uint8_t *a, size_t alen,
                     const uint8_t *b, size_t blen, uint8_t cc[8])
{
    struct sm_buf tmp = {.secure = true};
    uint8_t full[16];
    int rc;

    if ((kid & 0x0f) == SM_ALG_AES) {
        rc = sm_aes_cmac2(k->kid, k->kid_len, a, alen, b, blen, full);
        if (!rc)
            memcpy(cc, full, 8);
        sm_wipe(full, sizeof(full));
        return rc;
    }
    /* 3DES CBC-MAC: rare; join the parts */
    rc = sm_buf_append(&tmp, a, alen);
    if (!rc)
        rc = sm_buf_append(&tmp, b, blen);
    if (!rc)
        rc = checksum(kid, k, tmp.data, tmp.len, cc);
    sm_buf_clear_free(&tmp);
    return rc;
}

/*
 * Finish a packet assembled in out from prefix_at: write the checksum into the CC field at
 * secured_at + cc_at (covering everything from prefix_at but the field itself), then encrypt
 * the secured part (secured_at .. end). Order of TS 102 225 5.1: pad, checksum, encrypt.
 */
static int seal(struct sm_buf *out, size_t prefix_at, size_t secured_at, size_t cc_at, int cc_len,
                bool encrypt, uint8_t kic, uint8_t kid, const struct sm_scp80_keys *keys)
{
    size_t cc_pos = secured_at + cc_at;
    int rc = 0;

    if (cc_len > 0)
        rc = checksum2(kid, keys, out->data + prefix_at, cc_pos - prefix_at,
                       out->data + cc_pos + (size_t)cc_len, out->len - cc_pos - (size_t)cc_len,
                       out->data + cc_pos);
    if (!rc && encrypt)
        rc = cipher(true, kic, keys, out->data + secured_at, out->len - secured_at);
    return rc;
}

int sm_scp80_wrap_command(const struct sm_scp80_header *h, const uint8_t cntr[5],
                          const struct sm_scp80_keys *keys, const uint8_t *data, size_t len,
                          struct sm_buf *out)
{
    bool enc = h->spi[0] & SM_SPI1_CIPHER;
    int cc_len = sm_scp80_cc_len(h->spi[0], h->kid), bs = enc ? block_size(h->kic) : 1;
    size_t start = out->len, secured, pad = 0, cpl;
    uint8_t hdr[10];
    int rc;

    if (cc_len < 0 || bs < 0)
        return -ENOTSUP;
    secured = 5 + 1 + (size_t)cc_len + len;
    if (enc)
        pad = (size_t)(bs - (int)(secured % (size_t)bs)) % (size_t)bs;
    cpl = 1 + 13 + (size_t)cc_len + len + pad; /* CHL byte through the last padding byte */
    if (cpl > 0xffff)
        return -EMSGSIZE;
    put16(hdr, cpl);
    hdr[2] = (uint8_t)(13 + cc_len); /* CHL */
    hdr[3] = h->spi[0];
    hdr[4] = h->spi[1];
    hdr[5] = h->kic;
    hdr[6] = h->kid;
    memcpy(hdr + 7, h->tar, 3);
    rc = sm_buf_append(out, hdr, 10);
    if (!rc)
        rc = sm_buf_append(out, cntr, 5);
    if (!rc)
        rc = sm_buf_append_byte(out, (uint8_t)pad);
    if (!rc)
        rc = sm_buf_reserve(out, (size_t)cc_len + len + pad);
    if (!rc) {
        memset(out->data + out->len, 0, (size_t)cc_len);
        out->len += (size_t)cc_len;
        if (len)
            memcpy(out->data + out->len, data, len);
        out->len += len;
        memset(out->data + out->len, 0, pad);
        out->len += pad;
        out->data[out->len] = 0;
        /* command CC: CPL .. end without the UDH (31.115 6.2) */
        rc = seal(out, start, start + 10, 6, cc_len, enc, h->kic, h->kid, keys);
    }
    if (rc)
        out->len = start;
    return rc;
}

int sm_scp80_command_header(const uint8_t *pkt, size_t len, struct sm_scp80_header *h,
                            struct sm_decode_err *err)
{
    size_t cpl;

    if (len < 10)
        return sm_decode_fail(err, -EBADMSG, len, "command packet shorter than its header");
    cpl = (size_t)pkt[0] << 8 | pkt[1];
    if (cpl != len - 2)
        return sm_decode_fail(err, -EBADMSG, 0, "CPL %zu but %zu bytes follow", cpl, len - 2);
    h->spi[0] = pkt[3];
    h->spi[1] = pkt[4];
    h->kic = pkt[5];
    h->kid = pkt[6];
    memcpy(h->tar, pkt + 7, 3);
    return 0;
}

int sm_scp80_unwrap_command(const uint8_t *pkt, size_t len, const struct sm_scp80_keys *keys,
                            struct sm_scp80_command *out, uint8_t *status,
                            struct sm_decode_err *err)
{
    struct sm_buf plain = {.secure = true}, mac_in = {.secure = true};
    bool enc;
    int cc_len, bs, rc;
    size_t chl, body;
    uint8_t cc[8];

    memset(out, 0, sizeof(*out));
    out->data.secure = true;
    *status = SM_POR_SECURITY_ERROR;
    rc = sm_scp80_command_header(pkt, len, &out->h, err);
    if (rc)
        return rc;
    enc = out->h.spi[0] & SM_SPI1_CIPHER;
    cc_len = sm_scp80_cc_len(out->h.spi[0], out->h.kid);
    bs = enc ? block_size(out->h.kic) : 1;
    if (cc_len < 0 || bs < 0)
        return sm_decode_fail(err, -ENOTSUP, 3,
                              "security algorithm of SPI %02x%02x KIc %02x "
                              "KID %02x not supported",
                              out->h.spi[0], out->h.spi[1], out->h.kic, out->h.kid);
    chl = pkt[2];
    if (chl != 13 + (size_t)cc_len)
        return sm_decode_fail(err, -EBADMSG, 2, "CHL %zu, expected %d for this SPI", chl,
                              13 + cc_len);
    if (len < 10 + 6 + (size_t)cc_len)
        return sm_decode_fail(err, -EBADMSG, len, "packet shorter than its header");
    body = len - 10; /* CNTR onwards */
    rc = sm_buf_append(&plain, pkt + 10, body);
    if (rc)
        return rc;
    if (enc) {
        if (body % (size_t)bs) {
            *status = SM_POR_CIPHER_ERROR;
            rc = sm_decode_fail(err, -EPROTO, 10, "ciphered part not a multiple of %d", bs);
            goto out;
        }
        rc = cipher(false, out->h.kic, keys, plain.data, plain.len);
        if (rc) {
            *status = SM_POR_CIPHER_ERROR;
            goto out;
        }
    }
    memcpy(out->cntr, plain.data, 5);
    out->pcntr = plain.data[5];
    if (out->pcntr > body - 6 - (size_t)cc_len || (!enc && out->pcntr)) {
        *status = SM_POR_CIPHER_ERROR;
        rc =
            sm_decode_fail(err, -EPROTO, 15, "padding counter %u larger than the data", out->pcntr);
        goto out;
    }
    if (cc_len) {
        /* CPL .. PCNTR are contiguous once the header is put back before CNTR/PCNTR */
        rc = sm_buf_append(&mac_in, pkt, 10);
        if (!rc)
            rc = sm_buf_append(&mac_in, plain.data, 6);
        if (!rc)
            rc = checksum2(out->h.kid, keys, mac_in.data, mac_in.len, plain.data + 6 + cc_len,
                           body - 6 - (size_t)cc_len, cc);
        if (rc)
            goto out;
        if (!sm_ct_equal(cc, plain.data + 6, (size_t)cc_len)) {
            *status = SM_POR_CC_FAILED;
            rc = sm_decode_fail(err, -EKEYREJECTED, 16, "cryptographic checksum wrong");
            goto out;
        }
    }
    rc = sm_buf_append(&out->data, plain.data + 6 + cc_len, body - 6 - (size_t)cc_len - out->pcntr);
    if (!rc)
        *status = SM_POR_OK;
out:
    sm_buf_clear_free(&plain);
    sm_buf_clear_free(&mac_in);
    if (rc)
        sm_buf_clear_free(&out->data);
    return rc;
}

void sm_scp80_command_free(struct sm_scp80_command *c)
{
    sm_buf_clear_free(&c->data);
}

uint8_t sm_scp80_check_counter(uint8_t spi1, uint64_t stored, uint64_t received)
{
    const uint64_t max = 0xffffffffffull;

    switch (spi1 & SM_SPI1_CNTR_MASK) {
    case SM_SPI1_CNTR_HIGHER:
        if (stored >= max)
            return SM_POR_CNTR_BLOCKED;
        return received > stored ? SM_POR_OK : SM_POR_CNTR_LOW;
    case SM_SPI1_CNTR_PLUS_ONE:
        if (stored >= max)
            return SM_POR_CNTR_BLOCKED;
        if (received <= stored)
            return SM_POR_CNTR_LOW;
        return received == stored + 1 ? SM_POR_OK : SM_POR_CNTR_HIGH;
    default:
        return SM_POR_OK; /* no counter, or available but not checked */
    }
}

int sm_scp80_wrap_por(const struct sm_scp80_header *cmd, const uint8_t cntr[5], uint8_t status,
                      const struct sm_scp80_keys *keys, const uint8_t *data, size_t len,
                      struct sm_buf *out)
{
    static const uint8_t udh[3] = {0x02, 0x71, 0x00};
    uint8_t spi2 = cmd->spi[1];
    bool enc = spi2 & SM_SPI2_POR_CIPHER;
    int cc_len = sm_scp80_cc_len((uint8_t)((spi2 & SM_SPI2_POR_INTEGRITY_MASK) >> 2), cmd->kid);
    int bs = enc ? block_size(cmd->kic) : 1;
    size_t start = out->len, secured, pad = 0, rpl;
    uint8_t hdr[9];
    int rc;

    if (cc_len < 0 || bs < 0)
        return -ENOTSUP;
    secured = 5 + 1 + 1 + (size_t)cc_len + len;
    if (enc)
        pad = (size_t)(bs - (int)(secured % (size_t)bs)) % (size_t)bs;
    rpl = 1 + 10 + (size_t)cc_len + len + pad;
    if (rpl > 0xffff)
        return -EMSGSIZE;
    memcpy(hdr, udh, 3);
    put16(hdr + 3, rpl);
    hdr[5] = (uint8_t)(10 + cc_len); /* RHL */
    memcpy(hdr + 6, cmd->tar, 3);
    rc = sm_buf_append(out, hdr, 9);
    if (!rc)
        rc = sm_buf_append(out, cntr, 5);
    if (!rc)
        rc = sm_buf_append_byte(out, (uint8_t)pad);
    if (!rc)
        rc = sm_buf_append_byte(out, status);
    if (!rc)
        rc = sm_buf_reserve(out, (size_t)cc_len + len + pad);
    if (!rc) {
        memset(out->data + out->len, 0, (size_t)cc_len);
        out->len += (size_t)cc_len;
        if (len)
            memcpy(out->data + out->len, data, len);
        out->len += len;
        memset(out->data + out->len, 0, pad);
        out->len += pad;
        out->data[out->len] = 0;
        /* PoR CC: from the UDH (02 71 00) on, 31.115 6.4 */
        rc = seal(out, start, start + 9, 7, cc_len, enc, cmd->kic, cmd->kid, keys);
    }
    if (rc)
        out->len = start;
    return rc;
}

int sm_scp80_unwrap_por(const uint8_t spi[2], const uint8_t kic, const uint8_t kid,
                        const struct sm_scp80_keys *keys, const uint8_t *buf, size_t len,
                        struct sm_scp80_por *out, struct sm_decode_err *err)
{
    static const uint8_t udh[3] = {0x02, 0x71, 0x00};
    struct sm_buf pkt = {.secure = true}, mac_in = {.secure = true};
    uint8_t spi2 = spi[1];
    int want_cc = sm_scp80_cc_len((uint8_t)((spi2 & SM_SPI2_POR_INTEGRITY_MASK) >> 2), kid);
    int cc_len, bs, rc;
    bool enc;
    size_t rpl, rhl, body, pcntr;
    uint8_t cc[8];

    memset(out, 0, sizeof(*out));
    /* with or without the UDH the SMS layer may already have stripped */
    if (len >= 3 && !memcmp(buf, udh, 3)) {
        buf += 3;
        len -= 3;
    }
    if (want_cc < 0)
        return sm_decode_fail(err, -ENOTSUP, 0, "PoR integrity algorithm not supported");
    if (len < 3 + 10)
        return sm_decode_fail(err, -EBADMSG, len, "PoR shorter than its header");
    rpl = (size_t)buf[0] << 8 | buf[1];
    rhl = buf[2];
    if (rpl != len - 2)
        return sm_decode_fail(err, -EBADMSG, 0, "RPL %zu but %zu bytes follow", rpl, len - 2);
    if (rhl != 10 && rhl != 10 + (size_t)want_cc)
        return sm_decode_fail(err, -EBADMSG, 2, "RHL %zu inconsistent with SPI2 %02x", rhl, spi2);
    cc_len = (int)rhl - 10;
    /* an unprotected header answers an error the card could not protect: no cipher either */
    enc = (spi2 & SM_SPI2_POR_CIPHER) && (cc_len == want_cc || want_cc == 0);
    bs = enc ? block_size(kic) : 1;
    if (bs < 0)
        return sm_decode_fail(err, -ENOTSUP, 0, "PoR cipher not supported");
    if (len < 3 + rhl)
        return sm_decode_fail(err, -EBADMSG, len, "PoR shorter than RHL says");
    memcpy(out->tar, buf + 3, 3);
    body = len - 6; /* CNTR onwards */
    rc = sm_buf_append(&pkt, udh, 3);
    if (!rc)
        rc = sm_buf_append(&pkt, buf, len);
    if (rc)
        goto out;
    if (enc) {
        if (body % (size_t)bs) {
            rc = sm_decode_fail(err, -EBADMSG, 6, "ciphered PoR not a multiple of %d", bs);
            goto out;
        }
        rc = cipher(false, kic, keys, pkt.data + 9, body);
        if (rc)
            goto out;
        out->deciphered = true;
    }
    memcpy(out->cntr, pkt.data + 9, 5);
    pcntr = pkt.data[14];
    out->status = pkt.data[15];
    if (pcntr > body - 7 - (size_t)cc_len || (!enc && pcntr)) {
        rc = sm_decode_fail(err, -EBADMSG, 11, "PoR padding counter %zu too large", pcntr);
        goto out;
    }
    if (cc_len) {
        rc = checksum2(kid, keys, pkt.data, 16, pkt.data + 16 + cc_len, body - 7 - (size_t)cc_len,
                       cc);
        if (rc)
            goto out;
        if (!sm_ct_equal(cc, pkt.data + 16, (size_t)cc_len)) {
            rc = sm_decode_fail(err, -EKEYREJECTED, 16, "PoR checksum wrong");
            goto out;
        }
        out->protected_cc = true;
    }
    rc = sm_buf_append(&out->data, pkt.data + 16 + cc_len, body - 7 - (size_t)cc_len - pcntr);
out:
    sm_buf_clear_free(&pkt);
    sm_buf_clear_free(&mac_in);
    if (rc)
        sm_buf_free(&out->data);
    return rc;
}

void sm_scp80_por_free(struct sm_scp80_por *p)
{
    sm_buf_free(&p->data);
}
