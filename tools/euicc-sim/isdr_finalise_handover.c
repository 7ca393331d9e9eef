/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 FinaliseISDRhandover (SGP.02 7.8 step 6; es5 spec 1.2): DELETE 80 E4 00 00 with one
 * F2 03 <KVN> <first KID> <last KID> per old key set; the new SM-SR removes its predecessor's
 * SCP80 (01-0F) and SCP81 (40-4F) sets. The card keeps at least one SCP80 set (6985). */
#include <string.h>

#include <errno.h>

#include "isdr_internal.h"
#include "sm/tlv.h"

int isdr_finalise_handover(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp,
                           uint16_t *sw)
{
    struct sim_card *card = x->card;
    struct sm_decode_err de;
    struct sm_tlv t;
    uint8_t drop[16];
    size_t pos = 0, ndrop = 0;
    unsigned left = card->nks80;
    int rc;

    /* check everything first: the command deletes all of it or nothing */
    while ((rc = sm_tlv_next(c->data, c->lc, &pos, &t, &de)) == 0) {
        uint8_t kvn;

        if (t.tag != 0xF2 || t.len != 3 || ndrop == sizeof(drop) || t.value[1] > t.value[2]) {
            *sw = SW_WRONG_DATA;
            return 0;
        }
        kvn = t.value[0];
        if (kvn >= 0x01 && kvn <= 0x0F) {
            if (!sim_card_ks80(card, kvn)) {
                *sw = SW_REF_DATA_NOT_FOUND;
                return 0;
            }
            left--;
        } else if (kvn >= 0x40 && kvn <= 0x4F) {
            bool found = false;

            for (unsigned i = 0; i < card->npsk; i++)
                found |= card->psk[i].kvn == kvn;
            if (!found) {
                *sw = SW_REF_DATA_NOT_FOUND;
                return 0;
            }
        } else {
            *sw = SW_WRONG_DATA;
            return 0;
        }
        drop[ndrop++] = kvn;
    }
    if (rc != -ENODATA || !ndrop) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    if (left == 0) {
        *sw = SW_CONDITIONS; /* the card would be unreachable */
        return 0;
    }
    for (size_t d = 0; d < ndrop; d++) {
        for (unsigned i = 0; i < card->nks80; i++) {
            if (card->ks80[i].kvn != drop[d])
                continue;
            sm_wipe(&card->ks80[i], sizeof(card->ks80[i]));
            card->ks80[i] = card->ks80[--card->nks80];
            break;
        }
        for (unsigned i = 0; i < card->npsk; i++) {
            if (card->psk[i].kvn != drop[d])
                continue;
            sm_wipe(&card->psk[i], sizeof(card->psk[i]));
            card->psk[i] = card->psk[--card->npsk];
            break;
        }
    }
    card->dirty = true;
    return sm_buf_append_byte(rsp, 0x00);
}
