/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_TLV_H
#define SM_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/codec.h"

/*
 * BER-TLV as GlobalPlatform and ETSI use it (ISO/IEC 7816-4 / 8825-1): tags of 1 to 3 bytes
 * (first byte low five bits 11111 -> more bytes follow while b8 is set), definite lengths in
 * short form (00-7F) or long form 81 xx / 82 xxxx / 83 xxxxxx. Decoding is strict: a length in
 * long form that fits the short form, a tag longer than 3 bytes, indefinite length (except where
 * a caller asks for it), truncation and trailing bytes are errors with their offset.
 *
 * Tags are held as the big-endian value of their bytes: 0x4F, 0x5F20, 0x7F21, 0xBF3E, 0x9F70.
 *
 * SGP.02 STORE DATA uses DGIs: a 2-byte tag and a length of 1 byte (00-FE) or FF + 2 bytes.
 */

struct sm_tlv {
    uint32_t tag;
    bool constructed;     /* b6 of the first tag byte */
    const uint8_t *value; /* points into the input */
    size_t len;           /* value length */
    size_t offset;        /* of the tag in the input */
    size_t size;          /* whole TLV: tag + length + value */
};

/* Read one TLV at buf[*pos], advancing *pos. Returns 0, -ENODATA at the end of input (*pos ==
 * len, not an error), or -EBADMSG with err. */
int sm_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct sm_tlv *t,
                struct sm_decode_err *err);
/* Parse exactly one TLV spanning the whole input (trailing bytes are an error). */
int sm_tlv_parse_one(const uint8_t *buf, size_t len, struct sm_tlv *t, struct sm_decode_err *err);
/* Check that buf is a well-formed sequence of TLVs (each value not descended into). */
int sm_tlv_check_list(const uint8_t *buf, size_t len, struct sm_decode_err *err);
/* Check that buf is a well-formed sequence of TLVs, descending into every constructed one (at
 * most max_depth levels): the definite, shortest-form lengths of DER throughout. Run before
 * handing peer input to a BER decoder that accepts indefinite lengths. */
int sm_tlv_check_der(const uint8_t *buf, size_t len, unsigned max_depth, struct sm_decode_err *err);
/* First TLV with tag in the sequence buf (no descent). Returns 0, -ENOENT or -EBADMSG. */
int sm_tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct sm_tlv *t,
                struct sm_decode_err *err);

/* Encoded sizes. */
size_t sm_tlv_tag_size(uint32_t tag);
size_t sm_tlv_len_size(size_t len);
/* Append tag and length (minimal form). Returns 0, -EINVAL (bad tag) or -ENOMEM/-EMSGSIZE. */
int sm_tlv_put_header(struct sm_buf *b, uint32_t tag, size_t len);
/* Append a whole TLV. */
int sm_tlv_put(struct sm_buf *b, uint32_t tag, const void *value, size_t len);
int sm_tlv_put_u8(struct sm_buf *b, uint32_t tag, uint8_t v);
/* Wrap the bytes appended to b since mark into a TLV with tag (moves them; for nesting):
 *   size_t m = b->len; ...append children...; sm_tlv_wrap(b, m, 0xA6); */
int sm_tlv_wrap(struct sm_buf *b, size_t mark, uint32_t tag);

/* DGI (STORE DATA data grouping): 2-byte tag, length 00-FE in one byte, or FF + 2 bytes. */
struct sm_dgi {
    uint16_t tag;
    const uint8_t *value;
    size_t len;
    size_t offset, size;
};
/* Read one DGI at buf[*pos]. If allow_ber is set and a BER long-form reading of the length
 * (81 xx / 82 xxxx, which some implementations emit) ends exactly at the end of the input while
 * the one-byte reading does not, the BER reading is taken. Returns 0, -ENODATA at the end, or
 * -EBADMSG. */
int sm_dgi_next(const uint8_t *buf, size_t len, size_t *pos, bool allow_ber, struct sm_dgi *d,
                struct sm_decode_err *err);
int sm_dgi_put_header(struct sm_buf *b, uint16_t tag, size_t len);
int sm_dgi_put(struct sm_buf *b, uint16_t tag, const void *value, size_t len);

#endif
