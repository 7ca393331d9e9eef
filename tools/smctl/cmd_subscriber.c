/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smctl subscriber: the subscribers auc-gw serves, in its database (docs/auc-gw.md). auc-gw
 * reads a subscriber's row at each request, so what this adds or removes counts at once, with
 * auc-gw running. K and OPc never come on the command line (a process list would show them):
 * from an HSS file or standard input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auc_gw.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/secret.h"
#include "smctl.h"
#include "smdb/aucstore.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smctl subscriber [--db FILE] [--kek FILE] COMMAND ...\n"
            "  The subscribers of auc-gw (its database; auc-gw may be running).\n"
            "  import FILE|-...        add the rows of HSS files (iccid,imsi,k,opc,amf,sqn, the\n"
            "                          file smdp and euicc-sim write); a subscriber already there\n"
            "                          gets the new keys and keeps the SQN it reached\n"
            "  add IMSI [--iccid ICCID] [--amf HEX4] [--sqn HEX12]\n"
            "                          one subscriber; K and OPc (32 hex digits each) are read\n"
            "                          from standard input, one line 'K OPC'\n"
            "  list                    imsi, iccid, amf, highest SQN committed, last change\n"
            "                          (never keys)\n"
            "  remove IMSI...          stop serving these subscribers\n"
            "  --db FILE   auc-gw's database (default auc-gw.db)\n"
            "  --kek FILE  its key-encryption key (default auc-gw.kek; needed to add)\n");
}

static int print_row(const struct smdb_auc_row *r, void *arg)
{
    /* the highest SQN committed, handed out or reserved (SEQ || IND 0, TS 33.102 C.3.2): the
     * next vector's is higher */
    uint64_t high = (uint64_t)r->seq << 5;
    time_t t = (time_t)(r->updated_ms / 1000);
    char when[32];

    (*(unsigned *)arg)++;
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    printf("%-15s %-20s %s %012llx %s\n", r->imsi, r->iccid[0] ? r->iccid : "-", r->amf,
           (unsigned long long)high, when);
    return 0;
}

/* K and OPc from standard input: 'K OPC' or 'K,OPC' */
static int read_keys(uint8_t keys[32])
{
    char line[160], k[40], opc[40];
    int rc = -EINVAL, end = -1;

    /* nothing but blanks may follow the two keys */
    if (fgets(line, sizeof(line), stdin) &&
        sscanf(line, " %39[0-9a-fA-F]%*[ ,\t]%39[0-9a-fA-F]%n", k, opc, &end) == 2 && end > 0 &&
        line[end + (int)strspn(line + end, " \t\r\n")] == 0 && strlen(k) == 32 &&
        strlen(opc) == 32 && sm_hex_decode(k, keys, 16) == 16 &&
        sm_hex_decode(opc, keys + 16, 16) == 16)
        rc = 0;
    sm_wipe(line, sizeof(line));
    sm_wipe(k, sizeof(k));
    sm_wipe(opc, sizeof(opc));
    return rc;
}

