/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_SMS_H
#define SM_SMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/codec.h"

/*
 * SMS-PP for OTA (3GPP TS 23.040, 31.115): SMS-DELIVER (to the card) and SMS-SUBMIT (from the
 * card) TPDUs carrying SCP80 secured packets in 8-bit data (TP-PID 7F "(U)SIM data download",
 * TP-DCS F6 "class 2, 8-bit"), with a user data header: IEI 70 (command packet) or 71
 * (response packet), and concatenation IEs 00 (8-bit reference) / 08 (16-bit reference).
 * Encoders write into an sm_buf; decoders are strict (sm/codec.h).
 */

#define SM_SMS_PID_DATA_DOWNLOAD 0x7f
#define SM_SMS_DCS_CLASS2_8BIT   0xf6
#define SM_SMS_UD_MAX            140
#define SM_SMS_IEI_CONCAT8       0x00
#define SM_SMS_IEI_CONCAT16      0x08
#define SM_SMS_IEI_CMD_PACKET    0x70
#define SM_SMS_IEI_RSP_PACKET    0x71

struct sm_sms_address {
    uint8_t ton_npi; /* e.g. 0x91 international/E.164, 0x81 unknown/E.164 */
    char digits[21]; /* decimal digits (alphanumeric TON 5 addresses are refused) */
};

/* Service-centre time stamp (TS 23.040 9.2.3.11), passed in (no clock in codec code). */
struct sm_sms_time {
    uint8_t year, month, day, hour, minute, second; /* year 0..99 */
    int8_t tz_quarters;                             /* offset from UTC in quarter hours */
};

struct sm_sms_deliver {
    bool more_messages; /* TP-MMS inverted: true when more messages are waiting */
    bool reply_path, status_report;
    bool udhi; /* TP-UDHI */
    struct sm_sms_address oa;
    uint8_t pid, dcs;
    struct sm_sms_time scts;
    const uint8_t *ud; /* user data, UDH included when udhi (8-bit data only) */
    size_t ud_len;     /* <= 140 */
};

struct sm_sms_submit {
    bool reject_duplicates, status_report_request, reply_path, udhi;
    uint8_t mr; /* TP-MR */
    struct sm_sms_address da;
    uint8_t pid, dcs;
    uint8_t vpf; /* 0 none, 2 relative (vp[0]); absolute/enhanced forms are refused */
    uint8_t vp_relative;
    const uint8_t *ud;
    size_t ud_len;
};

/* Encode / decode TPDUs. Decoded ud points into the input. Only 8-bit data coding is
 * accepted (the OTA case); a 7-bit or UCS2 DCS is -EINVAL. */
int sm_sms_deliver_encode(const struct sm_sms_deliver *d, struct sm_buf *out);
int sm_sms_deliver_decode(const uint8_t *tpdu, size_t len, struct sm_sms_deliver *d,
                          struct sm_decode_err *err);
int sm_sms_submit_encode(const struct sm_sms_submit *s, struct sm_buf *out);
int sm_sms_submit_decode(const uint8_t *tpdu, size_t len, struct sm_sms_submit *s,
                         struct sm_decode_err *err);

/* One information element of a user data header. */
struct sm_sms_ie {
    uint8_t iei;
    uint8_t len;
    const uint8_t *data;
};

#define SM_SMS_MAX_IES 8

struct sm_sms_udh {
    struct sm_sms_ie ie[SM_SMS_MAX_IES];
    unsigned n;
    /* concatenation, when present */
    bool concat;
    uint16_t ref;
    uint8_t total, seq; /* seq 1..total */
    /* 0x70 / 0x71 present */
    bool cmd_packet, rsp_packet;
};

/* Split user data into header and payload (*payload/len point into ud). */
int sm_sms_udh_parse(const uint8_t *ud, size_t len, struct sm_sms_udh *udh, const uint8_t **payload,
                     size_t *payload_len, struct sm_decode_err *err);

/*
 * Cut a secured packet (from CPL on) into SMS user data parts, UDH included (31.115):
 * single SMS if it fits after "02 70 00" (or "02 71 00" for a response); else parts with
 * "07 70 00 00 03 ref total seq" first and "05 00 03 ref total seq" after (132 then 134
 * payload bytes). is_response selects IEI 71. parts[i] are freshly initialised buffers owned by
 * the caller (sm_buf_free each). Returns the number of parts (1..255) or a negative errno
 * (-EMSGSIZE when more than 255 parts would be needed).
 */
int sm_sms_split_packet(const uint8_t *packet, size_t len, bool is_response, uint8_t ref,
                        struct sm_buf *parts, size_t max_parts);

/*
 * Reassembly of concatenated parts. Pure: the caller passes "now" (seconds, any monotonic
 * origin) so stale sets can be dropped. Keyed by (originator digits, reference, total).
 */
struct sm_sms_reasm;
struct sm_sms_reasm *sm_sms_reasm_new(unsigned max_sets, unsigned timeout_s);
void sm_sms_reasm_free(struct sm_sms_reasm *r);
/*
 * Add the user data of one SMS (UDH included). When it completes a message (or is a single
 * unconcatenated one), *out receives the whole payload (without UDH; the packet IEI 70/71 of
 * the first part is reported in *udh_first) and 1 is returned; 0 when more parts are awaited;
 * a negative errno for an invalid part (-EBADMSG) or a full table (-ENOSPC, after dropping the
 * oldest set).
 */
int sm_sms_reasm_add(struct sm_sms_reasm *r, const char *originator, const uint8_t *ud,
                     size_t ud_len, uint64_t now, struct sm_buf *out, struct sm_sms_udh *udh_first);
/* Drop sets older than the timeout; returns how many were dropped. */
unsigned sm_sms_reasm_expire(struct sm_sms_reasm *r, uint64_t now);

#endif
