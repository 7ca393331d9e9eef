/* SPDX-License-Identifier: Apache-2.0 */
/* Known-answer checks: AES-CMAC, MILENAGE, identifiers, ECKA / X9.63 / ES8 / BSP KDF. */
#include <errno.h>
#include <string.h>

#include "sm/cipher.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/ids.h"
#include "sm/milenage.h"
#include "vectors.h"

#define NEED(v, name, buf, why)                                                                    \
    long name##_len = vec_need_hex((v), #name, (buf), sizeof(buf), (why));                         \
    if (name##_len < 0)                                                                            \
        return VEC_UNKNOWN;

enum vec_result vec_aes_cmac(const json_t *v, struct vec_why *why)
{
    uint8_t key[32], message[64], tag[16], k1[16], k2[16];
    NEED(v, key, key, why);
    NEED(v, message, message, why);
    if (vec_hex(v, "tag", tag, sizeof(tag)) != 16) {
        vec_say(why, "member 'tag' missing or not 16 bytes");
        return VEC_UNKNOWN;
    }
    if (sm_aes_cmac(key, (size_t)key_len, message, (size_t)message_len, tag) ||
        vec_cmp(v, "tag", tag, 16, why))
        return VEC_FAIL;
    if (sm_aes_cmac_subkeys(key, (size_t)key_len, k1, k2) || vec_cmp(v, "k1", k1, 16, why) ||
        vec_cmp(v, "k2", k2, 16, why))
        return VEC_FAIL;
    return VEC_PASS;
}

enum vec_result vec_milenage(const json_t *v, struct vec_why *why)
{
    uint8_t k[16], opc[16], op[16], rand[16], sqn[6], amf[2];
    uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], aks[6], sres[4], kc[8];
    struct sm_milenage m = {0};
    struct sm_milenage_vector av;
    const json_t *rs = json_object_get(v, "resync"), *z = json_object_get(v, "opc_from_zero_op");
    enum vec_result r = VEC_FAIL;

    if (vec_hex(v, "k", k, 16) != 16 || vec_hex(v, "rand", rand, 16) != 16 ||
        vec_hex(v, "sqn", sqn, 6) != 6 || vec_hex(v, "amf", amf, 2) != 2) {
        vec_say(why, "k, rand, sqn or amf missing");
        return VEC_UNKNOWN;
    }
    if (vec_hex(v, "op", op, 16) == 16) {
        if (sm_milenage_opc(k, op, opc))
            return VEC_FAIL;
        if (vec_cmp(v, "opc", opc, 16, why))
            return VEC_FAIL;
    } else if (vec_hex(v, "opc", opc, 16) != 16) {
        vec_say(why, "neither op nor opc");
        return VEC_UNKNOWN;
    }
    if (sm_milenage_init(&m, k, opc))
        return VEC_FAIL;
    if (sm_milenage_f1(&m, rand, sqn, amf, mac_a, mac_s) ||
        sm_milenage_f2345(&m, rand, res, ck, ik, ak, aks))
        goto out;
    if (vec_cmp(v, "f1_mac_a", mac_a, 8, why) || vec_cmp(v, "f1star_mac_s", mac_s, 8, why) ||
        vec_cmp(v, "f2_res", res, 8, why) || vec_cmp(v, "f3_ck", ck, 16, why) ||
        vec_cmp(v, "f4_ik", ik, 16, why) || vec_cmp(v, "f5_ak", ak, 6, why) ||
        vec_cmp(v, "f5star_ak_star", aks, 6, why))
        goto out;
    if (sm_milenage_generate(&m, rand, sqn, amf, &av) ||
        vec_cmp(v, "autn_derived", av.autn, 16, why) || vec_cmp(v, "autn", av.autn, 16, why))
        goto out;
    sm_gsm_c2(res, sres);
    sm_gsm_c3(ck, ik, kc);
    if (vec_cmp(v, "gsm_sres_xor", sres, 4, why) || vec_cmp(v, "gsm_kc_c3", kc, 8, why))
        goto out;
    if (rs) {
        uint8_t sqn_ms[6], auts[14], back[6];

        if (vec_hex(rs, "sqn_ms", sqn_ms, 6) != 6) {
            vec_say(why, "resync.sqn_ms missing");
            r = VEC_UNKNOWN;
            goto out;
        }
        if (sm_milenage_auts(&m, rand, sqn_ms, auts) || vec_cmp(rs, "auts", auts, 14, why) ||
            vec_cmp(rs, "mac_s", auts + 6, 8, why))
            goto out;
        if (sm_milenage_resync(&m, rand, auts, back) ||
            vec_cmp_bytes("resync SQN_MS", sqn_ms, 6, back, 6, why))
            goto out;
    }
    if (z) {
        uint8_t zop[16], zopc[16];

        if (vec_hex(z, "op", zop, 16) != 16) {
            r = VEC_UNKNOWN;
            goto out;
        }
        if (sm_milenage_opc(k, zop, zopc) || vec_cmp(z, "opc", zopc, 16, why))
            goto out;
    }
    r = VEC_PASS;
out:
    sm_milenage_clear(&m);
    return r;
}

