/* SPDX-License-Identifier: Apache-2.0 */
/* Card manufacturing: keys, the ECASD certificate and the provisioning profile (SGP.02 7.1). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "card_create.h"
#include "install.h"
#include "sm/gpcert.h"
#include "sm/hex.h"
#include "sm/secret.h"

const uint8_t sim_aid_provisioning[SIM_AID_LEN] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                                   0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x10, 0x00};

const uint8_t sim_aid_operational[SIM_AID_LEN] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                                  0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x11, 0x00};

static int say(char *why, size_t n, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *why, size_t n, int rc, const char *fmt, ...)
{
    va_list ap;

    if (why && n) {
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int sim_card_preload(struct sim_card *c, const uint8_t aid[SIM_AID_LEN], const uint8_t *der,
                     size_t len, char *why, size_t whylen)
{
    struct sim_install *in;
    struct sim_isdp *p;
    int rc;

    if (c->nisdp == SIM_MAX_ISDP || sim_card_isdp(c, aid, SIM_AID_LEN))
        return say(why, whylen, -EINVAL, "no room for the ISD-P, or its AID is taken");
    rc = sim_install_package(der, len, &in);
    if (rc) {
        rc = say(why, whylen, rc == -ENOMEM ? rc : -EINVAL, "package refused: status %u: %s",
                 in ? in->status : 0, in ? in->msg : "");
        sim_install_free(in);
        return rc;
    }
    p = &c->isdp[c->nisdp++];
    memset(p, 0, sizeof(*p));
    p->package.secure = true;
    memcpy(p->aid, aid, SIM_AID_LEN);
    p->quota = (uint32_t)(in->fs->bytes + len);
    memcpy(p->iccid, in->iccid, sizeof(p->iccid));
    p->pol1 = in->pol1;
    if (sim_isdp_set_aka(p, in->aka, in->naka))
        return -ENOMEM;
    p->fs = in->fs;
    in->fs = NULL;
    p->installed = true;
    p->lcs = SIM_LCS_DISABLED;
    rc = sm_buf_append(&p->package, der, len);
    sim_install_free(in);
    c->dirty = true;
    return rc;
}

static int ecasd(struct sim_card *c, const struct sim_factory *f, char *why, size_t whylen)
{
    struct sm_secret *sk = NULL;
    struct sm_gpcert cert;
    uint8_t eid[16];
    int rc;

    c->curve = f->curve;
    c->ecasd_pk_len = sizeof(c->ecasd_pk);
    rc = sm_ec_keygen(f->curve, f->rng, &sk, c->ecasd_pk, &c->ecasd_pk_len);
    if (rc)
        return say(why, whylen, rc, "ECASD key pair: %s", strerror(-rc));
    memcpy(c->ecasd_sk, sk->data, sk->len);
    sm_secret_free(sk);
    memset(&cert, 0, sizeof(cert));
    /* CERT.ECASD.ECKA (es8 spec 2): serial, EUM as CA, EID as subject, key agreement usage */
    rc = sm_rng_bytes(f->rng, cert.serial, 8);
    cert.serial_len = 8;
    memcpy(cert.ca_id, f->eum_id, f->eum_id_len);
    cert.ca_id_len = f->eum_id_len;
    /* 73 {C9 AKI}: selects the EUM key that signed (es8 spec 2; SGP.02 2.3.2.2) */
    memcpy(cert.aki, f->eum_aki, f->eum_aki_len);
    cert.aki_len = f->eum_aki_len;
    if (!rc)
        rc = sm_eid_to_bytes(c->eid, eid);
    memcpy(cert.subject_id, eid, sizeof(eid));
    cert.subject_id_len = sizeof(eid);
    cert.key_usage[0] = 0x00;
    cert.key_usage[1] = 0x80; /* key agreement */
    cert.key_usage_len = 2;
    cert.expiration = 20991231;
    cert.has_param_ref = true;
    cert.curve = f->curve;
    memcpy(cert.pub, c->ecasd_pk, c->ecasd_pk_len);
    cert.pub_len = c->ecasd_pk_len;
    if (!rc)
        rc = sm_gpcert_encode_sign(&cert, f->curve, f->eum_sk, f->eum_sk_len, &c->ecasd_cert);
    if (rc)
        return say(why, whylen, rc, "ECASD certificate: %s", strerror(-rc));
    memcpy(c->ci_pk, f->ci_pk, f->ci_pk_len);
    c->ci_pk_len = f->ci_pk_len;
    return 0;
}

