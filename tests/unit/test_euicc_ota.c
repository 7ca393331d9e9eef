/* SPDX-License-Identifier: Apache-2.0 */
/*
 * euicc-sim, ES5 over SMS-PP (tools/euicc-sim/ota.c): SCP80 secured packets as the SM-SR sends
 * them (built with the project's SCP80 code, which passes the published vectors), the card's
 * security rules (minimum level, checksum, replayed counters, unknown TAR), every PoR form SPI2
 * asks for, concatenated messages, the HTTPS trigger, and notifications as MO SMS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "euicc_test_card.h"
#include "ota.h"
#include "sm/scp80.h"
#include "sm/sms.h"
#include "sm/tlv.h"

static struct test_pki pki;
static struct sim_policy pol;

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

/* SMS-DELIVER(s) from the SM-SR (+4479000001) with one command packet to tar. */
static unsigned make_sms(struct sim_card *c, const uint8_t spi[2], const uint8_t tar[3],
                         uint64_t cntr, const uint8_t *data, size_t len, bool corrupt_cc,
                         struct sm_buf *tpdus, size_t max)
{
    struct sm_scp80_header h = {.spi = {spi[0], spi[1]}, .kic = 0x12, .kid = 0x12};
    struct sm_scp80_keys keys = {c->ks80[0].kic, 16, c->ks80[0].kid, 16};
    struct sm_buf pkt = SM_BUF_INIT, parts[8];
    uint8_t cb[5];
    int n;

    memcpy(h.tar, tar, 3);
    sm_scp80_cntr_bytes(cntr, cb);
    assert_int_equal(sm_scp80_wrap_command(&h, cb, &keys, data, len, &pkt), 0);
    if (corrupt_cc)
        pkt.data[pkt.len - 1] ^= 0x01;
    memset(parts, 0, sizeof(parts));
    n = sm_sms_split_packet(pkt.data, pkt.len, false, 7, parts, 8);
    assert_true(n > 0 && (size_t)n <= max);
    for (int i = 0; i < n; i++) {
        struct sm_sms_deliver d = {
            .udhi = true, .pid = 0x7F, .dcs = 0xF6, .scts = {26, 12, 4, 12, 0, 0, 4}};

        d.oa.ton_npi = 0x91;
        snprintf(d.oa.digits, sizeof(d.oa.digits), "4479000001");
        d.ud = parts[i].data;
        d.ud_len = parts[i].len;
        sm_buf_reset(&tpdus[i]);
        assert_int_equal(sm_sms_deliver_encode(&d, &tpdus[i]), 0);
        sm_buf_free(&parts[i]);
    }
    sm_buf_free(&pkt);
    return (unsigned)n;
}

static const uint8_t tar_isdr[3] = {0x00, 0x00, 0x01};

/* Deliver to the card; the result of the last part. */
static void deliver(struct sim_ctx *x, struct sm_sms_reasm *ra, struct sm_buf *tpdus, unsigned n,
                    struct sim_ota_result *r)
{
    for (unsigned i = 0; i < n; i++) {
        if (i)
            sim_ota_result_free(r);
        assert_int_equal(sim_ota_sms_deliver(x, ra, tpdus[i].data, tpdus[i].len, 100, r), 0);
        if (i + 1 < n)
            assert_true(r->awaiting);
    }
}

/* The PoR of an SMS-SUBMIT: user data with its UDH (02 71 00 ...). */
static void submit_ud(const struct sm_buf *tpdu, struct sm_buf *ud, char *to, size_t tolen)
{
    struct sm_sms_submit s;
    struct sm_decode_err de;

    assert_int_equal(sm_sms_submit_decode(tpdu->data, tpdu->len, &s, &de), 0);
    assert_int_equal(s.pid, 0x7F);
    assert_int_equal(s.dcs, 0xF6);
    assert_true(s.udhi);
    snprintf(to, tolen, "%s", s.da.digits);
    sm_buf_reset(ud);
    assert_int_equal(sm_buf_append(ud, s.ud, s.ud_len), 0);
}

