/* SPDX-License-Identifier: Apache-2.0 */
/*
 * euicc-sim: profile packages installed into a card's file system (tools/euicc-sim/install.c),
 * and USIM authentication on what was installed (usim.c): the GSMA TS.48 test profiles
 * (../shared/reference/profiles, skipped visibly when absent), packages from the project's
 * templates, and packages that must be refused with the right EUICCResponse status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "../sm_test_files.h"
#include "install.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/milenage.h"
#include "sm/tlv.h"
#include "smpp/pp.h"
#include "usim.h"

#define K_HEX   "000102030405060708090a0b0c0d0e0f"
#define OPC_HEX "f0e0d0c0b0a090807060504030201000"

static uint8_t *template_package(const char *name, size_t *len)
{
    struct sm_pp_template *t;
    struct sm_buf der = SM_BUF_INIT;
    struct sm_pp_error e;
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "iccid", "8999900000000000006", "imsi",
                          "001010123456789", "k", K_HEX, "opc", OPC_HEX, "adm1", "12345678");

    assert_int_equal(sm_pp_template_shipped(name, &t, &e), 0);
    if (!strcmp(name, "usim-isim-5g")) {
        json_object_set_new(p, "impi", json_string("001010123456789@ims.example.org"));
        json_object_set_new(p, "impu", json_string("sip:001010123456789@ims.example.org"));
        json_object_set_new(p, "domain", json_string("ims.example.org"));
    }
    assert_int_equal(sm_pp_personalise(t, p, &der, &e), 0);
    sm_pp_template_free(t);
    json_decref(p);
    return sm_buf_take(&der, len);
}

static int count_file(void *arg, const struct sim_file *f, int depth)
{
    (void)f;
    (void)depth;
    (*(unsigned *)arg)++;
    return 0;
}

static void ts48_profiles_install(void **state)
{
    struct dirent **names;
    const char *dir;
    int n = sm_test_ts48(&dir, &names);

    (void)state;
    if (n <= 0)
        SM_SKIP();
    for (int i = 0; i < n; i++) {
        char path[4096], iccid[SM_ICCID_MAX_DIGITS + 1];
        struct sim_install *in = NULL;
        const struct sim_file *ef;
        unsigned files = 0;
        size_t len = 0;
        uint8_t *der;
        int rc;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        der = sm_test_read_file(path, &len);
        assert_non_null(der);
        rc = sim_install_package(der, len, &in);
        if (rc)
            printf("%s: status %u, element %u, offset %u: %s\n", names[i]->d_name, in->status,
                   in->id, in->pe_offset, in->msg);
        assert_int_equal(rc, 0);
        assert_true(in->done);
        /* EF.ICCID (2FE2 under the MF) holds the header's ICCID, swapped */
        ef = sim_fs_path(in->fs, (const uint8_t[]){0x2F, 0xE2}, 2);
        assert_non_null(ef);
        assert_int_equal(ef->size, 10);
        assert_int_equal(sm_iccid_from_ef(ef->data, iccid), 0);
        assert_string_equal(iccid, in->iccid);
        /* the USIM and its EF.IMSI (6F07) exist; AKA parameters came with it */
        assert_non_null(in->naa[0]);
        assert_non_null(sim_fs_child(in->naa[0], 0x6F07));
        assert_true(in->naka >= 1);
        assert_int_equal(in->aka[0].algo, 3); /* TS.48: the test algorithm */
        sim_fs_walk(in->fs, count_file, &files);
        printf("%s: installed, %u files, %zu bytes of contents, %u NAAs with AKA\n",
               names[i]->d_name, files, in->fs->bytes, in->naka);
        sim_install_free(in);
        free(der);
        free(names[i]);
    }
    free(names);
}

