/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDP_H
#define SMDP_H

#include <stddef.h>

#include "sm/api.h"
#include "sm/daemon.h"

/* SM-DP configuration: the common daemon keys plus the SM-DP's own. */
struct smdp_cfg {
    struct sm_daemon_cfg base; /* must stay first */
};

/* The SM-DP's function catalogue: ES2 (MNO) and the ES3 notifications (SM-SR). */
extern const struct sm_api_route smdp_routes[];
extern const size_t smdp_nroutes;

#endif
