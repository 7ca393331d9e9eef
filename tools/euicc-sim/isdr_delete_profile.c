/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 DeleteProfile: DELETE 80 E4 00 40 {4F AID} (es5 spec 1.2, SGP.02 7.5): 6A88 unknown,
 * 6985 enabled or fall-back, 69E1 POL1 forbids deletion; answers 00 + 9000. */
#include <errno.h>

#include "isdr_internal.h"

int isdr_delete_profile(struct sim_ctx *x, const struct sm_capdu *c, uint16_t *sw)
{
    struct sim_isdp *p = isdr_target(x, c->data, c->lc, sw);

    if (!p)
        return 0;
    if (c->lc != 2 + SIM_AID_LEN) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    if (p->lcs == SIM_LCS_ENABLED || p->fallback) {
        *sw = SW_CONDITIONS;
        return 0;
    }
    if (p->pol1 & x->pol->pol1_delete_not_allowed) {
        *sw = SW_POL1;
        return 0;
    }
    sim_card_remove_isdp(x->card, p);
    return 0;
}