/* A profile from template t with fresh K and OPc, installed into a new ISD-P aid (disabled). */
static int personalise_into(struct sim_card *c, const struct sim_factory *f,
                            const struct sm_pp_template *t, const uint8_t aid[SIM_AID_LEN],
                            const char *iccid, const char *imsi, uint8_t k[16], uint8_t opc[16],
                            char *why, size_t whylen)
{
    struct sm_buf der = {.secure = true};
    struct sm_pp_error e;
    json_t *params;
    char hk[33], ho[33];
    int rc = sm_rng_bytes(f->rng, k, 16);

    if (!rc)
        rc = sm_rng_bytes(f->rng, opc, 16);
    if (rc)
        return rc;
    sm_hex_encode(k, 16, hk);
    sm_hex_encode(opc, 16, ho);
    params = f->prov_params ? json_deep_copy(f->prov_params) : json_object();
    if (!params || json_object_set_new(params, "iccid", json_string(iccid)) ||
        json_object_set_new(params, "imsi", json_string(imsi)) ||
        json_object_set_new(params, "k", json_string(hk)) ||
        json_object_set_new(params, "opc", json_string(ho)) ||
        json_object_set_new(params, "msisdn", json_string(c->msisdn))) {
        json_decref(params);
        rc = -ENOMEM;
    }
    sm_wipe(hk, sizeof(hk));
    sm_wipe(ho, sizeof(ho));
    if (rc)
        return rc;
    rc = sm_pp_personalise(t, params, &der, &e);
    json_decref(params);
    if (rc)
        rc = say(why, whylen, rc, "profile %s: %s: %s", iccid, e.path, e.msg);
    else
        rc = sim_card_preload(c, aid, der.data, der.len, why, whylen);
    sm_buf_clear_free(&der);
    return rc;
}

int sim_card_add_operational(struct sim_card *c, const struct sim_factory *f,
                             const struct sm_pp_template *t, const char *iccid, const char *imsi,
                             uint8_t k[16], uint8_t opc[16], char *why, size_t whylen)
{
    return personalise_into(c, f, t, sim_aid_operational, iccid, imsi, k, opc, why, whylen);
}

int sim_card_create(struct sim_card *c, const struct sim_factory *f, const struct sim_card_order *o,
                    uint8_t k[16], uint8_t opc[16], char *why, size_t whylen)
{
    struct sim_isdp *p;
    int rc;

    sim_card_init(c);
    if (sm_eid_check(o->eid) || !o->msisdn || sm_msisdn_check(o->msisdn) ||
        strlen(o->msisdn) > SIM_MSISDN_MAX || (o->imei && strlen(o->imei) != 15))
        return say(why, whylen, -EINVAL, "EID, MSISDN or IMEI not valid");
    snprintf(c->eid, sizeof(c->eid), "%s", o->eid);
    snprintf(c->msisdn, sizeof(c->msisdn), "%s", o->msisdn);
    if (o->imei)
        snprintf(c->imei, sizeof(c->imei), "%s", o->imei);
    c->mem_total = f->mem_total;
    rc = ecasd(c, f, why, whylen);
    /* ISD-R: SCP80 key set KVN 01 (AES KIc/KID/KIK) and SCP81 PSK set KVN 40 */
    if (!rc) {
        c->ks80[0].kvn = 0x01;
        rc = sm_rng_bytes(f->rng, c->ks80[0].kic, 16);
        if (!rc)
            rc = sm_rng_bytes(f->rng, c->ks80[0].kid, 16);
        if (!rc)
            rc = sm_rng_bytes(f->rng, c->ks80[0].kik, 16);
        c->nks80 = 1;
        c->psk[0].kvn = 0x40;
        if (!rc)
            rc = sm_rng_bytes(f->rng, c->psk[0].psk, 16);
        if (!rc)
            rc = sm_rng_bytes(f->rng, c->psk[0].dek, 16);
        c->npsk = 1;
    }
    if (!rc)
        rc = personalise_into(c, f, f->prov, sim_aid_provisioning, o->iccid, o->imsi, k, opc, why,
                              whylen);
    if (rc) {
        sim_card_free(c);
        return rc;
    }
    p = &c->isdp[0];
    p->lcs = SIM_LCS_ENABLED;
    p->fallback = true;
    c->dirty = true;
    return 0;
}
