/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_DEVPKI_H
#define SM_DEVPKI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Development and test PKI (OpenSSL): a test root CA and ECDSA P-256 certificates for the
 * daemons and their clients, every one marked with the test policy SM_TEST_CERT_POLICY so a
 * daemon outside test_mode refuses them. Files: DIR/<name>.crt (PEM) and DIR/<name>.key (PEM
 * PKCS#8, mode 0600), plus DIR/pki.json describing the entities (name, role, OID, files).
 */

enum sm_devpki_usage {
    SM_DEVPKI_CA = 1,
    SM_DEVPKI_SERVER = 2, /* serverAuth, SAN localhost / 127.0.0.1 / ::1 */
    SM_DEVPKI_CLIENT = 4, /* clientAuth */
};

struct sm_devpki_cert_spec {
    const char *name;   /* file base name and CN */
    unsigned usage;     /* enum sm_devpki_usage bits */
    int64_t not_before; /* Unix seconds */
    int64_t not_after;
    bool test_policy; /* mark as a test certificate (normally true) */
    const char *ou;   /* organisational unit (the role), may be NULL */
};

/* Create a self-signed CA in dir. Returns 0 or a negative errno. */
int sm_devpki_make_ca(const char *dir, const struct sm_devpki_cert_spec *spec);
/* Issue a certificate signed by the CA dir/<ca>.crt + .key. Returns 0 or a negative errno. */
int sm_devpki_issue(const char *dir, const char *ca, const struct sm_devpki_cert_spec *spec);

/* The standard development identities. */
struct sm_devpki_entity {
    const char *name; /* smdp, smsr, mno1, mno2, eum1, admin */
    const char *role;
    const char *oid;
    unsigned usage;
};
extern const struct sm_devpki_entity sm_devpki_entities[];
extern const unsigned sm_devpki_nentities;

/* A GP certificate (7F21, sm/gpcert.h) of type (01 SM-DP, 02 SM-SR) for the key dir/<name>.key,
 * subject oid, signed with dir/ca.key, written (DER) to dir/<name>.gpcert. */
int sm_devpki_gp_cert(const char *dir, const char *name, const char *oid, uint8_t type);

/*
 * Create dir (if needed), the CA "ca" and a certificate for every standard entity, keeping any
 * that already exist (unless force), GP certificates <name>.gpcert for the SM-DP and SM-SRs,
 * and (re)write dir/pki.json. Progress goes to log if not
 * NULL. Returns 0 or a negative errno.
 */
int sm_devpki_init(const char *dir, bool force, FILE *log);

#endif
