/* SPDX-License-Identifier: Apache-2.0 */
/*
 * euicc-sim, the card side of ES8:
 *  - the recorded SCP03t download of a card vendor's test eUICC (tests/vectors/sgp02-scp03t.json)
 *    replayed into the simulator: every answer must equal the card's, byte for byte, and the
 *    package must install;
 *  - a whole download driven by the project's off-card code: CreateISDP, key establishment
 *    (certificate, random challenge, ephemeral key, signature, receipt), SCP03t with a template
 *    package, enable;
 *  - the refusals: certificates not from the CI or of the wrong type, forged signatures, key
 *    establishment out of order, wrong key set, bad cryptogram or MAC, a package that fails.
 */
#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "euicc_test_card.h"
#include "install.h"
#include "sm/es8.h"
#include "sm/json.h"
#include "sm/scp03.h"
#include "sm/tlv.h"
#include "smpp/pp.h"

static struct test_pki pki;

static int setup(void **state)
{
    (void)state;
    test_pki_init(&pki);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_pki_free(&pki);
    return 0;
}

static size_t hexbytes(const char *hex, uint8_t *out, size_t size)
{
    long n = sm_hex_decode(hex, out, size);

    assert_true(n >= 0);
    return (size_t)n;
}

/* Hand a whole command TLV to the ISD-P; the answer as hex. */
static char *scp03t(struct sim_ctx *x, struct sim_isdp *p, const uint8_t *tlv, size_t len)
{
    static char hex[4096];
    struct sm_buf rsp = SM_BUF_INIT;
    struct sm_decode_err de;
    struct sm_tlv t;

    assert_int_equal(sm_tlv_parse_one(tlv, len, &t, &de), 0);
    assert_int_equal(sim_isdp_scp03t(x, p, t.tag, t.value, t.len, &rsp), 0);
    assert_true(rsp.len * 2 < sizeof(hex));
    sm_hex_encode(rsp.data, rsp.len, hex);
    sm_buf_free(&rsp);
    return hex;
}

static void recorded_download_replayed(void **state)
{
    json_t *root = json_load_file(SM_SOURCE_DIR "/tests/vectors/sgp02-scp03t.json", 0, NULL);
    json_t *v = json_array_get(json_object_get(root, "vectors"), 0), *seg;
    struct sim_policy pol;
    struct sim_card card;
    struct sim_ctx x = {.card = &card, .pol = &pol, .rng = &sm_rng_system};
    struct sim_isdp *p;
    uint8_t buf[1100], digest[32], want[32];
    size_t i, n;

    (void)state;
    assert_non_null(v);
    sim_policy_default(&pol);
    sim_card_init(&card);
    card.mem_total = 1024 * 1024;
    p = &card.isdp[card.nisdp++];
    p->package.secure = true;
    hexbytes(json_string_value(json_object_get(v, "isd_p_aid")), p->aid, 16);
    p->lcs = SIM_LCS_PERSONALIZED;
    p->quota = 512 * 1024;
    p->has_keys = true;
    p->kvn = 0x30;
    hexbytes(json_string_value(json_object_get(v, "k_enc")), p->kenc, 16);
    hexbytes(json_string_value(json_object_get(v, "k_mac")), p->kmac, 16);
    /* the first session after key establishment uses counter 000001 */
    p->seq = 0;
    n = hexbytes(json_string_value(json_object_get(v, "cmd_84")), buf, sizeof(buf));
    assert_string_equal(scp03t(&x, p, buf, n), json_string_value(json_object_get(v, "rsp_84")));
    n = hexbytes(json_string_value(json_object_get(v, "cmd_85")), buf, sizeof(buf));
    assert_string_equal(scp03t(&x, p, buf, n), json_string_value(json_object_get(v, "rsp_85")));
    json_array_foreach(json_object_get(v, "segments"), i, seg) {
        n = hexbytes(json_string_value(json_object_get(seg, "wrapped_tlv")), buf, sizeof(buf));
        assert_string_equal(scp03t(&x, p, buf, n),
                            json_string_value(json_object_get(seg, "card_response")));
    }
    /* the 17 segments made the whole package, and it installed */
    assert_true(p->installed);
    assert_int_equal(p->lcs, SIM_LCS_DISABLED);
    assert_string_equal(p->iccid, "89860110611108096225");
    SHA256(p->package.data, p->package.len, digest);
    hexbytes(json_string_value(json_object_get(v, "profile_package_sha256")), want, 32);
    assert_memory_equal(digest, want, 32);
    printf("recorded session: %zu segments, %zu-byte package installed, answers identical\n", i,
           p->package.len);
    sim_card_free(&card);
    json_decref(root);
}

