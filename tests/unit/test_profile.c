/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profile packages through the project API (smpp/pp.h): DER <-> JSON form, shipped templates and
 * personalisation, refusals, malformed DER, the profile checks and batches.
 * The TS.48 test profiles are read from $SM_TS48_PROFILES or ../shared/reference/profiles next
 * to the source tree; without them that test is reported as skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sm_test.h"
#include "../sm_test_files.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/milenage.h"
#include "sm/tlv.h"
#include "smpp/pp.h"

#define K_HEX   "000102030405060708090a0b0c0d0e0f"
#define OPC_HEX "f0e0d0c0b0a090807060504030201000"
#define IMSI    "001010123456789"

static char iccid_a[24], iccid_b[24], iccid_c[24];

static int setup(void **state)
{
    (void)state;
    sm_json_use_wiping_allocator();
    if (sm_iccid_complete("894400000000000001", iccid_a) ||
        sm_iccid_complete("894400000000000002", iccid_b) ||
        sm_iccid_complete("8944000000000000003", iccid_c))
        return -1;
    return 0;
}

/* ---- helpers ---- */

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static json_t *min_params(const char *iccid)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "iccid", iccid, "imsi", IMSI, "k",
                     K_HEX, "opc", OPC_HEX, "adm1", "12345678", "msisdn", "+491701234567", "pin1",
                     "1234", "puk1", "87654321");
}

static json_t *params_for(const char *tmpl, const char *iccid)
{
    json_t *p = min_params(iccid);

    if (!strcmp(tmpl, "usim-isim-5g")) {
        json_object_set_new(p, "impi", json_string(IMSI "@ims.mnc001.mcc001.3gppnetwork.org"));
        json_object_set_new(p, "impu",
                            json_string("sip:" IMSI "@ims.mnc001.mcc001.3gppnetwork.org"));
        json_object_set_new(p, "domain", json_string("ims.mnc001.mcc001.3gppnetwork.org"));
    }
    return p;
}

static struct sm_pp_template *shipped(const char *name)
{
    struct sm_pp_template *t = NULL;
    struct sm_pp_error e;

    assert_int_equal(sm_pp_template_shipped(name, &t, &e), 0);
    return t;
}

