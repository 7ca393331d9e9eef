/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_SCP03_H
#define SM_SCP03_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/codec.h"

/*
 * SCP03 (GlobalPlatform Card Specification Amendment D) for AES-128/192/256, off-card and card
 * side, and SCP03t, the TLV form SGP.02 ES8 uses to carry a profile package (84 / 85 / 86).
 *
 * KDF: NIST SP 800-108 counter mode with AES-CMAC and the GP layout
 *   11 x 00 || constant || 00 || L (16-bit, bits) || i (8-bit) || context
 * constants 00 card cryptogram, 01 host cryptogram, 02 card challenge, 04 S-ENC, 06 S-MAC,
 * 07 S-RMAC; context = host challenge || card challenge (card challenge: sequence counter || AID).
 *
 * Wrapping: C-MAC = CMAC(S-MAC, MCV || CLA|04 INS P1 P2 Lc' || data')[0..7], MCV = the full
 * CMAC; C-DEC: ICV = AES(S-ENC, counter as 16 bytes), data padded 80 00.. always, AES-CBC; the
 * counter counts every command after EXTERNAL AUTHENTICATE. R-MAC = CMAC(S-RMAC, MCV || data ||
 * SW)[0..7]; R-ENC: ICV from the counter block with its first byte 80. Error status words carry
 * neither.
 *
 * The session struct holds keys: clear it with sm_scp03_clear().
 */

#define SM_SCP03_LEVEL_CMAC 0x01
#define SM_SCP03_LEVEL_CDEC 0x02
#define SM_SCP03_LEVEL_RMAC 0x10
#define SM_SCP03_LEVEL_RENC 0x20

#define SM_SCP03_KDF_CARD_CRYPTOGRAM 0x00
#define SM_SCP03_KDF_HOST_CRYPTOGRAM 0x01
#define SM_SCP03_KDF_CARD_CHALLENGE  0x02
#define SM_SCP03_KDF_S_ENC           0x04
#define SM_SCP03_KDF_S_MAC           0x06
#define SM_SCP03_KDF_S_RMAC          0x07

struct sm_scp03_keys {
    const uint8_t *enc, *mac, *dek; /* static keys (dek may be NULL) */
    size_t klen;                    /* 16, 24 or 32 */
};

struct sm_scp03_session {
    size_t klen;
    uint8_t s_enc[32], s_mac[32], s_rmac[32];
    uint8_t mcv[16];
    uint32_t counter; /* value used by the last wrapped command */
    uint8_t level;
    bool authenticated;
    uint8_t kvn, i_param;
    uint8_t host_challenge[8], card_challenge[8], card_cryptogram[8], host_cryptogram[8];
    uint8_t seq[3];
    bool has_seq;
};

void sm_scp03_clear(struct sm_scp03_session *s);

/* The GP SCP03 KDF; lbits a multiple of 8, output lbits/8 bytes. */
int sm_scp03_kdf(const uint8_t *key, size_t klen, uint8_t constant, const uint8_t *ctx,
                 size_t ctxlen, unsigned lbits, uint8_t *out);
/* Pseudo-random card challenge: KDF(K-ENC, 02, seq || AID, 64). */
int sm_scp03_card_challenge(const uint8_t *kenc, size_t klen, const uint8_t seq[3],
                            const uint8_t *aid, size_t aidlen, uint8_t out[8]);
/* Derive S-ENC, S-MAC, S-RMAC and both cryptograms from the static keys and challenges. */
int sm_scp03_derive(struct sm_scp03_session *s, const struct sm_scp03_keys *k,
                    const uint8_t host_challenge[8], const uint8_t card_challenge[8]);
/* Start a session from known session keys (SGP.22 BSP vectors, tests). */
int sm_scp03_set_session(struct sm_scp03_session *s, const uint8_t *s_enc, const uint8_t *s_mac,
                         const uint8_t *s_rmac, size_t klen, const uint8_t mcv[16]);

/* ---- off-card (host) side ---- */
/* INITIALIZE UPDATE 80 50 kvn 00 08 <host challenge> 00 */
int sm_scp03_initialize_update(uint8_t kvn, const uint8_t host_challenge[8], struct sm_buf *apdu);
/* Parse the INITIALIZE UPDATE response data (SW removed), derive the session, check the card
 * cryptogram (-EKEYREJECTED when wrong, -EPROTO when the card does not speak SCP03). */
int sm_scp03_host_init(struct sm_scp03_session *s, const struct sm_scp03_keys *k,
                       const uint8_t host_challenge[8], const uint8_t *rsp, size_t len,
                       struct sm_decode_err *err);
/* EXTERNAL AUTHENTICATE 84 82 level 00 10 <host cryptogram> <C-MAC>; sets the level. */
int sm_scp03_external_authenticate(struct sm_scp03_session *s, uint8_t level, struct sm_buf *apdu);
/* Wrap a plain C-APDU for the current level. */
int sm_scp03_wrap(struct sm_scp03_session *s, const uint8_t *apdu, size_t len, struct sm_buf *out);
/* Check and decipher a response (data without SW). -EKEYREJECTED on an R-MAC mismatch. */
int sm_scp03_unwrap_response(struct sm_scp03_session *s, const uint8_t *data, size_t len,
                             uint16_t sw, struct sm_buf *plain);

