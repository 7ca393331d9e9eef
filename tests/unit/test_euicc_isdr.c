/* SPDX-License-Identifier: Apache-2.0 */
/*
 * euicc-sim, the ISD-R at APDU level: every ES5 function with its refusals (unknown AID, wrong
 * state, POL1, memory, malformed data), notifications and their confirmation, fall-back and
 * roll-back, audit, SM-SR change key sets and their removal, master delete, STORE DATA blocks,
 * and the card state surviving serialisation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "euicc_test_card.h"
#include "install.h"
#include "sm/cipher.h"
#include "sm/es8.h"
#include "sm/json.h"
#include "sm/tlv.h"
#include "smpp/pp.h"

static struct test_pki pki;
static struct sim_policy pol;

#define AID_PROV "a0000005591010ffffffff8900001000"
#define AID_B    "a0000005591010ffffffff8900001100"
#define AID_C    "a0000005591010ffffffff8900001200"
#define AID_NONE "a0000005591010ffffffff8900009900"

static int setup(void **state)
{
    (void)state;
    test_pki_init(&pki);
    sim_policy_default(&pol);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_pki_free(&pki);
    return 0;
}

/* A second profile in ISD-P aid (DISABLED), with POL1 pol1. */
static void preload(struct sim_card *c, const char *aid_hex, const char *iccid, const char *pol1)
{
    struct sm_pp_template *t;
    struct sm_pp_error e;
    struct sm_buf der = SM_BUF_INIT;
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "iccid", iccid, "imsi",
                          "001010000000009", "k", "00112233445566778899aabbccddeeff", "opc",
                          "00112233445566778899aabbccddeeff", "adm1", "12345678", "pol1", pol1);
    uint8_t aid[16];
    char why[200] = "";

    assert_int_equal(sm_hex_decode(aid_hex, aid, 16), 16);
    assert_int_equal(sm_pp_template_shipped("usim-minimal", &t, &e), 0);
    assert_int_equal(sm_pp_personalise(t, p, &der, &e), 0);
    if (sim_card_preload(c, aid, der.data, der.len, why, sizeof(why)))
        printf("preload: %s\n", why);
    assert_non_null(sim_card_isdp(c, aid, 16));
    sm_pp_template_free(t);
    json_decref(p);
    sm_buf_clear_free(&der);
}

static struct sim_isdp *isdp(struct sim_card *c, const char *aid_hex)
{
    uint8_t aid[16];

    assert_int_equal(sm_hex_decode(aid_hex, aid, 16), 16);
    return sim_card_isdp(c, aid, 16);
}

static uint16_t store(struct sim_ctx *x, const char *dgi, const char *aid_hex, struct sm_buf *rsp)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "80e28800153a%s124f10%s", dgi, aid_hex);
    return test_apdu(x, cmd, rsp);
}

static uint16_t create(struct sim_ctx *x, const char *aid_hex, const char *extra_params,
                       struct sm_buf *rsp)
{
    char cmd[256];
    size_t plen = 6 + strlen(extra_params) / 2;

    snprintf(cmd, sizeof(cmd),
             "80e60c00%02zx10a0000005591010ffffffff8900000d0010a0000005591010ffffffff8900000e0010%s"
             "0380c000%02zxc90481020370%s00",
             (size_t)(16 * 3 + 3 + 4 + 1 + plen + 1), aid_hex, plen, extra_params);
    return test_apdu(x, cmd, rsp);
}

