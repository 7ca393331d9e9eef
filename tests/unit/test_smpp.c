/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMPP 3.4: the PDU codec against frames built by hand from the specification (section 4
 * layouts), every refusal of hostile input, the text forms (times, receipts), and the ESME
 * client over a real socket pair: framing limits, automatic answers, timeouts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../sm_test.h"
#include "sm/log.h"
#include "sm/smpp.h"

/* ---- frames built by hand ---- */

struct bb {
    uint8_t b[80000];
    size_t n;
};

static void put8(struct bb *b, uint8_t v)
{
    b->b[b->n++] = v;
}

static void put16(struct bb *b, uint16_t v)
{
    put8(b, (uint8_t)(v >> 8));
    put8(b, (uint8_t)v);
}

static void put32(struct bb *b, uint32_t v)
{
    put16(b, (uint16_t)(v >> 16));
    put16(b, (uint16_t)v);
}

static void putstr(struct bb *b, const char *s)
{
    memcpy(b->b + b->n, s, strlen(s) + 1);
    b->n += strlen(s) + 1;
}

static void putraw(struct bb *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void header(struct bb *b, uint32_t id, uint32_t status, uint32_t seq)
{
    b->n = 0;
    put32(b, 0); /* command_length, set by done() */
    put32(b, id);
    put32(b, status);
    put32(b, seq);
}

static void done(struct bb *b)
{
    b->b[0] = (uint8_t)(b->n >> 24);
    b->b[1] = (uint8_t)(b->n >> 16);
    b->b[2] = (uint8_t)(b->n >> 8);
    b->b[3] = (uint8_t)b->n;
}

/* submit_sm / deliver_sm mandatory part (4.4.1) up to and including short_message */
static void sm_body(struct bb *b, const char *src, const char *dst, uint8_t esm, uint8_t pid,
                    const char *validity, uint8_t rd, uint8_t dcs, const uint8_t *ud, uint8_t len)
{
    putstr(b, "");  /* service_type */
    put8(b, 1);     /* source_addr_ton: international */
    put8(b, 1);     /* source_addr_npi: E.164 */
    putstr(b, src); /* source_addr */
    put8(b, 1);     /* dest_addr_ton */
    put8(b, 1);     /* dest_addr_npi */
    putstr(b, dst); /* destination_addr */
    put8(b, esm);   /* esm_class */
    put8(b, pid);   /* protocol_id */
    put8(b, 0);     /* priority_flag */
    putstr(b, "");  /* schedule_delivery_time */
    putstr(b, validity);
    put8(b, rd);  /* registered_delivery */
    put8(b, 0);   /* replace_if_present_flag */
    put8(b, dcs); /* data_coding */
    put8(b, 0);   /* sm_default_msg_id */
    put8(b, len); /* sm_length */
    putraw(b, ud, len);
}

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

/* An SMS-PP command packet as an SM-SR sends it: UDH 02 70 00, then 137 octets. */
static void smspp_140(uint8_t ud[140])
{
    ud[0] = 0x02;
    ud[1] = 0x70;
    ud[2] = 0x00;
    fill_pattern(ud + 3, 137, 0x5a);
    ud[10] = 0x00; /* NUL octets inside binary data must pass */
    ud[11] = 0xff;
}

static void set_sm(struct sm_smpp_sm *sm, const char *src, const char *dst)
{
    memset(sm, 0, sizeof(*sm));
    sm->source_addr_ton = sm->source_addr_npi = 1;
    sm->dest_addr_ton = sm->dest_addr_npi = 1;
    snprintf(sm->source_addr, sizeof(sm->source_addr), "%s", src);
    snprintf(sm->destination_addr, sizeof(sm->destination_addr), "%s", dst);
}

static void encode_ok(const struct sm_smpp_pdu *p, struct sm_buf *out)
{
    sm_buf_reset(out);
    assert_int_equal(sm_smpp_encode(p, out), 0);
}

/* ---- framing ---- */

static void frame_len_limits(void **state)
{
    uint8_t b[16] = {0, 0, 0, 16};
    size_t len = 0;

    assert_int_equal(sm_smpp_frame_len(b, 3, 1024, &len), -EAGAIN);
    assert_int_equal(sm_smpp_frame_len(b, 4, 1024, &len), 0);
    assert_int_equal(len, 16);
    b[3] = 15;
    assert_int_equal(sm_smpp_frame_len(b, 4, 1024, &len), -EBADMSG);
    b[3] = 0;
    assert_int_equal(sm_smpp_frame_len(b, 4, 1024, &len), -EBADMSG);
    b[2] = 4;
    b[3] = 1; /* 1025 */
    assert_int_equal(sm_smpp_frame_len(b, 4, 1024, &len), -EMSGSIZE);
    assert_int_equal(sm_smpp_frame_len(b, 4, 1025, &len), 0);
    assert_int_equal(len, 1025);
    memset(b, 0xff, 4);
    assert_int_equal(sm_smpp_frame_len(b, 4, SM_SMPP_PDU_MAX_LIMIT, &len), -EMSGSIZE);
}

/* ---- known answers: our encoder against frames laid out by hand ---- */

static void encode_known_answers(void **state)
{
    struct sm_buf out = SM_BUF_INIT;
    struct bb *want = calloc(1, sizeof(*want));
    struct sm_smpp_pdu p = {0};
    uint8_t ud[140];
    static const uint8_t enquire[] = {0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 7};

    assert_non_null(want);
    p.command_id = SM_SMPP_ENQUIRE_LINK;
    p.sequence_number = 7;
    encode_ok(&p, &out);
    assert_int_equal(out.len, 16);
    assert_memory_equal(out.data, enquire, 16);

    /* bind_transceiver (4.1.5) */
    memset(&p, 0, sizeof(p));
    p.command_id = SM_SMPP_BIND_TRANSCEIVER;
    p.sequence_number = 1;
    strcpy(p.bind.system_id, "smsr");
    strcpy(p.bind.password, "secret");
    strcpy(p.bind.system_type, "OTA");
    p.bind.interface_version = 0x34;
    p.bind.addr_ton = 1;
    p.bind.addr_npi = 1;
    strcpy(p.bind.address_range, "^1234");
    encode_ok(&p, &out);
    header(want, SM_SMPP_BIND_TRANSCEIVER, 0, 1);
    putstr(want, "smsr");
    putstr(want, "secret");
    putstr(want, "OTA");
    put8(want, 0x34);
    put8(want, 1);
    put8(want, 1);
    putstr(want, "^1234");
    done(want);
    assert_int_equal(out.len, want->n);
    assert_memory_equal(out.data, want->b, want->n);

    /* submit_sm (4.4.1) with a 140-octet SMS-PP: UDHI, PID 7F, DCS F6 (ES5 2.7) */
    smspp_140(ud);
    memset(&p, 0, sizeof(p));
    p.command_id = SM_SMPP_SUBMIT_SM;
    p.sequence_number = 0x7fffffff;
    set_sm(&p.sm, "1234", "+447900000001");
    p.sm.esm_class = SM_SMPP_ESM_UDHI;
    p.sm.protocol_id = 0x7f;
    p.sm.data_coding = 0xf6;
    p.sm.registered_delivery = 1;
    strcpy(p.sm.validity_period, "000001000000000R");
    p.sm.ud = ud;
    p.sm.ud_len = sizeof(ud);
    encode_ok(&p, &out);
    header(want, SM_SMPP_SUBMIT_SM, 0, 0x7fffffff);
    sm_body(want, "1234", "+447900000001", 0x40, 0x7f, "000001000000000R", 1, 0xf6, ud, 140);
    done(want);
    assert_int_equal(out.len, want->n);
    assert_memory_equal(out.data, want->b, want->n);

    /* submit_sm_resp (4.4.2): message_id; an error goes without a body */
    memset(&p, 0, sizeof(p));
    p.command_id = SM_SMPP_SUBMIT_SM_RESP;
    p.sequence_number = 3;
    strcpy(p.message_id, "ABC123");
    encode_ok(&p, &out);
    header(want, SM_SMPP_SUBMIT_SM_RESP, 0, 3);
    putstr(want, "ABC123");
    done(want);
    assert_int_equal(out.len, want->n);
    assert_memory_equal(out.data, want->b, want->n);
    p.command_status = SM_SMPP_RTHROTTLED;
    encode_ok(&p, &out);
    header(want, SM_SMPP_SUBMIT_SM_RESP, SM_SMPP_RTHROTTLED, 3);
    done(want);
    assert_int_equal(out.len, 16);
    assert_memory_equal(out.data, want->b, 16);

    /* a vendor-specific status (0x400) that libsmpp34 does not list still goes out */
    memset(&p, 0, sizeof(p));
    p.command_id = SM_SMPP_DELIVER_SM_RESP;
    p.command_status = 0x400;
    p.sequence_number = 9;
    encode_ok(&p, &out);
    header(want, SM_SMPP_DELIVER_SM_RESP, 0x400, 9);
    putstr(want, ""); /* message_id: NULL (4.6.2) */
    done(want);
    assert_int_equal(out.len, want->n);
    assert_memory_equal(out.data, want->b, want->n);

    /* generic_nack with sequence number 0 (answering a PDU that carried 0) */
    memset(&p, 0, sizeof(p));
    p.command_id = SM_SMPP_GENERIC_NACK;
    p.command_status = SM_SMPP_RINVCMDLEN;
    encode_ok(&p, &out);
    header(want, SM_SMPP_GENERIC_NACK, SM_SMPP_RINVCMDLEN, 0);
    done(want);
    assert_memory_equal(out.data, want->b, 16);
    sm_buf_free(&out);
    free(want);
}

/* ---- round trips ---- */

static void round_trip_smspp_both_ways(void **state)
{
    struct sm_buf out = SM_BUF_INIT;
    struct sm_smpp_pdu p, d;
    uint8_t ud[140];
    uint32_t st = 99;

    smspp_140(ud);
    for (int deliver = 0; deliver < 2; deliver++) {
        memset(&p, 0, sizeof(p));
        p.command_id = deliver ? SM_SMPP_DELIVER_SM : SM_SMPP_SUBMIT_SM;
        p.sequence_number = 42;
        set_sm(&p.sm, deliver ? "+447900000001" : "1234", deliver ? "1234" : "+447900000001");
        p.sm.esm_class = SM_SMPP_ESM_UDHI;
        p.sm.protocol_id = 0x7f;
        p.sm.data_coding = 0xf6;
        p.sm.ud = ud;
        p.sm.ud_len = sizeof(ud);
        p.sm.has_user_message_reference = true;
        p.sm.user_message_reference = 0xbeef;
        encode_ok(&p, &out);
        assert_int_equal(sm_smpp_decode(out.data, out.len, &d, &st, NULL), 0);
        assert_int_equal(st, SM_SMPP_ROK);
        assert_int_equal(d.command_id, p.command_id);
        assert_int_equal(d.sequence_number, 42);
        assert_string_equal(d.sm.source_addr, p.sm.source_addr);
        assert_string_equal(d.sm.destination_addr, p.sm.destination_addr);
        assert_int_equal(d.sm.esm_class, 0x40);
        assert_int_equal(d.sm.protocol_id, 0x7f);
        assert_int_equal(d.sm.data_coding, 0xf6);
        assert_false(d.sm.payload);
        assert_int_equal(d.sm.ud_len, 140);
        assert_memory_equal(d.sm.ud, ud, 140);
        assert_true(d.sm.has_user_message_reference);
        assert_int_equal(d.sm.user_message_reference, 0xbeef);
        sm_smpp_pdu_free(&d);
    }
    sm_buf_free(&out);
}

static void round_trip_lengths_and_payload(void **state)
{
    static const size_t lens[] = {0, 1, 140, 253, 254, 255, 1024, 1025, 4000, 65535};
    struct sm_buf out = SM_BUF_INIT;
    uint8_t *ud = malloc(65536);
    struct sm_smpp_pdu p, d;

    assert_non_null(ud);
    fill_pattern(ud, 65536, 3);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (int force = 0; force < 2; force++) {
            memset(&p, 0, sizeof(p));
            p.command_id = SM_SMPP_SUBMIT_SM;
            p.sequence_number = 1;
            set_sm(&p.sm, "a", "b");
            p.sm.ud = ud;
            p.sm.ud_len = lens[i];
            p.sm.payload = force;
            encode_ok(&p, &out);
            /* 254 octets fit short_message (5.2.22); beyond that message_payload (5.3.2.32) */
            assert_int_equal(sm_smpp_decode(out.data, out.len, &d, NULL, NULL), 0);
            assert_int_equal(d.sm.payload, force || lens[i] > 254);
            assert_int_equal(d.sm.ud_len, lens[i]);
            if (lens[i])
                assert_memory_equal(d.sm.ud, ud, lens[i]);
            sm_smpp_pdu_free(&d);
        }
    }
    memset(&p, 0, sizeof(p));
    p.command_id = SM_SMPP_SUBMIT_SM;
    p.sm.ud = ud;
    p.sm.ud_len = 65536;
    assert_int_equal(sm_smpp_encode(&p, &out), -EMSGSIZE);
    free(ud);
    sm_buf_free(&out);
}

