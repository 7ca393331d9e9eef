/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sm/devpki.h"
#include "sm/ecka.h"
#include "sm/gpcert.h"
#include "sm/secret.h"
#include "sm/tls.h"

/* Development OIDs under the ITU-T X.660 example arc 2.999 (never valid in production). */
const struct sm_devpki_entity sm_devpki_entities[] = {
    {"smdp", "smdp", "2.999.1.1", SM_DEVPKI_SERVER | SM_DEVPKI_CLIENT},
    {"smsr", "smsr", "2.999.2.1", SM_DEVPKI_SERVER | SM_DEVPKI_CLIENT},
    /* a second SM-SR, for SM-SR change (ES7) */
    {"smsr2", "smsr", "2.999.2.2", SM_DEVPKI_SERVER | SM_DEVPKI_CLIENT},
    {"mno1", "mno", "2.999.10.1", SM_DEVPKI_CLIENT},
    {"mno2", "mno", "2.999.10.2", SM_DEVPKI_CLIENT},
    {"eum1", "eum", "2.999.20.1", SM_DEVPKI_CLIENT},
    {"admin", "admin", "2.999.30.1", SM_DEVPKI_CLIENT},
};
const unsigned sm_devpki_nentities = sizeof(sm_devpki_entities) / sizeof(sm_devpki_entities[0]);

static int path_of(char *out, size_t n, const char *dir, const char *name, const char *ext)
{
    return snprintf(out, n, "%s/%s.%s", dir, name, ext) >= (int)n ? -ENAMETOOLONG : 0;
}

static int write_key(const char *path, EVP_PKEY *key)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f;
    int ok;

    if (fd < 0)
        return -errno;
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -errno;
    }
    ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    return fclose(f) == 0 && ok ? 0 : -EIO;
}

static int write_cert(const char *path, X509 *crt)
{
    FILE *f = fopen(path, "w");
    int ok;

    if (!f)
        return -errno;
    ok = PEM_write_X509(f, crt);
    return fclose(f) == 0 && ok ? 0 : -EIO;
}

