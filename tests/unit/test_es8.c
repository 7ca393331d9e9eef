/* SPDX-License-Identifier: Apache-2.0 */
/* ES8 key establishment: CRT, key derivation, receipt, STORE DATA blocks 0/1 (spec notes 1.7,
 * tests/vectors/ecka.json sgp02_es8_key_establishment and sgp22_bsp_kdf). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/buf.h"
#include "sm/cipher.h"
#include "sm/es8.h"
#include "sm/hex.h"
#include "sm/secret.h"
#include "sm/tlv.h"

#define CARD_CRT "a615900203099501108001888101108201018301309100"
#define PK_ECASD                                                                                   \
    "043f157a6242ec54888eb50967bd84d1a885e51d66b2f6cd135354724c91d790ed"                           \
    "b48b015f6b272df50e49eab2e1383bf0eeb0e9848543b971397d274d88e8ea77"
/* spec 1.7: block 1 of the 2017-01-05 run and the SM-DP certificate key */
#define REC_EPK                                                                                    \
    "043cf98b2bda64d450e420d54445e15baa366a20433fa5ad512bdc60451325217d"                           \
    "fb79715d1466daa65a821cedb1b4d8bbf7bbca841f9e372b6646f5af9cd91f7b"
#define REC_SIG                                                                                    \
    "0b8989d4f895899f0ddd6cf5f8bbf2a25848423ecb6ab46272533b46244dfbb1"                             \
    "cc55666a0a55ab18a2c947f79ecb0d333608a365787f3f68a02d1cb3f516567c"
#define PK_DP                                                                                      \
    "046466e042804faac48f839ea53e85d0b8b93f2f015028a472f07f3227af408170"                           \
    "acfb39d198ba7d0dcff3de5032a6cc8f6acc84ef556bfe530dec0ff75f2af59a"
#define REC_BLOCK1 "3a0217" CARD_CRT "7f4941" REC_EPK "5f3740" REC_SIG
#define RC_CARD    "000102030405060708090a0b0c0d0e0f"

static size_t hx(const char *h, uint8_t *out, size_t cap)
{
    long n = sm_hex_decode(h, out, cap);

    assert_true(n >= 0);
    return (size_t)n;
}

static void crt_default_bytes(void **state)
{
    struct sm_es8_crt c;
    struct sm_buf b = SM_BUF_INIT;
    uint8_t want[32];
    size_t wl = hx(CARD_CRT, want, sizeof(want));

    sm_es8_crt_default(&c);
    assert_int_equal(c.scenario_param, 0x09);
    assert_int_equal(c.kvn, 0x30);
    assert_int_equal(sm_buf_append(&b, "x", 1), 0);
    assert_int_equal(sm_es8_crt_encode(&c, &b), 0);
    assert_int_equal(b.len, 1 + wl);
    assert_memory_equal(b.data + 1, want, wl);
    /* a 5-byte counter (SCP80 sets) and another KVN */
    sm_buf_reset(&b);
    c.kvn = 0x02;
    c.seq_counter_len = 5;
    memcpy(c.seq_counter, "\0\0\0\0\1", 5);
    assert_int_equal(sm_es8_crt_encode(&c, &b), 0);
    assert_int_equal(b.len, 2 + 23 + 5 - 2);
    assert_memory_equal(b.data, "\xa6\x1a", 2);
    assert_memory_equal(b.data + 18, "\x83\x01\x02\x91\x05\x00\x00\x00\x00\x01", 10);
    {
        struct sm_es8_crt d;

        assert_int_equal(sm_es8_crt_decode(b.data, b.len, &d, NULL), 0);
        assert_memory_equal(&d, &c, sizeof(c));
    }
    c.seq_counter_len = 6;
    sm_buf_reset(&b);
    assert_int_equal(sm_es8_crt_encode(&c, &b), -EINVAL);
    assert_int_equal(b.len, 0);
    assert_int_equal(sm_es8_crt_encode(NULL, &b), -EINVAL);
    assert_int_equal(sm_es8_crt_encode(&c, NULL), -EINVAL);
    sm_buf_free(&b);
}

static int decode_hex(const char *h, struct sm_es8_crt *c, struct sm_decode_err *e)
{
    uint8_t b[64];
    size_t n = hx(h, b, sizeof(b));

    return sm_es8_crt_decode(b, n, c, e);
}

