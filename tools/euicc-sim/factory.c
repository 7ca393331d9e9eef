/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Card manufacturing as an EUM does it: numbering (EID, MSISDN, provisioning ICCID and IMSI,
 * IMEI), the card (card_create.c), and what the EUM hands on: the EIS for ES1 RegisterEIS, one
 * JSON file per card, and the provisioning subscriptions for the operator's HSS.
 *
 * EIS in JSON (SGP.02 5; the project's binding: lowerCamelCase names of the GSMA schema):
 * eumSignedInfo is signed by the EUM as a detached JWS (ES256, x5c = the EUM certificate) over
 * its canonical form (sorted keys, no spaces: RFC 8785 for these ASCII values); key values are
 * enciphered under the EUM-SM-SR transport key with their KCV (architecture spec 4.1, 7.1).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "card_create.h"
#include "factory.h"
#include "sm/cipher.h"
#include "sm/ecka.h"
#include "sm/hex.h"
#include "sm/jws.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/log.h"
#include "sm/tlv.h"
#include "smdb/simstore.h"

void sim_factory_keys_free(struct sim_factory_keys *k)
{
    sm_secret_free(k->eum_sk);
    free(k->eum_cert_der);
    sm_wipe(k, sizeof(*k));
}

static int read_transport_key(const char *path, bool create, uint8_t key[16])
{
    char hex[80] = "";
    FILE *f = fopen(path, "r");

    if (!f && errno == ENOENT && create) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        int rc = sm_rng_bytes(&sm_rng_system, key, 16);

        if (fd < 0)
            return -errno;
        sm_hex_encode(key, 16, hex);
        strcat(hex, "\n");
        if (rc || write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex))
            rc = rc ? rc : -EIO;
        close(fd);
        sm_wipe(hex, sizeof(hex));
        return rc;
    }
    if (!f)
        return -errno;
    if (!fgets(hex, sizeof(hex), f))
        hex[0] = 0;
    fclose(f);
    hex[strcspn(hex, "\r\n ")] = 0;
    if (sm_hex_decode(hex, key, 16) != 16) {
        sm_wipe(hex, sizeof(hex));
        return -EINVAL;
    }
    sm_wipe(hex, sizeof(hex));
    return 0;
}

/* The certificate in DER and its subjectKeyIdentifier (ski_len 0 when it has none). */
static int cert_der(const char *path, uint8_t **der, size_t *len, uint8_t ski[32], size_t *ski_len)
{
    FILE *f = fopen(path, "r");
    const ASN1_OCTET_STRING *id;
    X509 *x;
    int n;

    if (!f)
        return -errno;
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x)
        return -EINVAL;
    *der = NULL;
    *ski_len = 0;
    id = X509_get0_subject_key_id(x);
    if (id && ASN1_STRING_length(id) > 0 && ASN1_STRING_length(id) <= 32) {
        *ski_len = (size_t)ASN1_STRING_length(id);
        memcpy(ski, ASN1_STRING_get0_data(id), *ski_len);
    }
    n = i2d_X509(x, der);
    X509_free(x);
    if (n <= 0)
        return -EINVAL;
    *len = (size_t)n;
    return 0;
}

int sim_factory_keys_load(const struct sim_config *c, bool create, struct sim_factory_keys *k,
                          char *why, size_t whylen)
{
    enum sm_curve ccurve;
    int rc;

    memset(k, 0, sizeof(*k));
    k->ci_pk_len = sizeof(k->ci_pk);
    rc = sm_ec_public_from_cert_pem(c->ci_cert, &ccurve, k->ci_pk, &k->ci_pk_len);
    if (rc) {
        snprintf(why, whylen, "%s: no CI public key (%s)", c->ci_cert, strerror(-rc));
        return rc;
    }
    rc = sm_ec_private_from_pem(c->eum_key, &k->curve, &k->eum_sk);
    if (rc || k->curve != ccurve) {
        snprintf(why, whylen, "%s: no EUM key on the CI's curve (%s)", c->eum_key,
                 rc ? strerror(-rc) : "other curve");
        sim_factory_keys_free(k);
        return rc ? rc : -EINVAL;
    }
    rc = cert_der(c->eum_cert, &k->eum_cert_der, &k->eum_cert_len, k->eum_ski, &k->eum_ski_len);
    if (!rc)
        rc = read_transport_key(c->transport_key, create, k->transport_key);
    if (rc) {
        snprintf(why, whylen, "%s / %s: %s", c->eum_cert, c->transport_key, strerror(-rc));
        sim_factory_keys_free(k);
    }
    return rc;
}

