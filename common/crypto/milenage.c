/* SPDX-License-Identifier: Apache-2.0 */
/* MILENAGE (3GPP TS 35.206), AUTN/AUTS (TS 33.102 6.3), GSM-MILENAGE (TS 55.205). */
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "cipher_priv.h"
#include "sm/buf.h"
#include "sm/cipher.h"
#include "sm/milenage.h"
#include "sm/secret.h"

/* TS 35.206 4.1: r1..r5 in bytes (64, 0, 32, 64, 96 bits), c1..c5 last byte (0, 1, 2, 4, 8). */
static const uint8_t rot_bytes[5] = {8, 0, 4, 8, 12};
static const uint8_t c_last[5] = {0, 1, 2, 4, 8};

/* One ECB encryption of len bytes (a multiple of 16) with the context keyed by K. */
static int ecb(struct sm_milenage *m, const uint8_t *in, int len, uint8_t *out)
{
    int n = 0;

    if (EVP_EncryptUpdate(m->ctx, out, &n, in, len) != 1 || n != len)
        return -EIO;
    return 0;
}

/* TEMP = E_K(RAND xor OPc) (TS 35.206 4.1). */
static int temp_of(struct sm_milenage *m, const uint8_t rand[16], uint8_t temp[16])
{
    uint8_t x[16];
    int rc;

    for (int i = 0; i < 16; i++)
        x[i] = rand[i] ^ m->opc[i];
    rc = ecb(m, x, 16, temp);
    sm_wipe(x, sizeof(x));
    return rc;
}

/*
 * OUT<first>..OUT<first+count-1> (1-based) in one ECB call, into out (16 * count bytes).
 * OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, IN1 = SQN || AMF || SQN || AMF;
 * OUTk = E_K(rot(TEMP xor OPc, rk) xor ck) xor OPc for k = 2..5 (TS 35.206 4.1).
 */
static int outs(struct sm_milenage *m, const uint8_t temp[16], const uint8_t sqn[6],
                const uint8_t amf[2], int first, int count, uint8_t *out)
{
    uint8_t in[80], x[16];
    int rc;

    for (int b = 0; b < count; b++) {
        int k = first - 1 + b;
        uint8_t *blk = in + 16 * b;
        int r = rot_bytes[k];

        if (k == 0) {
            memcpy(x, sqn, 6);
            memcpy(x + 6, amf, 2);
            memcpy(x + 8, x, 8);
            for (int i = 0; i < 16; i++)
                x[i] ^= m->opc[i];
            for (int i = 0; i < 16; i++)
                blk[i] = temp[i] ^ x[(i + r) % 16];
        } else {
            for (int i = 0; i < 16; i++)
                x[i] = temp[i] ^ m->opc[i];
            for (int i = 0; i < 16; i++)
                blk[i] = x[(i + r) % 16];
        }
        blk[15] ^= c_last[k];
    }
    rc = ecb(m, in, 16 * count, out);
    if (rc == 0)
        for (int i = 0; i < 16 * count; i++)
            out[i] ^= m->opc[i % 16];
    sm_wipe(in, sizeof(in));
    sm_wipe(x, sizeof(x));
    return rc;
}

int sm_milenage_init(struct sm_milenage *m, const uint8_t k[16], const uint8_t opc[16])
{
    EVP_CIPHER_CTX *ctx;

    if (!m)
        return -EINVAL;
    m->ctx = NULL;
    if (!k || !opc)
        return -EINVAL;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return -ENOMEM;
    if (EVP_EncryptInit_ex(ctx, sm_cipher_alg(SM_ALG_AES128_ECB), NULL, k, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return -EIO;
    }
    m->ctx = ctx;
    memcpy(m->opc, opc, 16);
    return 0;
}

void sm_milenage_clear(struct sm_milenage *m)
{
    if (!m)
        return;
    EVP_CIPHER_CTX_free(m->ctx); /* cleanses the key schedule */
    m->ctx = NULL;
    sm_wipe(m->opc, sizeof(m->opc));
}

int sm_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
    uint8_t e[16];
    int rc;

    if (!k || !op || !opc)
        return -EINVAL;
    rc = sm_aes_ecb_encrypt(k, 16, op, 16, e);
    if (rc == 0)
        for (int i = 0; i < 16; i++)
            opc[i] = e[i] ^ op[i];
    sm_wipe(e, sizeof(e));
    return rc;
}

