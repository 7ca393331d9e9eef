/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smdp master-delete-token ICCID --sin HEX --sdin HEX --provider-id HEX --token-id HEX: the
 * delete token an MNO needs for ES4.MasterDelete (SGP.02 v4 7.6), computed by the SM-DP that
 * holds the ISD-P's token key (es8.token_key) after the operator's authorisation (out of
 * band). The token is the AES-CMAC, under the token key (KVN 70), of the DELETE command's data
 * the card checks: 00 40 L 4F 10 <ISD-P AID> B6 L {42 SIN, 45 SDIN, 5F20 provider, 93 token id}.
 * Prints the ES4.MasterDelete members (besides eid) as one JSON object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/cipher.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/keystore.h"
#include "sm/secret.h"
#include "sm/tlv.h"
#include "smdb/smdp_store.h"
#include "smdp.h"

static int hex_arg(const char *name, const char *v, uint8_t *out, size_t max, size_t *n)
{
    ssize_t r = v && strlen(v) % 2 == 0 && strlen(v) <= 2 * max ? sm_hex_decode(v, out, max) : -1;

    if (r <= 0) {
        fprintf(stderr, "smdp: --%s takes 1 to %zu bytes in hex\n", name, max);
        return -EINVAL;
    }
    *n = (size_t)r;
    return 0;
}

int smdp_master_delete_token(void *cfg_, struct smdb *db, int argc, char **argv)
{
    const struct smdp_cfg *cfg = cfg_;
    const char *names[4] = {"sin", "sdin", "provider-id", "token-id"}, *vals[4] = {0},
               *iccid = NULL;
    uint8_t v[4][16], aid[16], in[128], mac[16];
    size_t vn[4], n = 0;
    struct smdb_subscription sub;
    struct sm_keystore *ks = NULL;
    struct sm_secret *key = NULL;
    struct sm_buf b6 = SM_BUF_INIT;
    char label[64], tok[33];
    json_t *out;
    int rc;

    for (int i = 1; i < argc; i++) {
        int k = -1;

        for (int j = 0; j < 4; j++)
            if (!strncmp(argv[i], "--", 2) && !strcmp(argv[i] + 2, names[j]))
                k = j;
        if (k >= 0 && i + 1 < argc)
            vals[k] = argv[++i];
        else if (argv[i][0] != '-' && !iccid)
            iccid = argv[i];
        else
            iccid = NULL, i = argc;
    }
    if (!iccid || !vals[0] || !vals[1] || !vals[2] || !vals[3]) {
        fprintf(stderr, "usage: master-delete-token ICCID --sin HEX --sdin HEX --provider-id HEX "
                        "--token-id HEX\n");
        return 2;
    }
    for (int j = 0; j < 4; j++)
        if (hex_arg(names[j], vals[j], v[j], 16, &vn[j]))
            return 2;
    rc = smdb_subscription_get(db, iccid, &sub);
    if (rc || !sub.token_key || sm_hex_decode(sub.isdp_aid, aid, 16) != 16) {
        fprintf(stderr, "smdp: %s: %s\n", iccid,
                rc == -ENOENT ? "no such subscription"
                : rc          ? "storage error"
                              : "no token key was loaded with it (es8.token_key)");
        smdb_subscription_free(&sub);
        return 1;
    }
    snprintf(label, sizeof(label), "smdp:token:%s", iccid);
    rc = sm_keystore_open(cfg->kek_file, cfg->base.test_mode, &ks);
    if (!rc)
        rc = sm_keystore_unwrap(ks, label, sub.token_key, sub.token_key_len, &key);
    smdb_subscription_free(&sub);
    sm_keystore_free(ks);
    if (rc || key->len != 16) {
        fprintf(stderr, "smdp: %s: the token key cannot be unwrapped\n", iccid);
        sm_secret_free(key);
        return 1;
    }
    /* B6 {42 SIN, 45 SDIN, 5F20 provider id, 93 token id}, minimal lengths, in this order */
    rc = sm_tlv_put(&b6, 0x42, v[0], vn[0]);
    rc = rc ? rc : sm_tlv_put(&b6, 0x45, v[1], vn[1]);
    rc = rc ? rc : sm_tlv_put(&b6, 0x5F20, v[2], vn[2]);
    rc = rc ? rc : sm_tlv_put(&b6, 0x93, v[3], vn[3]);
    if (!rc && b6.len + 2 + 18 < 128) {
        in[n++] = 0x00;
        in[n++] = 0x40;
        in[n++] = (uint8_t)(18 + 2 + b6.len);
        in[n++] = 0x4F;
        in[n++] = 0x10;
        memcpy(in + n, aid, 16);
        n += 16;
        in[n++] = 0xB6;
        in[n++] = (uint8_t)b6.len;
        memcpy(in + n, b6.data, b6.len);
        n += b6.len;
        rc = sm_aes_cmac(key->data, 16, in, n, mac);
    } else if (!rc) {
        rc = -EMSGSIZE;
    }
    sm_secret_free(key);
    sm_buf_free(&b6);
    if (rc) {
        fprintf(stderr, "smdp: the token could not be computed\n");
        return 1;
    }
    sm_hex_encode_upper(mac, 16, tok);
    sm_wipe(mac, sizeof(mac));
    out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "iccid", iccid, "sin", vals[0], "sdin",
                    vals[1], "providerId", vals[2], "tokenId", vals[3], "token", tok);
    {
        char *text = out ? json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

        printf("%s\n", text ? text : "{}");
        free(text);
    }
    json_decref(out);
    return 0;
}
