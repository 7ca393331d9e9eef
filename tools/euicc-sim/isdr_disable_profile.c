/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 DisableProfile: STORE DATA 3A04 {4F AID} (es5 spec 1.2, SGP.02 7.4): the enabled profile
 * is disabled and the fall-back profile enabled in its place; 6985 when the target is not
 * enabled or no other fall-back profile exists, 69E1 when its POL1 forbids disabling. */
#include <errno.h>

#include "isdr_internal.h"

int isdr_disable_profile(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw)
{
    struct sim_isdp *p = isdr_target(x, v, len, sw), *fb;

    if (!p)
        return 0;
    fb = sim_card_fallback(x->card);
    if (p->lcs != SIM_LCS_ENABLED || !fb || fb == p || fb->lcs != SIM_LCS_DISABLED) {
        *sw = SW_CONDITIONS;
        return 0;
    }
    if (p->pol1 & x->pol->pol1_disable_not_allowed) {
        *sw = SW_POL1;
        return 0;
    }
    isdr_switch(x, p, fb, x->pol->disable_notif, true);
    return 0;
}
