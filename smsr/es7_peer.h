/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_ES7_PEER_H
#define SMSR_ES7_PEER_H

/*
 * The other SM-SR of an SM-SR change (ES7, sgp02-architecture 4.4, 7.8): calls to it and the
 * results of those calls. A peer is an entity of role smsr whose callback URL is the base of its
 * API (https://host:port/gsma): functions are POSTed to <base>/es7/<function>, results are read
 * with GET <base>/operations/<functionCallIdentifier>, and the peer POSTs results of our calls
 * to <base>/operations, which only makes us look again (the GET answer is what counts).
 */
#include <jansson.h>

#include "sm/http_client.h"
#include "sm/status.h"
#include "smsr.h"

/* The SM-SR peer_id if it is one we may deal with (role smsr, enabled, with a base URL). Fills
 * st (subject SM-SR) and returns 1 when not; 0 when it is; -errno on storage errors. */
int smsr_peer_check(const struct smsr_app *a, const char *peer_id, struct sm_status *st);

/* Without its GP certificate (es7.certificate) this SM-SR cannot be the new SM-SR of a card:
 * 1 with st set (1.2 / 3.7), else 0. */
int smsr_cannot_take_over(const struct smsr_app *a, struct sm_status *st);

/*
 * POST members (a header is added: requester self, call_id) to <peer>/es7/<function>. Returns 0
 * when the peer accepted the call (202) or answered it at once (200 with a header, *answer set
 * to the body), 1 when it refused (st set from its answer), -errno on transport failure (err
 * says what).
 */
int smsr_peer_call(struct smsr_app *a, struct sm_http_client *http, const char *peer_id,
                   const char *function, const char *call_id, json_t *members, json_t **answer,
                   struct sm_status *st, char *err, size_t errlen);

/* The result of our call call_id at the peer: *response is the final response once the
 * operation is done, NULL while it runs. Returns 0, or -errno (err says what). */
int smsr_peer_result(struct smsr_app *a, struct sm_http_client *http, const char *peer_id,
                     const char *call_id, json_t **response, char *err, size_t errlen);

/* The status a final response carries (Executed-Success when it says nothing else). */
void smsr_peer_status(const json_t *response, struct sm_status *st);

#endif
