/* SPDX-License-Identifier: Apache-2.0 */
/*
 * euicc-sim: simulated SGP.02 M2M eUICCs.
 *   euicc-sim -c FILE create N            manufacture N cards (EIS and HSS files written)
 *   euicc-sim -c FILE run                 serve them: SMPP, SCP81, notifications, control
 *   euicc-sim -c FILE list | show EID     what is there
 *   euicc-sim -c FILE aka --eid EID --rand HEX --autn HEX
 *   euicc-sim aka --profile FILE.der --rand HEX --autn HEX
 *   euicc-sim -c FILE fallback EID        the card loses its network and falls back
 *   euicc-sim -c FILE eapol --eid EID --ctrl PATH   SoftSIM for eapol_test (external SIM)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardops.h"
#include "control.h"
#include "eapol.h"
#include "factory.h"
#include "install.h"
#include "run.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/log.h"
#include "smdb/simstore.h"
#include "usim.h"

#ifndef SM_VERSION
#define SM_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
    fprintf(f, "euicc-sim - simulated SGP.02 M2M eUICCs\n\n"
               "usage: euicc-sim -c FILE create N       manufacture N cards (EIS, HSS file)\n"
               "       euicc-sim -c FILE run            serve the cards (SMPP, SCP81, control)\n"
               "       euicc-sim -c FILE list           EID and MSISDN of every card\n"
               "       euicc-sim -c FILE show EID       a card's state\n"
               "       euicc-sim -c FILE imsi EID       the IMSI of its enabled profile (EF.IMSI)\n"
               "       euicc-sim -c FILE aka --eid EID --rand HEX --autn HEX\n"
               "       euicc-sim aka --profile FILE.der --rand HEX --autn HEX\n"
               "       euicc-sim -c FILE fallback EID   the card loses its network\n"
               "       euicc-sim -c FILE eapol --eid EID --ctrl PATH   SoftSIM for eapol_test\n"
               "       euicc-sim -c FILE --check-config | --print-config\n"
               "       euicc-sim --help-config | --version\n\n"
               "aka prints res=.. ck=.. ik=.. kc=.., or auts=.. (SQN out of range), or an error\n"
               "(MAC failure: exit 1). Commands on a card go through the running simulator's\n"
               "control socket when it runs, else to the database directly.\n"
               "exit codes: 0 success, 1 failure, 2 usage or configuration error\n");
}

static int load_config(const char *path, struct sim_config *c)
{
    struct sm_cfg_error err;
    int rc = sm_cfg_load(path, sim_cfg_tables, sim_cfg_ntables, c, &err);

    if (!rc && sim_config_check(path, c, &err)) {
        sm_cfg_free(sim_cfg_tables, sim_cfg_ntables, c);
        rc = -EINVAL;
    }
    if (rc)
        sm_cfg_error_print(&err, "euicc-sim", stderr);
    return rc;
}

static int log_setup(const struct sim_config *c)
{
    if (sm_log_set_levels(c->log_level))
        return -EINVAL;
    sm_log_set_format(!strcmp(c->log_format, "json") ? SM_LOG_JSON : SM_LOG_TEXT);
    sm_log_set_ident("euicc-sim");
    return c->log_file[0] ? sm_log_open_file(c->log_file) : 0;
}

/* aka on a package file: its first NAA with AKA parameters, fresh SQN state. */
static int aka_profile(const char *file, const uint8_t rand[16], const uint8_t autn[16])
{
    struct sim_install *in = NULL;
    char reply[512];
    uint8_t *der = NULL;
    size_t len = 0;
    FILE *f = fopen(file, "rb");
    int rc;

    if (!f) {
        fprintf(stderr, "euicc-sim: %s: %s\n", file, strerror(errno));
        return EXIT_FAILED;
    }
    der = malloc(1 << 20);
    len = der ? fread(der, 1, 1 << 20, f) : 0;
    fclose(f);
    rc = der ? sim_install_package(der, len, &in) : -ENOMEM;
    if (rc) {
        fprintf(stderr, "euicc-sim: %s does not install: status %u: %s\n", file,
                in ? in->status : 0, in ? in->msg : strerror(-rc));
    } else if (!in->naka) {
        fprintf(stderr, "euicc-sim: %s has no AKA parameters\n", file);
        rc = -ENOENT;
    } else {
        rc = sim_aka_text((struct sim_aka *)sim_aka_find(in->aka, in->naka, NULL, 0), rand, autn,
                          reply, sizeof(reply));
        printf("%s\n", reply);
    }
    sim_install_free(in);
    free(der);
    return rc ? EXIT_FAILED : EXIT_OK;
}

