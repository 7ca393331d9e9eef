/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/hex.h"
#include "sm/tls.h"

struct sm_trust {
    gnutls_x509_trust_list_t list;
};

static int read_file(const char *path, gnutls_datum_t *d)
{
    int rc = gnutls_load_file(path, d);

    if (rc == GNUTLS_E_FILE_ERROR) {
        FILE *f = fopen(path, "r");
        if (!f)
            return errno == ENOENT ? -ENOENT : -EACCES;
        fclose(f);
        return -EIO;
    }
    return rc < 0 ? -EIO : 0;
}

static void fill_info(gnutls_x509_crt_t crt, struct sm_cert_info *out)
{
    size_t sz = sizeof(out->fingerprint);
    gnutls_datum_t dn;
    unsigned critical;

    memset(out, 0, sizeof(*out));
    gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, out->fingerprint, &sz);
    sm_hex_encode(out->fingerprint, 32, out->fingerprint_hex);
    if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
        snprintf(out->subject, sizeof(out->subject), "%s", (const char *)dn.data);
        gnutls_free(dn.data);
    }
    if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0) {
        snprintf(out->issuer, sizeof(out->issuer), "%s", (const char *)dn.data);
        gnutls_free(dn.data);
    }
    out->not_before = gnutls_x509_crt_get_activation_time(crt);
    out->not_after = gnutls_x509_crt_get_expiration_time(crt);
    out->is_ca = gnutls_x509_crt_get_ca_status(crt, &critical) > 0;
    for (unsigned i = 0;; i++) {
        struct gnutls_x509_policy_st pol;

        if (gnutls_x509_crt_get_policy(crt, i, &pol, &critical) < 0)
            break;
        if (pol.oid && !strcmp(pol.oid, SM_TEST_CERT_POLICY))
            out->is_test = true;
        gnutls_x509_policy_release(&pol);
    }
}

int sm_cert_info_der(const uint8_t *der, size_t len, struct sm_cert_info *out)
{
    gnutls_datum_t d = {(unsigned char *)der, (unsigned)len};
    gnutls_x509_crt_t crt;
    int rc = -EINVAL;

    if (gnutls_x509_crt_init(&crt) < 0)
        return -ENOMEM;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0) {
        fill_info(crt, out);
        rc = 0;
    }
    gnutls_x509_crt_deinit(crt);
    return rc;
}

/* Import every certificate of a PEM file. Returns the count (>= 1) or a negative errno. */
static int import_pem_list(const char *path, gnutls_x509_crt_t **crts, unsigned *n)
{
    gnutls_datum_t d = {NULL, 0};
    int rc = read_file(path, &d);

    if (rc)
        return rc;
    rc = gnutls_x509_crt_list_import2(crts, n, &d, GNUTLS_X509_FMT_PEM, 0);
    gnutls_free(d.data);
    if (rc < 0 || *n == 0)
        return -EINVAL;
    return (int)*n;
}

static void free_list(gnutls_x509_crt_t *crts, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        gnutls_x509_crt_deinit(crts[i]);
    gnutls_free(crts);
}

int sm_cert_info_file(const char *path, struct sm_cert_info *out)
{
    gnutls_x509_crt_t *crts = NULL;
    unsigned n = 0;
    int rc = import_pem_list(path, &crts, &n);

    if (rc < 0)
        return rc;
    fill_info(crts[0], out);
    free_list(crts, n);
    return 0;
}

int sm_cert_file_has_test(const char *path)
{
    gnutls_x509_crt_t *crts = NULL;
    unsigned n = 0;
    int rc = import_pem_list(path, &crts, &n);
    int found = 0;

    if (rc < 0)
        return rc;
    for (unsigned i = 0; i < n; i++) {
        struct sm_cert_info info;

        fill_info(crts[i], &info);
        found |= info.is_test;
    }
    free_list(crts, n);
    return found;
}

