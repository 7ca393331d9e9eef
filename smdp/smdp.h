/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDP_H
#define SMDP_H

#include <stddef.h>

#include "sm/api.h"
#include "sm/daemon.h"

/* SM-DP configuration: the common daemon keys plus the SM-DP's own. */
struct smdp_cfg {
    struct sm_daemon_cfg base; /* must stay first */
    char *kek_file;            /* keystore KEK (64 hex digits, 0600) */
};

struct smdb;
/* The inventory's administration commands (inventory_cli.c): profile-type, subscriptions,
 * inventory. Returns the exit code, or -1 for another command. */
int smdp_inventory_command(void *cfg, struct smdb *db, int argc, char **argv);

/* The SM-DP's function catalogue: ES2 (MNO) and the ES3 notifications (SM-SR). */
extern const struct sm_api_route smdp_routes[];
extern const size_t smdp_nroutes;

#endif