/* ---- numbering ---- */

static int number(const char *prefix, unsigned long serial, size_t width, char *out, size_t size)
{
    size_t plen = strlen(prefix);

    if (plen >= width)
        return -EINVAL;
    if ((size_t)snprintf(out, size, "%s%0*lu", prefix, (int)(width - plen), serial) != width)
        return -ERANGE; /* the serial outgrew the digits left */
    return 0;
}

int sim_factory_order(const struct sim_config *c, unsigned long serial, struct sim_factory_order *o)
{
    char tmp[40];
    const char *m = c->msisdn_prefix[0] == '+' ? c->msisdn_prefix + 1 : c->msisdn_prefix;
    int rc;

    memset(o, 0, sizeof(*o));
    rc = number(c->eid_prefix, serial, 30, tmp, sizeof(tmp));
    if (!rc)
        rc = sm_eid_complete(tmp, o->eid);
    if (!rc)
        rc = number(c->iccid_prefix, serial, 18, tmp, sizeof(tmp));
    if (!rc)
        rc = sm_iccid_complete(tmp, o->iccid);
    if (!rc)
        rc = number(c->imsi_prefix, serial, 15, o->imsi, sizeof(o->imsi));
    if (!rc) {
        o->msisdn[0] = '+';
        rc = number(m, serial, strlen(m) + 6 > 15 ? 15 : strlen(m) + 6, o->msisdn + 1,
                    sizeof(o->msisdn) - 1);
    }
    if (!rc)
        rc = number(c->oper_iccid_prefix, serial, 18, tmp, sizeof(tmp));
    if (!rc)
        rc = sm_iccid_complete(tmp, o->oper_iccid);
    if (!rc)
        rc = number(c->oper_imsi_prefix, serial, 15, o->oper_imsi, sizeof(o->oper_imsi));
    if (!rc)
        rc = number(c->imei_prefix, serial, 14, tmp, sizeof(tmp));
    if (!rc) {
        char check;

        rc = sm_luhn_digit(tmp, &check);
        snprintf(o->imei, sizeof(o->imei), "%.14s%c", tmp, check);
    }
    return rc;
}

/* ---- EIS ---- */

static void hex_upper(const uint8_t *p, size_t n, char *out)
{
    sm_hex_encode_upper(p, n, out);
}

static json_t *aid_json(const uint8_t *aid)
{
    char h[33];

    hex_upper(aid, SIM_AID_LEN, h);
    return json_string(h);
}

/* Key{index, kcv, keyComponents[{type, value (enciphered)}]}; type 88 AES, 85 a TLS PSK (GP
 * key type coding). The KCV is computed the AES way for both [?]. */
static json_t *key_json(const struct sim_factory_keys *k, const char *cipher, unsigned index,
                        const char *type, const uint8_t key[16])
{
    uint8_t enc[16], kcv[3];
    char ev[33], kv[7];
    int rc;

    if (!strcmp(cipher, "aes-cbc"))
        rc = sm_aes_cbc(true, k->transport_key, 16, (const uint8_t[16]){0}, key, 16, enc);
    else
        rc = sm_aes_ecb_encrypt(k->transport_key, 16, key, 16, enc);
    if (rc || sm_kcv_aes(key, 16, kcv))
        return NULL;
    hex_upper(enc, 16, ev);
    hex_upper(kcv, 3, kv);
    return json_pack("{s:i, s:s, s:[{s:s, s:s}]}", "index", index, "kcv", kv, "keyComponents",
                     "type", type, "value", ev);
}