static void crt_decode_strict(void **state)
{
    struct sm_es8_crt c, def;
    struct sm_decode_err e;
    uint8_t b[32];
    size_t n = hx(CARD_CRT, b, sizeof(b));

    sm_es8_crt_default(&def);
    memset(&c, 0x55, sizeof(c));
    assert_int_equal(sm_es8_crt_decode(b, n, &c, &e), 0);
    assert_memory_equal(&c, &def, sizeof(c));
    /* every truncation */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(sm_es8_crt_decode(b, k, &c, NULL), -EBADMSG);
    /* trailing byte */
    b[n] = 0;
    assert_int_equal(sm_es8_crt_decode(b, n + 1, &c, &e), -EBADMSG);
    assert_int_equal(e.offset, n);
    /* wrong outer tag */
    assert_int_equal(decode_hex("a715900203099501108001888101108201018301309100", &c, &e),
                     -EBADMSG);
    /* 95 and 80 swapped: reported at the offending tag */
    assert_int_equal(decode_hex("a615900203099001888001108101108201018301309100", &c, &e),
                     -EBADMSG);
    assert_int_equal(decode_hex("a615900203098001889501108101108201018301309100", &c, &e),
                     -EBADMSG);
    assert_int_equal(e.offset, 6);
    /* scenario other than #3 */
    assert_int_equal(decode_hex("a615900201099501108001888101108201018301309100", &c, &e), -EINVAL);
    assert_int_equal(e.offset, 2);
    /* 90 of one byte, 95 of two bytes, 91 of six bytes */
    assert_int_equal(decode_hex("a6149001039501108001888101108201018301309100", &c, &e), -EBADMSG);
    assert_int_equal(decode_hex("a61690020309950210108001888101108201018301309100", &c, &e),
                     -EBADMSG);
    assert_int_equal(
        decode_hex("a61b900203099501108001888101108201018301309106000000000001", &c, &e), -EBADMSG);
    /* missing 91, extra TLV after 91, key access 96 not accepted */
    assert_int_equal(decode_hex("a61390020309950110800188810110820101830130", &c, &e), -EBADMSG);
    assert_int_equal(decode_hex("a6189002030995011080018881011082010183013091008401aa", &c, &e),
                     -EBADMSG);
    assert_int_equal(decode_hex("a618900203099501109601008001888101108201018301309100", &c, &e),
                     -EBADMSG);
    /* primitive A6 tag byte (86) */
    assert_int_equal(decode_hex("8603010203", &c, &e), -EBADMSG);
    /* c untouched on error */
    memset(&c, 0x55, sizeof(c));
    assert_int_equal(decode_hex("a615900201099501108001888101108201018301309100", &c, NULL),
                     -EINVAL);
    assert_int_equal(c.kvn, 0x55);
    assert_int_equal(sm_es8_crt_decode(NULL, 4, &c, NULL), -EINVAL);
    assert_int_equal(sm_es8_crt_decode(b, n, NULL, NULL), -EINVAL);
}

static void shared_info(void **state)
{
    struct sm_es8_crt c;
    uint8_t info[8];
    size_t il = 0;

    sm_es8_crt_default(&c);
    assert_int_equal(sm_es8_shared_info(&c, info, &il), 0);
    assert_int_equal(il, 3);
    assert_memory_equal(info, "\x10\x88\x10", 3);
    c.scenario_param = 0x0b; /* DR */
    assert_int_equal(sm_es8_shared_info(&c, info, &il), -EOPNOTSUPP);
    c.scenario_param = 0x0d; /* HostID */
    assert_int_equal(sm_es8_shared_info(&c, info, &il), -EOPNOTSUPP);
    c.scenario_param = 0x08;
    assert_int_equal(sm_es8_shared_info(&c, info, &il), 0);
    assert_int_equal(sm_es8_shared_info(NULL, info, &il), -EINVAL);
    assert_int_equal(sm_es8_shared_info(&c, NULL, &il), -EINVAL);
    assert_int_equal(sm_es8_shared_info(&c, info, NULL), -EINVAL);
}

struct es8_vec {
    const char *esk, *epk, *shs, *key_data, *receipt;
};