static void round_trip_bind_and_responses(void **state)
{
    struct sm_buf out = SM_BUF_INIT;
    struct sm_smpp_pdu p = {0}, d;
    const uint32_t binds[] = {SM_SMPP_BIND_TRANSMITTER, SM_SMPP_BIND_RECEIVER,
                              SM_SMPP_BIND_TRANSCEIVER};

    for (size_t i = 0; i < 3; i++) {
        memset(&p, 0, sizeof(p));
        p.command_id = binds[i];
        p.sequence_number = 5;
        strcpy(p.bind.system_id, "123456789012345"); /* 15: the maximum */
        strcpy(p.bind.password, "12345678");
        strcpy(p.bind.system_type, "123456789012");
        p.bind.interface_version = i == 0 ? 0x33 : 0x34; /* a 3.3 ESME binds too (5.2.4) */
        p.bind.addr_ton = 2;
        p.bind.addr_npi = 18;
        memset(p.bind.address_range, '9', 40);
        encode_ok(&p, &out);
        assert_int_equal(sm_smpp_decode(out.data, out.len, &d, NULL, NULL), 0);
        assert_int_equal(d.command_id, binds[i]);
        assert_string_equal(d.bind.system_id, p.bind.system_id);
        assert_string_equal(d.bind.password, p.bind.password);
        assert_string_equal(d.bind.system_type, p.bind.system_type);
        assert_int_equal(d.bind.interface_version, p.bind.interface_version);
        assert_int_equal(d.bind.addr_ton, 2);
        assert_int_equal(d.bind.addr_npi, 18);
        assert_string_equal(d.bind.address_range, p.bind.address_range);
        sm_smpp_pdu_free(&d);

        memset(&p, 0, sizeof(p));
        p.command_id = binds[i] | SM_SMPP_RESP;
        p.sequence_number = 5;
        strcpy(p.bind.system_id, "smsc-sim");
        p.bind.has_sc_interface_version = true;
        p.bind.sc_interface_version = 0x34;
        encode_ok(&p, &out);
        assert_int_equal(sm_smpp_decode(out.data, out.len, &d, NULL, NULL), 0);
        assert_string_equal(d.bind.system_id, "smsc-sim");
        assert_true(d.bind.has_sc_interface_version);
        assert_int_equal(d.bind.sc_interface_version, 0x34);
        sm_smpp_pdu_free(&d);
        /* an error: header only, decoded as such */
        p.command_status = SM_SMPP_RINVPASWD;
        encode_ok(&p, &out);
        assert_int_equal(out.len, 16);
        assert_int_equal(sm_smpp_decode(out.data, out.len, &d, NULL, NULL), 0);
        assert_int_equal(d.command_status, SM_SMPP_RINVPASWD);
        sm_smpp_pdu_free(&d);
    }
    /* strings that do not fit are refused, never truncated */
    memset(&p, 0, sizeof(p));
    p.command_id = SM_SMPP_BIND_TRANSCEIVER;
    memset(p.bind.system_id, 'x', sizeof(p.bind.system_id));
    assert_int_equal(sm_smpp_encode(&p, &out), -EINVAL);
    memset(&p, 0, sizeof(p));
    p.command_id = 0x12345;
    assert_int_equal(sm_smpp_encode(&p, &out), -EINVAL);
    sm_buf_free(&out);
}

