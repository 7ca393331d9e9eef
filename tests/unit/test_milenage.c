/* SPDX-License-Identifier: Apache-2.0 */
/* MILENAGE f1..f5* (TS 35.206/35.208), AUTN/AUTS (TS 33.102 6.3.3), GSM-MILENAGE (TS 55.205). */
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/hex.h"
#include "sm/milenage.h"

struct umts_set {
    const char *name, *k, *rand, *sqn, *amf, *op, *opc;
    const char *mac_a, *mac_s, *res, *ck, *ik, *ak, *ak_star, *autn;
};

struct gsm_set {
    const char *ki, *rand, *opc, *sres1, *sres2, *kc;
};

/* 3GPP TS 35.208 4.3 test sets 1-6 (= TS 35.207 sets 1-6); autn = (SQN xor AK) || AMF || MAC-A. */
static const struct umts_set umts_sets[] = {
    {"TS 35.208 test set 1", "465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35",
     "ff9bb4d0b607", "b9b9", "cdc202d5123e20f62b6d676ac72cb318", "cd63cb71954a9f4e48a5994e37a02baf",
     "4a9ffac354dfafb3", "01cfaf9ec4e871e9", "a54211d5e3ba50bf", "b40ba9a3c58b2a05bbf0d987b21bf8cb",
     "f769bcd751044604127672711c6d3441", "aa689c648370", "451e8beca43b",
     "55f328b43577b9b94a9ffac354dfafb3"},
    {"TS 35.208 test set 2", "0396eb317b6d1c36f19c1c84cd6ffd16", "c00d603103dcee52c4478119494202e8",
     "fd8eef40df7d", "af17", "ff53bade17df5d4e793073ce9d7579fa", "53c15671c60a4b731c55b4a441c0bde2",
     "5df5b31807e258b0", "a8c016e51ef4a343", "d3a628ed988620f0", "58c433ff7a7082acd424220f2b67c556",
     "21a8c1f929702adb3e738488b9f5c5da", "c47783995f72", "30f1197061c1",
     "39f96cd9800faf175df5b31807e258b0"},
    {"TS 35.208 test set 3", "fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a",
     "9d0277595ffc", "725c", "dbc59adcb6f9a0ef735477b7fadf8374", "1006020f0a478bf6b699f15c062e42b3",
     "9cabc3e99baf7281", "95814ba2b3044324", "8011c48c0c214ed2", "5dbdbb2954e8f3cde665b046179a5098",
     "59a92d3b476a0443487055cf88b2307b", "33484dc2136b", "deacdd848cc6",
     "ae4a3a9b4c97725c9cabc3e99baf7281"},
    {"TS 35.208 test set 4", "9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6",
     "0b604a81eca8", "9e09", "223014c5806694c007ca1eeef57f004f", "a64a507ae1a2a98bb88eb4210135dc87",
     "74a58220cba84c49", "ac2cc74a96871837", "f365cd683cd92e96", "e203edb3971574f5a94b0d61b816345d",
     "0c4524adeac041c4dd830d20854fc46b", "f0b9c08ad02e", "6085a86c6f63",
     "fbd98a0b3c869e0974a58220cba84c49"},
    {"TS 35.208 test set 5", "4ab1deb05ca6ceb051fc98e77d026a84", "74b0cd6031a1c8339b2b6ce2b8c4a186",
     "e880a1b580b6", "9f07", "2d16c5cd1fdf6b22383584e3bef2a8d8", "dcf07cbd51855290b92a07a9891e523e",
     "49e785dd12626ef2", "9e85790336bb3fa2", "5860fc1bce351e7e", "7657766b373d1c2138f307e3de9242f9",
     "1c42e960d89b8fa99f2744e0708ccb53", "31e11a609118", "fe2555e54aa9",
     "d961bbd511ae9f0749e785dd12626ef2"},
    {"TS 35.208 test set 6", "6c38a116ac280c454f59332ee35c8c4f", "ee6466bc96202c5a557abbeff8babf63",
     "414b98222181", "4464", "1ba00a1a7c6700ac8c3ff3e96ad08725", "3803ef5363b947c6aaa225e58fae3934",
     "078adfb488241a57", "80246b8d0186bcf1", "16c8233f05a0ac28", "3f8c7587fe8e4b233af676aede30ba3b",
     "a7466cc1e6b2a1337d49d3b66e95d7b4", "45b0f69ab06c", "1f53cd2b1113",
     "04fb6eb891ed4464078adfb488241a57"},
};

