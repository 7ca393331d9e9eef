/* SPDX-License-Identifier: Apache-2.0 */
/* ES8 for one download, the SM-DP's side (es8_download.h). */
#include <errno.h>
#include <string.h>

#include "es8_download.h"
#include "sm/apdu.h"
#include "sm/secret.h"
#include "sm/tlv.h"

int smdp_es8_key_block(struct smdp_es8 *e, enum sm_curve curve, uint8_t kvn,
                       const uint8_t *pk_ecasd, size_t pklen, const uint8_t *sk_dp, size_t sklen,
                       const uint8_t *rc, size_t rclen, const struct sm_rng *rng,
                       struct sm_buf *block1)
{
    uint8_t epk[SM_EC_PUB_MAX], shs[SM_EC_FIELD_MAX], info[8];
    size_t epklen = sizeof(epk), infolen = sizeof(info), fs = sm_curve_field_size(curve);
    struct sm_buf crt_tlv = SM_BUF_INIT;
    struct sm_secret *esk = NULL;
    struct sm_es8_crt crt;
    int rc_;

    if (!e || !pk_ecasd || !sk_dp || !rc || !rng || !block1 || !fs)
        return -EINVAL;
    memset(e, 0, sizeof(*e));
    sm_es8_crt_default(&crt);
    crt.kvn = kvn;
    e->kvn = kvn;
    rc_ = sm_es8_crt_encode(&crt, &crt_tlv);
    if (!rc_)
        rc_ = sm_ec_keygen(curve, rng, &esk, epk, &epklen);
    if (!rc_)
        rc_ = sm_ecdh(curve, esk->data, esk->len, pk_ecasd, pklen, shs, fs);
    sm_secret_free(esk);
    if (!rc_)
        rc_ = sm_es8_shared_info(&crt, info, &infolen);
    if (!rc_)
        rc_ = sm_es8_derive(shs, fs, info, infolen, &e->keys);
    sm_wipe(shs, sizeof(shs));
    if (!rc_)
        rc_ = sm_es8_receipt(e->keys.receipt_key, crt_tlv.data, crt_tlv.len, NULL, 0, e->receipt);
    if (!rc_)
        rc_ = sm_es8_block1_data(&crt, curve, epk, epklen, SM_ES8_EPK_RAW, sk_dp, sklen, rc, rclen,
                                 block1);
    sm_buf_free(&crt_tlv);
    if (rc_)
        smdp_es8_clear(e);
    else
        e->keyed = true;
    return rc_;
}

int smdp_es8_receipt_check(const struct smdp_es8 *e, const uint8_t *rsp, size_t len)
{
    struct sm_decode_err de;
    struct sm_tlv t;

    if (!e || !e->keyed || !rsp)
        return -EINVAL;
    /* a DR (85) is not asked for by the CRT: only the receipt counts */
    if (sm_tlv_find(rsp, len, 0x86, &t, &de) || t.len != 16)
        return -EBADMSG;
    return sm_ct_equal(t.value, e->receipt, 16) ? 0 : -EKEYREJECTED;
}

int smdp_es8_open(struct smdp_es8 *e, const struct sm_rng *rng, struct sm_buf *tlv84)
{
    int rc;

    if (!e || !e->keyed || !rng || !tlv84)
        return -EINVAL;
    rc = sm_rng_bytes(rng, e->host_challenge, sizeof(e->host_challenge));
    return rc ? rc : sm_scp03t_cmd_84(e->kvn, e->host_challenge, tlv84);
}

int smdp_es8_authenticate(struct smdp_es8 *e, const uint8_t *rsp84, size_t len, uint8_t *card_error,
                          struct sm_buf *tlv85)
{
    struct sm_scp03_keys k;
    struct sm_decode_err de;
    int rc;

    if (!e || !e->keyed || !rsp84 || !tlv85)
        return -EINVAL;
    k = (struct sm_scp03_keys){e->keys.k_enc, e->keys.k_mac, e->keys.k_dek, 16};
    rc = sm_scp03t_host_84(&e->s, &k, e->host_challenge, rsp84, len, card_error, &de);
    /* 33: C-MAC, C-DECRYPTION, R-MAC (es8 spec 4: what the test eUICC was given) */
    if (!rc)
        rc = sm_scp03t_cmd_85(&e->s, 0x33, tlv85);
    e->open = !rc;
    return rc;
}