static void round_trip_receipt_tlvs_and_unknown_tlvs(void **state)
{
    struct sm_buf out = SM_BUF_INIT, again = SM_BUF_INIT;
    struct sm_smpp_pdu p = {0}, d;
    static const uint8_t other[] = {0x14, 0x00, 0x00, 0x03, 1,    2,    3, /* vendor 0x1400 */
                                    0x02, 0x0a, 0x00, 0x02, 0x1f, 0x90,    /* source_port */
                                    0x00, 0x05, 0x00, 0x00};               /* empty TLV */
    const char *text = "id:X1 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 "
                       "stat:DELIVRD err:000 text:hello";

    p.command_id = SM_SMPP_DELIVER_SM;
    p.sequence_number = 77;
    set_sm(&p.sm, "+447900000001", "1234");
    p.sm.esm_class = SM_SMPP_ESM_RECEIPT;
    p.sm.ud = (const uint8_t *)text;
    p.sm.ud_len = strlen(text);
    strcpy(p.sm.receipted_message_id, "X1");
    p.sm.has_message_state = true;
    p.sm.message_state = SM_SMPP_DELIVERED;
    p.sm.other_tlvs = other;
    p.sm.other_tlvs_len = sizeof(other);
    encode_ok(&p, &out);
    assert_int_equal(sm_smpp_decode(out.data, out.len, &d, NULL, NULL), 0);
    assert_string_equal(d.sm.receipted_message_id, "X1");
    assert_true(d.sm.has_message_state);
    assert_int_equal(d.sm.message_state, SM_SMPP_DELIVERED);
    assert_int_equal(d.sm.other_tlvs_len, sizeof(other));
    assert_memory_equal(d.sm.other_tlvs, other, sizeof(other));
    /* re-encoding the decoded PDU gives the same bytes */
    encode_ok(&d, &again);
    assert_int_equal(again.len, out.len);
    assert_memory_equal(again.data, out.data, out.len);
    sm_smpp_pdu_free(&d);
    /* other_tlvs must be well formed and must not repeat what the codec writes */
    p.sm.other_tlvs_len = 5;
    assert_int_equal(sm_smpp_encode(&p, &out), -EINVAL);
    {
        static const uint8_t dup[] = {0x04, 0x27, 0x00, 0x01, 0x02};

        p.sm.other_tlvs = dup;
        p.sm.other_tlvs_len = sizeof(dup);
        assert_int_equal(sm_smpp_encode(&p, &out), -EINVAL);
    }
    /* deliver_sm carries no times (4.6.1) */
    p.sm.other_tlvs = NULL;
    p.sm.other_tlvs_len = 0;
    strcpy(p.sm.validity_period, "000001000000000R");
    assert_int_equal(sm_smpp_encode(&p, &out), -EINVAL);
    sm_buf_free(&out);
    sm_buf_free(&again);
}

/* ---- hostile input ---- */

static int decode(const struct bb *b, uint32_t *st)
{
    struct sm_smpp_pdu d;
    struct sm_decode_err err = {0};
    int rc = sm_smpp_decode(b->b, b->n, &d, st, &err);

    sm_smpp_pdu_free(&d);
    return rc;
}

static void decode_refusals(void **state)
{
    struct bb *b = calloc(1, sizeof(*b));
    struct sm_smpp_pdu d;
    uint8_t ud[10] = {0};
    uint32_t st;

    assert_non_null(b);
    /* unknown command: -ENOTSUP, ESME_RINVCMDID, sequence number kept for the nack */
    header(b, 0x00000099, 0, 1234);
    done(b);
    assert_int_equal(sm_smpp_decode(b->b, b->n, &d, &st, NULL), -ENOTSUP);
    assert_int_equal(st, SM_SMPP_RINVCMDID);
    assert_int_equal(d.sequence_number, 1234);
    assert_int_equal(d.command_id, 0x99);
    sm_smpp_pdu_free(&d);
    /* a known SMPP command this code does not handle */
    header(b, 0x00000003, 0, 1); /* query_sm */
    putstr(b, "x");
    done(b);
    assert_int_equal(decode(b, &st), -ENOTSUP);
    assert_string_equal(sm_smpp_command_name(3), "query_sm");

    /* command_length different from the frame */
    header(b, SM_SMPP_ENQUIRE_LINK, 0, 1);
    done(b);
    b->b[3] = 17;
    assert_int_equal(decode(b, &st), -EBADMSG);
    assert_int_equal(st, SM_SMPP_RINVCMDLEN);
    /* a header-only PDU with a body */
    header(b, SM_SMPP_ENQUIRE_LINK, 0, 1);
    put8(b, 0);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    /* shorter than the header */
    assert_int_equal(sm_smpp_decode(b->b, 15, &d, &st, NULL), -EBADMSG);
    sm_smpp_pdu_free(&d);

    /* system_id without its NUL within 16 octets */
    header(b, SM_SMPP_BIND_TRANSCEIVER, 0, 1);
    putraw(b, "0123456789abcdef", 16);
    putstr(b, "pw");
    putstr(b, "");
    put8(b, 0x34);
    put8(b, 0);
    put8(b, 0);
    putstr(b, "");
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    assert_int_equal(st, SM_SMPP_RINVSYSID);
    /* a string running to the end of the PDU (no NUL at all) */
    header(b, SM_SMPP_BIND_TRANSCEIVER, 0, 1);
    putraw(b, "abc", 3);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    /* bind with trailing bytes (bind takes no TLVs) */
    header(b, SM_SMPP_BIND_TRANSCEIVER, 0, 1);
    putstr(b, "a");
    putstr(b, "b");
    putstr(b, "");
    put8(b, 0x34);
    put8(b, 0);
    put8(b, 0);
    putstr(b, "");
    put32(b, 0x02100001);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    /* bad TON / NPI (5.2.5, 5.2.6) */
    header(b, SM_SMPP_SUBMIT_SM, 0, 1);
    sm_body(b, "1", "2", 0, 0, "", 0, 0, ud, 0);
    b->b[16 + 1] = 7; /* source_addr_ton */
    done(b);
    assert_int_equal(decode(b, &st), -EINVAL);
    assert_int_equal(st, SM_SMPP_RINVSRCTON);
    b->b[16 + 1] = 1;
    b->b[16 + 2 + 3 + 1] = 2; /* dest_addr_npi: 2 is not defined */
    assert_int_equal(decode(b, &st), -EINVAL);
    assert_int_equal(st, SM_SMPP_RINVDSTNPI);

    /* sm_length beyond the PDU, and 255 */
    header(b, SM_SMPP_SUBMIT_SM, 0, 1);
    sm_body(b, "1", "2", 0, 0, "", 0, 0, ud, 10);
    b->b[b->n - 11] = 11;
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    assert_int_equal(st, SM_SMPP_RINVMSGLEN);
    {
        uint8_t big[255] = {0};

        header(b, SM_SMPP_SUBMIT_SM, 0, 1);
        sm_body(b, "1", "2", 0, 0, "", 0, 0, big, 255);
        done(b);
        assert_int_equal(decode(b, &st), -EBADMSG);
    }
    /* deliver_sm with a validity period */
    header(b, SM_SMPP_DELIVER_SM, 0, 1);
    sm_body(b, "1", "2", 0, 0, "000001000000000R", 0, 0, ud, 0);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    free(b);
}

