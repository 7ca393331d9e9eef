/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES5 audit (SGP.02 7.9; es5 spec 1.2):
 *   GET DATA 80 CA FF 21 -> FF21 {81 #applications, 82 free non-volatile, 83 free volatile}
 *   GET STATUS 80 F2 40 02 {4F <AID or 4F 00 for all>, 5C <tag list>}
 *     -> E3 {4F AID, 9F70 LCS, [53 fall-back bit], [8F quota]} per ISD-P
 */
#include <string.h>

#include <errno.h>

#include "isdr_internal.h"
#include "sm/tlv.h"

static int put_be(struct sm_buf *b, uint32_t tag, uint32_t v, size_t n)
{
    uint8_t tmp[4];

    for (size_t i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return sm_tlv_put(b, tag, tmp, n);
}

int isdr_get_data(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw)
{
    size_t mark = rsp->len;
    int rc;

    if (c->p1 != 0xFF || c->p2 != 0x21) {
        *sw = SW_REF_DATA_NOT_FOUND;
        return 0;
    }
    if (c->lc) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    rc = sm_tlv_put_u8(rsp, 0x81, (uint8_t)x->card->nisdp);
    if (!rc)
        rc = put_be(rsp, 0x82, sim_card_mem_free(x->card), 4);
    if (!rc)
        rc = put_be(rsp, 0x83, x->pol->volatile_free, 2);
    if (!rc)
        rc = sm_tlv_wrap(rsp, mark, 0xFF21);
    return rc;
}

static int status_of(const struct sim_isdp *p, const uint8_t *tags, size_t ntags,
                     struct sm_buf *rsp)
{
    size_t mark = rsp->len, pos = 0;
    int rc = 0;

    while (!rc && pos < ntags) {
        uint32_t tag = tags[pos++];

        /* two-byte tags: first byte with the low five bits set (9F70) */
        if ((tag & 0x1F) == 0x1F && pos < ntags)
            tag = tag << 8 | tags[pos++];
        switch (tag) {
        case 0x4F:
            rc = sm_tlv_put(rsp, 0x4F, p->aid, SIM_AID_LEN);
            break;
        case 0x9F70:
            rc = sm_tlv_put_u8(rsp, 0x9F70, p->lcs);
            break;
        case 0x53:
            rc = sm_tlv_put_u8(rsp, 0x53, p->fallback ? 0x01 : 0x00);
            break;
        case 0x8F:
            rc = put_be(rsp, 0x8F, p->quota, 4);
            break;
        default:
            break; /* a tag this card has no value for is left out */
        }
    }
    return rc ? rc : sm_tlv_wrap(rsp, mark, 0xE3);
}

int isdr_get_status(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw)
{
    static const uint8_t default_tags[] = {0x4F, 0x9F, 0x70};
    struct sm_decode_err de;
    struct sm_tlv aid, list;
    const uint8_t *tags = default_tags;
    size_t ntags = sizeof(default_tags);
    unsigned hits = 0;
    int rc = 0;

    /* P1 40: applications and security domains; P2 02: TLV format, first or only occurrence */
    if (c->p1 != 0x40 || c->p2 != 0x02) {
        *sw = SW_INCORRECT_P1P2;
        return 0;
    }
    if (sm_tlv_find(c->data, c->lc, 0x4F, &aid, &de) || sm_tlv_check_list(c->data, c->lc, &de)) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    if (!sm_tlv_find(c->data, c->lc, 0x5C, &list, &de)) {
        tags = list.value;
        ntags = list.len;
    }
    for (unsigned i = 0; i < x->card->nisdp && !rc; i++) {
        const struct sim_isdp *p = &x->card->isdp[i];

        /* 4F 00 selects all; otherwise the AID (or its leading part) must match */
        if (aid.len && (aid.len > SIM_AID_LEN || memcmp(p->aid, aid.value, aid.len)))
            continue;
        rc = status_of(p, tags, ntags, rsp);
        hits++;
    }
    if (!rc && !hits)
        *sw = SW_REF_DATA_NOT_FOUND;
    return rc;
}