/* ---- the whole flow with the project's off-card side ---- */

static const char isdp_aid_hex[] = "a0000005591010ffffffff8900001100";

static void create_isdp(struct sim_ctx *x, struct sm_buf *rsp)
{
    uint8_t data[128];
    size_t n = 0;

    n += hexbytes("10a0000005591010ffffffff8900000d00"
                  "10a0000005591010ffffffff8900000e00",
                  data, sizeof(data));
    data[n++] = 0x10;
    n += hexbytes(isdp_aid_hex, data + n, sizeof(data) - n);
    n += hexbytes("0380c00006c90481020370"
                  "00",
                  data + n, sizeof(data) - n);
    assert_int_equal(test_apdu_data(x, "80e60c00", data, n, rsp), 0x9000);
    assert_int_equal(rsp->len, 1);
}

struct dp_session {
    struct sm_es8_keys keys;
    struct sm_scp03_session s;
};

/* Key establishment from the SM-DP's side; returns the card's answers' status words. */
static void key_establishment(struct sim_ctx *x, const struct sm_buf *dp_cert, uint8_t kvn,
                              struct dp_session *dp)
{
    struct sm_buf rsp = SM_BUF_INIT, b0 = SM_BUF_INIT, b1 = SM_BUF_INIT;
    struct sm_es8_crt crt;
    uint8_t esk[32], epk[65], rc[16], shs[32], info[8], receipt[16];
    size_t infolen = sizeof(info);
    char cmd[80];

    snprintf(cmd, sizeof(cmd), "80e620001600001%c%s000000", '0', isdp_aid_hex);
    assert_int_equal(test_apdu(x, cmd, &rsp), 0x9000);
    assert_int_equal(sm_es8_block0_data(dp_cert->data, dp_cert->len, &b0), 0);
    assert_int_equal(test_apdu_data(x, "80e20900", b0.data, b0.len, &rsp), 0x9000);
    assert_int_equal(rsp.len, 18);
    assert_memory_equal(rsp.data, "\x85\x10", 2);
    memcpy(rc, rsp.data + 2, 16);
    test_keypair(esk, epk);
    sm_es8_crt_default(&crt);
    crt.kvn = kvn;
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, pki.dp_sk, 32,
                                        rc, 16, &b1),
                     0);
    assert_int_equal(test_apdu_data(x, "80e28901", b1.data, b1.len, &rsp), 0x9000);
    assert_int_equal(rsp.len, 18);
    assert_memory_equal(rsp.data, "\x86\x10", 2);
    /* the SM-DP derives the same keys and finds the same receipt */
    assert_int_equal(sm_ecdh(SM_CURVE_P256, esk, 32, x->card->ecasd_pk, 65, shs, 32), 0);
    assert_int_equal(sm_es8_shared_info(&crt, info, &infolen), 0);
    assert_int_equal(sm_es8_derive(shs, 32, info, infolen, &dp->keys), 0);
    {
        struct sm_buf crt_tlv = SM_BUF_INIT;

        assert_int_equal(sm_es8_crt_encode(&crt, &crt_tlv), 0);
        assert_int_equal(
            sm_es8_receipt(dp->keys.receipt_key, crt_tlv.data, crt_tlv.len, NULL, 0, receipt), 0);
        sm_buf_free(&crt_tlv);
    }
    assert_memory_equal(rsp.data + 2, receipt, 16);
    sm_buf_free(&rsp);
    sm_buf_free(&b0);
    sm_buf_free(&b1);
}