int smdp_es8_segment(struct smdp_es8 *e, const uint8_t *pkg, size_t len, size_t *off,
                     struct sm_buf *tlv86)
{
    size_t n;

    if (!e || !e->open || !pkg || !off || !tlv86)
        return -EINVAL;
    if (*off >= len)
        return -ENODATA;
    n = len - *off < SMDP_ES8_SEGMENT ? len - *off : SMDP_ES8_SEGMENT;
    *off += n;
    return sm_scp03t_wrap(&e->s, 0x86, pkg + *off - n, n, true, tlv86);
}

int smdp_es8_check(struct smdp_es8 *e, uint32_t tag, const uint8_t *rsp, size_t len,
                   struct sm_buf *data, uint8_t *card_error)
{
    struct sm_decode_err de;

    if (!e || !e->open || !rsp)
        return -EINVAL;
    return sm_scp03t_host_check(&e->s, tag, rsp, len, data, card_error, &de);
}

void smdp_es8_clear(struct smdp_es8 *e)
{
    if (!e)
        return;
    sm_es8_keys_clear(&e->keys);
    sm_scp03_clear(&e->s);
    sm_wipe(e, sizeof(*e));
}

int smdp_es8_key0_script(const uint8_t aid[16], const uint8_t *cert, size_t certlen,
                         struct sm_buf *tlvs)
{
    /* INSTALL [for personalization] of the new ISD-P (es8 spec 1.1): 00 00 10 <AID> 00 00 00 */
    uint8_t inst[3 + 16 + 3] = {0x00, 0x00, 0x10};
    struct sm_capdu install = {.cla = 0x80, .ins = 0xE6, .p1 = 0x20, .data = inst, .lc = 22};
    struct sm_buf apdu = SM_BUF_INIT, block0 = SM_BUF_INIT;
    int rc;

    memcpy(inst + 3, aid, 16);
    rc = sm_capdu_encode(&install, &apdu);
    if (!rc)
        rc = sm_tlv_put(tlvs, 0x22, apdu.data, apdu.len);
    /* STORE DATA block 0 (P1 09: DGI data, more blocks follow): CERT.DP.ECDSA */
    if (!rc)
        rc = sm_es8_block0_data(cert, certlen, &block0);
    if (!rc) {
        struct sm_capdu sd = {
            .cla = 0x80, .ins = 0xE2, .p1 = 0x09, .data = block0.data, .lc = block0.len};

        sm_buf_reset(&apdu);
        rc = sm_capdu_encode(&sd, &apdu);
    }
    if (!rc)
        rc = sm_tlv_put(tlvs, 0x22, apdu.data, apdu.len);
    sm_buf_free(&apdu);
    sm_buf_free(&block0);
    return rc;
}

int smdp_es8_key1_script(const struct sm_buf *block1, struct sm_buf *tlvs)
{
    /* STORE DATA block 1, the last (P1 89, P2 01) */
    struct sm_capdu sd = {
        .cla = 0x80, .ins = 0xE2, .p1 = 0x89, .p2 = 0x01, .data = block1->data, .lc = block1->len};
    struct sm_buf apdu = SM_BUF_INIT;
    int rc = sm_capdu_encode(&sd, &apdu);

    if (!rc)
        rc = sm_tlv_put(tlvs, 0x22, apdu.data, apdu.len);
    sm_buf_free(&apdu);
    return rc;
}

int smdp_es8_rapdu(const struct sm_script *s, const uint8_t **data, size_t *len, uint16_t *sw)
{
    const struct sm_script_item *it = s->n ? &s->item[s->n - 1] : NULL;

    if (!it || it->tag != 0x23 || it->len < 2)
        return -EBADMSG;
    *data = it->value;
    *len = it->len - 2;
    *sw = (uint16_t)(it->value[it->len - 2] << 8 | it->value[it->len - 1]);
    return 0;
}
