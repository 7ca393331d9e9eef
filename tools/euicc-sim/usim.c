/* SPDX-License-Identifier: Apache-2.0 */
/* USIM authentication: MILENAGE with the profile's constants, the TS 34.108 test algorithm,
 * SQN checking (TS 33.102 Annex C) and the AUTHENTICATE command (TS 31.102 7.1.2). */
#include <errno.h>
#include <string.h>

#include "sm/buf.h"
#include "sm/cipher.h"
#include "sm/milenage.h"
#include "usim.h"

unsigned sim_test_algorithm_res_len = 0; /* 0: from algorithmOptions */

static void xor16(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < 16; i++)
        out[i] = a[i] ^ b[i];
}

/* x rotated left by r bits (128-bit cyclic rotation, TS 35.206 2.3). */
static void rot128(uint8_t out[16], const uint8_t in[16], unsigned r)
{
    unsigned bytes = (r / 8) % 16, bits = r % 8;

    for (unsigned i = 0; i < 16; i++) {
        uint8_t a = in[(i + bytes) % 16], b = in[(i + bytes + 1) % 16];

        out[i] = bits ? (uint8_t)(a << bits | b >> (8 - bits)) : a;
    }
}

static int aes(const uint8_t k[16], const uint8_t in[16], uint8_t out[16])
{
    return sm_aes_ecb_encrypt(k, 16, in, 16, out);
}

void sim_aka_defaults(struct sim_aka *a)
{
    static const uint8_t rot[5] = {0x40, 0x00, 0x20, 0x40, 0x60};

    memcpy(a->rot, rot, 5);
    memset(a->xorc, 0, sizeof(a->xorc));
    for (int i = 1; i < 5; i++)
        a->xorc[16 * i + 15] = (uint8_t)(1 << (i - 1));
    a->sqn_options = 0x02;
    memset(a->sqn_delta, 0, sizeof(a->sqn_delta));
    memset(a->sqn_age_limit, 0, sizeof(a->sqn_age_limit));
    a->sqn_delta[2] = 0x10;
    a->sqn_age_limit[2] = 0x10;
}

int sim_milenage(const struct sim_aka *a, const uint8_t rand[16], const uint8_t sqn[6],
                 const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8], uint8_t res[8],
                 uint8_t ck[16], uint8_t ik[16], uint8_t ak[6], uint8_t ak_star[6])
{
    uint8_t temp[16], in1[16], t[16], r[16], out[16];
    int rc;

    /* TEMP = E_K(RAND xor OPc) */
    xor16(t, rand, a->opc);
    rc = aes(a->k, t, temp);
    /* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, IN1 = SQN||AMF||SQN||AMF */
    if (!rc && (mac_a || mac_s)) {
        memcpy(in1, sqn, 6);
        memcpy(in1 + 6, amf, 2);
        memcpy(in1 + 8, sqn, 6);
        memcpy(in1 + 14, amf, 2);
        xor16(t, in1, a->opc);
        rot128(r, t, a->rot[0]);
        xor16(t, r, temp);
        xor16(t, t, a->xorc);
        rc = aes(a->k, t, out);
        xor16(out, out, a->opc);
        if (mac_a)
            memcpy(mac_a, out, 8);
        if (mac_s)
            memcpy(mac_s, out + 8, 8);
    }
    /* OUT2..OUT5 = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc */
    for (int i = 1; !rc && i < 5; i++) {
        uint8_t *dst[5] = {NULL, res, ck, ik, ak_star};

        if (!dst[i] && !(i == 1 && ak))
            continue;
        xor16(t, temp, a->opc);
        rot128(r, t, a->rot[i]);
        xor16(t, r, a->xorc + 16 * i);
        rc = aes(a->k, t, out);
        xor16(out, out, a->opc);
        if (i == 1) {
            if (ak)
                memcpy(ak, out, 6);
            if (res)
                memcpy(res, out + 8, 8);
        } else if (i == 4) {
            memcpy(ak_star, out, 6);
        } else {
            memcpy(dst[i], out, 16);
        }
    }
    sm_wipe(temp, sizeof(temp));
    sm_wipe(t, sizeof(t));
    sm_wipe(r, sizeof(r));
    sm_wipe(out, sizeof(out));
    return rc ? -EIO : 0;
}

/* TS 34.108 8.1.2: XDOUT = K xor RAND; RES = XDOUT[0..n); CK = XDOUT <<< 8; IK = XDOUT <<< 16;
 * AK = XDOUT[3..8]; MAC = XDOUT[0..7] xor (SQN || AMF); f1* and f5* are f1 and f5. */
