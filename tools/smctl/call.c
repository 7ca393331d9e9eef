/* SPDX-License-Identifier: Apache-2.0 */
/* One ES function called and waited for (call.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "call.h"
#include "sm/api_header.h"
#include "sm/err.h"
#include "sm/json.h"
#include "sm/rng.h"
#include "sm/status.h"
#include "smctl.h"

void smctl_new_call_id(char *out, size_t n)
{
    uint8_t r[6] = {0};

    sm_rng_bytes(&sm_rng_system, r, sizeof(r));
    snprintf(out, n, "smctl-%lld-%02x%02x%02x%02x%02x%02x", (long long)time(NULL), r[0], r[1], r[2],
             r[3], r[4], r[5]);
}

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* GET the operation once: 0 with *op (its JSON), or -1 with err. */
static int get_operation(struct smctl_client *c, const char *base, const char *call_id, json_t **op,
                         char *err, size_t errlen)
{
    struct sm_http_result res = {0};
    char url[700];
    int rc;

    snprintf(url, sizeof(url), "%s/gsma/operations/%s", base, call_id);
    rc = sm_http_get(c->http, url, &res);
    *op = !rc && res.status == 200 ? json_loadb((const char *)res.body.data, res.body.len, 0, NULL)
                                   : NULL;
    if (!*op)
        snprintf(err, errlen, "%s: %s", url,
                 rc                  ? (res.error[0] ? res.error : sm_strerror(rc))
                 : res.status == 404 ? "no such operation of this caller"
                                     : "unexpected answer");
    sm_http_result_free(&res);
    return *op ? 0 : -1;
}

/* Poll until done or the deadline; op is taken. */
static enum smctl_outcome wait_done(struct smctl_client *c, const char *base, const char *call_id,
                                    json_t *op, long timeout, json_t **out, char *err,
                                    size_t errlen)
{
    double end = mono() + (double)timeout, pause = 0.2;

    for (;;) {
        const char *state = sm_json_str(op, "state");

        if (state && !strcmp(state, "done") && json_is_object(json_object_get(op, "response"))) {
            *out = json_incref(json_object_get(op, "response"));
            json_decref(op);
            return SMCTL_DONE;
        }
        if (mono() + pause > end) {
            *out = op;
            return SMCTL_RUNNING;
        }
        usleep((useconds_t)(pause * 1e6));
        pause = pause < 2 ? pause * 1.5 : 2;
        json_decref(op);
        if (get_operation(c, base, call_id, &op, err, errlen)) {
            *out = NULL;
            return SMCTL_NO_REPLY;
        }
    }
}

enum smctl_outcome smctl_invoke(struct smctl_client *c, const char *iface, const char *function,
                                json_t *members, const char *call_id, long validity, bool wait,
                                long timeout, json_t **out, char *err, size_t errlen)
{
    const char *base = smctl_client_base(c, iface);
    struct sm_http_result res = {0};
    struct sm_status st;
    json_t *body = NULL;
    char url[700];
    int rc;

    *out = NULL;
    if (!base) {
        snprintf(err, errlen, "no URL for %s in the configuration (%s)", iface,
                 strcmp(iface, "es2") ? "smsr" : "smdp");
        json_decref(members);
        return SMCTL_NO_REPLY;
    }
    json_object_set_new(members, "header", sm_req_header_build(c->id, call_id, validity));
    snprintf(url, sizeof(url), "%s/gsma/%s/%s", base, iface, function);
    rc = sm_http_post_json(c->http, url, members, &res, &body);
    json_decref(members);
    if (rc) {
        snprintf(err, errlen, "%s: %s", url, res.error[0] ? res.error : sm_strerror(rc));
        sm_http_result_free(&res);
        json_decref(body);
        return SMCTL_NO_REPLY;
    }
    if (res.status == 202 && body) {
        sm_http_result_free(&res);
        if (!wait) {
            *out = body;
            return SMCTL_RUNNING;
        }
        return wait_done(c, base, call_id, body, timeout, out, err, errlen);
    }
    if (!body || sm_resp_parse_status(body, &st)) {
        snprintf(err, errlen, "%s: HTTP %ld without an SGP.02 answer", url, res.status);
        sm_http_result_free(&res);
        json_decref(body);
        return SMCTL_NO_REPLY;
    }
    sm_http_result_free(&res);
    *out = body;
    return SMCTL_DONE;
}

enum smctl_outcome smctl_operation(struct smctl_client *c, const char *iface, const char *call_id,
                                   bool wait, long timeout, json_t **out, char *err, size_t errlen)
{
    const char *base = smctl_client_base(c, iface);
    json_t *op;

    *out = NULL;
    if (!base) {
        snprintf(err, errlen, "no URL for %s in the configuration", iface);
        return SMCTL_NO_REPLY;
    }
    if (get_operation(c, base, call_id, &op, err, errlen))
        return SMCTL_NO_REPLY;
    return wait_done(c, base, call_id, op, wait ? timeout : 0, out, err, errlen);
}

int smctl_exit_of(enum smctl_outcome o, const json_t *resp)
{
    struct sm_status st;

    if (o == SMCTL_RUNNING)
        return SMCTL_RUNNING_EXIT;
    if (o != SMCTL_DONE || sm_resp_parse_status(resp, &st))
        return SMCTL_FAILED;
    return st.status == SM_EXEC_SUCCESS || st.status == SM_EXEC_WARNING ? SMCTL_OK : SMCTL_FAILED;
}

void smctl_print_outcome(const char *function, const char *call_id, enum smctl_outcome o,
                         const json_t *resp, const char *err, bool json)
{
    struct sm_status st;

    if (json) {
        json_t *line = json_pack("{s:s, s:s, s:s}", "function", function, "functionCallIdentifier",
                                 call_id, "state",
                                 o == SMCTL_DONE      ? "done"
                                 : o == SMCTL_RUNNING ? "running"
                                                      : "no-reply");
        char *text;

        if (o == SMCTL_DONE)
            json_object_set(line, "response", (json_t *)resp);
        else if (o == SMCTL_NO_REPLY)
            json_object_set_new(line, "error", json_string(err));
        text = line ? json_dumps(line, JSON_COMPACT) : NULL;
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(line);
        return;
    }
    if (o == SMCTL_NO_REPLY) {
        printf("%s %s: no answer: %s\n", function, call_id, err);
        return;
    }
    if (o == SMCTL_RUNNING) {
        printf("%s %s: %s (smctl operation ... %s)\n", function, call_id,
               sm_json_str(resp, "state") ? sm_json_str(resp, "state") : "running", call_id);
        return;
    }
    if (sm_resp_parse_status(resp, &st)) {
        printf("%s %s: answer without a status\n", function, call_id);
        return;
    }
    printf("%s", sm_exec_status_name(st.status));
    if (st.subject[0])
        printf(" %s/%s", st.subject, st.reason);
    if (st.subject_id[0])
        printf(" [%s]", st.subject_id);
    if (st.message[0])
        printf(": %s", st.message);
    printf("\n");
    {
        const char *k;
        json_t *v;

        json_object_foreach((json_t *)resp, k, v) {
            char *text;

            if (!strcmp(k, "header"))
                continue;
            text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            printf("  %s: %s\n", k, text ? text : json_string_value(v));
            free(text);
        }
    }
}
