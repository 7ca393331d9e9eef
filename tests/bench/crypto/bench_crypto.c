/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/crypto: throughput of the project's crypto layers beside the bare OpenSSL
 * primitives they are made of, measured in the same run.
 *
 *   milenage   vectors/s (key set-up per vector, as an AuC serving many subscribers) vs AES-128
 *              block encryptions/s; a MILENAGE vector costs 7 AES blocks (OPc aside)
 *   scp80      wraps/s of a 40-byte APDU (AES-CBC + AES-CMAC) vs the same CBC + CMAC done with
 *              bare, pre-initialised OpenSSL contexts
 *   scp03      wraps/s of a 200-byte STORE DATA at level 33 vs the same CBC + ECB + CMAC
 *   ecka       ES8 key establishments/s (ephemeral key, ECDH, X9.63 KDF, receipt) vs bare
 *              OpenSSL P-256 key generation + ECDH derivation
 *
 * Usage: bench_crypto [seconds per measurement, default 1]. Prints a table; never fails on
 * speed (that would make a test depend on the machine).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sm/cipher.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/milenage.h"
#include "sm/rng.h"
#include "sm/scp03.h"
#include "sm/scp80.h"
#include "sm/secret.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run fn in batches until secs have passed; returns operations per second. */
static double rate(void (*fn)(void *), void *arg, unsigned batch, double secs)
{
    double t0 = now(), t;
    unsigned long n = 0;

    do {
        for (unsigned i = 0; i < batch; i++)
            fn(arg);
        n += batch;
        t = now();
    } while (t - t0 < secs);
    return (double)n / (t - t0);
}

static volatile uint8_t sink;
static uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* ---- Milenage ---- */
static void milenage_one(void *arg)
{
    static uint8_t rand[16], sqn[6], amf[2] = {0x80, 0};
    struct sm_milenage m;
    struct sm_milenage_vector v;

    rand[0]++;
    sm_milenage_init(&m, key, key);
    sm_milenage_generate(&m, rand, sqn, amf, &v);
    sm_milenage_clear(&m);
    sink ^= v.res[0];
}

static void aes_block(void *arg)
{
    static uint8_t blk[16];
    EVP_CIPHER_CTX *c = arg;
    int n;

    EVP_EncryptUpdate(c, blk, &n, blk, 16);
    sink ^= blk[0];
}

/* The same AES work bare: a key schedule, then one block and a batch of five. */
static void aes7_keyed(void *arg)
{
    static uint8_t in[80], out[80];
    EVP_CIPHER_CTX *c = arg;
    int n;

    in[0]++;
    EVP_EncryptInit_ex(c, NULL, NULL, key, NULL);
    EVP_EncryptUpdate(c, out, &n, in, 16);
    EVP_EncryptUpdate(c, out, &n, in, 80);
    sink ^= out[0];
}

/* ---- SCP80 ---- */
static const uint8_t apdu40[40] = {0x80, 0xe2, 0x88, 0x00, 0x23};
static struct sm_buf out80;

static void scp80_one(void *arg)
{
    static const struct sm_scp80_header h = {{0x16, 0x39}, 0x12, 0x12, {0, 0, 1}};
    static uint8_t cntr[5];
    struct sm_scp80_keys k = {key, 16, key, 16};

    cntr[4]++;
    sm_buf_reset(&out80);
    sm_scp80_wrap_command(&h, cntr, &k, apdu40, sizeof(apdu40), &out80);
    sink ^= out80.data[20];
}

struct bare {
    EVP_CIPHER_CTX *cbc, *ecb;
    EVP_MAC_CTX *mac;
    size_t cbc_len, mac_len, ecb_blocks;
};

/* The primitive work of one protocol operation on prepared contexts, with the keys set up for
 * each operation as the protocol must (every card has its own keys). */
static void bare_one(void *arg)
{
    static uint8_t in[512], out[512], tag[16];
    static const uint8_t iv[16];
    struct bare *b = arg;
    size_t tl;
    int n;

    if (b->ecb_blocks) {
        EVP_EncryptInit_ex(b->ecb, NULL, NULL, key, NULL);
        EVP_EncryptUpdate(b->ecb, out, &n, in, (int)(16 * b->ecb_blocks));
    }
    EVP_EncryptInit_ex(b->cbc, NULL, NULL, key, iv);
    EVP_EncryptUpdate(b->cbc, out, &n, in, (int)b->cbc_len);
    EVP_MAC_init(b->mac, key, 16, NULL);
    EVP_MAC_update(b->mac, in, b->mac_len);
    EVP_MAC_final(b->mac, tag, &tl, 16);
    sink ^= out[0] ^ tag[0];
}

/* ---- SCP03 ---- */
static struct sm_scp03_session s03;
static uint8_t apdu200[205] = {0x80, 0xe2, 0x88, 0x00, 200};
static struct sm_buf out03;

static void scp03_one(void *arg)
{
    sm_buf_reset(&out03);
    sm_scp03_wrap(&s03, apdu200, sizeof(apdu200), &out03);
    sink ^= out03.data[10];
}

/* ---- ECKA ---- */
static uint8_t pk_ecasd[65];
static const uint8_t crt[] = {0xa6, 0x15, 0x90, 0x02, 0x03, 0x09, 0x95, 0x01,
                              0x10, 0x80, 0x01, 0x88, 0x81, 0x01, 0x10, 0x82,
                              0x01, 0x01, 0x83, 0x01, 0x30, 0x91, 0x00};