/* 3GPP TS 55.205 test sets 1-19 (numbered as in hostapd tests/test-milenage.c). */
static const struct gsm_set gsm_sets[] = {
    {"465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35",
     "cd63cb71954a9f4e48a5994e37a02baf", "46f8416a", "a54211d5", "eae4be823af9a08b"},
    {"fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a",
     "1006020f0a478bf6b699f15c062e42b3", "8c308a5e", "8011c48c", "aa01739b8caa976d"},
    {"9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6",
     "a64a507ae1a2a98bb88eb4210135dc87", "cfbce3fe", "f365cd68", "9a8ec95f408cc507"},
    {"4ab1deb05ca6ceb051fc98e77d026a84", "74b0cd6031a1c8339b2b6ce2b8c4a186",
     "dcf07cbd51855290b92a07a9891e523e", "9655e265", "5860fc1b", "cdc1dc0841b81a22"},
    {"6c38a116ac280c454f59332ee35c8c4f", "ee6466bc96202c5a557abbeff8babf63",
     "3803ef5363b947c6aaa225e58fae3934", "13688f17", "16c8233f", "df75bc5ea899879f"},
    {"2d609d4db0ac5bf0d2c0de267014de0d", "194aa756013896b74b4a2a3b0af4539e",
     "c35a0ab0bcbfc9252caff15f24efbde0", "553d00b3", "8c25a16c", "84b417ae3aeab4f3"},
    {"a530a7fe428fad1082c45eddfce13884", "3a4c2b3245c50eb5c71d08639395764d",
     "27953e49bc8af6dcc6e730eb80286be3", "59f1a44a", "a63241e1", "3b4e244cdc60ce03"},
    {"d9151cf04896e25830bf2e08267b8360", "f761e5e93d603feb730e27556cb8a2ca",
     "c4c93effe8a08138c203d4c27ce4e3d9", "50588861", "4a90b217", "8d4ec01de597acfe"},
    {"a0e2971b6822e8d354a18cc235624ecb", "08eff828b13fdb562722c65c7f30a9b2",
     "82a26f22bba9e9488f949a10d98e9cc4", "cde6b027", "4bc2212d", "d8debc4ffbcd60aa"},
    {"0da6f7ba86d5eac8a19cf563ac58642d", "679ac4dbacd7d233ff9d6806f4149ce3",
     "0db1071f8767562ca43a0a64c41e8d08", "02d13acd", "6fc30fee", "f0eaa50a1edcebb7"},
    {"77b45843c88e58c10d202684515ed430", "4c47eb3076dc55fe5106cb2034b8cd78",
     "d483afae562409a326b5bb0b20c4d762", "44389d01", "aefa357b", "82dbab7f83f063da"},
    {"729b17729270dd87ccdf1bfe29b4e9bb", "311c4c929744d675b720f3b7e9b1cbd0",
     "228c2f2f06ac3268a9e616ee16db4ba1", "03e0fd84", "98dbbd09", "3c66cb98cab2d33d"},
    {"d32dd23e89dc662354ca12eb79dd32fa", "cf7d0ab1d94306950bf12018fbd46887",
     "d22a4b4180a5325708a5ff70d9f67ec7", "be73b3dc", "af4a411e", "9612b5d88a4130bb"},
    {"af7c65e1927221de591187a2c5987a53", "1f0f8578464fd59b64bed2d09436b57a",
     "a4cf5c8155c08a7eff418e5443b98e55", "8fe019c7", "7bffa5c2", "75a150df3c6aed08"},
    {"5bd7ecd3d3127a41d12539bed4e7cf71", "59b75f14251c75031d0bcbac1c2c04c7",
     "76089d3c0ff3efdc6e36721d4fceb747", "27202b82", "7e3f44c7", "b7f92e426a36fec5"},
    {"6cd1c6ceb1e01e14f1b82316a90b7f3d", "f69b78f300a0568bce9f0cb93c4be4c9",
     "a219dc37f1dc7d66738b5843c799f206", "ddd7efe6", "70f6bdb9", "88d9de10a22004c5"},
    {"b73a90cbcf3afb622dba83c58a8415df", "b120f1c1a0102a2f507dd543de68281f",
     "df0c67868fa25f748b7044c6e7c245b8", "67e4ff3f", "479dd25c", "a819e577a8d6175b"},
    {"5122250214c33e723a5dd523fc145fc0", "81e92b6c0ee0e12ebceba8d92a99dfa5",
     "981d464c7c52eb6e5036234984ad0bcf", "8a3b8d17", "28d7b0f2", "9a8d0e883ff0887a"},
    {"90dca4eda45b53cf0f12d7c9c3bc6a89", "9fddc72092c6ad036b6e464789315b78",
     "cb9cccc4b9258e6dca4760379fb82581", "df58522f", "a95100e2", "ed29b2f1c27f9f34"},
};