int sm_milenage_f1(struct sm_milenage *m, const uint8_t rand[16], const uint8_t sqn[6],
                   const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
    uint8_t temp[16], out1[16];
    int rc;

    if (!m || !m->ctx || !rand || !sqn || !amf)
        return -EINVAL;
    rc = temp_of(m, rand, temp);
    if (rc == 0)
        rc = outs(m, temp, sqn, amf, 1, 1, out1);
    if (rc == 0) {
        if (mac_a)
            memcpy(mac_a, out1, 8);
        if (mac_s)
            memcpy(mac_s, out1 + 8, 8);
    }
    sm_wipe(temp, sizeof(temp));
    sm_wipe(out1, sizeof(out1));
    return rc;
}

int sm_milenage_f2345(struct sm_milenage *m, const uint8_t rand[16], uint8_t res[8], uint8_t ck[16],
                      uint8_t ik[16], uint8_t ak[6], uint8_t ak_star[6])
{
    uint8_t temp[16], o[64]; /* OUT2..OUT5 */
    int rc;

    if (!m || !m->ctx || !rand)
        return -EINVAL;
    rc = temp_of(m, rand, temp);
    if (rc == 0)
        rc = outs(m, temp, NULL, NULL, 2, 4, o);
    if (rc == 0) {
        if (res)
            memcpy(res, o + 8, 8);
        if (ak)
            memcpy(ak, o, 6);
        if (ck)
            memcpy(ck, o + 16, 16);
        if (ik)
            memcpy(ik, o + 32, 16);
        if (ak_star)
            memcpy(ak_star, o + 48, 6);
    }
    sm_wipe(temp, sizeof(temp));
    sm_wipe(o, sizeof(o));
    return rc;
}

int sm_milenage_generate(struct sm_milenage *m, const uint8_t rand[16], const uint8_t sqn[6],
                         const uint8_t amf[2], struct sm_milenage_vector *v)
{
    uint8_t temp[16], o[80]; /* OUT1..OUT5 */
    int rc;

    if (!m || !m->ctx || !rand || !sqn || !amf || !v)
        return -EINVAL;
    rc = temp_of(m, rand, temp);
    if (rc == 0)
        rc = outs(m, temp, sqn, amf, 1, 5, o);
    if (rc == 0) {
        memmove(v->rand, rand, 16);
        memcpy(v->res, o + 24, 8);
        memcpy(v->ck, o + 32, 16);
        memcpy(v->ik, o + 48, 16);
        memcpy(v->ak, o + 16, 6);
        /* TS 33.102 6.3.2: AUTN = SQN xor AK || AMF || MAC */
        for (int i = 0; i < 6; i++)
            v->autn[i] = sqn[i] ^ v->ak[i];
        memcpy(v->autn + 6, amf, 2);
        memcpy(v->autn + 8, o, 8);
    }
    sm_wipe(temp, sizeof(temp));
    sm_wipe(o, sizeof(o));
    return rc;
}

int sm_milenage_check_autn(struct sm_milenage *m, const uint8_t rand[16], const uint8_t autn[16],
                           uint8_t sqn[6], uint8_t amf[2])
{
    uint8_t temp[16], out1[16], out2[16], s[6];
    int rc;

    if (!m || !m->ctx || !rand || !autn || !sqn || !amf)
        return -EINVAL;
    rc = temp_of(m, rand, temp);
    if (rc == 0)
        rc = outs(m, temp, NULL, NULL, 2, 1, out2);
    if (rc == 0) {
        /* TS 33.102 6.3.3: SQN = (SQN xor AK) xor AK, then XMAC = f1(SQN, RAND, AMF) */
        for (int i = 0; i < 6; i++)
            s[i] = autn[i] ^ out2[i];
        rc = outs(m, temp, s, autn + 6, 1, 1, out1);
    }
    if (rc == 0 && !sm_ct_equal(out1, autn + 8, 8))
        rc = -EKEYREJECTED;
    if (rc == 0) {
        memcpy(amf, autn + 6, 2);
        memcpy(sqn, s, 6);
    }
    sm_wipe(temp, sizeof(temp));
    sm_wipe(out1, sizeof(out1));
    sm_wipe(out2, sizeof(out2));
    sm_wipe(s, sizeof(s));
    return rc;
}

