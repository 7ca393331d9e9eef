/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smctl es1|es2|es4 FUNCTION [OPTIONS]: any function of the catalogue, its members as options
 * named after them (profileType: --profile-type), checked against the function's schema for
 * presence and JSON type; the call's answer printed, an asynchronous one waited for. smctl
 * operation IFACE ID: an earlier call's state or result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call.h"
#include "catalogue.h"
#include "client.h"
#include "sm/entity.h"
#include "sm/json.h"
#include "smctl.h"

static const char common_help[] =
    "options of every call:\n"
    "  --json          one JSON object per line instead of text\n"
    "  --no-wait       return when the call is accepted (exit 3); smctl operation tells later\n"
    "  --timeout S     seconds to wait for an asynchronous result (default: the config's)\n"
    "  --call-id ID    functionCallIdentifier (default: a new one); the same ID again is a\n"
    "                  retry the server answers from its journal\n"
    "  --validity S    validityPeriod of the request\n"
    "  --body JSON|@FILE  members as one JSON object (options override its members)\n";

static const char *const ifaces[] = {"es1", "es2", "es4", NULL};

static void usage_iface(const char *iface, FILE *f)
{
    fprintf(f,
            "usage: smctl %s FUNCTION [OPTIONS] (smctl %s FUNCTION --help for its members)\n"
            "functions:\n",
            iface, iface);
    smctl_list_functions(iface, f);
    fprintf(f, "%s%s", common_help, smctl_conn_help);
    fprintf(f, "exit codes: 0 Executed-Success or -WithWarning, 1 Failed, Expired or no answer,\n"
               "  2 usage or configuration, 3 not finished yet (--no-wait, --timeout)\n");
}

int smctl_call(int argc, char **argv)
{
    const char *iface = argv[0], *call_id = NULL;
    struct smctl_conn_opts conn = {0};
    struct smctl_function fn;
    struct smctl_client c;
    bool json = false, wait = true;
    long timeout = 0, validity = 0;
    json_t *members = json_object(), *resp = NULL;
    char why[300] = "", cid[SM_ID_MAX + 1], err[600] = "", fname[96];
    enum smctl_outcome o;
    int rc;

    if (argc < 2 || !strcmp(argv[1], "--help")) {
        usage_iface(iface, argc < 2 ? stderr : stdout);
        json_decref(members);
        return argc < 2 ? SMCTL_USAGE : SMCTL_OK;
    }
    if (smctl_function(iface, argv[1], &fn)) {
        fprintf(stderr, "smctl %s: no function %s\n", iface, argv[1]);
        usage_iface(iface, stderr);
        json_decref(members);
        return SMCTL_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        char opt[96], *eq;
        const char *val;
        int k = smctl_conn_option(argc, argv, &i, &conn);

        if (k) {
            if (k < 0)
                snprintf(why, sizeof(why), "%s takes a value", argv[i]);
            if (k < 0)
                goto usage;
            continue;
        }
        if (strncmp(argv[i], "--", 2)) {
            snprintf(why, sizeof(why), "unexpected argument '%s'", argv[i]);
            goto usage;
        }
        snprintf(opt, sizeof(opt), "%s", argv[i] + 2);
        eq = strchr(opt, '=');
        if (eq)
            *eq = 0;
        val = eq ? argv[i] + 2 + (eq - opt) + 1 : NULL;
        if (!strcmp(opt, "help")) {
            smctl_function_usage(&fn, stdout);
            printf("%s%s", common_help, smctl_conn_help);
            json_decref(members);
            return SMCTL_OK;
        }
        if (!strcmp(opt, "json")) {
            json = true;
            continue;
        }
        if (!strcmp(opt, "no-wait")) {
            wait = false;
            continue;
        }
        {
            const struct smctl_member *m = NULL;
            bool takes = true;

            for (size_t j = 0; j < fn.nmembers; j++)
                if (!strcmp(fn.member[j].option, opt))
                    m = &fn.member[j];
            if (m)
                takes = m->type != SMCTL_BOOL;
            else if (strcmp(opt, "timeout") && strcmp(opt, "call-id") && strcmp(opt, "validity") &&
                     strcmp(opt, "body")) {
                snprintf(why, sizeof(why), "%s.%s has no member --%s", iface, fn.name, opt);
                goto usage;
            }
            if (!val && takes) {
                if (i + 1 >= argc) {
                    snprintf(why, sizeof(why), "--%s takes a value", opt);
                    goto usage;
                }
                val = argv[++i];
            }
            if (m) {
                if (smctl_member_set(members, m, val, why, sizeof(why)))
                    goto usage;
            } else if (!strcmp(opt, "timeout") || !strcmp(opt, "validity")) {
                char *end;
                long x = strtol(val, &end, 10);

                if (!*val || *end || x < 1) {
                    snprintf(why, sizeof(why), "--%s takes seconds", opt);
                    goto usage;
                }
                *(!strcmp(opt, "timeout") ? &timeout : &validity) = x;
            } else if (!strcmp(opt, "call-id")) {
                call_id = val;
            } else {
                json_t *b = smctl_json_arg(val, why, sizeof(why));

                if (!json_is_object(b)) {
                    json_decref(b);
                    if (!why[0])
                        snprintf(why, sizeof(why), "--body takes a JSON object");
                    goto usage;
                }
                /* the options given so far win */
                json_object_update_missing(members, b);
                json_decref(b);
            }
        }
    }
    if (smctl_client_open(&conn, &c)) {
        json_decref(members);
        return SMCTL_USAGE;
    }
    /* ES2 names the SM-SR; the configuration's, unless the call says */
    for (size_t j = 0; j < fn.nmembers; j++)
        if (!strcmp(fn.member[j].name, "smsrId") && !json_object_get(members, "smsrId") &&
            c.smsr_id && c.smsr_id[0])
            json_object_set_new(members, "smsrId", json_string(c.smsr_id));
    for (size_t j = 0; j < fn.nmembers; j++)
        if (fn.member[j].required && !json_object_get(members, fn.member[j].name)) {
            snprintf(why, sizeof(why), "--%s is required", fn.member[j].option);
            smctl_client_close(&c);
            goto usage;
        }
    if (!call_id) {
        smctl_new_call_id(cid, sizeof(cid));
        call_id = cid;
    }
    snprintf(fname, sizeof(fname), "%s.%s", iface, fn.name);
    o = smctl_invoke(&c, iface, fn.name, members, call_id, validity, wait,
                     timeout ? timeout : c.timeout, &resp, err, sizeof(err));
    smctl_print_outcome(fname, call_id, o, resp, err, json);
    rc = smctl_exit_of(o, resp);
    json_decref(resp);
    smctl_client_close(&c);
    return rc;
usage:
    fprintf(stderr, "smctl %s %s: %s\n", iface, fn.name, why);
    smctl_function_usage(&fn, stderr);
    json_decref(members);
    return SMCTL_USAGE;
}

