/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key material never reaches free() unwiped. The test is linked with -Wl,--wrap=free, so every
 * free() made by the project's code (libsmcommon and this file) goes through __wrap_free, which
 * scans the block about to be released for the test's key pattern before handing it on. Keys,
 * secure buffers and the secure channels are exercised with that pattern as their key and as
 * their data; a control case proves the scanner sees an unwiped block.
 */
#include <errno.h>
#include <malloc.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/buf.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/keystore.h"
#include "sm/log.h"
#include "sm/milenage.h"
#include "sm/scp03.h"
#include "sm/scp80.h"
#include "sm/secret.h"

void __real_free(void *p);
void __wrap_free(void *p);

static const uint8_t pattern[32] = {0x5e, 0xc7, 0x37, 0x4b, 0xe9, 0x1a, 0x6d, 0x02, 0xb4, 0x81, 0x3f,
                                    0x9c, 0x70, 0x2e, 0xd5, 0x48, 0x13, 0xfa, 0x66, 0x0b, 0xc2, 0x94,
                                    0x5d, 0xe1, 0x27, 0x8f, 0x3a, 0xb0, 0x49, 0x76, 0x1c, 0xde};
static unsigned leaks, frees_seen;

/* Does the block hold 8 consecutive bytes of the pattern anywhere, raw or as lowercase hex
 * (a debug dump or a hex column)? */
static int holds_pattern(const uint8_t *b, size_t n)
{
    static char hex[2 * sizeof(pattern) + 1];

    if (!hex[0])
        for (size_t i = 0; i < sizeof(pattern); i++)
            snprintf(hex + 2 * i, 3, "%02x", pattern[i]);
    for (size_t i = 0; i + 8 <= n; i++) {
        for (size_t j = 0; j + 8 <= sizeof(pattern); j++)
            if (b[i] == pattern[j] && !memcmp(b + i, pattern + j, 8))
                return 1;
        for (size_t j = 0; i + 16 <= n && j + 16 <= 2 * sizeof(pattern); j += 2)
            if (b[i] == (uint8_t)hex[j] && !memcmp(b + i, hex + j, 16))
                return 1;
    }
    return 0;
}

void __wrap_free(void *p)
{
    if (p) {
        frees_seen++;
        if (holds_pattern(p, malloc_usable_size(p))) {
            leaks++;
            fprintf(stderr, "key pattern freed unwiped by %p\n", __builtin_return_address(0));
        }
    }
    __real_free(p);
}

static void control_unwiped_block_is_seen(void **state)
{
    struct sm_buf b = SM_BUF_INIT; /* not secure: freed as is */
    unsigned before = leaks;

    sm_buf_append(&b, pattern, sizeof(pattern));
    sm_buf_free(&b);
    assert_int_equal(leaks, before + 1);
    leaks = before; /* the control's own hit */
}

static void secrets_and_buffers(void **state)
{
    struct sm_buf b = {.secure = true};
    struct sm_secret *s = sm_secret_from(pattern, 32), *h = NULL;
    char hex[65];

    frees_seen = 0;
    sm_secret_free(s);
    for (int i = 0; i < 64; i++) /* grows several times: old blocks must be wiped too */
        sm_buf_append(&b, pattern, sizeof(pattern));
    sm_buf_reset(&b);
    sm_buf_append(&b, pattern, sizeof(pattern));
    sm_buf_free(&b);
    sm_buf_append(&b, pattern, 16);
    sm_buf_clear_free(&b);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", pattern[i]);
    assert_int_equal(sm_secret_from_hex(hex, &h), 0);
    sm_secret_free(h);
    assert_true(frees_seen > 5);
    assert_int_equal(leaks, 0);
}

static void keystore(void **state)
{
    struct sm_secret *kek = sm_secret_from(pattern, 32), *val = sm_secret_from(pattern + 3, 16);
    struct sm_secret *back = NULL;
    struct sm_keystore *ks = NULL;
    struct sm_buf blob = SM_BUF_INIT;

    assert_int_equal(sm_keystore_new(kek, 1, &ks), 0);
    assert_int_equal(sm_keystore_wrap(ks, &sm_rng_system, "eid:1:kvn:1", val, &blob), 0);
    assert_int_equal(sm_keystore_unwrap(ks, "eid:1:kvn:1", blob.data, blob.len, &back), 0);
    assert_int_equal(sm_keystore_unwrap(ks, "other", blob.data, blob.len, &back), -EKEYREJECTED);
    sm_secret_free(back);
    sm_buf_free(&blob);
    sm_keystore_free(ks);
    sm_secret_free(kek);
    sm_secret_free(val);
    assert_int_equal(leaks, 0);
}