/* ecka.json sgp02_es8_key_establishment (all with PK_ECASD, CARD_CRT, SharedInfo 108810) */
static const struct es8_vec es8_vecs[] = {
    {"27f49ba67f17a45bb84d661566e6c483b3051745ece7e9d2d8f122298483e9ee", REC_EPK,
     "2cacc57791b094087a265617666be8ce2d1be21721e84c422008d76c52284753",
     "bcd20a0e8f026b996c67d3da56c9653eeff404fa0bb2ebd0d90b4ae2907dc568"
     "f5f2f673c2468ac5ce2d13cb65c02d0ebe218adf84cb77e4c555520099b5321a",
     "ca73939e15770cb54c3e841d8362100c"},
    {"31759e40fb3a3df98c6159e9b81a1571c97c45324b830f6df92c1d6054029777",
     "04947873d68b988a79a62b69cb5af13cd0ab795a196cf9a528a474bd220a3db686"
     "7a73179b15028a564064c15d75c56d959083217a9247442b2eb071b5c0239827",
     "5f115248a825c3287f4292bd6c3e348ed659605e47cdc838985e63d4de064b56",
     "4d1408aaea173a2c7a5325cd8f959349ed24b84ba2270e9c39e24916ccfc9d5b"
     "8b40e52cfc820ed58b19e6ffd8f689ed690f5acc44bca260c74b16aae13d3ec0",
     "b3f41622eb712023ffff91ceafb3548a"},
    {"b7e517301a641bf44bb8e6e4ad7c400abacf0c65666525c635e6b266f21745ee",
     "041773dd8d0d61ed66c9d2ddeec3bc509b3eb972ddea49d5702372c1d2d0f883c8"
     "8cf713da7a3daf80e27d7ec79fd12d78f7cf0b829f4f79b43db937016b07dda5",
     "0311eb0bdce9057436d51d14cfadb305cd3ce33f8109403be2255d6b435b0b8a",
     "3e9565a2e8012e77d371f2664130c82c6c26116688d7406706500974c5c04c3f"
     "ff01a70d5a00277f92e4dda3bde832f7679a36784d161d1a46e984ff0a644da7",
     "da3106e26f9e6fc5b2ddaa6601f2dc35"},
};

static void es8_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(es8_vecs) / sizeof(es8_vecs[0]); i++) {
        const struct es8_vec *v = &es8_vecs[i];
        uint8_t esk[32], epk[65], pk[65], shs[32], want_shs[32], kd[64], kd2[64], want_r[16], r[16],
            crt[32], info[3], pub[SM_EC_PUB_MAX];
        size_t crtl = hx(CARD_CRT, crt, sizeof(crt)), il = 0, pl = 0;
        struct sm_es8_keys k;
        struct sm_es8_crt c;

        hx(v->esk, esk, 32);
        hx(v->epk, epk, 65);
        hx(PK_ECASD, pk, 65);
        hx(v->shs, want_shs, 32);
        hx(v->key_data, kd, 64);
        hx(v->receipt, want_r, 16);
        assert_int_equal(sm_ec_public_from_private(SM_CURVE_P256, esk, 32, pub, &pl), 0);
        assert_memory_equal(pub, epk, 65);
        assert_int_equal(sm_ecdh(SM_CURVE_P256, esk, 32, pk, 65, shs, 32), 0);
        assert_memory_equal(shs, want_shs, 32);
        assert_int_equal(sm_es8_crt_decode(crt, crtl, &c, NULL), 0);
        assert_int_equal(sm_es8_shared_info(&c, info, &il), 0);
        assert_memory_equal(info, "\x10\x88\x10", 3);
        assert_int_equal(sm_x963_kdf_sha256(shs, 32, info, il, kd2, 64), 0);
        assert_memory_equal(kd2, kd, 64);
        assert_int_equal(sm_es8_derive(shs, 32, info, il, &k), 0);
        assert_memory_equal(k.receipt_key, kd, 16);
        assert_memory_equal(k.k_enc, kd + 16, 16);
        assert_memory_equal(k.k_mac, kd + 32, 16);
        assert_memory_equal(k.k_dek, kd + 48, 16);
        assert_int_equal(sm_es8_receipt(k.receipt_key, crt, crtl, NULL, 0, r), 0);
        assert_memory_equal(r, want_r, 16);
        sm_es8_keys_clear(&k);
    }
}