static void por_forms(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_sms_reasm *ra = sm_sms_reasm_new(8, 60);
    struct sm_buf tp[4] = {0}, ud = SM_BUF_INIT;
    struct sim_ota_result r;
    struct sm_scp80_por p;
    struct sm_decode_err de;
    static const uint8_t get_data[] = {0xAA, 0x07, 0x22, 0x05, 0x80, 0xCA, 0xFF, 0x21, 0x00};
    char to[24];
    unsigned n;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789030");
    /* SPI 16 21: PoR always, unprotected, in an SMS-SUBMIT (the form a test card answered) */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x21}, tar_isdr, 1, get_data, sizeof(get_data), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.por_status, SM_POR_OK);
    assert_int_equal(r.nmo, 1);
    submit_ud(&r.mo[0], &ud, to, sizeof(to));
    assert_string_equal(to, "4479000001");
    /* 02 71 00 | RPL | 0A | 000001 | CNTR | 00 | 00 | AB .. 80 01 01 23 .. FF21 .. 9000 */
    assert_memory_equal(ud.data, "\x02\x71\x00", 3);
    assert_int_equal(ud.data[5], 0x0A);
    assert_memory_equal(ud.data + 6, tar_isdr, 3);
    assert_memory_equal(ud.data + 9, "\x00\x00\x00\x00\x01", 5);
    assert_int_equal(ud.data[15], 0x00);
    assert_int_equal(ud.data[16], 0xAB);
    assert_memory_equal(ud.data + 18, "\x80\x01\x01\x23", 4);
    assert_memory_equal(ud.data + ud.len - 2, "\x90\x00", 2);
    assert_int_equal(c.ks80[0].cntr, 1);
    sim_ota_result_free(&r);
    /* SPI 16 39: PoR always, with CC, ciphered, in an SMS-SUBMIT (Njiwa's choice) */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x39}, tar_isdr, 2, get_data, sizeof(get_data), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    submit_ud(&r.mo[0], &ud, to, sizeof(to));
    {
        struct sm_scp80_keys keys = {c.ks80[0].kic, 16, c.ks80[0].kid, 16};

        assert_int_equal(sm_scp80_unwrap_por((const uint8_t[]){0x16, 0x39}, 0x12, 0x12, &keys,
                                             ud.data, ud.len, &p, &de),
                         0);
    }
    assert_int_equal(p.status, SM_POR_OK);
    assert_true(p.protected_cc);
    assert_true(p.deciphered);
    assert_int_equal(p.data.data[0], 0xAB);
    sm_scp80_por_free(&p);
    sim_ota_result_free(&r);
    /* SPI2 01: the PoR goes in the SMS-DELIVER-REPORT */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x01}, tar_isdr, 3, get_data, sizeof(get_data), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.nmo, 0);
    assert_true(r.report.len > 3);
    assert_memory_equal(r.report.data, "\x02\x71\x00", 3);
    sim_ota_result_free(&r);
    /* SPI2 00 (no PoR) and 02 (on error only, none needed) */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x00}, tar_isdr, 4, get_data, sizeof(get_data), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.nmo + r.report.len, 0);
    sim_ota_result_free(&r);
    n = make_sms(&c, (const uint8_t[]){0x16, 0x22}, tar_isdr, 5, get_data, sizeof(get_data), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.nmo + r.report.len, 0);
    assert_int_equal(c.ks80[0].cntr, 5);
    sim_ota_result_free(&r);
    for (int i = 0; i < 4; i++)
        sm_buf_free(&tp[i]);
    sm_buf_free(&ud);
    sm_sms_reasm_free(ra);
    sim_card_free(&c);
}