static void template_packages_install_and_authenticate(void **state)
{
    static const char *const names[] = {"usim-minimal", "usim-isim-5g"};

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        struct sim_install *in = NULL;
        struct sm_milenage m;
        struct sm_milenage_vector v;
        struct sim_auth_out o;
        enum sim_auth_status st;
        const struct sim_file *imsi;
        uint8_t k[16], opc[16], rand[16], sqn[6] = {0, 0, 0, 0, 0, 0x21}, amf[2] = {0x80, 0};
        size_t len;
        uint8_t *der = template_package(names[i], &len);

        assert_int_equal(sim_install_package(der, len, &in), 0);
        assert_string_equal(in->iccid, "8999900000000000006");
        imsi = sim_fs_child(in->naa[0], 0x6F07);
        assert_non_null(imsi);
        assert_memory_equal(imsi->data, "\x08\x09\x10\x10\x10\x32\x54\x76\x98", 9);
        assert_int_equal(in->aka[0].algo, 1);
        /* the network side (common MILENAGE) makes a vector; the card answers it */
        sm_hex_decode(K_HEX, k, 16);
        sm_hex_decode(OPC_HEX, opc, 16);
        memset(rand, 0x5a, sizeof(rand));
        assert_int_equal(sm_milenage_init(&m, k, opc), 0);
        assert_int_equal(sm_milenage_generate(&m, rand, sqn, amf, &v), 0);
        assert_int_equal(sim_aka_authenticate(&in->aka[0], rand, v.autn, &o, &st), 0);
        assert_int_equal(st, SIM_AUTH_OK);
        assert_int_equal(o.res_len, 8);
        assert_memory_equal(o.res, v.res, 8);
        assert_memory_equal(o.ck, v.ck, 16);
        assert_memory_equal(o.ik, v.ik, 16);
        /* the same AUTN again: a replay, answered with AUTS the network can resynchronise */
        assert_int_equal(sim_aka_authenticate(&in->aka[0], rand, v.autn, &o, &st), 0);
        assert_int_equal(st, SIM_AUTH_SYNC_FAILURE);
        {
            uint8_t sqn_ms[6];

            assert_int_equal(sm_milenage_resync(&m, rand, o.auts, sqn_ms), 0);
            assert_memory_equal(sqn_ms, sqn, 6);
        }
        /* a forged AUTN: MAC failure */
        v.autn[15] ^= 1;
        assert_int_equal(sim_aka_authenticate(&in->aka[0], rand, v.autn, &o, &st), 0);
        assert_int_equal(st, SIM_AUTH_MAC_FAILURE);
        if (i == 1) {
            /* ISD: ISIM ADF with EF.IMPI, AKA mapped onto the USIM's */
            const struct sim_aka *isim_aka;

            assert_non_null(in->naa[1]);
            assert_non_null(sim_fs_child(in->naa[1], 0x6F02));
            isim_aka = sim_aka_find(in->aka, in->naka, in->naa[1]->aid, in->naa[1]->aid_len);
            assert_ptr_equal(isim_aka, &in->aka[0]);
        }
        sm_milenage_clear(&m);
        sim_install_free(in);
        free(der);
    }
}

