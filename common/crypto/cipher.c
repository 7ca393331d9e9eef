/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "sm/buf.h"
#include "sm/cipher.h"

static const EVP_CIPHER *aes_cipher(size_t klen, bool cbc)
{
    switch (klen) {
    case 16:
        return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
    case 24:
        return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
    case 32:
        return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
    default:
        return NULL;
    }
}

static const char *aes_cbc_name(size_t klen)
{
    return klen == 16 ? "AES-128-CBC" : klen == 24 ? "AES-192-CBC" : "AES-256-CBC";
}

/* One cipher operation without padding; the context is wiped by EVP_CIPHER_CTX_free. */
static int run(const EVP_CIPHER *c, bool encrypt, const uint8_t *key, const uint8_t *iv,
               const uint8_t *in, size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, rc = -EIO;

    if (!ctx)
        return -ENOMEM;
    if (EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt ? 1 : 0) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
        EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 && (size_t)n == len)
        rc = 0;
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int sm_aes_cmac2(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen, const uint8_t *b,
                 size_t blen, uint8_t mac[16])
{
    EVP_MAC *m;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[2];
    size_t outl = 0;
    int rc = -EIO;

    if (!aes_cipher(klen, true))
        return -EINVAL;
    m = EVP_MAC_fetch(NULL, "CMAC", NULL);
    if (!m)
        return -EIO;
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)aes_cbc_name(klen), 0);
    params[1] = OSSL_PARAM_construct_end();
    ctx = EVP_MAC_CTX_new(m);
    if (ctx && EVP_MAC_init(ctx, key, klen, params) == 1 &&
        (!alen || EVP_MAC_update(ctx, a, alen) == 1) &&
        (!blen || EVP_MAC_update(ctx, b, blen) == 1) && EVP_MAC_final(ctx, mac, &outl, 16) == 1 &&
        outl == 16)
        rc = 0;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    return rc;
}

/* RFC 4493 2.3: L = AES(K, 0); K1 = L << 1 (xor 87 if the top bit was set); K2 = K1 << 1. */
static void dbl(const uint8_t in[16], uint8_t out[16])
{
    uint8_t carry = in[0] & 0x80;

    for (int i = 0; i < 15; i++)
        out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
    out[15] = (uint8_t)(in[15] << 1);
    if (carry)
        out[15] ^= 0x87;
}

int sm_aes_cmac_subkeys(const uint8_t *key, size_t klen, uint8_t k1[16], uint8_t k2[16])
{
    uint8_t l[16] = {0};
    int rc = sm_aes_ecb_encrypt(key, klen, l, 16, l);

    if (!rc) {
        dbl(l, k1);
        dbl(k1, k2);
    }
    sm_wipe(l, sizeof(l));
    return rc;
}

int sm_aes_cmac(const uint8_t *key, size_t klen, const uint8_t *msg, size_t len, uint8_t mac[16])
{
    return sm_aes_cmac2(key, klen, msg, len, NULL, 0, mac);
}

int sm_aes_ecb_encrypt(const uint8_t *key, size_t klen, const uint8_t *in, size_t len, uint8_t *out)
{
    const EVP_CIPHER *c = aes_cipher(klen, false);

    if (!c || len % 16)
        return -EINVAL;
    return len ? run(c, true, key, NULL, in, len, out) : 0;
}

int sm_aes_cbc(bool encrypt, const uint8_t *key, size_t klen, const uint8_t iv[16],
               const uint8_t *in, size_t len, uint8_t *out)
{
    const EVP_CIPHER *c = aes_cipher(klen, true);

    if (!c || len % 16)
        return -EINVAL;
    return len ? run(c, encrypt, key, iv, in, len, out) : 0;
}

int sm_3des_cbc(bool encrypt, const uint8_t *key, size_t klen, const uint8_t iv[8],
                const uint8_t *in, size_t len, uint8_t *out)
{
    const EVP_CIPHER *c = klen == 16 ? EVP_des_ede_cbc() : klen == 24 ? EVP_des_ede3_cbc() : NULL;

    if (!c || len % 8)
        return -EINVAL;
    return len ? run(c, encrypt, key, iv, in, len, out) : 0;
}

int sm_3des_cbc_mac(const uint8_t *key, size_t klen, const uint8_t *msg, size_t len, uint8_t mac[8])
{
    static const uint8_t zero_iv[8];
    size_t padded = (len + 7) / 8 * 8;
    uint8_t *buf;
    int rc;

    if (padded == 0)
        padded = 8;
    buf = calloc(1, padded);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, msg, len);
    rc = sm_3des_cbc(true, key, klen, zero_iv, buf, padded, buf);
    if (!rc)
        memcpy(mac, buf + padded - 8, 8);
    sm_wipe_free(buf, padded);
    return rc;
}

int sm_kcv_aes(const uint8_t *key, size_t klen, uint8_t kcv[3])
{
    uint8_t block[16];
    int rc;

    memset(block, 0x01, sizeof(block));
    rc = sm_aes_ecb_encrypt(key, klen, block, 16, block);
    if (!rc)
        memcpy(kcv, block, 3);
    return rc;
}

int sm_kcv_des(const uint8_t *key, size_t klen, uint8_t kcv[3])
{
    static const uint8_t zero_iv[8];
    uint8_t block[8] = {0};
    int rc = sm_3des_cbc(true, key, klen, zero_iv, block, 8, block);

    if (!rc)
        memcpy(kcv, block, 3);
    return rc;
}
