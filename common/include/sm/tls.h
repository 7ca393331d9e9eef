/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_TLS_H
#define SM_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Certificates and trust for the HTTPS interfaces (GnuTLS, as libmicrohttpd uses it).
 *
 * Test certificates: the development PKI (smctl pki init) puts the certificate policy
 * SM_TEST_CERT_POLICY into every certificate it issues. The daemons accept such certificates,
 * their own or a peer's, only when the configuration says test_mode = yes.
 */
#define SM_TEST_CERT_POLICY "2.999.0.1" /* under the ITU-T X.660 "example" arc */

struct sm_cert_info {
    uint8_t fingerprint[32]; /* SHA-256 of the DER certificate */
    char fingerprint_hex[65];
    char subject[256];
    char issuer[256];
    int64_t not_before, not_after; /* Unix seconds */
    bool is_ca;
    bool is_test; /* carries SM_TEST_CERT_POLICY */
};

/* Inspect a DER certificate. Returns 0 or -EINVAL. */
int sm_cert_info_der(const uint8_t *der, size_t len, struct sm_cert_info *out);
/* Inspect the first certificate of a PEM file. Returns 0, -ENOENT/-EACCES, or -EINVAL. */
int sm_cert_info_file(const char *path, struct sm_cert_info *out);
/* True when any certificate in the PEM file is a test certificate. Returns 1, 0 or -errno. */
int sm_cert_file_has_test(const char *path);

enum sm_cert_purpose {
    SM_PURPOSE_CLIENT, /* TLS client authentication (id-kp-clientAuth) */
    SM_PURPOSE_SERVER, /* TLS server authentication (id-kp-serverAuth) */
};

/* A set of trusted CAs with optional CRLs. */
struct sm_trust;

/* Load the CAs of ca_file (PEM, one or more) and, if crl_file is not NULL or empty, its CRLs.
 * Returns 0 with *out set, or -ENOENT/-EACCES/-EINVAL with why filled. */
int sm_trust_load(const char *ca_file, const char *crl_file, struct sm_trust **out, char *why,
                  size_t whylen);
void sm_trust_free(struct sm_trust *t);
/*
 * Verify a peer chain (DER, leaf first) for purpose, at the current time. Returns 0 when valid,
 * -EKEYREJECTED with why set ("expired", "signer not trusted", "revoked", ...) otherwise.
 */
int sm_trust_verify(struct sm_trust *t, const uint8_t *const *der, const size_t *len, size_t n,
                    enum sm_cert_purpose purpose, char *why, size_t whylen);

#endif