static void xor_test(const struct sim_aka *a, const uint8_t rand[16], const uint8_t sqn[6],
                     const uint8_t amf[2], uint8_t mac[8], uint8_t ck[16], uint8_t ik[16],
                     uint8_t ak[6], uint8_t xdout[16])
{
    xor16(xdout, a->k, rand);
    for (int i = 0; i < 16; i++) {
        ck[i] = xdout[(i + 1) % 16];
        ik[i] = xdout[(i + 2) % 16];
    }
    memcpy(ak, xdout + 3, 6);
    for (int i = 0; i < 8; i++)
        mac[i] = xdout[i] ^ (i < 6 ? sqn[i] : amf[i - 6]);
}

static size_t test_res_len(const struct sim_aka *a)
{
    if (sim_test_algorithm_res_len >= 4 && sim_test_algorithm_res_len <= 16)
        return sim_test_algorithm_res_len;
    /* [?] algorithmOptions of the test algorithm: 02 = 128 bits (GSMA TS.48), 01 = 64 bits */
    return (a->options & 0x03) == 0x02 ? 16 : 8;
}

static uint64_t u48(const uint8_t p[6])
{
    uint64_t v = 0;

    for (int i = 0; i < 6; i++)
        v = v << 8 | p[i];
    return v;
}