/* Personalise a shipped template; the package's JSON form. */
static json_t *build(const char *tmpl, json_t *params, struct sm_buf *der)
{
    struct sm_pp_template *t = shipped(tmpl);
    struct sm_pp_error e;
    json_t *pkg = NULL;
    int rc = sm_pp_personalise(t, params, der, &e);

    if (rc)
        printf("personalise %s: %s: %s\n", tmpl, e.path, e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(sm_pp_der_to_json(der->data, der->len, &pkg, &e), 0);
    sm_pp_template_free(t);
    return pkg;
}

/* The body of the nth element of an alternative. */
static json_t *element(const json_t *pkg, const char *alt, int nth)
{
    json_t *pe;
    size_t i;

    json_array_foreach(json_object_get(pkg, "profileElements"), i, pe) {
        json_t *b = json_object_get(pe, alt);

        if (b && nth-- == 0)
            return b;
    }
    return NULL;
}

/* The first fillFileContent of a file's list of items. */
static const char *content(const json_t *file)
{
    json_t *item;
    size_t i;

    json_array_foreach(file, i, item) {
        const char *c = json_string_value(json_object_get(item, "fillFileContent"));

        if (c)
            return c;
    }
    return NULL;
}

static char *hexs(const uint8_t *p, size_t n)
{
    static char out[4][256];
    static int turn;
    char *o = out[turn++ % 4];

    sm_hex_encode(p, n, o);
    return o;
}

/* ---- TS.48 reference profiles ---- */

static void ts48_round_trip(void **state)
{
    struct dirent **names;
    const char *dir;
    int n = sm_test_ts48(&dir, &names);

    (void)state;
    if (n <= 0)
        SM_SKIP();
    for (int i = 0; i < n; i++) {
        char path[4096], *text;
        struct sm_buf back = SM_BUF_INIT;
        struct sm_pp_report rep;
        struct sm_pp_stats st;
        struct sm_pp_error e;
        json_t *pkg = NULL, *again;
        size_t len = 0, raw = 0, k;
        uint8_t *der;
        json_t *pe;
        int problems;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        der = sm_test_read_file(path, &len);
        assert_non_null(der);
        assert_int_equal(sm_pp_der_to_json(der, len, &pkg, &e), 0);
        /* through text, as an operator edits it */
        text = json_dumps(pkg, JSON_INDENT(1));
        again = json_loads(text, 0, NULL);
        assert_non_null(again);
        assert_int_equal(sm_pp_json_to_der(again, &back, &e), 0);
        assert_int_equal(back.len, len);
        assert_memory_equal(back.data, der, len);
        /* only alternatives the module does not describe travel raw, none for failing */
        json_array_foreach(json_object_get(pkg, "profileElements"), k, pe) {
            raw += json_object_get(pe, "_raw") != NULL;
            assert_null(json_object_get(pe, "_note"));
        }
        assert_true(raw <= 3);
        assert_int_equal(sm_pp_validate(der, len, &st, &e), 0);
        assert_int_equal(st.invalid, 0);
        problems = sm_pp_check(pkg, &rep);
        for (size_t j = 0; j < rep.n; j++)
            printf("  %s: %s: %s\n", names[i]->d_name, rep.problems[j].path, rep.problems[j].msg);
        assert_int_equal(problems, 0);
        printf("%s: %zu bytes, %zu elements (%zu kept raw), identical after DER->JSON->DER\n",
               names[i]->d_name, len, json_array_size(json_object_get(pkg, "profileElements")),
               raw);
        sm_pp_report_free(&rep);
        sm_buf_free(&back);
        json_decref(again);
        json_decref(pkg);
        free(text);
        free(der);
        free(names[i]);
    }
    free(names);
}

/* ---- templates ---- */

static void shipped_templates_build_and_check(void **state)
{
    const char *const *names = sm_pp_template_names();
    int count = 0;

    (void)state;
    for (; *names; names++, count++) {
        struct sm_buf der = {.secure = true}, back = SM_BUF_INIT;
        json_t *params = params_for(*names, iccid_a);
        json_t *pkg = build(*names, params, &der);
        struct sm_pp_report rep;
        struct sm_pp_stats st;
        struct sm_pp_error e;
        char *text = json_dumps(pkg, 0);

        assert_null(strstr(text, "${"));
        assert_int_equal(sm_pp_validate(der.data, der.len, &st, &e), 0);
        assert_int_equal(st.unknown, 0);
        assert_int_equal(st.described, st.elements);
        assert_int_equal(sm_pp_check(pkg, &rep), 0);
        sm_pp_report_free(&rep);
        /* no element travels raw: the module describes all of them */
        assert_null(strstr(text, "\"_raw\""));
        assert_int_equal(sm_pp_json_to_der(pkg, &back, &e), 0);
        assert_int_equal(back.len, der.len);
        assert_memory_equal(back.data, der.data, der.len);
        free(text);
        sm_buf_free(&back);
        sm_buf_clear_free(&der);
        json_decref(pkg);
        json_decref(params);
    }
    assert_true(count >= 2);
}

static void personalised_values_in_place(void **state)
{
    struct sm_buf der = {.secure = true};
    json_t *params = params_for("usim-isim-5g", iccid_c);
    json_t *pkg = build("usim-isim-5g", params, &der);
    json_t *aka, *pins, *puks, *mf, *usim, *isim, *pc;
    uint8_t b[16];
    char adn[25];

    (void)state;
    /* ICCID: header natural BCD, EF.ICCID swapped BCD */
    assert_int_equal(sm_iccid_to_saip(iccid_c, b), 0);
    assert_string_equal(json_string_value(json_object_get(element(pkg, "header", 0), "iccid")),
                        hexs(b, 10));
    mf = element(pkg, "mf", 0);
    assert_int_equal(sm_iccid_to_ef(iccid_c, b), 0);
    assert_string_equal(content(json_object_get(mf, "ef-iccid")), hexs(b, 10));
    /* IMSI: EF.IMSI with its length byte and parity nibble */
    usim = element(pkg, "usim", 0);
    assert_int_equal(sm_imsi_to_ef(IMSI, b), 0);
    assert_string_equal(content(json_object_get(usim, "ef-imsi")), hexs(b, 9));
    assert_string_equal(content(json_object_get(usim, "ef-imsi")), "080910101032547698");
    /* MSISDN: the last 14 bytes of the first EF.MSISDN record, ADN coding */
    memset(b, 0xff, 12);
    b[0] = 7;
    b[1] = 0x91; /* international, E.164 */
    assert_int_equal(sm_bcd_swapped_encode("491701234567", b + 2, 10), 6);
    sm_hex_encode(b, 12, adn);
    assert_non_null(
        strstr(content(json_object_get(element(pkg, "opt-usim", 0), "ef-msisdn")), adn));
    /* AKA: K and OPc */
    aka = json_object_get(json_object_get(element(pkg, "akaParameter", 0), "algoConfiguration"),
                          "algoParameter");
    assert_string_equal(json_string_value(json_object_get(aka, "key")), K_HEX);
    assert_string_equal(json_string_value(json_object_get(aka, "opc")), OPC_HEX);
    assert_int_equal(json_integer_value(json_object_get(aka, "algorithmID")), 1);
    /* PIN1 and PUK1: ASCII digits, FF padded */
    pins = json_object_get(json_object_get(element(pkg, "pinCodes", 0), "pinCodes"), "pinconfig");
    pc = json_array_get(pins, 0);
    assert_int_equal(json_integer_value(json_object_get(pc, "keyReference")), 1);
    assert_string_equal(json_string_value(json_object_get(pc, "pinValue")), "31323334ffffffff");
    puks = json_object_get(element(pkg, "pukCodes", 0), "pukCodes");
    assert_string_equal(json_string_value(json_object_get(json_array_get(puks, 0), "pukValue")),
                        "3837363534333231");
    /* ISIM: EF.IMPI as an NAI TLV */
    isim = element(pkg, "isim", 0);
    assert_non_null(isim);
    {
        const char *impi = IMSI "@ims.mnc001.mcc001.3gppnetwork.org";
        char want[128] = "8031";

        assert_int_equal(strlen(impi), 0x31);
        sm_hex_encode((const uint8_t *)impi, strlen(impi), want + 4);
        assert_string_equal(content(json_object_get(isim, "ef-impi")), want);
    }
    /* 5G: SUCI files exist under the USIM */
    assert_non_null(element(pkg, "df-5gs", 0));
    json_decref(pkg);
    json_decref(params);
    sm_buf_clear_free(&der);
}

static void defaults_and_omitted_members(void **state)
{
    struct sm_buf der = {.secure = true}, der2 = {.secure = true};
    json_t *params = min_params(iccid_a), *pkg, *pkg2, *hdr, *aka;

    (void)state;
    /* defaults equal to the module's DEFAULT (or "none") leave the member out */
    pkg = build("usim-minimal", params, &der);
    hdr = element(pkg, "header", 0);
    assert_null(json_object_get(hdr, "pol"));
    assert_null(json_object_get(hdr, "connectivityParameters"));
    aka = element(pkg, "akaParameter", 0);
    assert_null(json_object_get(aka, "sqnOptions"));
    /* given values appear, and the template comes back intact for the next package */
    json_object_set_new(params, "pol1", json_string("02"));
    json_object_set_new(params, "sqnOptions", json_string("0a"));
    json_object_set_new(params, "connectivity", json_string("a0090607911000000000f0"));
    pkg2 = build("usim-minimal", params, &der2);
    hdr = element(pkg2, "header", 0);
    assert_string_equal(json_string_value(json_object_get(hdr, "pol")), "02");
    assert_string_equal(json_string_value(json_object_get(hdr, "connectivityParameters")),
                        "a0090607911000000000f0");
    assert_string_equal(
        json_string_value(json_object_get(element(pkg2, "akaParameter", 0), "sqnOptions")), "0a");
    assert_true(der2.len > der.len);
    json_decref(pkg);
    json_decref(pkg2);
    json_decref(params);
    sm_buf_clear_free(&der);
    sm_buf_clear_free(&der2);
}

static void template_is_reusable(void **state)
{
    struct sm_pp_template *t;
    struct sm_buf a1 = {.secure = true}, b = {.secure = true}, a2 = {.secure = true};
    json_t *pa = min_params(iccid_a), *pb = min_params(iccid_b);
    struct sm_pp_error e;
    uint8_t k[16];

    (void)state;
    t = shipped("usim-minimal");
    json_object_set_new(pb, "k", json_string("ffeeddccbbaa99887766554433221100"));
    json_object_del(pb, "msisdn");
    assert_int_equal(sm_pp_personalise(t, pa, &a1, &e), 0);
    assert_int_equal(sm_pp_personalise(t, pb, &b, &e), 0);
    assert_int_equal(sm_pp_personalise(t, pa, &a2, &e), 0);
    /* same parameters, same bytes; nothing of the first package left in the second */
    assert_int_equal(a1.len, a2.len);
    assert_memory_equal(a1.data, a2.data, a1.len);
    assert_int_equal(sm_hex_decode(K_HEX, k, 16), 16);
    assert_null(memmem(b.data, b.len, k, 16));
    assert_non_null(memmem(a1.data, a1.len, k, 16));
    sm_pp_template_free(t);
    json_decref(pa);
    json_decref(pb);
    sm_buf_clear_free(&a1);
    sm_buf_clear_free(&a2);
    sm_buf_clear_free(&b);
}

static void personalise_refuses_bad_parameters(void **state)
{
    static const struct {
        const char *name, *value, *why;
    } bad[] = {
        {"iccid", "89440000000000000011", "Luhn digit"},
        {"iccid", "8944000000000001", "too short"},
        {"iccid", "8944000000000000000x", "not digits"},
        {"imsi", "00101012345678901", "16 digits"},
        {"imsi", "00101a", "letters"},
        {"k", "000102030405060708090a0b0c0d0e", "15 bytes"},
        {"k", "000102030405060708090a0b0c0d0e0g", "not hex"},
        {"opc", "", "empty"},
        {"pin1", "123", "3 digits"},
        {"pin1", "12a4", "letters"},
        {"puk1", "1234567", "7 digits"},
        {"adm1", "1234", "4 digits"},
        {"msisdn", "+49abc", "letters"},
        {"spn", "0153", "2 of 17 bytes"},
        {"sqnDelta", "0000100000", "5 of 6 bytes"},
        {"amf", "80000", "5 digits"},
    };
    struct sm_pp_template *t = shipped("usim-minimal");
    struct sm_buf der = SM_BUF_INIT;
    struct sm_pp_error e;
    json_t *p;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = min_params(iccid_a);
        json_object_set_new(p, bad[i].name, json_string(bad[i].value));
        if (sm_pp_personalise(t, p, &der, &e) != -EINVAL || strcmp(e.path, bad[i].name)) {
            printf("%s=%s (%s) not refused: '%s' '%s'\n", bad[i].name, bad[i].value, bad[i].why,
                   e.path, e.msg);
            fail();
        }
        assert_true(e.msg[0] != 0);
        assert_int_equal(der.len, 0);
        json_decref(p);
    }
    /* required parameter missing */
    p = min_params(iccid_a);
    json_object_del(p, "opc");
    assert_int_equal(sm_pp_personalise(t, p, &der, &e), -EINVAL);
    assert_string_equal(e.path, "opc");
    assert_non_null(strstr(e.msg, "missing"));
    json_decref(p);
    /* undeclared name, non-string value, not an object */
    p = min_params(iccid_a);
    json_object_set_new(p, "ki", json_string(K_HEX));
    assert_int_equal(sm_pp_personalise(t, p, &der, &e), -EINVAL);
    assert_string_equal(e.path, "ki");
    json_decref(p);
    p = min_params(iccid_a);
    json_object_set_new(p, "pin1", json_integer(1234));
    assert_int_equal(sm_pp_personalise(t, p, &der, &e), -EINVAL);
    assert_string_equal(e.path, "pin1");
    json_decref(p);
    p = json_array();
    assert_int_equal(sm_pp_personalise(t, p, &der, &e), -EINVAL);
    json_decref(p);
    assert_int_equal(der.len, 0);
    sm_pp_template_free(t);
    sm_buf_free(&der);
}