static void create_isdp(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT;
    uint32_t before;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789020");
    before = sim_card_mem_free(&c);
    assert_int_equal(create(&x, AID_B, "", &rsp), 0x9000);
    assert_int_equal(rsp.len, 1);
    assert_int_equal(rsp.data[0], 0x00);
    assert_int_equal(isdp(&c, AID_B)->lcs, SIM_LCS_SELECTABLE);
    assert_int_equal(sim_card_mem_free(&c), before - pol.default_quota);
    /* the same AID again; the ISD-R's own AID */
    assert_int_equal(create(&x, AID_B, "", &rsp), 0x6A80);
    assert_int_equal(create(&x, "a0000005591010ffffffff8900000100", "", &rsp), 0x6A80);
    /* a quota larger than the free memory (EF {83 4 bytes}): not enough memory */
    assert_int_equal(create(&x, AID_C, "ef06830400ffffff", &rsp), 0x6A84);
    /* a quota that fits */
    assert_int_equal(create(&x, AID_C, "ef0483021000", &rsp), 0x9000);
    assert_int_equal(isdp(&c, AID_C)->quota, 0x1000);
    /* an unknown load file; a wrong P2; a truncated data field */
    assert_int_equal(test_apdu(&x,
                               "80e60c003f10a0000005591010ffffffff8900000c0010a0000005591010ffffff"
                               "ff8900000e0010a0000005591010ffffffff89000013000380c00006c904810203"
                               "700000",
                               &rsp),
                     0x6A88);
    assert_int_equal(test_apdu(&x, "80e60c01051002030405", &rsp), 0x6A86);
    assert_int_equal(test_apdu(&x, "80e60c00051002030405", &rsp), 0x6A80);
    /* INSTALL with another P1 */
    assert_int_equal(test_apdu(&x, "80e60400051002030405", &rsp), 0x6A86);
    /* the card's ISD-P table is finite */
    for (int i = 0; c.nisdp < SIM_MAX_ISDP; i++) {
        char aid[33];

        snprintf(aid, sizeof(aid), "a0000005591010ffffffff89000020%02x", (unsigned)i & 0xffu);
        assert_int_equal(create(&x, aid, "ef0483020100", &rsp), 0x9000);
    }
    assert_int_equal(create(&x, "a0000005591010ffffffff89000030ff", "ef0483020100", &rsp), 0x6A84);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static void enable_disable_fallback_delete(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789021");
    preload(&c, AID_B, "8999900000000000014", "00");
    assert_int_equal(create(&x, AID_C, "", &rsp), 0x9000);
    /* enable: unknown, not disabled (created only), malformed */
    assert_int_equal(store(&x, "03", AID_NONE, &rsp), 0x6A88);
    assert_int_equal(store(&x, "03", AID_C, &rsp), 0x6985);
    assert_int_equal(store(&x, "03", AID_PROV, &rsp), 0x6985); /* already enabled */
    assert_int_equal(test_apdu(&x, "80e28800053a03024f00", &rsp), 0x6A80);
    assert_int_equal(store(&x, "03", AID_B, &rsp), 0x9000);
    assert_int_equal(isdp(&c, AID_B)->lcs, SIM_LCS_ENABLED);
    assert_int_equal(isdp(&c, AID_PROV)->lcs, SIM_LCS_DISABLED);
    assert_int_equal(c.nnotif, 1);
    assert_int_equal(c.notif[0].type, SIM_NOTIF_CHANGE_OK);
    /* delete: the enabled one and the fall-back one are protected */
    assert_int_equal(test_apdu(&x,
                               "80e4004012"
                               "4f10" AID_B "00",
                               &rsp),
                     0x6985);
    assert_int_equal(test_apdu(&x,
                               "80e4004012"
                               "4f10" AID_PROV "00",
                               &rsp),
                     0x6985);
    assert_int_equal(test_apdu(&x,
                               "80e4004012"
                               "4f10" AID_NONE "00",
                               &rsp),
                     0x6A88);
    /* disable: falls back to the provisioning profile, notification 05 */
    assert_int_equal(store(&x, "04", AID_PROV, &rsp), 0x6985); /* not enabled */
    assert_int_equal(store(&x, "04", AID_B, &rsp), 0x9000);
    assert_int_equal(isdp(&c, AID_B)->lcs, SIM_LCS_DISABLED);
    assert_int_equal(isdp(&c, AID_PROV)->lcs, SIM_LCS_ENABLED);
    assert_int_equal(c.notif[c.nnotif - 1].type, SIM_NOTIF_FALLBACK);
    /* fall-back attribute: not on a profile that is only created, moves otherwise */
    assert_int_equal(store(&x, "05", AID_C, &rsp), 0x6985);
    assert_int_equal(store(&x, "05", AID_NONE, &rsp), 0x6A88);
    assert_int_equal(store(&x, "05", AID_B, &rsp), 0x9000);
    assert_true(isdp(&c, AID_B)->fallback);
    assert_false(isdp(&c, AID_PROV)->fallback);
    /* disable the enabled one with no other fall-back: refused */
    assert_int_equal(store(&x, "05", AID_PROV, &rsp), 0x9000);
    assert_int_equal(store(&x, "04", AID_PROV, &rsp), 0x6985);
    /* delete B now (disabled, not fall-back): memory comes back */
    {
        uint32_t before = sim_card_mem_free(&c), quota = isdp(&c, AID_B)->quota;

        assert_int_equal(test_apdu(&x,
                                   "80e4004012"
                                   "4f10" AID_B "00",
                                   &rsp),
                         0x9000);
        assert_int_equal(rsp.len, 0);
        assert_null(isdp(&c, AID_B));
        assert_int_equal(sim_card_mem_free(&c), before + quota);
    }
    /* a created (empty) ISD-P can be deleted too */
    assert_int_equal(test_apdu(&x,
                               "80e4004012"
                               "4f10" AID_C "00",
                               &rsp),
                     0x9000);
    assert_int_equal(c.nisdp, 1);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static void pol1_rules(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789022");
    /* B: disable not allowed (01); C: delete not allowed (02) */
    preload(&c, AID_B, "8999900000000000014", "01");
    preload(&c, AID_C, "8999900000000000022", "02");
    assert_int_equal(isdp(&c, AID_B)->pol1, 0x01);
    assert_int_equal(test_apdu(&x,
                               "80e4004012"
                               "4f10" AID_C "00",
                               &rsp),
                     0x69E1);
    assert_int_equal(store(&x, "03", AID_B, &rsp), 0x9000);
    /* B cannot be disabled, nor left by enabling C */
    assert_int_equal(store(&x, "04", AID_B, &rsp), 0x69E1);
    assert_int_equal(store(&x, "03", AID_C, &rsp), 0x69E1);
    /* fall-back on lost connectivity ignores POL1 of the profile left */
    assert_int_equal(sim_card_fallback_activate(&x), 0);
    assert_int_equal(isdp(&c, AID_PROV)->lcs, SIM_LCS_ENABLED);
    assert_int_equal(isdp(&c, AID_B)->lcs, SIM_LCS_DISABLED);
    assert_int_equal(c.notif[c.nnotif - 1].type, SIM_NOTIF_FALLBACK);
    /* nothing to fall back to when the fall-back profile is the enabled one */
    assert_int_equal(sim_card_fallback_activate(&x), -ENOENT);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static int count_sent(void *arg, const struct sim_notif *n)
{
    (void)n;
    (*(int *)arg)++;
    return 0;
}

static void notifications(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system, .now_ms = 1000};
    struct sm_buf rsp = SM_BUF_INIT, tlv = SM_BUF_INIT;
    struct sm_decode_err de;
    struct sm_tlv t, f;
    int sent = 0;
    char cmd[64];

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789023");
    /* B deletes itself when disabled (04) */
    preload(&c, AID_B, "8999900000000000014", "04");
    assert_int_equal(store(&x, "03", AID_B, &rsp), 0x9000);
    /* E1 {4C EID, 4D 02, 4E seq, 4F AID, 14 IMEI} */
    assert_int_equal(sim_notif_encode(&c, &pol, &c.notif[0], &tlv), 0);
    assert_int_equal(sm_tlv_parse_one(tlv.data, tlv.len, &t, &de), 0);
    assert_int_equal(t.tag, 0xE1);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x4D, &f, &de), 0);
    assert_int_equal(f.value[0], 0x02);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x4F, &f, &de), 0);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x14, &f, &de), 0);
    assert_int_equal(f.len, 8);
    assert_int_equal(f.value[0], 0x3A); /* first IMEI digit 3, odd, type IMEI */
    /* sent when due, again after the retry interval */
    assert_int_equal(sim_card_tick(&x, 5, 30000, count_sent, &sent), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(sim_card_tick(&x, 5, 30000, count_sent, &sent), 0);
    assert_int_equal(sent, 1);
    x.now_ms += 30000;
    assert_int_equal(sim_card_tick(&x, 5, 30000, count_sent, &sent), 0);
    assert_int_equal(sent, 2);
    /* confirmation: unknown sequence number, then the right one */
    assert_int_equal(test_apdu(&x, "80e28900073a08044e020099", &rsp), 0x6A88);
    snprintf(cmd, sizeof(cmd), "80e28900073a08044e02%04x", c.notif[0].seq);
    assert_int_equal(test_apdu(&x, cmd, &rsp), 0x9000);
    assert_int_equal(rsp.len, 0);
    assert_int_equal(c.nnotif, 0);
    /* disable B: the confirmation of that change deletes it and names it */
    assert_int_equal(store(&x, "04", AID_B, &rsp), 0x9000);
    snprintf(cmd, sizeof(cmd), "80e28900073a08044e02%04x", c.notif[0].seq);
    assert_int_equal(test_apdu(&x, cmd, &rsp), 0x9000);
    assert_int_equal(rsp.len, 20);
    assert_memory_equal(rsp.data, "\x80\x12\x4f\x10", 4);
    assert_null(isdp(&c, AID_B));
    sm_buf_free(&rsp);
    sm_buf_free(&tlv);
    sim_card_free(&c);
}