static void derive_and_receipt_rejects(void **state)
{
    struct sm_es8_keys k;
    uint8_t shs[32] = {1}, key[16] = {2}, crt[32], r[16], r2[16], dr[16], cat[64];
    size_t crtl = hx(CARD_CRT, crt, sizeof(crt));

    assert_int_equal(sm_es8_derive(shs, 32, (const uint8_t *)"\x10\x88\x10", 3, NULL), -EINVAL);
    assert_int_equal(sm_es8_derive(NULL, 32, (const uint8_t *)"\x10\x88\x10", 3, &k), -EINVAL);
    assert_int_equal(sm_es8_derive(shs, 0, (const uint8_t *)"\x10\x88\x10", 3, &k), -EINVAL);
    memset(&k, 0x5a, sizeof(k));
    sm_es8_keys_clear(&k);
    for (size_t i = 0; i < sizeof(k); i++)
        assert_int_equal(((uint8_t *)&k)[i], 0);
    sm_es8_keys_clear(NULL);

    /* with a DR: CMAC over A6 ... || 85 10 DR */
    for (size_t i = 0; i < sizeof(dr); i++)
        dr[i] = (uint8_t)(0xd0 + i);
    memcpy(cat, crt, crtl);
    cat[crtl] = 0x85;
    cat[crtl + 1] = 0x10;
    memcpy(cat + crtl + 2, dr, 16);
    assert_int_equal(sm_aes_cmac(key, 16, cat, crtl + 18, r2), 0);
    assert_int_equal(sm_es8_receipt(key, crt, crtl, dr, 16, r), 0);
    assert_memory_equal(r, r2, 16);
    assert_int_equal(sm_es8_receipt(key, crt, crtl, NULL, 0, r2), 0);
    assert_memory_not_equal(r, r2, 16);
    assert_int_equal(sm_es8_receipt(key, crt, crtl, NULL, 16, r), -EINVAL);
    assert_int_equal(sm_es8_receipt(key, crt, crtl, dr, 0, r), -EINVAL);
    assert_int_equal(sm_es8_receipt(key, NULL, crtl, NULL, 0, r), -EINVAL);
    assert_int_equal(sm_es8_receipt(key, crt, 0, NULL, 0, r), -EINVAL);
    assert_int_equal(sm_es8_receipt(NULL, crt, crtl, NULL, 0, r), -EINVAL);
    assert_int_equal(sm_es8_receipt(key, crt, crtl, NULL, 0, NULL), -EINVAL);
}

/* A 7F21 TLV whose whole encoding is total bytes long. */
static size_t fake_cert(uint8_t *out, size_t total)
{
    size_t hl = total - 3 <= 0x7f ? 3 : total - 4 <= 0xff ? 4 : 5;
    size_t vl = total - hl;
    struct sm_buf b = SM_BUF_INIT;

    assert_int_equal(sm_tlv_put_header(&b, 0x7F21, vl), 0);
    assert_int_equal(b.len, hl);
    memcpy(out, b.data, hl);
    memset(out + hl, 0x42, vl);
    sm_buf_free(&b);
    return total;
}

static void block0(void **state)
{
    uint8_t cert[400];
    struct sm_buf b = SM_BUF_INIT;
    size_t n;

    /* the card-accepted form: 3A01 A9 7F21 81 A5 ... (one-byte DGI length) */
    n = fake_cert(cert, 0xa9);
    assert_memory_equal(cert, "\x7f\x21\x81\xa5", 4);
    assert_int_equal(sm_es8_block0_data(cert, n, &b), 0);
    assert_int_equal(b.len, 3 + n);
    assert_memory_equal(b.data, "\x3a\x01\xa9", 3);
    assert_memory_equal(b.data + 3, cert, n);
    /* FE still one byte, FF and above: FF + 2 bytes */
    sm_buf_reset(&b);
    n = fake_cert(cert, 0xfe);
    assert_int_equal(sm_es8_block0_data(cert, n, &b), 0);
    assert_memory_equal(b.data, "\x3a\x01\xfe\x7f\x21\x81\xfa", 7);
    sm_buf_reset(&b);
    n = fake_cert(cert, 0xff);
    assert_int_equal(sm_es8_block0_data(cert, n, &b), 0);
    assert_int_equal(b.len, 5 + n);
    assert_memory_equal(b.data, "\x3a\x01\xff\x00\xff\x7f\x21\x81\xfb", 9);
    sm_buf_reset(&b);
    n = fake_cert(cert, 0x12c);
    assert_int_equal(sm_es8_block0_data(cert, n, &b), 0);
    assert_memory_equal(b.data, "\x3a\x01\xff\x01\x2c\x7f\x21\x82\x01\x27", 10);
    /* not a single 7F21 TLV: nothing appended */
    sm_buf_reset(&b);
    assert_int_equal(sm_es8_block0_data(cert, n - 1, &b), -EINVAL);
    cert[n] = 0;
    assert_int_equal(sm_es8_block0_data(cert, n + 1, &b), -EINVAL);
    cert[1] = 0x22;
    assert_int_equal(sm_es8_block0_data(cert, n, &b), -EINVAL);
    assert_int_equal(sm_es8_block0_data(NULL, n, &b), -EINVAL);
    assert_int_equal(sm_es8_block0_data(cert, n, NULL), -EINVAL);
    assert_int_equal(b.len, 0);
    sm_buf_free(&b);
}

