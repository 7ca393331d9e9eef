/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_PEER_H
#define SMDB_PEER_H

/*
 * Calls to another entity's API (SM-DP -> SM-SR over ES3, SM-SR -> SM-SR over ES7;
 * architecture 4): the peer is an enabled entity of the expected role whose callback URL is the
 * base of its API (https://host:port/gsma). Functions are POSTed to <base>/<iface>/<function>;
 * an asynchronous call is answered 202 and its result read with GET <base>/operations/<call>
 * (the peer also POSTs it to our own callback URL).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/entity.h"
#include "sm/http_client.h"
#include "sm/status.h"
#include "smdb/db.h"

enum smdb_peer_answer {
    SMDB_PEER_DONE = 0,     /* answered at once with success: *answer is the body */
    SMDB_PEER_REFUSED = 1,  /* answered with a failure: st is its status, *answer the body */
    SMDB_PEER_ACCEPTED = 2, /* 202: the result comes later */
};

/* The peer's base URL into base (size n): 0, or -EHOSTUNREACH when peer_id is not an enabled
 * entity of role with a base URL (or is self_id), or -EIO. */
int smdb_peer_base(struct smdb *db, const char *self_id, const char *peer_id, enum sm_role role,
                   char *base, size_t n);

/*
 * POST members (a header is added: requester self_id, call_id, validityPeriod when validity > 0
 * seconds) to <base>/<path>. Returns an enum
 * smdb_peer_answer, or -errno on transport failure or an answer without an SGP.02 status (err
 * says what). members is taken.
 */
int smdb_peer_call(struct smdb *db, struct sm_http_client *http, const char *self_id,
                   const char *peer_id, enum sm_role role, const char *path, const char *call_id,
                   int64_t validity, json_t *members, json_t **answer, struct sm_status *st,
                   char *err, size_t errlen);

/* The result of our call call_id at the peer: *response is the final response once the
 * operation is done, NULL while it runs. Returns 0, or -errno (-ENOENT: the peer does not know
 * the call; err says what). */
int smdb_peer_result(struct smdb *db, struct sm_http_client *http, const char *self_id,
                     const char *peer_id, enum sm_role role, const char *call_id, json_t **response,
                     char *err, size_t errlen);

/* The status a final response carries (Executed-Success when it says nothing else); fills st
 * with an execution error of subject subj when it has none. */
void smdb_peer_status(const json_t *response, const char *subj, struct sm_status *st);

#endif