static int add(struct auc_gw *g, int argc, char **argv)
{
    static const struct option opts[] = {{"iccid", required_argument, NULL, 'i'},
                                         {"amf", required_argument, NULL, 'a'},
                                         {"sqn", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    struct auc_hss_row r = {.amf = "8000"};
    const char *sqn = "000000000000";
    int o, rc;

    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'i' && strlen(optarg) < sizeof(r.iccid) && !sm_iccid_check(optarg))
            snprintf(r.iccid, sizeof(r.iccid), "%s", optarg);
        else if (o == 'a' && strlen(optarg) == 4 && sm_hex_decode(optarg, (uint8_t[2]){0}, 2) == 2)
            snprintf(r.amf, sizeof(r.amf), "%s", optarg);
        else if (o == 's' && strlen(optarg) == 12)
            sqn = optarg;
        else {
            fprintf(stderr, "smctl subscriber add: bad --%s\n",
                    o == 'i'   ? "iccid (digits and check digit)"
                    : o == 'a' ? "amf (4 hex)"
                    : o == 's' ? "sqn (12 hex)"
                               : "option");
            return SMCTL_USAGE;
        }
    }
    if (optind + 1 != argc || strlen(argv[optind]) >= sizeof(r.imsi) ||
        sm_imsi_check(argv[optind]) || sm_hex_decode(sqn, r.sqn, 6) != 6) {
        fprintf(stderr, "smctl subscriber add: IMSI (6 to 15 digits) expected, SQN 12 hex\n");
        return SMCTL_USAGE;
    }
    snprintf(r.imsi, sizeof(r.imsi), "%s", argv[optind]);
    if (read_keys(r.keys)) {
        fprintf(stderr, "smctl subscriber add: standard input: 'K OPC', 32 hex digits each\n");
        return SMCTL_USAGE;
    }
    rc = auc_gw_put(g, &r);
    sm_wipe(&r, sizeof(r));
    if (rc) {
        fprintf(stderr, "smctl subscriber add: %s: %s\n", argv[optind], strerror(-rc));
        return SMCTL_FAILED;
    }
    printf("%s added\n", argv[optind]);
    return SMCTL_OK;
}

int smctl_subscriber(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"kek", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = "auc-gw.db", *kek = "auc-gw.kek", *cmd;
    struct auc_gw g;
    char why[256];
    int o, rc = SMCTL_OK;

    optind = 0;
    /* options before the command: the command's own follow it */
    while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'k':
            kek = optarg;
            break;
        case 'h':
            usage(stdout);
            return SMCTL_OK;
        default:
            usage(stderr);
            return SMCTL_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return SMCTL_USAGE;
    }
    cmd = argv[optind];
    if (strcmp(cmd, "import") && strcmp(cmd, "add") && strcmp(cmd, "list") &&
        strcmp(cmd, "remove")) {
        fprintf(stderr, "smctl subscriber: unknown command '%s'\n", cmd);
        usage(stderr);
        return SMCTL_USAGE;
    }
    if ((!strcmp(cmd, "import") || !strcmp(cmd, "remove")) && optind + 1 >= argc) {
        usage(stderr);
        return SMCTL_USAGE;
    }
    /* list and remove touch no key: they work without the key-encryption key */
    if (auc_gw_open(&g, db, strcmp(cmd, "list") && strcmp(cmd, "remove") ? kek : NULL, false, 1,
                    why, sizeof(why))) {
        fprintf(stderr, "smctl subscriber: %s\n", why);
        return SMCTL_FAILED;
    }
    if (!strcmp(cmd, "add")) {
        rc = add(&g, argc - optind, argv + optind);
    } else if (!strcmp(cmd, "list")) {
        unsigned n = 0;

        if (smdb_auc_list(g.db, print_row, &n))
            rc = SMCTL_FAILED;
        fprintf(stderr, "%u subscribers\n", n);
    } else if (!strcmp(cmd, "import")) {
        for (int i = optind + 1; i < argc && rc == SMCTL_OK; i++) {
            unsigned n = 0;

            if (auc_gw_import(&g, argv[i], &n, why, sizeof(why))) {
                fprintf(stderr, "smctl subscriber import: %s (%u stored before it)\n", why, n);
                rc = SMCTL_FAILED;
            } else {
                printf("%s: %u subscribers\n", argv[i], n);
            }
        }
    } else {
        for (int i = optind + 1; i < argc; i++) {
            int e = sm_imsi_check(argv[i]) ? -EINVAL : smdb_auc_delete(g.db, argv[i]);

            if (e) {
                fprintf(stderr, "smctl subscriber remove: %s: %s\n", argv[i],
                        e == -ENOENT ? "no such subscriber" : strerror(-e));
                rc = SMCTL_FAILED;
            } else {
                printf("%s removed\n", argv[i]);
            }
        }
    }
    auc_gw_close(&g);
    return rc;
}
