/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "smctl.h"

#ifndef SM_VERSION
#define SM_VERSION "0.0.0"
#endif

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"es1", smctl_call, "ES1 functions at the SM-SR, as the EUM: es1 registerEIS ..."},
    {"es2", smctl_call, "ES2 functions at the SM-DP, as an MNO: es2 downloadProfile ..."},
    {"es4", smctl_call, "ES4 functions at the SM-SR, as an MNO: es4 enableProfile ..."},
    {"operation", smctl_operation_cmd, "an earlier call's state or result: operation IFACE ID"},
    {"batch", smctl_batch, "one call per row of a CSV or JSON-lines file: batch FUNCTION FILE"},
    {"eis", smctl_eis, "eUICC registration (ES1, as the EUM): eis register FILE|DIR..."},
    {"pki", smctl_pki, "development PKI: pki init DIR"},
    {"profile", smctl_profile, "profile packages: templates, build, dump, convert, check, batch"},
    {"subscriber", smctl_subscriber, "auc-gw's subscribers: subscriber import|add|list|remove"},
    {"vectors", smctl_vectors, "check known-answer vector files: vectors check FILE..."},
};

static void usage(FILE *f)
{
    fprintf(f, "smctl - operator CLI of the SGP.02 subscription manager\n\n"
               "usage: smctl COMMAND [ARGS] (smctl COMMAND --help for details)\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nexit codes: 0 success, 1 operation failed, 2 usage error, 3 not finished yet\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? SMCTL_USAGE : SMCTL_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("smctl %s\n", SM_VERSION);
        return SMCTL_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "smctl: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return SMCTL_USAGE;
}
