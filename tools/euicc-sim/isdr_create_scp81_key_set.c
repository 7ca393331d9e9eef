/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An SCP81 key set created by the SM-SR over its authenticated ES5 channel after an SM-SR change
 * (sgp02-architecture 7.8 step 6; es8 spec 1.6): STORE DATA 80 E2 89 00 with block 1 and no
 * certificate or signature, 3A02 {A6 CRT} 7F49 {ePK}. The CRT asks for one TLS-PSK key (usage 5C,
 * key type 85, 16 bytes, KID 01) under a KVN 40-4F; KeyData = receipt key || PSK.
 * The ISD-R only takes commands that came through one of its key sets (SCP80 or SCP81), so the
 * channel is the authentication; a CRT for any other key set still needs block 0's certificate.
 */
#include <errno.h>
#include <string.h>

#include "isdr_internal.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/tlv.h"

#define USAGE_ONE_KEY  0x5C
#define TYPE_TLS_PSK   0x85
#define SP_REPLACE     0x01 /* an existing KVN may be replaced (es8 spec 1.2) */
#define SP_CERTIFICATE 0x08 /* certificate verification precedes: not for this block */

bool isdr_scp81_block(const uint8_t *data, size_t len, enum sm_curve curve)
{
    struct sm_es8_block1 b1;

    return sm_es8_block1_parse(data, len, curve, &b1, NULL) == 0;
}

int isdr_create_scp81_key_set(struct sim_ctx *x, const uint8_t *data, size_t len,
                              struct sm_buf *rsp, uint16_t *sw)
{
    struct sim_card *c = x->card;
    struct sm_es8_block1 b1;
    struct sm_decode_err de;
    struct sm_es8_keys keys;
    struct sim_psk *k = NULL;
    uint8_t shs[SM_EC_FIELD_MAX], info[8], receipt[16];
    size_t shslen = sm_curve_field_size(c->curve), infolen = sizeof(info);
    int rc;

    if (sm_es8_block1_parse(data, len, c->curve, &b1, &de)) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    /* no DR, no HostID, no certificate; one 16-byte PSK as KID 01 under an SCP81 KVN */
    if ((b1.crt.scenario_param & ~SP_REPLACE) || b1.crt.key_usage != USAGE_ONE_KEY ||
        b1.crt.key_type != TYPE_TLS_PSK || b1.crt.key_length != 16 || b1.crt.first_kid != 0x01 ||
        b1.crt.kvn < 0x40 || b1.crt.kvn > 0x4F) {
        /* an unsigned block for any other key set is refused as a missing block 0 would be */
        *sw = b1.crt.scenario_param & SP_CERTIFICATE ? SW_CONDITIONS : SW_WRONG_DATA;
        return 0;
    }
    for (unsigned i = 0; i < c->npsk; i++)
        if (c->psk[i].kvn == b1.crt.kvn)
            k = &c->psk[i];
    if ((k && !(b1.crt.scenario_param & SP_REPLACE)) || (!k && c->npsk == SIM_MAX_PSK)) {
        *sw = k ? SW_CONDITIONS : SW_NOT_ENOUGH_MEMORY;
        return 0;
    }
    rc = sm_ecdh(c->curve, c->ecasd_sk, shslen, b1.epk, b1.epk_len, shs, shslen);
    if (!rc)
        rc = sm_es8_shared_info(&b1.crt, info, &infolen);
    /* 16 x (1 + 1) bytes of key data are the first 32 of the 64 derived: receipt key || PSK */
    if (!rc)
        rc = sm_es8_derive(shs, shslen, info, infolen, &keys);
    sm_wipe(shs, sizeof(shs));
    if (!rc)
        rc = sm_es8_receipt(keys.receipt_key, b1.crt_tlv, b1.crt_tlv_len, NULL, 0, receipt);
    if (rc) {
        sm_es8_keys_clear(&keys);
        *sw = rc == -EINVAL ? SW_WRONG_DATA : SW_MEMORY_FAILURE;
        return 0;
    }
    if (!k)
        k = &c->psk[c->npsk++];
    sm_wipe(k, sizeof(*k));
    k->kvn = b1.crt.kvn;
    memcpy(k->psk, keys.k_enc, 16);
    sm_es8_keys_clear(&keys);
    c->dirty = true;
    return sm_tlv_put(rsp, 0x86, receipt, sizeof(receipt));
}
