/* SPDX-License-Identifier: Apache-2.0 */
#ifndef EUICC_TEST_CARD_H
#define EUICC_TEST_CARD_H

/*
 * A test PKI (CI, EUM, SM-DP and SM-SR keys, GP certificates) and a card made with it, for the
 * euicc-sim card tests. Keys come from the system generator: every run uses fresh ones.
 */
#include <string.h>

#include "card_create.h"
#include "isdr.h"
#include "sm/apdu.h"
#include "sm/ecka.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/secret.h"

struct test_pki {
    uint8_t ci_sk[32], ci_pk[65], eum_sk[32], eum_pk[65];
    uint8_t dp_sk[32], dp_pk[65], sr_sk[32], sr_pk[65];
    struct sm_buf dp_cert, sr_cert, rogue_dp_cert; /* rogue: signed by the EUM, not the CI */
};

static inline void test_keypair(uint8_t sk[32], uint8_t pk[65])
{
    struct sm_secret *s = NULL;
    size_t publen = 65;

    assert_int_equal(sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &s, pk, &publen), 0);
    memcpy(sk, s->data, 32);
    sm_secret_free(s);
}

/* A GP certificate of type (SM-DP 01 / SM-SR 02) for pk, signed by issuer_sk. */
static inline void test_cert(uint8_t type, const uint8_t pk[65], const uint8_t issuer_sk[32],
                             struct sm_buf *out)
{
    struct sm_gpcert c;

    memset(&c, 0, sizeof(c));
    c.serial[0] = type;
    c.serial_len = 1;
    c.ca_id[0] = 0x02;
    c.ca_id_len = 1;
    c.subject_id[0] = type;
    c.subject_id_len = 1;
    c.key_usage[0] = 0x88;
    c.key_usage_len = 1;
    c.expiration = 21450101;
    c.has_type = true;
    c.type = type;
    c.has_param_ref = true;
    c.curve = SM_CURVE_P256;
    memcpy(c.pub, pk, 65);
    c.pub_len = 65;
    assert_int_equal(sm_gpcert_encode_sign(&c, SM_CURVE_P256, issuer_sk, 32, out), 0);
}

static inline void test_pki_init(struct test_pki *p)
{
    memset(p, 0, sizeof(*p));
    test_keypair(p->ci_sk, p->ci_pk);
    test_keypair(p->eum_sk, p->eum_pk);
    test_keypair(p->dp_sk, p->dp_pk);
    test_keypair(p->sr_sk, p->sr_pk);
    test_cert(SM_GPCERT_TYPE_SMDP, p->dp_pk, p->ci_sk, &p->dp_cert);
    test_cert(SM_GPCERT_TYPE_SMSR, p->sr_pk, p->ci_sk, &p->sr_cert);
    test_cert(SM_GPCERT_TYPE_SMDP, p->dp_pk, p->eum_sk, &p->rogue_dp_cert);
}

static inline void test_pki_free(struct test_pki *p)
{
    sm_buf_free(&p->dp_cert);
    sm_buf_free(&p->sr_cert);
    sm_buf_free(&p->rogue_dp_cert);
    sm_wipe(p, sizeof(*p));
}

/* A card with the usim-minimal provisioning profile, enabled and fall-back. */
static inline void test_card(struct sim_card *c, const struct test_pki *p, const char *eid30)
{
    struct sm_pp_template *t;
    struct sm_pp_error e;
    struct sim_factory f = {.curve = SM_CURVE_P256,
                            .eum_sk = p->eum_sk,
                            .eum_sk_len = 32,
                            .ci_pk = p->ci_pk,
                            .ci_pk_len = 65,
                            .eum_id = {0x45},
                            .eum_id_len = 1,
                            .mem_total = 256 * 1024,
                            .rng = &sm_rng_system};
    struct sim_card_order o = {.msisdn = "+491700000001",
                               .iccid = "8999900000000000006",
                               .imsi = "001010000000001",
                               .imei = "356938035643809"};
    char eid[SM_EID_DIGITS + 1], why[200] = "";
    uint8_t k[16], opc[16];
    json_t *params = json_pack("{s:s}", "adm1", "12345678");
    int rc;

    assert_int_equal(sm_eid_complete(eid30, eid), 0);
    o.eid = eid;
    assert_int_equal(sm_pp_template_shipped("usim-minimal", &t, &e), 0);
    f.prov = t;
    f.prov_params = params;
    rc = sim_card_create(c, &f, &o, k, opc, why, sizeof(why));
    if (rc)
        printf("card: %s\n", why);
    assert_int_equal(rc, 0);
    sm_pp_template_free(t);
    json_decref(params);
}

/* Send a C-APDU (hex) to the ISD-R; returns the SW, the data in rsp (reset first). */
static inline uint16_t test_apdu(struct sim_ctx *x, const char *hex, struct sm_buf *rsp)
{
    uint8_t raw[600];
    long n = sm_hex_decode(hex, raw, sizeof(raw));
    struct sm_decode_err de;
    struct sm_capdu a;
    uint16_t sw = 0;

    assert_true(n > 0);
    assert_int_equal(sm_capdu_decode(raw, (size_t)n, &a, &de), 0);
    sm_buf_reset(rsp);
    assert_int_equal(sim_isdr_apdu(x, &a, rsp, &sw), 0);
    return sw;
}

/* The same with a binary data field after a hex header (CLA INS P1 P2). */
static inline uint16_t test_apdu_data(struct sim_ctx *x, const char *hdr, const uint8_t *data,
                                      size_t len, struct sm_buf *rsp)
{
    struct sm_capdu a = {0};
    uint8_t h[4];
    uint16_t sw = 0;

    assert_int_equal(sm_hex_decode(hdr, h, 4), 4);
    a.cla = h[0];
    a.ins = h[1];
    a.p1 = h[2];
    a.p2 = h[3];
    a.data = data;
    a.lc = len;
    sm_buf_reset(rsp);
    assert_int_equal(sim_isdr_apdu(x, &a, rsp, &sw), 0);
    return sw;
}

#endif