/* ---- card side ---- */
/* Answer INITIALIZE UPDATE with a pseudo-random card challenge (i = 70 as SGP.02 uses): writes
 * key div data || KVN 03 i || card challenge || card cryptogram || seq into rsp. seq is the
 * value after this session's increment. */
int sm_scp03_card_init(struct sm_scp03_session *s, const struct sm_scp03_keys *k, uint8_t kvn,
                       uint8_t i_param, const uint8_t seq[3], const uint8_t *aid, size_t aidlen,
                       const uint8_t key_div_data[10], const uint8_t host_challenge[8],
                       struct sm_buf *rsp);
/* Verify EXTERNAL AUTHENTICATE (host cryptogram and C-MAC); -EKEYREJECTED otherwise. */
int sm_scp03_card_external_authenticate(struct sm_scp03_session *s, const uint8_t *apdu, size_t len,
                                        struct sm_decode_err *err);
/* Verify and decipher a wrapped command into the plain APDU. */
int sm_scp03_card_unwrap(struct sm_scp03_session *s, const uint8_t *apdu, size_t len,
                         struct sm_buf *plain, struct sm_decode_err *err);
/* Protect a response: data (R-ENC) || R-MAC || SW as the level says. */
int sm_scp03_card_wrap_response(struct sm_scp03_session *s, const uint8_t *data, size_t len,
                                uint16_t sw, struct sm_buf *out);

/* ---- SCP03t (SGP.02 ES8) ---- */
#define SM_SCP03T_ERR_STRUCTURE 0x01
#define SM_SCP03T_ERR_SECURITY  0x02
#define SM_SCP03T_ERR_NO_KEYSET 0x03

/* SM-DP: 84 0A kvn 00 <host challenge> */
int sm_scp03t_cmd_84(uint8_t kvn, const uint8_t host_challenge[8], struct sm_buf *out);
/* SM-DP: process the card's answer to 84: 84 20 <init update response> or 9F44 01 <code>
 * (-EPROTO with *card_error). */
int sm_scp03t_host_84(struct sm_scp03_session *s, const struct sm_scp03_keys *k,
                      const uint8_t host_challenge[8], const uint8_t *tlv, size_t len,
                      uint8_t *card_error, struct sm_decode_err *err);
/* SM-DP: 85 11 <level> <host cryptogram> <C-MAC> */
int sm_scp03t_cmd_85(struct sm_scp03_session *s, uint8_t level, struct sm_buf *out);
/* Protect one TLV: encrypt (or MAC only) the value and append tag || len || data || C-MAC;
 * the counter advances for every TLV (SGP.02 86 segments; SGP.22 BSP). */
int sm_scp03t_wrap(struct sm_scp03_session *s, uint32_t tag, const uint8_t *plain, size_t len,
                   bool encrypt, struct sm_buf *out);
/* SM-DP: check the card's answer to 85 or 86: "85 00" / "86 00" (success), "86 L <enc> <R-MAC>"
 * (deciphered into data when not NULL), or 9F45 / 9F46 01 <code> (-EPROTO with *card_error). */
int sm_scp03t_host_check(struct sm_scp03_session *s, uint32_t tag, const uint8_t *tlv, size_t len,
                         struct sm_buf *data, uint8_t *card_error, struct sm_decode_err *err);

/* Card: answer 84 (sequence counter and AID for the pseudo-random challenge). On a key set
 * that is not there the answer is 9F44 01 03 and -ENOKEY. rsp gets the answer TLV either way. */
int sm_scp03t_card_84(struct sm_scp03_session *s, const struct sm_scp03_keys *k, uint8_t kvn,
                      const uint8_t seq[3], const uint8_t *aid, size_t aidlen, const uint8_t *tlv,
                      size_t len, struct sm_buf *rsp);
/* Card: answer 85: "85 00", or 9F45 01 02 on a wrong cryptogram / MAC (-EKEYREJECTED). */
int sm_scp03t_card_85(struct sm_scp03_session *s, const uint8_t *tlv, size_t len,
                      struct sm_buf *rsp);
/* Card: answer an 86: verify, decipher into plain (appended), "86 00"; 9F46 01 02 on a MAC
 * failure (-EKEYREJECTED), 9F46 01 01 on a structure error (-EBADMSG). */
/* Card: an answer carrying data (the SAIP EUICCResponse after a failed installation):
 * tag L <data, enciphered when the level has R-ENC> <R-MAC>, R-MAC = CMAC(S-RMAC, MCV || tag ||
 * L || enciphered data)[0..7] (es5 spec 4.5; what sm_scp03t_host_check reads). */
int sm_scp03t_card_answer(struct sm_scp03_session *s, uint32_t tag, const uint8_t *data, size_t len,
                          struct sm_buf *rsp);
int sm_scp03t_card_86(struct sm_scp03_session *s, const uint8_t *tlv, size_t len,
                      struct sm_buf *plain, struct sm_buf *rsp);

#endif
