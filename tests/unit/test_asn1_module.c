/* SPDX-License-Identifier: Apache-2.0 */
/* The project's profile package module (asn1/saip.asn, library smasn1): tag layout on small
 * hand-made elements, then the GSMA TS.48 test profiles element by element: BER decode,
 * asn_check_constraints(), DER re-encode and byte comparison.
 * The TS.48 profiles are read at run time from $SM_TS48_PROFILES or ../shared/reference/profiles
 * next to the source tree; without them that test is reported as skipped. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "../sm_test_files.h"

#include <EUICCResponse.h>
#include <FileManagement.h>
#include <PEStatus.h>
#include <PINConfiguration.h>
#include <PUKConfiguration.h>
#include <ProfileElement.h>
#include <ber_tlv_length.h>
#include <ber_tlv_tag.h>

struct out {
    uint8_t *p;
    size_t len, cap;
};

static int out_add(const void *data, size_t size, void *key)
{
    struct out *o = key;

    if (o->len + size > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        uint8_t *p;

        while (cap < o->len + size)
            cap *= 2;
        p = realloc(o->p, cap);
        if (!p)
            return -1;
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, data, size);
    o->len += size;
    return 0;
}

/* DER of a decoded value into a malloc'd buffer (caller frees o->p); 0 or -1. */
static int der_to_out(asn_TYPE_descriptor_t *td, void *v, struct out *o)
{
    asn_enc_rval_t er;

    memset(o, 0, sizeof(*o));
    er = der_encode(td, v, out_add, o);
    return er.encoded < 0 ? -1 : 0;
}

static ProfileElement_t *decode_pe(const uint8_t *der, size_t len)
{
    ProfileElement_t *pe = NULL;
    asn_dec_rval_t rv = ber_decode(NULL, &asn_DEF_ProfileElement, (void **)&pe, der, len);

    if (rv.code != RC_OK || rv.consumed != len) {
        ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
        return NULL;
    }
    return pe;
}

/* Decode, check constraints and re-encode; the result must equal the input. */
static void assert_round_trip(const uint8_t *der, size_t len, ProfileElement_PR want)
{
    ProfileElement_t *pe = decode_pe(der, len);
    char err[256];
    size_t errlen = sizeof(err);
    struct out o;

    assert_non_null(pe);
    assert_int_equal(pe->present, want);
    assert_int_equal(asn_check_constraints(&asn_DEF_ProfileElement, pe, err, &errlen), 0);
    assert_int_equal(der_to_out(&asn_DEF_ProfileElement, pe, &o), 0);
    assert_int_equal(o.len, len);
    assert_memory_equal(o.p, der, len);
    free(o.p);
    ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
}

static void end_element_tags(void **state)
{
    static const uint8_t der[] = {0xAA, 0x07, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x1F};

    assert_round_trip(der, sizeof(der), ProfileElement_PR_end);
}

/* pinCodes [1] is a CHOICE, so its tag is explicit: A1 { 81 filePath }. */
static void choice_component_is_explicit(void **state)
{
    static const uint8_t der[] = {0xA2, 0x0D, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01,
                                  0x09, 0xA1, 0x04, 0x81, 0x02, 0x7F, 0x10};
    ProfileElement_t *pe = decode_pe(der, sizeof(der));

    assert_non_null(pe);
    assert_int_equal(pe->present, ProfileElement_PR_pinCodes);
    assert_int_equal(pe->choice.pinCodes.pinCodes.present, PE_PINCodes__pinCodes_PR_filePath);
    assert_int_equal(pe->choice.pinCodes.pinCodes.choice.filePath.size, 2);
    ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
    assert_round_trip(der, sizeof(der), ProfileElement_PR_pinCodes);
}

/* In FileManagement the TCA module tags everything but fillFileOffset: UNIVERSAL INTEGER 02. */
static void gfm_offset_is_universal_integer(void **state)
{
    static const uint8_t der[] = {0xA1, 0x15, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01,
                                  0x02, 0xA1, 0x0C, 0x30, 0x0A, 0x80, 0x02, 0x7F,
                                  0x10, 0x02, 0x01, 0x05, 0x81, 0x01, 0xAA};
    ProfileElement_t *pe = decode_pe(der, sizeof(der));
    FileManagement_t *fm;

    assert_non_null(pe);
    assert_int_equal(pe->present, ProfileElement_PR_genericFileManagement);
    fm = pe->choice.genericFileManagement.fileManagementCMD.list.array[0];
    assert_int_equal(fm->list.count, 3);
    assert_int_equal(fm->list.array[1]->present, FileManagement__Member_PR_fillFileOffset);
    assert_int_equal(fm->list.array[1]->choice.fillFileOffset, 5);
    ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
    assert_round_trip(der, sizeof(der), ProfileElement_PR_genericFileManagement);
}