static size_t load_recorded(uint8_t *data, size_t cap)
{
    size_t n = hx(REC_BLOCK1, data, cap);

    assert_int_equal(n, 0xa1); /* Lc of the recorded APDU */
    return n;
}

static void block1_recorded_verifies(void **state)
{
    uint8_t data[200], pkdp[65], rc[16], epk[65], crt[32];
    size_t n = load_recorded(data, sizeof(data));
    struct sm_es8_block1 out;
    struct sm_es8_crt def;
    struct sm_decode_err e;

    hx(PK_DP, pkdp, 65);
    hx(RC_CARD, rc, 16);
    hx(REC_EPK, epk, 65);
    hx(CARD_CRT, crt, sizeof(crt));
    sm_es8_crt_default(&def);
    memset(&out, 0, sizeof(out));
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     0);
    assert_ptr_equal(out.crt_tlv, data + 3);
    assert_int_equal(out.crt_tlv_len, 23);
    assert_memory_equal(out.crt_tlv, crt, 23);
    assert_memory_equal(&out.crt, &def, sizeof(def));
    assert_int_equal(out.epk_len, 65);
    assert_memory_equal(out.epk, epk, 65);

    /* another RC, a changed KVN, a changed signature, the wrong signer */
    rc[15] ^= 1;
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     -EKEYREJECTED);
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 15, &out, &e),
                     -EKEYREJECTED);
    rc[15] ^= 1;
    data[3 + 20] = 0x31;
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     -EKEYREJECTED);
    data[3 + 20] = 0x30;
    data[n - 1] ^= 1;
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     -EKEYREJECTED);
    assert_int_equal(e.offset, n - 67);
    data[n - 1] ^= 1;
    hx(PK_ECASD, pkdp, 65);
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     -EKEYREJECTED);
}

static void block1_build_matches_recording(void **state)
{
    const enum sm_es8_epk_format fmts[] = {SM_ES8_EPK_RAW, SM_ES8_EPK_B0, SM_ES8_EPK_B0F0};
    uint8_t rec[200], epk[65], rc[16], pub[SM_EC_PUB_MAX];
    size_t n = load_recorded(rec, sizeof(rec)), pl = 0;
    struct sm_secret *key = NULL;
    struct sm_es8_crt crt;
    struct sm_buf b = SM_BUF_INIT;

    hx(REC_EPK, epk, 65);
    hx(RC_CARD, rc, 16);
    sm_es8_crt_default(&crt);
    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &key, pub, &pl), 0);
    for (size_t i = 0; i < 3; i++) {
        struct sm_es8_block1 out;
        uint8_t tbs[256];
        size_t sigoff;

        sm_buf_reset(&b);
        assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, fmts[i], key->data,
                                            key->len, rc, 16, &b),
                         0);
        /* 3A02 17 {A6}: identical to the recording */
        assert_memory_equal(b.data, rec, 26);
        if (fmts[i] == SM_ES8_EPK_RAW) {
            /* byte for byte up to the signature value */
            assert_int_equal(b.len, n);
            assert_memory_equal(b.data, rec, n - 64);
        } else if (fmts[i] == SM_ES8_EPK_B0) {
            assert_memory_equal(b.data + 26, "\x7f\x49\x43\xb0\x41", 5);
            assert_memory_equal(b.data + 31, epk, 65);
        } else {
            assert_memory_equal(b.data + 26, "\x7f\x49\x46\xb0\x41", 5);
            assert_memory_equal(b.data + 31, epk, 65);
            assert_memory_equal(b.data + 96, "\xf0\x01\x00", 3);
        }
        sigoff = b.len - 64;
        assert_memory_equal(b.data + sigoff - 3, "\x5f\x37\x40", 3);
        /* the signature covers 3A02.. || 7F49.. || 00 85 10 RC */
        memcpy(tbs, b.data, sigoff - 3);
        memcpy(tbs + sigoff - 3, "\x00\x85\x10", 3);
        memcpy(tbs + sigoff, rc, 16);
        assert_int_equal(
            sm_ecdsa_verify(SM_CURVE_P256, pub, pl, tbs, sigoff + 16, b.data + sigoff, 64), 0);
        /* and the card side accepts it */
        assert_int_equal(
            sm_es8_block1_parse_verify(b.data, b.len, SM_CURVE_P256, pub, pl, rc, 16, &out, NULL),
            0);
        assert_memory_equal(out.epk, epk, 65);
        assert_int_equal(out.epk_len, 65);
    }
    sm_buf_free(&b);
    sm_secret_free(key);
}