/* Packages that must fail, each with its EUICCResponse status. */
static void refused_packages(void **state)
{
    size_t len;
    uint8_t *der = template_package("usim-minimal", &len);
    struct sim_install *in;
    struct sm_buf mod = SM_BUF_INIT, rsp = SM_BUF_INIT;
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0, first_end, second_end;

    (void)state;
    /* truncated anywhere: incomplete, never installed */
    for (size_t cut = 0; cut < len; cut += 7) {
        assert_int_equal(sim_install_package(der, cut, &in), -EINVAL);
        assert_false(in->done);
        sim_install_free(in);
    }
    /* version 4.0: unsupported profile version (31) */
    sm_buf_append(&mod, der, len);
    assert_int_equal(sm_tlv_next(mod.data, mod.len, &pos, &t, &de), 0);
    first_end = pos;
    assert_int_equal(t.value[0], 0x80);
    mod.data[t.value - mod.data + 2] = 4;
    assert_int_equal(sim_install_package(mod.data, mod.len, &in), -EINVAL);
    assert_int_equal(in->status, SIM_PE_UNSUPPORTED_VERSION);
    assert_int_equal(sim_install_response(in, &rsp), 0);
    /* 30 { A0 { 30 { 80 01 1F } } 81 00 } */
    assert_memory_equal(rsp.data, "\x30\x09\xa0\x05\x30\x03\x80\x01\x1f\x81\x00", 11);
    sim_install_free(in);
    /* the second element (mf) with its templateID changed: template not supported (9) */
    sm_buf_reset(&mod);
    sm_buf_append(&mod, der, len);
    assert_int_equal(sm_tlv_next(mod.data, mod.len, &pos, &t, &de), 0);
    second_end = pos;
    {
        struct sm_tlv oid;

        assert_int_equal(sm_tlv_find(t.value, t.len, 0x81, &oid, &de), 0);
        mod.data[oid.value - mod.data + oid.len - 1] = 0x7F;
    }
    assert_int_equal(sim_install_package(mod.data, mod.len, &in), -EINVAL);
    assert_int_equal(in->status, SIM_PE_TEMPLATE_NOT_SUPPORTED);
    assert_true(in->has_id);
    assert_int_equal(in->id, 1);
    sim_install_free(in);
    /* the mf element twice: identification used twice / files exist (bad values, 3) */
    sm_buf_reset(&mod);
    sm_buf_append(&mod, der, second_end);
    sm_buf_append(&mod, der + first_end, second_end - first_end);
    sm_buf_append(&mod, der + second_end, len - second_end);
    assert_int_equal(sim_install_package(mod.data, mod.len, &in), -EINVAL);
    assert_int_equal(in->status, SIM_PE_BAD_VALUES);
    sim_install_free(in);
    /* an application element (no Java Card runtime): runtime not supported (7) */
    sm_buf_reset(&mod);
    sm_buf_append(&mod, der, second_end);
    sm_buf_append(&mod, "\xa8\x07\xa0\x05\x80\x00\x81\x01\x63", 9);
    sm_buf_append(&mod, der + second_end, len - second_end);
    assert_int_equal(sim_install_package(mod.data, mod.len, &in), -EINVAL);
    assert_int_equal(in->status, SIM_PE_RUNTIME_NOT_SUPPORTED);
    sim_install_free(in);
    /* an unknown element: refused when mandated (1), skipped when not */
    sm_buf_reset(&mod);
    sm_buf_append(&mod, der, second_end);
    sm_buf_append(&mod, "\xbf\x30\x07\xa0\x05\x80\x00\x81\x01\x63", 10);
    sm_buf_append(&mod, der + second_end, len - second_end);
    assert_int_equal(sim_install_package(mod.data, mod.len, &in), -EINVAL);
    assert_int_equal(in->status, SIM_PE_NOT_SUPPORTED);
    sim_install_free(in);
    sm_buf_reset(&mod);
    sm_buf_append(&mod, der, second_end);
    sm_buf_append(&mod, "\xbf\x30\x05\xa0\x03\x81\x01\x63", 8);
    sm_buf_append(&mod, der + second_end, len - second_end);
    assert_int_equal(sim_install_package(mod.data, mod.len, &in), 0);
    sim_install_free(in);
    /* data after the end element */
    sm_buf_reset(&mod);
    sm_buf_append(&mod, der, len);
    sm_buf_append(&mod, "\xaa\x00", 2);
    assert_int_equal(sim_install_package(mod.data, mod.len, &in), -EINVAL);
    assert_int_equal(in->status, SIM_PE_INVALID_FORMAT);
    sim_install_free(in);
    /* a size limit smaller than the files: not enough memory (4) */
    in = sim_install_new(200);
    assert_non_null(in);
    assert_int_equal(sim_install_feed(in, der, len), -EINVAL);
    assert_int_equal(in->status, SIM_PE_NOT_ENOUGH_MEMORY);
    sim_install_free(in);
    sm_buf_free(&mod);
    sm_buf_free(&rsp);
    free(der);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ts48_profiles_install),
    cmocka_unit_test(template_packages_install_and_authenticate),
    cmocka_unit_test(refused_packages),
};

SM_TEST_MAIN(tests, NULL, NULL)