/* An absent DEFAULT member decodes as NULL; DER writes a present one even when it equals the
 * default, so the encoder side must clear it first. */
static void default_members(void **state)
{
    static const uint8_t der[] = {0x30, 0x10, 0x80, 0x01, 0x01, 0x81, 0x08, '1',  '2',
                                  '3',  '4',  0xFF, 0xFF, 0xFF, 0xFF, 0x83, 0x01, 0x07};
    PINConfiguration_t *pc = NULL;
    asn_dec_rval_t rv = ber_decode(NULL, &asn_DEF_PINConfiguration, (void **)&pc, der, sizeof(der));
    struct out o;

    assert_int_equal(rv.code, RC_OK);
    assert_int_equal(pc->keyReference, PINKeyReferenceValue_pinAppl1);
    assert_non_null(pc->pinAttributes);
    assert_int_equal(*pc->pinAttributes, 7);
    assert_null(pc->maxNumOfAttemps_retryNumLeft);
    assert_int_equal(der_to_out(&asn_DEF_PINConfiguration, pc, &o), 0);
    assert_int_equal(o.len, sizeof(der)); /* the explicit default stays */
    free(o.p);
    ASN_STRUCT_FREE(asn_DEF_PINConfiguration, pc);
}

/* Ranges of alias types (UInt8 ...) still hold after a decode has touched the type: the
 * build patches asn1c 0.9.28, which otherwise swaps in the unconstrained INTEGER checker.
 * The PUK counter as one byte AA (-86) is how the 2016 SIMalliance sample codes it. */
static void constraints_enforced_after_decode(void **state)
{
    static const uint8_t der[] = {0xA3, 0x1B, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x02, 0xA1,
                                  0x12, 0x30, 0x10, 0x80, 0x01, 0x01, 0x81, 0x08, '9',  '9',
                                  '9',  '9',  '9',  '9',  '9',  '9',  0x82, 0x01, 0xAA};

    for (int round = 0; round < 2; round++) {
        ProfileElement_t *pe = decode_pe(der, sizeof(der));
        char err[256];
        size_t errlen = sizeof(err);

        assert_non_null(pe);
        assert_int_equal(*pe->choice.pukCodes.pukCodes.list.array[0]->maxNumOfAttemps_retryNumLeft,
                         -86);
        assert_int_not_equal(asn_check_constraints(&asn_DEF_ProfileElement, pe, err, &errlen), 0);
        assert_non_null(strstr(err, "UInt8"));
        ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
    }
}

static void euicc_response(void **state)
{
    /* peStatus { {status 3, identification 4} }, profileInstallationAborted */
    static const uint8_t der[] = {0x30, 0x0C, 0xA0, 0x08, 0x30, 0x06, 0x80,
                                  0x01, 0x03, 0x81, 0x01, 0x04, 0x81, 0x00};
    EUICCResponse_t *r = NULL;
    asn_dec_rval_t rv = ber_decode(NULL, &asn_DEF_EUICCResponse, (void **)&r, der, sizeof(der));
    struct out o;

    assert_int_equal(rv.code, RC_OK);
    assert_int_equal(r->peStatus.list.count, 1);
    assert_int_equal(r->peStatus.list.array[0]->status, PEStatus__status_bad_values);
    assert_non_null(r->profileInstallationAborted);
    assert_int_equal(der_to_out(&asn_DEF_EUICCResponse, r, &o), 0);
    assert_int_equal(o.len, sizeof(der));
    assert_memory_equal(o.p, der, sizeof(der));
    free(o.p);
    ASN_STRUCT_FREE(asn_DEF_EUICCResponse, r);
}

/* ---- TS.48 profiles ---- */

struct tally {
    int pes, decoded, unknown, identical, differ, failed;
};

/* Is this outer tag one of the ProfileElement alternatives the module describes? */
static int pe_tag_described(ber_tlv_tag_t tag)
{
    for (int i = 0; i < asn_DEF_ProfileElement.elements_count; i++)
        if (asn_DEF_ProfileElement.elements[i].tag == tag)
            return 1;
    return 0;
}

