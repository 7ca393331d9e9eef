/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 UpdateSMSRAddressingParameters: STORE DATA 3A07 {A3 {81 <SM-SR SMS address>} ...} to the
 * ISD-R (es5 spec 1.2). The inner coding is unconfirmed (open question 7): kept as received. */
#include <string.h>

#include <errno.h>

#include "isdr_internal.h"
#include "sm/tlv.h"

int isdr_update_smsr_address(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw)
{
    struct sm_decode_err de;
    struct sm_tlv t;

    if (sm_tlv_parse_one(v, len, &t, &de) || t.tag != 0xA3 ||
        sm_tlv_check_list(t.value, t.len, &de) || t.len > sizeof(x->card->smsr_addr)) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    memcpy(x->card->smsr_addr, t.value, t.len);
    x->card->smsr_addr_len = t.len;
    x->card->dirty = true;
    return 0;
}