static void decode_tlv_refusals(void **state)
{
    struct bb *b = calloc(1, sizeof(*b));
    uint8_t ud[4] = {1, 2, 3, 4};
    uint32_t st;

    assert_non_null(b);
#define SUBMIT(n)                                                                                  \
    do {                                                                                           \
        header(b, SM_SMPP_SUBMIT_SM, 0, 1);                                                        \
        sm_body(b, "1", "2", 0, 0, "", 0, 0, ud, (n));                                             \
    } while (0)
    /* 3 stray bytes: not even a TLV header */
    SUBMIT(0);
    put16(b, 0x0424);
    put8(b, 0);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    assert_int_equal(st, SM_SMPP_RINVOPTPARSTREAM);
    /* a TLV longer than what is left */
    SUBMIT(0);
    put16(b, 0x0424);
    put16(b, 5);
    putraw(b, ud, 4);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    /* message_payload twice */
    SUBMIT(0);
    put16(b, 0x0424);
    put16(b, 1);
    put8(b, 1);
    put16(b, 0x0424);
    put16(b, 1);
    put8(b, 1);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    /* short_message and message_payload together (5.3.2.32) */
    SUBMIT(4);
    put16(b, 0x0424);
    put16(b, 1);
    put8(b, 1);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    assert_int_equal(st, SM_SMPP_RINVMSGLEN);
    /* integer TLVs with the wrong length: libsmpp34 would misparse the rest */
    SUBMIT(0);
    put16(b, SM_SMPP_TLV_USER_MESSAGE_REFERENCE);
    put16(b, 3);
    putraw(b, ud, 3);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    assert_int_equal(st, SM_SMPP_RINVPARLEN);
    header(b, SM_SMPP_DELIVER_SM, 0, 1);
    sm_body(b, "1", "2", 4, 0, "", 0, 0, ud, 0);
    put16(b, SM_SMPP_TLV_MESSAGE_STATE);
    put16(b, 0);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    header(b, SM_SMPP_DELIVER_SM, 0, 1);
    sm_body(b, "1", "2", 4, 0, "", 0, 0, ud, 0);
    put16(b, SM_SMPP_TLV_MESSAGE_STATE);
    put16(b, 1);
    put8(b, 9);
    done(b);
    assert_int_equal(decode(b, &st), -EINVAL);
    assert_int_equal(st, SM_SMPP_RINVOPTPARAMVAL);
    /* receipted_message_id not NUL-terminated, or with a NUL inside */
    header(b, SM_SMPP_DELIVER_SM, 0, 1);
    sm_body(b, "1", "2", 4, 0, "", 0, 0, ud, 0);
    put16(b, SM_SMPP_TLV_RECEIPTED_MESSAGE_ID);
    put16(b, 2);
    putraw(b, "ab", 2);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    header(b, SM_SMPP_DELIVER_SM, 0, 1);
    sm_body(b, "1", "2", 4, 0, "", 0, 0, ud, 0);
    put16(b, SM_SMPP_TLV_RECEIPTED_MESSAGE_ID);
    put16(b, 3);
    putraw(b, "a\0b", 3);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    /* a response that may not carry TLVs */
    header(b, SM_SMPP_SUBMIT_SM_RESP, 0, 1);
    putstr(b, "id");
    put32(b, 0x14000000);
    done(b);
    assert_int_equal(decode(b, &st), -EBADMSG);
    /* thousands of small TLVs decode (libsmpp34's global log buffer never sees them) */
    SUBMIT(0);
    for (int i = 0; i < 5000; i++) {
        put16(b, 0x1400);
        put16(b, 1);
        put8(b, (uint8_t)i);
    }
    done(b);
    assert_int_equal(decode(b, &st), 0);
#undef SUBMIT
    free(b);
}

/* Every prefix of a valid PDU (command_length adjusted): refused or a valid shorter PDU, never
 * a crash; every cut inside the mandatory part is refused. */
static void decode_truncated_everywhere(void **state)
{
    struct bb *b = calloc(1, sizeof(*b));
    uint8_t ud[140];
    size_t full, mandatory;

    assert_non_null(b);
    smspp_140(ud);
    header(b, SM_SMPP_SUBMIT_SM, 0, 1);
    sm_body(b, "1234", "+447900000001", 0x40, 0x7f, "", 1, 0xf6, ud, 140);
    mandatory = b->n;
    put16(b, SM_SMPP_TLV_USER_MESSAGE_REFERENCE);
    put16(b, 2);
    put16(b, 7);
    put16(b, 0x1401);
    put16(b, 3);
    putraw(b, "xyz", 3);
    full = b->n;
    for (size_t n = SM_SMPP_HEADER_LEN; n <= full; n++) {
        uint32_t st;
        int rc;

        b->n = n;
        done(b);
        rc = decode(b, &st);
        if (n < mandatory)
            assert_int_not_equal(rc, 0);
        else if (n == mandatory || n == mandatory + 6 || n == full)
            assert_int_equal(rc, 0);
        else
            assert_int_equal(rc, -EBADMSG);
    }
    free(b);
}

/* Deterministic noise: random bodies behind valid headers, and mutations of valid PDUs. */
static void decode_noise(void **state)
{
    static const uint32_t ids[] = {SM_SMPP_BIND_TRANSCEIVER, SM_SMPP_BIND_TRANSCEIVER_RESP,
                                   SM_SMPP_SUBMIT_SM,        SM_SMPP_SUBMIT_SM_RESP,
                                   SM_SMPP_DELIVER_SM,       SM_SMPP_DELIVER_SM_RESP,
                                   SM_SMPP_ENQUIRE_LINK,     SM_SMPP_GENERIC_NACK};
    struct bb *b = calloc(1, sizeof(*b));
    uint64_t x = 0x1234567887654321ull;
    unsigned ok = 0;
    uint8_t ud[60];

    assert_non_null(b);
    fill_pattern(ud, sizeof(ud), 1);
    for (int i = 0; i < 20000; i++) {
        size_t n;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        header(b, ids[x % 8], (x >> 8) % 3 ? 0 : (uint32_t)(x >> 20), (uint32_t)(x >> 32));
        if (i % 2) {
            sm_body(b, "1234", "5678", 0x40, 0x7f, "", 1, 0xf6, ud, (uint8_t)(x % 60));
            b->b[4] = 0;
            b->b[7] = (uint8_t)((x >> 3) % 2 ? SM_SMPP_SUBMIT_SM : SM_SMPP_DELIVER_SM);
            for (int k = 0; k < 1 + (int)(x % 4); k++)
                b->b[16 + (x >> (8 * k)) % (b->n - 16)] ^= (uint8_t)(x >> (5 * k));
        } else {
            n = (x >> 40) % 300;
            for (size_t k = 0; k < n; k++)
                put8(b, (uint8_t)((x >> (k % 56)) + k));
        }
        done(b);
        ok += decode(b, NULL) == 0;
    }
    print_message("noise: %u of 20000 decoded\n", ok);
    free(b);
}

/* ---- text forms ---- */