static void ecka_one(void *arg)
{
    static const uint8_t info[3] = {0x10, 0x88, 0x10};
    struct sm_secret *esk = NULL;
    uint8_t epk[65], z[32], receipt[16];
    struct sm_es8_keys k;
    size_t publen;

    sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &esk, epk, &publen);
    sm_ecdh(SM_CURVE_P256, esk->data, esk->len, pk_ecasd, 65, z, 32);
    sm_es8_derive(z, 32, info, 3, &k);
    sm_es8_receipt(k.receipt_key, crt, sizeof(crt), NULL, 0, receipt);
    sm_es8_keys_clear(&k);
    sm_secret_free(esk);
    sink ^= receipt[0];
}

/* What an ES8 establishment is made of, bare: an ephemeral P-256 key pair and one ECDH. */
static void ecdh_bare(void *arg)
{
    EVP_PKEY *peer = arg, *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(eph, NULL);
    uint8_t z[32];
    size_t zl = sizeof(z);

    EVP_PKEY_derive_init(c);
    EVP_PKEY_derive_set_peer(c, peer);
    EVP_PKEY_derive(c, z, &zl);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(eph);
    sink ^= z[0];
}

static void line(const char *what, double ops, const char *base, double bops, double ratio)
{
    printf("%-10s %14.0f /s   %-34s %14.0f /s   ratio %.2f\n", what, ops, base, bops, ratio);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    EVP_CIPHER_CTX *ecb = EVP_CIPHER_CTX_new();
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
    OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0),
                       OSSL_PARAM_construct_end()};
    struct bare b80 = {EVP_CIPHER_CTX_new(), ecb, EVP_MAC_CTX_new(mac), 0, 0, 0}, b03;
    double r, rb, aes;

    if (secs <= 0)
        secs = 1.0;
    EVP_EncryptInit_ex(ecb, EVP_aes_128_ecb(), NULL, key, NULL);
    EVP_CIPHER_CTX_set_padding(ecb, 0);
    EVP_EncryptInit_ex(b80.cbc, EVP_aes_128_cbc(), NULL, key, NULL);
    EVP_CIPHER_CTX_set_padding(b80.cbc, 0);
    EVP_MAC_init(b80.mac, key, 16, p);
    printf("bench_crypto: %.1f s per measurement, one thread\n", secs);

    aes = rate(aes_block, ecb, 1000, secs);
    r = rate(milenage_one, NULL, 1000, secs);
    /* a MILENAGE vector = 7 AES-128 blocks (TEMP, OUT1..OUT5; key schedule aside) */
    line("milenage", r, "AES-128 blocks / 7", aes / 7, (aes / 7) / r);
    rb = rate(aes7_keyed, ecb, 1000, secs);
    line("milenage", r, "AES-128 key setup + 7 blocks", rb, rb / r);

    /* SCP80 wrap of 40 bytes: CBC over CNTR..padding (64 bytes), CMAC over the 71-byte input */
    b80.cbc_len = 64;
    b80.mac_len = 71;
    r = rate(scp80_one, NULL, 1000, secs);
    rb = rate(bare_one, &b80, 1000, secs);
    line("scp80", r, "bare AES-CBC(64) + CMAC(71)", rb, rb / r);

    /* SCP03 wrap, level 33: ICV (1 ECB block) + CBC over 208 bytes + CMAC over 16+5+208 */
    {
        uint8_t hc[8] = {0}, cc[8] = {1};
        struct sm_scp03_keys k = {key, key, key, 16};
        struct sm_buf ea = SM_BUF_INIT;

        sm_scp03_derive(&s03, &k, hc, cc);
        sm_scp03_external_authenticate(&s03, 0x33, &ea);
        sm_buf_free(&ea);
    }
    b03 = b80;
    b03.cbc_len = 208;
    b03.mac_len = 16 + 5 + 208;
    b03.ecb_blocks = 1;
    r = rate(scp03_one, NULL, 1000, secs);
    rb = rate(bare_one, &b03, 1000, secs);
    line("scp03", r, "bare ECB(16)+CBC(208)+CMAC(229)", rb, rb / r);

    /* ECKA: an ES8 key establishment on the SM-DP side vs bare ECDH derive */
    {
        struct sm_secret *d = NULL;
        size_t pl;
        EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        EVP_PKEY *bkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a, NULL);

        sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &d, pk_ecasd, &pl);
        sm_secret_free(d);
        EVP_PKEY_derive_init(c);
        EVP_PKEY_derive_set_peer(c, bkey);
        r = rate(ecka_one, NULL, 50, secs);
        rb = rate(ecdh_bare, bkey, 50, secs);
        line("ecka-es8", r, "bare P-256 keygen + ECDH derive", rb, rb / r);
        EVP_PKEY_CTX_free(c);
        EVP_PKEY_free(a);
        EVP_PKEY_free(bkey);
    }
    sm_scp03_clear(&s03);
    sm_buf_free(&out80);
    sm_buf_free(&out03);
    EVP_CIPHER_CTX_free(ecb);
    EVP_CIPHER_CTX_free(b80.cbc);
    EVP_MAC_CTX_free(b80.mac);
    EVP_MAC_free(mac);
    return 0;
}
