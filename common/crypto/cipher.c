/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sm/buf.h"
#include "sm/cipher.h"
#include "cipher_priv.h"

/*
 * Algorithms are fetched from the provider once: in OpenSSL 3 the EVP_aes_128_cbc() style
 * handles make every initialisation fetch again, which costs more than the cipher work on the
 * short messages of the secure channels.
 */
static const char *const alg_names[SM_ALG_COUNT] = {
    [SM_ALG_AES128_ECB] = "AES-128-ECB", [SM_ALG_AES192_ECB] = "AES-192-ECB",
    [SM_ALG_AES256_ECB] = "AES-256-ECB", [SM_ALG_AES128_CBC] = "AES-128-CBC",
    [SM_ALG_AES192_CBC] = "AES-192-CBC", [SM_ALG_AES256_CBC] = "AES-256-CBC",
    [SM_ALG_DES2_CBC] = "DES-EDE-CBC",   [SM_ALG_DES3_CBC] = "DES-EDE3-CBC",
    [SM_ALG_AES256_GCM] = "AES-256-GCM",
};
static EVP_CIPHER *algs[SM_ALG_COUNT];
static EVP_MD *sha256;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    for (int i = 0; i < SM_ALG_COUNT; i++)
        algs[i] = EVP_CIPHER_fetch(NULL, alg_names[i], NULL);
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_CIPHER *sm_cipher_alg(enum sm_alg a)
{
    pthread_once(&fetch_once, fetch_all);
    return (unsigned)a < SM_ALG_COUNT ? algs[a] : NULL;
}

const EVP_MD *sm_md_sha256(void)
{
    pthread_once(&fetch_once, fetch_all);
    return sha256;
}

static const EVP_CIPHER *aes_cipher(size_t klen, bool cbc)
{
    int base = cbc ? SM_ALG_AES128_CBC : SM_ALG_AES128_ECB;

    switch (klen) {
    case 16:
        return sm_cipher_alg((enum sm_alg)base);
    case 24:
        return sm_cipher_alg((enum sm_alg)(base + 1));
    case 32:
        return sm_cipher_alg((enum sm_alg)(base + 2));
    default:
        return NULL;
    }
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

/*
 * AES-CMAC (RFC 4493 2.4) on one CBC context: CBC-MAC over all blocks but the last, the last
 * block xored with K1 (complete) or padded 80 00.. and xored with K2. Done here rather than with
 * EVP_MAC because the provider's CMAC fetches its cipher on every initialisation, which costs
 * more than the MAC itself on the short inputs of SCP80/SCP03.
 */
static void dbl(const uint8_t in[16], uint8_t out[16]);

int sm_aes_cmac2(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen, const uint8_t *b,
                 size_t blen, uint8_t mac[16])
{
    const EVP_CIPHER *c = aes_cipher(klen, true);
    EVP_CIPHER_CTX *ctx;
    uint8_t iv[16] = {0}, k1[16], k2[16], blk[16], last[16], scratch[16 * 16];
    size_t total = alen + blen, nfull, done = 0, fill = 0, used = 0;
    int n, rc = -EIO;

    if (!c)
        return -EINVAL;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return -ENOMEM;
    if (EVP_EncryptInit_ex(ctx, c, NULL, key, iv) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
        goto out;
    /* subkeys: L = E_K(0^128) with the same context (CBC with a zero IV on one zero block) */
    if (EVP_EncryptUpdate(ctx, blk, &n, iv, 16) != 1)
        goto out;
    dbl(blk, k1);
    dbl(k1, k2);
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1)
        goto out;
    /* every complete block except the last one goes through CBC as is */
    nfull = total ? (total - 1) / 16 : 0;
    while (done < nfull * 16) {
        size_t want = nfull * 16 - done, take;

        if (want > sizeof(scratch))
            want = sizeof(scratch);
        /* gather from a then b into scratch */
        for (take = 0; take < want; take++) {
            size_t pos = done + take;

            scratch[take] = pos < alen ? a[pos] : b[pos - alen];
        }
        if (want > used)
            used = want;
        if (EVP_EncryptUpdate(ctx, scratch, &n, scratch, (int)want) != 1)
            goto out;
        done += want;
    }
    /* the last block */
    for (size_t pos = done; pos < total; pos++)
        last[fill++] = pos < alen ? a[pos] : b[pos - alen];
    if (fill == 16) {
        for (int i = 0; i < 16; i++)
            last[i] ^= k1[i];
    } else {
        last[fill] = 0x80;
        memset(last + fill + 1, 0, 15 - fill);
        for (int i = 0; i < 16; i++)
            last[i] ^= k2[i];
    }
    if (EVP_EncryptUpdate(ctx, mac, &n, last, 16) != 1 || n != 16)
        goto out;
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
    sm_wipe(k1, sizeof(k1));
    sm_wipe(k2, sizeof(k2));
    sm_wipe(blk, sizeof(blk));
    sm_wipe(last, sizeof(last));
    sm_wipe(scratch, used);
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
    const EVP_CIPHER *c = klen == 16   ? sm_cipher_alg(SM_ALG_DES2_CBC)
                          : klen == 24 ? sm_cipher_alg(SM_ALG_DES3_CBC)
                                       : NULL;

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