/* Decode hex of exactly n bytes into out (test data is constant; a typo fails the test). */
static void hx(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    assert_int_equal(sm_hex_decode(hex, out, n), (long)n);
}

static void assert_hex(const uint8_t *got, const char *want)
{
    uint8_t w[32];
    size_t n = strlen(want) / 2;

    assert_true(n <= sizeof(w));
    hx(want, w, n);
    assert_memory_equal(got, w, n);
}

static void init_hex(struct sm_milenage *m, const char *k, const char *opc)
{
    uint8_t kb[16], ob[16];

    hx(k, kb, 16);
    hx(opc, ob, 16);
    assert_int_equal(sm_milenage_init(m, kb, ob), 0);
    assert_non_null(m->ctx);
}

static void ts35208_sets(void **state)
{
    for (size_t i = 0; i < sizeof(umts_sets) / sizeof(umts_sets[0]); i++) {
        const struct umts_set *t = &umts_sets[i];
        uint8_t k[16], op[16], opc[16], rand[16], sqn[6], amf[2];
        uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];
        uint8_t sqn2[6], amf2[2];
        struct sm_milenage_vector v;
        struct sm_milenage m;

        print_message("%s\n", t->name);
        hx(t->k, k, 16);
        hx(t->op, op, 16);
        hx(t->rand, rand, 16);
        hx(t->sqn, sqn, 6);
        hx(t->amf, amf, 2);
        assert_int_equal(sm_milenage_opc(k, op, opc), 0);
        assert_hex(opc, t->opc);
        assert_int_equal(sm_milenage_init(&m, k, opc), 0);

        assert_int_equal(sm_milenage_f1(&m, rand, sqn, amf, mac_a, mac_s), 0);
        assert_hex(mac_a, t->mac_a);
        assert_hex(mac_s, t->mac_s);
        assert_int_equal(sm_milenage_f2345(&m, rand, res, ck, ik, ak, ak_star), 0);
        assert_hex(res, t->res);
        assert_hex(ck, t->ck);
        assert_hex(ik, t->ik);
        assert_hex(ak, t->ak);
        assert_hex(ak_star, t->ak_star);

        /* optional outputs: each alone */
        memset(mac_s, 0, sizeof(mac_s));
        assert_int_equal(sm_milenage_f1(&m, rand, sqn, amf, NULL, mac_s), 0);
        assert_hex(mac_s, t->mac_s);
        memset(ak_star, 0, sizeof(ak_star));
        assert_int_equal(sm_milenage_f2345(&m, rand, NULL, NULL, NULL, NULL, ak_star), 0);
        assert_hex(ak_star, t->ak_star);

        memset(&v, 0, sizeof(v));
        assert_int_equal(sm_milenage_generate(&m, rand, sqn, amf, &v), 0);
        assert_memory_equal(v.rand, rand, 16);
        assert_hex(v.autn, t->autn);
        assert_hex(v.res, t->res);
        assert_hex(v.ck, t->ck);
        assert_hex(v.ik, t->ik);
        assert_hex(v.ak, t->ak);

        assert_int_equal(sm_milenage_check_autn(&m, rand, v.autn, sqn2, amf2), 0);
        assert_memory_equal(sqn2, sqn, 6);
        assert_memory_equal(amf2, amf, 2);
        sm_milenage_clear(&m);
    }
}

