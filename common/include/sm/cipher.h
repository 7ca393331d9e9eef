/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_CIPHER_H
#define SM_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Block-cipher primitives on OpenSSL 3 (EVP), as the secure channels use them. No padding is
 * added here: callers pad as their protocol says. All return 0, -EINVAL (bad key or data
 * length) or -EIO (OpenSSL failure). Outputs may alias inputs.
 */

/* AES-CMAC (RFC 4493 / NIST SP 800-38B) with a 16-, 24- or 32-byte key; full 16-byte tag. */
int sm_aes_cmac(const uint8_t *key, size_t klen, const uint8_t *msg, size_t len, uint8_t mac[16]);
/* The CMAC subkeys K1, K2 (RFC 4493 2.3), for known-answer tests. */
int sm_aes_cmac_subkeys(const uint8_t *key, size_t klen, uint8_t k1[16], uint8_t k2[16]);
/* Same over the concatenation of two parts (MAC chaining value || data) without copying. */
int sm_aes_cmac2(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen, const uint8_t *b,
                 size_t blen, uint8_t mac[16]);
/* AES-ECB encryption of len bytes (a multiple of 16). */
int sm_aes_ecb_encrypt(const uint8_t *key, size_t klen, const uint8_t *in, size_t len,
                       uint8_t *out);
/* AES-CBC of len bytes (a multiple of 16) with iv; encrypt or decrypt. */
int sm_aes_cbc(bool encrypt, const uint8_t *key, size_t klen, const uint8_t iv[16],
               const uint8_t *in, size_t len, uint8_t *out);
/* Triple-DES CBC (16-byte two-key or 24-byte three-key), len a multiple of 8. */
int sm_3des_cbc(bool encrypt, const uint8_t *key, size_t klen, const uint8_t iv[8],
                const uint8_t *in, size_t len, uint8_t *out);
/* Triple-DES CBC-MAC as ETSI TS 102 225 uses it: zero padding to 8 bytes, IV 0, last block. */
int sm_3des_cbc_mac(const uint8_t *key, size_t klen, const uint8_t *msg, size_t len,
                    uint8_t mac[8]);
/* GlobalPlatform key check value: AES -> first 3 bytes of AES-ECB(key, 16 x 01);
 * DES/3DES -> first 3 bytes of 3DES-ECB(key, 8 x 00). */
int sm_kcv_aes(const uint8_t *key, size_t klen, uint8_t kcv[3]);
int sm_kcv_des(const uint8_t *key, size_t klen, uint8_t kcv[3]);

#endif