static void times(void **state)
{
    time_t t, now = 1700000000; /* 2023-11-14 22:13:20 UTC */

    assert_int_equal(sm_smpp_time_parse("", now, &t), -ENOENT);
    /* 7.1.1: local time 4 quarter hours ahead of UTC */
    assert_int_equal(sm_smpp_time_parse("231114231320004+", now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(sm_smpp_time_parse("231114211320004-", now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(sm_smpp_time_parse("231114221320000+", now, &t), 0);
    assert_int_equal(t, now);
    /* relative: 1 day, 2 hours, 3 minutes, 4 seconds */
    assert_int_equal(sm_smpp_time_parse("000001020304000R", now, &t), 0);
    assert_int_equal(t, now + 86400 + 7200 + 180 + 4);
    assert_int_equal(sm_smpp_time_parse("000100000000000R", now, &t), 0);
    assert_int_equal(t, 1702592000); /* a month later: 2023-12-14 22:13:20 */
    static const char *const bad[] = {"231114231320004",  "231114231320004+x", "23111423132000+4",
                                      "231314231320004+", "230231231320004+",  "231114241320004+",
                                      "231114231320049+", "000001020304001R",  "2311142313200a4+",
                                      "231114231320004*"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(sm_smpp_time_parse(bad[i], now, &t), -EINVAL);
}

static void receipts(void **state)
{
    struct sm_smpp_receipt r = {0}, back;
    struct sm_smpp_sm sm = {0};
    char text[200];
    uint8_t bin[3] = {0x02, 'A', 0xff};
    int n;

    strcpy(r.id, "0000ABCD00000001");
    r.sub = 1;
    r.dlvrd = 1;
    r.submit_date = 1700000000;
    r.done_date = 1700000060;
    r.state = SM_SMPP_DELIVERED;
    sm_smpp_receipt_set_text(&r, bin, sizeof(bin));
    assert_string_equal(r.text, ".A.");
    n = sm_smpp_receipt_format(&r, text, sizeof(text));
    assert_string_equal(text, "id:0000ABCD00000001 sub:001 dlvrd:001 submit date:2311142213 "
                              "done date:2311142214 stat:DELIVRD err:000 text:.A.");
    assert_int_equal(n, (int)strlen(text));
    assert_int_equal(sm_smpp_receipt_format(&r, text, 20), -ENOSPC);
    sm.esm_class = SM_SMPP_ESM_RECEIPT;
    sm.ud = (const uint8_t *)text;
    sm.ud_len = (size_t)sm_smpp_receipt_format(&r, text, sizeof(text));
    assert_int_equal(sm_smpp_receipt_parse(&sm, &back), 0);
    assert_string_equal(back.id, r.id);
    assert_int_equal(back.state, SM_SMPP_DELIVERED);
    assert_int_equal(back.sub, 1);
    assert_int_equal(back.dlvrd, 1);
    assert_int_equal(back.submit_date, 1700000000 - 20); /* minutes only */
    assert_int_equal(back.done_date, 1700000040);
    assert_string_equal(back.text, ".A.");
    /* the TLVs win over the text */
    strcpy(sm.receipted_message_id, "OTHER");
    sm.has_message_state = true;
    sm.message_state = SM_SMPP_EXPIRED;
    assert_int_equal(sm_smpp_receipt_parse(&sm, &back), 0);
    assert_string_equal(back.id, "OTHER");
    assert_int_equal(back.state, SM_SMPP_EXPIRED);
    /* not a receipt; a receipt nobody can read */
    sm.esm_class = 0;
    assert_int_equal(sm_smpp_receipt_parse(&sm, &back), -ENOENT);
    memset(&sm, 0, sizeof(sm));
    sm.esm_class = SM_SMPP_ESM_RECEIPT;
    sm.ud = (const uint8_t *)"stat:GARBAGE id:";
    sm.ud_len = 16;
    assert_int_equal(sm_smpp_receipt_parse(&sm, &back), -EBADMSG);
    r.state = 0;
    assert_int_equal(sm_smpp_receipt_format(&r, text, sizeof(text)), -EINVAL);
    assert_string_equal(sm_smpp_state_stat(SM_SMPP_UNDELIVERABLE), "UNDELIV");
    assert_null(sm_smpp_state_stat(9));
    assert_string_equal(sm_smpp_status_name(SM_SMPP_RTHROTTLED), "ESME_RTHROTTLED");
    assert_string_equal(sm_smpp_status_name(0x12345), "ESME_R?");
}

/* ---- the client over a socket pair ---- */

struct pair {
    struct sm_smpp_client *c;
    int peer; /* the SMSC's end */
};

static void pair_open(struct pair *p, struct sm_smpp_client_config *cfg)
{
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(sm_smpp_client_new(cfg, &p->c), 0);
    assert_int_equal(sm_smpp_client_adopt_fd(p->c, sv[0]), 0);
    p->peer = sv[1];
}

static void pair_close(struct pair *p)
{
    sm_smpp_client_free(p->c);
    if (p->peer >= 0)
        close(p->peer);
}

static void peer_send(struct pair *p, const struct sm_smpp_pdu *pdu)
{
    struct sm_buf b = SM_BUF_INIT;

    assert_int_equal(sm_smpp_encode(pdu, &b), 0);
    assert_int_equal(write(p->peer, b.data, b.len), (ssize_t)b.len);
    sm_buf_free(&b);
}

static void peer_raw(struct pair *p, const void *data, size_t n)
{
    assert_int_equal(write(p->peer, data, n), (ssize_t)n);
}

static void peer_header(struct pair *p, uint32_t id, uint32_t status, uint32_t seq)
{
    struct sm_smpp_pdu pdu = {.command_id = id, .command_status = status, .sequence_number = seq};

    peer_send(p, &pdu);
}

/* Read one PDU the client sent (waits up to 2 s). */
static void peer_read(struct pair *p, struct sm_smpp_pdu *out)
{
    uint8_t buf[8192];
    size_t have = 0, len = 0;

    while (have < 16 || have < len) {
        struct pollfd pfd = {.fd = p->peer, .events = POLLIN};
        ssize_t n;

        assert_int_equal(poll(&pfd, 1, 2000), 1);
        n = read(p->peer, buf + have, have < 16 ? 16 - have : len - have);
        assert_true(n > 0);
        have += (size_t)n;
        if (have >= 16)
            assert_int_equal(sm_smpp_frame_len(buf, have, sizeof(buf), &len), 0);
    }
    assert_int_equal(sm_smpp_decode(buf, len, out, NULL, NULL), 0);
}

static bool peer_quiet(struct pair *p)
{
    struct pollfd pfd = {.fd = p->peer, .events = POLLIN};

    return poll(&pfd, 1, 50) == 0;
}

static struct sm_smpp_client_config base_cfg(void)
{
    return (struct sm_smpp_client_config){
        .system_id = "smsr", .password = "pw", .response_timeout_ms = 300, .enquire_link_ms = -1};
}

static void bound_pair(struct pair *p, struct sm_smpp_client_config *cfg)
{
    struct sm_smpp_pdu req;
    uint32_t st;

    pair_open(p, cfg);
    /* the answer is already waiting */
    peer_header(p,
                cfg->mode == SM_SMPP_RECEIVER      ? SM_SMPP_BIND_RECEIVER_RESP
                : cfg->mode == SM_SMPP_TRANSMITTER ? SM_SMPP_BIND_TRANSMITTER_RESP
                                                   : SM_SMPP_BIND_TRANSCEIVER_RESP,
                0, 1);
    assert_int_equal(sm_smpp_bind(p->c, &st), 0);
    assert_true(sm_smpp_is_bound(p->c));
    peer_read(p, &req);
    assert_int_equal(req.command_id, cfg->mode == SM_SMPP_RECEIVER      ? SM_SMPP_BIND_RECEIVER
                                     : cfg->mode == SM_SMPP_TRANSMITTER ? SM_SMPP_BIND_TRANSMITTER
                                                                        : SM_SMPP_BIND_TRANSCEIVER);
    assert_int_equal(req.sequence_number, 1);
    assert_string_equal(req.bind.system_id, "smsr");
    assert_string_equal(req.bind.password, "pw");
    assert_int_equal(req.bind.interface_version, 0x34);
    sm_smpp_pdu_free(&req);
}

static void client_config_checks(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct sm_smpp_client *c;

    cfg.host = "localhost"; /* numeric only */
    assert_int_equal(sm_smpp_client_new(&cfg, &c), -EINVAL);
    cfg = base_cfg();
    cfg.system_id = "0123456789abcdef";
    assert_int_equal(sm_smpp_client_new(&cfg, &c), -EINVAL);
    cfg = base_cfg();
    cfg.password = "123456789";
    assert_int_equal(sm_smpp_client_new(&cfg, &c), -EINVAL);
    cfg = base_cfg();
    cfg.max_pdu = 100;
    assert_int_equal(sm_smpp_client_new(&cfg, &c), -EINVAL);
    cfg = base_cfg();
    cfg.host = "::1";
    assert_int_equal(sm_smpp_client_new(&cfg, &c), 0);
    assert_int_equal(sm_smpp_fd(c), -1);
    assert_int_equal(sm_smpp_bind(c, NULL), -ENOTCONN);
    assert_int_equal(sm_smpp_poll(c, 0), -ENOTCONN);
    sm_smpp_client_free(c);
}

static void client_connect_refused(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct sm_smpp_client *c = NULL;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof(a);
    uint32_t st;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    /* a port that was just free: nobody listens there */
    a.sin_addr.s_addr = htonl(0x7f000001);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    cfg.port = ntohs(a.sin_port);
    assert_int_equal(sm_smpp_open(&cfg, &c, &st), -ECONNREFUSED);
    assert_null(c);
}

static void client_bind_refused_and_nacked(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct pair p;
    uint32_t st;

    pair_open(&p, &cfg);
    peer_header(&p, SM_SMPP_BIND_TRANSCEIVER_RESP, SM_SMPP_RINVPASWD, 1);
    assert_int_equal(sm_smpp_bind(p.c, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RINVPASWD);
    assert_false(sm_smpp_is_bound(p.c));
    peer_header(&p, SM_SMPP_GENERIC_NACK, SM_SMPP_RINVCMDID, 2);
    assert_int_equal(sm_smpp_bind(p.c, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RINVCMDID);
    /* the answer to another command with our sequence number */
    peer_header(&p, SM_SMPP_ENQUIRE_LINK_RESP, 0, 3);
    assert_int_equal(sm_smpp_bind(p.c, &st), -EBADMSG);
    pair_close(&p);
}

static void client_submit_with_traffic_in_between(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct sm_smpp_pdu req, got, dl = {0}, resp = {0};
    char msgid[SM_SMPP_MSGID_SIZE];
    struct sm_smpp_sm sm;
    uint8_t ud[140];
    struct pair p;
    uint32_t st;

    bound_pair(&p, &cfg);
    smspp_140(ud);
    /* the SMSC sends a deliver_sm and an enquire_link before answering our submit_sm */
    dl.command_id = SM_SMPP_DELIVER_SM;
    dl.sequence_number = 700;
    set_sm(&dl.sm, "+447900000001", "1234");
    dl.sm.esm_class = SM_SMPP_ESM_UDHI;
    dl.sm.protocol_id = 0x7f;
    dl.sm.data_coding = 0xf6;
    dl.sm.ud = ud;
    dl.sm.ud_len = 140;
    peer_send(&p, &dl);
    peer_header(&p, SM_SMPP_ENQUIRE_LINK, 0, 701);
    resp.command_id = SM_SMPP_SUBMIT_SM_RESP;
    resp.sequence_number = 2;
    strcpy(resp.message_id, "MSG-1");
    peer_send(&p, &resp);
    set_sm(&sm, "1234", "+447900000001");
    sm.ud = ud;
    sm.ud_len = 140;
    assert_int_equal(sm_smpp_submit(p.c, &sm, msgid, &st), 0);
    assert_string_equal(msgid, "MSG-1");
    /* on the wire, in order: submit_sm, deliver_sm_resp, enquire_link_resp */
    peer_read(&p, &req);
    assert_int_equal(req.command_id, SM_SMPP_SUBMIT_SM);
    assert_int_equal(req.sequence_number, 2);
    assert_int_equal(req.sm.ud_len, 140);
    assert_memory_equal(req.sm.ud, ud, 140);
    sm_smpp_pdu_free(&req);
    peer_read(&p, &req);
    assert_int_equal(req.command_id, SM_SMPP_DELIVER_SM_RESP);
    assert_int_equal(req.sequence_number, 700);
    assert_int_equal(req.command_status, 0);
    sm_smpp_pdu_free(&req);
    peer_read(&p, &req);
    assert_int_equal(req.command_id, SM_SMPP_ENQUIRE_LINK_RESP);
    assert_int_equal(req.sequence_number, 701);
    sm_smpp_pdu_free(&req);
    /* the deliver_sm waits in the queue, byte for byte */
    assert_int_equal(sm_smpp_pending(p.c), 1);
    assert_int_equal(sm_smpp_receive(p.c, &got, 0), 0);
    assert_int_equal(got.sm.ud_len, 140);
    assert_memory_equal(got.sm.ud, ud, 140);
    assert_int_equal(got.sm.protocol_id, 0x7f);
    assert_int_equal(got.sm.data_coding, 0xf6);
    assert_int_equal(got.sm.esm_class, 0x40);
    sm_smpp_pdu_free(&got);
    assert_int_equal(sm_smpp_receive(p.c, &got, 50), -ETIMEDOUT);
    /* refused: throttled, then a generic_nack */
    peer_header(&p, SM_SMPP_SUBMIT_SM_RESP, SM_SMPP_RTHROTTLED, 3);
    assert_int_equal(sm_smpp_submit(p.c, &sm, msgid, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RTHROTTLED);
    assert_string_equal(msgid, "");
    peer_header(&p, SM_SMPP_GENERIC_NACK, SM_SMPP_RINVCMDLEN, 4);
    assert_int_equal(sm_smpp_submit(p.c, &sm, msgid, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RINVCMDLEN);
    /* no answer at all */
    assert_int_equal(sm_smpp_submit(p.c, &sm, msgid, &st), -ETIMEDOUT);
    /* a late answer is ignored; the next one matches */
    peer_header(&p, SM_SMPP_SUBMIT_SM_RESP, SM_SMPP_RSYSERR, 5);
    resp.sequence_number = 6;
    strcpy(resp.message_id, "MSG-6");
    peer_send(&p, &resp);
    assert_int_equal(sm_smpp_submit(p.c, &sm, msgid, &st), 0);
    assert_string_equal(msgid, "MSG-6");
    /* a message that cannot be encoded is not sent */
    sm.ud_len = 70000;
    assert_int_equal(sm_smpp_submit(p.c, &sm, msgid, &st), -EMSGSIZE);
    sm.ud_len = 16400; /* encodes, but above max_pdu */
    {
        uint8_t *big = calloc(1, 16400);

        sm.ud = big;
        assert_int_equal(sm_smpp_submit(p.c, &sm, msgid, &st), -EMSGSIZE);
        free(big);
    }
    assert_true(sm_smpp_is_bound(p.c));
    pair_close(&p);
}

/* What on_submitted was told, in order. */
struct landing {
    struct sm_smpp_client *c;
    unsigned n;
    uint64_t tag[16];
    int rc[16];
    uint32_t status[16];
    int reentry; /* the client refuses to be called from its callback */
};

static void on_submitted(void *arg, uint64_t tag, int rc, uint32_t status)
{
    struct landing *l = arg;
    struct sm_smpp_sm sm;

    if (l->n < 16) {
        l->tag[l->n] = tag;
        l->rc[l->n] = rc;
        l->status[l->n] = status;
        l->n++;
    }
    set_sm(&sm, "1234", "+447900000001");
    l->reentry = sm_smpp_submit_async(l->c, &sm, 99);
}

static void client_submit_window(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct landing l = {0};
    struct sm_smpp_pdu req;
    struct sm_smpp_sm sm;
    uint8_t ud[140];
    struct pair p;

    (void)state;
    smspp_140(ud);
    set_sm(&sm, "1234", "+447900000001");
    sm.ud = ud;
    sm.ud_len = 140;
    /* no callback: no asynchronous submit */
    bound_pair(&p, &cfg);
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 1), -EINVAL);
    pair_close(&p);
    cfg.window = SM_SMPP_WINDOW_MAX + 1;
    assert_int_equal(sm_smpp_client_new(&cfg, &p.c), -EINVAL);

    cfg.window = 3;
    cfg.throttle_pause_ms = 200;
    cfg.on_submitted = on_submitted;
    cfg.arg = &l;
    bound_pair(&p, &cfg);
    l.c = p.c;
    /* three go without waiting (seq 2, 3, 4) */
    for (uint64_t tag = 10; tag < 13; tag++)
        assert_int_equal(sm_smpp_submit_async(p.c, &sm, tag), 0);
    assert_int_equal(sm_smpp_in_flight(p.c), 3);
    for (uint32_t seq = 2; seq < 5; seq++) {
        peer_read(&p, &req);
        assert_int_equal(req.command_id, SM_SMPP_SUBMIT_SM);
        assert_int_equal(req.sequence_number, seq);
        sm_smpp_pdu_free(&req);
    }
    assert_int_equal(l.n, 0);
    /* the window is full: the fourth waits for an answer (seq 3's) and then goes as seq 5 */
    peer_header(&p, SM_SMPP_SUBMIT_SM_RESP, 0, 3);
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 13), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.tag[0], 11);
    assert_int_equal(l.rc[0], 0);
    assert_int_equal(l.reentry, -EBUSY);
    peer_read(&p, &req);
    assert_int_equal(req.sequence_number, 5);
    sm_smpp_pdu_free(&req);
    /* throttled (seq 2), a generic_nack (seq 4) and an answer nobody waits for (seq 40) */
    peer_header(&p, SM_SMPP_SUBMIT_SM_RESP, SM_SMPP_RTHROTTLED, 2);
    peer_header(&p, SM_SMPP_GENERIC_NACK, SM_SMPP_RINVCMDLEN, 4);
    peer_header(&p, SM_SMPP_SUBMIT_SM_RESP, 0, 40);
    assert_true(sm_smpp_poll(p.c, 200) >= 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.tag[1], 10);
    assert_int_equal(l.rc[1], -EPROTO);
    assert_int_equal(l.status[1], SM_SMPP_RTHROTTLED);
    assert_int_equal(l.tag[2], 12);
    assert_int_equal(l.rc[2], -EPROTO);
    assert_int_equal(l.status[2], SM_SMPP_RINVCMDLEN);
    assert_int_equal(sm_smpp_in_flight(p.c), 1);
    /* the SMSC asked for a pause: nothing is sent during it */
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 14), -EAGAIN);
    assert_true(peer_quiet(&p));
    /* seq 5 is never answered: its response timer (300 ms) ends it */
    assert_true(sm_smpp_poll(p.c, 400) >= 0);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.tag[3], 13);
    assert_int_equal(l.rc[3], -ETIMEDOUT);
    assert_int_equal(sm_smpp_in_flight(p.c), 0);
    /* the pause is over; the connection then ends with a submit in flight */
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 15), 0);
    peer_read(&p, &req);
    assert_int_equal(req.sequence_number, 6);
    sm_smpp_pdu_free(&req);
    close(p.peer);
    p.peer = -1;
    assert_true(sm_smpp_poll(p.c, 200) < 0);
    assert_int_equal(l.n, 5);
    assert_int_equal(l.tag[4], 15);
    assert_int_equal(l.rc[4], -ECONNRESET);
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 16), -ENOTCONN);
    pair_close(&p);

    /* a rate limit of two a second */
    memset(&l, 0, sizeof(l));
    cfg.window = 10;
    cfg.max_rate = 2;
    bound_pair(&p, &cfg);
    l.c = p.c;
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 1), 0);
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 2), 0);
    assert_int_equal(sm_smpp_submit_async(p.c, &sm, 3), -EAGAIN);
    assert_int_equal(sm_smpp_in_flight(p.c), 2);
    pair_close(&p);
    /* freeing the client tells the application what was in flight */
    assert_int_equal(l.n, 2);
    assert_int_equal(l.rc[0], -ECONNRESET);
}