/* libosmocore tests/auth/milenage_test: OPc given, SQN 0x22, AUTS for SQN_MS 0x1f. */
static void osmocom_vector(void **state)
{
    uint8_t k[16], opc[16], op[16], rand[16], sqn[6], amf[2], sqn_ms[6], auts[14], out[14];
    uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6], sres[4], kc[8];
    struct sm_milenage_vector v;
    struct sm_milenage m;

    hx("000102030405060708090a0b0c0d0e0f", k, 16);
    hx("00000000000000000000000000000000", op, 16);
    assert_int_equal(sm_milenage_opc(k, op, opc), 0);
    assert_hex(opc, "c6a13b37878f5b826f4f8162a1c8d879");

    init_hex(&m, "000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f");
    memset(rand, 0, sizeof(rand));
    hx("000000000022", sqn, 6);
    hx("0000", amf, 2);
    assert_int_equal(sm_milenage_f1(&m, rand, sqn, amf, mac_a, mac_s), 0);
    assert_hex(mac_a, "c8b7de2a3449f1bd");
    assert_hex(mac_s, "e2f766881a64605b");
    assert_int_equal(sm_milenage_f2345(&m, rand, res, ck, ik, ak, ak_star), 0);
    assert_hex(res, "e9fc88ccc8a35381");
    assert_hex(ck, "7200a184d8f2c758fbdf87900ddbf275");
    assert_hex(ik, "12cb2dd3e0ec8378f6fc1d606c619f47");
    assert_hex(ak, "ec9320c2c230");
    assert_hex(ak_star, "8711a0ec9e09");
    assert_int_equal(sm_milenage_generate(&m, rand, sqn, amf, &v), 0);
    assert_hex(v.autn, "ec9320c2c2120000c8b7de2a3449f1bd");

    hx("00000000001f", sqn_ms, 6);
    assert_int_equal(sm_milenage_auts(&m, rand, sqn_ms, auts), 0);
    assert_hex(auts, "8711a0ec9e1637df17f80b384ee4");
    hx("8711a0ec9e1637df17f80b384ee4", auts, 14);
    memset(out, 0xee, sizeof(out));
    assert_int_equal(sm_milenage_resync(&m, rand, auts, out), 0);
    assert_hex(out, "00000000001f");

    assert_int_equal(sm_milenage_gsm(&m, rand, sres, kc), 0);
    assert_hex(sres, "215fdb4d");
    assert_hex(kc, "6de816a759a42912");
    sm_milenage_clear(&m);
}

static void ts55205_sets(void **state)
{
    for (size_t i = 0; i < sizeof(gsm_sets) / sizeof(gsm_sets[0]); i++) {
        const struct gsm_set *t = &gsm_sets[i];
        uint8_t rand[16], sres[4], kc[8], res[8], ck[16], ik[16], s2[4], k2[8];
        struct sm_milenage m;

        print_message("TS 55.205 set %zu\n", i + 1);
        init_hex(&m, t->ki, t->opc);
        hx(t->rand, rand, 16);
        assert_int_equal(sm_milenage_gsm(&m, rand, sres, kc), 0);
        assert_hex(sres, t->sres1);
        assert_hex(kc, t->kc);
        /* SRES#2 of TS 55.205 is RES[0..3]; the conversion functions alone agree */
        assert_int_equal(sm_milenage_f2345(&m, rand, res, ck, ik, NULL, NULL), 0);
        assert_hex(res, t->sres2);
        sm_gsm_c2(res, s2);
        sm_gsm_c3(ck, ik, k2);
        assert_hex(s2, t->sres1);
        assert_hex(k2, t->kc);
        sm_milenage_clear(&m);
    }
}

