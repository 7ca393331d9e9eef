/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ISD-P: ES8 after key establishment (es5 spec 4, es8 spec 1.5).
 *  - SCP03t (profile download): 84 INITIALIZE UPDATE, 85 EXTERNAL AUTHENTICATE, 86 segments of
 *    the enciphered package, answered 84 20 .. / 85 00 / 86 00 as the test eUICC did; an
 *    installation that fails answers 86 L <EUICCResponse enciphered> <R-MAC> (open question 3).
 *  - SCP03 in APDU form: INITIALIZE UPDATE / EXTERNAL AUTHENTICATE, then wrapped STORE DATA 3A07
 *    (UpdateConnectivityParameters) and PUT KEY of the master-delete token key (KVN 70).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "install.h"
#include "isdr_internal.h"
#include "sm/cipher.h"
#include "sm/scp03.h"
#include "sm/tlv.h"

/* A fresh session (a new INITIALIZE UPDATE ends the old one). */
static struct sm_scp03_session *new_session(struct sim_isdp *p)
{
    if (!p->s03)
        p->s03 = calloc(1, sizeof(*p->s03));
    else
        sm_scp03_clear(p->s03);
    p->s03_open = false;
    p->s03_tlv = false;
    return p->s03;
}

static void next_seq(const struct sim_isdp *p, uint8_t seq[3])
{
    uint32_t v = p->seq + 1;

    seq[0] = (uint8_t)(v >> 16);
    seq[1] = (uint8_t)(v >> 8);
    seq[2] = (uint8_t)v;
}

/* The installed package becomes the profile: file system, AKA, ICCID, POL1; state DISABLED. */
static int commit(struct sim_card *c, struct sim_isdp *p)
{
    struct sim_install *in = p->inst;

    memcpy(p->iccid, in->iccid, sizeof(p->iccid));
    p->pol1 = in->pol1;
    if (sim_isdp_set_aka(p, in->aka, in->naka))
        return -ENOMEM;
    sim_fs_free(p->fs);
    p->fs = in->fs;
    in->fs = NULL;
    p->installed = true;
    p->lcs = SIM_LCS_DISABLED;
    sim_install_free(in);
    p->inst = NULL;
    c->dirty = true;
    return 0;
}

static int segment(struct sim_ctx *x, struct sim_isdp *p, const uint8_t *tlv, size_t len,
                   struct sm_buf *rsp)
{
    struct sm_buf plain = {.secure = true}, answer = SM_BUF_INIT, eresp = SM_BUF_INIT;
    size_t mark = rsp->len;
    int rc;

    /* a profile goes into a personalised, empty ISD-P once */
    if (p->installed || p->lcs != SIM_LCS_PERSONALIZED) {
        sm_buf_free(&plain);
        return sm_tlv_put_u8(rsp, 0x9F46, SM_SCP03T_ERR_STRUCTURE);
    }
    if (!p->s03 || !p->s03_open) {
        sm_buf_free(&plain);
        return sm_tlv_put_u8(rsp, 0x9F46, SM_SCP03T_ERR_SECURITY);
    }
    rc = sm_scp03t_card_86(p->s03, tlv, len, &plain, rsp);
    if (rc) {
        sm_buf_clear_free(&plain);
        return rc == -ENOMEM ? rc : 0; /* the error answer is in rsp */
    }
    if (!p->inst) {
        p->inst = sim_install_new(p->quota);
        sm_buf_reset(&p->package);
        if (!p->inst) {
            sm_buf_clear_free(&plain);
            return -ENOMEM;
        }
    }
    rc = sm_buf_append(&p->package, plain.data, plain.len);
    if (!rc && sim_install_feed(p->inst, plain.data, plain.len) == -EINVAL) {
        /* the installation failed: the answer carries the EUICCResponse instead of 86 00 */
        rsp->len = mark;
        rc = sim_install_response(p->inst, &eresp);
        if (!rc)
            rc = sm_scp03t_card_answer(p->s03, 0x86, eresp.data, eresp.len, rsp);
        sim_install_free(p->inst);
        p->inst = NULL;
        sm_buf_reset(&p->package);
    } else if (!rc && p->inst->done) {
        rc = commit(x->card, p);
    }
    sm_buf_clear_free(&plain);
    sm_buf_free(&answer);
    sm_buf_free(&eresp);
    return rc;
}

int sim_isdp_scp03t(struct sim_ctx *x, struct sim_isdp *p, uint32_t tag, const uint8_t *value,
                    size_t len, struct sm_buf *rsp)
{
    struct sm_buf tlv = {.secure = true};
    int rc = sm_tlv_put(&tlv, tag, value, len);

    if (rc)
        return rc;
    if (tag == 0x84) {
        struct sm_scp03_keys k = {p->kenc, p->kmac, p->kdek, 16};
        uint8_t seq[3];

        next_seq(p, seq);
        if (!new_session(p)) {
            sm_buf_clear_free(&tlv);
            return -ENOMEM;
        }
        rc = sm_scp03t_card_84(p->s03, p->has_keys ? &k : NULL, p->kvn, seq, p->aid, SIM_AID_LEN,
                               tlv.data, tlv.len, rsp);
        if (!rc) {
            p->seq++; /* the counter moves with every session opened (es5 spec 4.1) */
            p->s03_open = true;
            p->s03_tlv = true;
            x->card->dirty = true;
        }
    } else if (tag == 0x85) {
        if (!p->s03_open)
            rc = sm_tlv_put_u8(rsp, 0x9F45, SM_SCP03T_ERR_SECURITY);
        else
            rc = sm_scp03t_card_85(p->s03, tlv.data, tlv.len, rsp);
    } else if (tag == 0x86) {
        rc = segment(x, p, tlv.data, tlv.len, rsp);
    } else {
        rc = sm_tlv_put_u8(rsp, 0x9F46, SM_SCP03T_ERR_STRUCTURE);
    }
    sm_buf_clear_free(&tlv);
    /* the error answers are complete answers, not failures of this function */
    return rc == -ENOMEM ? rc : (rc < 0 && rc != -ENOMEM ? 0 : rc);
}

