/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Passing the SM-SR's notifications on to the MNO (ES2), shared by the ES3 notification
 * handlers: a POST to the MNO's callback URL, the SM-SR's call identifier kept so that the MNO
 * can tell a repetition. When it fails, the SM-SR is answered 503 and the call is not journaled:
 * the SM-SR's outbox delivers again, and the next delivery runs the handler again.
 */
#include <errno.h>
#include <stdio.h>

#include "sm/api_header.h"
#include "sm/entity.h"
#include "sm/err.h"
#include "sm/http_client.h"
#include "sm/log.h"
#include "smdb/db.h"
#include "smdp.h"

int smdp_tell_mno(struct smdp_app *a, const char *mno, const char *path, const char *call_id,
                  json_t *members, char *why, size_t whylen)
{
    struct sm_http_result res = {0};
    struct sm_entity e;
    char url[700];
    json_t *answer = NULL;
    int rc = smdb_entity_get(a->db, mno, &e);

    if (rc || e.role != SM_ROLE_MNO || !e.callback_url[0]) {
        SM_LOGI(SM_LOG_API, mno, "%s not passed on: no callback URL", path);
        json_decref(members);
        return 0;
    }
    snprintf(url, sizeof(url), "%s/%s", e.callback_url, path);
    json_object_set_new(members, "header", sm_req_header_build(a->cfg->base.id, call_id, 0));
    rc = sm_http_post_json(a->http, url, members, &res, &answer);
    json_decref(answer);
    json_decref(members);
    if (!rc && (res.status < 200 || res.status > 299))
        rc = -EPROTO;
    if (rc)
        snprintf(why, whylen, "%s: %s", url,
                 res.error[0] ? res.error
                 : res.status ? "refused"
                              : sm_strerror(rc));
    sm_http_result_free(&res);
    return rc;
}

int smdp_tell_later(struct sm_status *st, const char *subject, const char *mno)
{
    sm_status_fail(st, 503, subject, SM_RSN_INACCESSIBLE, mno,
                   "the MNO could not be told yet: send the notification again later");
    return SM_API_RETRY;
}
