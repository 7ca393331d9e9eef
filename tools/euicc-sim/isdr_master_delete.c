/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES5 MasterDelete (SGP.02 7.6; es5 spec 1.2):
 *   80 E4 00 40 Lc | 4F 10 <AID> | B6 L {42 SIN, 45 SDIN, 5F20 provider, 93 token id} | 9E L token
 * The token is the AES-CMAC of 00 40 <Lc'> 4F... B6... under the ISD-P's token key (KVN 70),
 * which an SM-DP loads during the download. It removes a profile whatever its POL1, except the
 * enabled or the fall-back one (6985).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isdr_internal.h"
#include "sm/cipher.h"
#include "sm/secret.h"
#include "sm/tlv.h"

int isdr_master_delete(struct sim_ctx *x, const struct sm_capdu *c, uint16_t *sw)
{
    struct sim_isdp *p = isdr_target(x, c->data, c->lc, sw);
    struct sm_decode_err de;
    struct sm_tlv crt, tok;
    uint8_t mac[16], *input;
    size_t signed_len;
    int rc;

    if (!p)
        return 0;
    if (sm_tlv_find(c->data, c->lc, 0xB6, &crt, &de) ||
        sm_tlv_find(c->data, c->lc, 0x9E, &tok, &de) || tok.offset != crt.offset + crt.size ||
        tok.offset + tok.size != c->lc || tok.len < 8 || tok.len > 16) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    if (p->lcs == SIM_LCS_ENABLED || p->fallback) {
        *sw = SW_CONDITIONS;
        return 0;
    }
    if (!p->has_token_key) {
        *sw = SW_SECURITY_STATUS; /* no token key was ever loaded into this ISD-P */
        return 0;
    }
    /* the token covers P1 P2, the length of 4F...B6 and those bytes */
    signed_len = tok.offset;
    input = malloc(signed_len + 3);
    if (!input)
        return -ENOMEM;
    input[0] = 0x00;
    input[1] = 0x40;
    input[2] = (uint8_t)signed_len;
    memcpy(input + 3, c->data, signed_len);
    rc = sm_aes_cmac(p->token_key, 16, input, signed_len + 3, mac);
    free(input);
    if (rc || signed_len > 255 || !sm_ct_equal(mac, tok.value, tok.len)) {
        *sw = SW_SECURITY_STATUS;
        return 0;
    }
    sim_card_remove_isdp(x->card, p);
    return 0;
}