/* 84 + 85 from the SM-DP; the card's answers checked by the host side. */
static void open_scp03t(struct sim_ctx *x, struct sim_isdp *p, struct dp_session *dp)
{
    struct sm_scp03_keys k = {dp->keys.k_enc, dp->keys.k_mac, dp->keys.k_dek, 16};
    struct sm_buf cmd = SM_BUF_INIT, rsp = SM_BUF_INIT;
    struct sm_decode_err de;
    uint8_t hc[8] = {1, 2, 3, 4, 5, 6, 7, 8}, err = 0, raw[64];
    size_t n;

    assert_int_equal(sm_scp03t_cmd_84(0x30, hc, &cmd), 0);
    n = hexbytes(scp03t(x, p, cmd.data, cmd.len), raw, sizeof(raw));
    assert_int_equal(sm_scp03t_host_84(&dp->s, &k, hc, raw, n, &err, &de), 0);
    sm_buf_reset(&cmd);
    assert_int_equal(sm_scp03t_cmd_85(&dp->s, 0x33, &cmd), 0);
    assert_string_equal(scp03t(x, p, cmd.data, cmd.len), "8500");
    sm_buf_free(&cmd);
    sm_buf_free(&rsp);
}

static void whole_download(void **state)
{
    struct sim_policy pol;
    struct sim_card card;
    struct sim_ctx x = {.card = &card, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT, pkg = SM_BUF_INIT, w = SM_BUF_INIT;
    struct sm_pp_template *t;
    struct sm_pp_error e;
    struct dp_session dp;
    struct sim_isdp *p;
    json_t *params;
    uint8_t aid[16];

    (void)state;
    memset(&dp, 0, sizeof(dp));
    sim_policy_default(&pol);
    test_card(&card, &pki, "890010120123412340123456789012");
    create_isdp(&x, &rsp);
    hexbytes(isdp_aid_hex, aid, 16);
    p = sim_card_isdp(&card, aid, 16);
    assert_non_null(p);
    assert_int_equal(p->lcs, SIM_LCS_SELECTABLE);
    key_establishment(&x, &pki.dp_cert, 0x30, &dp);
    assert_int_equal(p->lcs, SIM_LCS_PERSONALIZED);
    open_scp03t(&x, p, &dp);
    /* a template package in 1000-byte segments (as the test eUICC took them) */
    params = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "iccid", "8999900000000000014",
                       "imsi", "001010000000002", "k", "00112233445566778899aabbccddeeff", "opc",
                       "ffeeddccbbaa99887766554433221100", "adm1", "12345678", "impi",
                       "2@ims.example.org", "impu", "sip:2@ims.example.org", "domain",
                       "ims.example.org");
    assert_int_equal(sm_pp_template_shipped("usim-isim-5g", &t, &e), 0);
    assert_int_equal(sm_pp_personalise(t, params, &pkg, &e), 0);
    for (size_t off = 0; off < pkg.len; off += 1000) {
        size_t n = pkg.len - off < 1000 ? pkg.len - off : 1000;
        struct sm_decode_err de;
        uint8_t raw[64], err = 0;
        size_t rn;

        sm_buf_reset(&w);
        assert_int_equal(sm_scp03t_wrap(&dp.s, 0x86, pkg.data + off, n, true, &w), 0);
        rn = hexbytes(scp03t(&x, p, w.data, w.len), raw, sizeof(raw));
        assert_int_equal(sm_scp03t_host_check(&dp.s, 0x86, raw, rn, NULL, &err, &de), 0);
    }
    assert_true(p->installed);
    assert_int_equal(p->lcs, SIM_LCS_DISABLED);
    assert_string_equal(p->iccid, "8999900000000000014");
    assert_int_equal(p->naka, 2);
    /* enable it: the provisioning profile is disabled, a notification (02) is queued */
    {
        char cmd[96];

        snprintf(cmd, sizeof(cmd), "80e28800153a03124f10%s", isdp_aid_hex);
        assert_int_equal(test_apdu(&x, cmd, &rsp), 0x9000);
    }
    assert_int_equal(p->lcs, SIM_LCS_ENABLED);
    assert_int_equal(card.isdp[0].lcs, SIM_LCS_DISABLED);
    assert_int_equal(card.nnotif, 1);
    assert_int_equal(card.notif[0].type, SIM_NOTIF_CHANGE_OK);
    assert_memory_equal(card.notif[0].aid, aid, 16);
    json_decref(params);
    sm_pp_template_free(t);
    sm_buf_free(&rsp);
    sm_buf_clear_free(&pkg);
    sm_buf_free(&w);
    sm_scp03_clear(&dp.s);
    sim_card_free(&card);
}