static void template_load_errors(void **state)
{
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"{\"parameters\":{}}", "profileElements"},
        {"{\"parameters\":{\"x\":{\"type\":\"colour\"}},\"profileElements\":[]}", "unknown type"},
        {"{\"parameters\":{},\"profileElements\":[{\"end\":{\"x\":\"${y}\"}}]}", "no declared"},
        {"{\"parameters\":{\"i\":{\"type\":\"iccid\"}},\"profileElements\":[{\"h\":\"${i|adn}\"}]}",
         "encoding"},
        {"{\"parameters\":{\"k\":{\"type\":\"key\"}},\"profileElements\":[{\"h\":\"${k\"}]}",
         "unclosed"},
        {"{\"parameters\":[],\"profileElements\":[]}", "object"},
    };
    struct sm_pp_template *t = NULL;
    struct sm_pp_error e;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = json_loads(bad[i].json, 0, NULL);

        assert_non_null(j);
        assert_int_equal(sm_pp_template_load(j, &t, &e), -EINVAL);
        if (!strstr(e.msg, bad[i].msg)) {
            printf("template %zu: '%s' lacks '%s'\n", i, e.msg, bad[i].msg);
            fail();
        }
        json_decref(j);
    }
    assert_int_equal(sm_pp_template_shipped("no-such-template", &t, &e), -ENOENT);
}

