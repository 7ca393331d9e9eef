/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 NotificationConfirmation: STORE DATA 3A08 {4E 02 <sequence number>} (es5 spec 1.2, SGP.02
 * 7.10). The notification is settled; profiles whose POL1 says "delete when disabled" and that
 * are now disabled are deleted, and their AIDs returned: 80 L {4F L AID}*. */
#include <string.h>

#include <errno.h>

#include "isdr_internal.h"
#include "sm/tlv.h"

int isdr_notification_confirm(struct sim_ctx *x, const uint8_t *v, size_t len, struct sm_buf *rsp,
                              uint16_t *sw)
{
    struct sim_card *c = x->card;
    struct sm_decode_err de;
    struct sm_tlv t;
    uint16_t seq;
    size_t mark = rsp->len;
    bool found = false;
    int rc = 0;

    if (sm_tlv_parse_one(v, len, &t, &de) || t.tag != 0x4E || t.len != 2) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    seq = (uint16_t)(t.value[0] << 8 | t.value[1]);
    for (unsigned i = 0; i < c->nnotif; i++) {
        if (c->notif[i].seq != seq)
            continue;
        memmove(&c->notif[i], &c->notif[i + 1], (c->nnotif - i - 1) * sizeof(c->notif[0]));
        c->nnotif--;
        found = true;
        break;
    }
    if (!found) {
        *sw = SW_REF_DATA_NOT_FOUND;
        return 0;
    }
    c->dirty = true;
    for (unsigned i = 0; i < c->nisdp && !rc;) {
        struct sim_isdp *p = &c->isdp[i];

        /* "delete when disabled" does not apply to the fall-back profile (SGP.02 6) */
        if (p->lcs == SIM_LCS_DISABLED && !p->fallback &&
            (p->pol1 & x->pol->pol1_delete_when_disabled)) {
            rc = sm_tlv_put(rsp, 0x4F, p->aid, SIM_AID_LEN);
            sim_card_remove_isdp(c, p);
            continue; /* the array moved: look at index i again */
        }
        i++;
    }
    if (!rc && rsp->len > mark)
        rc = sm_tlv_wrap(rsp, mark, 0x80);
    return rc;
}