static void conversion_functions(void **state)
{
    uint8_t res[8], ck[16], ik[16];

    /* TS 33.102 6.8.1.2; outputs may alias inputs */
    hx("e9fc88ccc8a35381", res, 8);
    sm_gsm_c2(res, res);
    assert_hex(res, "215fdb4d");
    hx("7200a184d8f2c758fbdf87900ddbf275", ck, 16);
    hx("12cb2dd3e0ec8378f6fc1d606c619f47", ik, 16);
    sm_gsm_c3(ck, ik, ck);
    assert_hex(ck, "6de816a759a42912");
}

static void autn_round_trip_and_rejection(void **state)
{
    uint8_t rand[16], sqn[6], amf[2] = {0x80, 0x00}, autn[16], s[6], a[2];
    struct sm_milenage_vector v;
    struct sm_milenage m, other;

    init_hex(&m, "fec86ba6eb707ed08905757b1bb44b8f", "1006020f0a478bf6b699f15c062e42b3");
    init_hex(&other, "fec86ba6eb707ed08905757b1bb44b8e", "1006020f0a478bf6b699f15c062e42b3");
    hx("9f7c8d021accf4db213ccff0c7f71a6a", rand, 16);
    hx("000000000fe1", sqn, 6);
    assert_int_equal(sm_milenage_generate(&m, rand, sqn, amf, &v), 0);
    assert_int_equal(sm_milenage_check_autn(&m, rand, v.autn, s, a), 0);
    assert_memory_equal(s, sqn, 6);
    assert_memory_equal(a, amf, 2);
    /* the AK conceals SQN */
    assert_memory_not_equal(v.autn, sqn, 6);

    /* every single-bit change (concealed SQN, AMF, MAC) fails the MAC */
    for (int bit = 0; bit < 128; bit++) {
        memcpy(autn, v.autn, 16);
        autn[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        memset(s, 0xee, sizeof(s));
        memset(a, 0xee, sizeof(a));
        assert_int_equal(sm_milenage_check_autn(&m, rand, autn, s, a), -EKEYREJECTED);
        /* nothing is released on failure */
        for (int i = 0; i < 6; i++)
            assert_int_equal(s[i], 0xee);
        assert_int_equal(a[0], 0xee);
        assert_int_equal(a[1], 0xee);
    }
    /* another RAND or another K */
    rand[15] ^= 1;
    assert_int_equal(sm_milenage_check_autn(&m, rand, v.autn, s, a), -EKEYREJECTED);
    rand[15] ^= 1;
    assert_int_equal(sm_milenage_check_autn(&other, rand, v.autn, s, a), -EKEYREJECTED);
    sm_milenage_clear(&m);
    sm_milenage_clear(&other);
}

static void auts_and_resync(void **state)
{
    uint8_t rand[16], sqn_ms[6], auts[14], bad[14], out[6], amf0[2] = {0, 0};
    uint8_t amf[2] = {0xb9, 0xb9}, mac_s[8], ak_star[6];
    struct sm_milenage m, other;

    init_hex(&m, "465b5ce8b199b49faa5f0a2ee238a6bc", "cd63cb71954a9f4e48a5994e37a02baf");
    init_hex(&other, "465b5ce8b199b49faa5f0a2ee238a6bc", "cd63cb71954a9f4e48a5994e37a02bae");
    hx("23553cbe9637a89d218ae64dae47bf35", rand, 16);
    hx("0000000123e0", sqn_ms, 6);
    assert_int_equal(sm_milenage_auts(&m, rand, sqn_ms, auts), 0);

    /* AUTS = (SQN_MS xor AK*) || MAC-S with AMF 0000 (TS 33.102 6.3.3) */
    assert_int_equal(sm_milenage_f2345(&m, rand, NULL, NULL, NULL, NULL, ak_star), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(auts[i], sqn_ms[i] ^ ak_star[i]);
    assert_int_equal(sm_milenage_f1(&m, rand, sqn_ms, amf0, NULL, mac_s), 0);
    assert_memory_equal(auts + 6, mac_s, 8);
    assert_int_equal(sm_milenage_f1(&m, rand, sqn_ms, amf, NULL, mac_s), 0);
    assert_memory_not_equal(auts + 6, mac_s, 8);

    assert_int_equal(sm_milenage_resync(&m, rand, auts, out), 0);
    assert_memory_equal(out, sqn_ms, 6);

    for (int bit = 0; bit < 112; bit++) {
        memcpy(bad, auts, sizeof(bad));
        bad[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        memset(out, 0xee, sizeof(out));
        assert_int_equal(sm_milenage_resync(&m, rand, bad, out), -EKEYREJECTED);
        for (int i = 0; i < 6; i++)
            assert_int_equal(out[i], 0xee);
    }
    rand[0] ^= 0x80;
    assert_int_equal(sm_milenage_resync(&m, rand, auts, out), -EKEYREJECTED);
    rand[0] ^= 0x80;
    assert_int_equal(sm_milenage_resync(&other, rand, auts, out), -EKEYREJECTED);
    sm_milenage_clear(&m);
    sm_milenage_clear(&other);
}

static void clear_and_reinit(void **state)
{
    uint8_t k[16] = {1}, opc[16] = {2}, zero[16] = {0}, rand[16] = {3}, res1[8], res2[8];
    struct sm_milenage m;

    assert_int_equal(sm_milenage_init(&m, k, opc), 0);
    assert_int_equal(sm_milenage_f2345(&m, rand, res1, NULL, NULL, NULL, NULL), 0);
    sm_milenage_clear(&m);
    assert_null(m.ctx);
    assert_memory_equal(m.opc, zero, 16);
    /* a cleared context is refused, clearing twice is harmless */
    assert_int_equal(sm_milenage_f2345(&m, rand, res2, NULL, NULL, NULL, NULL), -EINVAL);
    sm_milenage_clear(&m);
    sm_milenage_clear(NULL);
    assert_int_equal(sm_milenage_init(&m, k, opc), 0);
    assert_int_equal(sm_milenage_f2345(&m, rand, res2, NULL, NULL, NULL, NULL), 0);
    assert_memory_equal(res1, res2, 8);
    sm_milenage_clear(&m);
}

static void invalid_arguments(void **state)
{
    uint8_t k[16] = {0}, b16[16] = {0}, sqn[6] = {0}, amf[2] = {0}, o[16], auts[14] = {0};
    uint8_t sres[4], kc[8];
    struct sm_milenage_vector v;
    struct sm_milenage m, none = {0};

    assert_int_equal(sm_milenage_init(NULL, k, b16), -EINVAL);
    m.ctx = (void *)&m; /* garbage is replaced */
    assert_int_equal(sm_milenage_init(&m, NULL, b16), -EINVAL);
    assert_null(m.ctx);
    assert_int_equal(sm_milenage_init(&m, k, NULL), -EINVAL);
    assert_null(m.ctx);
    assert_int_equal(sm_milenage_opc(NULL, b16, o), -EINVAL);
    assert_int_equal(sm_milenage_opc(k, NULL, o), -EINVAL);
    assert_int_equal(sm_milenage_opc(k, b16, NULL), -EINVAL);

    assert_int_equal(sm_milenage_init(&m, k, b16), 0);
    assert_int_equal(sm_milenage_f1(NULL, b16, sqn, amf, o, NULL), -EINVAL);
    assert_int_equal(sm_milenage_f1(&none, b16, sqn, amf, o, NULL), -EINVAL);
    assert_int_equal(sm_milenage_f1(&m, NULL, sqn, amf, o, NULL), -EINVAL);
    assert_int_equal(sm_milenage_f1(&m, b16, NULL, amf, o, NULL), -EINVAL);
    assert_int_equal(sm_milenage_f1(&m, b16, sqn, NULL, o, NULL), -EINVAL);
    assert_int_equal(sm_milenage_f2345(NULL, b16, o, NULL, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(sm_milenage_f2345(&none, b16, o, NULL, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(sm_milenage_f2345(&m, NULL, o, NULL, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(sm_milenage_generate(NULL, b16, sqn, amf, &v), -EINVAL);
    assert_int_equal(sm_milenage_generate(&none, b16, sqn, amf, &v), -EINVAL);
    assert_int_equal(sm_milenage_generate(&m, NULL, sqn, amf, &v), -EINVAL);
    assert_int_equal(sm_milenage_generate(&m, b16, NULL, amf, &v), -EINVAL);
    assert_int_equal(sm_milenage_generate(&m, b16, sqn, NULL, &v), -EINVAL);
    assert_int_equal(sm_milenage_generate(&m, b16, sqn, amf, NULL), -EINVAL);
    assert_int_equal(sm_milenage_check_autn(NULL, b16, b16, sqn, amf), -EINVAL);
    assert_int_equal(sm_milenage_check_autn(&none, b16, b16, sqn, amf), -EINVAL);
    assert_int_equal(sm_milenage_check_autn(&m, NULL, b16, sqn, amf), -EINVAL);
    assert_int_equal(sm_milenage_check_autn(&m, b16, NULL, sqn, amf), -EINVAL);
    assert_int_equal(sm_milenage_check_autn(&m, b16, b16, NULL, amf), -EINVAL);
    assert_int_equal(sm_milenage_check_autn(&m, b16, b16, sqn, NULL), -EINVAL);
    assert_int_equal(sm_milenage_auts(NULL, b16, sqn, auts), -EINVAL);
    assert_int_equal(sm_milenage_auts(&none, b16, sqn, auts), -EINVAL);
    assert_int_equal(sm_milenage_auts(&m, NULL, sqn, auts), -EINVAL);
    assert_int_equal(sm_milenage_auts(&m, b16, NULL, auts), -EINVAL);
    assert_int_equal(sm_milenage_auts(&m, b16, sqn, NULL), -EINVAL);
    assert_int_equal(sm_milenage_resync(NULL, b16, auts, sqn), -EINVAL);
    assert_int_equal(sm_milenage_resync(&none, b16, auts, sqn), -EINVAL);
    assert_int_equal(sm_milenage_resync(&m, NULL, auts, sqn), -EINVAL);
    assert_int_equal(sm_milenage_resync(&m, b16, NULL, sqn), -EINVAL);
    assert_int_equal(sm_milenage_resync(&m, b16, auts, NULL), -EINVAL);
    assert_int_equal(sm_milenage_gsm(NULL, b16, sres, kc), -EINVAL);
    assert_int_equal(sm_milenage_gsm(&none, b16, sres, kc), -EINVAL);
    assert_int_equal(sm_milenage_gsm(&m, NULL, sres, kc), -EINVAL);
    assert_int_equal(sm_milenage_gsm(&m, b16, NULL, kc), -EINVAL);
    assert_int_equal(sm_milenage_gsm(&m, b16, sres, NULL), -EINVAL);
    sm_milenage_clear(&m);
}

/* A context with no cipher set makes every EVP call fail: each function reports -EIO. */
static void openssl_failure(void **state)
{
    uint8_t b16[16] = {0}, sqn[6] = {0}, amf[2] = {0}, o[16], auts[14] = {0};
    uint8_t sres[4], kc[8];
    struct sm_milenage_vector v;
    struct sm_milenage m = {0};

    m.ctx = EVP_CIPHER_CTX_new();
    assert_non_null(m.ctx);
    assert_int_equal(sm_milenage_f1(&m, b16, sqn, amf, o, o + 8), -EIO);
    assert_int_equal(sm_milenage_f2345(&m, b16, o, NULL, NULL, NULL, NULL), -EIO);
    assert_int_equal(sm_milenage_generate(&m, b16, sqn, amf, &v), -EIO);
    assert_int_equal(sm_milenage_check_autn(&m, b16, b16, sqn, amf), -EIO);
    assert_int_equal(sm_milenage_auts(&m, b16, sqn, auts), -EIO);
    assert_int_equal(sm_milenage_resync(&m, b16, auts, sqn), -EIO);
    assert_int_equal(sm_milenage_gsm(&m, b16, sres, kc), -EIO);
    sm_milenage_clear(&m);
    assert_null(m.ctx);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ts35208_sets),
    cmocka_unit_test(osmocom_vector),
    cmocka_unit_test(ts55205_sets),
    cmocka_unit_test(conversion_functions),
    cmocka_unit_test(autn_round_trip_and_rejection),
    cmocka_unit_test(auts_and_resync),
    cmocka_unit_test(clear_and_reinit),
    cmocka_unit_test(invalid_arguments),
    cmocka_unit_test(openssl_failure),
};

SM_TEST_MAIN(tests, NULL, NULL)