static int add_ext(X509 *crt, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, crt, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -EINVAL;
    ok = X509_add_ext(crt, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -ENOMEM;
}

/* certificatePolicies { SM_TEST_CERT_POLICY }; built directly because the text form of this
 * extension needs an OpenSSL config database. */
static int add_test_policy(X509 *crt)
{
    CERTIFICATEPOLICIES *pols = CERTIFICATEPOLICIES_new();
    POLICYINFO *pi = POLICYINFO_new();
    int rc = -ENOMEM;

    if (!pols || !pi)
        goto out;
    pi->policyid = OBJ_txt2obj(SM_TEST_CERT_POLICY, 1);
    if (!pi->policyid || !sk_POLICYINFO_push(pols, pi))
        goto out;
    pi = NULL;
    if (X509_add1_ext_i2d(crt, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT) == 1)
        rc = 0;
out:
    POLICYINFO_free(pi);
    CERTIFICATEPOLICIES_free(pols);
    return rc;
}

/* Build and sign a certificate for spec with key; issuer NULL = self-signed. */
static X509 *build(const struct sm_devpki_cert_spec *spec, EVP_PKEY *key, X509 *issuer,
                   EVP_PKEY *issuer_key)
{
    X509 *crt = X509_new();
    X509_NAME *name;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    int rc = 0;

    if (!crt)
        return NULL;
    X509_set_version(crt, 2);
    /* random positive serial, as RFC 5280 recommends */
    RAND_bytes(serial, sizeof(serial));
    serial[0] &= 0x7f;
    bn = BN_bin2bn(serial, sizeof(serial), NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)))
        rc = -ENOMEM;
    BN_free(bn);
    ASN1_TIME_set(X509_getm_notBefore(crt), (time_t)spec->not_before);
    ASN1_TIME_set(X509_getm_notAfter(crt), (time_t)spec->not_after);
    X509_set_pubkey(crt, key);
    name = X509_get_subject_name(crt);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *)"SGP.02 SM development PKI (TEST)", -1, -1,
                               0);
    if (spec->ou)
        X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)spec->ou, -1,
                                   -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)spec->name, -1, -1,
                               0);
    X509_set_issuer_name(crt, issuer ? X509_get_subject_name(issuer) : name);
    if (!issuer)
        issuer = crt;
    if (spec->usage & SM_DEVPKI_CA) {
        rc |= add_ext(crt, issuer, NID_basic_constraints, "critical,CA:TRUE");
        rc |= add_ext(crt, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        char eku[64] = "";

        rc |= add_ext(crt, issuer, NID_basic_constraints, "critical,CA:FALSE");
        rc |= add_ext(crt, issuer, NID_key_usage, "critical,digitalSignature,keyAgreement");
        snprintf(eku, sizeof(eku), "%s%s%s", spec->usage & SM_DEVPKI_SERVER ? "serverAuth" : "",
                 (spec->usage & SM_DEVPKI_SERVER) && (spec->usage & SM_DEVPKI_CLIENT) ? "," : "",
                 spec->usage & SM_DEVPKI_CLIENT ? "clientAuth" : "");
        rc |= add_ext(crt, issuer, NID_ext_key_usage, eku);
        if (spec->usage & SM_DEVPKI_SERVER)
            rc |= add_ext(crt, issuer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    }
    rc |= add_ext(crt, issuer, NID_subject_key_identifier, "hash");
    if (issuer != crt)
        rc |= add_ext(crt, issuer, NID_authority_key_identifier, "keyid:always");
    if (spec->test_policy)
        rc |= add_test_policy(crt);
    if (rc || !X509_sign(crt, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(crt);
        return NULL;
    }
    return crt;
}

static int make(const char *dir, const char *ca, const struct sm_devpki_cert_spec *spec)
{
    char kpath[1024], cpath[1024];
    EVP_PKEY *key = NULL, *ca_key = NULL;
    X509 *crt = NULL, *ca_crt = NULL;
    int rc;

    rc = path_of(kpath, sizeof(kpath), dir, spec->name, "key");
    if (!rc)
        rc = path_of(cpath, sizeof(cpath), dir, spec->name, "crt");
    if (rc)
        return rc;
    if (ca) {
        char p[1024];
        FILE *f;

        path_of(p, sizeof(p), dir, ca, "crt");
        f = fopen(p, "r");
        if (f) {
            ca_crt = PEM_read_X509(f, NULL, NULL, NULL);
            fclose(f);
        }
        path_of(p, sizeof(p), dir, ca, "key");
        f = fopen(p, "r");
        if (f) {
            ca_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
            fclose(f);
        }
        if (!ca_crt || !ca_key) {
            rc = -ENOENT;
            goto out;
        }
    }
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) {
        rc = -ENOMEM;
        goto out;
    }
    crt = build(spec, key, ca_crt, ca_key);
    if (!crt) {
        rc = -EINVAL;
        goto out;
    }
    rc = write_key(kpath, key);
    if (!rc)
        rc = write_cert(cpath, crt);
out:
    X509_free(crt);
    X509_free(ca_crt);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    return rc;
}

int sm_devpki_make_ca(const char *dir, const struct sm_devpki_cert_spec *spec)
{
    return make(dir, NULL, spec);
}

int sm_devpki_issue(const char *dir, const char *ca, const struct sm_devpki_cert_spec *spec)
{
    return make(dir, ca, spec);
}

static bool have(const char *dir, const char *name)
{
    char c[1024], k[1024];

    path_of(c, sizeof(c), dir, name, "crt");
    path_of(k, sizeof(k), dir, name, "key");
    return access(c, R_OK) == 0 && access(k, R_OK) == 0;
}

static uint32_t yyyymmdd(time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

int sm_devpki_gp_cert(const char *dir, const char *name, const char *oid, uint8_t type)
{
    char kp[1024], cap[1024], out[1024];
    struct sm_secret *key = NULL, *ca = NULL;
    enum sm_curve curve, ca_curve;
    struct sm_buf der = SM_BUF_INIT;
    struct sm_gpcert c;
    time_t now = time(NULL);
    size_t publen = sizeof(c.pub);
    FILE *f;
    int rc;

    memset(&c, 0, sizeof(c));
    if (path_of(kp, sizeof(kp), dir, name, "key") || path_of(cap, sizeof(cap), dir, "ca", "key") ||
        path_of(out, sizeof(out), dir, name, "gpcert") || strlen(oid) > sizeof(c.subject_id))
        return -ENAMETOOLONG;
    rc = sm_ec_private_from_pem(kp, &curve, &key);
    if (!rc)
        rc = sm_ec_private_from_pem(cap, &ca_curve, &ca);
    if (!rc)
        rc = sm_ec_public_from_private(curve, key->data, key->len, c.pub, &publen);
    if (!rc && RAND_bytes(c.serial, 8) != 1)
        rc = -EIO;
    if (!rc) {
        c.serial_len = 8;
        c.ca_id[0] = 0x01; /* the development CI */
        c.ca_id_len = 1;
        memcpy(c.subject_id, oid, strlen(oid));
        c.subject_id_len = strlen(oid);
        c.key_usage[0] = 0x00;
        c.key_usage[1] = 0x80; /* digital signature */
        c.key_usage_len = 2;
        c.has_effective = true;
        c.effective = yyyymmdd(now - 86400);
        c.expiration = yyyymmdd(now + 10LL * 365 * 86400);
        c.has_type = true;
        c.type = type;
        c.has_param_ref = true;
        c.curve = curve;
        c.pub_len = publen;
        rc = sm_gpcert_encode_sign(&c, ca_curve, ca->data, ca->len, &der);
    }
    sm_secret_free(key);
    sm_secret_free(ca);
    if (!rc) {
        f = fopen(out, "wb");
        if (!f || fwrite(der.data, 1, der.len, f) != der.len)
            rc = -EIO;
        if (f && fclose(f))
            rc = -EIO;
    }
    sm_buf_free(&der);
    return rc;
}

int sm_devpki_init(const char *dir, bool force, FILE *log)
{
    int64_t now = (int64_t)time(NULL);
    json_t *root, *list;
    char path[1024];
    int rc;

    if (mkdir(dir, 0700) && errno != EEXIST)
        return -errno;
    if (force || !have(dir, "ca")) {
        struct sm_devpki_cert_spec ca = {"ca", SM_DEVPKI_CA, now - 3600, now + 10LL * 365 * 86400,
                                         true, "test root"};
        force = true; /* a new CA invalidates every certificate issued by the old one */
        rc = sm_devpki_make_ca(dir, &ca);
        if (rc)
            return rc;
        if (log)
            fprintf(log, "created test CA %s/ca.crt\n", dir);
    }
    list = json_array();
    root = json_pack("{s:s, s:s, s:o}", "ca", "ca.crt", "testPolicy", SM_TEST_CERT_POLICY,
                     "entities", list);
    if (!root)
        return -ENOMEM;
    for (unsigned i = 0; i < sm_devpki_nentities; i++) {
        const struct sm_devpki_entity *e = &sm_devpki_entities[i];
        char crt[80], key[80];

        if (force || !have(dir, e->name)) {
            struct sm_devpki_cert_spec spec = {e->name, e->usage, now - 3600, now + 825LL * 86400,
                                               true,    e->role};
            rc = sm_devpki_issue(dir, "ca", &spec);
            if (rc) {
                json_decref(root);
                return rc;
            }
            if (log)
                fprintf(log, "issued %s/%s.crt (%s, %s)\n", dir, e->name, e->role, e->oid);
        }
        snprintf(crt, sizeof(crt), "%s.crt", e->name);
        snprintf(key, sizeof(key), "%s.key", e->name);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", e->name, "role",
                                              e->role, "id", e->oid, "cert", crt, "key", key));
    }
    /* the SM-DP's and SM-SRs' GP certificates (CERT.DP.ECDSA, CERT.SR.ECDSA) for the same keys,
     * signed by the CA key: the simulated cards trust it as their CI */
    for (unsigned i = 0; i < sm_devpki_nentities; i++) {
        const struct sm_devpki_entity *e = &sm_devpki_entities[i];
        char gp[1024];

        if (strcmp(e->role, "smdp") && strcmp(e->role, "smsr"))
            continue;
        path_of(gp, sizeof(gp), dir, e->name, "gpcert");
        if (!force && access(gp, R_OK) == 0)
            continue;
        rc = sm_devpki_gp_cert(dir, e->name, e->oid,
                               strcmp(e->role, "smdp") ? SM_GPCERT_TYPE_SMSR : SM_GPCERT_TYPE_SMDP);
        if (rc) {
            json_decref(root);
            return rc;
        }
        if (log)
            fprintf(log, "issued %s (GP certificate of %s)\n", gp, e->oid);
    }
    path_of(path, sizeof(path), dir, "pki", "json");
    rc = json_dump_file(root, path, JSON_INDENT(2)) ? -EIO : 0;
    json_decref(root);
    return rc;
}
