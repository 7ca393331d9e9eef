/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sm/devpki.h"
#include "sm/err.h"
#include "smctl.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: smctl pki init DIR [--force]\n"
               "  Create a development PKI in DIR: a test root CA (ca.crt) and a certificate\n"
               "  and key for smdp and smsr (server and client) and for the clients mno1,\n"
               "  mno2, eum1 and admin, plus pki.json listing their roles and OIDs.\n"
               "  Existing files are kept unless --force. Every certificate carries the test\n"
               "  policy: daemons accept them only with test_mode = yes.\n");
}

int smctl_pki(int argc, char **argv)
{
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool force = false;
    int o, rc;

    optind = 0; /* glibc: 0 re-initialises getopt, argument permutation included */
    while ((o = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
        switch (o) {
        case 'f':
            force = true;
            break;
        case 'h':
            usage(stdout);
            return SMCTL_OK;
        default:
            usage(stderr);
            return SMCTL_USAGE;
        }
    }
    if (optind + 2 != argc || strcmp(argv[optind], "init")) {
        usage(stderr);
        return SMCTL_USAGE;
    }
    rc = sm_devpki_init(argv[optind + 1], force, stdout);
    if (rc) {
        fprintf(stderr, "smctl pki: %s: %s\n", argv[optind + 1], sm_strerror(rc));
        return SMCTL_FAILED;
    }
    printf("development PKI ready in %s (pki.json lists the entities)\n", argv[optind + 1]);
    return SMCTL_OK;
}
