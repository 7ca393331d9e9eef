/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMCTL_CLIENT_H
#define SMCTL_CLIENT_H

/*
 * Who smctl is and where it calls (client.c): the SM-DP's and the SM-SR's API, the CA of their
 * certificates, the client certificate and key, and the OID that goes into every request's
 * functionRequesterIdentifier. From a configuration file (smctl.conf, [smctl] keys; --config,
 * else $SMCTL_CONFIG, else ./smctl.conf) or from a dev-stack.json and an identity in it
 * (--stack FILE --as mno1). smctl speaks HTTPS with that certificate only.
 */
#include <stdbool.h>

#include "sm/http_client.h"

struct smctl_client {
    char *smdp, *smsr, *ca, *cert, *key, *id, *smsr_id;
    long timeout; /* seconds to wait for an asynchronous operation */
    struct sm_http_client *http;
};

/* The global options every calling command takes. */
struct smctl_conn_opts {
    const char *config, *stack, *as;
};

/* Parse --config/--stack/--as at argv[*i] (advancing *i); 1 when it was one of them, 0 when
 * not, -1 on a missing value. */
int smctl_conn_option(int argc, char **argv, int *i, struct smctl_conn_opts *o);
extern const char smctl_conn_help[];

/* Returns 0, or -1 with the reason printed. */
int smctl_client_open(const struct smctl_conn_opts *o, struct smctl_client *c);
void smctl_client_close(struct smctl_client *c);
/* The base URL for interface iface (es2: the SM-DP; es1, es4: the SM-SR), or NULL. */
const char *smctl_client_base(const struct smctl_client *c, const char *iface);

#endif