/* SIN (GP: the SD provider's identification number): the issuer part of the EID (its first
 * 8 digits, industry + country + issuer, ITU-T E.118 style); SDIN: the EID itself. */
static const char *sin_of(const struct sim_card *c)
{
    static __thread char sin[9];

    snprintf(sin, sizeof(sin), "%.8s", c->eid);
    return sin;
}

static json_t *isdr_json(const struct sim_card *c, const struct sim_factory_keys *k,
                         const char *cipher)
{
    json_t *sets = json_array();

    for (unsigned i = 0; sets && i < c->nks80; i++) {
        const struct sim_ks80 *s = &c->ks80[i];

        json_array_append_new(sets, json_pack("{s:i, s:s, s:I, s:[o, o, o]}", "version", s->kvn,
                                              "type", "SCP80", "cntr", (json_int_t)s->cntr, "key",
                                              key_json(k, cipher, 1, "88", s->kic),
                                              key_json(k, cipher, 2, "88", s->kid),
                                              key_json(k, cipher, 3, "88", s->kik)));
    }
    for (unsigned i = 0; sets && i < c->npsk; i++)
        json_array_append_new(sets,
                              json_pack("{s:i, s:s, s:[o, o]}", "version", c->psk[i].kvn, "type",
                                        "SCP81", "key", key_json(k, cipher, 1, "85", c->psk[i].psk),
                                        key_json(k, cipher, 2, "88", c->psk[i].dek)));
    return json_pack("{s:o, s:[s], s:s, s:s, s:s, s:o}", "aid", aid_json(sim_aid_isdr), "tar",
                     "000001", "sin", sin_of(c), "sdin", c->eid, "role", "ISD-R", "keyset", sets);
}

static json_t *ecasd_json(const struct sim_card *c, const char *eum_id)
{
    char *cert = malloc(2 * c->ecasd_cert.len + 1);
    json_t *j;

    if (!cert)
        return NULL;
    sm_hex_encode_upper(c->ecasd_cert.data, c->ecasd_cert.len, cert);
    j = json_pack("{s:o, s:s, s:s, s:s, s:[{s:i, s:s, s:[{s:i, s:s, s:s}]}]}", "aid",
                  aid_json(sim_aid_ecasd), "sin", sin_of(c), "sdin", c->eid, "role", "ECASD",
                  "keyset", "version", 0x73, "type", "CA", "certificate", "index", 1, "caId",
                  eum_id, "value", cert);
    free(cert);
    return j;
}

/* Detached JWS (RFC 7515 appendix F) by the EUM over the canonical signed info (sm/jws.h). */
static char *jws(const struct sim_factory_keys *k, const json_t *signed_info)
{
    char *out = NULL;

    if (sm_jws_sign_detached(signed_info, k->eum_cert_der, k->eum_cert_len, k->curve,
                             k->eum_sk->data, k->eum_sk->len, &out))
        return NULL;
    return out;
}

/* ProfileInfo of ISD-P p: the provisioning profile (first) or the operational one. */
static json_t *profile_info(const struct sim_config *cfg, const struct sim_card *c,
                            const struct sim_isdp *p, const char *imsi, bool provisioning)
{
    /* the simulated modem keeps one number whichever profile is enabled */
    return json_pack("{s:s, s:o, s:s, s:b, s:{s:s, s:s}, s:s, s:s, s:I, s:{s:[]}}", "iccid",
                     p->iccid, "isdPAid", aid_json(p->aid), "mnoId",
                     provisioning ? cfg->mno_id : cfg->oper_mno_id, "fallbackAttribute",
                     p->fallback, "subscriptionAddress", "imsi", imsi, "msisdn",
                     c->msisdn[0] == '+' ? c->msisdn + 1 : c->msisdn, "state",
                     p->lcs == SIM_LCS_ENABLED ? "Enabled" : "Disabled", "profileType",
                     provisioning ? "provisioning" : "operational", "allocatedMemory",
                     (json_int_t)p->quota, "pol2", "rule");
}

