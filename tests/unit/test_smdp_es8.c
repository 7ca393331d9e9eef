/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM-DP's ES8 code (smdp/es8_download.c) given the inputs of the recorded test-eUICC
 * session (tests/vectors/ecka.json, sgp02-scp03t.json): the ephemeral key and the host
 * challenge are replayed, and the SM-DP must produce the recorded key-establishment template,
 * key set and receipt, and exactly the recorded 84, 85 and every 86 byte of the download; the
 * signature of block 1 differs by its nonce and must verify. Then the card's answers are checked
 * as the SM-DP checks them, and refusals: a receipt that is not ours, a card cryptogram that is
 * wrong, a card error. The card side of these same bytes (euicc-sim takes them and rebuilds the
 * recorded package) is test_euicc_es8's recorded_download_replayed.
 */
#include <errno.h>
#include <openssl/sha.h>
#include <string.h>

#include "../sm_test.h"
#include "../../smdp/es8_download.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/secret.h"

static json_t *vector(const char *file, const char *type)
{
    char path[512];
    json_t *root, *v, *hit = NULL;
    size_t i;

    snprintf(path, sizeof(path), "%s/tests/vectors/%s", SM_SOURCE_DIR, file);
    root = json_load_file(path, 0, NULL);
    assert_non_null(root);
    json_array_foreach(json_object_get(root, "vectors"), i, v) {
        if (!hit && !strcmp(sm_json_str(v, "type"), type))
            hit = json_incref(v);
    }
    json_decref(root);
    assert_non_null(hit);
    return hit;
}

/* The vector's hex member into out; its length. */
static size_t hexof(const json_t *v, const char *name, uint8_t *out, size_t cap)
{
    long n = sm_hex_decode(sm_json_str(v, name), out, cap);

    assert_true(n >= 0);
    return (size_t)n;
}

static void assert_hex(const struct sm_buf *b, const char *want)
{
    char *got = malloc(2 * b->len + 1);

    assert_non_null(got);
    sm_hex_encode(b->data, b->len, got);
    assert_string_equal(got, want);
    free(got);
}

/* Key establishment: the recorded CRT, ePK, key set and receipt; block 1 verifies. */
static void key_block_as_recorded(void **state)
{
    json_t *v = vector("ecka.json", "sgp02_es8_key_establishment");
    uint8_t pk[65], esk[32], epk[65], crt[32], want[16], rc[16], dp_pub[65], rsp[18];
    size_t crtlen = hexof(v, "crt", crt, sizeof(crt)), dp_publen = 0;
    struct sm_rng_replay replay = {esk, hexof(v, "esk_dp", esk, sizeof(esk)), 0};
    struct sm_rng rng = {sm_rng_replay_fill, &replay};
    struct sm_secret *dp_key = NULL;
    struct sm_buf b = SM_BUF_INIT;
    struct sm_es8_block1 out;
    struct smdp_es8 e;

    (void)state;
    hexof(v, "pk_ecasd", pk, sizeof(pk));
    hexof(v, "epk_dp", epk, sizeof(epk));
    for (int i = 0; i < 16; i++)
        rc[i] = (uint8_t)i; /* the card's challenge in the recording (es8 spec 1.7) */
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &dp_key, dp_pub, &dp_publen), 0);
    assert_int_equal(smdp_es8_key_block(&e, SM_CURVE_P256, SMDP_ES8_KVN, pk, 65, dp_key->data,
                                        dp_key->len, rc, 16, &rng, &b),
                     0);
    /* 3A02 17 <the recorded A6> 7F49 41 <the recorded ePK> 5F37 40 <signature> */
    assert_int_equal(b.len, 3 + crtlen + 3 + 65 + 3 + 64);
    assert_memory_equal(b.data, "\x3a\x02\x17", 3);
    assert_memory_equal(b.data + 3, crt, crtlen);
    assert_memory_equal(b.data + 3 + crtlen, "\x7f\x49\x41", 3);
    assert_memory_equal(b.data + 6 + crtlen, epk, 65);
    assert_int_equal(
        sm_es8_block1_parse_verify(b.data, b.len, SM_CURVE_P256, dp_pub, 65, rc, 16, &out, NULL),
        0);
    /* the key set and the receipt of the recording */
    hexof(v, "k_enc", want, 16);
    assert_memory_equal(e.keys.k_enc, want, 16);
    hexof(v, "k_mac", want, 16);
    assert_memory_equal(e.keys.k_mac, want, 16);
    hexof(v, "k_dek", want, 16);
    assert_memory_equal(e.keys.k_dek, want, 16);
    hexof(v, "receipt", want, 16);
    assert_memory_equal(e.receipt, want, 16);
    /* the card's answer: its receipt is ours; one bit off is refused; garbage is no answer */
    rsp[0] = 0x86;
    rsp[1] = 0x10;
    memcpy(rsp + 2, want, 16);
    assert_int_equal(smdp_es8_receipt_check(&e, rsp, sizeof(rsp)), 0);
    rsp[17] ^= 1;
    assert_int_equal(smdp_es8_receipt_check(&e, rsp, sizeof(rsp)), -EKEYREJECTED);
    assert_int_equal(smdp_es8_receipt_check(&e, rsp, 10), -EBADMSG);
    assert_int_equal(smdp_es8_receipt_check(&e, (const uint8_t *)"\x9f\x44\x01\x02", 4), -EBADMSG);
    /* the replayed randomness ran out: no second key block from it */
    assert_int_not_equal(smdp_es8_key_block(&e, SM_CURVE_P256, SMDP_ES8_KVN, pk, 65, dp_key->data,
                                            dp_key->len, rc, 16, &rng, &b),
                         0);
    smdp_es8_clear(&e);
    sm_secret_free(dp_key);
    sm_buf_free(&b);
    json_decref(v);
}