static void security_rules(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_sms_reasm *ra = sm_sms_reasm_new(8, 60);
    struct sm_buf tp[4] = {0}, ud = SM_BUF_INIT;
    struct sim_ota_result r;
    static const uint8_t disable[] = {0xAA, 0x1C, 0x22, 0x1A, 0x80, 0xE2, 0x88, 0x00,
                                      0x15, 0x3A, 0x05, 0x12, 0x4F, 0x10, 0xA0, 0x00,
                                      0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF,
                                      0xFF, 0x89, 0x00, 0x00, 0x10, 0x00, 0x00};
    char to[24];
    unsigned n;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789031");
    /* below the minimum security: no ciphering (SPI1 12) / no counter (06): dropped */
    n = make_sms(&c, (const uint8_t[]){0x12, 0x21}, tar_isdr, 1, disable, sizeof(disable), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_true(r.dropped);
    assert_int_equal(r.nmo, 0);
    sim_ota_result_free(&r);
    n = make_sms(&c, (const uint8_t[]){0x06, 0x21}, tar_isdr, 1, disable, sizeof(disable), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_true(r.dropped);
    sim_ota_result_free(&r);
    /* a wrong checksum: no PoR, nothing executed, counter unchanged */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x21}, tar_isdr, 1, disable, sizeof(disable), true, tp,
                 4);
    deliver(&x, ra, tp, n, &r);
    assert_true(r.dropped);
    assert_int_equal(c.ks80[0].cntr, 0);
    sim_ota_result_free(&r);
    /* executed once (fall-back attribute set again: 9000 inside the PoR) */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x21}, tar_isdr, 7, disable, sizeof(disable), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.por_status, SM_POR_OK);
    assert_int_equal(c.ks80[0].cntr, 7);
    sim_ota_result_free(&r);
    /* replayed (same counter) and older: PoR status 02, not executed */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x21}, tar_isdr, 7, disable, sizeof(disable), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.por_status, SM_POR_CNTR_LOW);
    submit_ud(&r.mo[0], &ud, to, sizeof(to));
    assert_int_equal(ud.data[15], SM_POR_CNTR_LOW);
    assert_int_equal(ud.len, 16); /* no response data */
    sim_ota_result_free(&r);
    /* counter mode "exactly one more" (SPI1 1E): 9 after 7 is too high (03) */
    n = make_sms(&c, (const uint8_t[]){0x1E, 0x21}, tar_isdr, 9, disable, sizeof(disable), false,
                 tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.por_status, SM_POR_CNTR_HIGH);
    sim_ota_result_free(&r);
    /* an unknown TAR: PoR 09, unprotected */
    n = make_sms(&c, (const uint8_t[]){0x16, 0x39}, (const uint8_t[]){0xB0, 0x00, 0x11}, 8, disable,
                 sizeof(disable), false, tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.por_status, SM_POR_TAR_UNKNOWN);
    sim_ota_result_free(&r);
    /* not data download (PID 00): the card does not see it */
    {
        struct sm_sms_deliver d = {.udhi = false,
                                   .pid = 0x00,
                                   .dcs = 0xF6,
                                   .scts = {26, 12, 4, 12, 0, 0, 4},
                                   .ud = (const uint8_t *)"hello",
                                   .ud_len = 5};
        struct sm_buf t = SM_BUF_INIT;

        d.oa.ton_npi = 0x91;
        snprintf(d.oa.digits, sizeof(d.oa.digits), "123");
        assert_int_equal(sm_sms_deliver_encode(&d, &t), 0);
        assert_int_equal(sim_ota_sms_deliver(&x, ra, t.data, t.len, 100, &r), 0);
        assert_true(r.dropped);
        sim_ota_result_free(&r);
        /* garbage TPDUs: dropped, never a crash */
        for (size_t cut = 0; cut < tp[0].len; cut++) {
            assert_int_equal(sim_ota_sms_deliver(&x, ra, tp[0].data, cut, 100, &r), 0);
            sim_ota_result_free(&r);
        }
        sm_buf_free(&t);
    }
    for (int i = 0; i < 4; i++)
        sm_buf_free(&tp[i]);
    sm_buf_free(&ud);
    sm_sms_reasm_free(ra);
    sim_card_free(&c);
}