static void block1_brainpool(void **state)
{
    struct sm_secret *sk = NULL, *ek = NULL;
    uint8_t spub[SM_EC_PUB_MAX], epub[SM_EC_PUB_MAX], rc[16] = {9};
    size_t sl = 0, el = 0;
    struct sm_es8_crt crt;
    struct sm_es8_block1 out;
    struct sm_buf b = SM_BUF_INIT;

    sm_es8_crt_default(&crt);
    assert_int_equal(sm_ec_keygen(SM_CURVE_BRAINPOOLP256R1, &sm_rng_system, &sk, spub, &sl), 0);
    assert_int_equal(sm_ec_keygen(SM_CURVE_BRAINPOOLP256R1, &sm_rng_system, &ek, epub, &el), 0);
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_BRAINPOOLP256R1, epub, el, SM_ES8_EPK_B0F0,
                                        sk->data, sk->len, rc, 16, &b),
                     0);
    assert_memory_equal(b.data + 96, "\xf0\x01\x03", 3);
    assert_int_equal(sm_es8_block1_parse_verify(b.data, b.len, SM_CURVE_BRAINPOOLP256R1, spub, sl,
                                                rc, 16, &out, NULL),
                     0);
    assert_memory_equal(out.epk, epub, 65);
    /* read as P-256: F0 names another curve */
    assert_int_equal(
        sm_es8_block1_parse_verify(b.data, b.len, SM_CURVE_P256, spub, sl, rc, 16, &out, NULL),
        -EINVAL);
    /* a brainpool ePK is not a P-256 point */
    sm_buf_reset(&b);
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epub, el, SM_ES8_EPK_RAW, sk->data,
                                        sk->len, rc, 16, &b),
                     -EINVAL);
    assert_int_equal(b.len, 0);
    sm_buf_free(&b);
    sm_secret_free(sk);
    sm_secret_free(ek);
}

static void block1_build_rejects(void **state)
{
    uint8_t epk[65], rc[16] = {0}, d[32] = {0};
    struct sm_es8_crt crt;
    struct sm_buf b = SM_BUF_INIT;

    hx(REC_EPK, epk, 65);
    sm_es8_crt_default(&crt);
    d[31] = 5;
    assert_int_equal(sm_buf_append(&b, "keep", 4), 0);
    /* ePK off the curve, bad format, no RC, zero signing key, bad CRT, bad curve */
    epk[64] ^= 1;
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 16, &b),
        -EINVAL);
    epk[64] ^= 1;
    assert_int_equal(sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, (enum sm_es8_epk_format)7, d,
                                        32, rc, 16, &b),
                     -EINVAL);
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 0, &b),
        -EINVAL);
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, NULL, 16, &b),
        -EINVAL);
    memset(d, 0, 32);
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 16, &b),
        -EINVAL);
    d[31] = 5;
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, NULL, 32, rc, 16, &b),
        -EINVAL);
    crt.seq_counter_len = 9;
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 16, &b),
        -EINVAL);
    sm_es8_crt_default(&crt);
    assert_int_equal(
        sm_es8_block1_data(&crt, (enum sm_curve)1, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 16, &b),
        -EINVAL);
    assert_int_equal(
        sm_es8_block1_data(NULL, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 16, &b),
        -EINVAL);
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 16, NULL),
        -EINVAL);
    assert_int_equal(b.len, 4);
    /* a valid call appends after existing content */
    assert_int_equal(
        sm_es8_block1_data(&crt, SM_CURVE_P256, epk, 65, SM_ES8_EPK_RAW, d, 32, rc, 16, &b), 0);
    assert_int_equal(b.len, 4 + 0xa1);
    assert_memory_equal(b.data, "keep\x3a\x02\x17\xa6", 8);
    sm_buf_free(&b);
}

/* Parse data given as hex with the recorded key and RC; returns the result. */
static int parse_hex(const char *h, struct sm_decode_err *e)
{
    uint8_t data[300], pkdp[65], rc[16];
    size_t n = hx(h, data, sizeof(data));
    struct sm_es8_block1 out;

    hx(PK_DP, pkdp, 65);
    hx(RC_CARD, rc, 16);
    return sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, e);
}

