/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMCTL_CALL_H
#define SMCTL_CALL_H

/* One ES function called and, when it is asynchronous, waited for (call.c). */
#include <jansson.h>
#include <stdbool.h>

#include "client.h"

enum smctl_outcome {
    SMCTL_DONE,     /* *out: the final response */
    SMCTL_RUNNING,  /* accepted and not waited for, or still running at the timeout; *out: the
                       operation ({functionCallIdentifier, function, state}) */
    SMCTL_NO_REPLY, /* transport failure or an answer without an SGP.02 status; *out NULL */
};

/*
 * POST members (taken; a header is added: c->id, call_id, validity seconds when > 0) to
 * <base of iface>/gsma/<iface>/<function>; with wait, poll GET /gsma/operations/<call_id> until
 * done or timeout seconds passed. err says what went wrong for SMCTL_NO_REPLY.
 */
enum smctl_outcome smctl_invoke(struct smctl_client *c, const char *iface, const char *function,
                                json_t *members, const char *call_id, long validity, bool wait,
                                long timeout, json_t **out, char *err, size_t errlen);
/* GET /gsma/operations/<call_id> at the server of iface, waited for like smctl_invoke. */
enum smctl_outcome smctl_operation(struct smctl_client *c, const char *iface, const char *call_id,
                                   bool wait, long timeout, json_t **out, char *err, size_t errlen);
/* A call identifier nobody else uses: smctl-<time>-<random>. */
void smctl_new_call_id(char *out, size_t n);
/* The exit code an outcome means: 0 success or warning, 1 failed / expired / no reply,
 * 3 still running. */
int smctl_exit_of(enum smctl_outcome o, const json_t *resp);
/* Print an outcome: human (status line, then the response's members) or one JSON line. */
void smctl_print_outcome(const char *function, const char *call_id, enum smctl_outcome o,
                         const json_t *resp, const char *err, bool json);

#endif
