/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 SetFallBackAttribute: STORE DATA 3A05 {4F AID} (es5 spec 1.2; SGP.02 6): one holder at a
 * time, setting it on a profile clears it on the other; only an installed profile can hold it. */
#include <errno.h>

#include "isdr_internal.h"

int isdr_set_fallback(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw)
{
    struct sim_isdp *p = isdr_target(x, v, len, sw);

    if (!p)
        return 0;
    if (p->lcs != SIM_LCS_DISABLED && p->lcs != SIM_LCS_ENABLED) {
        *sw = SW_CONDITIONS;
        return 0;
    }
    for (unsigned i = 0; i < x->card->nisdp; i++)
        x->card->isdp[i].fallback = false;
    p->fallback = true;
    x->card->dirty = true;
    return 0;
}