/* ---- JSON form errors ---- */

static void json_form_errors(void **state)
{
    static const struct {
        const char *pe, *path;
    } bad[] = {
        {"{\"nosuch\": {}}", "profileElements[1]"},
        {"{\"end\": {\"end-header\": {\"identification\": \"x\"}}}", "identification"},
        {"{\"end\": {\"end-header\": {\"mandated\": null, \"identification\": -1}}}",
         "identification"},
        {"{\"header\": {\"major-version\": 2, \"minor-version\": 3, \"iccid\": \"8944f\","
         " \"eUICC-Mandatory-services\": {}, \"eUICC-Mandatory-GFSTEList\": []}}",
         "iccid"},
        {"{\"header\": {\"major-version\": 2, \"minor-version\": 3, \"iccid\": 12,"
         " \"eUICC-Mandatory-services\": {}, \"eUICC-Mandatory-GFSTEList\": []}}",
         "iccid"},
        {"{\"header\": {\"major-version\": 2, \"minor-version\": 3,"
         " \"eUICC-Mandatory-services\": {}, \"eUICC-Mandatory-GFSTEList\": []}}",
         "iccid"},
        {"{\"header\": {\"major-version\": 2, \"minor-version\": 3, \"iccid\": "
         "\"89440000000000000001\", \"colour\": 1,"
         " \"eUICC-Mandatory-services\": {}, \"eUICC-Mandatory-GFSTEList\": []}}",
         "colour"},
        {"{\"_raw\": \"a005\"}", "profileElements[1]"},
        {"{\"end\": {}, \"header\": {}}", "profileElements[1]"},
    };
    struct sm_buf der = SM_BUF_INIT;
    struct sm_pp_error e;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[1024];
        json_t *pkg;

        snprintf(text, sizeof(text),
                 "{\"profileElements\": [{\"end\": {\"end-header\": {\"identification\": 1}}}, "
                 "%s]}",
                 bad[i].pe);
        pkg = json_loads(text, 0, NULL);
        assert_non_null(pkg);
        if (sm_pp_json_to_der(pkg, &der, &e) != -EINVAL || !e.msg[0] ||
            (!strstr(e.path, bad[i].path) && !strstr(e.msg, bad[i].path))) {
            printf("case %zu not refused as expected: '%s' '%s'\n", i, e.path, e.msg);
            fail();
        }
        assert_int_equal(der.len, 0); /* nothing half-written */
        json_decref(pkg);
    }
    sm_buf_free(&der);
}

