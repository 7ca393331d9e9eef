/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_SCP80_H
#define SM_SCP80_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/codec.h"

/*
 * SCP80: secured packets of ETSI TS 102 225 in the SMS dialect of 3GPP TS 31.115, both ways.
 * The SM-SR wraps command packets and unwraps Proofs of Receipt; the card does the reverse.
 *
 * Command packet (no UDH; the SMS layer adds 02 70 00):
 *   CPL(2) CHL(1) SPI(2) KIc KID TAR(3) | CNTR(5) PCNTR(1) CC(0/4/8) data padding
 * Response packet (PoR), UDH included because its checksum covers it:
 *   02 71 00 RPL(2) RHL(1) TAR(3) | CNTR(5) PCNTR(1) STATUS(1) CC data padding
 * The part after the bar is encrypted when ciphering applies (CBC, IV zero, zero padding to the
 * block size, PCNTR = padding count). Order: pad, checksum, encrypt.
 *
 * Supported: ciphering AES-CBC (KIc algorithm 2), 3DES-CBC two and three keys (5, 9);
 * checksum AES-CMAC truncated to 8 bytes (KID 2) and 3DES CBC-MAC (5, 9). Single DES,
 * redundancy checks and digital signatures are refused as unsupported (-ENOTSUP).
 */

/* SPI first byte (TS 102 225 5.1.1) */
#define SM_SPI1_INTEGRITY_MASK 0x03
#define SM_SPI1_RC             0x01
#define SM_SPI1_CC             0x02
#define SM_SPI1_DS             0x03
#define SM_SPI1_CIPHER         0x04
#define SM_SPI1_CNTR_MASK      0x18
#define SM_SPI1_CNTR_NONE      0x00
#define SM_SPI1_CNTR_NOCHECK   0x08
#define SM_SPI1_CNTR_HIGHER    0x10
#define SM_SPI1_CNTR_PLUS_ONE  0x18
/* SPI second byte */
#define SM_SPI2_POR_MASK           0x03
#define SM_SPI2_POR_NONE           0x00
#define SM_SPI2_POR_ALWAYS         0x01
#define SM_SPI2_POR_ON_ERROR       0x02
#define SM_SPI2_POR_INTEGRITY_MASK 0x0c
#define SM_SPI2_POR_RC             0x04
#define SM_SPI2_POR_CC             0x08
#define SM_SPI2_POR_DS             0x0c
#define SM_SPI2_POR_CIPHER         0x10
#define SM_SPI2_POR_SUBMIT         0x20

/* KIc / KID low nibble */
#define SM_ALG_AES   0x02
#define SM_ALG_3DES2 0x05
#define SM_ALG_3DES3 0x09

/* PoR status codes (TS 102 225 5.1.2) */
enum sm_por_status {
    SM_POR_OK = 0x00,
    SM_POR_CC_FAILED = 0x01,
    SM_POR_CNTR_LOW = 0x02,
    SM_POR_CNTR_HIGH = 0x03,
    SM_POR_CNTR_BLOCKED = 0x04,
    SM_POR_CIPHER_ERROR = 0x05,
    SM_POR_SECURITY_ERROR = 0x06,
    SM_POR_NO_MEMORY = 0x07,
    SM_POR_MORE_TIME = 0x08,
    SM_POR_TAR_UNKNOWN = 0x09,
    SM_POR_LOW_SECURITY = 0x0a,
    SM_POR_IN_SMS_SUBMIT = 0x0b,
    SM_POR_IN_USSD = 0x0c,
};
const char *sm_por_status_text(uint8_t status);

/* Keys of one SCP80 key set, raw bytes (taken from sm_secret by the caller). */
struct sm_scp80_keys {
    const uint8_t *kic;
    size_t kic_len;
    const uint8_t *kid;
    size_t kid_len;
};

struct sm_scp80_header {
    uint8_t spi[2];
    uint8_t kic, kid;
    uint8_t tar[3];
};

/* Length of the cryptographic checksum the SPI/KID ask for (0, 4 or 8), or -ENOTSUP. */
int sm_scp80_cc_len(uint8_t spi_integrity, uint8_t kid);

/* Off-card: build a command packet (CPL..end) into out. cntr is the 5-byte counter. */
int sm_scp80_wrap_command(const struct sm_scp80_header *h, const uint8_t cntr[5],
                          const struct sm_scp80_keys *keys, const uint8_t *data, size_t len,
                          struct sm_buf *out);

/* Card: read the clear header of a command packet (to look up the keys of KIc/KID/TAR). */
int sm_scp80_command_header(const uint8_t *pkt, size_t len, struct sm_scp80_header *h,
                            struct sm_decode_err *err);

struct sm_scp80_command {
    struct sm_scp80_header h;
    uint8_t cntr[5];
    uint8_t pcntr;
    struct sm_buf data; /* deciphered secured data without padding (secure buffer; free it) */
};

/*
 * Card: decipher and verify a command packet. Returns 0 with *status SM_POR_OK, or a negative
 * errno with *status saying what the PoR reports: -EBADMSG (structure; SECURITY_ERROR),
 * -ENOTSUP (algorithm; SECURITY_ERROR), -EKEYREJECTED (checksum; CC_FAILED), -EPROTO
 * (deciphered padding inconsistent; CIPHER_ERROR). Counter checks are the caller's
 * (sm_scp80_check_counter), since it owns the stored value.
 */
int sm_scp80_unwrap_command(const uint8_t *pkt, size_t len, const struct sm_scp80_keys *keys,
                            struct sm_scp80_command *out, uint8_t *status,
                            struct sm_decode_err *err);
void sm_scp80_command_free(struct sm_scp80_command *c);

/* Counter rule of SPI1 b5b4: SM_POR_OK, SM_POR_CNTR_LOW, SM_POR_CNTR_HIGH (not exactly +1), or
 * SM_POR_CNTR_BLOCKED (stored value at its maximum). */
uint8_t sm_scp80_check_counter(uint8_t spi1, uint64_t stored, uint64_t received);
uint64_t sm_scp80_cntr_value(const uint8_t cntr[5]);
void sm_scp80_cntr_bytes(uint64_t v, uint8_t cntr[5]);

/* Card: build a PoR (02 71 00 RPL ...) as the command's SPI2 asks, echoing its TAR and CNTR. */
int sm_scp80_wrap_por(const struct sm_scp80_header *cmd, const uint8_t cntr[5], uint8_t status,
                      const struct sm_scp80_keys *keys, const uint8_t *data, size_t len,
                      struct sm_buf *out);

struct sm_scp80_por {
    uint8_t tar[3];
    uint8_t cntr[5];
    uint8_t status;
    bool protected_cc; /* a checksum was present and verified */
    bool deciphered;
    struct sm_buf data; /* response data without padding (free it) */
};

/*
 * Off-card: unwrap a PoR (with its 02 71 00 header, or without it: it is then assumed) for a
 * command sent with spi (the command's SPI). A PoR whose header carries no checksum although
 * SPI2 asked for one is accepted as unprotected (cards answer some errors that way):
 * protected_cc tells. Returns 0, -EBADMSG, -ENOTSUP, -EKEYREJECTED (checksum wrong).
 */
int sm_scp80_unwrap_por(const uint8_t spi[2], const uint8_t kic, const uint8_t kid,
                        const struct sm_scp80_keys *keys, const uint8_t *buf, size_t len,
                        struct sm_scp80_por *out, struct sm_decode_err *err);
void sm_scp80_por_free(struct sm_scp80_por *p);

#endif
