/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_EIS_VERIFY_H
#define SMSR_EIS_VERIFY_H

/*
 * The trust checks of ES1.RegisterEIS (sgp02-architecture 7.1 and 7.2 step 2): the EUM's
 * signature over eumSignedInfo (detached JWS, sm/jws.h) made with a certificate that chains to
 * a trusted CI, and CERT.ECASD.ECKA (GP format) signed by that EUM key, naming the card's EID.
 * Failures fill st with the SGP.02 codes: 8.6 EIS / 6.1 for the signature and the EUM
 * certificate, 8.5.2 ECASD certificate / 6.1 or 6.3 for the ECASD certificate.
 */
#include <jansson.h>
#include <stdint.h>

#include "sm/status.h"
#include "smsr.h"

/* The EUM key that signed, from its verified certificate. */
struct smsr_eum_signer {
    uint8_t pub[65];
    size_t publen;
    uint8_t ski[32]; /* subjectKeyIdentifier; skilen 0 when absent */
    size_t skilen;
    uint8_t fingerprint[32]; /* SHA-256 of the certificate (DER) */
};

/* The chains verified so far (smsr_app.eum_cache): an EIS of the same EUM carries the same x5c,
 * verified once per validity window. */
struct smsr_eum_cache *smsr_eum_cache_new(void);
void smsr_eum_cache_free(struct smsr_eum_cache *c);

/* Verify jws over signed_info and the signer's certificate against the trusted CIs at time
 * now (seconds). Returns 0, -EKEYREJECTED with st filled, or -ENOMEM. */
int smsr_verify_eum_signature(const struct smsr_app *a, const json_t *signed_info, const char *jws,
                              int64_t now, struct smsr_eum_signer *out, struct sm_status *st);

/* Verify CERT.ECASD.ECKA (7F21 TLV) for eid with the EUM key on day today (YYYYMMDD); the
 * card's public key goes to pub. Returns 0 or -EKEYREJECTED with st filled. */
int smsr_verify_ecasd_cert(const uint8_t *der, size_t len, const char *eid,
                           const struct smsr_eum_signer *eum, uint32_t today, uint8_t pub[65],
                           size_t *publen, struct sm_status *st);

#endif