/* ---- malformed DER ---- */

static const uint8_t indefinite_in_choice[] = {
    0xa2, 0x22, 0xa0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x06, 0xa1, 0x80, 0xa0, 0x00,
    0x00, 0x2e, 0x63, 0x3a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c};

static void malformed_der(void **state)
{
    struct sm_buf der = {.secure = true}, back = SM_BUF_INIT;
    json_t *params = min_params(iccid_a), *pkg = build("usim-minimal", params, &der);
    static const uint8_t oversized[] = {0xa0, 0x84, 0xff, 0xff, 0xff, 0xf0, 0x80, 0x01, 0x02};
    static const uint8_t garbage[] = {0xff, 0xff, 0xff};
    static const uint8_t unknown_pe[] = {0xbf, 0x63, 0x05, 0x80, 0x03, 0x01, 0x02, 0x03};
    static const uint8_t bad_inner[] = {0xa0, 0x04, 0x80, 0x05, 0x02, 0x03};
    struct sm_pp_stats st;
    struct sm_pp_error e;
    size_t boundaries = 0, refused = 0, pos = 0;
    json_t *j = NULL, *pe;
    uint8_t *deep;

    (void)state;
    json_decref(pkg);
    /* every truncation: refused with an offset, or (at an element boundary) fewer elements */
    for (size_t cut = 0; cut < der.len; cut++) {
        int rc = sm_pp_der_to_json(der.data, cut, &j, &e);

        if (rc == 0) {
            boundaries++;
            json_decref(j);
            j = NULL;
            assert_int_equal(sm_pp_validate(der.data, cut, &st, &e), 0);
        } else {
            assert_int_equal(rc, -EBADMSG);
            assert_non_null(strstr(e.msg, "not a sequence of TLVs"));
            assert_true(e.offset <= cut);
            assert_int_equal(sm_pp_validate(der.data, cut, &st, &e), -EBADMSG);
            refused++;
        }
    }
    /* elements: the boundaries are 0 and the end of each but the last */
    while (pos < der.len) {
        struct sm_tlv t;
        struct sm_decode_err de;

        assert_int_equal(sm_tlv_next(der.data, der.len, &pos, &t, &de), 0);
        if (pos < der.len)
            boundaries--;
    }
    assert_int_equal(boundaries, 1);
    assert_true(refused > der.len / 2);
    assert_int_equal(sm_pp_der_to_json(oversized, sizeof(oversized), &j, &e), -EBADMSG);
    assert_int_equal(sm_pp_der_to_json(garbage, sizeof(garbage), &j, &e), -EBADMSG);
    /* an alternative the module does not know travels raw and comes back unchanged */
    assert_int_equal(sm_pp_der_to_json(unknown_pe, sizeof(unknown_pe), &j, &e), 0);
    pe = json_array_get(json_object_get(j, "profileElements"), 0);
    assert_string_equal(json_string_value(json_object_get(pe, "_raw")), "bf63058003010203");
    assert_int_equal(sm_pp_json_to_der(j, &back, &e), 0);
    assert_memory_equal(back.data, unknown_pe, sizeof(unknown_pe));
    json_decref(j);
    assert_int_equal(sm_pp_validate(unknown_pe, sizeof(unknown_pe), &st, &e), 0);
    assert_int_equal(st.unknown, 1);
    /* a header whose inside is broken: kept raw with a note, refused by validation */
    assert_int_equal(sm_pp_der_to_json(bad_inner, sizeof(bad_inner), &j, &e), 0);
    pe = json_array_get(json_object_get(j, "profileElements"), 0);
    assert_non_null(json_object_get(pe, "_raw"));
    assert_non_null(json_object_get(pe, "_note"));
    json_decref(j);
    assert_int_equal(sm_pp_validate(bad_inner, sizeof(bad_inner), &st, &e), -EINVAL);
    assert_int_equal(st.invalid, 1);
    assert_string_equal(e.path, "profileElements[0]");
    /* hostile nesting inside a known element: no crash, no recursion without end */
    deep = malloc(2 + 2 * 20000);
    assert_non_null(deep);
    deep[0] = 0xa0;
    deep[1] = 0x80;
    for (size_t i = 0; i < 20000; i++) {
        deep[2 + 2 * i] = 0xa0;
        deep[3 + 2 * i] = 0x80;
    }
    assert_int_not_equal(sm_pp_der_to_json(deep, 2 + 2 * 20000, &j, &e), 0);
    assert_int_not_equal(sm_pp_validate(deep, 2 + 2 * 20000, &st, &e), 0);
    free(deep);
    /* found by fuzz/profile: an indefinite length inside a CHOICE made asn1c's BER decoder loop
     * for ever; validation refuses anything that is not DER before decoding */
    assert_int_equal(sm_pp_validate(indefinite_in_choice, 36, &st, &e), -EINVAL);
    assert_non_null(strstr(e.msg, "not DER"));
    assert_int_equal(sm_pp_validate(indefinite_in_choice, sizeof(indefinite_in_choice), &st, &e),
                     -EBADMSG); /* as the fuzzer found it: 00 00 2c after the element */
    json_decref(params);
    sm_buf_free(&back);
    sm_buf_clear_free(&der);
}