static void rollback_when_never_confirmed(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system, .now_ms = 0};
    struct sm_buf rsp = SM_BUF_INIT;
    int sent = 0;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789024");
    preload(&c, AID_B, "8999900000000000014", "00");
    assert_int_equal(store(&x, "03", AID_B, &rsp), 0x9000);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sim_card_tick(&x, 3, 1000, count_sent, &sent), 0);
        x.now_ms += 1000;
    }
    assert_int_equal(sent, 3);
    assert_int_equal(isdp(&c, AID_B)->lcs, SIM_LCS_ENABLED);
    /* the fourth time: given up, back to the provisioning profile, type 03 */
    assert_int_equal(sim_card_tick(&x, 3, 1000, count_sent, &sent), 0);
    assert_int_equal(isdp(&c, AID_B)->lcs, SIM_LCS_DISABLED);
    assert_int_equal(isdp(&c, AID_PROV)->lcs, SIM_LCS_ENABLED);
    assert_int_equal(c.nnotif, 1);
    assert_int_equal(c.notif[0].type, SIM_NOTIF_CHANGE_FAILED);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static void audit(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT;
    struct sm_decode_err de;
    struct sm_tlv t, f;
    size_t pos = 0;
    uint32_t free_nvm;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789025");
    assert_int_equal(create(&x, AID_B, "", &rsp), 0x9000);
    assert_int_equal(test_apdu(&x, "80caff2100", &rsp), 0x9000);
    assert_int_equal(sm_tlv_parse_one(rsp.data, rsp.len, &t, &de), 0);
    assert_int_equal(t.tag, 0xFF21);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x81, &f, &de), 0);
    assert_int_equal(f.value[0], 2);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x82, &f, &de), 0);
    assert_int_equal(f.len, 4);
    free_nvm = (uint32_t)f.value[0] << 24 | f.value[1] << 16 | f.value[2] << 8 | f.value[3];
    assert_int_equal(free_nvm, sim_card_mem_free(&c));
    assert_int_equal(test_apdu(&x, "80cabf30035c016600", &rsp), 0x6A88);
    /* GET STATUS of one ISD-P: E3 {4F, 9F70}; with a tag list; all; unknown */
    assert_int_equal(test_apdu(&x, "80f24002174f10" AID_PROV "5c034f9f7000", &rsp), 0x9000);
    assert_int_equal(sm_tlv_parse_one(rsp.data, rsp.len, &t, &de), 0);
    assert_int_equal(t.tag, 0xE3);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x9F70, &f, &de), 0);
    assert_int_equal(f.value[0], SIM_LCS_ENABLED);
    assert_int_equal(test_apdu(&x, "80f24002184f10" AID_PROV "5c044f9f705300", &rsp), 0x9000);
    assert_int_equal(sm_tlv_parse_one(rsp.data, rsp.len, &t, &de), 0);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x53, &f, &de), 0);
    assert_int_equal(f.value[0], 0x01); /* fall-back */
    assert_int_equal(test_apdu(&x, "80f24002074f005c034f9f7000", &rsp), 0x9000);
    for (int n = 0; n < 2; n++)
        assert_int_equal(sm_tlv_next(rsp.data, rsp.len, &pos, &t, &de), 0);
    assert_int_equal(pos, rsp.len);
    assert_int_equal(test_apdu(&x, "80f24002174f10" AID_NONE "5c034f9f7000", &rsp), 0x6A88);
    assert_int_equal(test_apdu(&x, "80f28002024f0000", &rsp), 0x6A86);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static void smsr_change_keysets(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT, b0 = SM_BUF_INIT, b1 = SM_BUF_INIT;
    struct sm_es8_crt crt;
    uint8_t esk[32], epk[65], rc[16];

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789026");
    /* addressing parameters */
    assert_int_equal(test_apdu(&x, "80e288000c3a0709a30781050685214365", &rsp), 0x9000);
    assert_int_equal(c.smsr_addr_len, 7);
    assert_int_equal(test_apdu(&x, "80e28800043a070201ff", &rsp), 0x6A80);
    /* EstablishISDRKeySet with the new SM-SR's certificate: KVN 02 appears */
    assert_int_equal(sm_es8_block0_data(pki.sr_cert.data, pki.sr_cert.len, &b0), 0);
    assert_int_equal(test_apdu_data(&x, "80e20900", b0.data, b0.len, &rsp), 0x9000);
    memcpy(rc, rsp.data + 2, 16);
    test_keypair(esk, epk);
    sm_es8_crt_default(&crt);
    crt.kvn = 0x02;
    crt.seq_counter_len = 5;
    memset(crt.seq_counter, 0, 5);
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, pki.sr_sk, 32,
                                        rc, 16, &b1),
                     0);
    assert_int_equal(test_apdu_data(&x, "80e28901", b1.data, b1.len, &rsp), 0x9000);
    assert_int_equal(rsp.data[0], 0x86);
    assert_non_null(sim_card_ks80(&c, 0x02));
    assert_int_equal(c.nks80, 2);
    /* FinaliseISDRhandover: the old set goes; the last one cannot */
    assert_int_equal(test_apdu(&x, "80e4000005f203090103", &rsp), 0x6A88);
    assert_int_equal(test_apdu(&x, "80e4000005f20301010300", &rsp), 0x9000);
    assert_null(sim_card_ks80(&c, 0x01));
    assert_int_equal(test_apdu(&x, "80e4000005f20302010300", &rsp), 0x6985);
    assert_int_equal(test_apdu(&x, "80e4000003f201ff", &rsp), 0x6A80);
    sm_buf_free(&rsp);
    sm_buf_free(&b0);
    sm_buf_free(&b1);
    sim_card_free(&c);
}