/* TS 33.102 6.3.3: MAC-S = f1*(SQN_MS, RAND, AMF) with the dummy AMF 0000. */
static const uint8_t amf_resync[2] = {0, 0};

int sm_milenage_auts(struct sm_milenage *m, const uint8_t rand[16], const uint8_t sqn_ms[6],
                     uint8_t auts[14])
{
    uint8_t temp[16], o[80];
    int rc;

    if (!m || !m->ctx || !rand || !sqn_ms || !auts)
        return -EINVAL;
    rc = temp_of(m, rand, temp);
    if (rc == 0)
        rc = outs(m, temp, sqn_ms, amf_resync, 1, 5, o);
    if (rc == 0) {
        /* AUTS = SQN_MS xor AK* || MAC-S; AK* = f5* = OUT5[0..47] */
        for (int i = 0; i < 6; i++)
            auts[i] = sqn_ms[i] ^ o[64 + i];
        memcpy(auts + 6, o + 8, 8);
    }
    sm_wipe(temp, sizeof(temp));
    sm_wipe(o, sizeof(o));
    return rc;
}

int sm_milenage_resync(struct sm_milenage *m, const uint8_t rand[16], const uint8_t auts[14],
                       uint8_t sqn_ms[6])
{
    uint8_t temp[16], out1[16], out5[16], s[6];
    int rc;

    if (!m || !m->ctx || !rand || !auts || !sqn_ms)
        return -EINVAL;
    rc = temp_of(m, rand, temp);
    if (rc == 0)
        rc = outs(m, temp, NULL, NULL, 5, 1, out5);
    if (rc == 0) {
        for (int i = 0; i < 6; i++)
            s[i] = auts[i] ^ out5[i];
        rc = outs(m, temp, s, amf_resync, 1, 1, out1);
    }
    if (rc == 0 && !sm_ct_equal(out1 + 8, auts + 6, 8))
        rc = -EKEYREJECTED;
    if (rc == 0)
        memcpy(sqn_ms, s, 6);
    sm_wipe(temp, sizeof(temp));
    sm_wipe(out1, sizeof(out1));
    sm_wipe(out5, sizeof(out5));
    sm_wipe(s, sizeof(s));
    return rc;
}

void sm_gsm_c2(const uint8_t res[8], uint8_t sres[4])
{
    uint8_t t[4];

    /* TS 33.102 6.8.1.2 c2 for a 64-bit RES: SRES = RES[0..3] xor RES[4..7] (aliasing allowed) */
    for (int i = 0; i < 4; i++)
        t[i] = res[i] ^ res[i + 4];
    memcpy(sres, t, 4);
    sm_wipe(t, sizeof(t));
}

void sm_gsm_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8])
{
    uint8_t t[8];

    /* TS 33.102 6.8.1.2 c3: Kc = CK1 xor CK2 xor IK1 xor IK2 */
    for (int i = 0; i < 8; i++)
        t[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
    memcpy(kc, t, 8);
    sm_wipe(t, sizeof(t));
}

int sm_milenage_gsm(struct sm_milenage *m, const uint8_t rand[16], uint8_t sres[4], uint8_t kc[8])
{
    uint8_t res[8], ck[16], ik[16];
    int rc;

    if (!sres || !kc)
        return -EINVAL;
    /* TS 55.205 4: SRES and Kc from MILENAGE f2, f3, f4 */
    rc = sm_milenage_f2345(m, rand, res, ck, ik, NULL, NULL);
    if (rc == 0) {
        sm_gsm_c2(res, sres);
        sm_gsm_c3(ck, ik, kc);
    }
    sm_wipe(res, sizeof(res));
    sm_wipe(ck, sizeof(ck));
    sm_wipe(ik, sizeof(ik));
    return rc;
}