/* ---- checks ---- */

typedef void (*mutation)(json_t *pkg);

static json_t *pes_of(json_t *pkg)
{
    return json_object_get(pkg, "profileElements");
}

static void m_header_not_first(json_t *pkg)
{
    json_t *h = json_incref(json_array_get(pes_of(pkg), 0));

    json_array_remove(pes_of(pkg), 0);
    json_array_insert_new(pes_of(pkg), 1, h);
}

static void m_no_end(json_t *pkg)
{
    json_array_remove(pes_of(pkg), json_array_size(pes_of(pkg)) - 1);
}

static void m_dup_identification(json_t *pkg)
{
    json_t *a = json_object_get(element(pkg, "mf", 0), "mf-header");
    json_t *b = json_object_get(element(pkg, "usim", 0), "usim-header");

    json_object_set(b, "identification", json_object_get(a, "identification"));
}

/* Replace the content of a file of an element. */
static void set_content(json_t *pkg, const char *alt, const char *file, const char *hex)
{
    json_t *f = json_object_get(element(pkg, alt, 0), file), *item;
    size_t i;

    json_array_foreach(f, i, item) {
        if (json_object_get(item, "fillFileContent"))
            json_object_set_new(item, "fillFileContent", json_string(hex));
    }
}

static void m_iccid_mismatch(json_t *pkg)
{
    uint8_t b[10];

    sm_iccid_to_ef(iccid_b, b);
    set_content(pkg, "mf", "ef-iccid", hexs(b, 10));
}

static void m_bad_header_iccid(json_t *pkg)
{
    json_object_set_new(element(pkg, "header", 0), "iccid", json_string("89440000000000000011"));
}

static void m_bad_imsi(json_t *pkg)
{
    set_content(pkg, "usim", "ef-imsi", "0f09101000002143a5"); /* length 15 */
}

static void m_content_too_long(json_t *pkg)
{
    set_content(pkg, "usim", "ef-imsi", "08091010000021436500112233"); /* 13 of 9 bytes */
}

static void m_no_usim_service(json_t *pkg)
{
    json_object_del(json_object_get(element(pkg, "header", 0), "eUICC-Mandatory-services"), "usim");
}

static void m_short_key(json_t *pkg)
{
    json_t *ap = json_object_get(
        json_object_get(element(pkg, "akaParameter", 0), "algoConfiguration"), "algoParameter");

    json_object_set_new(ap, "opc", json_string("00112233"));
}

static void m_no_aka(json_t *pkg)
{
    json_t *pe;
    size_t i;

    json_array_foreach(pes_of(pkg), i, pe)
        if (json_object_get(pe, "akaParameter")) {
            json_array_remove(pes_of(pkg), i);
            break;
        }
}

static void m_undefined_puk(json_t *pkg)
{
    json_t *pins =
        json_object_get(json_object_get(element(pkg, "pinCodes", 0), "pinCodes"), "pinconfig");

    json_object_set_new(json_array_get(pins, 0), "unblockingPINReference", json_integer(0x8f));
}