static void put48(uint8_t p[6], uint64_t v)
{
    for (int i = 5; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/*
 * TS 33.102 C.2/C.3: SQN = SEQ || IND (5 bits); accept when SEQ > SEQ(IND), and (wrap-around
 * protection, sqnOptions 02) SEQ - SEQ_MS <= delta, and (age limit, sqnOptions 04 [?])
 * SEQ_MS - SEQ <= L. delta and L compare full SQN values. On success SEQ(IND) = SEQ.
 */
static bool sqn_fresh(struct sim_aka *a, const uint8_t sqn[6], uint8_t sqn_ms[6])
{
    uint64_t s = u48(sqn), seq = s >> 5, seq_ms = 0, best = 0;
    unsigned ind = (unsigned)(s & 0x1F);

    for (int i = 0; i < 32; i++) {
        uint64_t v = u48(a->sqn[i]);

        if ((v >> 5) >= seq_ms) {
            seq_ms = v >> 5;
            best = v;
        }
    }
    put48(sqn_ms, best);
    if (seq <= (u48(a->sqn[ind]) >> 5))
        return false;
    if ((a->sqn_options & 0x02) && seq > seq_ms && ((seq - seq_ms) << 5) > u48(a->sqn_delta))
        return false;
    if ((a->sqn_options & 0x04) && seq_ms > seq && ((seq_ms - seq) << 5) > u48(a->sqn_age_limit))
        return false;
    put48(a->sqn[ind], s);
    return true;
}

int sim_aka_authenticate(struct sim_aka *a, const uint8_t rand[16], const uint8_t autn[16],
                         struct sim_auth_out *out, enum sim_auth_status *st)
{
    static const uint8_t amf0[2] = {0, 0}, sqn0[6] = {0};
    uint8_t ak[6], ak_star[6], sqn[6], mac[8], mac_s[8], sqn_ms[6], xdout[16];
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (a->algo == 3) {
        xor_test(a, rand, autn, autn + 6, mac, out->ck, out->ik, ak, xdout);
        /* SQN is concealed with AK: recover it, then the MAC over SQN || AMF */
        for (int i = 0; i < 6; i++)
            sqn[i] = autn[i] ^ ak[i];
        xor_test(a, rand, sqn, autn + 6, mac, out->ck, out->ik, ak, xdout);
        if (!sm_ct_equal(mac, autn + 8, 8)) {
            *st = SIM_AUTH_MAC_FAILURE;
        } else {
            /* the test USIM does not check SQN freshness (sqn* ignored, SAIP AKA note) */
            out->res_len = test_res_len(a);
            memcpy(out->res, xdout, out->res_len);
            *st = SIM_AUTH_OK;
        }
    } else if (a->algo == 1) {
        rc = sim_milenage(a, rand, sqn0, amf0, NULL, NULL, NULL, NULL, NULL, ak, NULL);
        for (int i = 0; i < 6; i++)
            sqn[i] = autn[i] ^ ak[i];
        if (!rc)
            rc = sim_milenage(a, rand, sqn, autn + 6, mac, NULL, out->res, out->ck, out->ik, NULL,
                              NULL);
        if (rc) {
            *st = SIM_AUTH_MAC_FAILURE;
        } else if (!sm_ct_equal(mac, autn + 8, 8)) {
            *st = SIM_AUTH_MAC_FAILURE;
            memset(out, 0, sizeof(*out));
        } else if (!sqn_fresh(a, sqn, sqn_ms)) {
            /* AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S over SQN_MS with AMF 0000 */
            rc = sim_milenage(a, rand, sqn_ms, amf0, NULL, mac_s, NULL, NULL, NULL, NULL, ak_star);
            memset(out, 0, sizeof(*out));
            for (int i = 0; i < 6; i++)
                out->auts[i] = sqn_ms[i] ^ ak_star[i];
            memcpy(out->auts + 6, mac_s, 8);
            *st = SIM_AUTH_SYNC_FAILURE;
        } else {
            out->res_len = 8;
            *st = SIM_AUTH_OK;
        }
    } else {
        rc = -EINVAL;
    }
    if (!rc && *st == SIM_AUTH_OK)
        sm_gsm_c3(out->ck, out->ik, out->kc); /* Kc for GSM access (TS 33.102 6.8.1.2) */
    sm_wipe(ak, sizeof(ak));
    sm_wipe(ak_star, sizeof(ak_star));
    sm_wipe(mac_s, sizeof(mac_s));
    sm_wipe(xdout, sizeof(xdout));
    return rc;
}

int sim_aka_gsm(const struct sim_aka *a, const uint8_t rand[16], uint8_t sres[4], uint8_t kc[8])
{
    static const uint8_t zero[6];
    uint8_t res[16], ck[16], ik[16], ak[6], mac[8], xdout[16];
    int rc = 0;

    if (a->algo == 3) {
        xor_test(a, rand, zero, zero, mac, ck, ik, ak, xdout);
        memcpy(res, xdout, 16);
    } else if (a->algo == 1) {
        rc = sim_milenage(a, rand, zero, zero, NULL, NULL, res, ck, ik, NULL, NULL);
    } else {
        return -EINVAL;
    }
    if (!rc) {
        /* c2: SRES = RES[0..3] xor RES[4..7] (64-bit RES); c3 from CK and IK */
        sm_gsm_c2(res, sres);
        sm_gsm_c3(ck, ik, kc);
    }
    sm_wipe(ck, sizeof(ck));
    sm_wipe(ik, sizeof(ik));
    sm_wipe(xdout, sizeof(xdout));
    return rc;
}

int sim_usim_authenticate_apdu(struct sim_aka *a, const struct sm_capdu *c, struct sm_buf *rsp,
                               uint16_t *sw)
{
    struct sim_auth_out o;
    enum sim_auth_status st;
    int rc;

    /* P2 81: specific (ADF) reference data, 3G context (TS 31.102 7.1.2.1) */
    if (c->p1 != 0x00 || c->p2 != 0x81) {
        *sw = 0x6A86;
        return 0;
    }
    if (c->lc != 34 || c->data[0] != 16 || c->data[17] != 16) {
        *sw = 0x6700;
        return 0;
    }
    rc = sim_aka_authenticate(a, c->data + 1, c->data + 18, &o, &st);
    if (rc) {
        *sw = 0x6F00;
        return 0;
    }
    if (st == SIM_AUTH_MAC_FAILURE) {
        *sw = 0x9862; /* authentication error, incorrect MAC */
        return 0;
    }
    if (st == SIM_AUTH_SYNC_FAILURE) {
        rc = sm_buf_append_byte(rsp, 0xDC);
        if (!rc)
            rc = sm_buf_append_byte(rsp, 14);
        if (!rc)
            rc = sm_buf_append(rsp, o.auts, 14);
    } else {
        rc = sm_buf_append_byte(rsp, 0xDB);
        if (!rc)
            rc = sm_buf_append_byte(rsp, (uint8_t)o.res_len);
        if (!rc)
            rc = sm_buf_append(rsp, o.res, o.res_len);
        if (!rc)
            rc = sm_buf_append_byte(rsp, 16);
        if (!rc)
            rc = sm_buf_append(rsp, o.ck, 16);
        if (!rc)
            rc = sm_buf_append_byte(rsp, 16);
        if (!rc)
            rc = sm_buf_append(rsp, o.ik, 16);
        if (!rc)
            rc = sm_buf_append_byte(rsp, 8);
        if (!rc)
            rc = sm_buf_append(rsp, o.kc, 8);
    }
    sm_wipe(&o, sizeof(o));
    *sw = 0x9000;
    return rc;
}
