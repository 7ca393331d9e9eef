/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_APDU_H
#define SM_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/codec.h"

/*
 * Command and response APDUs (ISO/IEC 7816-4) and the remote command formats of ETSI TS 102 226
 * that carry them over SCP80 (SMS) and SCP81 (HTTPS):
 *
 *   expanded command script:  AA L { TLVs }  or  AE 80 { TLVs } 00 00
 *       22 C-APDU | 81 immediate action | 82 error action | 83 01 script chaining
 *       (SCP03t TLVs 84/85/86 travel in the same template, SGP.02 ES8)
 *   expanded response script: AB L { TLVs }  or  AF 80 { TLVs } 00 00
 *       80 01 <number of commands executed> | 23 R-APDU (data || SW) | 90 01 bad format
 *       | 81 immediate action response | 84/85/86/9F44..9F46 SCP03t answers
 *   compact command: concatenated C-APDUs; compact response: count || SW || data of the last.
 */

/* A C-APDU (short or extended). data points into the input when decoded. */
struct sm_capdu {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data;
    size_t lc; /* 0: no data */
    bool has_le;
    uint32_t le; /* 0 < le <= 65536; 256 is coded 00 in a short APDU */
};

/* Decode a single C-APDU spanning the whole input (cases 1, 2S, 3S, 4S, 2E, 3E, 4E). */
int sm_capdu_decode(const uint8_t *buf, size_t len, struct sm_capdu *a, struct sm_decode_err *err);
/* Encode; the short form when lc <= 255 and le <= 256, else the extended form. */
int sm_capdu_encode(const struct sm_capdu *a, struct sm_buf *out);

/* An R-APDU: response data and status word. */
struct sm_rapdu {
    const uint8_t *data;
    size_t len;
    uint16_t sw;
};
int sm_rapdu_decode(const uint8_t *buf, size_t len, struct sm_rapdu *r, struct sm_decode_err *err);
int sm_rapdu_encode(const struct sm_rapdu *r, struct sm_buf *out);
/* 9000, 61xx, 62xx, 63xx: processing completed (warnings included). */
bool sm_sw_ok(uint16_t sw);

/* Script tags (TS 102 226 and SGP.02 ES8). */
#define SM_SCRIPT_TAG_CMD_DEF   0xAA
#define SM_SCRIPT_TAG_CMD_INDEF 0xAE
#define SM_SCRIPT_TAG_RSP_DEF   0xAB
#define SM_SCRIPT_TAG_RSP_INDEF 0xAF
#define SM_SCRIPT_C_APDU        0x22
#define SM_SCRIPT_R_APDU        0x23
#define SM_SCRIPT_IMMEDIATE     0x81
#define SM_SCRIPT_ERROR_ACTION  0x82
#define SM_SCRIPT_CHAINING      0x83
#define SM_SCRIPT_EXECUTED      0x80
#define SM_SCRIPT_BAD_FORMAT    0x90

/* Script chaining values (TS 102 226 5.2.1.3 / SGP.02 Annex K). */
#define SM_CHAIN_FIRST      0x01
#define SM_CHAIN_FIRST_KEEP 0x11
#define SM_CHAIN_NEXT       0x02
#define SM_CHAIN_LAST       0x03

#define SM_SCRIPT_MAX_ITEMS 64

/* One element of an expanded script: a TLV of the template (value points into the input). */
struct sm_script_item {
    uint32_t tag;
    const uint8_t *value;
    size_t len;
};

struct sm_script {
    bool indefinite; /* AE/AF 80 ... 00 00 rather than AA/AB L */
    bool response;   /* AB/AF */
    struct sm_script_item item[SM_SCRIPT_MAX_ITEMS];
    unsigned n;
};

/* Decode an expanded command or response script (the whole input). Every item must be a
 * well-formed TLV; more than SM_SCRIPT_MAX_ITEMS items is -EMSGSIZE. */
int sm_script_decode(const uint8_t *buf, size_t len, struct sm_script *s,
                     struct sm_decode_err *err);

/* Build an expanded script: begin, add items, end. */
struct sm_script_builder {
    struct sm_buf *out;
    size_t mark;
    bool indefinite, response;
};
int sm_script_begin(struct sm_script_builder *b, struct sm_buf *out, bool response,
                    bool indefinite);
int sm_script_add(struct sm_script_builder *b, uint32_t tag, const void *value, size_t len);
/* Add a C-APDU as a 22 TLV. */
int sm_script_add_capdu(struct sm_script_builder *b, const struct sm_capdu *a);
/* Add an R-APDU as a 23 TLV. */
int sm_script_add_rapdu(struct sm_script_builder *b, const struct sm_rapdu *r);
int sm_script_end(struct sm_script_builder *b);

/*
 * Compact command format: the APDUs are concatenated, each CLA INS P1 P2 P3 [data]. P3 is Lc
 * (data follows) except for instructions that never carry data (case 2: READ BINARY, READ
 * RECORD, GET RESPONSE, GET DATA without data, FETCH), where it is Le. Calls fn per APDU;
 * stops with fn's non-zero return.
 */
int sm_compact_decode(const uint8_t *buf, size_t len,
                      int (*fn)(void *arg, const struct sm_capdu *a), void *arg,
                      struct sm_decode_err *err);
/* Compact response: executed count, SW of the last command, its data. */
int sm_compact_response_encode(uint8_t executed, const struct sm_rapdu *last, struct sm_buf *out);
int sm_compact_response_decode(const uint8_t *buf, size_t len, uint8_t *executed,
                               struct sm_rapdu *last, struct sm_decode_err *err);

#endif