static void checks_find_each_problem(void **state)
{
    static const struct {
        mutation m;
        const char *path, *msg;
    } cases[] = {
        {m_header_not_first, "profileElements[0]", "first element must be the header"},
        {m_no_end, "profileElements[", "last element must be end"},
        {m_dup_identification, ".usim", "identification"},
        {m_iccid_mismatch, ".mf", "the header"},
        {m_bad_header_iccid, ".header", "not a valid ICCID"},
        {m_bad_imsi, ".usim", "EF.IMSI"},
        {m_content_too_long, "ef-imsi", "content reaches byte"},
        {m_no_usim_service, "eUICC-Mandatory-services", "usim service is not declared"},
        {m_short_key, ".akaParameter", "16-byte OPc"},
        {m_no_aka, "profileElements", "no akaParameter"},
        {m_undefined_puk, ".pinCodes", "PUK"},
    };
    struct sm_buf der = {.secure = true};
    json_t *params = min_params(iccid_a), *base = build("usim-minimal", params, &der);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *pkg = json_deep_copy(base);
        struct sm_pp_report rep;
        bool found = false;
        int n;

        cases[i].m(pkg);
        n = sm_pp_check(pkg, &rep);
        for (size_t j = 0; j < rep.n; j++)
            found |= strstr(rep.problems[j].path, cases[i].path) &&
                     strstr(rep.problems[j].msg, cases[i].msg);
        if (n <= 0 || !found) {
            printf("case %zu: expected '%s' at '%s'; got %d:\n", i, cases[i].msg, cases[i].path, n);
            for (size_t j = 0; j < rep.n; j++)
                printf("  %s: %s\n", rep.problems[j].path, rep.problems[j].msg);
            fail();
        }
        sm_pp_report_free(&rep);
        json_decref(pkg);
    }
    json_decref(base);
    json_decref(params);
    sm_buf_clear_free(&der);
}

/* ---- batches ---- */

static char tmpdir[64];

static int tmp_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sm-test-profile-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmp_teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static size_t progress_calls, progress_last_done, progress_last_total;

static void progress(void *arg, size_t done, size_t total)
{
    (void)arg;
    progress_calls++;
    progress_last_done = done;
    progress_last_total = total;
}

