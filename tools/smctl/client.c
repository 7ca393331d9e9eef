/* SPDX-License-Identifier: Apache-2.0 */
/* Who smctl is and where it calls (client.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "sm/cfg.h"
#include "sm/json.h"

#define OFF(f) offsetof(struct smctl_client, f)

static const struct sm_cfg_key keys[] = {
    {"smctl", "smdp", SM_CFG_STRING, OFF(smdp), "", 0, 0, NULL,
     "base URL of the SM-DP (ES2), e.g. https://sm-dp.example:8443"},
    {"smctl", "smsr", SM_CFG_STRING, OFF(smsr), "", 0, 0, NULL,
     "base URL of the SM-SR (ES1, ES4), e.g. https://sm-sr.example:9443"},
    {"smctl", "ca", SM_CFG_PATH, OFF(ca), NULL, 0, 0, NULL, "PEM CAs of the servers' certificates"},
    {"smctl", "cert", SM_CFG_PATH, OFF(cert), NULL, 0, 0, NULL,
     "the client certificate (PEM): the MNO's, the EUM's or the admin's"},
    {"smctl", "key", SM_CFG_PATH, OFF(key), NULL, 0, 0, NULL, "its private key (PEM)"},
    {"smctl", "id", SM_CFG_STRING, OFF(id), NULL, 0, 0, NULL,
     "the caller's OID: functionRequesterIdentifier of every request"},
    {"smctl", "smsr_id", SM_CFG_STRING, OFF(smsr_id), "", 0, 0, NULL,
     "the SM-SR's OID for ES2 requests that do not give --smsr-id"},
    {"smctl", "timeout", SM_CFG_INT, OFF(timeout), "300", 1, 86400, NULL,
     "seconds to wait for an asynchronous operation's result (--timeout)"},
};

static const struct sm_cfg_table table = {keys, sizeof(keys) / sizeof(keys[0])};

const char smctl_conn_help[] =
    "connection (docs/smctl.md):\n"
    "  --config FILE   smctl.conf ([smctl] smdp, smsr, ca, cert, key, id, smsr_id, timeout);\n"
    "                  default $SMCTL_CONFIG, else ./smctl.conf\n"
    "  --stack FILE --as NAME\n"
    "                  a dev-stack.json (./run.sh writes var/dev-stack.json) and the identity\n"
    "                  in it: mno1, mno2, eum1 or admin\n";

int smctl_conn_option(int argc, char **argv, int *i, struct smctl_conn_opts *o)
{
    const char **f = !strcmp(argv[*i], "--config")  ? &o->config
                     : !strcmp(argv[*i], "--stack") ? &o->stack
                     : !strcmp(argv[*i], "--as")    ? &o->as
                                                    : NULL;

    if (!f)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *f = argv[++*i];
    return 1;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int from_stack(const struct smctl_conn_opts *o, struct smctl_client *c)
{
    json_error_t je;
    json_t *s = json_load_file(o->stack, 0, &je), *who = NULL, *v;
    size_t i;

    if (!s) {
        fprintf(stderr, "smctl: %s: %s\n", o->stack, je.text);
        return -1;
    }
    if (o->as && !strcmp(o->as, "admin"))
        who = json_object_get(s, "admin");
    v = json_object_get(s, "eum");
    if (o->as && sm_json_str(v, "name") && !strcmp(o->as, sm_json_str(v, "name")))
        who = v;
    json_array_foreach(json_object_get(s, "mnos"), i, v)
        if (o->as && !strcmp(sm_json_str(v, "name") ? sm_json_str(v, "name") : "", o->as))
            who = v;
    if (!who) {
        fprintf(stderr, "smctl: %s has no identity '%s' (--as mno1, mno2, eum1 or admin)\n",
                o->stack, o->as ? o->as : "");
        json_decref(s);
        return -1;
    }
    c->smdp = dup_or_null(sm_json_str(s, "smdp"));
    c->smsr = dup_or_null(sm_json_str(s, "smsr"));
    c->ca = dup_or_null(sm_json_str(s, "ca"));
    c->smsr_id = dup_or_null(sm_json_str(s, "smsrId"));
    c->cert = dup_or_null(sm_json_str(who, "cert"));
    c->key = dup_or_null(sm_json_str(who, "key"));
    /* the admin has no OID in the stack: it calls no function */
    c->id = dup_or_null(sm_json_str(who, "id") ? sm_json_str(who, "id") : "admin");
    c->timeout = 300;
    json_decref(s);
    return 0;
}

int smctl_client_open(const struct smctl_conn_opts *o, struct smctl_client *c)
{
    const char *path = o->config ? o->config : getenv("SMCTL_CONFIG");
    struct sm_http_client_config hc = {.retries = 2, .timeout_ms = 60000};

    memset(c, 0, sizeof(*c));
    if (o->stack) {
        if (from_stack(o, c))
            return -1;
    } else {
        struct sm_cfg_error err;

        if (!path && access("smctl.conf", R_OK) == 0)
            path = "smctl.conf";
        if (!path) {
            fprintf(stderr, "smctl: no configuration: --config FILE, $SMCTL_CONFIG, ./smctl.conf "
                            "or --stack FILE --as NAME\n");
            return -1;
        }
        if (sm_cfg_load(path, &table, 1, c, &err)) {
            sm_cfg_error_print(&err, "smctl", stderr);
            return -1;
        }
    }
    hc.ca_file = c->ca;
    hc.cert_file = c->cert;
    hc.key_file = c->key;
    if (!c->ca || !c->cert || !c->key || sm_http_client_global_init() ||
        sm_http_client_new(&hc, &c->http)) {
        fprintf(stderr, "smctl: cannot set up the HTTPS client (CA, certificate or key?)\n");
        smctl_client_close(c);
        return -1;
    }
    return 0;
}

void smctl_client_close(struct smctl_client *c)
{
    sm_http_client_free(c->http);
    free(c->smdp);
    free(c->smsr);
    free(c->ca);
    free(c->cert);
    free(c->key);
    free(c->id);
    free(c->smsr_id);
    memset(c, 0, sizeof(*c));
}

const char *smctl_client_base(const struct smctl_client *c, const char *iface)
{
    const char *b = !strcmp(iface, "es2") ? c->smdp : c->smsr;

    return b && b[0] ? b : NULL;
}