/* Block 1 without a signature (the SCP81 key set after SM-SR change, es8 spec 1.6). */
static void block1_unsigned(void **state)
{
    uint8_t data[300];
    struct sm_es8_block1 out;
    struct sm_decode_err e;
    size_t n;

    (void)state;
    n = hx("3a0217" CARD_CRT "7f4941" REC_EPK, data, sizeof(data));
    assert_int_equal(sm_es8_block1_parse(data, n, SM_CURVE_P256, &out, &e), 0);
    assert_int_equal(out.crt.kvn, 0x30);
    assert_int_equal(out.crt_tlv_len, 0x17);
    assert_ptr_equal(out.crt_tlv, data + 3);
    assert_int_equal(out.epk_len, 65);
    assert_int_equal(out.epk[0], 0x04);
    /* anything after 7F49 (a signature included) is not this form */
    n = hx("3a0217" CARD_CRT "7f4941" REC_EPK "5f3740" REC_SIG, data, sizeof(data));
    assert_int_equal(sm_es8_block1_parse(data, n, SM_CURVE_P256, &out, &e), -EBADMSG);
    assert_int_equal(e.offset, 3 + 0x17 + 3 + 65);
    /* truncated anywhere */
    n = hx("3a0217" CARD_CRT "7f4941" REC_EPK, data, sizeof(data));
    for (size_t k = 0; k < n; k++)
        assert_int_not_equal(sm_es8_block1_parse(data, k, SM_CURVE_P256, &out, &e), 0);
    assert_int_equal(sm_es8_block1_parse(NULL, n, SM_CURVE_P256, &out, &e), -EINVAL);
}

static void block1_parse_rejects(void **state)
{
    uint8_t data[200], pkdp[65], rc[16];
    size_t n = load_recorded(data, sizeof(data));
    struct sm_es8_block1 out;
    struct sm_decode_err e;

    hx(PK_DP, pkdp, 65);
    hx(RC_CARD, rc, 16);
    /* every truncation, and a trailing byte */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(
            sm_es8_block1_parse_verify(data, k, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
            -EBADMSG);
    data[n] = 0x90;
    assert_int_equal(
        sm_es8_block1_parse_verify(data, n + 1, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
        -EBADMSG);
    assert_int_equal(e.offset, n);
    /* other DGI; DGI holding more than the A6 TLV (7F49 inside the DGI, Njiwa-style misreading) */
    assert_int_equal(parse_hex("3a0317" CARD_CRT "7f4941" REC_EPK "5f3740" REC_SIG, &e), -EBADMSG);
    assert_int_equal(parse_hex("3a025b" CARD_CRT "7f4941" REC_EPK "5f3740" REC_SIG, &e), -EBADMSG);
    /* bad CRT value inside the DGI */
    assert_int_equal(parse_hex("3a0217a615900202099501108001888101108201018301309100"
                               "7f4941" REC_EPK "5f3740" REC_SIG,
                               &e),
                     -EINVAL);
    assert_int_equal(e.offset, 5);
    /* 7F49 missing, 5F37 missing, tags out of order */
    assert_int_equal(parse_hex("3a0217" CARD_CRT "5f3740" REC_SIG, &e), -EBADMSG);
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4941" REC_EPK, &e), -EBADMSG);
    assert_int_equal(parse_hex("3a0217" CARD_CRT "5f3740" REC_SIG "7f4941" REC_EPK, &e), -EBADMSG);
    /* signature of 63 bytes */
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4941" REC_EPK "5f373f" REC_SIG, &e), -EBADMSG);
    /* raw ePK off the curve */
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4941"
                               "043cf98b2bda64d450e420d54445e15baa366a20433fa5ad512bdc60451325217d"
                               "fb79715d1466daa65a821cedb1b4d8bbf7bbca841f9e372b6646f5af9cd91f7c"
                               "5f3740" REC_SIG,
                               &e),
                     -EINVAL);
    /* neither raw nor B0: compressed point, 7F49 with 86 */
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4921"
                               "033cf98b2bda64d450e420d54445e15baa366a20433fa5ad512bdc60451325217d"
                               "5f3740" REC_SIG,
                               &e),
                     -EBADMSG);
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f49438641" REC_EPK "5f3740" REC_SIG, &e),
                     -EBADMSG);
    /* B0 template: short B0, F0 of two bytes, extra TLV after F0, F0 for brainpool */
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4942b040" REC_EPK "5f3740" REC_SIG, &e),
                     -EBADMSG);
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4947b041" REC_EPK "f0020000"
                               "5f3740" REC_SIG,
                               &e),
                     -EBADMSG);
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4948b041" REC_EPK "f00100c100"
                               "5f3740" REC_SIG,
                               &e),
                     -EBADMSG);
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4946b041" REC_EPK "f00103"
                               "5f3740" REC_SIG,
                               &e),
                     -EINVAL);
    /* well-formed templates with the recorded (raw-form) signature parse but do not verify */
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4943b041" REC_EPK "5f3740" REC_SIG, &e),
                     -EKEYREJECTED);
    assert_int_equal(parse_hex("3a0217" CARD_CRT "7f4946b041" REC_EPK "f00100"
                               "5f3740" REC_SIG,
                               &e),
                     -EKEYREJECTED);
    /* empty input, bad signer key, bad arguments */
    assert_int_equal(sm_es8_block1_parse_verify(data, 0, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     -EBADMSG);
    pkdp[64] ^= 1;
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     -EINVAL);
    pkdp[64] ^= 1;
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 0, &out, &e),
                     -EINVAL);
    assert_int_equal(
        sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, NULL, 16, &out, &e), -EINVAL);
    assert_int_equal(
        sm_es8_block1_parse_verify(data, n, (enum sm_curve)1, pkdp, 65, rc, 16, &out, &e), -EINVAL);
    assert_int_equal(sm_es8_block1_parse_verify(NULL, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, &e),
                     -EINVAL);
    assert_int_equal(sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, NULL, &e),
                     -EINVAL);
    /* and the unmodified recording still verifies, with err NULL */
    assert_int_equal(
        sm_es8_block1_parse_verify(data, n, SM_CURVE_P256, pkdp, 65, rc, 16, &out, NULL), 0);
}

