/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ISD-R command dispatcher (GlobalPlatform CLA 80; es5 spec 1.1): INSTALL, STORE DATA with its
 * DGIs, DELETE, GET DATA, GET STATUS. STORE DATA blocks (P2 = block number, P1 b8 = last) are
 * joined, and every DGI complete so far is executed, so that a DGI may span blocks while the
 * key-establishment certificate (block 0, P1 09) is answered at once.
 */
#include <errno.h>
#include <string.h>

#include "isdr_internal.h"
#include "sm/tlv.h"

struct sim_isdp *isdr_target(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    struct sim_isdp *p;

    if (sm_tlv_find(v, len, 0x4F, &t, &de) || t.offset != 0 || t.len < 5 || t.len > 16) {
        *sw = SW_WRONG_DATA;
        return NULL;
    }
    p = sim_card_isdp(x->card, t.value, t.len);
    if (!p || memcmp(p->aid, sim_aid_isdr, SIM_AID_LEN) == 0)
        *sw = SW_REF_DATA_NOT_FOUND;
    return p;
}

void isdr_switch(struct sim_ctx *x, struct sim_isdp *from, struct sim_isdp *to, uint8_t type,
                 bool can_roll_back)
{
    struct sim_notif *n;

    if (from)
        from->lcs = SIM_LCS_DISABLED;
    to->lcs = SIM_LCS_ENABLED;
    /* REFRESH, attach with the new profile (known by its number), then tell the SM-SR (SGP.02
     * 7.3 steps 3-4) */
    sim_card_follow_number(x->card);
    n = sim_card_notify(x->card, type, to->aid, x->now_ms);
    if (n && from && can_roll_back) {
        memcpy(n->rollback_aid, from->aid, SIM_AID_LEN);
        n->can_roll_back = true;
    }
    x->card->dirty = true;
}

static int store_dgis(struct sim_ctx *x, bool last, struct sm_buf *rsp, uint16_t *sw)
{
    struct sim_card *c = x->card;
    size_t pos = 0;
    int rc = 0;

    *sw = SW_OK;
    while (pos < c->store.len && *sw == SW_OK) {
        struct sm_decode_err de;
        struct sm_dgi d;
        size_t start = pos;

        rc = sm_dgi_next(c->store.data, c->store.len, &pos, true, &d, &de);
        if (rc == -ENODATA)
            break;
        if (rc) {
            /* an incomplete DGI waits for the next block; on the last block it is an error */
            if (!last) {
                pos = start;
                rc = 0;
                break;
            }
            *sw = SW_WRONG_DATA;
            rc = 0;
            break;
        }
        switch (d.tag) {
        case 0x3A01:
            rc = isdr_keyest_certificate(x, d.value, d.len, rsp, sw);
            break;
        case 0x3A02:
            /* 3A02 {A6} is followed by 7F49 and 5F37 outside the DGI (es8 spec 1.1): the rest
             * of the data field belongs to it */
            if (!last) {
                pos = start;
                goto keep;
            }
            if (isdr_scp81_block(c->store.data + start, c->store.len - start, x->card->curve))
                rc = isdr_create_scp81_key_set(x, c->store.data + start, c->store.len - start, rsp,
                                               sw);
            else
                rc = isdr_keyest_ephemeral(x, c->store.data + start, c->store.len - start, rsp, sw);
            pos = c->store.len;
            break;
        case 0x3A03:
            rc = isdr_enable_profile(x, d.value, d.len, sw);
            break;
        case 0x3A04:
            rc = isdr_disable_profile(x, d.value, d.len, sw);
            break;
        case 0x3A05:
            rc = isdr_set_fallback(x, d.value, d.len, sw);
            break;
        case 0x3A07:
            rc = isdr_update_smsr_address(x, d.value, d.len, sw);
            break;
        case 0x3A08:
            rc = isdr_notification_confirm(x, d.value, d.len, rsp, sw);
            break;
        default:
            *sw = SW_REF_DATA_NOT_FOUND;
            break;
        }
        if (rc)
            return rc;
    }
keep:
    if (*sw != SW_OK || last) {
        sm_buf_reset(&c->store);
        c->store_active = false;
        return rc;
    }
    /* keep what belongs to a later block */
    memmove(c->store.data, c->store.data + pos, c->store.len - pos);
    c->store.len -= pos;
    return rc;
}