int sm_trust_load(const char *ca_file, const char *crl_file, struct sm_trust **out, char *why,
                  size_t whylen)
{
    struct sm_trust *t = calloc(1, sizeof(*t));
    int rc;

    if (!t)
        return -ENOMEM;
    if (gnutls_x509_trust_list_init(&t->list, 0) < 0) {
        free(t);
        return -ENOMEM;
    }
    rc = gnutls_x509_trust_list_add_trust_file(t->list, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
    if (rc <= 0) {
        snprintf(why, whylen, "no CA certificate could be read from %s", ca_file);
        sm_trust_free(t);
        return rc == 0 ? -EINVAL : -ENOENT;
    }
    if (crl_file && *crl_file) {
        rc = gnutls_x509_trust_list_add_trust_file(t->list, NULL, crl_file, GNUTLS_X509_FMT_PEM,
                                                   GNUTLS_TL_VERIFY_CRL, 0);
        if (rc < 0) {
            snprintf(why, whylen, "cannot load CRL file %s: %s", crl_file, gnutls_strerror(rc));
            sm_trust_free(t);
            return -EINVAL;
        }
    }
    *out = t;
    return 0;
}

void sm_trust_free(struct sm_trust *t)
{
    if (!t)
        return;
    gnutls_x509_trust_list_deinit(t->list, 1);
    free(t);
}

static void describe(unsigned status, char *why, size_t whylen)
{
    if (status & GNUTLS_CERT_EXPIRED)
        snprintf(why, whylen, "certificate expired");
    else if (status & GNUTLS_CERT_NOT_ACTIVATED)
        snprintf(why, whylen, "certificate not yet valid");
    else if (status & GNUTLS_CERT_REVOKED)
        snprintf(why, whylen, "certificate revoked");
    else if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
        snprintf(why, whylen, "certificate not issued by a trusted CA");
    else if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
        snprintf(why, whylen, "certificate not valid for this purpose");
    else if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
        snprintf(why, whylen, "certificate signature invalid");
    else if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
        snprintf(why, whylen, "certificate uses an insecure algorithm");
    else
        snprintf(why, whylen, "certificate invalid (status 0x%x)", status);
}

int sm_trust_verify(struct sm_trust *t, const uint8_t *const *der, const size_t *len, size_t n,
                    enum sm_cert_purpose purpose, char *why, size_t whylen)
{
    gnutls_x509_crt_t crts[8];
    gnutls_typed_vdata_st vdata = {
        .type = GNUTLS_DT_KEY_PURPOSE_OID,
        .data = (unsigned char *)(purpose == SM_PURPOSE_CLIENT ? GNUTLS_KP_TLS_WWW_CLIENT
                                                               : GNUTLS_KP_TLS_WWW_SERVER),
    };
    unsigned status = 0, imported = 0;
    int rc = -EKEYREJECTED;

    if (n == 0) {
        snprintf(why, whylen, "no certificate");
        return -EKEYREJECTED;
    }
    if (n > 8)
        n = 8; /* longer chains than any of ours: verify what fits, the rest cannot help */
    for (; imported < n; imported++) {
        gnutls_datum_t d = {(unsigned char *)der[imported], (unsigned)len[imported]};

        if (gnutls_x509_crt_init(&crts[imported]) < 0)
            goto out;
        if (gnutls_x509_crt_import(crts[imported], &d, GNUTLS_X509_FMT_DER) < 0) {
            imported++;
            snprintf(why, whylen, "certificate cannot be parsed");
            goto out;
        }
    }
    if (gnutls_x509_trust_list_verify_crt2(t->list, crts, imported, &vdata, 1, 0, &status, NULL) <
        0) {
        snprintf(why, whylen, "certificate verification failed");
        goto out;
    }
    if (status) {
        describe(status, why, whylen);
        goto out;
    }
    rc = 0;
out:
    for (unsigned i = 0; i < imported; i++)
        gnutls_x509_crt_deinit(crts[i]);
    return rc;
}