static void scp80(void **state)
{
    struct sm_scp80_keys k = {pattern, 16, pattern + 16, 16};
    struct sm_scp80_header h = {{0x16, 0x39}, 0x12, 0x12, {0, 0, 1}};
    uint8_t cntr[5] = {0, 0, 0, 0, 1}, st;
    struct sm_buf pkt = SM_BUF_INIT, por = SM_BUF_INIT;
    struct sm_scp80_command c;
    struct sm_scp80_por p;

    /* the secured data itself is key material (a PUT KEY would carry keys) */
    assert_int_equal(sm_scp80_wrap_command(&h, cntr, &k, pattern, 32, &pkt), 0);
    assert_int_equal(sm_scp80_unwrap_command(pkt.data, pkt.len, &k, &c, &st, NULL), 0);
    sm_scp80_command_free(&c);
    pkt.data[pkt.len - 1] ^= 1;
    assert_true(sm_scp80_unwrap_command(pkt.data, pkt.len, &k, &c, &st, NULL) < 0);
    sm_scp80_command_free(&c);
    assert_int_equal(sm_scp80_wrap_por(&h, cntr, 0, &k, pattern, 32, &por), 0);
    assert_int_equal(sm_scp80_unwrap_por(h.spi, h.kic, h.kid, &k, por.data, por.len, &p, NULL),
                     0);
    sm_buf_clear_free(&p.data);
    sm_buf_free(&pkt);
    sm_buf_free(&por);
    assert_int_equal(leaks, 0);
}

static void scp03(void **state)
{
    struct sm_scp03_keys k = {pattern, pattern + 16, pattern, 16};
    static const uint8_t seq[3] = {0, 0, 1}, aid[8] = {1, 2, 3, 4, 5, 6, 7, 8}, kdd[10];
    uint8_t hc[8] = {7}, apdu[5 + 32] = {0x80, 0xe2, 0x88, 0x00, 32};
    struct sm_scp03_session host, card;
    struct sm_buf a = SM_BUF_INIT, w = SM_BUF_INIT, p = {.secure = true}, r = SM_BUF_INIT;

    memcpy(apdu + 5, pattern, 32);
    assert_int_equal(sm_scp03_card_init(&card, &k, 0x30, 0x70, seq, aid, 8, kdd, hc, &a), 0);
    assert_int_equal(sm_scp03_host_init(&host, &k, hc, a.data, a.len, NULL), 0);
    sm_buf_reset(&a);
    assert_int_equal(sm_scp03_external_authenticate(&host, 0x33, &a), 0);
    assert_int_equal(sm_scp03_card_external_authenticate(&card, a.data, a.len, NULL), 0);
    assert_int_equal(sm_scp03_wrap(&host, apdu, sizeof(apdu), &w), 0);
    assert_int_equal(sm_scp03_card_unwrap(&card, w.data, w.len, &p, NULL), 0);
    assert_int_equal(sm_scp03_card_wrap_response(&card, pattern, 32, 0x9000, &r), 0);
    sm_buf_reset(&p);
    assert_int_equal(sm_scp03_unwrap_response(&host, r.data, r.len - 2, 0x9000, &p), 0);
    /* SCP03t with the pattern as the profile segment */
    sm_buf_reset(&w);
    sm_buf_reset(&a);
    sm_buf_reset(&p);
    host.counter = card.counter = 0;
    assert_int_equal(sm_scp03t_wrap(&host, 0x86, pattern, 32, true, &w), 0);
    assert_int_equal(sm_scp03t_card_86(&card, w.data, w.len, &p, &a), 0);
    sm_scp03_clear(&host);
    sm_scp03_clear(&card);
    sm_buf_free(&a);
    sm_buf_free(&w);
    sm_buf_free(&p); /* secure: wiped */
    sm_buf_free(&r);
    assert_int_equal(leaks, 0);
}

static void milenage_and_ecc(void **state)
{
    struct sm_milenage m = {0};
    struct sm_milenage_vector v;
    static const uint8_t rand[16], sqn[6], amf[2];
    uint8_t d[32], pub[65], peer[65], z[32];
    struct sm_es8_keys keys;
    size_t pl;

    assert_int_equal(sm_milenage_init(&m, pattern, pattern + 16), 0);
    assert_int_equal(sm_milenage_generate(&m, rand, sqn, amf, &v), 0);
    sm_milenage_clear(&m);
    /* a scalar made from the pattern (below the group order: top byte cleared) */
    memcpy(d, pattern, 32);
    d[0] = 0x01;
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, d, 32, pub, &pl), 0);
    assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, pattern + 8, 24, peer, &pl), 0);
    assert_int_equal(sm_ecdh(SM_CURVE_P256, d, 32, peer, 65, z, 32), 0);
    assert_int_equal(sm_es8_derive(z, 32, (const uint8_t *)"\x10\x88\x10", 3, &keys), 0);
    sm_es8_keys_clear(&keys);
    {
        uint8_t sig[64];
        size_t sl;

        assert_int_equal(sm_ecdsa_sign(SM_CURVE_P256, d, 32, pattern, 32, sig, &sl), 0);
        assert_int_equal(sm_ecdsa_verify(SM_CURVE_P256, pub, 65, pattern, 32, sig, sl), 0);
    }
    assert_int_equal(leaks, 0);
}

static void key_logging(void **state)
{
    sm_log_set_levels("error");
    sm_log_set_show_keys(true);
    sm_log_key(SM_LOG_CRYPTO, SM_LOG_ERROR, "test", "K", pattern, 32);
    sm_log_set_show_keys(false);
    sm_log_key(SM_LOG_CRYPTO, SM_LOG_ERROR, "test", "K", pattern, 32);
    assert_int_equal(leaks, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(control_unwiped_block_is_seen),
    cmocka_unit_test(secrets_and_buffers),
    cmocka_unit_test(keystore),
    cmocka_unit_test(scp80),
    cmocka_unit_test(scp03),
    cmocka_unit_test(milenage_and_ecc),
    cmocka_unit_test(key_logging),
};

SM_TEST_MAIN(tests, NULL, NULL)