static int store_data(struct sim_ctx *x, const struct sm_capdu *a, struct sm_buf *rsp, uint16_t *sw)
{
    struct sim_card *c = x->card;
    bool last = (a->p1 & 0x80) != 0;

    /* b5b4 = 01: DGI format; other formats are not used by SGP.02 (es5 spec 1.1) */
    if ((a->p1 & 0x18) != 0x08) {
        *sw = SW_INCORRECT_P1P2;
        return 0;
    }
    if (a->p2 == 0) {
        sm_buf_reset(&c->store);
        c->store_active = true;
        c->store_next_p2 = 0;
    } else if (!c->store_active || a->p2 != c->store_next_p2) {
        /* a block out of sequence: the earlier ones are lost */
        sm_buf_reset(&c->store);
        c->store_active = false;
        *sw = SW_INCORRECT_P1P2;
        return 0;
    }
    if (sm_buf_append(&c->store, a->data, a->lc)) {
        sm_buf_reset(&c->store);
        c->store_active = false;
        *sw = SW_WRONG_LENGTH;
        return 0;
    }
    c->store_next_p2 = (uint8_t)(a->p2 + 1);
    return store_dgis(x, last, rsp, sw);
}

int sim_isdr_apdu(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw)
{
    *sw = SW_OK;
    if ((c->cla & 0xFC) != 0x80) {
        *sw = SW_CLA_NOT_SUPPORTED;
        return 0;
    }
    switch (c->ins) {
    case 0xE6: /* INSTALL */
        if (c->p1 == 0x0C)
            return isdr_create_isdp(x, c, rsp, sw);
        if (c->p1 == 0x20)
            return isdr_install_personalization(x, c, rsp, sw);
        *sw = SW_INCORRECT_P1P2;
        return 0;
    case 0xE2:
        return store_data(x, c, rsp, sw);
    case 0xE4: /* DELETE: P2 40 = object and related (ISD-P), P2 00 = key sets */
        if (c->p1 != 0x00) {
            *sw = SW_INCORRECT_P1P2;
            return 0;
        }
        if (c->p2 == 0x40) {
            struct sm_decode_err de;
            struct sm_tlv t;

            if (!sm_tlv_find(c->data, c->lc, 0xB6, &t, &de))
                return isdr_master_delete(x, c, sw);
            return isdr_delete_profile(x, c, sw);
        }
        if (c->p2 == 0x00)
            return isdr_finalise_handover(x, c, rsp, sw);
        *sw = SW_INCORRECT_P1P2;
        return 0;
    case 0xCA:
        return isdr_get_data(x, c, rsp, sw);
    case 0xF2:
        return isdr_get_status(x, c, rsp, sw);
    default:
        *sw = SW_INS_NOT_SUPPORTED;
        return 0;
    }
}

int sim_card_fallback_activate(struct sim_ctx *x)
{
    struct sim_isdp *cur = sim_card_enabled(x->card), *fb = sim_card_fallback(x->card);

    if (!fb || fb == cur || fb->lcs != SIM_LCS_DISABLED)
        return -ENOENT;
    /* POL1 of the profile left is ignored on fall-back (SGP.02 6, 7.7) */
    isdr_switch(x, cur, fb, SIM_NOTIF_FALLBACK, false);
    return 0;
}

int sim_card_tick(struct sim_ctx *x, unsigned max_tries, int64_t retry_ms,
                  int (*send)(void *arg, const struct sim_notif *n), void *arg)
{
    struct sim_card *c = x->card;

    for (unsigned i = 0; i < c->nnotif; i++) {
        struct sim_notif *n = &c->notif[i];
        int rc;

        if (n->next_ms > x->now_ms)
            continue;
        if (n->tries >= max_tries) {
            struct sim_isdp *to = sim_card_isdp(c, n->aid, SIM_AID_LEN);
            struct sim_isdp *back =
                n->can_roll_back ? sim_card_isdp(c, n->rollback_aid, SIM_AID_LEN) : NULL;

            /* never confirmed: undo the change and say so (SGP.02 7.3, type 03) */
            memmove(n, n + 1, (c->nnotif - i - 1) * sizeof(*n));
            c->nnotif--;
            i--;
            c->dirty = true;
            if (to && back && to->lcs == SIM_LCS_ENABLED && back->lcs == SIM_LCS_DISABLED)
                isdr_switch(x, to, back, SIM_NOTIF_CHANGE_FAILED, false);
            continue;
        }
        rc = send ? send(arg, n) : 0;
        n->tries++;
        n->next_ms = x->now_ms + retry_ms;
        c->dirty = true;
        if (rc < 0)
            return rc;
    }
    return 0;
}