/* A card command: through the running simulator, else on the store. */
static int card_command(struct sim_config *cfg, const char *line)
{
    struct sim_app a = {0};
    char reply[4096], why[256] = "";
    int rc = sim_control_request(cfg->control_socket, line, reply, sizeof(reply));

    if (rc == -ENOENT || rc == -ECONNREFUSED) {
        a.cfg = *cfg;
        rc = sim_app_open(&a, false, why, sizeof(why));
        if (rc) {
            fprintf(stderr, "euicc-sim: %s\n", why);
            return EXIT_FAILED;
        }
        rc = sim_control_exec(&a, line, reply, sizeof(reply));
        sim_app_close(&a);
    } else if (!rc && !strncmp(reply, "error:", 6)) {
        rc = -EINVAL;
    }
    printf("%s\n", reply);
    sm_wipe(reply, sizeof(reply));
    return rc ? EXIT_FAILED : EXIT_OK;
}

static int print_card(void *arg, const char *eid, const char *msisdn)
{
    (void)arg;
    printf("%s +%s\n", eid, msisdn);
    return 0;
}

static int cmd_create(struct sim_config *cfg, const char *count_text)
{
    struct sim_app a = {0};
    struct sim_factory_keys k;
    char why[300] = "", next[32];
    unsigned long first = 1, made = 0;
    char *end;
    unsigned long n = strtoul(count_text, &end, 10);
    int rc;

    if (*end || n == 0 || n > 10000000) {
        fprintf(stderr, "euicc-sim create: N is 1 to 10000000\n");
        return EXIT_USAGE;
    }
    a.cfg = *cfg;
    if (sim_factory_keys_load(cfg, true, &k, why, sizeof(why))) {
        fprintf(stderr, "euicc-sim: %s\n", why);
        return EXIT_FAILED;
    }
    rc = sim_app_open(&a, true, why, sizeof(why));
    if (rc) {
        fprintf(stderr, "euicc-sim: %s\n", why);
        sim_factory_keys_free(&k);
        return EXIT_FAILED;
    }
    if (!smdb_sim_meta_get(a.db, "next_serial", next, sizeof(next)))
        first = strtoul(next, NULL, 10);
    rc = sim_factory_make(&a, &k, first, n, &sm_rng_system, &made, why, sizeof(why));
    if (rc)
        fprintf(stderr, "euicc-sim create: %s\n", why[0] ? why : strerror(-rc));
    printf("%lu cards created (serials %lu-%lu); EIS in %s, provisioning subscriptions in %s\n",
           made, first, first + made - 1, cfg->eis_dir, cfg->hss_file);
    sim_app_close(&a);
    sim_factory_keys_free(&k);
    return rc ? EXIT_FAILED : EXIT_OK;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},  {"eid", required_argument, NULL, 'e'},
        {"rand", required_argument, NULL, 'r'},    {"autn", required_argument, NULL, 'a'},
        {"profile", required_argument, NULL, 'p'}, {"ctrl", required_argument, NULL, 'C'},
        {"check-config", no_argument, NULL, 'K'},  {"print-config", no_argument, NULL, 'P'},
        {"help-config", no_argument, NULL, 'H'},   {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *config = NULL, *eid = NULL, *rand_hex = NULL, *autn_hex = NULL, *profile = NULL,
               *ctrl = NULL, *cmd;
    bool check = false, print = false;
    struct sim_config cfg;
    char line[200];
    int o, rc;

    while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            config = optarg;
            break;
        case 'e':
            eid = optarg;
            break;
        case 'r':
            rand_hex = optarg;
            break;
        case 'a':
            autn_hex = optarg;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'C':
            ctrl = optarg;
            break;
        case 'K':
            check = true;
            break;
        case 'P':
            print = true;
            break;
        case 'H':
            sm_cfg_print_help(stdout, sim_cfg_tables, sim_cfg_ntables);
            return EXIT_OK;
        case 'V':
            printf("euicc-sim %s\n", SM_VERSION);
            return EXIT_OK;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    cmd = optind < argc ? argv[optind] : "";
    if (!strcmp(cmd, "aka") && profile) {
        uint8_t r[16], au[16];

        if (!rand_hex || !autn_hex || sm_hex_decode(rand_hex, r, 16) != 16 ||
            sm_hex_decode(autn_hex, au, 16) != 16) {
            fprintf(stderr, "euicc-sim aka: --rand and --autn take 32 hex digits\n");
            return EXIT_USAGE;
        }
        return aka_profile(profile, r, au);
    }
    if (!config) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (load_config(config, &cfg))
        return EXIT_USAGE;
    if (check || print) {
        if (print)
            sm_cfg_print(stdout, sim_cfg_tables, sim_cfg_ntables, &cfg);
        sm_cfg_free(sim_cfg_tables, sim_cfg_ntables, &cfg);
        return EXIT_OK;
    }
    /* one-shot commands say only what goes wrong; the simulator logs as configured */
    if (strcmp(cmd, "run") && strcmp(cmd, "eapol")) {
        free(cfg.log_level);
        cfg.log_level = strdup("warn");
    }
    if (!cfg.log_level || log_setup(&cfg)) {
        fprintf(stderr, "euicc-sim: cannot set up logging\n");
        sm_cfg_free(sim_cfg_tables, sim_cfg_ntables, &cfg);
        return EXIT_USAGE;
    }
    sm_json_use_wiping_allocator();
    sim_test_algorithm_res_len = (unsigned)cfg.test_res_len;
    rc = EXIT_USAGE;
    if (!strcmp(cmd, "create") && argc - optind == 2) {
        rc = cmd_create(&cfg, argv[optind + 1]);
    } else if (!strcmp(cmd, "run") && argc - optind == 1) {
        struct sim_app a = {0};
        char why[256] = "";

        a.cfg = cfg;
        rc = sim_app_open(&a, false, why, sizeof(why));
        if (rc) {
            fprintf(stderr, "euicc-sim: %s (run 'create' first)\n", why);
            rc = EXIT_FAILED;
        } else {
            rc = sim_run(&a) ? EXIT_FAILED : EXIT_OK;
            sim_app_close(&a);
        }
    } else if (!strcmp(cmd, "list") && argc - optind == 1) {
        struct sim_app a = {0};
        char why[256] = "";

        a.cfg = cfg;
        rc = sim_app_open(&a, false, why, sizeof(why)) ? EXIT_FAILED : EXIT_OK;
        if (rc)
            fprintf(stderr, "euicc-sim: %s\n", why);
        else
            rc = smdb_sim_foreach(a.db, print_card, NULL) ? EXIT_FAILED : EXIT_OK;
        if (a.db)
            sim_app_close(&a);
    } else if ((!strcmp(cmd, "show") || !strcmp(cmd, "fallback") || !strcmp(cmd, "imsi")) &&
               argc - optind == 2) {
        snprintf(line, sizeof(line), "%s %s", cmd, argv[optind + 1]);
        rc = card_command(&cfg, line);
    } else if (!strcmp(cmd, "aka") && eid && rand_hex && autn_hex && argc - optind == 1) {
        snprintf(line, sizeof(line), "aka %s %s %s", eid, rand_hex, autn_hex);
        rc = card_command(&cfg, line);
    } else if (!strcmp(cmd, "eapol") && eid && ctrl && argc - optind == 1) {
        rc = sim_eapol_run(&cfg, eid, ctrl) ? EXIT_FAILED : EXIT_OK;
    } else {
        usage(stderr);
    }
    sm_cfg_free(sim_cfg_tables, sim_cfg_ntables, &cfg);
    return rc;
}