static void key_establishment_refusals(void **state)
{
    struct sim_policy pol;
    struct sim_card card;
    struct sim_ctx x = {.card = &card, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT, b0 = SM_BUF_INIT, b1 = SM_BUF_INIT;
    struct sm_es8_crt crt;
    uint8_t esk[32], epk[65], rc[16];
    char cmd[96];

    (void)state;
    sim_policy_default(&pol);
    test_card(&card, &pki, "890010120123412340123456789013");
    create_isdp(&x, &rsp);
    /* 3A02 before any certificate */
    sm_es8_crt_default(&crt);
    test_keypair(esk, epk);
    memset(rc, 0, sizeof(rc));
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, pki.dp_sk, 32,
                                        rc, 16, &b1),
                     0);
    assert_int_equal(test_apdu_data(&x, "80e28900", b1.data, b1.len, &rsp), 0x6985);
    /* a block 1 with no block 0 before it: out of sequence */
    assert_int_equal(test_apdu_data(&x, "80e28901", b1.data, b1.len, &rsp), 0x6A86);
    /* INSTALL [for personalization] of an unknown ISD-P */
    assert_int_equal(test_apdu(&x, "80e6200016000010a0000005591010ffffffff8900009900000000", &rsp),
                     0x6A88);
    snprintf(cmd, sizeof(cmd), "80e620001600001%c%s000000", '0', isdp_aid_hex);
    assert_int_equal(test_apdu(&x, cmd, &rsp), 0x9000);
    /* a certificate not signed by the CI: security status */
    assert_int_equal(sm_es8_block0_data(pki.rogue_dp_cert.data, pki.rogue_dp_cert.len, &b0), 0);
    assert_int_equal(test_apdu_data(&x, "80e20900", b0.data, b0.len, &rsp), 0x6982);
    /* an SM-SR certificate where an SM-DP's is due: wrong data */
    sm_buf_reset(&b0);
    assert_int_equal(sm_es8_block0_data(pki.sr_cert.data, pki.sr_cert.len, &b0), 0);
    assert_int_equal(test_apdu_data(&x, "80e20900", b0.data, b0.len, &rsp), 0x6A80);
    /* the right certificate; then a block 1 signed over another challenge: refused, and the
     * challenge is spent (a second try with the right one finds no key establishment) */
    sm_buf_reset(&b0);
    assert_int_equal(sm_es8_block0_data(pki.dp_cert.data, pki.dp_cert.len, &b0), 0);
    assert_int_equal(test_apdu_data(&x, "80e20900", b0.data, b0.len, &rsp), 0x9000);
    memcpy(rc, rsp.data + 2, 16);
    rc[0] ^= 1;
    sm_buf_reset(&b1);
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, pki.dp_sk, 32,
                                        rc, 16, &b1),
                     0);
    assert_int_equal(test_apdu_data(&x, "80e28901", b1.data, b1.len, &rsp), 0x6982);
    rc[0] ^= 1;
    sm_buf_reset(&b1);
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, pki.dp_sk, 32,
                                        rc, 16, &b1),
                     0);
    assert_int_equal(test_apdu_data(&x, "80e28900", b1.data, b1.len, &rsp), 0x6985);
    /* a KVN outside the SCP03 range for an ISD-P */
    assert_int_equal(test_apdu_data(&x, "80e20900", b0.data, b0.len, &rsp), 0x9000);
    memcpy(rc, rsp.data + 2, 16);
    crt.kvn = 0x03;
    sm_buf_reset(&b1);
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, pki.dp_sk, 32,
                                        rc, 16, &b1),
                     0);
    assert_int_equal(test_apdu_data(&x, "80e28901", b1.data, b1.len, &rsp), 0x6A80);
    assert_int_equal(card.isdp[1].lcs, SIM_LCS_SELECTABLE);
    sm_buf_free(&rsp);
    sm_buf_free(&b0);
    sm_buf_free(&b1);
    sim_card_free(&card);
}