static uint32_t refuse_some(void *arg, const struct sm_smpp_pdu *pdu)
{
    int *calls = arg;

    (*calls)++;
    return pdu->sm.ud_len == 1 ? SM_SMPP_RX_T_APPN : SM_SMPP_ROK;
}

static void client_deliver_callback_and_queue_full(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct sm_smpp_pdu dl = {0}, r;
    uint8_t one = 1;
    struct pair p;
    int calls = 0;

    cfg.on_deliver = refuse_some;
    cfg.arg = &calls;
    bound_pair(&p, &cfg);
    dl.command_id = SM_SMPP_DELIVER_SM;
    set_sm(&dl.sm, "1", "2");
    dl.sm.ud = &one;
    dl.sm.ud_len = 1;
    dl.sequence_number = 10;
    peer_send(&p, &dl);
    dl.sm.ud_len = 0;
    dl.sequence_number = 11;
    peer_send(&p, &dl);
    assert_int_equal(sm_smpp_poll(p.c, 1000), 2);
    assert_int_equal(calls, 2);
    peer_read(&p, &r);
    assert_int_equal(r.sequence_number, 10);
    assert_int_equal(r.command_status, SM_SMPP_RX_T_APPN);
    sm_smpp_pdu_free(&r);
    peer_read(&p, &r);
    assert_int_equal(r.sequence_number, 11);
    assert_int_equal(r.command_status, SM_SMPP_ROK);
    sm_smpp_pdu_free(&r);
    assert_int_equal(sm_smpp_receive(p.c, &r, 0), -EINVAL); /* callback mode */
    pair_close(&p);

    /* queue mode with room for one: the second waits at the SMSC (ESME_RX_T_APPN) */
    cfg = base_cfg();
    cfg.rx_queue = 1;
    bound_pair(&p, &cfg);
    dl.sequence_number = 20;
    peer_send(&p, &dl);
    dl.sequence_number = 21;
    peer_send(&p, &dl);
    assert_int_equal(sm_smpp_poll(p.c, 1000), 1); /* only the queued one counts */
    peer_read(&p, &r);
    assert_int_equal(r.command_status, SM_SMPP_ROK);
    sm_smpp_pdu_free(&r);
    peer_read(&p, &r);
    assert_int_equal(r.sequence_number, 21);
    assert_int_equal(r.command_status, SM_SMPP_RX_T_APPN);
    sm_smpp_pdu_free(&r);
    assert_int_equal(sm_smpp_pending(p.c), 1);
    pair_close(&p);

    /* a transmitter does not take deliver_sm (4.6, bind status) */
    cfg = base_cfg();
    cfg.mode = SM_SMPP_TRANSMITTER;
    bound_pair(&p, &cfg);
    dl.sequence_number = 30;
    peer_send(&p, &dl);
    assert_int_equal(sm_smpp_poll(p.c, 1000), 0);
    peer_read(&p, &r);
    assert_int_equal(r.command_id, SM_SMPP_DELIVER_SM_RESP);
    assert_int_equal(r.command_status, SM_SMPP_RINVBNDSTS);
    sm_smpp_pdu_free(&r);
    pair_close(&p);
}