/* PUT KEY of the token key: 80 D8 00|KVN 01 | 70 | 88 L {10 <key under DEK>} | 03 KCV. */
static void put_key(struct sim_isdp *p, const struct sm_capdu *c, uint16_t *sw)
{
    uint8_t key[16], kcv[3];
    const uint8_t *d = c->data;

    if (c->lc != 1 + 2 + 1 + 16 + 1 + 3 || d[0] != 0x70 || d[1] != 0x88 || d[2] != 17 ||
        d[3] != 16 || d[20] != 3) {
        *sw = SW_WRONG_DATA;
        return;
    }
    /* the key is enciphered under the ISD-P's DEK, AES-CBC with a zero ICV (GP Amd D 7.2) */
    if (sm_aes_cbc(false, p->kdek, 16, (const uint8_t[16]){0}, d + 4, 16, key) ||
        sm_kcv_aes(key, 16, kcv)) {
        *sw = SW_MEMORY_FAILURE;
        return;
    }
    if (!sm_ct_equal(kcv, d + 21, 3)) {
        sm_wipe(key, sizeof(key));
        *sw = 0x9485; /* invalid KCV */
        return;
    }
    memcpy(p->token_key, key, 16);
    p->has_token_key = true;
    sm_wipe(key, sizeof(key));
    *sw = SW_OK;
}

/* A command of the SCP03 session, after unwrapping. */
static int isdp_command(struct sim_ctx *x, struct sim_isdp *p, const struct sm_capdu *c,
                        uint16_t *sw)
{
    struct sm_decode_err de;
    struct sm_dgi d;
    size_t pos = 0;

    *sw = SW_OK;
    if (c->ins == 0xD8) {
        put_key(p, c, sw);
        x->card->dirty |= *sw == SW_OK;
        return 0;
    }
    if (c->ins != 0xE2 || (c->p1 & 0x18) != 0x08) {
        *sw = c->ins == 0xE2 ? SW_INCORRECT_P1P2 : SW_INS_NOT_SUPPORTED;
        return 0;
    }
    /* UpdateConnectivityParameters: 3A07 {A0 {SMS parameters} [A1 CAT_TP] [A2 HTTPS]} */
    if (sm_dgi_next(c->data, c->lc, &pos, true, &d, &de) || d.tag != 0x3A07 || pos != c->lc ||
        sm_tlv_check_list(d.value, d.len, &de) || d.len > sizeof(p->conn)) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    memcpy(p->conn, d.value, d.len);
    p->conn_len = d.len;
    x->card->dirty = true;
    return 0;
}

int sim_isdp_apdu(struct sim_ctx *x, struct sim_isdp *p, const struct sm_capdu *c,
                  struct sm_buf *rsp, uint16_t *sw)
{
    struct sm_buf raw = {.secure = true}, plain = {.secure = true}, out = SM_BUF_INIT;
    struct sm_decode_err de;
    struct sm_capdu pc;
    int rc = 0;

    *sw = SW_OK;
    if (c->cla == 0x80 && c->ins == 0x50) { /* INITIALIZE UPDATE */
        struct sm_scp03_keys k = {p->kenc, p->kmac, p->kdek, 16};
        static const uint8_t zero_div[10];
        uint8_t seq[3];

        if (!p->has_keys || (c->p1 && c->p1 != p->kvn)) {
            *sw = SW_REF_DATA_NOT_FOUND;
            return 0;
        }
        if (c->lc != 8) {
            *sw = SW_WRONG_LENGTH;
            return 0;
        }
        next_seq(p, seq);
        if (!new_session(p))
            return -ENOMEM;
        rc = sm_scp03_card_init(p->s03, &k, p->kvn, 0x70, seq, p->aid, SIM_AID_LEN, zero_div,
                                c->data, rsp);
        if (!rc) {
            p->seq++;
            p->s03_open = true;
            x->card->dirty = true;
        }
        return rc;
    }
    if (!p->s03 || !p->s03_open) {
        *sw = SW_SECURITY_STATUS;
        return 0;
    }
    rc = sm_capdu_encode(c, &raw);
    if (rc)
        goto out;
    if (c->cla == 0x84 && c->ins == 0x82) { /* EXTERNAL AUTHENTICATE */
        if (sm_scp03_card_external_authenticate(p->s03, raw.data, raw.len, &de)) {
            p->s03_open = false;
            *sw = SW_SECURITY_STATUS;
        }
        goto out;
    }
    if (!p->s03->authenticated || !(c->cla & 0x04)) {
        *sw = SW_SECURITY_STATUS;
        goto out;
    }
    if (sm_scp03_card_unwrap(p->s03, raw.data, raw.len, &plain, &de) ||
        sm_capdu_decode(plain.data, plain.len, &pc, &de)) {
        /* any MAC failure ends the session (Amd D 6.2.1) */
        p->s03_open = false;
        *sw = SW_SECURITY_STATUS;
        goto out;
    }
    rc = isdp_command(x, p, &pc, sw);
    if (!rc)
        rc = sm_scp03_card_wrap_response(p->s03, NULL, 0, *sw, &out);
    /* out = [data] [R-MAC] SW: the SW travels separately here */
    if (!rc && out.len >= 2)
        rc = sm_buf_append(rsp, out.data, out.len - 2);
out:
    sm_buf_clear_free(&raw);
    sm_buf_clear_free(&plain);
    sm_buf_free(&out);
    return rc;
}