int smctl_operation_cmd(int argc, char **argv)
{
    struct smctl_conn_opts conn = {0};
    struct smctl_client c;
    const char *iface = NULL, *id = NULL;
    bool json = false, wait = false;
    long timeout = 0;
    json_t *resp = NULL;
    char err[600] = "";
    enum smctl_outcome o;
    int rc;

    for (int i = 1; i < argc; i++) {
        int k = smctl_conn_option(argc, argv, &i, &conn);

        if (k > 0)
            continue;
        if (k < 0 || !strcmp(argv[i], "--help"))
            goto usage;
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!strcmp(argv[i], "--wait"))
            wait = true;
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            timeout = atol(argv[++i]);
        else if (!iface && argv[i][0] != '-')
            iface = argv[i];
        else if (!id && argv[i][0] != '-')
            id = argv[i];
        else
            goto usage;
    }
    if (!iface || !id)
        goto usage;
    for (int i = 0; ifaces[i]; i++)
        if (!strcmp(ifaces[i], iface))
            iface = ifaces[i];
    if (smctl_client_open(&conn, &c))
        return SMCTL_USAGE;
    o = smctl_operation(&c, iface, id, wait, timeout ? timeout : c.timeout, &resp, err,
                        sizeof(err));
    smctl_print_outcome(iface, id, o, resp, err, json);
    rc = smctl_exit_of(o, resp);
    json_decref(resp);
    smctl_client_close(&c);
    return rc;
usage:
    fprintf(argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr,
            "usage: smctl operation es1|es2|es4 ID [--wait] [--timeout S] [--json]\n"
            "  The state of an earlier call (functionCallIdentifier ID) at the SM-DP (es2) or\n"
            "  the SM-SR (es1, es4), or its result once done; --wait waits for it.\n%s",
            smctl_conn_help);
    return argc > 1 && !strcmp(argv[1], "--help") ? SMCTL_OK : SMCTL_USAGE;
}