enum vec_result vec_gsm_milenage(const json_t *v, struct vec_why *why)
{
    uint8_t k[16], opc[16], rand[16], sres[4], kc[8], res[8];
    struct sm_milenage m = {0};
    enum vec_result r = VEC_FAIL;

    if (vec_hex(v, "ki", k, 16) != 16 || vec_hex(v, "opc", opc, 16) != 16 ||
        vec_hex(v, "rand", rand, 16) != 16) {
        vec_say(why, "ki, opc or rand missing");
        return VEC_UNKNOWN;
    }
    if (sm_milenage_init(&m, k, opc))
        return VEC_FAIL;
    if (!sm_milenage_gsm(&m, rand, sres, kc) && !vec_cmp(v, "sres1", sres, 4, why) &&
        !vec_cmp(v, "kc", kc, 8, why) &&
        !sm_milenage_f2345(&m, rand, res, NULL, NULL, NULL, NULL) &&
        !vec_cmp(v, "sres2", res, 4, why))
        r = VEC_PASS;
    sm_milenage_clear(&m);
    return r;
}

static const char *str(const json_t *v, const char *name)
{
    return json_string_value(json_object_get(v, name));
}

enum vec_result vec_identifier(const json_t *v, struct vec_why *why)
{
    const char *type = str(v, "type");
    int valid = vec_bool(v, "valid");

    if (!type) {
        vec_say(why, "identifier vector without a type");
        return VEC_UNKNOWN;
    }
    if (!strcmp(type, "iccid_luhn")) {
        const char *iccid = str(v, "iccid"), *payload = str(v, "digits_without_check");
        const char *check = str(v, "check_digit");
        char digit;

        if (!iccid || valid < 0) {
            vec_say(why, "iccid or valid missing");
            return VEC_UNKNOWN;
        }
        if ((sm_iccid_check(iccid) == 0) != (valid == 1)) {
            vec_say(why, "ICCID %s judged %s", iccid, valid ? "invalid" : "valid");
            return VEC_FAIL;
        }
        if (payload && check && (sm_luhn_digit(payload, &digit) || digit != check[0])) {
            vec_say(why, "Luhn digit of %s: expected %s", payload, check);
            return VEC_FAIL;
        }
        return VEC_PASS;
    }
    if (!strcmp(type, "ef_iccid")) {
        const char *iccid = str(v, "iccid");
        uint8_t ef[10], want[10];
        char back[SM_ICCID_MAX_DIGITS + 1];

        if (!iccid || vec_hex(v, "ef_iccid", want, 10) != 10) {
            vec_say(why, "iccid or ef_iccid missing");
            return VEC_UNKNOWN;
        }
        if (sm_iccid_to_ef(iccid, ef) || vec_cmp_bytes("ef_iccid", want, 10, ef, 10, why))
            return VEC_FAIL;
        if (sm_iccid_from_ef(want, back) || strcmp(back, iccid)) {
            vec_say(why, "EF.ICCID decodes to %s", back);
            return VEC_FAIL;
        }
        return VEC_PASS;
    }
    if (!strcmp(type, "ef_imsi")) {
        const char *imsi = str(v, "imsi");
        uint8_t ef[9], want[9];
        char back[SM_IMSI_MAX_DIGITS + 1];

        if (!imsi || vec_hex(v, "ef_imsi", want, 9) != 9) {
            vec_say(why, "imsi or ef_imsi missing");
            return VEC_UNKNOWN;
        }
        if (sm_imsi_to_ef(imsi, ef) || vec_cmp_bytes("ef_imsi", want, 9, ef, 9, why))
            return VEC_FAIL;
        if (sm_imsi_from_ef(want, back) || strcmp(back, imsi)) {
            vec_say(why, "EF.IMSI decodes to %s", back);
            return VEC_FAIL;
        }
        return VEC_PASS;
    }
    if (!strcmp(type, "eid")) {
        const char *eid = str(v, "eid"), *first30 = str(v, "first_30_digits");
        const char *good =
            str(v, "check_digits") ? str(v, "check_digits") : str(v, "correct_check_digits");
        char full[SM_EID_DIGITS + 1], head[31];

        if (!eid || valid < 0) {
            vec_say(why, "eid or valid missing");
            return VEC_UNKNOWN;
        }
        if ((sm_eid_check(eid) == 0) != (valid == 1)) {
            vec_say(why, "EID %s judged %s", eid, valid ? "invalid" : "valid");
            return VEC_FAIL;
        }
        snprintf(head, sizeof(head), "%s", first30 ? first30 : eid);
        if (good && strlen(head) == 30) {
            if (sm_eid_complete(head, full) || strcmp(full + 30, good)) {
                vec_say(why, "check digits of %s: expected %s, got %s", head, good, full + 30);
                return VEC_FAIL;
            }
        }
        return VEC_PASS;
    }
    vec_say(why, "unknown identifier vector type '%s'", type);
    return VEC_UNKNOWN;
}

