/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key establishment, GP Amendment E scenario #3 (es8 spec 1): EstablishISDPKeySet (ES8, after
 * INSTALL [for personalization]) and EstablishISDRKeySet (ES5, SM-SR change).
 *   block 0: STORE DATA 3A01 <7F21 certificate>            -> 85 10 <random challenge>
 *   block 1: STORE DATA 3A02 {A6 CRT} 7F49 {ePK} 5F37 {sig} -> 86 10 <receipt>
 * The ECASD verifies the certificate with PK.CI and the signature with its key; ShS from
 * SK.ECASD.ECKA; the new key set is K-ENC/K-MAC/K-DEK (ISD-P SCP03) or KIc/KID/KIK (ISD-R SCP80).
 */
#include <errno.h>
#include <string.h>

#include "isdr_internal.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/gpcert.h"
#include "sm/tlv.h"

int isdr_keyest_certificate(struct sim_ctx *x, const uint8_t *v, size_t len, struct sm_buf *rsp,
                            uint16_t *sw)
{
    struct sim_keyest *ke = &x->card->ke;
    struct sm_decode_err de;
    struct sm_gpcert cert;
    bool for_isdr = !ke->have_target;
    int rc;

    if (sm_gpcert_decode(v, len, &cert, &de) || !cert.has_type) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    /* an SM-DP certificate for an ISD-P, an SM-SR certificate for the ISD-R */
    if (cert.type != (for_isdr ? SM_GPCERT_TYPE_SMSR : SM_GPCERT_TYPE_SMDP) ||
        cert.curve != x->card->curve) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    if (sm_gpcert_verify(&cert, x->card->curve, x->card->ci_pk, x->card->ci_pk_len)) {
        *sw = SW_SECURITY_STATUS;
        ke->active = false;
        return 0;
    }
    rc = sm_rng_bytes(x->rng, ke->rc, sizeof(ke->rc));
    if (rc) {
        *sw = SW_MEMORY_FAILURE;
        return 0;
    }
    memcpy(ke->peer_pk, cert.pub, cert.pub_len);
    ke->peer_pk_len = cert.pub_len;
    ke->for_isdr = for_isdr;
    ke->active = true;
    x->card->dirty = true;
    return sm_tlv_put(rsp, 0x85, ke->rc, sizeof(ke->rc));
}

int isdr_keyest_ephemeral(struct sim_ctx *x, const uint8_t *data, size_t len, struct sm_buf *rsp,
                          uint16_t *sw)
{
    struct sim_card *c = x->card;
    struct sim_keyest *ke = &c->ke;
    struct sm_es8_block1 b1;
    struct sm_decode_err de;
    struct sm_es8_keys keys;
    uint8_t shs[SM_EC_FIELD_MAX], info[8], receipt[16];
    size_t shslen, infolen = sizeof(info);
    uint64_t cntr = 0;
    int rc;

    if (!ke->active) {
        *sw = SW_CONDITIONS;
        return 0;
    }
    ke->active = false; /* one attempt per challenge */
    c->dirty = true;
    rc = sm_es8_block1_parse_verify(data, len, c->curve, ke->peer_pk, ke->peer_pk_len, ke->rc,
                                    sizeof(ke->rc), &b1, &de);
    if (rc == -EKEYREJECTED) {
        *sw = SW_SECURITY_STATUS;
        return 0;
    }
    /* scenario #3 with certificate verification; DR and HostID (bits 02/04) are not offered */
    if (rc || (b1.crt.scenario_param & 0x06) || b1.crt.key_usage != 0x10 ||
        b1.crt.key_type != 0x88 || b1.crt.key_length != 16 || b1.crt.first_kid != 0x01 ||
        b1.crt.seq_counter_len > 5) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    if (ke->for_isdr ? (b1.crt.kvn < 0x01 || b1.crt.kvn > 0x0F)
                     : (b1.crt.kvn < 0x30 || b1.crt.kvn > 0x3F)) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    shslen = sm_curve_field_size(c->curve);
    rc = sm_ecdh(c->curve, c->ecasd_sk, shslen, b1.epk, b1.epk_len, shs, shslen);
    if (!rc)
        rc = sm_es8_shared_info(&b1.crt, info, &infolen);
    if (!rc)
        rc = sm_es8_derive(shs, shslen, info, infolen, &keys);
    if (!rc)
        rc = sm_es8_receipt(keys.receipt_key, b1.crt_tlv, b1.crt_tlv_len, NULL, 0, receipt);
    sm_wipe(shs, sizeof(shs));
    if (rc) {
        sm_es8_keys_clear(&keys);
        *sw = rc == -EINVAL ? SW_WRONG_DATA : SW_MEMORY_FAILURE;
        return 0;
    }
    for (unsigned i = 0; i < b1.crt.seq_counter_len; i++)
        cntr = cntr << 8 | b1.crt.seq_counter[i];
    if (ke->for_isdr) {
        struct sim_ks80 *k = sim_card_ks80(c, b1.crt.kvn);

        /* a new set; an existing KVN is replaced only when scenario bit 01 asks for it */
        if ((k && !(b1.crt.scenario_param & 0x01)) || (!k && c->nks80 == SIM_MAX_KS80)) {
            sm_es8_keys_clear(&keys);
            *sw = k ? SW_CONDITIONS : SW_NOT_ENOUGH_MEMORY;
            return 0;
        }
        if (!k)
            k = &c->ks80[c->nks80++];
        k->kvn = b1.crt.kvn;
        memcpy(k->kic, keys.k_enc, 16);
        memcpy(k->kid, keys.k_mac, 16);
        memcpy(k->kik, keys.k_dek, 16);
        k->cntr = cntr;
    } else {
        struct sim_isdp *p = sim_card_isdp(c, ke->isdp_aid, SIM_AID_LEN);

        if (!p || p->lcs != SIM_LCS_SELECTABLE) {
            sm_es8_keys_clear(&keys);
            *sw = SW_CONDITIONS;
            return 0;
        }
        p->has_keys = true;
        p->kvn = b1.crt.kvn;
        memcpy(p->kenc, keys.k_enc, 16);
        memcpy(p->kmac, keys.k_mac, 16);
        memcpy(p->kdek, keys.k_dek, 16);
        p->seq = (uint32_t)cntr;
        p->lcs = SIM_LCS_PERSONALIZED;
    }
    sm_es8_keys_clear(&keys);
    memset(ke, 0, sizeof(*ke));
    return sm_tlv_put(rsp, 0x86, receipt, sizeof(receipt));
}