json_t *sim_factory_eis(const struct sim_config *cfg, const struct sim_factory_keys *k,
                        const struct sim_card *c, const struct sim_factory_order *o)
{
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    json_t *si, *eis, *profiles = json_array();
    char *sig;

    for (unsigned i = 0; profiles && i < c->nisdp; i++)
        json_array_append_new(
            profiles, profile_info(cfg, c, &c->isdp[i], i ? o->oper_imsi : o->imsi, i == 0));
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    si = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:{s:b, s:b, s:s, s:s, s:s}}", "eid",
                   c->eid, "eumId", cfg->eum_id, "productionDate", date, "platformType",
                   "euicc-sim", "platformVersion", "1.0.0", "isdPLoadfileAid",
                   aid_json(sim_aid_isdp_elf), "isdPModuleAid", aid_json(sim_aid_isdp_module),
                   "ecasd", ecasd_json(c, cfg->eum_id), "euiccCapabilities", "cattpSupport", 0,
                   "httpSupport", 1, "httpVersion", "1.1.0", "securePacketVersion", "1.0.0",
                   "remoteProvisioningVersion", "3.1.0");
    if (!si || !profiles) {
        json_decref(si);
        json_decref(profiles);
        return NULL;
    }
    sig = jws(k, si);
    eis =
        json_pack("{s:o, s:s?, s:I, s:I, s:s, s:o, s:o}", "eumSignedInfo", si, "eumSignature", sig,
                  "remainingMemory", (json_int_t)sim_card_mem_free(c), "availableMemoryForProfiles",
                  (json_int_t)(c->mem_total), "smsrId", cfg->smsr_id, "profileInfo", profiles,
                  "isdR", isdr_json(c, k, cfg->transport_cipher));
    free(sig);
    return eis;
}

/* ---- a batch of cards ---- */

