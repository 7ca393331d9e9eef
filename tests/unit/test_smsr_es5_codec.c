/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM-SR's ES5 scripts and the card answers it reads (smsr/es5_commands.c), against bytes
 * recorded from other implementations and a card vendor's test eUICC (es5-secure-channels 1.2,
 * 1.3: [V-card] commands and answers, WHTY's SMS form of the notification confirmation, its
 * card-like notification sample).
 */
#include <errno.h>
#include <string.h>

#include "../sm_test.h"
#include "../../smsr/es5_commands.h"
#include "sm/hex.h"

static size_t hex(const char *h, uint8_t *out, size_t max)
{
    ssize_t n = sm_hex_decode(h, out, max);

    assert_true(n >= 0);
    return (size_t)n;
}

static void expect_bytes(const struct sm_buf *b, const char *h)
{
    uint8_t want[512];
    size_t n = hex(h, want, sizeof(want));

    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static const uint8_t aid13[16] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                  0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x13, 0x00};

static void commands(void **state)
{
    struct sm_buf b = SM_BUF_INIT;
    uint8_t two[2][16];

    (void)state;
    /* EnableProfile 80 E2 88 00 15 3A03 12 4F 10 <AID> [V-card] in AA L {22 L ...} */
    assert_int_equal(smsr_es5_profile_command(SMSR_DGI_ENABLE, aid13, &b), 0);
    expect_bytes(&b, "AA1C221A"
                     "80E2880015"
                     "3A03124F10A0000005591010FFFFFFFF8900001300");
    sm_buf_reset(&b);
    assert_int_equal(smsr_es5_profile_command(SMSR_DGI_DISABLE, aid13, &b), 0);
    expect_bytes(&b, "AA1C221A"
                     "80E2880015"
                     "3A04124F10A0000005591010FFFFFFFF8900001300");
    sm_buf_reset(&b);
    /* DeleteProfile 80 E4 00 40 12 4F 10 <AID> 00 [V-card] */
    assert_int_equal(smsr_es5_delete_command(aid13, &b), 0);
    expect_bytes(&b, "AA1A2218"
                     "80E4004012"
                     "4F10A0000005591010FFFFFFFF8900001300"
                     "00");
    sm_buf_reset(&b);
    /* NotificationConfirmation as WHTY sent it over SMS: AA 0F 22 0D 80E28900073A08044E02<seq>00 */
    assert_int_equal(smsr_es5_confirm_command(0x0001, &b), 0);
    expect_bytes(&b, "AA0F220D80E28900073A08044E02000100");
    sm_buf_reset(&b);
    /* Audit: GET DATA FF21 [V-card] and a GET STATUS per ISD-P */
    memcpy(two[0], aid13, 16);
    memcpy(two[1], aid13, 16);
    two[1][14] = 0x10;
    assert_int_equal(smsr_es5_audit_command((const uint8_t(*)[16])two, 2, &b), 0);
    expect_bytes(&b, "AA"
                     "47"
                     "2205"
                     "80CAFF2100"
                     "221E"
                     "80F2400218"
                     "4F10A0000005591010FFFFFFFF8900001300"
                     "5C044F9F7053"
                     "00"
                     "221E"
                     "80F2400218"
                     "4F10A0000005591010FFFFFFFF8900001000"
                     "5C044F9F7053"
                     "00");
    sm_buf_free(&b);
}

/* SM-SR change (es5-secure-channels 1.2, es8 spec 1.1): the key establishment blocks SM-SR1
 * relays, the finalisation SM-SR2 sends, and the card's answers. */