/* 04 || x || y from two hex members. */
static int point(const json_t *v, const char *xn, const char *yn, uint8_t out[65])
{
    out[0] = 0x04;
    return vec_hex(v, xn, out + 1, 32) == 32 && vec_hex(v, yn, out + 33, 32) == 32 ? 0 : -1;
}

static enum vec_result ecdh(const json_t *v, enum sm_curve c, struct vec_why *why)
{
    uint8_t d[32], peer[65], own[65], pub[65], z[32];
    size_t publen;

    if (vec_hex(v, "d_iut", d, 32) == 32) {
        if (point(v, "qcavs_x", "qcavs_y", peer) || point(v, "qiut_x", "qiut_y", own)) {
            vec_say(why, "ECDH points missing");
            return VEC_UNKNOWN;
        }
        if (sm_ec_public_from_private(c, d, 32, pub, &publen) ||
            vec_cmp_bytes("qiut", own, 65, pub, publen, why) ||
            sm_ecdh(c, d, 32, peer, 65, z, 32) || vec_cmp(v, "z", z, 32, why))
            return VEC_FAIL;
        return VEC_PASS;
    }
    if (vec_hex(v, "d_a", d, 32) == 32) {
        uint8_t db[32];

        if (vec_hex(v, "d_b", db, 32) != 32 || point(v, "q_a_x", "q_a_y", own) ||
            point(v, "q_b_x", "q_b_y", peer)) {
            vec_say(why, "ECDH keys missing");
            return VEC_UNKNOWN;
        }
        if (sm_ec_public_from_private(c, d, 32, pub, &publen) ||
            vec_cmp_bytes("q_a", own, 65, pub, publen, why) ||
            sm_ec_public_from_private(c, db, 32, pub, &publen) ||
            vec_cmp_bytes("q_b", peer, 65, pub, publen, why) ||
            sm_ecdh(c, d, 32, peer, 65, z, 32) || vec_cmp(v, "z_x", z, 32, why) ||
            sm_ecdh(c, db, 32, own, 65, z, 32) || vec_cmp(v, "z_x", z, 32, why))
            return VEC_FAIL;
        return VEC_PASS;
    }
    vec_say(why, "ECDH vector without a private key");
    return VEC_UNKNOWN;
}

static enum vec_result es8(const json_t *v, enum sm_curve c, struct vec_why *why)
{
    uint8_t pk[65], esk[32], crt[64], pub[65], z[32], info[8], kd[64], receipt[16];
    struct sm_es8_crt crtv;
    struct sm_es8_keys keys;
    struct sm_buf enc = SM_BUF_INIT;
    size_t publen, infolen = sizeof(info);
    long crtlen;
    enum vec_result r = VEC_FAIL;

    if (vec_hex(v, "pk_ecasd", pk, 65) != 65 || vec_hex(v, "esk_dp", esk, 32) != 32 ||
        (crtlen = vec_hex(v, "crt", crt, sizeof(crt))) < 0) {
        vec_say(why, "pk_ecasd, esk_dp or crt missing");
        return VEC_UNKNOWN;
    }
    if (sm_ec_public_from_private(c, esk, 32, pub, &publen) ||
        vec_cmp(v, "epk_dp", pub, publen, why))
        return VEC_FAIL;
    /* the CRT decodes and re-encodes to the bytes the card accepted */
    if (sm_es8_crt_decode(crt, (size_t)crtlen, &crtv, NULL) || sm_es8_crt_encode(&crtv, &enc) ||
        vec_cmp_bytes("crt (re-encoded)", crt, (size_t)crtlen, enc.data, enc.len, why))
        goto out;
    if (sm_es8_shared_info(&crtv, info, &infolen) || vec_cmp(v, "shared_info", info, infolen, why))
        goto out;
    if (sm_ecdh(c, esk, 32, pk, 65, z, 32) || vec_cmp(v, "shared_secret", z, 32, why))
        goto out;
    if (sm_x963_kdf_sha256(z, 32, info, infolen, kd, 64) || vec_cmp(v, "key_data", kd, 64, why))
        goto out;
    if (sm_es8_derive(z, 32, info, infolen, &keys) ||
        vec_cmp(v, "receipt_key", keys.receipt_key, 16, why) ||
        vec_cmp(v, "k_enc", keys.k_enc, 16, why) || vec_cmp(v, "k_mac", keys.k_mac, 16, why) ||
        vec_cmp(v, "k_dek", keys.k_dek, 16, why))
        goto out;
    if (sm_es8_receipt(keys.receipt_key, crt, (size_t)crtlen, NULL, 0, receipt) ||
        vec_cmp(v, "receipt", receipt, 16, why))
        goto out;
    r = VEC_PASS;
out:
    sm_es8_keys_clear(&keys);
    sm_buf_free(&enc);
    return r;
}

