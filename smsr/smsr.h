/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_H
#define SMSR_H

#include <stddef.h>

#include "sm/api.h"
#include "sm/daemon.h"

/* SM-SR configuration: the common daemon keys plus the SM-SR's own. */
struct smsr_cfg {
    struct sm_daemon_cfg base; /* must stay first */
};

/* The SM-SR's function catalogue: ES1 (EUM), ES3 (SM-DP), ES4 (MNO), ES7 (SM-SR). */
extern const struct sm_api_route smsr_routes[];
extern const size_t smsr_nroutes;

#endif
