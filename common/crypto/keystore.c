/* SPDX-License-Identifier: Apache-2.0 */
/* Keystore: secrets wrapped under a KEK with AES-256-GCM (NIST SP 800-38D). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cipher_priv.h"
#include "sm/buf.h"
#include "sm/hex.h"
#include "sm/err.h"
#include "sm/keystore.h"
#include "sm/log.h"
#include "sm/rng.h"
#include "sm/secret.h"

#define KS_VERSION  0x01
#define KS_KEK_LEN  32
#define KS_NONCE    12
#define KS_TAG      16
#define KS_HDR      (1 + 4 + KS_NONCE)
#define KS_OVERHEAD (KS_HDR + KS_TAG)
/* a KEK file is 32 raw bytes or 64 hex digits with some whitespace; anything bigger is wrong */
#define KS_FILE_MAX 4096

struct ks_kek {
    uint32_t id;
    struct sm_secret *key;
};

struct sm_keystore {
    struct ks_kek *keks; /* [0] is the current KEK (used to wrap); the others only unwrap */
    size_t n;
};

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const struct ks_kek *find_kek(const struct sm_keystore *ks, uint32_t id)
{
    for (size_t i = 0; i < ks->n; i++)
        if (ks->keks[i].id == id)
            return &ks->keks[i];
    return NULL;
}

int sm_keystore_add_kek(struct sm_keystore *ks, const struct sm_secret *kek, uint32_t kek_id)
{
    struct ks_kek *k;

    if (!ks || !kek || !kek->data || kek->len != KS_KEK_LEN)
        return -EINVAL;
    if (find_kek(ks, kek_id))
        return -EEXIST; /* one id, one key: otherwise a blob's KEK would be ambiguous */
    k = realloc(ks->keks, (ks->n + 1) * sizeof(*k));
    if (!k)
        return -ENOMEM;
    ks->keks = k; /* the array holds only pointers to secrets: plain realloc is fine */
    k[ks->n].key = sm_secret_from(kek->data, kek->len);
    if (!k[ks->n].key)
        return -ENOMEM;
    k[ks->n].id = kek_id;
    ks->n++;
    return 0;
}

int sm_keystore_new(const struct sm_secret *kek, uint32_t kek_id, struct sm_keystore **out)
{
    struct sm_keystore *ks;
    int rc;

    if (!out || !kek || !kek->data || kek->len != KS_KEK_LEN)
        return -EINVAL;
    ks = calloc(1, sizeof(*ks));
    if (!ks)
        return -ENOMEM;
    rc = sm_keystore_add_kek(ks, kek, kek_id);
    if (rc) {
        sm_keystore_free(ks);
        return rc;
    }
    *out = ks;
    return 0;
}

void sm_keystore_free(struct sm_keystore *ks)
{
    if (!ks)
        return;
    for (size_t i = 0; i < ks->n; i++)
        sm_secret_free(ks->keks[i].key);
    free(ks->keks);
    free(ks);
}

/* AAD = version || kek_id || label, fed to GCM in two pieces (no copy of the label). */
static int gcm_aad(EVP_CIPHER_CTX *ctx, const uint8_t hdr[5], const char *label)
{
    size_t n = strlen(label);
    int outl;

    if (n > INT_MAX)
        return -EINVAL;
    if (EVP_CipherUpdate(ctx, NULL, &outl, hdr, 5) != 1)
        return -EIO;
    if (n && EVP_CipherUpdate(ctx, NULL, &outl, (const uint8_t *)label, (int)n) != 1)
        return -EIO;
    return 0;
}

int sm_keystore_wrap(struct sm_keystore *ks, const struct sm_rng *rng, const char *label,
                     const struct sm_secret *secret, struct sm_buf *out)
{
    const struct ks_kek *kek;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t *p;
    int rc, n = 0, fin = 0;

    if (!ks || !ks->n || !label || !secret || (secret->len && !secret->data) || !out)
        return -EINVAL;
    if (secret->len > INT_MAX - KS_OVERHEAD)
        return -EINVAL;
    kek = &ks->keks[0];
    rc = sm_buf_reserve(out, KS_OVERHEAD + secret->len);
    if (rc)
        return rc;
    /* the blob is built in place after the current contents; len moves only on success */
    p = out->data + out->len;
    p[0] = KS_VERSION;
    put_be32(p + 1, kek->id);
    rc = sm_rng_bytes(rng, p + 5, KS_NONCE);
    if (rc)
        goto done;
    rc = -ENOMEM;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        goto done;
    rc = -EIO;
    if (EVP_EncryptInit_ex(ctx, sm_cipher_alg(SM_ALG_AES256_GCM), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, KS_NONCE, NULL) != 1 ||
        EVP_EncryptInit_ex(ctx, NULL, NULL, kek->key->data, p + 5) != 1)
        goto done;
    rc = gcm_aad(ctx, p, label);
    if (rc)
        goto done;
    rc = -EIO;
    if (secret->len &&
        (EVP_EncryptUpdate(ctx, p + KS_HDR, &n, secret->data, (int)secret->len) != 1 ||
         (size_t)n != secret->len))
        goto done;
    if (EVP_EncryptFinal_ex(ctx, p + KS_HDR + n, &fin) != 1 || fin != 0 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, KS_TAG, p + KS_HDR + secret->len) != 1)
        goto done;
    out->len += KS_OVERHEAD + secret->len;
    out->data[out->len] = 0; /* sm_buf keeps a NUL after the contents */
    rc = 0;
done:
    if (rc)
        sm_wipe(p, KS_OVERHEAD + secret->len); /* also restores the NUL after the contents */
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int sm_keystore_blob_kek_id(const uint8_t *blob, size_t len, uint32_t *kek_id)
{
    if (!blob || !kek_id)
        return -EINVAL;
    if (len < KS_OVERHEAD || blob[0] != KS_VERSION)
        return -EBADMSG;
    *kek_id = get_be32(blob + 1);
    return 0;
}