static void smsr_change_commands(void **state)
{
    static const uint8_t block[] = {0x3A, 0x01, 0x03, 0x7F, 0x21, 0x00};
    static const struct smsr_keyset_ref sets[] = {{0x01, 0x01, 0x03}, {0x40, 0x01, 0x02}};
    static const uint8_t addr[] = {0x0A, 0x91, 0x44, 0x97, 0x00, 0x00, 0x20};
    struct smsr_key_establishment_answer k;
    struct sm_buf b = SM_BUF_INIT;
    uint8_t ans[64];
    size_t n;

    (void)state;
    assert_int_equal(smsr_es5_key_establishment_command(false, block, sizeof(block), &b), 0);
    expect_bytes(&b, "AA0E220C80E20900063A01037F210000");
    sm_buf_reset(&b);
    assert_int_equal(smsr_es5_key_establishment_command(true, block, sizeof(block), &b), 0);
    expect_bytes(&b, "AA0E220C80E28901063A01037F210000");
    sm_buf_reset(&b);
    assert_int_equal(smsr_es5_key_establishment_command(true, block, 0, &b), -EMSGSIZE);
    /* FinaliseISDRhandover with the spec's examples F2 03 01 01 03, F2 03 41 01 02 */
    assert_int_equal(smsr_es5_finalise_handover_command(sets, 2, NULL, 0, NULL, 0, &b), 0);
    expect_bytes(&b, "AA12"
                     "2210"
                     "80E400000A"
                     "F203010103F203400102"
                     "00");
    sm_buf_reset(&b);
    /* with UpdateSMSRAddressingParameters 3A07 {A3 {81 {digits, TON/NPI, BCD}}} */
    assert_int_equal(smsr_es5_finalise_handover_command(sets, 1, addr, sizeof(addr), NULL, 0, &b),
                     0);
    expect_bytes(&b, "AA22"
                     "220B"
                     "80E4000005"
                     "F203010103"
                     "00"
                     "2213"
                     "80E288000E"
                     "3A070BA30981070A914497000020");
    sm_buf_reset(&b);
    /* and the new SM-SR's SCP81 key set: STORE DATA 80 E2 89 00 <block 1> (a lone block
     * is number 00), answer expected (es8 spec 1.6) */
    {
        static const uint8_t ks81[] = {0x3A, 0x02, 0x03, 0xA6, 0x01, 0x00};

        assert_int_equal(
            smsr_es5_finalise_handover_command(sets, 1, NULL, 0, ks81, sizeof(ks81), &b), 0);
        expect_bytes(&b, "AA1B"
                         "220B"
                         "80E4000005"
                         "F203010103"
                         "00"
                         "220C"
                         "80E28900063A0203A6010000");
        sm_buf_reset(&b);
        assert_int_equal(smsr_es5_finalise_handover_command(sets, 1, NULL, 0, ks81, 0, &b),
                         -EINVAL);
        sm_buf_reset(&b);
    }
    assert_int_equal(smsr_es5_finalise_handover_command(sets, 0, NULL, 0, NULL, 0, &b), -EINVAL);
    sm_buf_reset(&b);
    /* script chaining: 83 01 xx first in the template (TS 102 226) */
    assert_int_equal(smsr_es5_profile_command(SMSR_DGI_ENABLE, aid13, &b), 0);
    assert_int_equal(smsr_es5_chain_script(SMSR_CHAIN_FIRST, &b), 0);
    expect_bytes(&b, "AA1F"
                     "830111"
                     "221A80E28800153A03124F10A0000005591010FFFFFFFF8900001300");
    assert_int_equal(smsr_es5_chain_script(SMSR_CHAIN_LAST, &b), 0);
    expect_bytes(&b, "AA22"
                     "830103"
                     "830111"
                     "221A80E28800153A03124F10A0000005591010FFFFFFFF8900001300");
    sm_buf_reset(&b);
    assert_int_equal(sm_buf_append(&b, "\xAB\x00", 2), 0);
    assert_int_equal(smsr_es5_chain_script(SMSR_CHAIN_LAST, &b), -EINVAL);
    sm_buf_free(&b);
    /* the card's answers: block 0 (85 RC), block 1 (86 receipt, 85 DR first when asked for) */
    n = hex("8510000102030405060708090A0B0C0D0E0F", ans, sizeof(ans));
    assert_int_equal(smsr_es5_key_establishment_decode(ans, n, &k), 0);
    assert_int_equal(k.v85_len, 16);
    assert_null(k.receipt);
    n = hex("8504AABBCCDD861000112233445566778899AABBCCDDEEFF", ans, sizeof(ans));
    assert_int_equal(smsr_es5_key_establishment_decode(ans, n, &k), 0);
    assert_int_equal(k.v85_len, 4);
    assert_int_equal(k.receipt_len, 16);
    assert_int_equal(k.receipt[15], 0xFF);
    n = hex("861000112233445566778899AABBCCDDEEFF8504AABBCCDD", ans, sizeof(ans));
    assert_int_equal(smsr_es5_key_establishment_decode(ans, n, &k), -EBADMSG);
    n = hex("86080011223344556677", ans, sizeof(ans));
    assert_int_equal(smsr_es5_key_establishment_decode(ans, n, &k), -EBADMSG);
    assert_int_equal(smsr_es5_key_establishment_decode(ans, 0, &k), -EBADMSG);
    n = hex("8510000102030405060708090A0B0C0D0E", ans, sizeof(ans));
    assert_int_equal(smsr_es5_key_establishment_decode(ans, n, &k), -EBADMSG);
}

