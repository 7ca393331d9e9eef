/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 EnableProfile: STORE DATA 3A03 {4F AID} (es5 spec 1.2, SGP.02 7.3). The SW only reports
 * acceptance: 6A88 unknown AID, 6985 not disabled, 69E1 POL1 of the enabled profile forbids
 * disabling it. The card then switches, attaches and notifies (type 02). */
#include <errno.h>

#include "isdr_internal.h"

int isdr_enable_profile(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw)
{
    struct sim_isdp *p = isdr_target(x, v, len, sw), *cur;

    if (!p)
        return 0;
    if (p->lcs != SIM_LCS_DISABLED) {
        *sw = SW_CONDITIONS;
        return 0;
    }
    cur = sim_card_enabled(x->card);
    if (cur && (cur->pol1 & x->pol->pol1_disable_not_allowed)) {
        *sw = SW_POL1;
        return 0;
    }
    isdr_switch(x, cur, p, SIM_NOTIF_CHANGE_OK, true);
    return 0;
}
