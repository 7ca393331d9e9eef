/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_JWS_H
#define SM_JWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/ecka.h"

/*
 * The EUM signature of the JSON binding of ES1 (project decision, sgp02-architecture 7.1): a
 * JWS in compact serialisation with a detached payload (RFC 7515 appendix F),
 * "<header>..<signature>", ES256 (RFC 7518 3.4: r||s), the header {"alg":"ES256","x5c":[...]}
 * carrying the signer's certificate (DER, standard base64, RFC 7515 4.1.6) first. The payload
 * is the canonical form of a JSON object: members sorted by name, no whitespace (RFC 8785 for
 * the ASCII content of SGP.02 messages).
 */

/* The canonical text of v (malloc'd, NUL-terminated) or NULL on allocation failure. */
char *sm_json_canonical(const json_t *v);

/* Base64url without padding (RFC 4648 5); malloc'd text or NULL. */
char *sm_b64url_encode(const uint8_t *p, size_t n);
/* Decode base64url (padding optional) into a malloc'd buffer. Returns 0, -EINVAL, -ENOMEM. */
int sm_b64url_decode(const char *s, size_t slen, uint8_t **out, size_t *outlen);
/* Standard base64 (with padding) <-> bytes. */
char *sm_b64_encode(const uint8_t *p, size_t n);
int sm_b64_decode(const char *s, uint8_t **out, size_t *outlen);

/* Sign: *out is the malloc'd "header..signature". cert_der is the signer's certificate (x5c).
 * Returns 0, -EINVAL (key) or -ENOMEM. */
int sm_jws_sign_detached(const json_t *payload, const uint8_t *cert_der, size_t cert_len,
                         enum sm_curve curve, const uint8_t *d, size_t dlen, char **out);

/* What a verified JWS says about its signer. */
struct sm_jws_signer {
    uint8_t **chain; /* x5c decoded: chain[0] is the signer's certificate (DER) */
    size_t *chain_len;
    size_t nchain;
};
void sm_jws_signer_free(struct sm_jws_signer *s);

/*
 * Verify a detached JWS over payload with the public key of the first x5c certificate (the
 * caller then checks that certificate: chain, validity, who it names). Returns 0 with *signer
 * filled, -EBADMSG (not a detached compact JWS, bad base64 or header JSON, no x5c, unreadable
 * certificate), -ENOTSUP (alg other than ES256, key not on P-256), -EKEYREJECTED (the signature
 * does not verify). why receives a message.
 */
int sm_jws_verify_detached(const char *jws, const json_t *payload, struct sm_jws_signer *signer,
                           char *why, size_t whylen);

/* The public key for a decoded x5c chain when the caller knows it (e.g. a cache of certificates
 * it verified): 0 with pub (65 bytes, P-256) filled, or 1 to read it from x5c[0]. */
typedef int (*sm_jws_key_fn)(void *arg, const struct sm_jws_signer *s, uint8_t pub[65],
                             size_t *publen);
/* sm_jws_verify_detached with key consulted first (key may be NULL). */
int sm_jws_verify_detached_key(const char *jws, const json_t *payload, sm_jws_key_fn key, void *arg,
                               struct sm_jws_signer *signer, char *why, size_t whylen);

#endif