enum vec_result vec_ecka(const json_t *v, struct vec_why *why)
{
    const char *type = str(v, "type"), *curve = str(v, "curve");
    enum sm_curve c = SM_CURVE_P256;

    if (!type) {
        vec_say(why, "ecka vector without a type");
        return VEC_UNKNOWN;
    }
    if (curve && sm_curve_from_name(curve, &c)) {
        vec_say(why, "curve '%s' not supported", curve);
        return VEC_UNKNOWN;
    }
    if (!strcmp(type, "ecdh"))
        return ecdh(v, c, why);
    if (!strcmp(type, "sgp02_es8_key_establishment"))
        return es8(v, c, why);
    if (!strcmp(type, "x963_kdf_sha256")) {
        uint8_t z[128], info[256], out[512];
        long zl = vec_hex(v, "z", z, sizeof(z)), il = vec_hex(v, "shared_info", info, sizeof(info));
        long n = vec_int(v, "key_data_length_bytes");

        if (zl < 0 || il < 0 || n <= 0 || n > (long)sizeof(out)) {
            vec_say(why, "z, shared_info or key_data_length_bytes missing");
            return VEC_UNKNOWN;
        }
        if (sm_x963_kdf_sha256(z, (size_t)zl, info, (size_t)il, out, (size_t)n) ||
            vec_cmp(v, "key_data", out, (size_t)n, why))
            return VEC_FAIL;
        return VEC_PASS;
    }
    if (!strcmp(type, "sgp22_bsp_kdf")) {
        uint8_t z[32], info[128], mcv[16], senc[16], smac[16], all[48], kt[1], kl[1], hid[16],
            eid[16], built[128];
        long il = vec_hex(v, "shared_info", info, sizeof(info)), hl, el;
        size_t bl = 0;

        if (vec_hex(v, "shared_secret", z, 32) != 32 || il < 0) {
            vec_say(why, "shared_secret or shared_info missing");
            return VEC_UNKNOWN;
        }
        /* SGP.22 5.5 / pySim: SharedInfo = key type || key length || LV(host id) || LV(EID) */
        if (vec_hex(v, "key_type", kt, 1) == 1 && vec_hex(v, "key_length", kl, 1) == 1 &&
            (hl = vec_hex(v, "host_id", hid, 16)) > 0 && (el = vec_hex(v, "eid", eid, 16)) > 0) {
            built[bl++] = kt[0];
            built[bl++] = kl[0];
            built[bl++] = (uint8_t)hl;
            memcpy(built + bl, hid, (size_t)hl);
            bl += (size_t)hl;
            built[bl++] = (uint8_t)el;
            memcpy(built + bl, eid, (size_t)el);
            bl += (size_t)el;
            if (vec_cmp(v, "shared_info", built, bl, why))
                return VEC_FAIL;
        }
        if (sm_bsp_derive(z, 32, info, (size_t)il, mcv, senc, smac))
            return VEC_FAIL;
        memcpy(all, mcv, 16);
        memcpy(all + 16, senc, 16);
        memcpy(all + 32, smac, 16);
        if (vec_cmp(v, "initial_mac_chaining_value", mcv, 16, why) ||
            vec_cmp(v, "s_enc", senc, 16, why) || vec_cmp(v, "s_mac", smac, 16, why))
            return VEC_FAIL;
        /* kdf_output may be shorter or longer than 48 in other files: compare what overlaps */
        {
            uint8_t want[64];
            long wl = vec_hex(v, "kdf_output", want, sizeof(want));

            if (wl > 0 && wl <= 48 &&
                vec_cmp_bytes("kdf_output", want, (size_t)wl, all, (size_t)wl, why))
                return VEC_FAIL;
            if (wl > 48) {
                uint8_t longer[64];

                if (sm_x963_kdf_sha256(z, 32, info, (size_t)il, longer, (size_t)wl) ||
                    vec_cmp_bytes("kdf_output", want, (size_t)wl, longer, (size_t)wl, why))
                    return VEC_FAIL;
            }
        }
        return VEC_PASS;
    }
    vec_say(why, "unknown ecka vector type '%s'", type);
    return VEC_UNKNOWN;
}