static void concatenated_and_trigger(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sm_sms_reasm *ra = sm_sms_reasm_new(8, 60);
    struct sm_buf tp[4] = {0}, script = SM_BUF_INIT;
    struct sim_ota_result r;
    unsigned n;
    uint8_t raw[200];
    size_t rn;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789032");
    /* CreateISDP and a GET STATUS in one expanded script: longer than one SMS */
    rn = (size_t)sm_hex_decode("80e60c003f10a0000005591010ffffffff8900000d0010a0000005591010ffff"
                               "ffff8900000e0010a0000005591010ffffffff89000011000380c00006c90481"
                               "02037000",
                               raw, sizeof(raw));
    sm_buf_append(&script, "\xaa\x00", 2);
    sm_tlv_put(&script, 0x22, raw, rn);
    rn = (size_t)sm_hex_decode("80f24002174f10a0000005591010ffffffff89000011005c034f9f7000", raw,
                               sizeof(raw));
    sm_tlv_put(&script, 0x22, raw, rn);
    script.data[1] = (uint8_t)(script.len - 2);
    n = make_sms(&c, (const uint8_t[]){0x16, 0x21}, tar_isdr, 1, script.data, script.len, false, tp,
                 4);
    assert_int_equal(n, 2);
    deliver(&x, ra, tp, n, &r);
    assert_int_equal(r.por_status, SM_POR_OK);
    assert_int_equal(c.nisdp, 2);
    sim_ota_result_free(&r);
    /* the HTTPS trigger: secured data 81 ..., asked for with a PoR on error only */
    rn = (size_t)sm_hex_decode("8110830e840c350103390205003c03021f90", raw, sizeof(raw));
    n = make_sms(&c, (const uint8_t[]){0x16, 0x22}, tar_isdr, 2, raw, rn, false, tp, 4);
    deliver(&x, ra, tp, n, &r);
    assert_true(r.push);
    assert_int_equal(r.push_params.len, rn);
    assert_int_equal(r.nmo, 0);
    sim_ota_result_free(&r);
    for (int i = 0; i < 4; i++)
        sm_buf_free(&tp[i]);
    sm_buf_free(&script);
    sm_sms_reasm_free(ra);
    sim_card_free(&c);
}

static void notification_sms(void **state)
{
    struct sim_card c;
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};
    struct sim_ota_result r;
    struct sm_buf ud = SM_BUF_INIT;
    struct sm_scp80_command cmd;
    struct sm_decode_err de;
    struct sim_notif *nt;
    char to[24];
    uint8_t status;

    (void)state;
    test_card(&c, &pki, "890010120123412340123456789033");
    nt = sim_card_notify(&c, SIM_NOTIF_FIRST_ATTACH, sim_aid_provisioning, 0);
    sim_ota_result_init(&r);
    assert_int_equal(sim_ota_notification_sms(&x, nt, "+4479000001", &r), 0);
    assert_int_equal(r.nmo, 1);
    submit_ud(&r.mo[0], &ud, to, sizeof(to));
    assert_string_equal(to, "4479000001");
    /* 02 70 00 | CPL | 15 | SPI 02 00 | KIc 10 | KID 12 | TAR 000001 | ... | E1 ... */
    assert_memory_equal(ud.data, "\x02\x70\x00", 3);
    assert_memory_equal(ud.data + 5, "\x15\x02\x00\x10\x12\x00\x00\x01", 8);
    {
        struct sm_scp80_keys keys = {c.ks80[0].kic, 16, c.ks80[0].kid, 16};

        assert_int_equal(
            sm_scp80_unwrap_command(ud.data + 3, ud.len - 3, &keys, &cmd, &status, &de), 0);
    }
    assert_int_equal(cmd.data.data[0], 0xE1);
    sm_scp80_command_free(&cmd);
    sim_ota_result_free(&r);
    sm_buf_free(&ud);
    sim_card_free(&c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(por_forms),
    cmocka_unit_test(security_rules),
    cmocka_unit_test(concatenated_and_trigger),
    cmocka_unit_test(notification_sms),
};

SM_TEST_MAIN(tests, setup, teardown)
