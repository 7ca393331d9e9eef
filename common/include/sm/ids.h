/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_IDS_H
#define SM_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Identifiers: parse, validate, format. Every function returns 0 (or a length) on success and
 * -EINVAL for anything malformed; none accepts what it cannot represent exactly.
 *
 * EID: 32 decimal digits, the last two ISO 7064 MOD 97-10 check digits (N mod 97 == 1).
 * ICCID: 19 or 20 decimal digits (E.118, starting 89), the last one a Luhn check digit; plain
 *   decimal in messages, nibble-swapped BCD in EF.ICCID, natural-order BCD in the SAIP header.
 * IMSI: 6..15 digits; EF.IMSI is 9 bytes (length byte, parity nibble, swapped digits, F fill).
 * MSISDN: 3..15 digits, optionally with a leading '+'; in TLVs and TP addresses TON/NPI then
 *   swapped BCD with F fill.
 * AID: 5..16 bytes; the TAR of a security domain without one listed is bytes 13..15 of its AID.
 */

#define SM_EID_DIGITS        32
#define SM_ICCID_MAX_DIGITS  20
#define SM_IMSI_MAX_DIGITS   15
#define SM_MSISDN_MAX_DIGITS 15
#define SM_AID_MIN           5
#define SM_AID_MAX           16

/* --- EID --- */
/* Valid: 32 digits and N mod 97 == 1. */
int sm_eid_check(const char *eid);
/* Compute the two check digits for the first 30 digits; writes the 32-digit EID + NUL. */
int sm_eid_complete(const char *first30, char out[SM_EID_DIGITS + 1]);
/* 16-byte packed BCD (natural order) <-> text. */
int sm_eid_to_bytes(const char *eid, uint8_t out[16]);
int sm_eid_from_bytes(const uint8_t in[16], char out[SM_EID_DIGITS + 1]);

/* --- ICCID --- */
/* Luhn check digit ('0'..'9') of a digit string (the payload without the check digit). */
int sm_luhn_digit(const char *digits, char *check);
/* Valid: 19 or 20 digits, starts with "89", last digit is the Luhn digit of the rest. */
int sm_iccid_check(const char *iccid);
/* Append the Luhn digit to an 18- or 19-digit payload. */
int sm_iccid_complete(const char *payload, char out[SM_ICCID_MAX_DIGITS + 1]);
/* EF.ICCID: 10 bytes, nibble-swapped (first digit in the low nibble), F padded. */
int sm_iccid_to_ef(const char *iccid, uint8_t out[10]);
int sm_iccid_from_ef(const uint8_t in[10], char out[SM_ICCID_MAX_DIGITS + 1]);
/* SAIP ProfileHeader.iccid: 10 bytes, natural order (first digit in the high nibble), F padded. */
int sm_iccid_to_saip(const char *iccid, uint8_t out[10]);
int sm_iccid_from_saip(const uint8_t in[10], char out[SM_ICCID_MAX_DIGITS + 1]);

/* --- IMSI --- */
int sm_imsi_check(const char *imsi);
/* EF.IMSI (9 bytes). */
int sm_imsi_to_ef(const char *imsi, uint8_t out[9]);
int sm_imsi_from_ef(const uint8_t in[9], char out[SM_IMSI_MAX_DIGITS + 1]);

/* --- MSISDN and addresses --- */
int sm_msisdn_check(const char *msisdn);
/* Swapped BCD digits with F fill (no TON/NPI). Returns the byte count written (<= out_size) */
int sm_bcd_swapped_encode(const char *digits, uint8_t *out, size_t out_size);
/* Decode ndigits swapped-BCD digits (stop early at an F filler). Returns 0 or -EINVAL. */
int sm_bcd_swapped_decode(const uint8_t *in, size_t len, char *out, size_t out_size);
/* ETSI TS 102 223 Address / SMSC form: TON/NPI byte (0x91 when the text starts with '+',
 * else 0x81) then swapped BCD. Returns the byte count. */
int sm_address_encode(const char *msisdn, uint8_t *out, size_t out_size);
int sm_address_decode(const uint8_t *in, size_t len, char *out, size_t out_size);

/* --- AID and TAR --- */
/* Hex text of 5..16 bytes -> bytes. Returns the length. */
int sm_aid_parse(const char *hex, uint8_t out[SM_AID_MAX]);
/* TAR = AID bytes 13..15 (1-based), i.e. aid[12..14]; the AID must be 16 bytes. */
int sm_tar_from_aid(const uint8_t *aid, size_t len, uint8_t tar[3]);

/* JSON validators (sm_json_validator): 0 when acceptable, -EINVAL otherwise. */
int sm_json_is_eid(const char *s);
int sm_json_is_iccid(const char *s);
int sm_json_is_imsi(const char *s);
int sm_json_is_msisdn(const char *s);
int sm_json_is_aid(const char *s);

#endif