static void answers(void **state)
{
    uint8_t buf[256];
    size_t n;
    struct smsr_es5_answer a;
    struct smsr_card_resources r;
    struct smsr_isdp_status st[2];
    size_t ns;

    (void)state;
    /* a definite-length SMS PoR of the test eUICC: AB 07 80 01 01 23 02 9000 [V-card] */
    n = hex("AB0780010123029000", buf, sizeof(buf));
    assert_int_equal(smsr_es5_answer_decode(buf, n, &a), 0);
    assert_int_equal(a.executed, 1);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.r[0].sw, 0x9000);
    assert_int_equal(a.r[0].len, 0);
    /* the card's indefinite form over HTTPS, without 80 01 n: AF 80 23 L <R-APDU> 00 00 */
    n = hex("AF80230269E10000", buf, sizeof(buf));
    assert_int_equal(smsr_es5_answer_decode(buf, n, &a), 0);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.r[0].sw, 0x69E1);
    /* bad format, as the card reported it */
    n = hex("AB03900101", buf, sizeof(buf));
    assert_int_equal(smsr_es5_answer_decode(buf, n, &a), 0);
    assert_true(a.bad_format);
    /* a command script is not an answer; truncation is refused */
    n = hex("AA0780010123029000", buf, sizeof(buf));
    assert_int_equal(smsr_es5_answer_decode(buf, n, &a), -EBADMSG);
    n = hex("AB0880010123029000", buf, sizeof(buf));
    assert_int_equal(smsr_es5_answer_decode(buf, n, &a), -EBADMSG);
    n = hex("AB0423019000", buf, sizeof(buf));
    assert_int_equal(smsr_es5_answer_decode(buf, n, &a), -EBADMSG);
    /* FF21 of the test eUICC: 1 application, 0x00077E30 NVM, 0x3A92 volatile [V-card] */
    n = hex("FF210D810101820400077E3083023A92", buf, sizeof(buf));
    assert_int_equal(smsr_es5_resources_decode(buf, n, &r), 0);
    assert_int_equal(r.apps, 1);
    assert_int_equal(r.free_nvm, 0x00077E30);
    assert_int_equal(r.free_volatile, 0x3A92);
    n = hex("FF210C8101018204", buf, sizeof(buf));
    assert_int_equal(smsr_es5_resources_decode(buf, n, &r), -EBADMSG);
    /* GET STATUS: E3 16 {4F 10 AID, 9F70 01 3F} [V-card] */
    n = hex("E3164F10A0000005591010FFFFFFFF89000013009F70013F", buf, sizeof(buf));
    assert_int_equal(smsr_es5_status_decode(buf, n, st, 2, &ns), 0);
    assert_int_equal(ns, 1);
    assert_memory_equal(st[0].aid, aid13, 16);
    assert_int_equal(st[0].lcs, 0x3F);
    assert_int_equal(st[0].fallback, -1);
    assert_string_equal(smsr_lcs_state(st[0].lcs), "Enabled");
    assert_string_equal(smsr_lcs_state(0x1F), "Disabled");
    assert_string_equal(smsr_lcs_state(0x0F), "Created");
    assert_null(smsr_lcs_state(0x83));
    n = hex("E3059F70013F00", buf, sizeof(buf)); /* no AID */
    assert_int_equal(smsr_es5_status_decode(buf, n, st, 2, &ns), -EBADMSG);
}

static void notifications(void **state)
{
    uint8_t buf[256];
    size_t n;
    struct smsr_notification no;

    (void)state;
    /* the card-like MO sample of es5-secure-channels 1.3 (AID tag 4F, IMEI 14 08) */
    n = hex("E1354C1089001012012341234012345678901224"
            "4D0102"
            "4E020000"
            "4F10A0000005591010FFFFFFFF8900001300"
            "14083A45990057918503",
            buf, sizeof(buf));
    assert_int_equal(smsr_es5_notification_decode(buf, n, &no), 0);
    assert_string_equal(no.eid, "89001012012341234012345678901224");
    assert_int_equal(no.type, 2);
    assert_int_equal(no.seq, 0);
    assert_true(no.has_aid);
    assert_memory_equal(no.aid, aid13, 16);
    assert_string_equal(no.imei, "354990075195830"); /* TS 24.008 10.5.1.4 digit order */
    /* Njiwa's AID tag 2F is accepted too */
    buf[27] = 0x2F;
    assert_int_equal(smsr_es5_notification_decode(buf, n, &no), 0);
    assert_true(no.has_aid);
    /* without a sequence number, or with an EID whose check digits fail: refused */
    n = hex("E1154C1089001012012341234012345678901224"
            "4D0102",
            buf, sizeof(buf));
    assert_int_equal(smsr_es5_notification_decode(buf, n, &no), -EBADMSG);
    n = hex("E11A4C1089001012012341234012345678901225"
            "4D0102"
            "4E020001",
            buf, sizeof(buf));
    assert_int_equal(smsr_es5_notification_decode(buf, n, &no), -EBADMSG);
    n = hex("E11A4C1089001012012341234012345678901224"
            "4D0102"
            "4E0200",
            buf, sizeof(buf));
    assert_int_equal(smsr_es5_notification_decode(buf, n, &no), -EBADMSG);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(commands),
    cmocka_unit_test(smsr_change_commands),
    cmocka_unit_test(answers),
    cmocka_unit_test(notifications),
};

int main(void)
{
    return cmocka_run_group_tests(tests, NULL, NULL);
}
