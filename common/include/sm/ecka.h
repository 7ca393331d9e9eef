/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_ECKA_H
#define SM_ECKA_H

#include <stddef.h>
#include <stdint.h>

#include "sm/rng.h"
#include "sm/secret.h"

/*
 * Elliptic curves for SGP.02: ECKA-DH key agreement (BSI TR-03111: the shared secret is the
 * x-coordinate of d*Q, field-size bytes), the ANSI X9.63 KDF with SHA-256, and ECDSA-SHA256 with
 * signatures as plain r || s (GP certificates and SGP.02 messages do not use DER).
 * Public keys are uncompressed points 04 || X || Y. Private keys are big-endian scalars.
 * Functions return 0, -EINVAL (bad curve, point not on the curve, scalar out of range,
 * wrong lengths), -EKEYREJECTED (a signature that does not verify) or -EIO (OpenSSL).
 */

/* The value is the GlobalPlatform key parameter reference (SGP.02 certificates, tag F0). */
enum sm_curve {
    SM_CURVE_P256 = 0x00,
    SM_CURVE_BRAINPOOLP256R1 = 0x03,
};

#define SM_EC_FIELD_MAX 32
#define SM_EC_PUB_MAX   65

/* Field size in bytes (32), or 0 for an unsupported curve. */
size_t sm_curve_field_size(enum sm_curve c);
/* From the GP key parameter reference; -EINVAL if not supported. */
int sm_curve_from_ref(uint8_t ref, enum sm_curve *c);
/* From a name: "P-256", "secp256r1", "prime256v1", "brainpoolP256r1" (also with the text in
 * parentheses the vector files use, e.g. "secp256r1 (NIST P-256)"). */
int sm_curve_from_name(const char *name, enum sm_curve *c);
const char *sm_curve_name(enum sm_curve c);

/* pub (65 bytes for 256-bit curves) = d * G. */
int sm_ec_public_from_private(enum sm_curve c, const uint8_t *d, size_t dlen, uint8_t *pub,
                              size_t *publen);
/* Check that pub is a valid uncompressed point on the curve. */
int sm_ec_check_public(enum sm_curve c, const uint8_t *pub, size_t publen);
/* A fresh key pair: the scalar is drawn from rng (rejection sampling into [1, n-1]). */
int sm_ec_keygen(enum sm_curve c, const struct sm_rng *rng, struct sm_secret **priv, uint8_t *pub,
                 size_t *publen);
/* ECKA-DH: z (field size bytes) = x-coordinate of d * peer. */
int sm_ecdh(enum sm_curve c, const uint8_t *d, size_t dlen, const uint8_t *peer, size_t peerlen,
            uint8_t *z, size_t zlen);
/* ANSI X9.63 KDF, SHA-256: H(z || counter32 || info) for counter = 1, 2, ... truncated. */
int sm_x963_kdf_sha256(const uint8_t *z, size_t zlen, const uint8_t *info, size_t infolen,
                       uint8_t *out, size_t outlen);
/* ECDSA with SHA-256 over msg; sig = r || s, each left-padded to the field size. */
int sm_ecdsa_sign(enum sm_curve c, const uint8_t *d, size_t dlen, const uint8_t *msg, size_t len,
                  uint8_t *sig, size_t *siglen);
int sm_ecdsa_verify(enum sm_curve c, const uint8_t *pub, size_t publen, const uint8_t *msg,
                    size_t len, const uint8_t *sig, size_t siglen);

/* Keys of the development PKI's PEM files: the private scalar of a private key (PKCS#8 or SEC1,
 * field-size bytes) or the uncompressed public point of an X.509 certificate, on one of the
 * curves above. Returns 0, -ENOENT/-EACCES (file), -EINVAL (not such a key), -ENOMEM. */
int sm_ec_private_from_pem(const char *path, enum sm_curve *curve, struct sm_secret **d);
int sm_ec_public_from_cert_pem(const char *path, enum sm_curve *curve, uint8_t *pub,
                               size_t *publen);

#endif