/* An SM-DP session keyed as the recorded one (the key establishment's keys, KVN 30). */
static void keyed(struct smdp_es8 *e, const json_t *v)
{
    memset(e, 0, sizeof(*e));
    hexof(v, "k_enc", e->keys.k_enc, 16);
    hexof(v, "k_mac", e->keys.k_mac, 16);
    e->kvn = SMDP_ES8_KVN;
    e->keyed = true;
}

/* SCP03t: the recorded 84, 85 and 86 bytes, from the recorded host challenge and package. */
static void download_as_recorded(void **state)
{
    json_t *v = vector("sgp02-scp03t.json", "sgp02_scp03t_session"), *seg;
    uint8_t hc[8], rsp[64], digest[32], want[32], err = 0;
    struct sm_rng_replay replay = {hc, hexof(v, "host_challenge", hc, sizeof(hc)), 0};
    struct sm_rng rng = {sm_rng_replay_fill, &replay};
    struct sm_buf b = SM_BUF_INIT, pkg = {.secure = true};
    struct smdp_es8 e;
    size_t i, off = 0, n;

    (void)state;
    keyed(&e, v);
    assert_int_equal(smdp_es8_open(&e, &rng, &b), 0);
    assert_hex(&b, sm_json_str(v, "cmd_84"));
    sm_buf_reset(&b);
    n = hexof(v, "rsp_84", rsp, sizeof(rsp));
    assert_int_equal(smdp_es8_authenticate(&e, rsp, n, &err, &b), 0);
    assert_hex(&b, sm_json_str(v, "cmd_85"));
    n = hexof(v, "rsp_85", rsp, sizeof(rsp));
    assert_int_equal(smdp_es8_check(&e, 0x85, rsp, n, NULL, &err), 0);
    /* the package the recording carried, cut and wrapped as the recording was */
    json_array_foreach(json_object_get(v, "segments"), i, seg) {
        const char *hex = sm_json_str(seg, "plaintext");

        assert_int_equal(sm_buf_reserve(&pkg, strlen(hex) / 2), 0);
        pkg.len += (size_t)sm_hex_decode(hex, pkg.data + pkg.len, strlen(hex) / 2);
    }
    SHA256(pkg.data, pkg.len, digest);
    hexof(v, "profile_package_sha256", want, sizeof(want));
    assert_memory_equal(digest, want, 32);
    json_array_foreach(json_object_get(v, "segments"), i, seg) {
        sm_buf_reset(&b);
        assert_int_equal(smdp_es8_segment(&e, pkg.data, pkg.len, &off, &b), 0);
        assert_hex(&b, sm_json_str(seg, "wrapped_tlv"));
        n = hexof(seg, "card_response", rsp, sizeof(rsp));
        assert_int_equal(smdp_es8_check(&e, 0x86, rsp, n, NULL, &err), 0);
    }
    assert_int_equal(off, pkg.len);
    assert_int_equal(smdp_es8_segment(&e, pkg.data, pkg.len, &off, &b), -ENODATA);
    /* a card error after the last segment (installation failed): reported, not taken */
    assert_int_equal(smdp_es8_check(&e, 0x86, (const uint8_t *)"\x9f\x46\x01\x02", 4, NULL, &err),
                     -EPROTO);
    assert_int_equal(err, 0x02);
    smdp_es8_clear(&e);
    sm_buf_free(&b);
    sm_buf_clear_free(&pkg);
    json_decref(v);
}

/* Refusals: a card cryptogram that is not right, a card that has no key set (9F44), calls out
 * of order. */
static void refusals(void **state)
{
    json_t *v = vector("sgp02-scp03t.json", "sgp02_scp03t_session");
    uint8_t hc[8], rsp[64], err = 0;
    struct sm_rng_replay replay = {hc, hexof(v, "host_challenge", hc, sizeof(hc)), 0};
    struct sm_rng rng = {sm_rng_replay_fill, &replay};
    struct sm_buf b = SM_BUF_INIT;
    struct smdp_es8 e;
    size_t n, off = 0;

    (void)state;
    memset(&e, 0, sizeof(e));
    assert_int_equal(smdp_es8_open(&e, &rng, &b), -EINVAL); /* no keys yet */
    keyed(&e, v);
    assert_int_equal(smdp_es8_segment(&e, (const uint8_t *)"x", 1, &off, &b), -EINVAL);
    assert_int_equal(smdp_es8_open(&e, &rng, &b), 0);
    n = hexof(v, "rsp_84", rsp, sizeof(rsp));
    rsp[n - 4] ^= 0x01; /* the card cryptogram */
    sm_buf_reset(&b);
    assert_int_equal(smdp_es8_authenticate(&e, rsp, n, &err, &b), -EKEYREJECTED);
    assert_int_equal(b.len, 0);
    assert_int_equal(smdp_es8_authenticate(&e, (const uint8_t *)"\x9f\x44\x01\x03", 4, &err, &b),
                     -EPROTO);
    assert_int_equal(err, 0x03);
    assert_int_equal(smdp_es8_check(&e, 0x86, (const uint8_t *)"\x86\x00", 2, NULL, &err), -EINVAL);
    smdp_es8_clear(&e);
    sm_buf_free(&b);
    json_decref(v);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(key_block_as_recorded),
    cmocka_unit_test(download_as_recorded),
    cmocka_unit_test(refusals),
};

int main(void)
{
    return cmocka_run_group_tests(tests, NULL, NULL);
}