static int append_private(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = 0;

    if (fd < 0)
        return -errno;
    if (fchmod(fd, 0600) || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        rc = -EIO;
    if (close(fd) && !rc)
        rc = -EIO;
    return rc;
}

int sim_factory_make(struct sim_app *a, const struct sim_factory_keys *k, unsigned long first,
                     unsigned long count, const struct sm_rng *rng, unsigned long *made, char *why,
                     size_t whylen)
{
    struct sm_pp_template *t = NULL, *t_oper = NULL;
    struct sm_pp_error e;
    json_t *params = json_pack("{s:s}", "adm1", a->cfg.adm1);
    struct sim_factory f = {.curve = k->curve,
                            .eum_sk = k->eum_sk->data,
                            .eum_sk_len = k->eum_sk->len,
                            .ci_pk = k->ci_pk,
                            .ci_pk_len = k->ci_pk_len,
                            .mem_total = (uint32_t)a->cfg.memory,
                            .rng = rng};
    enum { BATCH = 256 };
    struct sim_card *cards = calloc(BATCH, sizeof(*cards));
    struct sim_card *ptrs[BATCH];
    struct sm_buf hss = {.secure = true};
    int rc;

    *made = 0;
    if (!cards || !params)
        rc = -ENOMEM;
    else if ((rc = sm_pp_template_shipped(a->cfg.template, &t, &e)))
        snprintf(why, whylen, "template %s: %s", a->cfg.template, e.msg);
    else if (a->cfg.oper_template[0] &&
             (rc = sm_pp_template_shipped(a->cfg.oper_template, &t_oper, &e)))
        snprintf(why, whylen, "operational template %s: %s", a->cfg.oper_template, e.msg);
    f.eum_id_len =
        strlen(a->cfg.eum_id) > sizeof(f.eum_id) ? sizeof(f.eum_id) : strlen(a->cfg.eum_id);
    memcpy(f.eum_id, a->cfg.eum_id, f.eum_id_len);
    memcpy(f.eum_aki, k->eum_ski, k->eum_ski_len);
    f.eum_aki_len = k->eum_ski_len;
    f.prov = t;
    f.prov_params = params;
    if (!rc && mkdir(a->cfg.eis_dir, 0755) && errno != EEXIST)
        rc = -errno;
    for (unsigned long done = 0; !rc && done < count;) {
        unsigned n = 0;

        sm_buf_reset(&hss);
        for (; n < BATCH && done + n < count && !rc; n++) {
            struct sim_factory_order o;
            struct sim_card_order co;
            uint8_t kk[16], opc[16];
            char hk[33], ho[33];

            rc = sim_factory_order(&a->cfg, first + done + n, &o);
            if (rc) {
                snprintf(why, whylen, "serial %lu does not fit the configured prefixes",
                         first + done + n);
                break;
            }
            co = (struct sim_card_order){o.eid, o.msisdn, o.iccid, o.imsi, o.imei};
            rc = sim_card_create(&cards[n], &f, &co, kk, opc, why, whylen);
            if (rc)
                break;
            if (t_oper) {
                uint8_t k2[16], opc2[16];

                rc = sim_card_add_operational(&cards[n], &f, t_oper, o.oper_iccid, o.oper_imsi, k2,
                                              opc2, why, whylen);
                if (rc) {
                    sim_card_free(&cards[n]);
                    break;
                }
                sm_hex_encode(k2, 16, hk);
                sm_hex_encode(opc2, 16, ho);
                sm_buf_printf(&hss, "%s,%s,%s,%s,8000,000000000000\n", o.oper_iccid, o.oper_imsi,
                              hk, ho);
                sm_wipe(k2, 16);
                sm_wipe(opc2, 16);
            }
            ptrs[n] = &cards[n];
            /* the device attaches with the provisioning profile and the card says so (7.10) */
            if (a->cfg.attach_notification)
                sim_card_notify(&cards[n], SIM_NOTIF_FIRST_ATTACH, sim_aid_provisioning,
                                sim_now_ms());
            sm_hex_encode(kk, 16, hk);
            sm_hex_encode(opc, 16, ho);
            sm_buf_printf(&hss, "%s,%s,%s,%s,8000,000000000000\n", o.iccid, o.imsi, hk, ho);
            sm_wipe(kk, 16);
            sm_wipe(opc, 16);
            sm_wipe(hk, sizeof(hk));
            sm_wipe(ho, sizeof(ho));
            /* the EIS of the card */
            {
                json_t *eis = sim_factory_eis(&a->cfg, k, &cards[n], &o);
                char path[1024];

                snprintf(path, sizeof(path), "%s/%s.json", a->cfg.eis_dir, o.eid);
                if (!eis || json_dump_file(eis, path, JSON_INDENT(1) | JSON_SORT_KEYS))
                    rc = eis ? -EIO : -ENOMEM;
                json_decref(eis);
            }
        }
        if (!rc)
            rc = sim_app_store_new(a, ptrs, n, sim_now_ms());
        if (!rc) {
            struct stat st;

            if (stat(a->cfg.hss_file, &st) && errno == ENOENT)
                rc = append_private(a->cfg.hss_file, "iccid,imsi,k,opc,amf,sqn\n");
            if (!rc)
                rc = append_private(a->cfg.hss_file, sm_buf_cstr(&hss));
        }
        if (rc && !why[0])
            snprintf(why, whylen, "storing cards: %s", strerror(-rc));
        for (unsigned i = 0; i < n; i++)
            sim_card_free(&cards[i]);
        if (!rc)
            done += n;
        *made = done;
    }
    if (!rc) {
        char next[32];

        snprintf(next, sizeof(next), "%lu", first + count);
        rc = smdb_sim_meta_set(a->db, "next_serial", next);
    }
    sm_buf_clear_free(&hss);
    sm_pp_template_free(t);
    sm_pp_template_free(t_oper);
    json_decref(params);
    free(cards);
    return rc;
}
