/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_EIS_VERIFY_H
#define SM_EIS_VERIFY_H

/*
 * The trust checks of an EIS (sgp02-architecture 7.1 and 7.2 step 2; the SM-SR at ES1 and
 * ES7, the SM-DP before ES8 key establishment): the EUM's
 * signature over eumSignedInfo (detached JWS, sm/jws.h) made with a certificate that chains to
 * a trusted CI, and CERT.ECASD.ECKA (GP format) signed by that EUM key, naming the card's EID.
 * Failures fill st with the SGP.02 codes: 8.6 EIS / 6.1 for the signature and the EUM
 * certificate, 8.5.2 ECASD certificate / 6.1 or 6.3 for the ECASD certificate.
 */
#include <jansson.h>
#include <stdint.h>

#include "sm/status.h"

/* The EUM key that signed, from its verified certificate. */
struct sm_eum_signer {
    uint8_t pub[65];
    size_t publen;
    uint8_t ski[32]; /* subjectKeyIdentifier; skilen 0 when absent */
    size_t skilen;
    uint8_t fingerprint[32]; /* SHA-256 of the certificate (DER) */
};

/* The trusted CIs (PEM certificates) and the EUM chains verified against them so far: an EIS of
 * the same EUM carries the same x5c, verified once per validity window. Thread-safe. */
struct sm_eis_trust;
/* Returns 0, -errno (file), -EINVAL (no certificate in it) or -ENOMEM; logs what it loaded. */
int sm_eis_trust_load(const char *pem_path, struct sm_eis_trust **out);
void sm_eis_trust_free(struct sm_eis_trust *t);

/* Verify jws over signed_info and the signer's certificate against the trusted CIs at time
 * now (seconds). Returns 0, -EKEYREJECTED with st filled, or -ENOMEM. */
int sm_eis_verify_eum_signature(struct sm_eis_trust *t, const json_t *signed_info, const char *jws,
                              int64_t now, struct sm_eum_signer *out, struct sm_status *st);

/* Verify CERT.ECASD.ECKA (7F21 TLV) for eid with the EUM key on day today (YYYYMMDD); the
 * card's public key goes to pub. Returns 0 or -EKEYREJECTED with st filled. */
int sm_eis_verify_ecasd_cert(const uint8_t *der, size_t len, const char *eid,
                           const struct sm_eum_signer *eum, uint32_t today, uint8_t pub[65],
                           size_t *publen, struct sm_status *st);

#endif