static void client_answers_unknown_and_malformed(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct bb *b = calloc(1, sizeof(*b));
    struct sm_smpp_pdu r;
    struct pair p;

    assert_non_null(b);
    bound_pair(&p, &cfg);
    /* unknown command: generic_nack ESME_RINVCMDID with its sequence number (4.3) */
    header(b, 0x00000099, 0, 55);
    putstr(b, "whatever");
    done(b);
    peer_raw(&p, b->b, b->n);
    assert_int_equal(sm_smpp_poll(p.c, 1000), 0);
    peer_read(&p, &r);
    assert_int_equal(r.command_id, SM_SMPP_GENERIC_NACK);
    assert_int_equal(r.command_status, SM_SMPP_RINVCMDID);
    assert_int_equal(r.sequence_number, 55);
    sm_smpp_pdu_free(&r);
    /* a deliver_sm that does not decode */
    header(b, SM_SMPP_DELIVER_SM, 0, 56);
    putraw(b, "unterminated", 12);
    done(b);
    peer_raw(&p, b->b, b->n);
    assert_int_equal(sm_smpp_poll(p.c, 1000), 0);
    peer_read(&p, &r);
    assert_int_equal(r.command_id, SM_SMPP_GENERIC_NACK);
    assert_int_equal(r.sequence_number, 56);
    assert_int_not_equal(r.command_status, 0);
    sm_smpp_pdu_free(&r);
    /* a response to nothing: no answer */
    peer_header(&p, SM_SMPP_SUBMIT_SM_RESP, 0, 999);
    assert_int_equal(sm_smpp_poll(p.c, 1000), 0);
    assert_true(peer_quiet(&p));
    /* an unexpected request an ESME does not serve */
    peer_header(&p, SM_SMPP_BIND_TRANSCEIVER, 0, 57);
    assert_int_equal(sm_smpp_poll(p.c, 1000), 0);
    peer_read(&p, &r);
    assert_int_equal(r.command_id, SM_SMPP_GENERIC_NACK);
    sm_smpp_pdu_free(&r);
    /* still in business */
    peer_header(&p, SM_SMPP_ENQUIRE_LINK_RESP, 0, 2);
    assert_int_equal(sm_smpp_enquire_link(p.c), 0);
    assert_true(sm_smpp_is_bound(p.c));
    pair_close(&p);
    free(b);
}