static const char *pe_name(const ProfileElement_t *pe)
{
    return asn_DEF_ProfileElement.elements[pe->present - 1].name;
}

static void check_one_pe(const char *file, int idx, const uint8_t *der, size_t len,
                         ber_tlv_tag_t tag, struct tally *t)
{
    ProfileElement_t *pe = decode_pe(der, len);
    char err[256], tagtxt[32];
    size_t errlen = sizeof(err);
    struct out o;

    ber_tlv_tag_snprint(tag, tagtxt, sizeof(tagtxt));
    t->pes++;
    if (!pe) {
        printf("  %s PE #%d %s: decode failed\n", file, idx, tagtxt);
        t->failed++;
        return;
    }
    if (pe->present == ProfileElement_PR_NOTHING) {
        t->unknown++;
        if (pe_tag_described(tag)) {
            printf("  %s PE #%d %s: described alternative decoded as nothing\n", file, idx, tagtxt);
            t->failed++;
        }
        ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
        return;
    }
    t->decoded++;
    if (asn_check_constraints(&asn_DEF_ProfileElement, pe, err, &errlen)) {
        printf("  %s PE #%d %s: constraints: %s\n", file, idx, pe_name(pe), err);
        t->failed++;
    }
    if (der_to_out(&asn_DEF_ProfileElement, pe, &o)) {
        printf("  %s PE #%d %s: DER encode failed\n", file, idx, pe_name(pe));
        t->failed++;
    } else if (o.len == len && !memcmp(o.p, der, len)) {
        t->identical++;
    } else {
        size_t at = 0;

        while (at < len && at < o.len && o.p[at] == der[at])
            at++;
        printf("  %s PE #%d %s: re-encoding differs at byte %zu (%zu vs %zu bytes)\n", file, idx,
               pe_name(pe), at, o.len, len);
        t->differ++;
    }
    free(o.p);
    ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
}

/* Split a package into its top-level TLVs, one ProfileElement each; -1 on a broken TLV. */
static int check_package(const char *file, const uint8_t *buf, size_t size, struct tally *t)
{
    size_t off = 0;
    int idx = 0;

    while (off < size) {
        ber_tlv_tag_t tag;
        ber_tlv_len_t vlen;
        ssize_t tl = ber_fetch_tag(buf + off, size - off, &tag);
        ssize_t ll;

        if (tl <= 0)
            return -1;
        ll = ber_fetch_length(1, buf + off + tl, size - off - tl, &vlen);
        if (ll <= 0 || vlen < 0 || (size_t)vlen > size - off - tl - ll)
            return -1;
        check_one_pe(file, idx++, buf + off, (size_t)(tl + ll + vlen), tag, t);
        off += (size_t)(tl + ll + vlen);
    }
    return 0;
}

static void ts48_profiles(void **state)
{
    struct dirent **names;
    struct tally sum = {0};
    const char *dir;
    int n = sm_test_ts48(&dir, &names);

    (void)state;
    if (n <= 0)
        SM_SKIP();
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct tally t = {0};
        uint8_t *buf;
        size_t size = 0;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        buf = sm_test_read_file(path, &size);
        if (!buf || check_package(names[i]->d_name, buf, size, &t)) {
            printf("  %s: not a sequence of TLVs\n", names[i]->d_name);
            sum.failed++;
        }
        printf("%s: %d PEs, %d decoded, %d unknown alternative, %d re-encoded identically, "
               "%d differ, %d failed\n",
               names[i]->d_name, t.pes, t.decoded, t.unknown, t.identical, t.differ, t.failed);
        sum.pes += t.pes;
        sum.decoded += t.decoded;
        sum.differ += t.differ;
        sum.failed += t.failed;
        free(buf);
        free(names[i]);
    }
    free(names);
    assert_true(sum.pes > 0);
    assert_int_equal(sum.failed, 0);
    assert_int_equal(sum.differ, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(end_element_tags),
    cmocka_unit_test(choice_component_is_explicit),
    cmocka_unit_test(gfm_offset_is_universal_integer),
    cmocka_unit_test(default_members),
    cmocka_unit_test(constraints_enforced_after_decode),
    cmocka_unit_test(euicc_response),
    cmocka_unit_test(ts48_profiles),
};

SM_TEST_MAIN(tests, NULL, NULL)
