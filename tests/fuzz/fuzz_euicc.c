/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the simulated card on peer input. The first byte chooses:
 *   0: a profile package for the installer (ES8 plaintext, as an SM-DP sends it)
 *   1: C-APDUs for the ISD-R (each prefixed by its length byte), on a fresh card each time
 *   2: an SMS-DELIVER TPDU for the card (SMS-PP with SCP80)
 * Properties: no crash, no leak; an installation ends with a status; the card state still
 * serialises and deserialises afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_create.h"
#include "install.h"
#include "isdr.h"
#include "ota.h"
#include "sm/apdu.h"
#include "sm/ecka.h"

static struct sm_buf pristine = {.secure = true};
static struct sim_policy pol;

/* A deterministic card made once: keys from a fixed generator. */
static int fixed_fill(void *ctx, uint8_t *out, size_t len)
{
    uint8_t *v = ctx;

    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(++*v * 37 + 11);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static uint8_t state;
    struct sm_rng rng = {.fill = fixed_fill, .ctx = &state};
    struct sm_secret *ci = NULL, *eum = NULL;
    uint8_t ci_pk[65], eum_pk[65], k[16], opc[16];
    size_t l1 = 65, l2 = 65;
    struct sm_pp_template *t;
    struct sm_pp_error e;
    struct sim_card c;
    char why[200] = "";
    json_t *params = json_pack("{s:s}", "adm1", "12345678");
    struct sim_card_order o = {.eid = "89049032000000000000000000000163",
                               .msisdn = "+4479100000001",
                               .iccid = "8999901000000000013",
                               .imsi = "001010000000001"};
    struct sim_factory f = {.curve = SM_CURVE_P256, .mem_total = 256 * 1024, .rng = &rng};

    (void)argc;
    (void)argv;
    sim_policy_default(&pol);
    if (sm_ec_keygen(SM_CURVE_P256, &rng, &ci, ci_pk, &l1) ||
        sm_ec_keygen(SM_CURVE_P256, &rng, &eum, eum_pk, &l2) ||
        sm_pp_template_shipped("usim-minimal", &t, &e))
        abort();
    f.eum_sk = eum->data;
    f.eum_sk_len = eum->len;
    f.ci_pk = ci_pk;
    f.ci_pk_len = l1;
    f.eum_id_len = 8;
    memcpy(f.eum_id, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    f.prov = t;
    f.prov_params = params;
    if (sim_card_create(&c, &f, &o, k, opc, why, sizeof(why)) ||
        sim_card_serialise(&c, &pristine)) {
        fprintf(stderr, "fuzz_euicc: no card: %s\n", why);
        abort();
    }
    sim_card_free(&c);
    sm_pp_template_free(t);
    json_decref(params);
    sm_secret_free(ci);
    sm_secret_free(eum);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sim_card c;
    struct sm_buf again = {.secure = true};
    struct sim_ctx x = {.card = &c, .pol = &pol, .rng = &sm_rng_system};

    if (!size)
        return 0;
    if (data[0] == 0) {
        struct sim_install *in = NULL;

        if (sim_install_package(data + 1, size - 1, &in) && in && !in->failed && in->done)
            abort(); /* an error must say why */
        sim_install_free(in);
        return 0;
    }
    if (sim_card_deserialise(pristine.data, pristine.len, &c))
        abort();
    if (data[0] == 1) {
        struct sm_buf rsp = SM_BUF_INIT;

        for (size_t pos = 1; pos < size;) {
            size_t n = data[pos++];
            struct sm_decode_err de;
            struct sm_capdu a;
            uint16_t sw;

            if (n > size - pos)
                break;
            if (sm_capdu_decode(data + pos, n, &a, &de) == 0) {
                sm_buf_reset(&rsp);
                sim_isdr_apdu(&x, &a, &rsp, &sw);
            }
            pos += n;
        }
        sm_buf_free(&rsp);
    } else {
        struct sm_sms_reasm *ra = sm_sms_reasm_new(4, 60);
        struct sim_ota_result r;

        sim_ota_sms_deliver(&x, ra, data + 1, size - 1, 1, &r);
        sim_ota_result_free(&r);
        sm_sms_reasm_free(ra);
    }
    if (sim_card_serialise(&c, &again))
        abort();
    sim_card_free(&c);
    if (sim_card_deserialise(again.data, again.len, &c))
        abort();
    sim_card_free(&c);
    sm_buf_clear_free(&again);
    return 0;
}