static void client_framing_errors_close(void **state)
{
    static const uint8_t huge[] = {0x00, 0x10, 0x00, 0x00, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t tiny[] = {0x00, 0x00, 0x00, 0x08, 0, 0, 0, 5};
    static const uint8_t part[] = {0x00, 0x00, 0x00, 0x20, 0, 0, 0, 5, 0, 0};
    struct sm_smpp_client_config cfg = base_cfg();
    struct pair p;

    /* command_length above max_pdu: closed before reading the body */
    bound_pair(&p, &cfg);
    peer_raw(&p, huge, sizeof(huge));
    assert_int_equal(sm_smpp_poll(p.c, 1000), -EMSGSIZE);
    assert_int_equal(sm_smpp_fd(p.c), -1);
    assert_false(sm_smpp_is_bound(p.c));
    assert_int_equal(sm_smpp_poll(p.c, 0), -ENOTCONN);
    pair_close(&p);
    /* command_length below the header */
    bound_pair(&p, &cfg);
    peer_raw(&p, tiny, sizeof(tiny));
    assert_int_equal(sm_smpp_poll(p.c, 1000), -EBADMSG);
    pair_close(&p);
    /* the peer closes in the middle of a PDU */
    bound_pair(&p, &cfg);
    peer_raw(&p, part, sizeof(part));
    shutdown(p.peer, SHUT_WR);
    assert_int_equal(sm_smpp_poll(p.c, 1000), -EBADMSG);
    pair_close(&p);
    /* the peer closes between PDUs */
    bound_pair(&p, &cfg);
    shutdown(p.peer, SHUT_WR);
    assert_int_equal(sm_smpp_poll(p.c, 1000), -ECONNRESET);
    pair_close(&p);
    /* a PDU arriving one byte at a time is put together */
    bound_pair(&p, &cfg);
    {
        static const uint8_t el[] = {0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 9};
        struct sm_smpp_pdu r;

        for (size_t i = 0; i < sizeof(el); i++) {
            peer_raw(&p, el + i, 1);
            assert_int_equal(sm_smpp_poll(p.c, 0), 0);
        }
        peer_read(&p, &r);
        assert_int_equal(r.command_id, SM_SMPP_ENQUIRE_LINK_RESP);
        assert_int_equal(r.sequence_number, 9);
        sm_smpp_pdu_free(&r);
    }
    pair_close(&p);
}

static void client_enquire_link_timer_and_unbind(void **state)
{
    struct sm_smpp_client_config cfg = base_cfg();
    struct sm_smpp_pdu r;
    struct pair p;

    /* idle link: the client asks (7.2 enquire_link_timer); an answer keeps it up */
    cfg.enquire_link_ms = 100;
    bound_pair(&p, &cfg);
    assert_true(sm_smpp_next_timeout(p.c) <= 100);
    assert_int_equal(sm_smpp_poll(p.c, 250), 0);
    peer_read(&p, &r);
    assert_int_equal(r.command_id, SM_SMPP_ENQUIRE_LINK);
    peer_header(&p, SM_SMPP_ENQUIRE_LINK_RESP, 0, r.sequence_number);
    sm_smpp_pdu_free(&r);
    assert_int_equal(sm_smpp_poll(p.c, 50), 0);
    assert_true(sm_smpp_is_bound(p.c));
    /* no answer within response_timeout: the link is declared dead */
    assert_int_equal(sm_smpp_poll(p.c, 2000), -ETIMEDOUT);
    assert_false(sm_smpp_is_bound(p.c));
    pair_close(&p);

    /* the SMSC unbinds: answered, then -ESHUTDOWN */
    cfg = base_cfg();
    bound_pair(&p, &cfg);
    peer_header(&p, SM_SMPP_UNBIND, 0, 31);
    assert_int_equal(sm_smpp_poll(p.c, 1000), -ESHUTDOWN);
    peer_read(&p, &r);
    assert_int_equal(r.command_id, SM_SMPP_UNBIND_RESP);
    assert_int_equal(r.sequence_number, 31);
    sm_smpp_pdu_free(&r);
    assert_int_equal(sm_smpp_submit(p.c, &(struct sm_smpp_sm){0}, NULL, NULL), -ENOTCONN);
    pair_close(&p);

    /* we unbind */
    bound_pair(&p, &cfg);
    peer_header(&p, SM_SMPP_UNBIND_RESP, 0, 2);
    assert_int_equal(sm_smpp_unbind(p.c), 0);
    peer_read(&p, &r);
    assert_int_equal(r.command_id, SM_SMPP_UNBIND);
    sm_smpp_pdu_free(&r);
    assert_int_equal(sm_smpp_fd(p.c), -1);
    pair_close(&p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(frame_len_limits),
    cmocka_unit_test(encode_known_answers),
    cmocka_unit_test(round_trip_smspp_both_ways),
    cmocka_unit_test(round_trip_lengths_and_payload),
    cmocka_unit_test(round_trip_bind_and_responses),
    cmocka_unit_test(round_trip_receipt_tlvs_and_unknown_tlvs),
    cmocka_unit_test(decode_refusals),
    cmocka_unit_test(decode_tlv_refusals),
    cmocka_unit_test(decode_truncated_everywhere),
    cmocka_unit_test(decode_noise),
    cmocka_unit_test(times),
    cmocka_unit_test(receipts),
    cmocka_unit_test(client_config_checks),
    cmocka_unit_test(client_connect_refused),
    cmocka_unit_test(client_bind_refused_and_nacked),
    cmocka_unit_test(client_submit_with_traffic_in_between),
    cmocka_unit_test(client_submit_window),
    cmocka_unit_test(client_deliver_callback_and_queue_full),
    cmocka_unit_test(client_answers_unknown_and_malformed),
    cmocka_unit_test(client_framing_errors_close),
    cmocka_unit_test(client_enquire_link_timer_and_unbind),
};

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);
    sm_log_set_levels("error"); /* the refusals above are expected */
    return 0;
}

SM_TEST_MAIN(tests, setup, NULL)