/* The new SM-SR's SCP81 key set: block 1 alone, no certificate, no signature (es8 spec 1.6). */
static struct sm_buf scp81_block(uint8_t scenario, uint8_t usage, uint8_t type, uint8_t kvn,
                                 const uint8_t epk[65])
{
    struct sm_buf b = SM_BUF_INIT;
    struct sm_es8_crt crt;

    sm_es8_crt_default(&crt);
    crt.scenario_param = scenario;
    crt.key_usage = usage;
    crt.key_type = type;
    crt.kvn = kvn;
    assert_int_equal(sm_es8_block1_unsigned(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, &b), 0);
    return b;
}

/* The SW of the SCP81 block (scp81_block's parameters) sent to the card. */
static uint16_t send81(struct sim_ctx *x, uint8_t scenario, uint8_t usage, uint8_t type,
                       uint8_t kvn, const uint8_t epk[65], struct sm_buf *rsp)
{
    struct sm_buf b = scp81_block(scenario, usage, type, kvn, epk);
    uint16_t sw = (uint16_t)test_apdu_data(x, "80e28900", b.data, b.len, rsp);

    sm_buf_free(&b);
    return sw;
}

static void smsr_scp81_key_set(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT, b;
    struct sm_es8_keys keys;
    struct sm_es8_crt crt;
    uint8_t esk[32], epk[65], shs[32], info[8], receipt[16];
    size_t infolen = sizeof(info);
    unsigned nks80;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789026");
    test_keypair(esk, epk);
    nks80 = c.nks80;
    assert_int_equal(c.npsk, 1);
    /* KVN 41: 86 10 receipt over the CRT with the receipt key; the PSK is the next 16 bytes */
    b = scp81_block(0x00, 0x5C, 0x85, 0x41, epk);
    assert_int_equal(test_apdu_data(&x, "80e28900", b.data, b.len, &rsp), 0x9000);
    assert_int_equal(rsp.len, 18);
    assert_int_equal(rsp.data[0], 0x86);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, esk, 32, c.ecasd_pk, c.ecasd_pk_len, shs, 32), 0);
    assert_int_equal(sm_es8_crt_decode(b.data + 3, b.data[2], &crt, NULL), 0);
    assert_int_equal(sm_es8_shared_info(&crt, info, &infolen), 0);
    assert_memory_equal(info, "\x5c\x85\x10", 3);
    assert_int_equal(sm_es8_derive(shs, 32, info, infolen, &keys), 0);
    assert_int_equal(sm_es8_receipt(keys.receipt_key, b.data + 3, b.data[2], NULL, 0, receipt), 0);
    assert_memory_equal(rsp.data + 2, receipt, 16);
    assert_int_equal(c.npsk, 2);
    assert_int_equal(c.psk[1].kvn, 0x41);
    assert_memory_equal(c.psk[1].psk, keys.k_enc, 16);
    /* the same KVN again: only with the replace bit (01) */
    assert_int_equal(test_apdu_data(&x, "80e28900", b.data, b.len, &rsp), 0x6985);
    sm_buf_free(&b);
    assert_int_equal(send81(&x, 0x01, 0x5C, 0x85, 0x41, epk, &rsp), 0x9000);
    assert_int_equal(c.npsk, 2);
    /* an SCP80 set, or one claiming a certificate, without block 0 and a signature: refused */
    assert_int_equal(send81(&x, 0x09, 0x10, 0x88, 0x02, epk, &rsp), 0x6985);
    assert_int_equal(c.nks80, nks80);
    assert_int_equal(send81(&x, 0x08, 0x5C, 0x85, 0x42, epk, &rsp), 0x6985);
    assert_int_equal(send81(&x, 0x00, 0x10, 0x88, 0x02, epk, &rsp), 0x6A80);
    /* outside 40-4F, DR or HostID asked for */
    assert_int_equal(send81(&x, 0x00, 0x5C, 0x85, 0x30, epk, &rsp), 0x6A80);
    assert_int_equal(send81(&x, 0x02, 0x5C, 0x85, 0x42, epk, &rsp), 0x6A80);
    assert_int_equal(c.npsk, 2);
    /* no room left */
    for (uint8_t kvn = 0x42; c.npsk < SIM_MAX_PSK; kvn++)
        assert_int_equal(send81(&x, 0x00, 0x5C, 0x85, kvn, epk, &rsp), 0x9000);
    assert_int_equal(send81(&x, 0x00, 0x5C, 0x85, 0x4F, epk, &rsp), 0x6A84);
    sm_es8_keys_clear(&keys);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static void master_delete(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT;
    uint8_t cmd[128], key[16], mac[16];
    size_t n = 0, signed_len;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789027");
    preload(&c, AID_B, "8999900000000000014", "02"); /* delete not allowed */
    memset(key, 0x42, 16);
    /* 4F 10 AID B6 {42 01 01 45 01 01 5F20 01 01 93 01 01} 9E 10 token */
    n += (size_t)sm_hex_decode("4f10" AID_B "b60d4201014501015f200101930101", cmd, sizeof(cmd));
    signed_len = n;
    {
        uint8_t in[128];

        in[0] = 0x00;
        in[1] = 0x40;
        in[2] = (uint8_t)signed_len;
        memcpy(in + 3, cmd, signed_len);
        assert_int_equal(sm_aes_cmac(key, 16, in, signed_len + 3, mac), 0);
    }
    cmd[n++] = 0x9E;
    cmd[n++] = 16;
    memcpy(cmd + n, mac, 16);
    n += 16;
    /* no token key loaded yet */
    assert_int_equal(test_apdu_data(&x, "80e40040", cmd, n, &rsp), 0x6982);
    isdp(&c, AID_B)->has_token_key = true;
    memcpy(isdp(&c, AID_B)->token_key, key, 16);
    cmd[n - 1] ^= 1;
    assert_int_equal(test_apdu_data(&x, "80e40040", cmd, n, &rsp), 0x6982);
    cmd[n - 1] ^= 1;
    assert_int_equal(test_apdu_data(&x, "80e40040", cmd, n, &rsp), 0x9000);
    assert_null(isdp(&c, AID_B));
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static void store_data_blocks_and_dispatch(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf rsp = SM_BUF_INIT;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789028");
    preload(&c, AID_B, "8999900000000000014", "00");
    /* one DGI over two blocks: 3A05 12 4F 10 <AID> split after 6 bytes */
    assert_int_equal(test_apdu(&x, "80e20800063a05124f10a0", &rsp), 0x9000);
    assert_false(isdp(&c, AID_B)->fallback);
    assert_int_equal(test_apdu(&x,
                               "80e28801"
                               "0f"
                               "000005591010ffffffff8900001100",
                               &rsp),
                     0x9000);
    assert_true(isdp(&c, AID_B)->fallback);
    /* a block out of sequence; a format other than DGI; an unknown DGI */
    assert_int_equal(test_apdu(&x, "80e28803053a05024f00", &rsp), 0x6A86);
    assert_int_equal(test_apdu(&x, "80e28000053a05024f00", &rsp), 0x6A86);
    assert_int_equal(test_apdu(&x, "80e28800043a990100", &rsp), 0x6A88);
    /* an incomplete DGI in the last block */
    assert_int_equal(test_apdu(&x, "80e28800043a051200", &rsp), 0x6A80);
    /* not GlobalPlatform; an instruction the ISD-R does not have */
    assert_int_equal(test_apdu(&x, "00a4040000", &rsp), 0x6E00);
    assert_int_equal(test_apdu(&x, "80aa000000", &rsp), 0x6D00);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static void state_serialisation(void **state)
{
    struct sim_card c, d;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_buf a = {.secure = true}, b = {.secure = true}, rsp = SM_BUF_INIT;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789029");
    preload(&c, AID_B, "8999900000000000014", "03");
    assert_int_equal(store(&x, "03", AID_B, &rsp), 0x9000);
    assert_int_equal(sim_card_serialise(&c, &a), 0);
    assert_int_equal(sim_card_deserialise(a.data, a.len, &d), 0);
    assert_int_equal(sim_card_serialise(&d, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_string_equal(d.eid, c.eid);
    assert_int_equal(d.nisdp, 2);
    assert_int_equal(d.nnotif, 1);
    assert_int_equal(d.isdp[1].pol1, 0x03);
    assert_memory_equal(d.ks80[0].kic, c.ks80[0].kic, 16);
    sim_card_free(&d);
    /* truncations: inside a TLV refused, at a boundary a (smaller) card; never a crash. The
     * keystore's AES-GCM wrapping is what protects a stored blob from being cut or altered. */
    {
        unsigned refused = 0;

        for (size_t cut = 0; cut < a.len; cut += 7) {
            if (sim_card_deserialise(a.data, cut, &d))
                refused++;
            else
                sim_card_free(&d);
        }
        assert_true(refused > a.len / 7 / 2);
    }
    /* a state of another version */
    assert_int_equal(a.data[0], 0xDF);
    a.data[3] = 2;
    assert_int_equal(sim_card_deserialise(a.data, a.len, &d), -EBADMSG);
    sm_buf_clear_free(&a);
    sm_buf_clear_free(&b);
    sm_buf_free(&rsp);
    sim_card_free(&c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(create_isdp),
    cmocka_unit_test(enable_disable_fallback_delete),
    cmocka_unit_test(pol1_rules),
    cmocka_unit_test(notifications),
    cmocka_unit_test(rollback_when_never_confirmed),
    cmocka_unit_test(audit),
    cmocka_unit_test(smsr_change_keysets),
    cmocka_unit_test(smsr_scp81_key_set),
    cmocka_unit_test(master_delete),
    cmocka_unit_test(store_data_blocks_and_dispatch),
    cmocka_unit_test(state_serialisation),
};

SM_TEST_MAIN(tests, setup, teardown)
