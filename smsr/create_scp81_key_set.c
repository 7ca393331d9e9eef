/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The new SM-SR's SCP81 key set after an SM-SR change (sgp02-architecture 7.8 step 6; es8 spec
 * 1.6): the card deleted the previous SM-SR's key sets, SCP81 included, so without a set of our
 * own it can only be reached by SMS. Block 1 goes without certificate or signature over the
 * SCP80 channel just established: 3A02 {A6: scenario #3 parameter 00, usage 5C (one key), type
 * 85 (TLS-PSK), length 16, KID 01, KVN 40-4F, counter 00} 7F49 {ePK}. KeyData = receipt key ||
 * PSK. The PSK is wrapped at once and kept with the operation; it becomes a key set here only when
 * the card's receipt matches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create_scp81_key_set.h"
#include "isdr_keys.h"
#include "sm/es8.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/log.h"
#include "sm/rng.h"
#include "sm/secret.h"
#include "smdb/smsr_store.h"

int smsr_scp81_key_set_block(struct smsr_app *a, const char *eid, const json_t *old_sets,
                             const char *ecasd_pk_hex, json_t *pending, struct sm_buf *block)
{
    uint8_t pk[SM_EC_PUB_MAX], epk[SM_EC_PUB_MAX], shs[SM_EC_FIELD_MAX], info[8], receipt[16];
    char label[96], receipt_hex[33];
    size_t epklen = sizeof(epk), infolen = sizeof(info), fs = sm_curve_field_size(a->sr_curve);
    ssize_t pklen = ecasd_pk_hex ? sm_hex_decode(ecasd_pk_hex, pk, sizeof(pk)) : -1;
    struct sm_buf crt_tlv = SM_BUF_INIT, w = SM_BUF_INIT;
    struct sm_secret *esk = NULL, *plain = NULL;
    struct sm_es8_keys keys;
    struct sm_es8_crt crt;
    char *wrapped_hex = NULL;
    /* the previous SM-SR's sets count too: their deletion runs in the same script and may be
     * refused */
    unsigned kvn = smsr_free_kvn(old_sets, 0x40, 0x4F);
    int rc;

    if (pklen <= 0)
        return -ENOKEY;
    if (!kvn)
        return -ENOSPC;
    memset(&keys, 0, sizeof(keys));
    sm_es8_crt_default(&crt);
    crt.scenario_param = 0x00; /* no certificate, no DR, no HostID [?] */
    crt.key_usage = 0x5C;
    crt.key_type = 0x85;
    crt.kvn = (uint8_t)kvn;
    rc = sm_es8_crt_encode(&crt, &crt_tlv);
    if (!rc)
        rc = sm_ec_keygen(a->sr_curve, &sm_rng_system, &esk, epk, &epklen);
    if (!rc)
        rc = sm_ecdh(a->sr_curve, esk->data, esk->len, pk, (size_t)pklen, shs, fs);
    sm_secret_free(esk);
    if (!rc)
        rc = sm_es8_shared_info(&crt, info, &infolen);
    /* the first 32 bytes of the 64 derived are the 16 x (1 + 1) this usage asks for */
    if (!rc)
        rc = sm_es8_derive(shs, fs, info, infolen, &keys);
    sm_wipe(shs, sizeof(shs));
    if (!rc)
        rc = sm_es8_receipt(keys.receipt_key, crt_tlv.data, crt_tlv.len, NULL, 0, receipt);
    /* the set as ES1 stores one: KID 01, type 85, length 16, the PSK */
    if (!rc) {
        plain = sm_secret_new(19);
        rc = plain ? 0 : -ENOMEM;
    }
    if (!rc) {
        plain->data[0] = 0x01;
        plain->data[1] = 0x85;
        plain->data[2] = 16;
        memcpy(plain->data + 3, keys.k_enc, 16);
        plain->len = 19;
        snprintf(label, sizeof(label), "smsr:isdr:%s:SCP81:%u", eid, kvn);
        rc = sm_keystore_wrap(a->ks, &sm_rng_system, label, plain, &w);
    }
    sm_es8_keys_clear(&keys);
    sm_secret_free(plain);
    if (!rc)
        rc = sm_es8_block1_unsigned(&crt, a->sr_curve, epk, epklen, SM_ES8_EPK_RAW, block);
    if (!rc) {
        wrapped_hex = malloc(2 * w.len + 1);
        rc = wrapped_hex ? 0 : -ENOMEM;
    }
    if (!rc)
        sm_hex_encode_upper(w.data, w.len, wrapped_hex);
    if (!rc) {
        sm_hex_encode_upper(receipt, sizeof(receipt), receipt_hex);
        json_object_set_new(pending, "kvn", json_integer(kvn));
        json_object_set_new(pending, "receipt", json_string(receipt_hex));
        json_object_set_new(pending, "wrapped", json_string(wrapped_hex));
    }
    free(wrapped_hex);
    sm_buf_free(&w);
    sm_buf_free(&crt_tlv);
    return rc;
}

int smsr_scp81_key_set_answer(struct smsr_app *a, const char *eid, const json_t *pending,
                              uint16_t sw, const uint8_t *data, size_t len, char *why,
                              size_t whylen)
{
    const char *want = sm_json_str(pending, "receipt"), *wrapped = sm_json_str(pending, "wrapped");
    json_int_t kvn = json_integer_value(json_object_get(pending, "kvn"));
    struct smsr_key_establishment_answer ke;
    uint8_t want_bin[16];
    struct smdb_keyset ks;
    ssize_t n;
    int rc;

    if (sw != 0x9000) {
        snprintf(why, whylen, "the card refused the SCP81 key set (SW %04X)", sw);
        return -EPERM;
    }
    if (!want || sm_hex_decode(want, want_bin, sizeof(want_bin)) != 16 || !wrapped || !kvn)
        return -EINVAL;
    if (smsr_es5_key_establishment_decode(data, len, &ke) || ke.receipt_len != 16 ||
        !sm_ct_equal(ke.receipt, want_bin, 16)) {
        snprintf(why, whylen, "the card's receipt for the SCP81 key set does not match");
        return -EKEYREJECTED;
    }
    memset(&ks, 0, sizeof(ks));
    snprintf(ks.type, sizeof(ks.type), "SCP81");
    ks.kvn = (unsigned)kvn;
    ks.nkeys = 1;
    n = (ssize_t)strlen(wrapped) / 2;
    ks.wrapped = malloc((size_t)n + 1);
    if (!ks.wrapped)
        return -ENOMEM;
    rc = sm_hex_decode(wrapped, ks.wrapped, (size_t)n) == n ? 0 : -EINVAL;
    ks.wrapped_len = (size_t)n;
    if (!rc)
        rc = smdb_keyset_put(a->db, eid, &ks);
    free(ks.wrapped);
    if (rc)
        snprintf(why, whylen, "the SCP81 key set could not be stored (%d)", rc);
    else
        SM_LOGI(SM_LOG_API, eid, "SCP81 key set %lld established with the card", (long long)kvn);
    return rc;
}