static void scp03t_refusals(void **state)
{
    struct sim_policy pol;
    struct sim_card card;
    struct sim_ctx x = {.card = &card, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT, w = SM_BUF_INIT, data = {.secure = true};
    struct sm_decode_err de;
    struct dp_session dp;
    struct sim_isdp *p;
    uint8_t aid[16], raw[256], err = 0;
    size_t rn;

    (void)state;
    memset(&dp, 0, sizeof(dp));
    sim_policy_default(&pol);
    test_card(&card, &pki, "890010120123412340123456789014");
    create_isdp(&x, &rsp);
    hexbytes(isdp_aid_hex, aid, 16);
    p = sim_card_isdp(&card, aid, 16);
    /* no key set yet: 84 answered 9F44 01 03 */
    assert_string_equal(scp03t(&x, p,
                               (const uint8_t *)"\x84\x0a\x30\x00\x01\x02\x03\x04\x05\x06"
                                                "\x07\x08",
                               12),
                        "9f440103");
    key_establishment(&x, &pki.dp_cert, 0x30, &dp);
    /* a key set the ISD-P does not have */
    assert_string_equal(scp03t(&x, p,
                               (const uint8_t *)"\x84\x0a\x31\x00\x01\x02\x03\x04\x05\x06"
                                                "\x07\x08",
                               12),
                        "9f440103");
    /* 86 before 85 */
    assert_string_equal(
        scp03t(&x, p, (const uint8_t *)"\x86\x08\x00\x00\x00\x00\x00\x00\x00\x00", 10), "9f460102");
    open_scp03t(&x, p, &dp);
    /* a segment with a wrong MAC ends the session */
    assert_int_equal(
        sm_scp03t_wrap(&dp.s, 0x86, (const uint8_t *)"\xa0\x03\x80\x01\x02", 5, true, &w), 0);
    w.data[w.len - 1] ^= 1;
    assert_string_equal(scp03t(&x, p, w.data, w.len), "9f460102");
    /* a new session, and a package whose first element is not the header: the answer carries
     * the EUICCResponse (invalid request format), with an R-MAC the SM-DP checks */
    sm_scp03_clear(&dp.s);
    open_scp03t(&x, p, &dp);
    sm_buf_reset(&w);
    assert_int_equal(sm_scp03t_wrap(&dp.s, 0x86,
                                    (const uint8_t *)"\xaa\x07\xa0\x05\x80\x00\x81"
                                                     "\x01\x01",
                                    9, true, &w),
                     0);
    rn = hexbytes(scp03t(&x, p, w.data, w.len), raw, sizeof(raw));
    assert_int_equal(raw[0], 0x86);
    assert_int_equal(sm_scp03t_host_check(&dp.s, 0x86, raw, rn, &data, &err, &de), 0);
    /* 30 { A0 { 30 { 80 01 05 ... } } 81 00 } */
    assert_true(data.len >= 9);
    assert_memory_equal(data.data, "\x30", 1);
    {
        struct sm_tlv resp, list, st, code;

        assert_int_equal(sm_tlv_parse_one(data.data, data.len, &resp, &de), 0);
        assert_int_equal(sm_tlv_find(resp.value, resp.len, 0xA0, &list, &de), 0);
        assert_int_equal(sm_tlv_find(list.value, list.len, 0x30, &st, &de), 0);
        assert_int_equal(sm_tlv_find(st.value, st.len, 0x80, &code, &de), 0);
        assert_int_equal(code.value[0], SIM_PE_INVALID_FORMAT);
    }
    assert_false(p->installed);
    sm_buf_free(&rsp);
    sm_buf_free(&w);
    sm_buf_clear_free(&data);
    sm_scp03_clear(&dp.s);
    sim_card_free(&card);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(recorded_download_replayed),
    cmocka_unit_test(whole_download),
    cmocka_unit_test(key_establishment_refusals),
    cmocka_unit_test(scp03t_refusals),
};

SM_TEST_MAIN(tests, setup, teardown)
