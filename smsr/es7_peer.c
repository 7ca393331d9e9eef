/* SPDX-License-Identifier: Apache-2.0 */
/* Calls to the other SM-SR of an SM-SR change and their results (es7_peer.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "es7_peer.h"
#include "sm/api_header.h"
#include "sm/entity.h"
#include "sm/err.h"
#include "sm/json.h"
#include "smdb/db.h"
#include "smdb/peer.h"

int smsr_peer_check(const struct smsr_app *a, const char *peer_id, struct sm_status *st)
{
    char base[600];
    int rc = smdb_peer_base(a->db, a->cfg->base.id, peer_id, SM_ROLE_SMSR, base, sizeof(base));

    if (rc == -EHOSTUNREACH) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_UNKNOWN, peer_id,
                       "%s is not an SM-SR this SM-SR works with (an enabled entity of role "
                       "smsr with the base URL of its API)",
                       peer_id);
        return 1;
    }
    return rc;
}

int smsr_cannot_take_over(const struct smsr_app *a, struct sm_status *st)
{
    if (a->sr_cert_len)
        return 0;
    sm_status_fail(st, 200, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, a->cfg->base.id,
                   "this SM-SR cannot take cards over: no CERT.SR.ECDSA (es7.certificate)");
    return 1;
}

int smsr_peer_call(struct smsr_app *a, struct sm_http_client *http, const char *peer_id,
                   const char *function, const char *call_id, json_t *members, json_t **answer,
                   struct sm_status *st, char *err, size_t errlen)
{
    char path[128];
    int rc;

    snprintf(path, sizeof(path), "es7/%s", function);
    rc = smdb_peer_call(a->db, http, a->cfg->base.id, peer_id, SM_ROLE_SMSR, path, call_id, 0,
                        members, answer, st, err, errlen);
    if (rc == SMDB_PEER_REFUSED) {
        json_decref(*answer);
        *answer = NULL;
        return 1;
    }
    return rc == SMDB_PEER_ACCEPTED ? 0 : rc;
}

int smsr_peer_result(struct smsr_app *a, struct sm_http_client *http, const char *peer_id,
                     const char *call_id, json_t **response, char *err, size_t errlen)
{
    return smdb_peer_result(a->db, http, a->cfg->base.id, peer_id, SM_ROLE_SMSR, call_id, response,
                            err, errlen);
}

void smsr_peer_status(const json_t *response, struct sm_status *st)
{
    smdb_peer_status(response, SM_SUBJ_SMSR, st);
}