static void batch_csv(void **state)
{
    struct sm_pp_template *t = shipped("usim-minimal");
    struct sm_pp_batch_result r;
    struct sm_pp_batch_opts o = {.rng = &sm_rng_system, .progress = progress};
    char in[128], out[128], hss[128], path[256], csv[2048], expect[1024];
    struct stat sb;
    size_t len = 0;
    char *text;
    uint8_t *der;
    json_t *pkg;
    struct sm_pp_error e;

    (void)state;
    snprintf(in, sizeof(in), "%s/subs.csv", tmpdir);
    snprintf(out, sizeof(out), "%s/out", tmpdir);
    snprintf(hss, sizeof(hss), "%s/hss.csv", tmpdir);
    assert_int_equal(mkdir(out, 0700), 0);
    snprintf(csv, sizeof(csv),
             "iccid,imsi,k,opc,adm1,msisdn\n"
             "%s,001010000000001," K_HEX "," OPC_HEX ",12345678,+491700000001\n"
             "89440000000000000011,001010000000002," K_HEX "," OPC_HEX ",12345678,\n"
             "%s,001010000000003," K_HEX "," OPC_HEX ",12345678\n"
             "\n"
             "%s,001010000000004," K_HEX "," OPC_HEX ",12345678,\n"
             "%s,001010000000005," K_HEX "," OPC_HEX ",12345678,\n"
             "%s,001010000000006,ffeeddccbbaa99887766554433221100," OPC_HEX ",87654321,\r\n",
             iccid_a, iccid_b, iccid_b, iccid_a, iccid_c);
    write_all(in, csv);
    /* an existing HSS file with a wide mode must end up owner-only */
    write_all(hss, "old\n");
    chmod(hss, 0644);
    o.input = in;
    o.outdir = out;
    o.hss_path = hss;
    assert_int_equal(sm_pp_batch(t, &o, &r), 0);
    /* bad Luhn, a short line and a repeated ICCID fail; the others are written */
    assert_int_equal(r.done, 3);
    assert_int_equal(r.failed, 3);
    assert_non_null(strstr(r.first_error, "line 3"));
    assert_non_null(strstr(r.first_error, "iccid"));
    assert_true(progress_calls > 0);
    assert_int_equal(progress_last_done, progress_last_total);
    assert_int_equal(stat(hss, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    text = (char *)sm_test_read_file(hss, &len);
    assert_non_null(text);
    text[len] = 0;
    snprintf(expect, sizeof(expect),
             "iccid,imsi,k,opc,amf,sqn\n"
             "%s,001010000000001," K_HEX "," OPC_HEX ",8000,000000000000\n"
             "%s,001010000000004," K_HEX "," OPC_HEX ",8000,000000000000\n"
             "%s,001010000000006,ffeeddccbbaa99887766554433221100," OPC_HEX ",8000,000000000000\n",
             iccid_a, iccid_b, iccid_c);
    assert_string_equal(text, expect);
    free(text);
    /* each package: owner-only, decodes, carries its line's IMSI */
    snprintf(path, sizeof(path), "%s/%s.der", out, iccid_b);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    der = sm_test_read_file(path, &len);
    assert_non_null(der);
    assert_int_equal(sm_pp_der_to_json(der, len, &pkg, &e), 0);
    assert_string_equal(content(json_object_get(element(pkg, "usim", 0), "ef-imsi")),
                        "080910100000000040");
    json_decref(pkg);
    free(der);
    snprintf(path, sizeof(path), "%s/%s.der.tmp", out, iccid_a);
    assert_int_equal(access(path, F_OK), -1);
    /* a second run over the same directory replaces nothing */
    assert_int_equal(sm_pp_batch(t, &o, &r), 0);
    assert_int_equal(r.done, 0);
    assert_int_equal(r.failed, 6);
    sm_pp_template_free(t);
}

static void batch_jsonl_generated_keys(void **state)
{
    static const uint8_t op[16] = {0xcd, 0xc2, 0x02, 0xd5, 0x12, 0x3e, 0x20, 0xf6,
                                   0x2b, 0x6d, 0x67, 0x6a, 0xc7, 0x2c, 0xb3, 0x18};
    uint8_t pool[64], opc[16];
    struct sm_rng_replay replay = {.data = pool, .len = sizeof(pool)};
    struct sm_rng rng = {.fill = sm_rng_replay_fill, .ctx = &replay};
    struct sm_pp_template *t = shipped("usim-minimal");
    struct sm_pp_batch_opts o = {.rng = &rng, .generate_keys = true, .op = op};
    struct sm_pp_batch_result r;
    char in[128], out[128], hss[128], lines[1024], want[256];
    size_t len = 0;
    char *text;

    (void)state;
    for (size_t i = 0; i < sizeof(pool); i++)
        pool[i] = (uint8_t)(0x40 + i);
    snprintf(in, sizeof(in), "%s/subs.jsonl", tmpdir);
    snprintf(out, sizeof(out), "%s/out2", tmpdir);
    snprintf(hss, sizeof(hss), "%s/hss2.csv", tmpdir);
    assert_int_equal(mkdir(out, 0700), 0);
    snprintf(lines, sizeof(lines),
             "{\"iccid\": \"%s\", \"imsi\": \"001010000000011\", \"adm1\": \"12345678\"}\n"
             "{\"iccid\": \"%s\", \"imsi\": \"001010000000012\", \"adm1\": \"12345678\","
             " \"amf\": \"b9b9\"}\n"
             "{\"iccid\": \"%s\", \"imsi\": 1}\n"
             "not json\n",
             iccid_a, iccid_b, iccid_c);
    write_all(in, lines);
    o.input = in;
    o.outdir = out;
    o.hss_path = hss;
    assert_int_equal(sm_pp_batch(t, &o, &r), 0);
    assert_int_equal(r.done, 2);
    assert_int_equal(r.failed, 2);
    text = (char *)sm_test_read_file(hss, &len);
    assert_non_null(text);
    text[len] = 0;
    /* K from the generator, OPc = f(K, OP) (TS 35.206) */
    assert_int_equal(sm_milenage_opc(pool, op, opc), 0);
    snprintf(want, sizeof(want), "%s,001010000000011,%s,%s,8000,000000000000\n", iccid_a,
             hexs(pool, 16), hexs(opc, 16));
    assert_non_null(strstr(text, want));
    assert_int_equal(sm_milenage_opc(pool + 16, op, opc), 0);
    snprintf(want, sizeof(want), "%s,001010000000012,%s,%s,b9b9,000000000000\n", iccid_b,
             hexs(pool + 16, 16), hexs(opc, 16));
    assert_non_null(strstr(text, want));
    free(text);
    sm_pp_template_free(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ts48_round_trip),
    cmocka_unit_test(shipped_templates_build_and_check),
    cmocka_unit_test(personalised_values_in_place),
    cmocka_unit_test(defaults_and_omitted_members),
    cmocka_unit_test(template_is_reusable),
    cmocka_unit_test(personalise_refuses_bad_parameters),
    cmocka_unit_test(template_load_errors),
    cmocka_unit_test(json_form_errors),
    cmocka_unit_test(malformed_der),
    cmocka_unit_test(checks_find_each_problem),
    cmocka_unit_test_setup_teardown(batch_csv, tmp_setup, tmp_teardown),
    cmocka_unit_test_setup_teardown(batch_jsonl_generated_keys, tmp_setup, tmp_teardown),
};

SM_TEST_MAIN(tests, setup, NULL)