struct bsp_vec {
    const char *shs, *info, *mcv, *enc, *mac;
};

/* ecka.json sgp22_bsp_kdf (pySim BSP_Test, BSP_Test_mode51) */
static const struct bsp_vec bsp_vecs[] = {
    {"8902dca391bbb22570fe60c176076246f568b1941265dff1d729e63039658089",
     "88100880808080808080801089049032123451234512345678901335", "734bc93ddb10c71c5ad13d420dc08b5b",
     "d782d575b22a38334556a3d9a1e2ae6b", "a35addc192ae8f934e2932116c7e89e7"},
    {"c9a993dd4879a8f7161f2085410edd4f9652f1df37be097ba96ba2ca6be528fe",
     "88100880808080808080801089049032123451234512345678901235", "406d507b448a699e7a36a38494debbde",
     "472f5bfadd97f21d34f3ce9b51b92751", "9ec07f5b36a13e12a991d66e294e6242"},
};

static void bsp_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(bsp_vecs) / sizeof(bsp_vecs[0]); i++) {
        uint8_t shs[32], info[64], w_mcv[16], w_enc[16], w_mac[16], mcv[16], enc[16], mac[16];
        size_t il = hx(bsp_vecs[i].info, info, sizeof(info));

        hx(bsp_vecs[i].shs, shs, 32);
        hx(bsp_vecs[i].mcv, w_mcv, 16);
        hx(bsp_vecs[i].enc, w_enc, 16);
        hx(bsp_vecs[i].mac, w_mac, 16);
        assert_int_equal(sm_bsp_derive(shs, 32, info, il, mcv, enc, mac), 0);
        assert_memory_equal(mcv, w_mcv, 16);
        assert_memory_equal(enc, w_enc, 16);
        assert_memory_equal(mac, w_mac, 16);
    }
    {
        uint8_t s[32] = {1}, a[16], b[16], c[16];

        assert_int_equal(sm_bsp_derive(s, 32, NULL, 0, NULL, b, c), -EINVAL);
        assert_int_equal(sm_bsp_derive(s, 32, NULL, 0, a, NULL, c), -EINVAL);
        assert_int_equal(sm_bsp_derive(s, 32, NULL, 0, a, b, NULL), -EINVAL);
        assert_int_equal(sm_bsp_derive(s, 0, NULL, 0, a, b, c), -EINVAL);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(crt_default_bytes),
    cmocka_unit_test(crt_decode_strict),
    cmocka_unit_test(shared_info),
    cmocka_unit_test(es8_vectors),
    cmocka_unit_test(derive_and_receipt_rejects),
    cmocka_unit_test(block0),
    cmocka_unit_test(block1_recorded_verifies),
    cmocka_unit_test(block1_build_matches_recording),
    cmocka_unit_test(block1_brainpool),
    cmocka_unit_test(block1_build_rejects),
    cmocka_unit_test(block1_parse_rejects),
    cmocka_unit_test(block1_unsigned),
    cmocka_unit_test(bsp_vectors),
};

SM_TEST_MAIN(tests, NULL, NULL)