int sm_keystore_unwrap(struct sm_keystore *ks, const char *label, const uint8_t *blob, size_t len,
                       struct sm_secret **out)
{
    const struct ks_kek *kek;
    struct sm_secret *s = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    size_t ctlen;
    uint32_t id;
    uint8_t tag[KS_TAG], fin[16];
    int rc, n = 0, fl = 0;

    if (!ks || !label || !out)
        return -EINVAL;
    rc = sm_keystore_blob_kek_id(blob, len, &id);
    if (rc)
        return rc;
    ctlen = len - KS_OVERHEAD;
    if (ctlen > INT_MAX)
        return -EBADMSG;
    kek = find_kek(ks, id);
    if (!kek)
        return -ENOKEY;
    s = sm_secret_new(ctlen);
    if (!s)
        return -ENOMEM;
    memcpy(tag, blob + KS_HDR + ctlen, KS_TAG);
    rc = -ENOMEM;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        goto done;
    rc = -EIO;
    if (EVP_DecryptInit_ex(ctx, sm_cipher_alg(SM_ALG_AES256_GCM), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, KS_NONCE, NULL) != 1 ||
        EVP_DecryptInit_ex(ctx, NULL, NULL, kek->key->data, blob + 5) != 1)
        goto done;
    rc = gcm_aad(ctx, blob, label);
    if (rc)
        goto done;
    rc = -EIO;
    if (ctlen &&
        (EVP_DecryptUpdate(ctx, s->data, &n, blob + KS_HDR, (int)ctlen) != 1 || (size_t)n != ctlen))
        goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, KS_TAG, tag) != 1)
        goto done;
    /* SP 800-38D 7.2: the plaintext is released only when the tag verifies */
    if (EVP_DecryptFinal_ex(ctx, fin, &fl) != 1) {
        rc = -EKEYREJECTED;
        goto done;
    }
    *out = s;
    s = NULL;
    rc = 0;
done:
    EVP_CIPHER_CTX_free(ctx);
    sm_secret_free(s);
    sm_wipe(fin, sizeof(fin));
    return rc;
}

static int hex_nibble(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* 32 raw bytes, or exactly 64 hex digits among whitespace, into key[32]. */
static int parse_kek(const uint8_t *text, size_t n, uint8_t key[KS_KEK_LEN])
{
    size_t digits = 0;
    int v, hi = 0;

    if (n == KS_KEK_LEN) {
        memcpy(key, text, KS_KEK_LEN);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (is_space(text[i]))
            continue;
        v = hex_nibble(text[i]);
        if (v < 0 || digits == 2 * KS_KEK_LEN)
            return -EINVAL;
        if (digits % 2)
            key[digits / 2] = (uint8_t)(hi << 4 | v);
        else
            hi = v;
        digits++;
    }
    return digits == 2 * KS_KEK_LEN ? 0 : -EINVAL;
}

int sm_keystore_load_kek(const char *path, struct sm_secret **out)
{
    uint8_t text[KS_FILE_MAX + 1];
    struct sm_secret *s = NULL;
    struct stat st;
    size_t n = 0;
    ssize_t r;
    int fd, rc;

    if (!path || !out)
        return -EINVAL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        goto done;
    }
    rc = -EINVAL;
    if (!S_ISREG(st.st_mode))
        goto done;
    rc = -EPERM;
    if (st.st_mode & (S_IRGRP | S_IROTH))
        goto done;
    /* read one byte more than allowed to detect an oversized file */
    while (n < sizeof(text)) {
        r = read(fd, text + n, sizeof(text) - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            goto done;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    rc = -EINVAL;
    if (n > KS_FILE_MAX)
        goto done;
    rc = -ENOMEM;
    s = sm_secret_new(KS_KEK_LEN);
    if (!s)
        goto done;
    rc = parse_kek(text, n, s->data);
    if (rc)
        goto done;
    *out = s;
    s = NULL;
done:
    close(fd);
    sm_secret_free(s);
    sm_wipe(text, sizeof(text));
    return rc;
}

int sm_keystore_create_kek(const char *path)
{
    uint8_t k[32];
    char hex[66];
    int fd, rc;

    rc = sm_rng_bytes(&sm_rng_system, k, sizeof(k));
    if (rc)
        return rc;
    sm_hex_encode(k, sizeof(k), hex);
    sm_wipe(k, sizeof(k));
    strcat(hex, "\n");
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        sm_wipe(hex, sizeof(hex));
        return -errno;
    }
    rc = write(fd, hex, strlen(hex)) == (ssize_t)strlen(hex) ? 0 : -EIO;
    if (close(fd) && !rc)
        rc = -EIO;
    sm_wipe(hex, sizeof(hex));
    return rc;
}

int sm_keystore_open(const char *kek_file, bool test_mode, struct sm_keystore **out)
{
    struct sm_secret *kek = NULL;
    int rc = sm_keystore_load_kek(kek_file, &kek);

    if (rc == -ENOENT && test_mode) {
        rc = sm_keystore_create_kek(kek_file);
        if (!rc) {
            SM_LOGW(SM_LOG_CRYPTO, kek_file, "test mode: created a new key-encryption key");
            rc = sm_keystore_load_kek(kek_file, &kek);
        }
    }
    if (rc) {
        SM_LOGE(SM_LOG_CRYPTO, kek_file, "key-encryption key: %s%s", sm_strerror(rc),
                rc == -EPERM ? " (readable by group or others)" : "");
        return rc;
    }
    rc = sm_keystore_new(kek, 1, out);
    sm_secret_free(kek);
    return rc;
}
