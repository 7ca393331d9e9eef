/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smctl eis register: an EUM registers eUICCs with an SM-SR (ES1.RegisterEIS), one EIS file
 * (or every *.json of a directory) per call. The functionCallIdentifier is derived from the
 * EID, so running the command again is a retry that gets the recorded answers (SGP.02 3.3).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sm/http_client.h"
#include "sm/json.h"
#include "smctl.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smctl eis register [OPTIONS] FILE.json|DIR ...\n"
            "  Register the EIS files (as euicc-sim writes them) with an SM-SR over ES1, as the\n"
            "  EUM. Prints one line per EID; exit 1 when any registration failed.\n"
            "options:\n"
            "  --stack FILE    take the URL, CA, EUM certificate, key and OID from a\n"
            "                  dev-stack.json (./run.sh writes var/dev-stack.json)\n"
            "  --url URL       the SM-SR API, e.g. https://127.0.0.1:9443\n"
            "  --ca FILE       CA of the SM-SR's certificate\n"
            "  --cert FILE     the EUM's client certificate    --key FILE  its key\n"
            "  --eum-id OID    functionRequesterIdentifier (the EUM's OID)\n");
}

struct eis_opts {
    char *url, *ca, *cert, *key, *eum_id;
};

static int from_stack(const char *path, struct eis_opts *o)
{
    json_error_t je;
    json_t *s = json_load_file(path, 0, &je), *eum;

    if (!s) {
        fprintf(stderr, "smctl eis: %s: %s\n", path, je.text);
        return -EINVAL;
    }
    eum = json_object_get(s, "eum");
#define TAKE(field, obj, name)                                                                     \
    if (!o->field && sm_json_str(obj, name))                                                       \
        o->field = strdup(sm_json_str(obj, name));
    TAKE(url, s, "smsr");
    TAKE(ca, s, "ca");
    TAKE(cert, eum, "cert");
    TAKE(key, eum, "key");
    TAKE(eum_id, eum, "id");
#undef TAKE
    json_decref(s);
    return 0;
}

/* Register one file; prints its line. Returns 0 when registered. */
static int register_one(struct sm_http_client *http, const struct eis_opts *o, const char *file)
{
    char url[512], call_id[64], status[64] = "";
    struct sm_http_result res = {0};
    json_error_t je;
    json_t *eis = json_load_file(file, JSON_REJECT_DUPLICATES, &je), *req = NULL, *resp = NULL;
    const char *eid = NULL, *st;
    json_t *fes, *scd;
    int rc = -1;

    if (!eis) {
        printf("%s: not JSON: %s (line %d)\n", file, je.text, je.line);
        return -1;
    }
    eid = sm_json_str(json_object_get(eis, "eumSignedInfo"), "eid");
    snprintf(call_id, sizeof(call_id), "registerEIS-%s", eid ? eid : "unknown");
    req = json_pack("{s:{s:s, s:s}, s:O}", "header", "functionRequesterIdentifier", o->eum_id,
                    "functionCallIdentifier", call_id, "eis", eis);
    snprintf(url, sizeof(url), "%s/gsma/es1/registerEIS", o->url);
    if (!req || sm_http_post_json(http, url, req, &res, &resp)) {
        printf("%s: %s\n", eid ? eid : file, res.error[0] ? res.error : "request failed");
        goto out;
    }
    fes = json_object_get(json_object_get(resp, "header"), "functionExecutionStatus");
    st = sm_json_str(fes, "status");
    scd = json_object_get(fes, "statusCodeData");
    if (st && !strcmp(st, "Executed-Success")) {
        printf("%s registered\n", eid);
        rc = 0;
    } else {
        snprintf(status, sizeof(status), "%s", st ? st : "no status");
        printf("%s: HTTP %ld %s %s/%s: %s\n", eid ? eid : file, res.status, status,
               sm_json_str(scd, "subjectCode") ? sm_json_str(scd, "subjectCode") : "-",
               sm_json_str(scd, "reasonCode") ? sm_json_str(scd, "reasonCode") : "-",
               sm_json_str(scd, "message") ? sm_json_str(scd, "message") : "");
    }
out:
    json_decref(resp);
    json_decref(req);
    json_decref(eis);
    sm_http_result_free(&res);
    return rc;
}

static int is_json(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

int smctl_eis(int argc, char **argv)
{
    static const struct option opts[] = {
        {"stack", required_argument, NULL, 's'}, {"url", required_argument, NULL, 'u'},
        {"ca", required_argument, NULL, 'a'},    {"cert", required_argument, NULL, 'c'},
        {"key", required_argument, NULL, 'k'},   {"eum-id", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    struct eis_opts o = {0};
    const char *stack = NULL;
    struct sm_http_client *http = NULL;
    unsigned ok = 0, failed = 0;
    int c, rc = SMCTL_USAGE;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char **f = c == 'u'   ? &o.url
                   : c == 'a' ? &o.ca
                   : c == 'c' ? &o.cert
                   : c == 'k' ? &o.key
                   : c == 'e' ? &o.eum_id
                              : NULL;

        if (f) {
            free(*f);
            *f = strdup(optarg);
        } else if (c == 's') {
            stack = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return SMCTL_OK;
        } else {
            usage(stderr);
            return SMCTL_USAGE;
        }
    }
    if (optind + 2 > argc || strcmp(argv[optind], "register")) {
        usage(stderr);
        goto out;
    }
    if (stack && from_stack(stack, &o))
        goto out;
    if (!o.url || !o.ca || !o.cert || !o.key || !o.eum_id) {
        fprintf(stderr, "smctl eis: --url, --ca, --cert, --key and --eum-id are needed "
                        "(or --stack)\n");
        goto out;
    }
    if (sm_http_client_global_init() ||
        sm_http_client_new(
            &(struct sm_http_client_config){
                .ca_file = o.ca, .cert_file = o.cert, .key_file = o.key, .retries = 2},
            &http)) {
        fprintf(stderr, "smctl eis: cannot set up the HTTPS client (certificate or key?)\n");
        rc = SMCTL_FAILED;
        goto out;
    }
    for (int i = optind + 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            struct dirent **names;
            int n = scandir(argv[i], &names, is_json, alphasort);

            for (int j = 0; j < n; j++) {
                char path[4096];

                snprintf(path, sizeof(path), "%s/%s", argv[i], names[j]->d_name);
                register_one(http, &o, path) ? failed++ : ok++;
                free(names[j]);
            }
            if (n >= 0)
                free(names);
        } else {
            register_one(http, &o, argv[i]) ? failed++ : ok++;
        }
    }
    printf("%u registered, %u failed\n", ok, failed);
    rc = failed ? SMCTL_FAILED : SMCTL_OK;
out:
    sm_http_client_free(http);
    free(o.url);
    free(o.ca);
    free(o.cert);
    free(o.key);
    free(o.eum_id);
    return rc;
}
