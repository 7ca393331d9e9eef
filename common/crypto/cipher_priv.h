/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_CIPHER_PRIV_H
#define SM_CIPHER_PRIV_H

/* Inside libsmcommon's crypto: algorithms fetched once from the OpenSSL provider (cipher.c).
 * Use these instead of EVP_aes_128_ecb() and friends, which fetch on every initialisation. */
#include <openssl/evp.h>

enum sm_alg {
    SM_ALG_AES128_ECB,
    SM_ALG_AES192_ECB,
    SM_ALG_AES256_ECB,
    SM_ALG_AES128_CBC,
    SM_ALG_AES192_CBC,
    SM_ALG_AES256_CBC,
    SM_ALG_DES2_CBC,
    SM_ALG_DES3_CBC,
    SM_ALG_AES256_GCM,
    SM_ALG_COUNT
};

/* NULL only if the provider lacks the algorithm. */
const EVP_CIPHER *sm_cipher_alg(enum sm_alg a);
/* SHA-256, fetched once. */
const EVP_MD *sm_md_sha256(void);

#endif
