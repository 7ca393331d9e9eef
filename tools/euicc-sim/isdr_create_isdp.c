/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES5 CreateISDP: INSTALL [for install and make selectable] (es5 spec 1.2)
 *   80 E6 0C 00 Lc | 10 <ISD-P load file AID> 10 <module AID> 10 <new ISD-P AID>
 *                  | L <privileges> | L <install parameters C9 {81 02 03 70} [EF {83 quota}]>
 *                  | L <token> [Le]
 * and INSTALL [for personalization] (ES8 key establishment, es8 spec 1.1)
 *   80 E6 20 00 Lc | 00 00 10 <ISD-P AID> 00 00 00
 * Both answer 00 + 9000 (the test eUICC's answer).
 */
#include <string.h>

#include <errno.h>

#include "isdr_internal.h"
#include "sm/tlv.h"

/* Next length-value field of an INSTALL data field. */
static const uint8_t *lv(const uint8_t *d, size_t len, size_t *pos, size_t *n)
{
    const uint8_t *v;

    if (*pos >= len || d[*pos] > len - *pos - 1)
        return NULL;
    *n = d[*pos];
    v = d + *pos + 1;
    *pos += 1 + *n;
    return v;
}

/* Memory quota from the system-specific parameters EF {83 <2-4 bytes>} (GP Amd C cumulative
 * granted non-volatile memory; es5 spec 1.2, open question 8). */
static bool quota_of(const uint8_t *params, size_t n, uint32_t *quota)
{
    struct sm_decode_err de;
    struct sm_tlv ef, q;

    if (sm_tlv_find(params, n, 0xEF, &ef, &de) || sm_tlv_find(ef.value, ef.len, 0x83, &q, &de))
        return false;
    if (q.len < 2 || q.len > 4)
        return false;
    *quota = 0;
    for (size_t i = 0; i < q.len; i++)
        *quota = *quota << 8 | q.value[i];
    return true;
}

int isdr_create_isdp(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw)
{
    struct sim_card *card = x->card;
    const uint8_t *elf, *mod, *aid, *priv, *params;
    size_t pos = 0, nelf, nmod, naid, npriv, nparams, ntok;
    uint32_t quota = x->pol->default_quota;
    struct sim_isdp *p;

    if (c->p2 != 0x00) {
        *sw = SW_INCORRECT_P1P2;
        return 0;
    }
    elf = lv(c->data, c->lc, &pos, &nelf);
    mod = elf ? lv(c->data, c->lc, &pos, &nmod) : NULL;
    aid = mod ? lv(c->data, c->lc, &pos, &naid) : NULL;
    priv = aid ? lv(c->data, c->lc, &pos, &npriv) : NULL;
    params = priv ? lv(c->data, c->lc, &pos, &nparams) : NULL;
    if (!params || !lv(c->data, c->lc, &pos, &ntok) || pos != c->lc || npriv < 1 || npriv > 3) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    /* only the ISD-P load file and module of this card can be instantiated */
    if (nelf != SIM_AID_LEN || nmod != SIM_AID_LEN || memcmp(elf, sim_aid_isdp_elf, nelf) ||
        memcmp(mod, sim_aid_isdp_module, nmod)) {
        *sw = SW_REF_DATA_NOT_FOUND;
        return 0;
    }
    if (naid != SIM_AID_LEN || !memcmp(aid, sim_aid_isdr, SIM_AID_LEN) ||
        !memcmp(aid, sim_aid_ecasd, SIM_AID_LEN) || sim_card_isdp(card, aid, naid)) {
        *sw = SW_WRONG_DATA; /* AID not valid here or already in use */
        return 0;
    }
    /* privileges: a security domain (b8 of byte 1, GP 11.1.2) */
    if (!(priv[0] & 0x80)) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    quota_of(params, nparams, &quota);
    if (card->nisdp == SIM_MAX_ISDP || quota > sim_card_mem_free(card)) {
        *sw = SW_NOT_ENOUGH_MEMORY;
        return 0;
    }
    p = &card->isdp[card->nisdp++];
    memset(p, 0, sizeof(*p));
    p->package.secure = true;
    memcpy(p->aid, aid, SIM_AID_LEN);
    p->lcs = SIM_LCS_SELECTABLE;
    p->quota = quota;
    card->dirty = true;
    return sm_buf_append_byte(rsp, 0x00);
}

int isdr_install_personalization(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp,
                                 uint16_t *sw)
{
    struct sim_isdp *p;

    /* 00 00 | 10 <AID> | 00 00 00 */
    if (c->p2 != 0x00 || c->lc < 5 || c->data[0] || c->data[1] || c->data[2] < 5 ||
        c->data[2] > 16 || c->lc != 3u + c->data[2] + 3u) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    p = sim_card_isdp(x->card, c->data + 3, c->data[2]);
    if (!p) {
        *sw = SW_REF_DATA_NOT_FOUND;
        return 0;
    }
    /* key establishment creates the first key set of a new ISD-P only */
    if (p->lcs != SIM_LCS_SELECTABLE) {
        *sw = SW_CONDITIONS;
        return 0;
    }
    memset(&x->card->ke, 0, sizeof(x->card->ke));
    memcpy(x->card->ke.isdp_aid, p->aid, SIM_AID_LEN);
    x->card->ke.have_target = true;
    return sm_buf_append_byte(rsp, 0x00);
}
